"""What screens, widgets and the palette may ask of the app that runs them.

The app imports the screens; the screens must not import the app back (that made a circle
of imports, and a screen could reach anything of the app). They see it through `Curator`, a
protocol of the few things they use; `CuratorApp` is the one class that has them. An
import-linter contract in pyproject.toml keeps it so.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast, runtime_checkable

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump

    from curator_tui.store.store import Store
    from curator_tui.user_config import UserSettings

T = TypeVar("T")


@runtime_checkable
class Curator(Protocol):
    """The app as its screens see it (a test checks that CuratorApp has all of it)."""

    db_path: Path
    today: date
    media_roots: tuple[Path, ...]

    def with_store(self, job: Callable[[Store], T]) -> T:
        """Run `job` on the shared store, from a worker thread; a failure is raised."""
        ...

    def with_store_now(self, job: Callable[[Store], T]) -> T | None:
        """Run a quick `job` on the UI thread, or give None: then load it in a worker."""
        ...

    def report_failure(
        self, exc: BaseException, where: MessagePump | None = None, group: str = ""
    ) -> None:
        """Tell the user once, in Russian, that some work failed (from any thread)."""
        ...

    def check_clock(self, store: Store) -> None:
        """Warn once per run when this computer's clock looks wrong (from a worker thread)."""
        ...

    def switch_database(self, db_path: Path) -> None:
        """Work on another database from now on (the first run's demo has its own file)."""
        ...

    def open_activity(self, activity_id: str) -> None:
        """Show the activity's card."""
        ...

    @property
    def settings(self) -> UserSettings:
        """What this user chose last time (theme, export folder, recipient)."""
        ...

    def remember(self, **changes: str | None) -> None:
        """Keep these settings for the next run (a failure to write is told, not raised)."""
        ...


def curator_of(app: App[Any]) -> Curator:
    """The running app, as a screen (or widget, or palette provider) may use it."""
    return cast(Curator, app)
