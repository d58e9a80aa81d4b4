"""`curator report`: the monthly report on the roadmaps a replica (usually the hub) holds."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curator_tui.cli.common import EXIT_OK, CliError, add_db_option, db_arg, path_text
from curator_tui.platform import user_path

if TYPE_CHECKING:
    from curator_tui.reports.model import MonthlyReport


def cmd_report(args: argparse.Namespace) -> int:
    # The report writers (XlsxWriter, python-docx) load only when a report is made.
    from curator_tui.services import ReportRequest, write_monthly_report

    if not args.month:
        raise CliError("Укажите отчётный месяц: --month ГГГГ-ММ, например --month 2026-11")
    request = ReportRequest(
        month=args.month,
        report_format=args.format,
        output=user_path(args.output) if args.output else None,
        overwrite=args.force,
        school=args.school,
        region=args.region,
        position=args.position or "",
        signer=args.signer or "",
    )
    with force_hint():
        done = write_monthly_report(db_arg(args), request)
    print_outcome(done.report, done.paths)
    return EXIT_OK


@contextmanager
def force_hint() -> Iterator[None]:
    from curator_tui.reports.output import OutputExistsError

    try:
        yield
    except OutputExistsError as exc:
        raise CliError(f"{exc}. Чтобы перезаписать его, добавьте --force") from exc


def print_outcome(report: MonthlyReport, written: list[Path]) -> None:
    from curator_tui.reports.columns import as_text

    totals = report.totals
    if totals.due_in_month == 0:
        print(
            f"За {report.period} нет мероприятий со сроком в этом месяце; "
            f"в отчёт вошли только просроченные ({totals.overdue})."
        )
    print(f"Отчёт за {report.period} сохранён:")
    for path in written:
        print(f"  {path}")
    month = report.summary_rows()[-1].month
    done = as_text(month.share(month.done))
    print(
        f"Организаций: {len(report.schools)}; со сроком в месяце: {month.due}, из них "
        f"выполнено: {month.done} ({done}), просрочено: {month.overdue}. С начала дорожных "
        f"карт: просрочено {totals.overdue}, выполнено без доказательств "
        f"{totals.done_without_evidence}"
    )


def register(sub: Any) -> None:
    p = sub.add_parser(
        "report",
        help="ежемесячный отчёт о выполнении мероприятий дорожной карты",
        description=(
            "Ежемесячный отчёт о выполнении мероприятий дорожной карты по всем организациям "
            "базы (или по отобранным --school): сводка, мероприятия со сроком в месяце и "
            "просроченные, с доказательствами."
        ),
    )
    p.set_defaults(handler=cmd_report)
    # No argparse `required`/`choices`: their messages are English; ours are Russian.
    p.add_argument("--month", metavar="ГГГГ-ММ", help="отчётный месяц, например 2026-11")
    p.add_argument(
        "--format",
        metavar="ФОРМАТ",
        help="xlsx (по умолчанию), docx, md или csv (два файла: мероприятия и сводка)",
    )
    p.add_argument(
        "--school", metavar="ТЕКСТ", help="только организации, в названии которых есть ТЕКСТ"
    )
    p.add_argument(
        "--output",
        type=path_text,
        metavar="ФАЙЛ",
        help="куда сохранить (файл или папка); по умолчанию exports/отчёт-ГГГГ-ММ.<формат> "
        "в папке проекта, иначе в «Документах»",
    )
    p.add_argument(
        "--region",
        metavar="РЕГИОН",
        help="название региона для заголовка, например «Смоленская область»; по умолчанию — "
        "регион хаба (curator init --hub --region), иначе название единственной "
        "региональной организации в базе",
    )
    p.add_argument("--position", metavar="ДОЛЖНОСТЬ", help="должность подписывающего отчёт")
    p.add_argument("--signer", metavar="ФИО", help="фамилия и инициалы подписывающего отчёт")
    p.add_argument("--force", action="store_true", help="перезаписать существующий файл")
    add_db_option(p)
