"""The store's evidence: a file copied into the content-addressed file store
(evidence_files.EvidenceFiles) and recorded, a link recorded, a piece removed."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from curator_tui.domain.models import EvidenceKind
from curator_tui.domain.ops import Action, Entity, new_id
from curator_tui.domain.rules import Occurrence, web_link
from curator_tui.store.change_log import Change, ChangeLog
from curator_tui.store.database import StoreError
from curator_tui.store.edits import occurrence_creation
from curator_tui.store.evidence_files import Progress
from curator_tui.store.reads import Reads


class Evidence(ChangeLog, Reads):
    """Store's part for evidence (store.py says how the parts make one Store)."""

    def attach_file(
        self,
        activity_id: str,
        source: Path,
        *,
        kind: EvidenceKind,
        title: str = "",
        note: str = "",
        progress: Progress | None = None,
        occurrence: Occurrence | None = None,
    ) -> str:
        """Copy a file into the evidence store and record it; all or nothing."""
        self.require_activity(activity_id)
        sha256, size = self.evidence_files.ingest(source, progress)
        existed_before = self.blob_referenced(sha256)
        twin = self.attached_already(activity_id, sha256, occurrence)
        if twin is not None:  # its blob is referenced by the twin: nothing to discard
            raise StoreError(f"Этот файл уже прикреплён к мероприятию: «{twin}»")
        evidence_id = new_id()
        value = {
            "activity_id": activity_id,
            "kind": kind.value,
            "title": title.strip() or source.name,
            "note": note.strip(),
            "original_name": source.name,
            "size": size,
            "sha256": sha256,
            "url": "",
            "device_id": self.device_id,
        }
        try:
            self.record_evidence(evidence_id, value, occurrence)
        except BaseException:
            if not existed_before:
                self.evidence_files.discard(sha256)
            raise
        return evidence_id

    def attach_link(
        self,
        activity_id: str,
        url: str,
        *,
        kind: EvidenceKind = EvidenceKind.LINK,
        title: str = "",
        note: str = "",
        occurrence: Occurrence | None = None,
    ) -> str:
        self.require_activity(activity_id)
        typed = url.strip()
        if not typed:
            raise StoreError("Ссылка не указана")
        link = web_link(typed)
        if link is None:
            raise StoreError(
                f"«{typed}» — не ссылка: укажите адрес страницы, например "
                "https://school.ru/news/1 (файл прикрепите как файл)"
            )
        url = link
        evidence_id = new_id()
        value = {
            "activity_id": activity_id,
            "kind": kind.value,
            "title": title.strip() or url,
            "note": note.strip(),
            "original_name": "",
            "size": 0,
            "sha256": "",
            "url": url,
            "device_id": self.device_id,
        }
        self.record_evidence(evidence_id, value, occurrence)
        return evidence_id

    def record_evidence(
        self, evidence_id: str, value: Mapping[str, object], occurrence: Occurrence | None
    ) -> None:
        """Record the evidence; for an occurrence, create that first if it is not here yet
        (a bundle must let the receiver attribute what the evidence names)."""
        changes = []
        fields = dict(value)
        if occurrence is not None:
            changes = occurrence_creation(self, occurrence)
            fields["occurrence"] = occurrence.id
        changes.append(Change(Entity.EVIDENCE, evidence_id, Action.CREATE, value=fields))
        self.record(changes)

    def remove_evidence(self, evidence_id: str) -> None:
        found = self.conn.execute("SELECT 1 FROM evidence WHERE id = ?", (evidence_id,))
        if found.fetchone() is None:
            raise StoreError("Такого доказательства нет")
        self.record([Change(Entity.EVIDENCE, evidence_id, Action.REMOVE)])

    def attached_already(
        self, activity_id: str, sha256: str, occurrence: Occurrence | None
    ) -> str | None:
        """The title of the live evidence of this activity (and occurrence) that is the same
        file, if there is one: the same scan attached twice is a slip, not more evidence."""
        row = self.conn.execute(
            "SELECT title FROM evidence WHERE activity_id = ? AND sha256 = ? AND removed = 0 "
            "AND occurrence IS ? LIMIT 1",
            (activity_id, sha256, occurrence.id if occurrence else None),
        ).fetchone()
        return None if row is None else str(row[0])

    def blob_referenced(self, sha256: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM evidence WHERE sha256 = ? LIMIT 1", (sha256,))
        return row.fetchone() is not None
