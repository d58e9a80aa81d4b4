"""The report seen as printed: LibreOffice turns the .xlsx and the .docx into PDF, and the PDF
is read back with poppler (`pdfinfo`, `pdftotext`).

What a coordinator would see on paper: A4 landscape pages, a sane number of them, and every
date, organisation name and column header whole — a word or date broken inside (a column too
narrow, «Выполнен|о») shows in the extracted text as a token cut in two. Names may wrap at
their spaces, so the text is compared with its whitespace folded.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from curator_tui.reports.columns import (
    FLAT_ACTIVITY_COLUMNS,
    MONTH_COLUMNS,
    TO_DATE_COLUMNS,
)
from curator_tui.reports.model import MonthlyReport, Signature, build_monthly_report
from curator_tui.reports.output import ReportFormat, save_report
from curator_tui.store.store import Store
from tests.report_hub import MONTH, TODAY, build_hub, use_test_schedules

TOOLS = ("soffice", "pdfinfo", "pdftotext")
MISSING = [tool for tool in TOOLS if shutil.which(tool) is None]
pytestmark = pytest.mark.skipif(
    bool(MISSING),
    reason=f"{', '.join(MISSING)} not installed (scripts/ensure-tools.sh installs LibreOffice "
    "and poppler)",
)
A4_LANDSCAPE = (841.89, 595.28)  # points
CONVERT_SECONDS = 180


@dataclass(frozen=True)
class Printed:
    pages: list[tuple[float, float]]  # each page's width and height, points
    text: str  # pdftotext's reading order

    @property
    def folded(self) -> str:
        return " ".join(self.text.split())

    @property
    def tokens(self) -> set[str]:
        return set(self.text.split())


def print_to_pdf(source: Path, folder: Path) -> Path:
    """`soffice --headless --convert-to pdf` with a profile of its own (parallel runs of
    LibreOffice sharing one profile wait on each other or fail)."""
    profile = folder / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=CONVERT_SECONDS,
    )
    pdf = folder / f"{source.stem}.pdf"
    assert pdf.exists(), f"LibreOffice wrote no PDF for {source.name}"
    return pdf


def read_pdf(pdf: Path) -> Printed:
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    pages = [
        (float(w), float(h))
        for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info, re.MULTILINE)
    ]
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return Printed(pages, text)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> MonthlyReport:
    folder = tmp_path_factory.mktemp("hub")
    with pytest.MonkeyPatch.context() as patch:
        use_test_schedules(patch)
        hub = build_hub(folder / "hub.db", folder / "files")
    with Store.open(hub.path) as store:
        return build_monthly_report(
            store,
            MONTH,
            None,
            TODAY,
            region="Смоленская область",
            signature=Signature("Главный специалист", "И. И. Иванова"),
        )


@pytest.fixture(scope="module", params=[ReportFormat.XLSX, ReportFormat.DOCX], ids=str)
def printed(
    request: pytest.FixtureRequest, report: MonthlyReport, tmp_path_factory: pytest.TempPathFactory
) -> Printed:
    report_format: ReportFormat = request.param
    folder = tmp_path_factory.mktemp(f"print-{report_format.value}")
    [source] = save_report(
        report, report_format, folder / f"report{report_format.extension}", overwrite=False
    )
    return read_pdf(print_to_pdf(source, folder))


def report_dates(report: MonthlyReport) -> set[str]:
    days = {report.made_on, report.cutoff}
    for school in report.schools:
        days.add(school.summary.last_visit)
        bundle = school.summary.last_bundle
        days.add(bundle.date() if bundle else None)
        days.update(a.due_date for a in school.activities)
    return {f"{day:%d.%m.%Y}" for day in days if day is not None}


def test_every_page_is_a4_landscape_and_the_count_is_sane(printed: Printed) -> None:
    assert 3 <= len(printed.pages) <= 10, printed.pages
    for width, height in printed.pages:
        assert (round(width), round(height)) == tuple(map(round, A4_LANDSCAPE))


def test_every_date_is_printed_whole(report: MonthlyReport, printed: Printed) -> None:
    dates = report_dates(report)
    assert len(dates) >= 6
    for day in dates:
        assert day in printed.tokens or re.search(rf"(?<![\d.]){re.escape(day)}", printed.text), day
    # No date cut across a line: «30.11.20» at a line's end, «25» on the next.
    assert not re.search(r"\d{2}\.\d{2}\.\d{0,3}\n", printed.text)


def test_every_organisation_and_header_is_printed_whole(
    report: MonthlyReport, printed: Printed
) -> None:
    for school in report.schools:
        assert school.name in printed.folded, school.name
    assert report.title in printed.folded
    headers = {c.header for c in (*MONTH_COLUMNS, *TO_DATE_COLUMNS, *FLAT_ACTIVITY_COLUMNS)}

    # A line may break after a hyphen, which pdftotext then drops: compare without hyphens.
    def bare(word: str) -> str:
        return word.replace("-", "").strip("()«»,.")

    words = {bare(w) for h in headers for w in h.split()}
    tokens = {bare(t) for t in printed.tokens}
    broken = sorted(w for w in words if len(w) > 3 and w not in tokens)
    # The DOCX prints one organisation's list without the organisation column; a header
    # word missing from both would be one cut in two.
    assert not [w for w in broken if w != "Организация"], broken


def test_page_numbers_and_signature_are_printed(report: MonthlyReport, printed: Printed) -> None:
    pages = len(printed.pages)
    assert f"Страница 1 из {pages}" in printed.folded
    assert "Должность: Главный специалист" in printed.folded
    assert "И. И. Иванова" in printed.folded
