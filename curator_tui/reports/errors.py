"""The one error type of the reports layer; its message is for the user, in Russian."""

from __future__ import annotations

from curator_tui.domain.errors import UserFacingError


class ReportError(UserFacingError):
    """A report could not be built or saved (bad month, no data, unwritable folder …)."""
