"""Attaching evidence: a file from a USB stick (or anywhere), or a link.

The copy runs in a worker thread on a connection of its own, with a progress bar, so the app
stays live while a large scan is copied; the store keeps it all or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Input, Label, ProgressBar, Select

from curator_tui.domain.models import EvidenceKind
from curator_tui.domain.rules import guess_evidence_kind, web_link
from curator_tui.domain.safe_text import safe_text
from curator_tui.platform import start_directory, user_path
from curator_tui.store.store import Store
from curator_tui.tui.context import Curator, curator_of
from curator_tui.tui.messages import EvidenceAttached, WorkFailed
from curator_tui.tui.workers import thread_work


class EvidenceDialog(ModalScreen[str | None]):
    """Gives back the new evidence id, or None when cancelled."""

    CSS_PATH = "../dialogs.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "attach", "Прикрепить", id="evidence.attach"),
        Binding("escape", "cancel", "Отмена", id="evidence.cancel"),
    ]

    class CopyProgressed(Message):
        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done = done
            self.total = total

    def __init__(self, activity_id: str, subject: str, media_roots: Sequence[Path]) -> None:
        super().__init__()
        self.activity_id = activity_id
        self.subject = subject
        self.media_roots = media_roots
        self.busy = False
        self._last_percent = -1

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="evidence-dialog"):
            yield Label("Доказательство выполнения", classes="dialog-title")
            yield Label(safe_text(self.subject), classes="dialog-subject", markup=False)
            yield Input(
                placeholder="Путь к файлу (или выберите ниже)", id="evidence-path", compact=True
            )
            yield DirectoryTree(start_directory(self.media_roots), id="evidence-tree")
            yield Input(placeholder="…или ссылка: https://…", id="evidence-url", compact=True)
            with Horizontal(id="evidence-meta"):
                yield Select(
                    [(kind.label, kind) for kind in EvidenceKind],
                    value=EvidenceKind.OTHER,
                    allow_blank=False,
                    compact=True,
                    id="evidence-kind",
                )
                yield Input(placeholder="Название", id="evidence-title", compact=True)
            yield Input(placeholder="Примечание", id="evidence-note", compact=True)
            yield ProgressBar(total=100, show_eta=False, id="evidence-progress")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Прикрепить", variant="primary", id="evidence-attach", compact=True)
                yield Button("Отмена", id="evidence-cancel", compact=True)

    @property
    def curator(self) -> Curator:
        return curator_of(self.app)

    @on(DirectoryTree.FileSelected)
    def file_chosen(self, event: DirectoryTree.FileSelected) -> None:
        self.query_one("#evidence-path", Input).value = str(event.path)
        kind = self.query_one("#evidence-kind", Select)
        kind.value = guess_evidence_kind(event.path, cast(EvidenceKind, kind.value))

    @on(Button.Pressed, "#evidence-attach")
    def action_attach(self) -> None:
        if self.busy:
            return
        path_text = self.query_one("#evidence-path", Input).value.strip()
        url = self.query_one("#evidence-url", Input).value.strip()
        if bool(path_text) == bool(url):
            self.notify(
                "Укажите либо файл, либо ссылку" if url else "Выберите файл или введите ссылку",
                severity="warning",
            )
            return
        kind = cast(EvidenceKind, self.query_one("#evidence-kind", Select).value)
        title = self.query_one("#evidence-title", Input).value
        note = self.query_one("#evidence-note", Input).value
        if url and web_link(url) is None:
            self.notify(
                f"«{url}» — не ссылка: укажите адрес страницы (https://…)",
                severity="warning",
                markup=False,
            )
            self.query_one("#evidence-url", Input).focus()
            return
        self._set_busy(True)
        if url:
            link_kind = EvidenceKind.LINK if kind is EvidenceKind.OTHER else kind
            self.attach_link(url, link_kind, title, note)
        else:
            source = user_path(path_text)
            self.copy_file(source, guess_evidence_kind(source, kind), title, note)

    @thread_work(group="evidence-copy", exclusive=True)
    def copy_file(self, source: Path, kind: EvidenceKind, title: str, note: str) -> None:
        self._last_percent = -1
        # Its own connection: a long copy must not keep the app's workers waiting.
        with Store.open(self.curator.db_path, create=True) as store:
            evidence_id = store.attach_file(
                self.activity_id,
                source,
                kind=kind,
                title=title,
                note=note,
                progress=self._progressed,
            )
        self.post_message(EvidenceAttached(self.activity_id, evidence_id, title or source.name))

    @thread_work(group="evidence-copy", exclusive=True)
    def attach_link(self, url: str, kind: EvidenceKind, title: str, note: str) -> None:
        with Store.open(self.curator.db_path, create=True) as store:
            evidence_id = store.attach_link(
                self.activity_id, url, kind=kind, title=title, note=note
            )
        self.post_message(EvidenceAttached(self.activity_id, evidence_id, title or url))

    def _progressed(self, done: int, total: int) -> None:
        """Called by the store in the copying thread; passes on whole percents only."""
        percent = done * 100 // total if total else 100
        if percent != self._last_percent:
            self._last_percent = percent
            self.post_message(self.CopyProgressed(done, total))

    def on_evidence_dialog_copy_progressed(self, message: CopyProgressed) -> None:
        self.query_one(ProgressBar).update(total=max(1, message.total), progress=message.done)

    def on_work_failed(self, message: WorkFailed) -> None:
        # Not stopped: the app tells the user; the dialog stays open for another try.
        self._set_busy(False)
        self.query_one(ProgressBar).update(progress=0)

    def on_evidence_attached(self, message: EvidenceAttached) -> None:
        message.stop()
        self.busy = False
        self.dismiss(message.evidence_id)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.set_class(busy, "-busy")
        for button in self.query(Button):
            button.disabled = busy

    @on(Button.Pressed, "#evidence-cancel")
    def action_cancel(self) -> None:
        if self.busy:
            self.notify("Дождитесь конца копирования", severity="warning")
            return
        self.dismiss(None)
