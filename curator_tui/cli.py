"""The `curator` command: scripting access to a replica, and the door into the app."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from platformdirs import user_data_path

from curator_tui.domain.models import EvidenceKind, Status
from curator_tui.importers import RoadmapImportError
from curator_tui.services import DEMO_ROADMAP, activity_json, import_roadmap_file
from curator_tui.store.database import StoreError
from curator_tui.store.evidence_files import EvidenceFileError
from curator_tui.store.store import Store

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class CliError(Exception):
    """A failure to report to the user (message in Russian) with a non-zero exit."""


def default_db_path() -> Path:
    """The user's own database (CURATOR_DB overrides, for scripts and tests)."""
    override = os.environ.get("CURATOR_DB")
    if override:
        return Path(override)
    return user_data_path("curator", appauthor=False) / "curator.db"


def db_arg(args: argparse.Namespace) -> Path:
    return Path(args.db) if getattr(args, "db", None) else default_db_path()


def open_store(args: argparse.Namespace, *, create: bool = False) -> Store:
    return Store.open(db_arg(args), create=create)


# --- commands ------------------------------------------------------------------------------


def cmd_import_roadmap(args: argparse.Namespace) -> int:
    path = Path(args.file)
    with open_store(args, create=True) as store:
        result = import_roadmap_file(store, path, organisation=args.school, year=args.year)
    summary, parsed = result.summary, result.parsed
    period = (
        f"{parsed.school_year}/{parsed.school_year + 1} уч. год"
        if parsed.school_year
        else (f"{parsed.year} год")
    )
    print(f"Дорожная карта: {parsed.title or path.name}")
    print(f"Организация: {summary.organisation} ({parsed.level.label}), {period}")
    if summary.amended:
        print(
            f"Обновлена: новых мероприятий {summary.created}, изменено {summary.updated}, "
            f"без изменений {summary.unchanged}, исключено {summary.removed}"
        )
    else:
        print(f"Импортировано мероприятий: {summary.created}, разделов: {summary.sections}")
    report_warnings(summary.warnings + activity_warnings(parsed))
    return EXIT_OK


def activity_warnings(parsed: Any) -> list[str]:
    return [f"№ {a.number or '—'}: {w}" for a in parsed.activities for w in a.warnings]


def report_warnings(warnings: list[str]) -> None:
    if not warnings:
        return
    print(f"Требует проверки ({len(warnings)}):")
    for warning in warnings:
        print(f"  • {warning}")


def cmd_activities(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        rows = [activity_json(r) for r in store.activities()]
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return EXIT_OK
    for row in rows:
        due = row["due_date"] or "—"
        status = Status(row["status"]).label
        print(f"{row['number'] or '—':>6}  {due:>10}  {status:<10}  {row['title'][:80]}")
    return EXIT_OK


def resolve_activity(store: Store, reference: str) -> dict[str, Any]:
    found = store.find_activities(reference)
    if not found:
        raise CliError(f"Мероприятие «{reference}» не найдено")
    if len(found) > 1:
        lines = "\n".join(candidate_line(a) for a in found)
        raise CliError(
            f"Номер «{reference}» неоднозначен: подходят {len(found)} мероприятия. "
            f"Укажите id:\n{lines}"
        )
    return found[0]


def candidate_line(activity: dict[str, Any]) -> str:
    section = activity.get("section") or "без раздела"
    return f"  {activity['id']}  № {activity['number']}  [{section}]  {activity['title'][:60]}"


def cmd_set_status(args: argparse.Namespace) -> int:
    try:
        status = Status.parse(args.status)
    except ValueError:
        allowed = ", ".join(f"{s.value} ({s.label})" for s in Status)
        raise CliError(f"Неизвестный статус «{args.status}». Допустимые: {allowed}") from None
    with open_store(args) as store:
        activity = resolve_activity(store, args.activity)
        store.set_status(activity["id"], status)
    print(f"№ {activity['number'] or '—'}: статус «{status.label}»")
    return EXIT_OK


def cmd_note(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        activity = resolve_activity(store, args.activity)
        store.add_note(activity["id"], args.text)
    print(f"№ {activity['number'] or '—'}: заметка сохранена")
    return EXIT_OK


def cmd_attach(args: argparse.Namespace) -> int:
    try:
        kind = EvidenceKind.parse(args.kind) if args.kind else None
    except ValueError:
        allowed = ", ".join(k.label.lower() for k in EvidenceKind)
        raise CliError(
            f"Неизвестный вид доказательства «{args.kind}». Допустимые: {allowed}"
        ) from None
    if bool(args.file) == bool(args.link):
        raise CliError("Укажите либо файл, либо --link АДРЕС")
    with open_store(args) as store:
        activity = resolve_activity(store, args.activity)
        if args.link:
            store.attach_link(
                activity["id"],
                args.link,
                kind=kind or EvidenceKind.LINK,
                title=args.title or "",
                note=args.note or "",
            )
        else:
            store.attach_file(
                activity["id"],
                Path(args.file),
                kind=kind or EvidenceKind.OTHER,
                title=args.title or "",
                note=args.note or "",
            )
    print(f"№ {activity['number'] or '—'}: доказательство добавлено")
    return EXIT_OK


def cmd_doctor(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        print(f"База: {store.path}")
        print(f"Операций в журнале: {store.op_count()}")
        warning = store.clock_warning()
        if warning:
            print(f"Внимание: {warning}")
        if not args.rebuild_check:
            return EXIT_OK
        with tempfile.TemporaryDirectory(prefix="curator-rebuild-") as tmp:
            differences = store.rebuild_differences(Path(tmp) / "rebuilt.db")
    if differences:
        print("Состояние НЕ совпадает с журналом:")
        for line in differences:
            print(f"  • {line}")
        return EXIT_FAILED
    print("Проверка пройдена: журнал операций восстанавливает базу без расхождений")
    return EXIT_OK


def ensure_demo(db: Path) -> None:
    """Build the demo database from the bundled roadmap the first time."""
    if db.exists():
        return
    with Store.open(db, create=True) as store:
        import_roadmap_file(store, DEMO_ROADMAP)
        seed_demo_progress(store)


def seed_demo_progress(store: Store) -> None:
    """Some progress so the demo looks like a roadmap in use, not a blank form."""
    rows = store.activities()
    for row in rows[:8]:
        store.set_status(row["id"], Status.DONE)
    for row in rows[8:12]:
        store.set_status(row["id"], Status.IN_PROGRESS)
    if rows:
        store.add_note(rows[0]["id"], "Программа утверждена, приказ размещён на сайте.")
        store.attach_link(
            rows[0]["id"],
            "https://example.org/prikaz-91-1",
            kind=EvidenceKind.ORDER,
            title="Приказ № 91/1 от 21.03.2023",
        )


def cmd_demo(args: argparse.Namespace) -> int:
    db = Path(args.db)
    ensure_demo(db)
    return run_app(db, args)


def cmd_open(args: argparse.Namespace) -> int:
    db = Path(args.database) if getattr(args, "database", None) else default_db_path()
    return run_app(db, args)


def run_app(db: Path, args: argparse.Namespace) -> int:
    if not sys.stdout.isatty() or getattr(args, "print", False):
        return print_activities(db)
    from curator_tui.tui.app import build_app

    build_app(db).run()
    return EXIT_OK


def print_activities(db: Path) -> int:
    with Store.open(db) as store:
        for row in store.activities():
            print(
                f"{row['number'] or '—':>6}  {row['deadline_text'][:30]:<30}  {row['title'][:70]}"
            )
    return EXIT_OK


# --- parser ----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="curator",
        description="«Куратор»: дорожные карты проекта «500+» без интернета.",
    )
    sub = parser.add_subparsers(dest="command", metavar="КОМАНДА")

    def command(name: str, handler: Callable[[argparse.Namespace], int], help_: str) -> Any:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(handler=handler)
        return p

    def with_db(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", help="файл базы данных (по умолчанию — ваша личная база)")

    p = command("import-roadmap", cmd_import_roadmap, "импортировать дорожную карту (.txt, .docx)")
    p.add_argument("file", help="файл дорожной карты")
    with_db(p)
    p.add_argument("--school", help="название организации, если в документе его нет")
    p.add_argument("--year", type=int, help="год дорожной карты, если в документе его нет")

    p = command("activities", cmd_activities, "список мероприятий")
    with_db(p)
    p.add_argument("--json", action="store_true", help="вывести JSON")

    p = command("set-status", cmd_set_status, "изменить статус мероприятия")
    p.add_argument("activity", help="id или номер мероприятия")
    p.add_argument("status", help="не начато | в работе | выполнено | отменено")
    with_db(p)

    p = command("note", cmd_note, "добавить заметку о ходе выполнения")
    p.add_argument("activity", help="id или номер мероприятия")
    p.add_argument("text", help="текст заметки")
    with_db(p)

    p = command("attach", cmd_attach, "прикрепить файл или ссылку как доказательство")
    p.add_argument("activity", help="id или номер мероприятия")
    p.add_argument("file", nargs="?", help="файл (приказ, протокол, фото …)")
    p.add_argument("--link", help="ссылка вместо файла")
    p.add_argument(
        "--kind", help="приказ | протокол | справка | список участников | фото | ссылка | иное"
    )
    p.add_argument("--title", help="название")
    p.add_argument("--note", help="примечание")
    with_db(p)

    p = command("doctor", cmd_doctor, "проверить базу данных")
    with_db(p)
    p.add_argument(
        "--rebuild-check",
        action="store_true",
        help="восстановить состояние из журнала и сравнить с базой",
    )

    p = command("demo", cmd_demo, "открыть демонстрационную дорожную карту")
    p.add_argument("--db", default=str(Path("demo") / "demo.db"), help="файл демо-базы")
    p.add_argument("--print", action="store_true", help="вывести мероприятия вместо запуска")

    p = command("open", cmd_open, "открыть базу данных в приложении")
    p.add_argument("database", help="файл базы данных")
    p.add_argument("--print", action="store_true", help="вывести мероприятия вместо запуска")
    return parser


KNOWN_ERRORS = (CliError, StoreError, RoadmapImportError, EvidenceFileError)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    try:
        if handler is None:
            return run_app(default_db_path(), args)
        return handler(args)
    except KNOWN_ERRORS as exc:
        print(f"Ошибка: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("Прервано.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
