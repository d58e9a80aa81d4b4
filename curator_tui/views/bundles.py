"""Bundle runs as both faces report them: what went into an exported bundle, and what
verifying or importing one found (who signed it, what it holds, every problem, the verdict).

`curator export/verify/import` print these and the exchange screen shows them; each face only
lays the phrases out, so a signer, a size or a verdict reads the same in both.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from curator_tui.domain.safe_text import safe_text
from curator_tui.sync.bundles import BundleKind
from curator_tui.sync.exporting import OMITTED_LABELS, ExportResult
from curator_tui.sync.importing import BundleReport, Outcome, created_at_text, op_count_lines
from curator_tui.sync.opening import Problem, SignerInfo
from curator_tui.sync.replica import role_label
from curator_tui.sync.trust import ANY_ORGANISATION
from curator_tui.views.format import transfer_size

ANY_ORGANISATION_TEXT = "любые организации"


def organisation_scope(organisation_id: str, name: str | None) -> str:
    """Which organisation a key may speak for: «Имя (id)», the bare id, or «любые…»."""
    if name:
        return f"{safe_text(name)} ({organisation_id})"
    return ANY_ORGANISATION_TEXT if organisation_id == ANY_ORGANISATION else organisation_id


def organisation_lines(organisations: dict[str, str]) -> tuple[str, ...]:
    """«Имя (id)» per organisation, «— (id)» where the name is not known."""
    return tuple(f"{safe_text(name) or '—'} ({org_id})" for org_id, name in organisations.items())


def evidence_summary(files: int, size: int) -> str:
    """«2, 1,5 МБ»: how many evidence files and how much they weigh."""
    return f"{files}, {transfer_size(size)}"


def problem_line(problem: Problem) -> str:
    return f"{'✗' if problem.fatal else '!'} {safe_text(problem.text)}"


# --- export ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportView:
    path: Path | None  # None: nothing to export
    message: str
    kind: str  # «изменения», «дорожная карта, зашифрован»
    receiver: str  # «для: Координатор (1a2b3c4d)»; "" for a roadmap bundle
    ops: int
    evidence: str  # `evidence_summary`
    organisations: tuple[str, ...]
    ranges: tuple[tuple[str, str], ...]  # (device id, «№ 1–4»), by device id
    omitted: tuple[str, ...]  # «структура дорожной карты — 3»
    bundle_size: str  # the written file's («0,0 КБ» if it has already been moved away)


def export_view(result: ExportResult) -> ExportView:
    path = result.path
    written_size = path.stat().st_size if path is not None and path.exists() else 0
    return ExportView(
        path=result.path,
        message=safe_text(result.message),
        kind=result.kind.label + (", зашифрован" if result.encrypted else ""),
        receiver=result.receiver_text if result.kind is BundleKind.CHANGES else "",
        ops=result.ops,
        evidence=evidence_summary(result.evidence_files, result.evidence_bytes),
        organisations=organisation_lines(result.organisations),
        ranges=tuple(
            (device_id, f"№ {span.start}–{span.end}")
            for device_id, span in sorted(result.ranges.items())
        ),
        omitted=tuple(
            f"{OMITTED_LABELS.get(reason, reason)} — {count}"
            for reason, count in sorted(result.omitted.items())
        ),
        bundle_size=transfer_size(written_size),
    )


# --- verify and import ----------------------------------------------------------------------


@dataclass(frozen=True)
class SignerView:
    who: str  # «Директор», школа; МБОУ «СОШ № 1» (id)
    fingerprint: str


@dataclass(frozen=True)
class BundleContents:
    """What a readable bundle says of itself and holds."""

    kind: str
    created: str  # «12.03.2024 10:15 UTC»
    device: str  # «Ноутбук директора» (ab12cd34), школа
    organisations: tuple[str, ...]
    ops: int
    op_lines: tuple[str, ...]  # «мероприятие · изменение: 5»
    evidence: str  # `evidence_summary`
    ranges: tuple[str, ...]  # «устройство «Ноутбук» (ab12cd34): № 1–4»


@dataclass(frozen=True)
class BundleReportView:
    path: Path
    encrypted: bool
    bundle_id: str
    signer: SignerView | None
    untrusted_key: str  # a good signature by a key not on the trust list ("" otherwise)
    contents: BundleContents | None  # None: the bundle could not be read that far
    already: bool  # imported before: nothing more to tell
    problems: tuple[str, ...]  # «✗ …» refuses the bundle, «! …» warns
    verdict: str  # «Итог: …»
    message: str  # one line: the outcome or the first reason for refusal

    @property
    def encrypted_mark(self) -> str:
        return " (зашифрован)" if self.encrypted else ""


def bundle_report_view(report: BundleReport) -> BundleReportView:
    return BundleReportView(
        path=report.path,
        encrypted=report.encrypted,
        bundle_id=report.bundle_id,
        signer=signer_view(report.signer) if report.signer is not None else None,
        untrusted_key=report.signer_fingerprint if report.signer is None else "",
        contents=bundle_contents(report),
        already=report.outcome is Outcome.ALREADY,
        problems=tuple(problem_line(p) for p in report.problems),
        verdict=safe_text(verdict(report)),
        message=safe_text(report.message),
    )


def untrusted_signer_line(fingerprint: str, own_key: str | None) -> str:
    """Who signed a bundle whose key is not on the trust list: this replica itself (its own
    bundle, brought back), or a stranger."""
    if fingerprint == own_key:
        return f"Подписан ключом этой базы {fingerprint}: это её собственный пакет"
    return f"Подписан ключом {fingerprint} (нет в списке доверия)"


def signer_view(signer: SignerInfo) -> SignerView:
    scope = organisation_scope(signer.organisation_id, signer.organisation_name)
    return SignerView(
        f"«{safe_text(signer.display_name)}», {role_label(signer.role.value)}; {scope}",
        signer.fingerprint,
    )


def bundle_contents(report: BundleReport) -> BundleContents | None:
    info = report.info
    if info is None:
        return None
    organisations = report.organisations or {
        o: info.organisation_names.get(o, "") for o in info.organisations
    }
    return BundleContents(
        kind=info.kind.label,
        created=created_at_text(info),
        device=f"«{safe_text(info.device.name)}» ({info.device.id[:8]}), "
        f"{role_label(safe_text(info.device.role))}",
        organisations=organisation_lines(organisations),
        ops=report.ops,
        op_lines=tuple(op_count_lines(report)),
        evidence=evidence_summary(report.evidence_files, report.evidence_bytes),
        ranges=tuple(
            f"устройство «{safe_text(report.device_names.get(device_id) or '—')}» "
            f"({device_id[:8]}): "
            f"№ {span.start}–{span.end}"
            for device_id, span in sorted(info.ranges.items())
        ),
    )


def verdict(report: BundleReport) -> str:
    if report.outcome is Outcome.VERIFIED:
        return "Итог: пакет будет принят."
    if report.outcome is Outcome.REFUSED and report.errors:
        return f"Итог: пакет НЕ будет принят — {report.errors[0].text}"
    return f"Итог: {report.message}"
