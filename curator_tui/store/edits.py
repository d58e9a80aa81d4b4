"""The store's edits a user makes on the list and the detail screen: a status (of an
activity or of one occurrence of a recurring one), an organisation's municipality, a note, a
visit. Each is a Change recorded through the log
(change_log.ChangeLog.record); evidence has its own part (evidence.py)."""

from __future__ import annotations

from datetime import date

from curator_tui.domain.models import ReviewState, Status, TrustRole
from curator_tui.domain.ops import Action, Entity, Operation, new_id
from curator_tui.domain.rules import Occurrence, review_comment
from curator_tui.store.change_log import Change, ChangeLog
from curator_tui.store.database import StoreError
from curator_tui.store.reads import Reads

# The device roles that review.
REVIEWER_ROLES = frozenset({TrustRole.COORDINATOR.value, TrustRole.CURATOR.value})


class Edits(ChangeLog, Reads):
    """Store's part for the user's edits (store.py says how the parts make one Store)."""

    def set_status(self, activity_id: str, status: Status) -> Operation:
        self.require_activity(activity_id)
        [op] = self.record(
            [Change(Entity.ACTIVITY, activity_id, Action.SET, "status", status.value)]
        )
        return op

    def set_review(
        self, activity_id: str, state: ReviewState, comment: str = ""
    ) -> list[Operation]:
        """A reviewer's verdict and its comment, as two fields set together. Only a
        coordinator's or a curator's database reviews (a school's bundle carrying a review is
        refused on import too, sync/oprules.py)."""
        self.require_activity(activity_id)
        text = self.reviewers_text(comment, state)
        return self.record(
            [
                Change(Entity.ACTIVITY, activity_id, Action.SET, "review_state", state.value),
                Change(Entity.ACTIVITY, activity_id, Action.SET, "review_comment", text),
            ]
        )

    def set_evidence_remark(self, evidence_id: str, remark: str) -> Operation:
        """A reviewer's «замечание» on one evidence item ("" withdraws it): the school sees it
        beside the file. Evidence removed since is still remarked on (the remark is kept)."""
        found = self.conn.execute("SELECT 1 FROM evidence WHERE id = ?", (evidence_id,))
        if found.fetchone() is None:
            raise StoreError("Такого доказательства нет")
        text = self.reviewers_text(remark, ReviewState.ACCEPTED)
        [op] = self.record([Change(Entity.EVIDENCE, evidence_id, Action.SET, "remark", text)])
        return op

    def reviewers_text(self, text: str, state: ReviewState) -> str:
        """A comment cleaned by the review rule, on a reviewer's database only."""
        if self.device().get("role") not in REVIEWER_ROLES:
            raise StoreError(
                "Проверку выставляют координатор и куратор; на этом компьютере её выставить "
                "нельзя (роль устройства задаёт «curator init»)."
            )
        try:
            return review_comment(text, state)
        except ValueError as exc:
            raise StoreError(str(exc)) from None

    def settle_removed_work(self, activity_id: str, *, restore: bool) -> Operation:
        """The coordinator's decision on work done on an activity it had removed
        (store/removed_work.py): put the activity back, or remove it again — stamped after
        the work, which settles it. The work itself stays in the log either way."""
        self.require_activity(activity_id)
        [op] = self.record(
            [Change(Entity.ACTIVITY, activity_id, Action.SET, "removed", 0 if restore else 1)]
        )
        return op

    def set_occurrence_status(self, occurrence: Occurrence, status: Status) -> Operation:
        """One occurrence's status. The occurrence is created first if this replica has no
        row for it; another replica creating it too makes the same entity (its id and
        window derive from the activity and the window), so the two converge into one."""
        self.require_activity(occurrence.activity_id)
        change = Change(Entity.OCCURRENCE, occurrence.id, Action.SET, "status", status.value)
        *_created, op = self.record([*occurrence_creation(self, occurrence), change])
        return op

    def set_municipality(self, organisation_id: str, municipality: str) -> Operation | None:
        """Record an organisation's municipality ("" clears it): a replicated field, last
        writer wins. None when the organisation already says so (no op for nothing).

        The organisation need not be here yet: a school laptop says its district at init,
        before its roadmap arrives, and the roadmap's create never overrides the edit.
        """
        text = " ".join(municipality.split())
        row = self.conn.execute(
            "SELECT municipality FROM organisation WHERE id = ?", (organisation_id,)
        ).fetchone()
        if (row[0] if row else "") == text:
            return None
        [op] = self.record(
            [Change(Entity.ORGANISATION, organisation_id, Action.SET, "municipality", text)]
        )
        return op

    def add_note(self, activity_id: str, text: str) -> str:
        self.require_activity(activity_id)
        text = text.strip()
        if not text:
            raise StoreError("Пустая заметка не сохранена")
        note_id = new_id()
        value = {"activity_id": activity_id, "text": text, "device_id": self.device_id}
        self.record([Change(Entity.NOTE, note_id, Action.CREATE, value=value)])
        return note_id

    def add_visit(
        self,
        roadmap_id: str,
        visit_date: date,
        *,
        participants: str,
        notes: str,
        activity_ids: list[str],
    ) -> str:
        visit_id = new_id()
        value = {
            "roadmap_id": roadmap_id,
            "visit_date": visit_date.isoformat(),
            "participants": participants.strip(),
            "notes": notes.strip(),
            "device_id": self.device_id,
            "activities": sorted(set(activity_ids)),
        }
        self.record([Change(Entity.VISIT, visit_id, Action.CREATE, value=value)])
        return visit_id


def occurrence_creation(store: Reads, occurrence: Occurrence) -> list[Change]:
    """The create of an occurrence, unless this replica has its row already (it carries only
    what every replica derives alike: the activity and the window)."""
    found = store.conn.execute(
        "SELECT window_start FROM occurrence WHERE id = ?", (occurrence.id,)
    ).fetchone()
    if found is not None and found[0]:
        return []
    value = {
        "activity_id": occurrence.activity_id,
        "window_start": occurrence.start.isoformat(),
        "window_end": occurrence.end.isoformat(),
    }
    return [Change(Entity.OCCURRENCE, occurrence.id, Action.CREATE, value=value)]
