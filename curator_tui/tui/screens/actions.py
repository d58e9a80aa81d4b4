"""What the list and the detail screen both do to an activity: status, note, evidence, visit.

Each action asks through a typed dialog, then writes in a worker thread and posts a fact
(ActivityUpdated, NoteAdded, EvidenceAttached, VisitLogged) to the screen that asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.screen import Screen

from curator_tui.domain.models import Status
from curator_tui.domain.safe_text import safe_text
from curator_tui.store.store import Store
from curator_tui.tui.context import Curator, curator_of
from curator_tui.tui.messages import ActivityUpdated, NoteAdded, VisitLogged
from curator_tui.tui.workers import thread_work

if TYPE_CHECKING:
    from curator_tui.tui.screens.visit import VisitDraft

# The dialogs are imported when first opened: the list has to paint before they are needed.


@dataclass(frozen=True)
class Subject:
    """The activity an action is about, as the screen knows it."""

    activity_id: str
    roadmap_id: str
    number: str
    title: str
    status: Status

    @property
    def label(self) -> str:
        return f"№ {self.number or '—'} · {self.title}"


class ActivityActions(Screen[None]):
    """A screen that can change an activity; subclasses say which activity is meant."""

    @property
    def curator(self) -> Curator:
        return curator_of(self.app)

    def subject(self) -> Subject | None:
        raise NotImplementedError

    def _require_subject(self) -> Subject | None:
        subject = self.subject()
        if subject is None:
            self.notify("Сначала выберите мероприятие в списке", severity="warning")
        return subject

    # --- status ------------------------------------------------------------------------------

    def action_change_status(self) -> None:
        subject = self._require_subject()
        if subject is None:
            return

        from curator_tui.tui.screens.modals import StatusPicker

        def picked(status: Status | None) -> None:
            if status is not None and status is not subject.status:
                self.save_status(subject, status)

        self.app.push_screen(StatusPicker(subject.status, subject.label), picked)

    @thread_work(group="write")
    def save_status(self, subject: Subject, status: Status) -> None:
        self.curator.with_store(lambda store: store.set_status(subject.activity_id, status))
        summary = f"№ {subject.number or '—'}: статус «{status.label}»"
        self.post_message(ActivityUpdated(subject.activity_id, summary))

    # --- note ----------------------------------------------------------------------------------

    def action_note(self) -> None:
        subject = self._require_subject()
        if subject is None:
            return

        from curator_tui.tui.screens.modals import NoteEditor

        def written(text: str | None) -> None:
            if text:
                self.save_note(subject, text)

        self.app.push_screen(NoteEditor(subject.label), written)

    @thread_work(group="write")
    def save_note(self, subject: Subject, text: str) -> None:
        self.curator.with_store(lambda store: store.add_note(subject.activity_id, text))
        self.post_message(NoteAdded(subject.activity_id))

    # --- evidence -------------------------------------------------------------------------------

    def action_attach(self) -> None:
        subject = self._require_subject()
        if subject is None:
            return

        from curator_tui.tui.screens.evidence import EvidenceDialog

        def attached(evidence_id: str | None) -> None:
            if evidence_id:
                self.notify(
                    f"{safe_text(subject.label[:60])}: доказательство добавлено", markup=False
                )

        self.app.push_screen(
            EvidenceDialog(subject.activity_id, subject.label, self.curator.media_roots), attached
        )

    # --- visit ------------------------------------------------------------------------------------

    def action_visit(self) -> None:
        subject = self._require_subject()
        if subject is None:
            return

        from curator_tui.tui.screens.visit import VisitDialog

        def logged(draft: VisitDraft | None) -> None:
            if draft is not None:
                self.save_visit(subject.roadmap_id, draft)

        dialog = VisitDialog(subject.roadmap_id, subject.activity_id, self.curator.today)
        self.app.push_screen(dialog, logged)

    @thread_work(group="write")
    def save_visit(self, roadmap_id: str, draft: VisitDraft) -> None:
        def job(store: Store) -> str:
            return store.add_visit(
                roadmap_id,
                draft.visit_date,
                participants=draft.participants,
                notes=draft.notes,
                activity_ids=draft.activity_ids,
            )

        visit_id = self.curator.with_store(job)
        self.post_message(VisitLogged(visit_id, draft.activity_ids))

    def on_visit_logged(self, message: VisitLogged) -> None:
        count = len(message.activity_ids)
        self.notify(f"Визит записан: обсуждено мероприятий — {count}")
