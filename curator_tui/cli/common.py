"""What every group of `curator` commands shares: finding the database, errors, lookups."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from curator_tui.domain.errors import UserFacingError
from curator_tui.platform import unquoted_path
from curator_tui.store.store import Store

EXIT_OK = 0
EXIT_FAILED = 1


class CliError(UserFacingError):
    """A failure to report to the user (message in Russian) with a non-zero exit."""


def default_db_path() -> Path:
    """The user's own database (CURATOR_DB overrides, for scripts and tests)."""
    override = os.environ.get("CURATOR_DB")
    if override:
        return Path(override)
    from platformdirs import user_data_path  # its import costs more than a command's work

    return user_data_path("curator", appauthor=False) / "curator.db"


def path_text(text: str) -> str:
    """A path argument as typed or dropped: the quotes and blanks around it are not part of it
    (the rule `platform.user_path` reads typed paths by).

    Every path argument of every command is read through this (argparse `type=`)."""
    return unquoted_path(text)


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        type=path_text,
        metavar="ФАЙЛ",
        help="файл базы данных (по умолчанию — ваша личная база)",
    )


def db_arg(args: argparse.Namespace) -> Path:
    return Path(args.db) if getattr(args, "db", None) else default_db_path()


def open_store(args: argparse.Namespace, *, create: bool = False) -> Store:
    return Store.open(db_arg(args), create=create)


def resolve_activity(store: Store, reference: str) -> dict[str, Any]:
    """The one activity an id or printed number names; a clear error when it is ambiguous."""
    found = store.find_activities(reference)
    if not found:
        raise CliError(f"Мероприятие «{reference}» не найдено")
    if len(found) > 1:
        raise CliError(ambiguous_number(store, reference, found))
    return found[0]


def ambiguous_number(store: Store, reference: str, found: list[dict[str, Any]]) -> str:
    """Which activities a number could mean, each with its school when schools mix."""
    from curator_tui.services import roadmap_owners  # only when a number is ambiguous

    owners = roadmap_owners(store)
    schools = {owners.get(a["roadmap_id"], {}).get("organisation") or "" for a in found}
    if len(schools) > 1:
        lines = "\n".join(
            candidate_line(a, owners.get(a["roadmap_id"], {}).get("organisation")) for a in found
        )
        return f"Номер «{reference}» есть в нескольких школах. Укажите id:\n{lines}"
    lines = "\n".join(candidate_line(a) for a in found)
    return (
        f"Номер «{reference}» неоднозначен: подходят {len(found)} мероприятия. Укажите id:\n{lines}"
    )


def candidate_line(activity: dict[str, Any], school: str | None = None) -> str:
    section = activity.get("section") or "без раздела"
    where = f"{school}: " if school else ""
    return (
        f"  {activity['id']}  {where}№ {activity['number']}  [{section}]  {activity['title'][:60]}"
    )
