"""The programme's rules about progress, each defined once: open, overdue, due soon, behind,
stale, and the kind of evidence a file probably is.

Pure functions of their arguments (the caller passes `today`), so every face and every report
judges an activity or a school the same way. Where SQL must apply a rule to thousands of rows,
`curator_tui.store.rules_sql` writes the same rule as an SQL condition from these constants,
and a test checks that both agree on the same rows.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import PurePath

from curator_tui.domain.models import EvidenceKind, Status

# Still to be done: neither done nor cancelled.
OPEN_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS)
# A deadline this many days ahead (or fewer) is «скоро срок».
DUE_SOON_DAYS = 14
# A school that sent no bundle for this many days (or never) is marked on the dashboard.
STALE_DAYS = 30
# A school is behind with this many overdue activities …
MANY_OVERDUE = 5
# … or with this share of the activities already due (not cancelled) still open.
OVERDUE_SHARE = 0.25

PHOTO_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".heic", ".gif", ".bmp", ".webp", ".tif", ".tiff"}
)


def is_open(status: Status) -> bool:
    return status in OPEN_STATUSES


def is_overdue(status: Status, due: date | None, before: date) -> bool:
    """Open and its last due date falls before `before` (today, or a report's cut-off)."""
    return is_open(status) and due is not None and due < before


def is_due_soon(status: Status, due: date | None, coming: date | None, today: date) -> bool:
    """Open, not overdue, and `coming` (the end of the deadline ahead) is at most
    DUE_SOON_DAYS away. The list's row marks the end of the next window; a count over many
    rows (SQL) takes the last due date for `coming`."""
    if coming is None or not is_open(status) or is_overdue(status, due, today):
        return False
    return 0 <= (coming - today).days <= DUE_SOON_DAYS


def counts_as_due(status: Status, due: date | None, before: date) -> bool:
    """Not cancelled and due before `before`, done or not: the base «behind» is measured on."""
    return status is not Status.CANCELLED and due is not None and due < before


def is_behind(overdue: int, due_by_now: int) -> bool:
    """`due_by_now`: activities (not cancelled) whose last due date has passed."""
    return overdue >= MANY_OVERDUE or (due_by_now > 0 and overdue >= OVERDUE_SHARE * due_by_now)


def is_stale(last_bundle: datetime | None, today: date) -> bool:
    return last_bundle is None or (today - last_bundle.date()).days >= STALE_DAYS


def guess_evidence_kind(file_name: str | PurePath, chosen: EvidenceKind) -> EvidenceKind:
    """A picture left as «Иное» is a photo; any kind the user chose stays as chosen."""
    if chosen is EvidenceKind.OTHER and PurePath(file_name).suffix.lower() in PHOTO_SUFFIXES:
        return EvidenceKind.PHOTO
    return chosen
