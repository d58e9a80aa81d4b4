"""«Обмен данными»: write a signed bundle to a USB stick, verify and import bundles, history.

Every bundle run (export, verify, import) happens in a thread worker on a connection of its
own (the sync layer opens it), reporting progress by messages, so the app never freezes.
An import always goes in two steps: first `verify_bundle` shows who signed what and every
problem, and only then, when the user confirms, `import_bundles` merges the bundles that
would be accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    Button,
    DataTable,
    DirectoryTree,
    Footer,
    Input,
    Label,
    ProgressBar,
    Static,
    Switch,
    TabbedContent,
    TabPane,
    Tabs,
)

from curator_tui.domain.safe_text import safe_text
from curator_tui.platform import find_medium, start_directory, user_path
from curator_tui.services import FolderImport, import_folder, is_bundle, own_fingerprint
from curator_tui.store.peer_knowledge import gap_lines, unsent_count
from curator_tui.store.store import Store
from curator_tui.store.sync_state import (
    RESULT_ACCEPTED,
    RESULT_ALREADY,
    RESULT_REFUSED,
    import_history,
)
from curator_tui.sync.bundles import SyncProgress
from curator_tui.sync.exporting import ExportOptions, ExportResult, export_bundle
from curator_tui.sync.importing import BundleReport, Outcome, import_bundles, verify_bundle
from curator_tui.sync.replica import coordinator_recipient
from curator_tui.tui.context import Curator, curator_of
from curator_tui.tui.messages import WorkFailed
from curator_tui.tui.workers import thread_work
from curator_tui.views.bundles import (
    BundleReportView,
    bundle_report_view,
    export_view,
    untrusted_signer_line,
)
from curator_tui.views.folder_import import folder_row, folder_totals
from curator_tui.views.format import local_time_of_utc_stamp

RUN_GROUP = "sync-run"  # the worker group of export, verify and import: one at a time

RESULT_LABELS = {
    RESULT_ACCEPTED: "принят",
    RESULT_ALREADY: "уже был",
    RESULT_REFUSED: "отклонён",
}


# --- pure helpers (tested without the UI) ---------------------------------------------------


def export_lines(result: ExportResult) -> list[str]:
    """What went into a bundle and what was left out, for people."""
    view = export_view(result)
    lines: list[str] = []
    if view.path is None:
        lines.append(view.message)
    else:
        lines += [
            f"Пакет записан: {view.path.name} ({view.bundle_size}, {view.kind})",
            f"Папка: {view.path.parent}",
            *([f"Пакет {view.receiver}"] if view.receiver else []),
            f"Изменений: {view.ops}",
            f"Файлов доказательств: {view.evidence}",
        ]
        lines += [f"Организация: {organisation}" for organisation in view.organisations]
        lines += [f"Устройство {device_id[:8]}: {span}" for device_id, span in view.ranges]
    lines += [f"Не включено: {omitted}" for omitted in view.omitted]
    return lines


def delivery_lines(store: Store) -> list[str]:
    """What the coordinator has not acknowledged yet, and the gaps in what this file holds."""
    lines = []
    unsent = unsent_count(store.conn)
    if unsent is not None:
        lines.append(f"Не выгружено (нет подтверждения от координатора): {unsent}")
    return lines + gap_lines(store.conn)


def report_lines(view: BundleReportView, own_key: str | None = None) -> list[str]:
    """The verification report of one bundle, as the CLI's `verify` prints it."""
    lines = [f"Пакет: {view.path.name}{view.encrypted_mark}"]
    if view.signer is not None:
        lines += [f"Подписал: {view.signer.who}", f"  ключ: {view.signer.fingerprint}"]
    elif view.untrusted_key:
        lines.append(untrusted_signer_line(view.untrusted_key, own_key))
    contents = view.contents
    if contents is not None:
        lines += [
            f"Вид: {contents.kind}; создан {contents.created}",
            f"Устройство: {contents.device}",
        ]
        lines += [f"Организация: {organisation}" for organisation in contents.organisations]
        lines.append(f"Изменений: {contents.ops}")
        lines += [f"  {line}" for line in contents.op_lines]
        lines.append(f"Файлов доказательств: {contents.evidence}")
    lines += [f"  {problem}" for problem in view.problems]
    return lines


def import_lines(view: BundleReportView) -> list[str]:
    """What importing one bundle came to."""
    return [f"Пакет: {view.path.name}", f"Итог: {view.message}"] + [
        f"  {problem}" for problem in view.problems
    ]


def history_row(row: dict[str, Any]) -> tuple[str, str, str, str, str]:
    counts = row.get("counts") or {}
    applied = counts.get("applied")
    return (
        local_time_of_utc_stamp(str(row.get("imported_at") or "")),
        str(row.get("signer") or "—"),
        RESULT_LABELS.get(str(row.get("result")), str(row.get("result") or "")),
        "—" if applied is None else str(applied),
        str(row.get("message") or ""),
    )


def as_content(lines: Iterable[str]) -> Content:
    """Plain text (file and school names may hold «[»): never parsed as markup, and no
    control character from a bundle reaches the terminal."""
    return Content("\n".join(safe_text(line) for line in lines))


# --- messages -------------------------------------------------------------------------------


class BundleImported(Message):
    """Bundles were merged into this replica: lists and counts must be read again."""

    def __init__(self, applied: int, bundles: int) -> None:
        super().__init__()
        self.applied = applied
        self.bundles = bundles


class BundleTree(DirectoryTree):
    """Folders and bundle files only (.curator, .curator.age)."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [p for p in paths if not p.name.startswith(".") and (p.is_dir() or is_bundle(p))]


# --- the screen -----------------------------------------------------------------------------


class SyncScreen(Screen[None]):
    CSS_PATH = "../sync.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Назад", id="sync.back"),
        Binding("ctrl+s", "export", "Выгрузить", id="sync.export"),
        Binding("ctrl+r", "verify", "Проверить пакеты", id="sync.verify"),
        Binding("ctrl+y", "confirm_import", "Импортировать", id="sync.import"),
        Binding(
            "ctrl+o", "import_folder", "Импорт всей папки", show=False, id="sync.import_folder"
        ),
        Binding("f6", "show_tab('sync-export')", "Выгрузка", show=False, id="sync.tab_export"),
        Binding("f7", "show_tab('sync-import')", "Загрузка", show=False, id="sync.tab_import"),
        Binding("f8", "show_tab('sync-history')", "История", show=False, id="sync.tab_history"),
    ]

    class Progressed(Message):
        def __init__(self, target: str, step: SyncProgress) -> None:
            super().__init__()
            self.target = target  # "export" or "import"
            self.step = step

    class Exported(Message):
        def __init__(self, result: ExportResult) -> None:
            super().__init__()
            self.result = result

    class Verified(Message):
        def __init__(self, reports: list[BundleReport], own_key: str | None) -> None:
            super().__init__()
            self.reports = reports
            self.own_key = own_key

    class Imported(Message):
        def __init__(self, reports: list[BundleReport]) -> None:
            super().__init__()
            self.reports = reports

    class FolderImported(Message):
        def __init__(self, done: FolderImport, own_key: str | None) -> None:
            super().__init__()
            self.done = done
            self.own_key = own_key  # this replica's fingerprint: its own bundles are named so

    class StateLoaded(Message):
        def __init__(self, lines: list[str]) -> None:
            super().__init__()
            self.lines = lines

    class HistoryLoaded(Message):
        def __init__(self, rows: list[dict[str, Any]]) -> None:
            super().__init__()
            self.rows = rows

    def __init__(self) -> None:
        super().__init__()
        self.busy = False
        self.chosen: list[Path] = []
        self.verified: list[BundleReport] = []
        self._last_step: tuple[str, int] | None = None
        self._run_target = "export"  # which panel the current (or last) run reports in
        self._stage_prefix = ""  # «Пакет 3 из 12 (…): » while a folder is imported

    @property
    def curator(self) -> Curator:
        return curator_of(self.app)

    def compose(self) -> ComposeResult:
        medium = find_medium(self.curator.media_roots)
        remembered = self.curator.settings
        # A coordinator key trusted from its `keys export` file: encrypted to it by default.
        coordinator = coordinator_recipient(self.curator.db_path)
        folder = remembered.export_folder
        if not (folder and Path(folder).is_dir()):  # a stick from last time may be gone
            folder = str(medium) if medium else ""
        yield Label("Обмен данными", id="sync-title")
        with TabbedContent(initial="sync-export", id="sync-tabs"):
            with TabPane("Выгрузка", id="sync-export"):
                yield Label(
                    "Пакет с изменениями этой базы для координатора: подписан ключом устройства.",
                    classes="sync-hint",
                )
                yield Static("", id="export-state")
                yield Label("Для кого (пусто — координатор):", classes="sync-label")
                yield Input(
                    placeholder="id устройства или имя из списка доверия",
                    id="export-for",
                    compact=True,
                )
                yield Label("Куда записать пакет:", classes="sync-label")
                yield Input(
                    value=folder,
                    placeholder="Папка (пусто: флешка, иначе exports/ или «Документы»)",
                    id="export-destination",
                    compact=True,
                )
                with Horizontal(classes="sync-switch-row"):
                    yield Switch(value=False, id="export-full")
                    yield Label("Полная выгрузка (все изменения, а не только новые)")
                with Horizontal(classes="sync-switch-row"):
                    yield Switch(value=coordinator is not None, id="export-encrypt")
                    yield Label("Зашифровать для координатора")
                yield Input(
                    value=coordinator or remembered.recipient or "",
                    placeholder="Получатель age1… (покажет curator keys show у координатора)",
                    id="export-recipient",
                    disabled=coordinator is None,
                    compact=True,
                )
                with Horizontal(classes="sync-buttons"):
                    yield Button("Выгрузить", variant="primary", id="export-start", compact=True)
                yield Label("", id="export-stage", classes="sync-stage")
                yield ProgressBar(total=100, show_eta=False, id="export-progress")
                with VerticalScroll(classes="sync-result"):
                    yield Static("", id="export-result")
            with TabPane("Загрузка", id="sync-import"):
                yield Input(
                    placeholder="Путь к пакету или папке; Enter — добавить пакет",
                    id="import-path",
                    compact=True,
                )
                yield BundleTree(start_directory(self.curator.media_roots), id="import-tree")
                yield Static("Пакеты не выбраны", id="import-chosen")
                with Horizontal(classes="sync-buttons"):
                    yield Button("Проверить", variant="primary", id="import-verify", compact=True)
                    yield Button(
                        "Импортировать",
                        variant="success",
                        id="import-confirm",
                        disabled=True,
                        compact=True,
                    )
                    yield Button("Очистить выбор", id="import-clear", compact=True)
                    yield Button("Вся папка (Ctrl+O)", id="import-folder", compact=True)
                yield Label("", id="import-stage", classes="sync-stage")
                yield ProgressBar(total=100, show_eta=False, id="import-progress")
                with VerticalScroll(classes="sync-result"):
                    yield Static("", id="import-report")
            with TabPane("История", id="sync-history"):
                yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#history-table", DataTable)
        table.add_columns("Когда", "Подписал", "Итог", "Новых изменений", "Сообщение")
        self.load_history()
        self.load_state()

    # --- navigation ---------------------------------------------------------------------

    def action_back(self) -> None:
        if self.busy:
            self.notify("Дождитесь окончания обмена", severity="warning")
            return
        self.dismiss(None)

    def action_show_tab(self, tab: str) -> None:
        tabs = self.query_one(TabbedContent)
        if tabs.active == tab:
            return
        # A focused field in the pane being left would take the focus to its neighbour there,
        # and TabbedContent shows the pane of whatever gains focus: F6–F8 would do nothing.
        self.query_one(Tabs).focus()
        tabs.active = tab

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.set_class(busy, "-busy")
        for button in self.query(Button):
            button.disabled = busy
        if not busy:
            self._update_confirm()

    def _update_confirm(self) -> None:
        ready = any(r.outcome is Outcome.VERIFIED for r in self.verified)
        self.query_one("#import-confirm", Button).disabled = self.busy or not ready

    # --- export -------------------------------------------------------------------------

    @on(Switch.Changed, "#export-encrypt")
    def encrypt_toggled(self, event: Switch.Changed) -> None:
        recipient = self.query_one("#export-recipient", Input)
        recipient.disabled = not event.value
        if event.value:
            recipient.focus()

    @on(Button.Pressed, "#export-start")
    def action_export(self) -> None:
        if self.busy:
            return
        self.action_show_tab("sync-export")
        destination = self.query_one("#export-destination", Input).value.strip()
        encrypt = self.query_one("#export-encrypt", Switch).value
        recipient = self.query_one("#export-recipient", Input).value.strip()
        if encrypt and not recipient:
            self.notify("Укажите получателя шифрования age1…", severity="warning")
            return
        receiver = self.query_one("#export-for", Input).value.strip()
        options = ExportOptions(
            destination=user_path(destination) if destination else None,
            full=self.query_one("#export-full", Switch).value,
            encrypt_to=recipient if encrypt else None,
            receiver=receiver or None,
        )
        self.query_one("#export-result", Static).update("")
        self._start("export")
        self.run_export(options)
        # Kept for next time: the folder as typed, the recipient only once it was used.
        self.curator.remember(export_folder=destination or None)
        if encrypt:
            self.curator.remember(recipient=recipient)

    @thread_work(group=RUN_GROUP, exclusive=True)
    def run_export(self, options: ExportOptions) -> None:
        result = export_bundle(self.curator.db_path, options, self._progress("export"))
        self.post_message(self.Exported(result))

    def on_sync_screen_exported(self, message: Exported) -> None:
        self._finish("export")
        result = message.result
        self.query_one("#export-result", Static).update(as_content(export_lines(result)))
        self.notify(result.message, title="Выгрузка", timeout=10, markup=False)
        self.load_state()

    # --- import: choose, verify, confirm ----------------------------------------------------

    @on(DirectoryTree.FileSelected, "#import-tree")
    def file_chosen(self, event: DirectoryTree.FileSelected) -> None:
        self._choose(event.path)

    @on(Input.Submitted, "#import-path")
    def path_typed(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        path = user_path(text)
        if path.is_dir():
            self.notify(
                f"Это папка: {path}. «Вся папка» (Ctrl+O) импортирует все пакеты из неё",
                markup=False,
            )
            return
        if not path.is_file():
            self.notify(f"Файл не найден: {path}", severity="warning", markup=False)
            return
        event.input.value = ""
        self._choose(path)

    def _choose(self, path: Path) -> None:
        if self.busy:
            return
        if path not in self.chosen:
            self.chosen.append(path)
        self._selection_changed()

    @on(Button.Pressed, "#import-clear")
    def clear_choice(self) -> None:
        if self.busy:
            return
        self.chosen.clear()
        self._selection_changed()

    def _selection_changed(self) -> None:
        self.verified = []
        self.query_one("#import-report", Static).update("")
        names = ", ".join(p.name for p in self.chosen)
        self.query_one("#import-chosen", Static).update(
            Content(safe_text(f"Выбрано: {names}")) if self.chosen else "Пакеты не выбраны"
        )
        self._update_confirm()

    @on(Button.Pressed, "#import-verify")
    def action_verify(self) -> None:
        if self.busy:
            return
        self.action_show_tab("sync-import")
        typed = self.query_one("#import-path", Input).value.strip()
        if typed and user_path(typed).is_file():
            self.query_one("#import-path", Input).value = ""
            self._choose(user_path(typed))
        if not self.chosen:
            self.notify("Выберите файл пакета (.curator или .curator.age)", severity="warning")
            return
        self.verified = []
        self._update_confirm()
        self._start("import")
        self.run_verify(list(self.chosen))

    @thread_work(group=RUN_GROUP, exclusive=True)
    def run_verify(self, paths: list[Path]) -> None:
        reports = []
        for path in paths:
            reports.append(
                verify_bundle(
                    self.curator.db_path,
                    path,
                    self._progress("import"),
                    today=self.curator.today,
                )
            )
        self.post_message(self.Verified(reports, own_fingerprint(self.curator.db_path)))

    def on_sync_screen_verified(self, message: Verified) -> None:
        self.verified = message.reports
        self._finish("import")
        good = [r for r in message.reports if r.outcome is Outcome.VERIFIED]
        lines: list[str] = []
        for view in map(bundle_report_view, message.reports):
            lines += [*report_lines(view, message.own_key), view.verdict, ""]
        if good:
            lines.append(
                f"Будет импортировано пакетов: {len(good)} из {len(message.reports)}. "
                "Нажмите «Импортировать» (Ctrl+Y)."
            )
        else:
            lines.append("Импортировать нечего: база не изменится.")
        self.query_one("#import-report", Static).update(as_content(lines))

    @on(Button.Pressed, "#import-confirm")
    def action_confirm_import(self) -> None:
        if self.busy:
            return
        paths = [r.path for r in self.verified if r.outcome is Outcome.VERIFIED]
        if not paths:
            loaded = self.verified and all(r.outcome is Outcome.ALREADY for r in self.verified)
            self.notify(
                "Этот пакет уже загружен: повтор ничего не изменит"
                if loaded
                else "Сначала проверьте пакеты: импортируется только принятый пакет"
            )
            return
        self._start("import")
        self.run_import(paths)

    @thread_work(group=RUN_GROUP, exclusive=True)
    def run_import(self, paths: list[Path]) -> None:
        reports = import_bundles(
            self.curator.db_path, paths, self._progress("import"), today=self.curator.today
        )
        self.post_message(self.Imported(reports))

    def on_sync_screen_imported(self, message: Imported) -> None:
        self.verified = []
        self.chosen.clear()
        self._finish("import")
        lines: list[str] = []
        for view in map(bundle_report_view, message.reports):
            lines += [*import_lines(view), ""]
        self.query_one("#import-report", Static).update(as_content(lines))
        self.query_one("#import-chosen", Static).update("Пакеты не выбраны")
        accepted = [r for r in message.reports if r.outcome is Outcome.ACCEPTED]
        applied = sum(r.applied for r in accepted)
        if accepted:
            self.post_message(BundleImported(applied, len(accepted)))
        summary = "; ".join(r.message for r in message.reports)
        self.notify(
            summary,
            title="Импорт",
            severity="information" if accepted else "warning",
            markup=False,
        )
        self.load_history()
        self.load_state()

    # --- a whole folder at once -----------------------------------------------------------

    @on(Button.Pressed, "#import-folder")
    def action_import_folder(self) -> None:
        if self.busy:
            return
        self.action_show_tab("sync-import")
        folder = self._folder_to_import()
        if folder is None:
            return
        self.query_one("#import-path", Input).value = ""
        self.query_one("#import-report", Static).update("")
        self._start("import")
        self.run_folder_import(folder)

    def _folder_to_import(self) -> Path | None:
        """The folder typed in the path field, else the one under the tree's cursor (a file's
        own folder), else the folder the tree shows."""
        typed = self.query_one("#import-path", Input).value.strip()
        if typed:
            path = user_path(typed)
            if not path.is_dir():
                self.notify(
                    f"Папка не найдена: {path}. Укажите папку или очистите поле",
                    severity="warning",
                    markup=False,
                )
                return None
            return path
        tree = self.query_one("#import-tree", BundleTree)
        node = tree.cursor_node
        if node is not None and node.data is not None:
            path = Path(node.data.path)
            return path if path.is_dir() else path.parent
        return Path(tree.path)

    @thread_work(group=RUN_GROUP, exclusive=True)
    def run_folder_import(self, folder: Path) -> None:
        def each_file(number: int, total: int, path: Path) -> None:
            self._stage_prefix = f"Пакет {number} из {total} ({path.name}): "

        done = import_folder(
            self.curator.db_path,
            folder,
            self._progress("import"),
            today=self.curator.today,
            each_file=each_file,
        )
        self.post_message(self.FolderImported(done, own_fingerprint(self.curator.db_path)))

    def on_sync_screen_folder_imported(self, message: FolderImported) -> None:
        from curator_tui.tui.screens.folder_import import FolderImportScreen

        self._stage_prefix = ""
        self._finish("import")
        done = message.done
        rows = [folder_row(report, message.own_key) for report in done.reports]
        accepted = [r for r in done.reports if r.outcome is Outcome.ACCEPTED]
        if accepted:
            self.post_message(BundleImported(sum(r.applied for r in accepted), len(accepted)))
        summary = folder_totals(rows) if rows else "В папке нет пакетов (.curator, .curator.age)"
        self.query_one("#import-report", Static).update(
            as_content([f"Папка: {done.folder}", summary])
        )
        self.load_history()
        self.load_state()
        if rows:
            self.app.push_screen(FolderImportScreen(done.folder, rows, done.skipped))
        else:
            self.notify(summary, title="Импорт папки", severity="warning", markup=False)

    # --- what is still to deliver ---------------------------------------------------------

    @thread_work(group="sync-state", exclusive=True)
    def load_state(self) -> None:
        self.post_message(self.StateLoaded(self.curator.with_store(delivery_lines)))

    def on_sync_screen_state_loaded(self, message: StateLoaded) -> None:
        self.query_one("#export-state", Static).update(as_content(message.lines))

    # --- history ------------------------------------------------------------------------

    @thread_work(group="sync-history", exclusive=True)
    def load_history(self) -> None:
        self.post_message(self.HistoryLoaded(self.curator.with_store(import_history)))

    def on_sync_screen_history_loaded(self, message: HistoryLoaded) -> None:
        table = self.query_one("#history-table", DataTable)
        table.clear()
        for row in message.rows:
            table.add_row(*(Text(safe_text(cell)) for cell in history_row(row)))

    # --- progress and failures (shared by all runs) ----------------------------------------

    def _progress(self, target: str) -> Callable[[SyncProgress], None]:
        """Called in the worker thread; passes on whole percents and stage changes only."""

        def report(step: SyncProgress) -> None:
            key = (step.stage, int(step.fraction * 100))
            if key != self._last_step:
                self._last_step = key
                self.post_message(self.Progressed(target, step))

        return report

    def on_sync_screen_progressed(self, message: Progressed) -> None:
        step = message.step
        stage = self.query_one(f"#{message.target}-stage", Label)
        stage.update(Content(safe_text(self._stage_prefix + step.label + "…")))
        bar = self.query_one(f"#{message.target}-progress", ProgressBar)
        bar.update(total=max(1, step.total), progress=min(step.done, max(1, step.total)))

    def on_work_failed(self, message: WorkFailed) -> None:
        # Not stopped: the app tells the user; the panel of the failed run says it too.
        if message.group != RUN_GROUP:
            return
        self._finish(self._run_target)
        result_id = "#export-result" if self._run_target == "export" else "#import-report"
        self.query_one(result_id, Static).update(as_content([f"Ошибка: {message.text}"]))

    def _start(self, target: str) -> None:
        self._run_target = target
        self._last_step = None
        self._set_busy(True)
        self.query_one(f"#{target}-stage", Label).update("Подготовка…")
        self.query_one(f"#{target}-progress", ProgressBar).update(total=100, progress=0)

    def _finish(self, target: str) -> None:
        self._set_busy(False)
        self.query_one(f"#{target}-stage", Label).update("")
        bar = self.query_one(f"#{target}-progress", ProgressBar)
        bar.update(total=100, progress=100)
