"""The evidence store checked against the database: every file a live record refers to is
there, hashes to its name and has its recorded size; every other file is an orphan.

`curator doctor` prints the result; hashing reads every file once, so this is a check the
user asks for, never part of opening a database.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from curator_tui.store.database import query_dicts
from curator_tui.store.evidence_files import EvidenceFiles, hash_file


@dataclass
class EvidenceCheck:
    checked: int = 0
    missing: list[str] = field(default_factory=list)  # hashes of files that are not there
    damaged: list[str] = field(default_factory=list)  # hashes whose file no longer matches
    orphans: list[str] = field(default_factory=list)  # paths (in the store) nothing refers to

    @property
    def sound(self) -> bool:
        """No record lacks its file (orphans only cost space: a warning, not a fault)."""
        return not (self.missing or self.damaged)

    def lines(self) -> list[str]:
        """What doctor prints, in Russian."""
        lines = [f"Файлов доказательств проверено: {self.checked}"]
        lines += [f"  ✗ нет файла доказательства {sha}" for sha in self.missing]
        lines += [
            f"  ✗ файл повреждён (хеш или размер не совпадает): {sha}" for sha in self.damaged
        ]
        lines += [
            f"  ! лишний файл, на него не ссылается ни одна запись: {p}" for p in self.orphans
        ]
        if self.missing or self.damaged:
            lines.append(
                "  Исправный файл придёт с пакетом от того, у кого он есть: попросите "
                "выгрузить изменения с ним (curator export --full) и импортируйте пакет"
            )
        return lines


def check_evidence(conn: sqlite3.Connection, files: EvidenceFiles) -> EvidenceCheck:
    """Hash every evidence file and compare with what the `evidence` table refers to."""
    rows = query_dicts(conn, "SELECT sha256, size, removed FROM evidence WHERE sha256 != ''")
    needed = {str(r["sha256"]): int(r["size"]) for r in rows if not r["removed"]}
    referenced = {str(r["sha256"]) for r in rows}
    result = EvidenceCheck()
    for path in files.stored_files():
        name = path.name
        if not files.is_blob_path(path) or name not in referenced:
            result.orphans.append(str(path.relative_to(files.root)))
            continue
        result.checked += 1
        if name in needed and not _matches(path, name, needed[name]):
            result.damaged.append(name)
    result.missing = sorted(sha for sha in needed if not files.has(sha))
    return result


def _matches(path: Path, sha256: str, size: int) -> bool:
    try:
        return (not size or path.stat().st_size == size) and hash_file(path) == sha256
    except OSError:
        return False
