"""Commands on the organisations of a replica (mostly a coordinator's hub): list, municipality."""

from __future__ import annotations

import argparse
from typing import Any

from curator_tui.cli.common import EXIT_OK, add_db_option, open_store
from curator_tui.domain.models import OrgLevel
from curator_tui.services import find_organisation
from curator_tui.store.report_queries import organisations


def cmd_school_list(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        rows = organisations(store)
    if not rows:
        print("В базе нет ни одной организации: сначала импортируйте дорожные карты")
        return EXIT_OK
    for row in rows:
        municipality = row["municipality"] or "—"
        print(f"{row['id']}  {level_label(row['level']):<13}  {municipality:<28}  {row['name']}")
    return EXIT_OK


def cmd_set_municipality(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        row = find_organisation(store, args.school)
        text = " ".join(args.municipality.split())
        changed = store.set_municipality(row["id"], text)
    name = row["name"] or row["id"]
    if changed is None:
        print(f"У «{name}» муниципалитет уже «{text or '—'}»: ничего не изменилось")
    elif text:
        print(f"Муниципалитет «{name}»: {text}")
    else:
        print(f"Муниципалитет «{name}» стёрт")
    if changed is not None:
        print("Изменение уйдёт в пакеты этой базы (curator export), в том числе дорожных карт")
    return EXIT_OK


def level_label(level: str) -> str:
    try:
        return OrgLevel(level).label
    except ValueError:  # a level from a newer version of the program
        return level


def register(sub: Any) -> None:
    school = sub.add_parser("school", help="организации базы: список, муниципалитет")
    school_sub = school.add_subparsers(dest="school_command", metavar="ДЕЙСТВИЕ", required=True)
    p = school_sub.add_parser("list", help="организации базы с их муниципалитетами")
    p.set_defaults(handler=cmd_school_list)
    add_db_option(p)
    p = school_sub.add_parser(
        "set-municipality",
        help="указать муниципалитет организации (попадает в сводку и в отчёт)",
    )
    p.set_defaults(handler=cmd_set_municipality)
    p.add_argument(
        "school", metavar="ШКОЛА", help="id или название целиком, как в curator school list"
    )
    p.add_argument(
        "municipality",
        metavar="МУНИЦИПАЛИТЕТ",
        help='«Молчановский район»; пустая строка "" стирает',
    )
    add_db_option(p)
