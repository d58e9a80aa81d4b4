"""The programme's rules (`curator_tui.domain.rules`) as SQL conditions on an activity row.

Every query that counts or lists open, overdue or due-soon activities takes its condition
from here, so the list's quick filter, the progress line, the monthly report and the hub
dashboard cannot drift apart, nor drift from the Python rule (a test runs both on the same
rows). Arguments are SQL expressions (a placeholder such as `?` or `:cutoff`, or a column),
never values: what a user typed never reaches these strings.
"""

from __future__ import annotations

from curator_tui.domain.models import Status
from curator_tui.domain.rules import OPEN_STATUSES

# Fixed status codes, so literals: SQLite can still use the status columns of its indexes.
_OPEN_LIST = ", ".join(f"'{status.value}'" for status in OPEN_STATUSES)


def open_condition(alias: str = "a") -> str:
    return f"{alias}.status IN ({_OPEN_LIST})"


def overdue_condition(before: str, alias: str = "a") -> str:
    """`domain.rules.is_overdue`: open, and its last due date falls before `before`."""
    return (
        f"({open_condition(alias)} AND {alias}.due_date IS NOT NULL "
        f"AND {alias}.due_date < {before})"
    )


def due_soon_condition(today: str, until: str, alias: str = "a") -> str:
    """`domain.rules.is_due_soon` with the last due date as the deadline ahead: open and due
    from `today` to `until` (today + DUE_SOON_DAYS), both days included."""
    return (
        f"({open_condition(alias)} AND {alias}.due_date >= {today} AND {alias}.due_date <= {until})"
    )


def counts_as_due_condition(before: str, alias: str = "a") -> str:
    """`domain.rules.counts_as_due`: not cancelled and due before `before`."""
    return (
        f"({alias}.status != '{Status.CANCELLED.value}' AND {alias}.due_date IS NOT NULL "
        f"AND {alias}.due_date < {before})"
    )
