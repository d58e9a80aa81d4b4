"""The app's way into its database from worker threads.

One `Store` (one SQLite connection) serves the app's workers, one at a time: a connection
must not be used by two threads at once. Long jobs that would hold it for seconds (copying
a large evidence file, importing a roadmap) open a `Store` of their own instead.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from curator_tui.store.store import Store


class StoreBusy(Exception):
    """A worker holds the store: the UI thread does not wait for it."""


class StoreGate:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._store: Store | None = None

    @contextmanager
    def open(self) -> Iterator[Store]:
        """The shared store, opened (and the file created) on first use."""
        with self._lock:
            if self._store is None:
                self._store = Store.open(self.path, create=True)
            yield self._store

    @contextmanager
    def open_now(self) -> Iterator[Store]:
        """The shared store for a short read on the UI thread; StoreBusy if a worker has it
        (waiting could freeze the screen for as long as that worker's query runs)."""
        if not self._lock.acquire(blocking=False):
            raise StoreBusy
        try:
            if self._store is None:
                self._store = Store.open(self.path, create=True)
            yield self._store
        finally:
            self._lock.release()

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
