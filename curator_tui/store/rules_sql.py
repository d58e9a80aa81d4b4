"""The programme's rules (`curator_tui.domain.rules`) as SQL conditions on an activity row.

Every query that counts or lists open, overdue or due-soon activities takes its condition
from here, so the list's quick filter, the progress line, the monthly report and the hub
dashboard cannot drift apart, nor drift from the Python rule (a test runs both on the same
rows). Arguments are SQL expressions (a placeholder such as `?` or `:cutoff`, or a column),
never values: what a user typed never reaches these strings. An argument may appear more
than once in a condition: a positional `?` must be given once per appearance (`placeholders`).

A recurring activity tracked by occurrence (some occurrence has a status, db/0012) stands by
its occurrences (`domain.rules.standing`): `shown_status` and `owed_due_date` spell that rule
here, and every condition reads the activity through them. Such activities are few; the set
of them is read once per statement (a subquery with no reference to the row), and the costly
part of the rule is evaluated for them alone, so the counts over a hub still walk the
`activity_progress` index (db/0002) for every other activity.
"""

from __future__ import annotations

from curator_tui.domain.models import RESUBMITTED, ReviewState, ScheduleKind, Status
from curator_tui.domain.rules import OPEN_STATUSES

# Fixed status codes, so literals: SQLite can still use the status columns of its indexes.
_OPEN_LIST = ", ".join(f"'{status.value}'" for status in OPEN_STATUSES)


_CANCELLED = f"'{Status.CANCELLED.value}'"
_PROGRESSED = f"'{Status.DONE.value}', '{Status.IN_PROGRESS.value}'"


def placeholders(condition: str) -> int:
    """How many values a condition built with `?` arguments takes (our strings hold no other
    `?`: the arguments are placeholders or columns, the rest is ours)."""
    return condition.count("?")


def tracked_condition(alias: str = "a") -> str:
    """A recurring activity some occurrence of which has been given a status."""
    # CROSS JOIN keeps SQLite's order: from the (few) marked occurrences to their activities;
    # left to itself it walks every activity of a hub looking for occurrences.
    return (
        f"{alias}.rowid IN (SELECT t.rowid FROM occurrence o CROSS JOIN activity t "
        "ON t.id = o.activity_id WHERE o.window_start != '' "
        f"AND t.schedule_kind = '{ScheduleKind.RECURRING.value}')"
    )


def _occurrences(alias: str) -> str:
    """The activity's occurrences as rows (s, e, st): those given a status, and its schedule's
    other windows, not started (`domain.rules.occurrences_of`)."""
    return (
        f"(SELECT o.window_start AS s, o.window_end AS e, o.status AS st FROM occurrence o "
        f"WHERE o.activity_id = {alias}.id AND o.window_start != '' UNION ALL "
        "SELECT json_extract(w.value, '$[0]'), json_extract(w.value, '$[1]'), "
        f"'{Status.NOT_STARTED.value}' FROM json_each({alias}.schedule, '$.windows') AS w "
        f"WHERE NOT EXISTS (SELECT 1 FROM occurrence m WHERE m.activity_id = {alias}.id "
        "AND m.window_start = json_extract(w.value, '$[0]')))"
    )


def _any_occurrence(alias: str, condition: str) -> str:
    return f"EXISTS (SELECT 1 FROM {_occurrences(alias)} WHERE {condition})"


def shown_status(today: str, alias: str = "a", *, plain: bool = False) -> str:
    """`domain.rules.recurring_status` for a tracked activity; its own status otherwise.

    `plain`: for a statement over untracked activities only (`NOT tracked_condition`), the
    own status alone — such a statement reads nothing but the columns of its index."""
    if plain:
        return f"{alias}.status"
    progressed = _any_occurrence(alias, f"st IN ({_PROGRESSED})")
    begun_open = _any_occurrence(alias, f"s <= {today} AND st IN ({_OPEN_LIST})")
    begun_kept = _any_occurrence(alias, f"s <= {today} AND st != {_CANCELLED}")
    return (
        f"(CASE WHEN {alias}.status = {_CANCELLED} OR NOT {tracked_condition(alias)} "
        f"THEN {alias}.status WHEN NOT {begun_open} AND {begun_kept} "
        f"THEN '{Status.DONE.value}' WHEN {progressed} THEN '{Status.IN_PROGRESS.value}' "
        f"ELSE '{Status.NOT_STARTED.value}' END)"
    )


def owed_due_date(alias: str = "a", *, plain: bool = False) -> str:
    """`domain.rules.owed_due`: for a tracked activity the earliest end of an open occurrence
    (its last due date when none is open); the last due date of any other (`plain`: that
    alone, as in `shown_status`)."""
    if plain:
        return f"{alias}.due_date"
    owed = f"(SELECT MIN(e) FROM {_occurrences(alias)} WHERE st IN ({_OPEN_LIST}))"
    return (
        f"(CASE WHEN {tracked_condition(alias)} THEN COALESCE({owed}, {alias}.due_date) "
        f"ELSE {alias}.due_date END)"
    )


def status_is(status: Status, today: str, alias: str = "a", *, plain: bool = False) -> str:
    """The activity shows `status` (a tracked one by its occurrences, judged at `today`)."""
    return f"({shown_status(today, alias, plain=plain)} = '{status.value}')"


def open_condition(today: str, alias: str = "a", *, plain: bool = False) -> str:
    return f"({shown_status(today, alias, plain=plain)} IN ({_OPEN_LIST}))"


def overdue_condition(before: str, alias: str = "a", *, plain: bool = False) -> str:
    """`domain.rules.is_overdue` of the activity's standing: open, and the date it is judged
    by falls before `before`."""
    due = owed_due_date(alias, plain=plain)
    return (
        f"({open_condition(before, alias, plain=plain)} AND {due} IS NOT NULL AND {due} < {before})"
    )


def due_soon_condition(today: str, until: str, alias: str = "a") -> str:
    """`domain.rules.is_due_soon` with the judged due date as the deadline ahead: open and due
    from `today` to `until` (today + DUE_SOON_DAYS), both days included."""
    due = owed_due_date(alias)
    return f"({open_condition(today, alias)} AND {due} >= {today} AND {due} <= {until})"


def counts_as_due_condition(before: str, alias: str = "a", *, plain: bool = False) -> str:
    """`domain.rules.counts_as_due`: not cancelled and due before `before`."""
    due = owed_due_date(alias, plain=plain)
    return f"({alias}.status != {_CANCELLED} AND {due} IS NOT NULL AND {due} < {before})"


def shown_review(alias: str = "a") -> str:
    """The activity's review as a reviewer's queue shows it: its verdict, or «resubmitted»
    for a returned activity that another device (the school) changed after the verdict — its
    status, one of its occurrences, a new note or new evidence, stamped after the verdict's
    clock. Clock stamps are fixed-width text, so they compare as text. Only returned
    activities (few) pay for the look at their notes, evidence and occurrences."""
    since = f"json_extract({alias}.winners, '$.review_state[1]')"
    reviewer = f"json_extract({alias}.winners, '$.review_state[2]')"
    status_after = (
        f"(json_extract({alias}.winners, '$.status[1]') > {since} "
        f"AND json_extract({alias}.winners, '$.status[2]') != {reviewer})"
    )
    added_after = " OR ".join(
        f"EXISTS (SELECT 1 FROM {table} x WHERE x.activity_id = {alias}.id "
        f"AND x.origin_hlc > {since} AND x.device_id != {reviewer})"
        for table in ("note", "evidence")
    )
    occurrence_after = (
        f"EXISTS (SELECT 1 FROM occurrence x WHERE x.activity_id = {alias}.id "
        f"AND json_extract(x.winners, '$.status[1]') > {since} "
        f"AND json_extract(x.winners, '$.status[2]') != {reviewer})"
    )
    return (
        f"CASE WHEN {alias}.review_state = '{ReviewState.RETURNED.value}' AND ({status_after} "
        f"OR {added_after} OR {occurrence_after}) THEN '{RESUBMITTED}' "
        f"ELSE {alias}.review_state END"
    )
