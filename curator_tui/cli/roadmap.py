"""Commands on one replica's roadmap: import, list, status, notes, evidence, checks.

Each command imports in its own body what only it uses (the importers, the roadmap writer,
trust roles, the checks), so that `activities`, `set-status` and `note` start in a blink
(tests/test_command_start.py checks what they load).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curator_tui.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    CliError,
    add_db_option,
    open_store,
    path_text,
    resolve_activity,
)
from curator_tui.domain.models import EvidenceKind, Status
from curator_tui.domain.rules import Occurrence, find_occurrences
from curator_tui.domain.safe_text import safe_text
from curator_tui.store.store import Store

if TYPE_CHECKING:
    from curator_tui.importers.prose import Period
    from curator_tui.store.debris import Removed


def cmd_import_roadmap(args: argparse.Namespace) -> int:
    from curator_tui.importers.prose import Period
    from curator_tui.services import prepare_roadmap
    from curator_tui.store.roadmaps import save_roadmap

    path = Path(args.file)
    # Parse first: a file that is not a roadmap must not even create the database.
    period = args.year or Period()
    parsed = prepare_roadmap(
        path, organisation=args.school, year=period.year, school_year=period.school_year
    )
    with open_store(args, create=True) as store:
        summary = save_roadmap(store, parsed)
    period = (
        f"{parsed.school_year}/{parsed.school_year + 1} уч. год"
        if parsed.school_year
        else (f"{parsed.year} год")
    )
    print(f"Дорожная карта: {safe_text(parsed.title or path.name)}")
    print(f"Организация: {safe_text(summary.organisation)} ({parsed.level.label}), {period}")
    if parsed.municipality:
        print(f"Муниципалитет: {safe_text(parsed.municipality)}")
    if summary.amended:
        print(
            f"Обновлена: новых мероприятий {summary.created}, изменено {summary.updated}, "
            f"без изменений {summary.unchanged}, исключено {summary.removed}"
        )
    else:
        print(f"Импортировано мероприятий: {summary.created}, разделов: {summary.sections}")
    # Activity-level warnings restate the roadmap's own (they are shown on each activity).
    report_warnings(summary.warnings)
    return EXIT_OK


def year_option(text: str) -> Period:
    from curator_tui.importers.prose import period_option

    period = period_option(text)
    if period is None:
        raise argparse.ArgumentTypeError(
            f"«{text}» — не год: укажите год (2023) или учебный год (2023/2024)"
        )
    return period


def report_warnings(warnings: list[str]) -> None:
    if not warnings:
        return
    print(f"Требует проверки ({len(warnings)}):")
    for warning in warnings:
        print(f"  • {safe_text(warning)}")


def cmd_activities(args: argparse.Namespace) -> int:
    from curator_tui.services import activities_json

    with open_store(args) as store:
        rows = activities_json(store)
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return EXIT_OK
    for row in rows:
        due = row["due_date"] or "—"
        status = Status(row["status"]).label
        print(f"{row['number'] or '—':>6}  {due:>10}  {status:<10}  {safe_text(row['title'])[:80]}")
    return EXIT_OK


def cmd_set_status(args: argparse.Namespace) -> int:
    try:
        status = Status.parse(args.status)
    except ValueError:
        allowed = ", ".join(f"{s.value} ({s.label})" for s in Status)
        raise CliError(f"Неизвестный статус «{args.status}». Допустимые: {allowed}") from None
    with open_store(args) as store:
        activity = resolve_activity(store, args.activity)
        if args.occurrence:
            occurrence = resolve_occurrence(store, activity, args.occurrence)
            store.set_occurrence_status(occurrence, status)
            print(f"№ {activity['number'] or '—'}, {occurrence.label}: статус «{status.label}»")
            return EXIT_OK
        store.set_status(activity["id"], status)
    print(f"№ {activity['number'] or '—'}: статус «{status.label}»")
    return EXIT_OK


RESTORE_WORDS = ("restore", "вернуть")
CONFIRM_WORDS = ("confirm", "подтвердить")


def cmd_removed_work(args: argparse.Namespace) -> int:
    """Work done on activities the coordinator removed: listed, or settled one by one."""
    from curator_tui.store.removed_work import removed_with_work
    from curator_tui.sync.trust import TrustRole

    with open_store(args) as store:
        rows = removed_with_work(store.conn)
        if args.decision is None:
            return print_removed_work(rows)
        if store.device().get("role") != TrustRole.COORDINATOR:
            raise CliError("Решение об удалённых мероприятиях принимает координатор")
        activity = pick_removed(rows, args.activity)
        restore = args.decision in RESTORE_WORDS
        store.settle_removed_work(activity["id"], restore=restore)
    verdict = "возвращено в дорожную карту" if restore else "удаление подтверждено"
    print(f"№ {activity['number'] or '—'} «{safe_text(activity['title'])}»: {verdict}")
    return EXIT_OK


def print_removed_work(rows: list[dict[str, Any]]) -> int:
    if not rows:
        print("Работы по удалённым мероприятиям нет")
        return EXIT_OK
    print(f"Удалённые мероприятия, по которым после удаления велась работа ({len(rows)}):")
    for row in rows:
        print(f"  {row['id']}  № {row['number'] or '—'}  {safe_text(row['title'])[:60]}")
    print(
        "Решите по каждому: curator removed-work restore НОМЕР (вернуть) или "
        "curator removed-work confirm НОМЕР (подтвердить удаление)"
    )
    return EXIT_OK


def pick_removed(rows: list[dict[str, Any]], reference: str | None) -> dict[str, Any]:
    """The one listed activity an id or printed number names."""
    wanted = (reference or "").strip()
    found = [r for r in rows if wanted in (r["id"], r["number"])]
    if len(found) == 1:
        return found[0]
    if not found:
        raise CliError(
            f"Среди удалённых мероприятий с работой нет «{wanted}»: "
            "список покажет curator removed-work"
        )
    lines = "\n".join(f"  {r['id']}  № {r['number']}  {safe_text(r['title'])[:60]}" for r in found)
    raise CliError(f"Номер «{wanted}» неоднозначен, укажите id:\n{lines}")


def resolve_occurrence(store: Store, activity: dict[str, Any], text: str) -> Occurrence:
    """The one occurrence of a recurring activity `text` names (a month or a day)."""
    number = activity["number"] or "—"
    occurrences = store.occurrences(activity)
    if not occurrences:
        raise CliError(f"Мероприятие № {number} не повторяется: у него нет повторений")
    found = find_occurrences(occurrences, text)
    if len(found) == 1:
        return found[0]
    if not found:
        raise CliError(
            f"У мероприятия № {number} нет повторения «{text}». "
            f"Повторения: {occurrence_list(occurrences)}"
        )
    raise CliError(
        f"«{text}» подходит к нескольким повторениям мероприятия № {number}: "
        f"{occurrence_list(found)}. Укажите дату повторения"
    )


def occurrence_list(occurrences: list[Occurrence]) -> str:
    """«январь 2026 (2026-01-01), февраль 2026 (2026-02-01)»: names and the dates to type."""
    return ", ".join(f"{o.label} ({o.start.isoformat()})" for o in occurrences)


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
        occurrence = None
        if args.occurrence:
            occurrence = resolve_occurrence(store, activity, args.occurrence)
        if args.link:
            store.attach_link(
                activity["id"],
                args.link,
                kind=kind or EvidenceKind.LINK,
                title=args.title or "",
                note=args.note or "",
                occurrence=occurrence,
            )
        else:
            store.attach_file(
                activity["id"],
                Path(args.file),
                kind=kind or EvidenceKind.OTHER,
                title=args.title or "",
                note=args.note or "",
                occurrence=occurrence,
            )
    where = f", {occurrence.label}" if occurrence else ""
    print(f"№ {activity['number'] or '—'}{where}: доказательство добавлено")
    return EXIT_OK


def cmd_doctor(args: argparse.Namespace) -> int:
    """The database, its evidence files and what killed runs left; non-zero exit when a
    record lacks its file or the log does not rebuild the state."""
    from curator_tui.store.evidence_check import check_evidence
    from curator_tui.store.peer_knowledge import gap_lines

    with open_store(args) as store:
        print(f"База: {store.path}")
        print(f"Операций в журнале: {store.op_count()}")
        warning = store.clock_warning()
        if warning:
            print(f"Внимание: {warning}")
        for line in gap_lines(store.conn):
            print(line)
        report_debris(store.removed_debris)
        evidence = check_evidence(store.conn, store.evidence_files)
        for line in evidence.lines():
            print(line)
        differences: list[str] = []
        if args.rebuild_check:
            with tempfile.TemporaryDirectory(prefix="curator-rebuild-") as tmp:
                differences = store.rebuild_differences(Path(tmp) / "rebuilt.db")
    if differences:
        print("Состояние НЕ совпадает с журналом:")
        for line in differences:
            print(f"  • {line}")
    if differences or not evidence.sound:
        print("Проверка НЕ пройдена: база или файлы доказательств повреждены (см. выше)")
        return EXIT_FAILED
    if args.rebuild_check:
        print("Проверка пройдена: журнал операций восстанавливает базу без расхождений")
    return EXIT_OK


def report_debris(removed: list[Removed]) -> None:
    """What opening the database removed: temp files of runs killed half-way."""
    from curator_tui.views.format import file_size

    if not removed:
        return
    total = file_size(sum(item.size for item in removed))
    print(f"Удалены временные файлы прерванных операций ({len(removed)}, {total}):")
    for item in removed:
        print(f"  • {item.name} ({file_size(item.size)})")


# --- withdraw-roadmap -------------------------------------------------------------------------


def cmd_withdraw_roadmap(args: argparse.Namespace) -> int:
    from curator_tui.services import withdraw_roadmap, withdrawable_roadmap

    with open_store(args) as store:
        roadmap = withdrawable_roadmap(store, args.organisation)
        if not args.yes:
            print(
                f"Отозвать дорожную карту «{roadmap['organisation']}» "
                f"({len(store.activities(roadmap['id']))} мероприятий)? "
                "Повторите команду с --yes",
                file=sys.stderr,
            )
            return EXIT_FAILED
        withdrawn = withdraw_roadmap(store, roadmap)
    print(f"Дорожная карта «{withdrawn.organisation}» отозвана: {withdrawn.activities} мероприятий")
    return EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser(
        "withdraw-roadmap", help="отозвать дорожную карту, импортированную по ошибке"
    )
    p.set_defaults(handler=cmd_withdraw_roadmap)
    p.add_argument(
        "organisation",
        nargs="?",
        metavar="ОРГАНИЗАЦИЯ",
        help="чья дорожная карта: название или id (можно не указывать, если карта одна)",
    )
    p.add_argument("--yes", action="store_true", help="отозвать без вопроса")
    add_db_option(p)

    p = sub.add_parser(
        "import-roadmap",
        help="импортировать дорожную карту (Word, OpenDocument, Excel, веб-страница, PDF, .txt)",
    )
    p.set_defaults(handler=cmd_import_roadmap)
    p.add_argument("file", type=path_text, metavar="ФАЙЛ", help="файл дорожной карты")
    add_db_option(p)
    p.add_argument(
        "--school", metavar="НАЗВАНИЕ", help="название организации, если в документе его нет"
    )
    p.add_argument(
        "--year",
        type=year_option,
        metavar="ГОД",
        help="год дорожной карты (2023) или учебный год (2023/2024), если в документе его нет",
    )

    p = sub.add_parser("activities", help="список мероприятий")
    p.set_defaults(handler=cmd_activities)
    add_db_option(p)
    p.add_argument("--json", action="store_true", help="вывести JSON")

    p = sub.add_parser("set-status", help="изменить статус мероприятия")
    p.set_defaults(handler=cmd_set_status)
    p.add_argument("activity", metavar="МЕРОПРИЯТИЕ", help="id или номер мероприятия")
    p.add_argument("status", metavar="СТАТУС", help="не начато | в работе | выполнено | отменено")
    p.add_argument(
        "--occurrence",
        metavar="ПОВТОРЕНИЕ",
        help="повторение регулярного мероприятия: месяц (2026-01, январь) или дата (2026-01-15)",
    )
    add_db_option(p)

    p = sub.add_parser(
        "removed-work",
        help="работа по удалённым мероприятиям: список, вернуть мероприятие или подтвердить "
        "удаление (координатор)",
    )
    p.set_defaults(handler=cmd_removed_work)
    p.add_argument(
        "decision",
        nargs="?",
        choices=(*RESTORE_WORDS, *CONFIRM_WORDS),
        help="вернуть (restore) мероприятие или подтвердить (confirm) удаление",
    )
    p.add_argument(
        "activity", nargs="?", metavar="МЕРОПРИЯТИЕ", help="id или номер мероприятия из списка"
    )
    add_db_option(p)

    p = sub.add_parser("note", help="добавить заметку о ходе выполнения")
    p.set_defaults(handler=cmd_note)
    p.add_argument("activity", metavar="МЕРОПРИЯТИЕ", help="id или номер мероприятия")
    p.add_argument("text", metavar="ТЕКСТ", help="текст заметки")
    add_db_option(p)

    p = sub.add_parser("attach", help="прикрепить файл или ссылку как доказательство")
    p.set_defaults(handler=cmd_attach)
    p.add_argument("activity", metavar="МЕРОПРИЯТИЕ", help="id или номер мероприятия")
    p.add_argument(
        "file", nargs="?", type=path_text, metavar="ФАЙЛ", help="файл (приказ, протокол, фото …)"
    )
    p.add_argument("--link", metavar="ССЫЛКА", help="ссылка вместо файла")
    p.add_argument(
        "--kind", metavar="ВИД", help="вид: " + " | ".join(k.label.lower() for k in EvidenceKind)
    )
    p.add_argument("--title", metavar="НАЗВАНИЕ", help="название")
    p.add_argument("--note", metavar="ТЕКСТ", help="примечание")
    p.add_argument(
        "--occurrence",
        metavar="ПОВТОРЕНИЕ",
        help="повторение регулярного мероприятия: месяц (2026-01, январь) или дата (2026-01-15)",
    )
    add_db_option(p)

    p = sub.add_parser("doctor", help="проверить базу данных")
    p.set_defaults(handler=cmd_doctor)
    add_db_option(p)
    p.add_argument(
        "--rebuild-check",
        action="store_true",
        help="восстановить состояние из журнала и сравнить с базой",
    )
