"""The one error every importer raises: a Russian sentence a user can act on."""

from __future__ import annotations

from curator_tui.domain.errors import UserFacingError


class RoadmapImportError(UserFacingError):
    """A roadmap document could not be read; `str(error)` names the file and the reason."""
