"""This replica's school-holiday calendar (domain/holidays.py): a local setting, never
replicated, that «в период осенних каникул» and the like are read with.

Changing it re-derives every stored schedule in the same transaction, so the state still
equals a replay of the log on this replica.
"""

from __future__ import annotations

import sqlite3

from curator_tui.domain.holidays import DEFAULT_HOLIDAYS, SchoolHolidays, read_holidays
from curator_tui.store.base import StoreBase
from curator_tui.store.database import transaction

HOLIDAYS_SETTING = "school_holidays"


def holidays_of(conn: sqlite3.Connection) -> SchoolHolidays:
    """The calendar set on this replica, or the defaults."""
    row = conn.execute(
        "SELECT value FROM local_setting WHERE key = ?", (HOLIDAYS_SETTING,)
    ).fetchone()
    if row is None:
        return DEFAULT_HOLIDAYS
    try:
        return read_holidays(row[0])
    except ValueError:  # written by hand with sqlite3: the defaults rather than no dates
        return DEFAULT_HOLIDAYS


def set_holidays(store: StoreBase, holidays: SchoolHolidays | None) -> None:
    """Keep `holidays` (None: back to the defaults) and re-derive the schedules by it."""
    from curator_tui.store.projection_batch import refresh_all_schedules

    with transaction(store.conn) as conn:
        if holidays is None or holidays == DEFAULT_HOLIDAYS:
            conn.execute("DELETE FROM local_setting WHERE key = ?", (HOLIDAYS_SETTING,))
        else:
            conn.execute(
                "INSERT OR REPLACE INTO local_setting (key, value) VALUES (?, ?)",
                (HOLIDAYS_SETTING, holidays.text()),
            )
        refresh_all_schedules(conn)


def copy_holidays(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    """Give a scratch replica this one's calendar, so that its replay derives the same dates."""
    row = source.execute(
        "SELECT value FROM local_setting WHERE key = ?", (HOLIDAYS_SETTING,)
    ).fetchone()
    if row is not None:
        with transaction(target) as conn:
            conn.execute(
                "INSERT OR REPLACE INTO local_setting (key, value) VALUES (?, ?)",
                (HOLIDAYS_SETTING, row[0]),
            )
