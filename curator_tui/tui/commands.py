"""The command palette finds an activity by its number or by words of its title."""

from __future__ import annotations

import asyncio
from datetime import date
from functools import partial
from typing import Any

from textual.command import Hit, Hits, Provider

from curator_tui.store.queries import ActivityQuery, page_activities
from curator_tui.store.store import Store
from curator_tui.tui.context import curator_of

MAX_HITS = 20


def find_for_palette(store: Store, text: str, today: date) -> list[dict[str, Any]]:
    """Activities printed with exactly this number first, then those the words match."""
    exact = store.find_activities(text) if text.strip() else []
    seen = {row["id"] for row in exact}
    by_words = page_activities(store, ActivityQuery(text=text), today, 0, MAX_HITS)
    rows = [*exact, *(row for row in by_words if row["id"] not in seen)][:MAX_HITS]
    schools = {r["id"]: r["organisation"] or "" for r in store.roadmaps()}
    if len(schools) > 1:  # one number or one title in many schools: say whose each hit is
        rows = [{**row, "school": schools.get(row["roadmap_id"], "")} for row in rows]
    return rows


class ActivityCommands(Provider):
    async def search(self, query: str) -> Hits:
        app = curator_of(self.app)
        try:
            rows = await asyncio.to_thread(
                app.with_store, partial(find_for_palette, text=query, today=app.today)
            )
        except Exception as exc:  # not a worker of ours: told the same way as theirs
            app.report_failure(exc)
            return
        matcher = self.matcher(query)
        for rank, row in enumerate(rows):
            label = f"№ {row['number'] or '—'} · {row['title']}"
            exact = row["number"] == query.strip().rstrip(".")
            yield Hit(
                score=1.0 if exact else max(0.1, 0.9 - rank * 0.02),
                match_display=matcher.highlight(label),
                command=partial(app.open_activity, row["id"]),
                text=label,
                help=" · ".join(filter(None, (row.get("school"), row.get("section")))) or None,
            )
