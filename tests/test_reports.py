"""The monthly report's model and the `curator report` command, on a real three-organisation hub.

The hub and its expected figures are described in tests/report_hub.py.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from curator_tui.cli import main
from curator_tui.reports.errors import ReportError
from curator_tui.reports.model import (
    MonthlyReport,
    SchoolSummary,
    build_monthly_report,
    parse_timestamp,
    school_summaries,
)
from curator_tui.reports.months import month_title, overdue_cutoff, parse_month
from curator_tui.store.setting_keys import HUB_REGION_SETTING
from curator_tui.store.store import Store
from tests.report_hub import (
    LAST_BUNDLE,
    MONTH,
    MUNICIPALITY,
    SCHOOL_1,
    SCHOOL_2,
    TODAY,
    Hub,
    build_hub,
    use_test_schedules,
)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    folder = tmp_path_factory.mktemp("hub")
    with pytest.MonkeyPatch.context() as patch:
        use_test_schedules(patch)
        yield build_hub(folder / "hub.db", folder / "files")


@pytest.fixture
def hub_store(hub: Hub) -> Iterator[Store]:
    with Store.open(hub.path) as store:
        yield store


def report_for(store: Store, month: date = MONTH, today: date = TODAY, school: str | None = None):
    return build_monthly_report(store, month, school, today)


def by_name(report: MonthlyReport) -> dict[str, SchoolSummary]:
    return {s.name: s for s in report.summaries}


def numbers(activities: list) -> list[str]:
    return [a.number for a in activities]


# --- the model ---------------------------------------------------------------------------------


def test_summary_counts_each_organisation(hub_store: Store) -> None:
    summaries = by_name(report_for(hub_store))
    first, second, third = summaries[SCHOOL_1], summaries[SCHOOL_2], summaries[MUNICIPALITY]
    figures = ("total", "due_in_month", "done", "in_progress", "overdue")
    assert [getattr(first, f) for f in figures] == [8, 3, 2, 2, 2]
    assert (first.done_without_evidence, first.evidence_files) == (1, 1)
    assert first.last_visit == date(2025, 11, 20)
    assert first.last_bundle == datetime.fromisoformat(LAST_BUNDLE)
    assert [getattr(second, f) for f in figures] == [3, 2, 1, 0, 2]
    assert (second.evidence_files, second.last_visit, second.last_bundle) == (0, None, None)
    # The activity an amended import removed is not counted, though it was due in November.
    assert [getattr(third, f) for f in figures] == [2, 0, 1, 0, 0]
    assert third.evidence_files == 1


def test_totals_sum_the_organisations(hub_store: Store) -> None:
    totals = report_for(hub_store).totals
    assert (totals.total, totals.due_in_month, totals.done, totals.overdue) == (13, 5, 4, 4)
    assert totals.name == "Итого (организаций: 3)"
    assert totals.last_visit == date(2025, 11, 20)


def test_lists_hold_due_and_overdue_activities_in_roadmap_order(hub_store: Store) -> None:
    report = report_for(hub_store)
    schools = {s.name: s for s in report.schools}
    assert numbers(schools[SCHOOL_1].due) == ["1", "2", "3"]
    assert numbers(schools[SCHOOL_1].overdue) == ["3", "4"]
    assert numbers(schools[SCHOOL_2].due) == ["2", "3"]
    assert numbers(schools[SCHOOL_2].overdue) == ["1", "3"]
    assert [s.name for s in report.listed_schools] == [SCHOOL_1, SCHOOL_2]
    for school in report.schools:  # the summary and the lists come from one snapshot
        assert len(school.due) == school.summary.due_in_month
        assert len(school.overdue) == school.summary.overdue


def test_due_means_a_window_in_the_month_not_a_span_over_it(hub_store: Store) -> None:
    school = next(s for s in report_for(hub_store).schools if s.name == SCHOOL_1)
    listed = {a.title for a in school.activities}
    assert "Открытые уроки" not in listed  # January and December, nothing in November
    assert "Методический день" not in listed  # unscheduled
    assert "Родительское собрание" not in listed  # cancelled: never overdue


def test_evidence_is_described_by_kind_title_and_file_or_link(hub_store: Store) -> None:
    school = next(s for s in report_for(hub_store).schools if s.name == SCHOOL_1)
    council = school.due[0]
    assert [e.describe() for e in council.evidence] == [
        "Протокол: Протокол педсовета № 3 (protocol.pdf)",
        "Ссылка: Новость на сайте (https://school1.example/news/42)",
    ]
    assert council.status_label == "Выполнено"


def test_current_month_is_judged_as_of_today(hub_store: Store) -> None:
    # On 10 November the diagnostics due on the 15th is not late yet; October's seminar is.
    report = report_for(hub_store, today=date(2025, 11, 10))
    assert report.cutoff == date(2025, 11, 10)
    school = next(s for s in report.schools if s.name == SCHOOL_1)
    assert numbers(school.overdue) == ["4"]
    assert numbers(school.due) == ["1", "2", "3"]


def test_overdue_cutoff_rule() -> None:
    assert overdue_cutoff(date(2025, 11, 1), date(2025, 12, 10)) == date(2025, 12, 1)
    assert overdue_cutoff(date(2025, 12, 1), date(2025, 12, 10)) == date(2025, 12, 10)
    assert overdue_cutoff(date(2026, 3, 1), date(2025, 12, 10)) == date(2025, 12, 10)
    assert overdue_cutoff(date(2025, 12, 1), date(2026, 1, 1)) == date(2026, 1, 1)


def test_school_filter_ignores_case_and_yo(hub_store: Store) -> None:
    for needle in ("ёлкинская", "ЕЛКИНСКАЯ", " Ёлк "):
        report = report_for(hub_store, school=needle)
        assert [s.name for s in report.schools] == [SCHOOL_2]
        assert report.totals.total == 3
    # Punctuation and numbers count as written; runs of spaces do not.
    assert [s.name for s in report_for(hub_store, school="сош  № 1 ").schools] == [SCHOOL_1]
    with pytest.raises(ReportError, match=r"Не найдено организаций.*«лицей»"):
        report_for(hub_store, school="лицей")


def test_month_with_nothing_due_nor_overdue_is_empty(hub_store: Store) -> None:
    report = report_for(hub_store, month=date(2024, 5, 1))
    assert report.is_empty
    assert report.no_data_message().startswith(
        "За май 2024 нет мероприятий со сроком в этом месяце"
    )
    assert report.totals.total == 13  # the summary still knows every organisation


def test_month_after_the_roadmap_lists_only_overdue(hub_store: Store) -> None:
    report = report_for(hub_store, month=date(2026, 2, 1), today=date(2026, 3, 5))
    assert not report.is_empty
    assert report.totals.due_in_month == 0
    assert report.totals.overdue == 6  # every open activity whose last date passed


def test_dashboard_summary_is_the_reports_summary(hub_store: Store) -> None:
    today = date(2025, 11, 10)
    assert school_summaries(hub_store, today) == report_for(hub_store, today=today).summaries
    [only] = school_summaries(hub_store, today, school="чебаркуль")
    assert only.name == SCHOOL_1


def test_empty_database_is_refused(tmp_path: Path) -> None:
    with Store.open(tmp_path / "empty.db", create=True) as store:
        with pytest.raises(ReportError, match="нет ни одной организации"):
            report_for(store)
        assert school_summaries(store, TODAY) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-11", date(2026, 11, 1)), (" 2025-1 ", date(2025, 1, 1))],
)
def test_month_is_parsed(text: str, expected: date) -> None:
    assert parse_month(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-13", "Месяца с номером 13 не бывает"),
        ("11.2026", "Не понят месяц «11.2026»"),
        ("ноябрь", "ГГГГ-ММ"),
        ("1899-05", "Год 1899"),
    ],
)
def test_bad_month_is_refused_in_russian(text: str, message: str) -> None:
    with pytest.raises(ReportError, match=message):
        parse_month(text)


def test_month_title_is_russian() -> None:
    assert month_title(date(2026, 11, 1)) == "ноябрь 2026"
    assert month_title(date(2026, 5, 1)) == "май 2026"


def test_bundle_time_with_a_zone_becomes_local_wall_time() -> None:
    moment = datetime(2025, 12, 5, 9, 30, tzinfo=timezone(timedelta(hours=3)))
    parsed = parse_timestamp(moment.isoformat())
    assert parsed is not None and parsed.tzinfo is None
    assert parsed == moment.astimezone().replace(tzinfo=None)
    assert parse_timestamp("вчера") is None


# --- the command -----------------------------------------------------------------------------


def test_title_takes_the_hubs_region_unless_told(hub: Hub, tmp_path: Path) -> None:
    copy = tmp_path / "hub.db"
    shutil.copy(hub.path, copy)
    with Store.open(copy) as store:
        assert report_for(store).region == ""  # no region known: the title names none
        assert report_for(store).title.startswith("Отчёт о выполнении")
        store.set_setting(HUB_REGION_SETTING, "Смоленская область")
        assert report_for(store).title.startswith("Смоленская область. Отчёт о выполнении")
        told = build_monthly_report(store, MONTH, None, TODAY, region="Калмыкия")
        assert told.title.startswith("Калмыкия. ")


def test_report_command_takes_the_region_and_the_signer(hub: Hub, tmp_path: Path) -> None:
    target = tmp_path / "r.md"
    args = ["--month", "2025-11", "--output", str(target), "--region", "Смоленская область"]
    assert run(hub, *args, "--position", "Методист", "--signer", "А. Б. Ким") == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Смоленская область. Отчёт о выполнении мероприятий")
    assert "Должность: Методист" in text and "Ф. И. О.: А. Б. Ким" in text


def run(hub: Hub, *args: str) -> int:
    return main(["report", "--db", str(hub.path), *args])


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder like a checkout: it has `exports/`."""
    (tmp_path / "exports").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path / "exports"


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_report_goes_to_exports_in_a_checkout(
    hub: Hub, checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(hub, "--month", "2025-11") == 0
    assert (checkout / "отчёт-2025-11.xlsx").is_file()
    out = capsys.readouterr().out
    assert "Отчёт за ноябрь 2025 сохранён" in out
    assert "со сроком в месяце: 5, из них выполнено: 2 (40\u00a0%), просрочено: 2." in out
    assert "С начала дорожных карт: просрочено 4" in out
    assert leftovers(checkout) == []


def test_report_goes_to_documents_outside_a_checkout(
    hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    documents = tmp_path / "home" / "Документы"
    monkeypatch.setattr("curator_tui.reports.output.user_documents_path", lambda: documents)
    monkeypatch.chdir(tmp_path)
    assert run(hub, "--month", "2025-11", "--format", "md") == 0
    assert (documents / "отчёт-2025-11.md").is_file()


def test_existing_file_is_kept_unless_forced(
    hub: Hub, checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = checkout / "отчёт-2025-11.docx"
    target.write_bytes(b"signed copy")
    assert run(hub, "--month", "2025-11", "--format", "docx") == 1
    error = capsys.readouterr().err
    assert f"Файл уже существует: {target}" in error and "--force" in error
    assert target.read_bytes() == b"signed copy"
    assert run(hub, "--month", "2025-11", "--format", "docx", "--force") == 0
    assert target.read_bytes().startswith(b"PK")
    assert leftovers(checkout) == []


def test_csv_is_two_files_and_either_existing_one_blocks(
    hub: Hub, checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = checkout / "отчёт-2025-11-сводка.csv"
    summary.write_text("old")
    assert run(hub, "--month", "2025-11", "--format", "csv") == 1
    assert "отчёт-2025-11-сводка.csv" in capsys.readouterr().err
    assert not (checkout / "отчёт-2025-11.csv").exists()
    assert run(hub, "--month", "2025-11", "--format", "csv", "--force") == 0
    assert (checkout / "отчёт-2025-11.csv").is_file() and summary.read_text() != "old"


def test_output_may_name_a_file_or_a_folder(hub: Hub, tmp_path: Path) -> None:
    assert run(hub, "--month", "2025-11", "--output", str(tmp_path / "ноябрь.docx")) == 0
    assert (tmp_path / "ноябрь.docx").is_file()  # the format follows the extension
    assert run(hub, "--month", "2025-11", "--format", "md", "--output", str(tmp_path)) == 0
    assert (tmp_path / "отчёт-2025-11.md").is_file()
    assert run(hub, "--month", "2025-11", "--format", "csv", "--output", str(tmp_path / "x")) == 0
    assert (tmp_path / "x.csv").is_file() and (tmp_path / "x-сводка.csv").is_file()


def test_month_without_data_writes_nothing_and_fails(
    hub: Hub, checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(hub, "--month", "2024-05") == 1
    error = capsys.readouterr().err
    assert "За май 2024 нет мероприятий со сроком в этом месяце" in error
    assert "Отчёт не создан" in error
    assert list(checkout.iterdir()) == []


def test_month_with_only_overdue_activities_is_still_reported(
    hub: Hub, checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(hub, "--month", "2026-02", "--format", "md") == 0
    assert "в отчёт вошли только просроченные (6)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2025-13"], "Месяца с номером 13 не бывает"),
        ([], "Укажите отчётный месяц"),
        (["--month", "2025-11", "--format", "pdf"], "Неизвестный формат «pdf»"),
        (["--month", "2025-11", "--format", "csv", "--output", "r.xlsx"], "не соответствует"),
        (["--month", "2025-11", "--school", "гимназия"], "Не найдено организаций"),
    ],
)
def test_bad_arguments_are_refused_in_russian(
    hub: Hub, checkout: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert run(hub, *args) == 1
    assert message in capsys.readouterr().err
    assert list(checkout.iterdir()) == []


def test_missing_folder_is_refused(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "нет такой папки" / "отчёт.xlsx"
    assert run(hub, "--month", "2025-11", "--output", str(target)) == 1
    assert f"Папка для отчёта не найдена: {target.parent}" in capsys.readouterr().err


@pytest.fixture
def unwritable_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder this process cannot create files in (root ignores permission bits, so there
    a kernel-owned folder stands in)."""
    if os.geteuid() != 0:
        folder = tmp_path / "только чтение"
        folder.mkdir()
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    sysfs = Path("/sys/kernel")
    if not sysfs.is_dir():
        pytest.skip("running as root without /sys: no unwritable folder to test with")
    yield sysfs


def test_unwritable_folder_is_refused(
    hub: Hub, unwritable_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = unwritable_folder / "отчёт.xlsx"
    assert run(hub, "--month", "2025-11", "--output", str(target)) == 1
    assert f"Нет прав на запись в папку {unwritable_folder}" in capsys.readouterr().err
    assert not target.exists()
