"""A folder of bundles imported at once, as both faces show it: one row per file (file,
school, signer, result, counts) and the reason behind each result.

`curator import ПАПКА` prints these rows as a table, the exchange screen shows them in one.
"""

from __future__ import annotations

from dataclasses import dataclass

from curator_tui.domain.safe_text import safe_text
from curator_tui.sync.importing import BundleReport, Outcome

RESULT_WORDS = {
    Outcome.VERIFIED: "будет принят",
    Outcome.ACCEPTED: "принят",
    Outcome.ALREADY: "уже был",
    Outcome.REFUSED: "отклонён",
}
HEADERS = ("Файл", "Школа", "Подписал", "Итог", "Изменений", "Новых")
OWN_SIGNER = "эта же база"
UNKNOWN_SIGNER = "неизвестный ключ"


@dataclass(frozen=True)
class FolderRow:
    file: str
    school: str  # «МБОУ СОШ № 1», «3 организации», «—»
    signer: str
    result: str
    ops: str
    applied: str  # new changes written ("—" when nothing was imported)
    reason: str  # the outcome in one line, or the first reason for refusal

    @property
    def cells(self) -> tuple[str, str, str, str, str, str]:
        return (self.file, self.school, self.signer, self.result, self.ops, self.applied)


def folder_row(report: BundleReport, own_key: str | None = None) -> FolderRow:
    return FolderRow(
        file=safe_text(report.path.name),
        school=school_cell(report),
        signer=signer_cell(report, own_key),
        result=RESULT_WORDS[report.outcome],
        ops=str(report.ops) if report.info is not None else "—",
        applied=str(report.applied) if report.outcome is Outcome.ACCEPTED else "—",
        reason=safe_text(report.message),
    )


def school_cell(report: BundleReport) -> str:
    names = report.organisations or (
        {o: report.info.organisation_names.get(o, "") for o in report.info.organisations}
        if report.info is not None
        else {}
    )
    if not names:
        return "—"
    if len(names) > 1:
        return f"организаций: {len(names)}"
    [(org_id, name)] = names.items()
    return safe_text(name or org_id)


def signer_cell(report: BundleReport, own_key: str | None) -> str:
    if report.signer is not None:
        return safe_text(report.signer.display_name)
    if report.signer_fingerprint and report.signer_fingerprint == own_key:
        return OWN_SIGNER
    return UNKNOWN_SIGNER if report.signer_fingerprint else "—"


def folder_totals(rows: list[FolderRow]) -> str:
    """«Пакетов: 5; принято 3, уже было 1, отклонено 1; новых изменений: 42»."""
    by_result = {word: sum(row.result == word for row in rows) for word in RESULT_WORDS.values()}
    applied = sum(int(row.applied) for row in rows if row.applied.isdigit())
    parts = [
        f"принято {by_result['принят']}",
        f"уже было {by_result['уже был']}",
        f"отклонено {by_result['отклонён']}",
    ]
    return f"Пакетов: {len(rows)}; {', '.join(parts)}; новых изменений: {applied}"
