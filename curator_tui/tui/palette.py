"""The command palette in Russian: Textual's own words in it («No matches found», the theme
search's placeholder) are English, and only a subclass can change them.

Imported only when a palette opens: textual.command is not on the way to the first paint.
"""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

NO_MATCHES = "Ничего не найдено"
THEME_PLACEHOLDER = "Название оформления…"


class RussianCommandPalette(CommandPalette):
    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual's own method, with its one English line in Russian (textual 8.x).
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if not search_value:  # discover mode: nothing to search, nothing to tell
                self._list_visible = False
                return
            self.query_one(CommandList).add_option(
                Option(
                    Align.center(Text(NO_MATCHES, style="not bold")),
                    disabled=True,
                    id=self._NO_MATCHES,
                )
            )
            self._list_visible = True

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)


def theme_palette() -> RussianCommandPalette:
    from textual.theme import ThemeProvider

    return RussianCommandPalette(providers=[ThemeProvider], placeholder=THEME_PLACEHOLDER)
