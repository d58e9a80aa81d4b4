"""Messages the app's workers post when something has happened, named as facts."""

from __future__ import annotations

from textual.message import Message


class ActivityUpdated(Message):
    """An activity's status (or another field) was changed and saved."""

    def __init__(self, activity_id: str, summary: str) -> None:
        super().__init__()
        self.activity_id = activity_id
        self.summary = summary


class NoteAdded(Message):
    def __init__(self, activity_id: str) -> None:
        super().__init__()
        self.activity_id = activity_id


class EvidenceAttached(Message):
    def __init__(self, activity_id: str, evidence_id: str, title: str) -> None:
        super().__init__()
        self.activity_id = activity_id
        self.evidence_id = evidence_id
        self.title = title


class EvidenceRemoved(Message):
    def __init__(self, activity_id: str, evidence_id: str) -> None:
        super().__init__()
        self.activity_id = activity_id
        self.evidence_id = evidence_id


class VisitLogged(Message):
    def __init__(self, visit_id: str, activity_ids: list[str]) -> None:
        super().__init__()
        self.visit_id = visit_id
        self.activity_ids = activity_ids


class RoadmapImported(Message):
    """A roadmap was imported: `description` in a line, `warnings` what needs checking."""

    def __init__(self, description: str, warnings: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.description = description
        self.warnings = warnings


class WorkFailed(Message):
    """Work failed: `text` is the Russian message for the user, `group` the worker group.

    Posted to the screen or widget whose work it was; it bubbles up to the app, which shows it.
    """

    def __init__(self, text: str, group: str = "") -> None:
        super().__init__()
        self.text = text
        self.group = group
