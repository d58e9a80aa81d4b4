"""One activity in full: its fields, schedule, status, conflicts, evidence, notes, visits, the
history of its changes and, for a recurring activity, its occurrences (each with a status of
its own: `r` goes to the list, `s` or Enter there changes the chosen occurrence's status)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from curator_tui.domain.fields import DETAIL_FIELDS, Shown
from curator_tui.domain.models import Schedule, ScheduleKind, Status
from curator_tui.domain.rules import Occurrence, Standing
from curator_tui.domain.safe_text import safe_lines, safe_text
from curator_tui.platform import open_with_system_viewer
from curator_tui.store.projection import REMOVED
from curator_tui.tui.formatting import (
    describe_due,
    describe_operation,
    field_label,
    field_value,
    recurrence_phrase,
    stamp_time,
)
from curator_tui.tui.messages import (
    ActivityUpdated,
    EvidenceRemoved,
    NoteAdded,
    VisitLogged,
)
from curator_tui.tui.rows import parse_status
from curator_tui.tui.screens.actions import ActivityActions, Subject
from curator_tui.tui.screens.modals import ConfirmDialog
from curator_tui.tui.workers import thread_work
from curator_tui.views.detail import ActivityDetail, load_detail
from curator_tui.views.format import numeric_date, span_text

# --- what the screen shows, as Content -------------------------------------------------------


def title_content(activity: dict[str, Any]) -> Content:
    return Content.assemble(
        (f"№ {activity['number'] or '—'}  ", "bold $accent"), safe_text(activity["title"])
    )


def status_content(activity: dict[str, Any], today: date, judged: Standing) -> Content:
    """`judged`: the status and due date the rules judge the activity by (a recurring one's
    from its occurrences), so its marker agrees with the list's."""
    schedule = Schedule.from_json(activity["schedule"])
    due = describe_due(schedule, judged.status, today, judged.due)
    parts: list[Any] = [("Статус: ", "bold"), (judged.status.label, "bold $accent")]
    if due.overdue:
        parts.append(("  ! срок прошёл", "$error bold"))
    elif due.soon:
        parts.append(("  • скоро срок", "$warning bold"))
    parts.append(("   s — изменить", "dim"))
    return Content.assemble(*parts)


def fields_content(detail: ActivityDetail) -> Content:
    activity = detail.activity
    rows: list[tuple[str, str]] = []
    if detail.organisation:
        rows.append(("Организация", detail.organisation))
    rows.append(("Раздел", activity.get("section") or "—"))
    if activity.get("parent_number") or detail.parent_title:
        rows.append(("Входит в", f"№ {activity.get('parent_number') or '—'} {detail.parent_title}"))
    rows += [
        (field.label, activity.get(field.name) or "—")
        for field in DETAIL_FIELDS
        if field.detail is Shown.ALWAYS or activity.get(field.name)
    ]
    rows += [(str(k), str(v)) for k, v in (activity.get("extra") or {}).items()]
    lines = []
    for label, value in rows:
        lines.append(Content.assemble((f"{safe_text(label)}: ", "bold"), safe_lines(value)))
    return Content("\n").join(lines)


def schedule_content(activity: dict[str, Any], today: date) -> Content:
    schedule = Schedule.from_json(activity["schedule"])
    if not schedule.windows:
        return Content.assemble(("Сроки: ", "bold"), "без срока (дат в тексте срока нет)")
    upcoming = schedule.next_window(today)
    head = "Сроки"
    if schedule.kind is ScheduleKind.RECURRING:
        head = f"Сроки ({recurrence_phrase(schedule.rule)})"
    parts: list[Any] = [(f"{head}: ", "bold")]
    for index, window in enumerate(schedule.windows):
        if index:
            parts.append(" · ")
        text = span_text(*window)
        if window == upcoming:
            parts.append((f"▶ {text} (ближайший)", "bold $accent"))
        elif window[1] < today:
            parts.append((text, "dim"))
        else:
            parts.append(text)
    return Content.assemble(*parts)


def warnings_content(activity: dict[str, Any]) -> Content | None:
    warnings = list(activity.get("warnings") or [])
    schedule_warning = Schedule.from_json(activity["schedule"]).warning
    if schedule_warning:
        warnings.append(f"срок: {schedule_warning}")
    if not warnings:
        return None
    lines = [Content.assemble(("Замечания импорта:", "bold $warning"))]
    lines += [Content(f"  • {safe_text(w)}") for w in warnings]
    return Content("\n").join(lines)


def removal_lines(c: dict[str, Any], winner: str, loser: str) -> list[Content]:
    """A removal of evidence against an edit of it made without knowing of the removal."""
    edited = c["edited_field"]
    return [
        Content(
            f"Доказательство удалили, а на другом устройстве, не зная об этом, изменили "
            f"«{field_label(edited)}»:"
        ),
        Content.assemble(
            "  • ", ("удалено", "bold"), f" — {safe_text(winner)}, {stamp_time(c['winner_hlc'])}"
        ),
        Content.assemble(
            "  • ",
            (safe_text(field_value(edited, json.loads(c["loser_value"]))), "bold"),
            f" — {safe_text(loser)}, {stamp_time(c['loser_hlc'])}",
        ),
    ]


def conflicts_content(detail: ActivityDetail) -> Content | None:
    if not detail.conflicts:
        return None
    lines = [Content.assemble(("⚠ Конфликт правок", "bold $error"))]
    for c in detail.conflicts:
        field = c["field"]
        winner = detail.who(None, c["winner_device"])
        loser = detail.who(None, c["loser_device"])
        if c["entity"] == "evidence" and field == REMOVED:
            lines += removal_lines(c, winner, loser)
            continue
        lines.append(
            Content(
                f"«{field_label(field)}» изменили на двух устройствах, не видя правки друг друга:"
            )
        )
        lines.append(
            Content.assemble(
                "  • ",
                (safe_text(field_value(field, json.loads(c["winner_value"]))), "bold"),
                f" — {safe_text(winner)}, {stamp_time(c['winner_hlc'])} (действует)",
            )
        )
        lines.append(
            Content.assemble(
                "  • ",
                (safe_text(field_value(field, json.loads(c["loser_value"]))), "bold"),
                f" — {safe_text(loser)}, {stamp_time(c['loser_hlc'])}",
            )
        )
    lines.append(Content.styled("Выберите значение ещё раз, чтобы снять конфликт.", "dim"))
    return Content("\n").join(lines)


def notes_content(detail: ActivityDetail) -> Content:
    notes = detail.notes
    if not notes:
        return Content.styled("Заметок нет (n — добавить)", "dim")
    lines = []
    for note in notes:
        who = detail.who(note.get("device_name"), note["device_id"])
        lines.append(
            Content.assemble(
                (f"{stamp_time(note['origin_hlc'])} · {safe_text(who)}: ", "dim"),
                safe_lines(note["text"]),
            )
        )
    return Content("\n").join(lines)


def visits_content(visits: list[dict[str, Any]]) -> Content:
    if not visits:
        return Content.styled("Визитов, где обсуждали это мероприятие, нет (v — записать)", "dim")
    lines = []
    for visit in visits:
        day = numeric_date(date.fromisoformat(visit["visit_date"]))
        parts: list[Any] = [(day, "bold")]
        if visit["participants"]:
            parts.append(f" · участники: {safe_text(visit['participants'])}")
        if visit["notes"]:
            parts.append(f" · {safe_lines(visit['notes'])}")
        lines.append(Content.assemble(*parts))
    return Content("\n").join(lines)


def history_content(detail: ActivityDetail) -> Content:
    lines = []
    activity_id = detail.activity["id"]
    for op in detail.history:
        who = detail.who(op.get("device_name"), op["device_id"])
        lines.append(
            Content.assemble(
                (f"{stamp_time(op['hlc'])} · {safe_text(who)} · ", "dim"),
                safe_lines(describe_operation(op, activity_id)),
            )
        )
    return Content("\n").join(lines) if lines else Content.styled("Изменений нет", "dim")


def occurrence_text(occurrence: Occurrence, today: date) -> Content:
    """«январь 2026 · Выполнено», the current one marked, those ahead dim."""
    parts: list[Any] = [(occurrence.label, "bold"), f" · {occurrence.status.label}"]
    if occurrence.start <= today <= occurrence.end:
        parts.append(("  ◀ сейчас", "$accent"))
    text = Content.assemble(*parts)
    return text.stylize("dim") if occurrence.start > today else text


class DetailScreen(ActivityActions):
    CSS_PATH = "../detail.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Назад", id="detail.back"),
        Binding("s", "change_status", "Статус", id="detail.status"),
        Binding("n", "note", "Заметка", id="detail.note"),
        Binding("e", "attach", "Доказательство", id="detail.evidence"),
        Binding("v", "visit", "Визит", id="detail.visit"),
        Binding("o", "open_evidence", "Открыть файл", id="detail.open_evidence"),
        Binding("delete", "remove_evidence", "Удалить доказательство", id="detail.remove"),
        Binding("r", "occurrences", "Повторения", show=False, id="detail.occurrences"),
        Binding("ctrl+r", "refresh", "Обновить", show=False, id="detail.refresh"),
    ]

    class DetailLoaded(Message):
        def __init__(self, detail: ActivityDetail | None) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self, activity_id: str) -> None:
        super().__init__()
        self.activity_id = activity_id
        self.detail: ActivityDetail | None = None

    def compose(self) -> ComposeResult:
        yield Static("Загрузка…", id="detail-title")
        with VerticalScroll(id="detail-body"):
            yield Static(id="detail-status")
            yield Static(id="detail-conflicts", classes="conflicts")
            yield Static(id="detail-fields")
            yield Static(id="detail-schedule")
            yield Static(id="detail-warnings", classes="warnings")
            yield Label("Доказательства", classes="detail-heading", id="evidence-heading")
            yield OptionList(id="evidence-list")
            yield Label("Заметки о ходе выполнения", classes="detail-heading")
            yield Static(id="detail-notes")
            yield Label("Визиты", classes="detail-heading")
            yield Static(id="detail-visits")
            yield Label("История изменений", classes="detail-heading")
            yield Static(id="detail-history")
            # Below everything else: the card of a non-recurring activity is as it was.
            yield Label("Повторения", classes="detail-heading", id="occurrence-heading")
            yield OptionList(id="occurrence-list")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#detail-body").focus()

    def on_screen_resume(self) -> None:
        self.reload()

    @thread_work(group="detail", exclusive=True)
    def reload(self) -> None:
        detail = self.curator.with_store(lambda store: load_detail(store, self.activity_id))
        self.post_message(self.DetailLoaded(detail))

    def on_detail_screen_detail_loaded(self, message: DetailLoaded) -> None:
        detail = message.detail
        if detail is None:
            self.query_one("#detail-title", Static).update("Мероприятие не найдено")
            return
        self.detail = detail
        today = self.curator.today
        activity = detail.activity
        self.query_one("#detail-title", Static).update(title_content(activity))
        judged = detail.standing(today)
        self.query_one("#detail-status", Static).update(status_content(activity, today, judged))
        self._show_optional("#detail-conflicts", conflicts_content(detail))
        self.query_one("#detail-fields", Static).update(fields_content(detail))
        self.query_one("#detail-schedule", Static).update(schedule_content(activity, today))
        self._show_optional("#detail-warnings", warnings_content(activity))
        self._show_evidence(detail)
        self.query_one("#detail-notes", Static).update(notes_content(detail))
        self.query_one("#detail-visits", Static).update(visits_content(detail.visits))
        self.query_one("#detail-history", Static).update(history_content(detail))
        self._show_occurrences(detail, today)

    def _show_optional(self, selector: str, content: Content | None) -> None:
        widget = self.query_one(selector, Static)
        widget.display = content is not None
        widget.update(content or "")

    def _show_evidence(self, detail: ActivityDetail) -> None:
        options = self.query_one("#evidence-list", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options(
            [
                Option(Content(safe_text(detail.evidence_text(e))), id=e["id"])
                for e in detail.evidence
            ]
        )
        options.display = bool(detail.evidence)
        self.query_one("#evidence-heading", Label).set_class(not detail.evidence, "-empty")
        heading = f"Доказательства ({len(detail.evidence)})"
        if not detail.evidence:
            heading += " — нет (e — добавить)"
        else:
            heading += " — Enter/o открыть, Del удалить"
        self.query_one("#evidence-heading", Label).update(heading)
        if detail.evidence:
            options.highlighted = min(highlighted or 0, len(detail.evidence) - 1)

    def _show_occurrences(self, detail: ActivityDetail, today: date) -> None:
        options = self.query_one("#occurrence-list", OptionList)
        heading = self.query_one("#occurrence-heading", Label)
        options.display = heading.display = bool(detail.occurrences)
        if not detail.occurrences:
            return
        highlighted = options.highlighted
        options.clear_options()
        options.add_options(
            [Option(occurrence_text(o, today), id=o.id) for o in detail.occurrences]
        )
        done = sum(o.status is Status.DONE for o in detail.occurrences)
        heading.update(
            f"Повторения ({done} из {len(detail.occurrences)} выполнено) — "
            "r выбрать, s/Enter изменить статус"
        )
        if highlighted is None:
            current = next((i for i, o in enumerate(detail.occurrences) if o.end >= today), 0)
            highlighted = current
        options.highlighted = min(highlighted, len(detail.occurrences) - 1)

    # --- actions ------------------------------------------------------------------------------

    def action_occurrences(self) -> None:
        if self.detail is None or not self.detail.occurrences:
            self.notify("Мероприятие не повторяется: у него нет повторений", severity="warning")
            return
        self.query_one("#occurrence-list", OptionList).focus()

    def focused_occurrence(self) -> Occurrence | None:
        """The occurrence chosen in the list, when the list has the focus."""
        options = self.query_one("#occurrence-list", OptionList)
        if self.detail is None or not self.detail.occurrences or self.focused is not options:
            return None
        index = options.highlighted or 0
        return self.detail.occurrences[min(index, len(self.detail.occurrences) - 1)]

    def action_change_status(self) -> None:
        occurrence = self.focused_occurrence()
        if occurrence is None:
            super().action_change_status()
            return
        self.ask_occurrence_status(occurrence)

    @on(OptionList.OptionSelected, "#occurrence-list")
    def occurrence_chosen(self) -> None:
        occurrence = self.focused_occurrence()
        if occurrence is not None:
            self.ask_occurrence_status(occurrence)

    def ask_occurrence_status(self, occurrence: Occurrence) -> None:
        from curator_tui.tui.screens.modals import StatusPicker

        subject = self.subject()
        if subject is None:
            return

        def picked(status: Status | None) -> None:
            if status is not None and status is not occurrence.status:
                self.save_occurrence_status(occurrence, status)

        label = f"{subject.label} · {occurrence.label}"
        self.app.push_screen(StatusPicker(occurrence.status, label), picked)

    @thread_work(group="write")
    def save_occurrence_status(self, occurrence: Occurrence, status: Status) -> None:
        self.curator.with_store(lambda store: store.set_occurrence_status(occurrence, status))
        number = self.detail.activity["number"] if self.detail else ""
        summary = f"№ {number or '—'}, {occurrence.label}: статус «{status.label}»"
        self.post_message(ActivityUpdated(occurrence.activity_id, summary))

    def subject(self) -> Subject | None:
        if self.detail is None:
            return None
        a = self.detail.activity
        return Subject(a["id"], a["roadmap_id"], a["number"], a["title"], parse_status(a["status"]))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_refresh(self) -> None:
        self.reload()

    def _chosen_evidence(self) -> dict[str, Any] | None:
        if self.detail is None or not self.detail.evidence:
            self.notify("У мероприятия нет доказательств", severity="warning")
            return None
        index = self.query_one("#evidence-list", OptionList).highlighted or 0
        return self.detail.evidence[min(index, len(self.detail.evidence) - 1)]

    @on(OptionList.OptionSelected, "#evidence-list")
    def action_open_evidence(self) -> None:
        item = self._chosen_evidence()
        if item is None or self.detail is None:
            return
        target = self.detail.evidence_target(item)
        if not target:
            self.notify("Файл этого доказательства ещё не получен на этом компьютере")
            return
        if not open_with_system_viewer(Path(target)):
            self.notify(
                f"Нет программы для просмотра этого файла. Файл: {target}",
                title="Не открыть",
                severity="warning",
                timeout=15,
            )
            return
        self.notify(f"Открывается: {item['title']}")

    def action_remove_evidence(self) -> None:
        item = self._chosen_evidence()
        if item is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.remove_evidence(item["id"])

        self.app.push_screen(
            ConfirmDialog(
                f"Удалить доказательство «{item['title']}»?",
                "Запись будет помечена удалённой в журнале изменений.",
                yes="Удалить",
            ),
            answered,
        )

    @thread_work(group="write")
    def remove_evidence(self, evidence_id: str) -> None:
        self.curator.with_store(lambda store: store.remove_evidence(evidence_id))
        self.post_message(EvidenceRemoved(self.activity_id, evidence_id))

    def on_evidence_removed(self, message: EvidenceRemoved) -> None:
        self.notify("Доказательство удалено")
        self.reload()

    def on_activity_updated(self, message: ActivityUpdated) -> None:
        self.notify(message.summary)
        self.reload()

    def on_note_added(self, message: NoteAdded) -> None:
        self.notify("Заметка сохранена")
        self.reload()

    def on_visit_logged(self, message: VisitLogged) -> None:
        # Textual runs the mixin's handler too (every class's, along the MRO): it tells the
        # user; calling it here as well showed the notification twice.
        self.reload()
