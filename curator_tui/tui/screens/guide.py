"""The guides per role (docs/guide-*.md) read in the app: one tab per role, the user's first.

The same files a user can open from the checkout or the wheel (`curator_tui/_guides`), so the
guide in the app and the one on paper never differ.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Markdown, TabbedContent, TabPane, Tabs

# (role, tab title); the file is docs/guide-<role>.md
GUIDES = (
    ("director", "Директор школы"),
    ("curator", "Куратор"),
    ("coordinator", "Координатор"),
)


def guides_dir() -> Path:
    """docs/ in a checkout, or the guides' copy inside the installed wheel."""
    packaged = resources.files("curator_tui") / "_guides"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "docs"


def guide_text(role: str) -> str:
    path = guides_dir() / f"guide-{role}.md"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return f"Руководство не найдено: {path}"


class GuideScreen(ModalScreen[None]):
    CSS_PATH = "../dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Закрыть руководство", id="guide.close"),
        Binding("f6", "show('director')", "Директор", show=False, id="guide.director"),
        Binding("f7", "show('curator')", "Куратор", show=False, id="guide.curator"),
        Binding("f8", "show('coordinator')", "Координатор", show=False, id="guide.coordinator"),
    ]

    def __init__(self, role: str = "director") -> None:
        super().__init__()
        self.role = role

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="guide-dialog"):
            yield Label(
                "Руководство · F6, F7, F8 — роль · Esc — закрыть",
                classes="dialog-title",
            )
            with TabbedContent(initial=f"guide-{self.role}", id="guide-tabs"):
                for role, title in GUIDES:
                    with TabPane(title, id=f"guide-{role}"), VerticalScroll(classes="guide-text"):
                        yield Markdown(guide_text(role), open_links=False)

    def on_mount(self) -> None:
        self.query_one(f"#guide-{self.role} VerticalScroll").focus()

    def action_show(self, role: str) -> None:
        self.query_one(Tabs).focus()
        self.query_one(TabbedContent).active = f"guide-{role}"
        self.query_one(f"#guide-{role} VerticalScroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
