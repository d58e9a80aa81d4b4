"""What the activity list and the school table share: a title line over one line per row,
and a cursor moved by arrows, pages, Home/End and Enter."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import events
from textual.scroll_view import ScrollView


class CursorView(ScrollView, can_focus=True):
    """A virtual view (Line API) with a row cursor; subclasses draw and page the rows.

    Subclasses provide `row_count`, `current_row`, an `Opened` message, and how the view
    sizes itself and scrolls the cursor into sight.
    """

    # Lines of the previous page kept in sight after PgUp/PgDn.
    PAGE_OVERLAP: ClassVar[int] = 1
    cursor: int

    @property
    def row_count(self) -> int:
        raise NotImplementedError

    @property
    def current_row(self) -> Any:
        raise NotImplementedError

    def _refresh_virtual_size(self) -> None:
        raise NotImplementedError

    def _scroll_to_cursor(self) -> None:
        raise NotImplementedError

    def _body_height(self) -> int:
        """Lines for rows: all but the column titles."""
        return max(1, self.scrollable_content_region.height - 1)

    def on_resize(self, _event: events.Resize) -> None:
        self._refresh_virtual_size()
        self._scroll_to_cursor()

    def move_cursor(self, index: int) -> None:
        if not self.row_count:
            return
        self.cursor = max(0, min(index, self.row_count - 1))
        self._refresh_virtual_size()
        self._scroll_to_cursor()
        self.refresh()

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor - max(1, self._body_height() - self.PAGE_OVERLAP))

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor + max(1, self._body_height() - self.PAGE_OVERLAP))

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(self.row_count - 1)

    def action_open(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.Opened(row))  # type: ignore[attr-defined]
