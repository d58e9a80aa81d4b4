"""`curator holidays`: the school-holiday calendar this replica reads deadlines with.

«В период осенних каникул» means the dates set here (domain/holidays.py has the defaults);
the setting is local to the database and never travels in a bundle.
"""

from __future__ import annotations

import argparse
from typing import Any

from curator_tui.cli.common import EXIT_OK, CliError, add_db_option, open_store
from curator_tui.domain.holidays import DEFAULT_HOLIDAYS, read_holidays
from curator_tui.store.holidays import holidays_of, set_holidays


def cmd_holidays(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        if args.reset:
            set_holidays(store, None)
        elif args.set:
            try:
                chosen = read_holidays(args.set, holidays_of(store.conn))
            except ValueError as exc:
                raise CliError(str(exc)) from None
            set_holidays(store, chosen)
        current = holidays_of(store.conn)
    default = " (по умолчанию)" if current == DEFAULT_HOLIDAYS else ""
    print(f"Школьные каникулы{default}:")
    for part in current.text().split("; "):
        print(f"  {part}")
    return EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser(
        "holidays",
        help="даты школьных каникул для сроков вида «в период осенних каникул»",
        description=(
            "Показать или изменить даты каникул, по которым читаются сроки «в период осенних "
            "каникул», «летние каникулы». Настройка хранится в этой базе и не передаётся в "
            "пакетах; сроки пересчитываются сразу."
        ),
    )
    p.set_defaults(handler=cmd_holidays)
    add_db_option(p)
    p.add_argument(
        "--set",
        metavar="КАНИКУЛЫ",
        help="например: «осенние 30.10-06.11; зимние 29.12-08.01» (остальные не меняются)",
    )
    p.add_argument("--reset", action="store_true", help="вернуть даты по умолчанию")
