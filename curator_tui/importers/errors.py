"""The one error every importer raises: a Russian sentence a user can act on."""

from __future__ import annotations

from curator_tui.domain.errors import UserFacingError


class RoadmapImportError(UserFacingError):
    """A roadmap document could not be read; `str(error)` names the file and the reason."""


def damaged(name: str, kind: str, advice: str = "") -> RoadmapImportError:
    """The file says it is `kind` («таблица Excel (.xlsx)») but its library cannot read it."""
    advice = advice or "Откройте его в программе, где он сделан, и сохраните заново"
    return RoadmapImportError(f"Файл {name} повреждён или это не {kind}. {advice}")
