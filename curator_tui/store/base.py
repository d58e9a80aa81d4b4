"""What every part of `Store` shares: the file, its connection and its evidence folder.

The parts (change_log, reads, edits, evidence, device_settings) build on this and on one
another through their bases, so each class names the parts it calls (store.py lists them).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from curator_tui.store.evidence_files import EvidenceFiles


class StoreBase:
    """Attributes `Store.__init__` sets; the parts read them."""

    path: Path
    conn: sqlite3.Connection
    files_dir: Path
    evidence_files: EvidenceFiles
    _device_id: str | None  # read once (Store.__init__ starts it at None): never changes
