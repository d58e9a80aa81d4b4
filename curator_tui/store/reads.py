"""The store's reads for the list and the detail screen: roadmaps, activities, their notes,
evidence and visits, as dicts of their rows (JSON columns decoded); a recurring activity's
occurrences as `domain.rules.Occurrence`s."""

from __future__ import annotations

from datetime import date
from typing import Any

from curator_tui.domain.models import Schedule, ScheduleKind, Status
from curator_tui.domain.rules import Occurrence, occurrences_of
from curator_tui.store.base import StoreBase
from curator_tui.store.database import StoreError, first_dict, query_dicts
from curator_tui.store.projection import decode_row
from curator_tui.store.rules_sql import shown_review

ACTIVITY_SELECT = (
    f"SELECT a.*, s.title AS section, p.number AS parent_number, {shown_review('a')} AS review "
    "FROM activity a "
    "LEFT JOIN section s ON s.id = a.section_id LEFT JOIN activity p ON p.id = a.parent_id"
)


class Reads(StoreBase):
    """Store's part for reading rows (store.py says how the parts make one Store)."""

    def require_activity(self, activity_id: str) -> dict[str, Any]:
        found = self.activity(activity_id)
        if found is None:
            raise StoreError(f"Мероприятие не найдено: {activity_id}")
        return found

    def roadmaps(self) -> list[dict[str, Any]]:
        return query_dicts(
            self.conn,
            "SELECT r.*, o.name AS organisation, o.level AS level FROM roadmap r "
            "LEFT JOIN organisation o ON o.id = r.organisation_id ORDER BY o.name, r.year",
        )

    def activity(self, activity_id: str) -> dict[str, Any] | None:
        row = first_dict(self.conn, f"{ACTIVITY_SELECT} WHERE a.id = ?", (activity_id,))
        return decode_row(row) if row else None

    def activities(self, roadmap_id: str | None = None) -> list[dict[str, Any]]:
        params: tuple[str, ...] = ()
        where = "WHERE a.removed = 0"
        if roadmap_id:
            where, params = "WHERE a.removed = 0 AND a.roadmap_id = ?", (roadmap_id,)
        sql = f"{ACTIVITY_SELECT} {where} ORDER BY a.roadmap_id, a.position"
        return [decode_row(r) for r in query_dicts(self.conn, sql, params)]

    def find_activities(self, reference: str) -> list[dict[str, Any]]:
        """Activities an id or a printed number refers to (several when ambiguous)."""
        ref = reference.strip()
        by_id = self.activity(ref)
        if by_id is not None:
            return [by_id]
        number = ref.rstrip(".").strip()
        sql = f"{ACTIVITY_SELECT} WHERE a.removed = 0 AND a.number = ? ORDER BY a.position"
        return [decode_row(r) for r in query_dicts(self.conn, sql, (number,))]

    def occurrences(self, activity: dict[str, Any]) -> list[Occurrence]:
        """A recurring activity's occurrences (its schedule's windows and the statuses given
        to them); none for any other activity. `activity`: a row as `activity` returns it."""
        if activity["schedule_kind"] != ScheduleKind.RECURRING.value:
            return []
        # A status that arrived before its occurrence's create has no window yet: not listed.
        rows = self.conn.execute(
            "SELECT window_start, window_end, status FROM occurrence "
            "WHERE activity_id = ? AND window_start != '' ORDER BY window_start",
            (activity["id"],),
        ).fetchall()
        marked = [(date.fromisoformat(a), date.fromisoformat(b), Status(s)) for a, b, s in rows]
        windows = Schedule.from_json(activity["schedule"]).windows
        return occurrences_of(activity["id"], windows, marked)

    def notes(self, activity_id: str) -> list[dict[str, Any]]:
        return query_dicts(
            self.conn,
            "SELECT n.*, d.name AS device_name FROM note n LEFT JOIN device d "
            "ON d.id = n.device_id WHERE n.activity_id = ? AND n.removed = 0 "
            "ORDER BY n.origin_hlc",
            (activity_id,),
        )

    def evidence(self, activity_id: str) -> list[dict[str, Any]]:
        return query_dicts(
            self.conn,
            "SELECT * FROM evidence WHERE activity_id = ? AND removed = 0 ORDER BY origin_hlc",
            (activity_id,),
        )

    def evidence_item(self, evidence_id: str) -> dict[str, Any] | None:
        return first_dict(self.conn, "SELECT * FROM evidence WHERE id = ?", (evidence_id,))

    def visits(self, activity_id: str | None = None) -> list[dict[str, Any]]:
        if activity_id is None:
            sql = "SELECT * FROM visit WHERE removed = 0 ORDER BY visit_date DESC, origin_hlc"
            return query_dicts(self.conn, sql)
        return query_dicts(
            self.conn,
            "SELECT v.* FROM visit v JOIN visit_activity va ON va.visit_id = v.id "
            "WHERE va.activity_id = ? AND v.removed = 0 ORDER BY v.visit_date DESC",
            (activity_id,),
        )

    def visit_activities(self, visit_id: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT activity_id FROM visit_activity WHERE visit_id = ? ORDER BY activity_id",
            (visit_id,),
        )
        return [r[0] for r in rows.fetchall()]
