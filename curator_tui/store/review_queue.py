"""The reviewer's queue (issue 15): what a coordinator or a curator has yet to check.

An activity waits for review when its school reported it done and nobody has judged it yet,
or when it was returned «на доработку» and the school changed it since (`rules_sql.shown_review`:
«повторно на проверке»). Oldest first, by the clock of the change that put it in the queue,
so what has waited longest comes first; a school or municipality filter narrows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from curator_tui.domain.models import RESUBMITTED, ReviewState, Status
from curator_tui.domain.ops import HlcStamp, wall_date
from curator_tui.store.rules_sql import shown_review
from curator_tui.store.store import Store

_QUEUE_SQL = (
    "SELECT a.id, a.number, a.title, a.status, a.review_comment, "
    "COALESCE(o.name, '') AS organisation, COALESCE(o.municipality, '') AS municipality, "
    "q.review, COALESCE(json_extract(a.winners, '$.status[1]'), a.origin_hlc) AS since "
    f"FROM (SELECT a.id, {shown_review('a')} AS review FROM activity a WHERE a.removed = 0 "
    f"AND a.review_state IN ('{ReviewState.NOT_REVIEWED.value}', '{ReviewState.RETURNED.value}')"
    ") q JOIN activity a ON a.id = q.id JOIN roadmap r ON r.id = a.roadmap_id "
    "LEFT JOIN organisation o ON o.id = r.organisation_id "
    f"WHERE (q.review = '{ReviewState.NOT_REVIEWED.value}' AND a.status = '{Status.DONE.value}') "
    f"OR q.review = '{RESUBMITTED}' "
    "ORDER BY since, organisation, a.position"
)


@dataclass(frozen=True, slots=True)
class QueueItem:
    activity_id: str
    number: str
    title: str
    organisation: str
    municipality: str
    review: str  # ReviewState.NOT_REVIEWED or RESUBMITTED
    comment: str  # the earlier verdict's comment, for a resubmitted one
    since: date | None  # the day it joined the queue (UTC)


def review_queue(store: Store, school: str | None = None) -> list[QueueItem]:
    """Every activity waiting for review, oldest first; `school`: a piece of the school's
    or the municipality's name, in any case."""
    wanted = (school or "").strip().casefold()
    items = [item_of(row) for row in store.conn.execute(_QUEUE_SQL)]
    if not wanted:
        return items
    return [
        i
        for i in items
        if wanted in i.organisation.casefold() or wanted in i.municipality.casefold()
    ]


def item_of(row: tuple[Any, ...]) -> QueueItem:
    activity_id, number, title, _status, comment, organisation, municipality, review, since = row
    return QueueItem(
        activity_id=activity_id,
        number=number,
        title=title,
        organisation=organisation,
        municipality=municipality,
        review=review,
        comment=comment,
        since=day_of(since),
    )


def day_of(stamp: str | None) -> date | None:
    try:
        return wall_date(HlcStamp.parse(stamp or "").wall_ms)
    except ValueError:
        return None
