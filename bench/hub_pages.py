"""What one hub import writes and reads, in counts that do not depend on the machine's load.

`python -m bench.hub_pages [BUNDLES]` imports BUNDLES (default 200) of the hub bench's school
bundles (bench/hub_bench.py's cached set-up) into a fresh copy of its hub and prints, per
bundle: the pages its transaction writes to the WAL by table or index (what its COMMIT costs),
the read and write system calls of the process, and the SQL statements run with the time
spent in them. Wall times on a shared machine vary by 2× from run to run; these counts do not
(the statement times are only a guide).
"""

from __future__ import annotations

import collections
import re
import sqlite3
import struct
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.hub_bench import ensure_setup, fresh_copy
from curator_tui.sync.importing import import_bundles

FRAME_HEADER = 24
WAL_HEADER = 32
SKIPPED = 100  # the first bundles are imported but not counted: the cache is still cold


class Statements:
    """Statement counts and time, through a connection class that times execute."""

    def __init__(self) -> None:
        self.stats: dict[str, list[float]] = collections.defaultdict(lambda: [0, 0.0])

    def add(self, sql: str, seconds: float) -> None:
        entry = self.stats[" ".join(re.sub(r"\?(, \?)+", "?…", sql).split())[:110]]
        entry[0] += 1
        entry[1] += seconds

    def connection_class(self) -> type[sqlite3.Connection]:
        record = self.add

        class Timed(sqlite3.Connection):
            def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
                start = time.perf_counter()
                try:
                    return super().execute(sql, *args)
                finally:
                    record(sql, time.perf_counter() - start)

            def executemany(self, sql: str, *args: Any) -> sqlite3.Cursor:
                start = time.perf_counter()
                try:
                    return super().executemany(sql, *args)
                finally:
                    record("many: " + sql, time.perf_counter() - start)

        return Timed


def process_io() -> dict[str, int]:
    text = Path("/proc/self/io").read_text()
    return {key: int(value) for key, value in (line.split(": ") for line in text.splitlines())}


def wal_transactions(wal: Path) -> list[list[int]]:
    """The page numbers each committed transaction wrote, from the WAL's frame headers."""
    data = wal.read_bytes()
    page_size = struct.unpack(">I", data[8:12])[0]
    transactions: list[list[int]] = []
    pages: list[int] = []
    offset = WAL_HEADER
    while offset + FRAME_HEADER + page_size <= len(data):
        page, commit = struct.unpack(">II", data[offset : offset + 8])
        pages.append(page)
        if commit:
            transactions.append(pages)
            pages = []
        offset += FRAME_HEADER + page_size
    return transactions


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    template, bundles = ensure_setup()
    statements = Statements()
    with tempfile.TemporaryDirectory(prefix="curator-hub-pages-") as tmp:
        hub = fresh_copy(template, Path(tmp))
        import_bundles(hub, bundles[:SKIPPED])
        # Held open so the WAL outlives the import's connection, to be read afterwards.
        keep = sqlite3.connect(hub)
        keep.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connect = sqlite3.connect
        sqlite3.connect = lambda *a, **k: connect(  # type: ignore[assignment]
            *a, **{"factory": statements.connection_class(), **k}
        )
        before = process_io()
        try:
            reports = import_bundles(hub, bundles[SKIPPED : SKIPPED + count])
        finally:
            sqlite3.connect = connect
        after = process_io()
        assert all(r.outcome.value == "accepted" for r in reports), reports[0].problems
        owners = dict(keep.execute("SELECT pageno, name FROM dbstat"))
        transactions = [t for t in wal_transactions(Path(f"{hub}-wal")) if len(t) > 20]
        keep.close()
    pages: collections.Counter[str] = collections.Counter()
    for written in transactions:
        pages.update(owners.get(page, "(freed)") for page in set(written))
    per = len(transactions)
    print(f"{per} bundle transactions, pages written each: {sum(pages.values()) / per:.1f}")
    for name, n in pages.most_common():
        print(f"  {n / per:6.1f}  {name}")
    print("system calls per bundle:")
    for key in ("syscr", "rchar", "syscw", "wchar"):
        print(f"  {(after[key] - before[key]) / count:10.1f}  {key}")
    stats = statements.stats
    total = sum(n for n, _s in stats.values())
    print(f"statements per bundle: {total / count:.1f} (ms per bundle, count per bundle)")
    for sql, (n, seconds) in sorted(stats.items(), key=lambda kv: -kv[1][1])[:30]:
        print(f"  {seconds * 1000 / count:7.3f} {n / count:5.1f}  {sql}")


if __name__ == "__main__":
    main()
