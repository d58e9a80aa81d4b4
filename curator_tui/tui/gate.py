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

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
