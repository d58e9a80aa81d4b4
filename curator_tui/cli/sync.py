"""Commands for exchanging signed bundles: init, keys, trust, export, verify, import."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curator_tui.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    CliError,
    add_db_option,
    db_arg,
    path_text,
)
from curator_tui.sync.limits import DEFAULT_LIMITS, Limits, parse_size, size_text
from curator_tui.views.format import numeric_date

if TYPE_CHECKING:
    from curator_tui.sync import replica
    from curator_tui.sync.bundles import SyncProgress
    from curator_tui.sync.exporting import ExportOptions, ExportResult
    from curator_tui.sync.importing import BundleReport
    from curator_tui.sync.trust import TrustEntry, TrustRole
    from curator_tui.views.bundles import BundleReportView


def role_words() -> dict[str, TrustRole]:
    """What a user may type for a role: the Russian words the program itself prints, and the
    English values the trust file stores."""
    from curator_tui.sync.trust import TrustRole

    return {
        **{role.value: role for role in TrustRole},
        "школа": TrustRole.SCHOOL,
        "директор": TrustRole.SCHOOL,
        "куратор": TrustRole.CURATOR,
        "координатор": TrustRole.COORDINATOR,
    }


ROLE_HELP = "школа (директор) | куратор | координатор"
BIG_BUNDLE = 64 * 1024 * 1024


class ProgressLine:
    """A plain progress line on stderr for big bundles: one line per 10 % of each stage."""

    def __init__(self) -> None:
        self.shown: dict[str, int] = {}

    def __call__(self, step: SyncProgress) -> None:
        if step.total < BIG_BUNDLE:
            return
        tenth = int(step.fraction * 10)
        if self.shown.get(step.stage, -1) >= tenth:
            return
        self.shown[step.stage] = tenth
        done, total = step.done // 2**20, step.total // 2**20
        print(f"{step.label}: {tenth * 10}% ({done} из {total} МБ)", file=sys.stderr, flush=True)


# --- init and keys --------------------------------------------------------------------------


def role_arg(text: str) -> TrustRole:
    """`--role` as argparse reads it: a Russian or an English role word, any case."""
    role = role_words().get(" ".join(text.casefold().replace("ё", "е").split()))
    if role is None:
        raise argparse.ArgumentTypeError(f"роль «{text}» не понята: укажите {ROLE_HELP}")
    return role


def cmd_init(args: argparse.Namespace) -> int:
    from curator_tui.services import set_up_device
    from curator_tui.sync import replica
    from curator_tui.sync.trust import TrustRole
    from curator_tui.views.bundles import organisation_scope

    role: TrustRole | None = args.role
    if args.hub:
        role = role or TrustRole.COORDINATOR
        if not args.region:
            raise CliError("Для сводной базы укажите регион: --hub --region НАЗВАНИЕ")
    if role is None:
        raise CliError(f"Укажите роль устройства: --role {ROLE_HELP}")
    options = replica.InitOptions(
        name=args.name,
        role=role,
        organisation=args.organisation,
        coordinator_key=args.coordinator_key,
        hub_region=args.region if args.hub else None,
        municipality=args.municipality,
    )
    result = set_up_device(db_arg(args), options)
    print(f"База: {result.db}")
    print(f"Устройство: «{args.name}», роль: {replica.role_label(role.value)}")
    print(f"  id: {result.device_id}")
    state = "созданы" if result.created_keys else "уже были"
    print(f"Ключи {state}: {result.keys_dir}")
    print_keys(result.keys)
    if result.organisation_id:
        print(f"Организация: {result.organisation_name} ({result.organisation_id})")
    if result.municipality:
        print(f"Муниципалитет: {result.municipality}")
    if args.hub:
        print(f"Сводная база региона: {args.region}")
    if result.coordinator is not None:
        c = result.coordinator
        scope = organisation_scope(c.organisation_id, None)
        print(f"Доверенный координатор: «{c.display_name}» {c.fingerprint} ({scope})")
    for note in result.notes:
        print(f"Внимание: {note}")
    print("Передайте открытый ключ тому, кто принимает ваши пакеты: curator keys export ФАЙЛ")
    return EXIT_OK


def print_keys(keys: replica.KeyInfo) -> None:
    print(f"Открытый ключ: {keys.public_key}")
    print(f"Отпечаток: {keys.fingerprint}")
    print(f"Получатель для шифрования (age): {keys.age_recipient}")


def cmd_keys_show(args: argparse.Namespace) -> int:
    from curator_tui.sync import replica

    print_keys(replica.replica_keys(db_arg(args)))
    return EXIT_OK


def cmd_keys_export(args: argparse.Namespace) -> int:
    from curator_tui.sync import replica

    keys = replica.export_public_key(db_arg(args), Path(args.file))
    print(f"Открытый ключ записан в {args.file}")
    print(f"Отпечаток: {keys.fingerprint} — сверьте его по телефону с получателем")
    print(f"Получатель для шифрования (age): {keys.age_recipient}")
    return EXIT_OK


# --- trust ----------------------------------------------------------------------------------


def cmd_trust_add(args: argparse.Namespace) -> int:
    from curator_tui.services import trust_key
    from curator_tui.sync import replica
    from curator_tui.sync.trust import TrustRole

    until = parse_day(args.until) if args.until else None
    row = trust_key(
        db_arg(args),
        args.pubkey,
        name=args.name,
        organisation=args.school,
        role=args.role,
        valid_until=until,
    )
    print("Ключ добавлен в список доверия:")
    print_trust_row(row)
    if args.role is TrustRole.COORDINATOR and replica.coordinator_recipient(db_arg(args)):
        print("Выгрузки этой базы теперь шифруются для этого координатора по умолчанию")
    return EXIT_OK


def cmd_trust_extend(args: argparse.Namespace) -> int:
    from curator_tui.services import extend_trust

    until = None if args.until.strip() in FOREVER_WORDS else parse_day(args.until)
    entry = trusted_entry(db_arg(args), args.key)
    row = extend_trust(db_arg(args), entry.fingerprint, until)
    print("Срок доверия изменён:")
    print_trust_row(row)
    return EXIT_OK


FOREVER_WORDS = {"бессрочно", "-"}


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CliError(f"Дата «{text}» не в формате ГГГГ-ММ-ДД") from None


def cmd_trust_list(args: argparse.Namespace) -> int:
    from curator_tui.sync import replica

    rows = replica.list_trust(db_arg(args))
    if not rows:
        print("Список доверия пуст: пакеты не принимаются ни от кого (curator trust add)")
        return EXIT_OK
    for row in rows:
        print_trust_row(row)
    return EXIT_OK


def print_trust_row(row: replica.TrustRow) -> None:
    from curator_tui.sync import replica
    from curator_tui.views.bundles import organisation_scope

    e = row.entry
    org = organisation_scope(e.organisation_id, row.organisation_name)
    until = f"до {numeric_date(e.valid_until)}" if e.valid_until else "бессрочно"
    if row.expired:
        until += " — СРОК ИСТЁК"
    print(f"  «{e.display_name}» — {replica.role_label(e.role.value)}; {org}; {until}")
    print(f"      {e.fingerprint}  {e.principal}")


def cmd_trust_remove(args: argparse.Namespace) -> int:
    from curator_tui.sync import replica

    entry = replica.remove_trust(db_arg(args), trusted_key(db_arg(args), args.key))
    print(f"Ключ «{entry.display_name}» ({entry.fingerprint}) удалён из списка доверия")
    return EXIT_OK


def trusted_key(db: Path, reference: str) -> str:
    """The fingerprint or principal for `trust remove`: also the name `trust list` shows."""
    from curator_tui.sync import replica

    wanted = " ".join(reference.casefold().split())
    named = [
        row.entry
        for row in replica.list_trust(db)
        if " ".join(row.entry.display_name.casefold().split()) == wanted
    ]
    if len(named) > 1:
        lines = "\n".join(f"  {e.fingerprint}  «{e.display_name}»" for e in named)
        raise CliError(f"Имя «{reference}» носят несколько ключей: укажите отпечаток:\n{lines}")
    return named[0].fingerprint if named else reference


def trusted_entry(db: Path, reference: str) -> TrustEntry:
    """The listed key a fingerprint, principal or name (as `trust list` shows) refers to."""
    from curator_tui.sync import replica

    wanted = trusted_key(db, reference)
    for row in replica.list_trust(db):
        if wanted.strip() in (row.entry.fingerprint, row.entry.principal):
            return row.entry
    raise CliError(f"В списке доверия нет ключа «{reference}» (curator trust list)")


# --- export ---------------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace) -> int:
    if args.encrypt_to and args.no_encrypt:
        raise CliError("Укажите что-то одно: --encrypt-to или --no-encrypt")
    from curator_tui.sync.exporting import ExportOptions, export_bundle

    options = ExportOptions(
        destination=Path(args.to) if args.to else None,
        full=args.full,
        encrypt_to=args.encrypt_to or default_recipient(args),
        roadmap=args.roadmap,
        organisation=args.school,
        receiver=args.receiver,
        name_with_school=args.name_with_school,
    )
    if args.name_with_school and not args.encrypt_to:
        raise CliError("--name-with-school нужен только вместе с --encrypt-to")
    if args.school and not args.roadmap:
        raise CliError("--school используется только вместе с --roadmap")
    if args.receiver and args.roadmap:
        raise CliError("--for выбирает получателя пакета изменений, а не дорожной карты")
    if args.all_schools:
        return export_all_schools(args, options)
    result = export_bundle(db_arg(args), options, ProgressLine())
    print_export(result)
    return EXIT_OK


def default_recipient(args: argparse.Namespace) -> str | None:
    """A bundle of changes for the coordinator is encrypted to the coordinator whose key file
    this replica trusted (`keys export` puts the age recipient in it), unless --no-encrypt."""
    from curator_tui.sync import replica

    if args.no_encrypt or args.roadmap or args.receiver:
        return None
    return replica.coordinator_recipient(db_arg(args))


def export_all_schools(args: argparse.Namespace, options: ExportOptions) -> int:
    """One signed roadmap bundle per organisation that has a roadmap in this replica."""
    from curator_tui.services import export_roadmaps

    if not args.roadmap or args.school:
        raise CliError("--all-schools используется с --roadmap и без --school")
    done = export_roadmaps(db_arg(args), options.destination)
    for bundle in done:
        if bundle.result is None:
            print(f"{bundle.name}: пакет не создан — {bundle.problem}", file=sys.stderr)
        else:
            print_export(bundle.result)
    written = sum(bundle.result is not None for bundle in done)
    print(f"Пакетов дорожных карт: {written} из {len(done)}")
    return EXIT_OK if written == len(done) else EXIT_FAILED


def print_export(result: ExportResult) -> None:
    from curator_tui.views.bundles import export_view

    view = export_view(result)
    if view.path is None:
        print(view.message)
    else:
        if len(result.paths) > 1:
            print(view.message)
            for number, path in enumerate(result.paths, start=1):
                print(f"  {number}. {path.name}")
        else:
            print(f"Пакет ({view.kind}): {view.path}")
        if view.receiver:
            print(f"  {view.receiver}")
        print(f"  изменений: {view.ops}")
        print(f"  файлов доказательств: {view.evidence}")
        for organisation in view.organisations:
            print(f"  организация: {organisation}")
        for device_id, span in view.ranges:
            print(f"  устройство {device_id[:8]}: {span}")
    for omitted in view.omitted:
        print(f"  не включено: {omitted}")


# --- verify and import ------------------------------------------------------------------------


def cmd_verify(args: argparse.Namespace) -> int:
    """Each bundle on its own: one that cannot be read is reported and the rest still run."""
    from curator_tui.services import own_fingerprint
    from curator_tui.sync.importing import verify_bundle
    from curator_tui.views.bundles import bundle_report_view

    limits = limits_arg(args)
    own_key = own_fingerprint(db_arg(args))
    failed = False
    for number, bundle in enumerate(args.bundles):
        if number:
            print()
        report = verify_bundle(db_arg(args), Path(bundle), ProgressLine(), limits=limits)
        view = bundle_report_view(report)
        print_report(view, own_key=own_key)
        print(view.verdict)
        failed |= not report.acceptable
    return EXIT_FAILED if failed else EXIT_OK


def limits_arg(args: argparse.Namespace) -> Limits:
    if args.max_evidence_size is None:
        return DEFAULT_LIMITS
    size = parse_size(args.max_evidence_size)
    if size is None or size <= 0:
        raise CliError(
            f"Размер «{args.max_evidence_size}» не понят: укажите, например, 5G или 500M"
        )
    return replace(DEFAULT_LIMITS, max_evidence_size=size)


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-evidence-size",
        metavar="РАЗМЕР",
        help="наибольший файл доказательства в пакете, например 5G "
        f"(по умолчанию {size_text(DEFAULT_LIMITS.max_evidence_size)})",
    )


def confirm_new_organisations(
    db: Path, assume_yes: bool, named: Sequence[str] = ()
) -> Callable[[dict[str, str]], bool]:
    """How a hub's import decides on an organisation it has never seen: never by itself.

    Asked only about what the trust list does not name (sync.importing): accepted when
    `--new-organisation` names it or a person at a terminal says so; otherwise (a script, a
    pipe, `--yes`) that bundle is refused, listing the hub's closest names: a misspelt
    school must not become a new one."""
    from curator_tui.services import organisation_key

    known = known_organisations(db)
    wanted = {organisation_key(text) for text in named}

    def confirm(unknown: dict[str, str]) -> bool:  # what the trust list does not name
        for org, name in unknown.items():
            if {organisation_key(org), organisation_key(name)} & wanted:
                continue
            shown = name or org
            if assume_yes or not sys.stdin.isatty():
                print(
                    f"Школа «{shown}» ещё не известна хабу: пакет пропущен. "
                    f"{closest_hint(shown, known)}Если это новая организация, добавьте "
                    f"--new-organisation «{shown}» (--yes сам новых организаций не создаёт)",
                    file=sys.stderr,
                )
                return False
            print(closest_hint(shown, known), end="", file=sys.stderr)
            try:
                answer = input(f"Школа «{shown}» ещё не известна хабу. Создать? [д/Н] ")
            except EOFError:
                return False
            if answer.strip().casefold() not in YES_ANSWERS:
                return False
        return True

    return confirm


def known_organisations(db: Path) -> list[dict[str, Any]]:
    from curator_tui.store.report_queries import organisations
    from curator_tui.store.store import Store

    if not db.exists():
        return []
    with Store.open(db) as store:
        return organisations(store)


def closest_hint(name: str, known: Sequence[dict[str, Any]]) -> str:
    from curator_tui.services import closest_organisations

    closest = closest_organisations(name, known)
    if not closest:
        return ""
    listed = "\n".join(f"  {row['name']}  ({row['id']})" for row in closest)
    return f"Похожие организации сводной базы:\n{listed}\n"


YES_ANSWERS = {"д", "да", "y", "yes"}


def cmd_import(args: argparse.Namespace) -> int:
    """Bundle files as given; a folder: every bundle in it, in `import_order`, then a table."""
    from curator_tui.sync.importing import import_bundles

    given = [Path(p) for p in args.bundles]
    files = [p for p in given if not p.is_dir()]
    failed = False
    if files:
        reports = import_bundles(
            db_arg(args),
            files,
            ProgressLine(),
            confirm_new=confirm_new_organisations(db_arg(args), args.yes, args.new_organisation),
            limits=limits_arg(args),
        )
        failed |= print_imported(args, reports)
    for folder in (p for p in given if p.is_dir()):
        failed |= import_whole_folder(args, folder)
    return EXIT_FAILED if failed else EXIT_OK


def print_imported(args: argparse.Namespace, reports: list[BundleReport]) -> bool:
    """Each bundle's brief report; True if any was refused."""
    from curator_tui.services import own_fingerprint
    from curator_tui.sync.importing import Outcome
    from curator_tui.views.bundles import bundle_report_view

    own_key = own_fingerprint(db_arg(args))
    failed = False
    for report in reports:
        view = bundle_report_view(report)
        print_report(view, brief=True, own_key=own_key)
        print(f"Итог: {view.message}")
        failed |= report.outcome is Outcome.REFUSED
        if len(reports) > 1:
            print()
    return failed


def import_whole_folder(args: argparse.Namespace, folder: Path) -> bool:
    """Every bundle of `folder` (services.import_folder); True if any was refused."""
    from curator_tui.domain.safe_text import safe_text
    from curator_tui.services import import_folder, own_fingerprint
    from curator_tui.sync.importing import Outcome
    from curator_tui.views.folder_import import HEADERS, RESULT_WORDS, folder_row, folder_totals

    def each_file(number: int, total: int, path: Path) -> None:
        print(f"Проверка {number} из {total}: {path.name}", file=sys.stderr, flush=True)

    done = import_folder(
        db_arg(args),
        folder,
        ProgressLine(),
        confirm_new=confirm_new_organisations(db_arg(args), args.yes, args.new_organisation),
        limits=limits_arg(args),
        each_file=each_file,
    )
    print(f"Папка: {folder}")
    if not done.reports:
        print("В папке нет пакетов (.curator, .curator.age)")
    own_key = own_fingerprint(db_arg(args))
    rows = [folder_row(report, own_key) for report in done.reports]
    if rows:
        print_table(HEADERS, [row.cells for row in rows])
        print(folder_totals(rows))
    for row in rows:
        if row.result == RESULT_WORDS[Outcome.REFUSED]:
            print(f"  {row.file}: {row.reason}")
    if done.skipped:
        print(f"Не пакеты, пропущены: {', '.join(safe_text(p.name) for p in done.skipped)}")
    return any(report.outcome is Outcome.REFUSED for report in done.reports)


# The widths of the folder table's columns: with the spaces between them, 80 characters.
TABLE_WIDTHS = (21, 17, 13, 9, 9, 5)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    for cells in (headers, *rows):
        print(" ".join(fit(cell, width) for cell, width in zip(cells, TABLE_WIDTHS, strict=True)))


def fit(text: str, width: int) -> str:
    """`text` in exactly `width` characters: cut with «…» when longer."""
    return (text if len(text) <= width else text[: width - 1] + "…").ljust(width)


def print_report(
    view: BundleReportView, *, brief: bool = False, own_key: str | None = None
) -> None:
    from curator_tui.views.bundles import untrusted_signer_line

    print(f"Пакет: {view.path}{view.encrypted_mark}")
    if view.signer is not None:
        print(f"Подписан: {view.signer.who}")
        print(f"  ключ: {view.signer.fingerprint}")
    elif view.untrusted_key:
        print(untrusted_signer_line(view.untrusted_key, own_key))
    contents = view.contents
    if contents is not None:
        print(f"Вид: {contents.kind}; создан {contents.created}; id {view.bundle_id}")
        print(f"Устройство: {contents.device}")
        if view.already:
            return
        for organisation in contents.organisations:
            print(f"Организация: {organisation}")
        print(f"Изменений: {contents.ops}")
        if not brief:
            for line in contents.op_lines:
                print(f"  {line}")
        print(f"Файлов доказательств: {contents.evidence}")
        for span in contents.ranges:
            print(f"  {span}")
    for problem in view.problems:
        print(f"  {problem}")


# --- parser -----------------------------------------------------------------------------------


def register(sub: Any) -> None:
    p = sub.add_parser("init", help="создать ключи устройства и подготовить базу к обмену")
    p.set_defaults(handler=cmd_init)
    add_db_option(p)
    p.add_argument(
        "--name",
        required=True,
        metavar="НАЗВАНИЕ",
        help="название устройства («Ноутбук директора»)",
    )
    p.add_argument("--role", type=role_arg, metavar="РОЛЬ", help=f"роль: {ROLE_HELP}")
    p.add_argument(
        "--organisation",
        metavar="ОРГАНИЗАЦИЯ",
        help="организация школы: название как в дорожной карте, или id",
    )
    p.add_argument(
        "--coordinator-key",
        type=path_text,
        metavar="КЛЮЧ",
        help="открытый ключ координатора (файл .pub или строка ssh-ed25519 …)",
    )
    p.add_argument(
        "--municipality",
        metavar="НАЗВАНИЕ",
        help="муниципалитет организации («Молчановский район»); уйдёт в сводную базу с пакетом",
    )
    p.add_argument("--hub", action="store_true", help="сводная база координатора")
    p.add_argument("--region", metavar="РЕГИОН", help="регион сводной базы (с --hub)")

    keys = sub.add_parser("keys", help="ключи этого устройства")
    keys_sub = keys.add_subparsers(dest="keys_command", metavar="ДЕЙСТВИЕ", required=True)
    p = keys_sub.add_parser("show", help="показать открытый ключ, отпечаток и получателя age")
    p.set_defaults(handler=cmd_keys_show)
    add_db_option(p)
    p = keys_sub.add_parser("export", help="записать открытый ключ в файл")
    p.set_defaults(handler=cmd_keys_export)
    p.add_argument("file", type=path_text, metavar="ФАЙЛ", help="файл для открытого ключа (.pub)")
    add_db_option(p)

    trust = sub.add_parser("trust", help="список доверия: чьи пакеты принимает эта база")
    trust_sub = trust.add_subparsers(dest="trust_command", metavar="ДЕЙСТВИЕ", required=True)
    p = trust_sub.add_parser("add", help="доверять ключу")
    p.set_defaults(handler=cmd_trust_add)
    p.add_argument(
        "pubkey",
        type=path_text,
        metavar="КЛЮЧ",
        help="открытый ключ: файл .pub или строка ssh-ed25519 …",
    )
    p.add_argument(
        "--name", required=True, metavar="ИМЯ", help="чей это ключ («Иванова М. П., куратор»)"
    )
    p.add_argument(
        "--school",
        required=True,
        metavar="ОРГАНИЗАЦИЯ",
        help="организация: название целиком или id; * — любые (не для школ)",
    )
    p.add_argument(
        "--role",
        required=True,
        type=role_arg,
        metavar="РОЛЬ",
        help=f"роль владельца ключа: {ROLE_HELP}",
    )
    p.add_argument("--until", metavar="ГГГГ-ММ-ДД", help="последний день доверия")
    add_db_option(p)
    p = trust_sub.add_parser("list", help="показать список доверия")
    p.set_defaults(handler=cmd_trust_list)
    add_db_option(p)
    p = trust_sub.add_parser("extend", help="продлить (или изменить) срок доверия ключу")
    p.set_defaults(handler=cmd_trust_extend)
    p.add_argument(
        "key", metavar="КЛЮЧ", help="отпечаток (SHA256:…) или имя ключа из curator trust list"
    )
    p.add_argument(
        "--until",
        required=True,
        metavar="ГГГГ-ММ-ДД",
        help="новый последний день доверия или «бессрочно»",
    )
    add_db_option(p)
    p = trust_sub.add_parser("remove", help="перестать доверять ключу")
    p.set_defaults(handler=cmd_trust_remove)
    p.add_argument(
        "key", metavar="КЛЮЧ", help="отпечаток (SHA256:…) или имя ключа из curator trust list"
    )
    add_db_option(p)

    p = sub.add_parser("export", help="выгрузить изменения в подписанный пакет")
    p.set_defaults(handler=cmd_export)
    add_db_option(p)
    p.add_argument(
        "--to",
        type=path_text,
        metavar="ПАПКА",
        help="папка для пакета (по умолчанию exports/, флешка или Документы)",
    )
    p.add_argument(
        "--for",
        dest="receiver",
        metavar="ПОЛУЧАТЕЛЬ",
        help="для кого пакет: id устройства, имя из curator trust list или «координатор» "
        "(по умолчанию); в пакет идёт всё, чего у получателя ещё нет",
    )
    p.add_argument("--full", action="store_true", help="все изменения, а не только новые")
    p.add_argument(
        "--encrypt-to",
        metavar="AGE1…",
        help="зашифровать для получателя age; имя файла тогда нейтральное: дата и случайные "
        "символы (kurator-2026-12-03-7f3a.curator.age)",
    )
    p.add_argument(
        "--no-encrypt",
        action="store_true",
        help="не шифровать (по умолчанию пакет для координатора шифруется, если его ключ "
        "добавлен из файла curator keys export)",
    )
    p.add_argument(
        "--name-with-school",
        action="store_true",
        help="с --encrypt-to: назвать пакет как обычно, по организации и устройству",
    )
    p.add_argument("--roadmap", action="store_true", help="пакет дорожной карты для школы")
    p.add_argument(
        "--school", metavar="ОРГАНИЗАЦИЯ", help="организация для --roadmap: название или id"
    )
    p.add_argument(
        "--all-schools",
        action="store_true",
        help="с --roadmap: по пакету дорожной карты для каждой организации базы",
    )

    p = sub.add_parser("verify", help="проверить пакеты, ничего не меняя")
    p.set_defaults(handler=cmd_verify)
    p.add_argument(
        "bundles",
        nargs="+",
        type=path_text,
        metavar="ПАКЕТ",
        help="файлы пакетов (.curator или .curator.age)",
    )
    add_limit_options(p)
    add_db_option(p)

    p = sub.add_parser("import", help="импортировать пакеты")
    p.set_defaults(handler=cmd_import)
    p.add_argument(
        "bundles",
        nargs="+",
        type=path_text,
        metavar="ПАКЕТ",
        help="файлы пакетов или папка (флешка): из папки — все пакеты по порядку",
    )
    p.add_argument(
        "--yes",
        action="store_true",
        help="не задавать вопросов: пакет с неизвестной сводной базе организацией отклоняется",
    )
    p.add_argument(
        "--new-organisation",
        action="append",
        default=[],
        metavar="НАЗВАНИЕ",
        help="новая для сводной базы организация, которую можно создать из пакета "
        "(название как в пакете или id; можно повторять)",
    )
    add_limit_options(p)
    add_db_option(p)
