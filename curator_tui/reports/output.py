"""Saving a report: formats, the default place, and atomic writes that never clobber.

Every file is written under a temporary name in its own folder, flushed to disk and only then
renamed, so a reader (or a crash) never sees half a report. A CSV report is two files; both
are written in full before either is renamed into place.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from platformdirs import user_documents_path

from curator_tui.domain.os_errors import os_error_text
from curator_tui.durable import fsync_directory, publish_without_clobbering
from curator_tui.platform import set_permissions
from curator_tui.reports.csv_writer import write_activities_csv, write_summary_csv
from curator_tui.reports.docx_writer import write_docx
from curator_tui.reports.errors import ReportError
from curator_tui.reports.markdown_writer import write_markdown
from curator_tui.reports.model import MonthlyReport
from curator_tui.reports.xlsx_writer import write_xlsx

Writer = Callable[[MonthlyReport, BinaryIO], None]
EXPORTS_DIR = "exports"
SUMMARY_SUFFIX = "-сводка"
FILE_MODE = 0o644  # a document to share, not a secret (mkstemp makes files 0600)


class ReportFormat(StrEnum):
    XLSX = "xlsx"
    DOCX = "docx"
    MARKDOWN = "md"
    CSV = "csv"

    @property
    def extension(self) -> str:
        return f".{self.value}"


class OutputExistsError(ReportError):
    """The output file is there already and overwriting was not asked for."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"Файл уже существует: {path}")
        self.path = path


@dataclass(frozen=True)
class Target:
    path: Path
    writer: Writer


def report_file_name(month: date, report_format: ReportFormat) -> str:
    return f"отчёт-{month:%Y-%m}{report_format.extension}"


def default_output_dir(cwd: Path | None = None) -> Path:
    """`exports/` in a checkout (the current folder has one), else the user's Documents
    (created if a fresh system has none yet)."""
    exports = (cwd or Path.cwd()) / EXPORTS_DIR
    if exports.is_dir():
        return exports
    documents = user_documents_path()
    try:
        documents.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(describe_os_error(exc, documents / "отчёт")) from exc
    return documents


def resolve_output(
    output: Path | None, month: date, report_format: ReportFormat, cwd: Path | None = None
) -> Path:
    """The report's path: as given (the format's extension added if it has none), or the
    default name inside a given or the default folder."""
    if output is None:
        return default_output_dir(cwd) / report_file_name(month, report_format)
    if output.is_dir():
        return output / report_file_name(month, report_format)
    return output if output.suffix else output.with_suffix(report_format.extension)


def format_for(name: str | None, output: Path | None) -> ReportFormat:
    """The format asked for, else the one the output's extension names, else XLSX."""
    by_extension = {f.extension: f for f in ReportFormat}
    suffix = output.suffix.lower() if output is not None and not output.is_dir() else ""
    implied = by_extension.get(suffix)
    if name is None:
        return implied or ReportFormat.XLSX
    try:
        chosen = ReportFormat(name.lower().lstrip("."))
    except ValueError:
        allowed = ", ".join(f.value for f in ReportFormat)
        raise ReportError(f"Неизвестный формат «{name}». Допустимые: {allowed}") from None
    if implied is not None and implied is not chosen:
        raise ReportError(
            f"Расширение файла {output} не соответствует формату {chosen.value}: "
            f"укажите файл {chosen.extension} или другой формат"
        )
    return chosen


def targets_for(path: Path, report_format: ReportFormat) -> list[Target]:
    if report_format is ReportFormat.CSV:
        summary = path.with_name(f"{path.stem}{SUMMARY_SUFFIX}{path.suffix or '.csv'}")
        return [Target(path, write_activities_csv), Target(summary, write_summary_csv)]
    writers: dict[ReportFormat, Writer] = {
        ReportFormat.XLSX: write_xlsx,
        ReportFormat.DOCX: write_docx,
        ReportFormat.MARKDOWN: write_markdown,
    }
    return [Target(path, writers[report_format])]


def output_paths(path: Path, report_format: ReportFormat) -> list[Path]:
    return [t.path for t in targets_for(path, report_format)]


def check_output(paths: list[Path], *, overwrite: bool) -> None:
    """Fail before any work when a report could not be saved there."""
    for path in paths:
        if path.is_dir():
            raise ReportError(f"По этому пути находится папка, а не файл: {path}")
        if path.exists() and not overwrite:
            raise OutputExistsError(path)
        folder = path.parent
        if not folder.is_dir():
            raise ReportError(f"Папка для отчёта не найдена: {folder}")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise ReportError(f"Нет прав на запись в папку {folder}")


def save_report(
    report: MonthlyReport, report_format: ReportFormat, path: Path, *, overwrite: bool
) -> list[Path]:
    """Write the report (one file, two for CSV); returns the paths written."""
    targets = targets_for(path, report_format)
    check_output([t.path for t in targets], overwrite=overwrite)
    staged: list[tuple[Path, Path]] = []
    try:
        for target in targets:
            staged.append((stage(report, target), target.path))
        for temporary, final in staged:
            commit(temporary, final, overwrite=overwrite)
    finally:
        for temporary, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
    return [t.path for t in targets]


def stage(report: MonthlyReport, target: Target) -> Path:
    """The report written in full under a temporary name beside its final place."""
    folder = target.path.parent
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ReportError(describe_os_error(exc, target.path)) from exc
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            target.writer(report, stream)
            stream.flush()
            os.fsync(stream.fileno())
        with contextlib.suppress(OSError):
            set_permissions(temporary, FILE_MODE)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise ReportError(describe_os_error(exc, target.path)) from exc
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def commit(temporary: Path, final: Path, *, overwrite: bool) -> None:
    try:
        if overwrite:
            os.replace(temporary, final)
        else:
            # Another run, or another user, may have written it since the check.
            publish_without_clobbering(temporary, final)
    except FileExistsError:
        raise OutputExistsError(final) from None
    except OSError as exc:
        raise ReportError(describe_os_error(exc, final)) from exc
    fsync_directory(final.parent)


def describe_os_error(exc: OSError, path: Path) -> str:
    folder = path.parent
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"Нет прав на запись в папку {folder}"
    if exc.errno == errno.EROFS:
        return f"Папка {folder} доступна только для чтения"
    if exc.errno == errno.ENOSPC:
        return f"На диске не осталось места для отчёта {path.name}"
    if exc.errno == errno.ENOENT:
        return f"Папка для отчёта не найдена: {folder}"
    return f"Не удалось сохранить отчёт {path}: {os_error_text(exc)}"
