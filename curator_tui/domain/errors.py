"""The one base class for failures whose message is written for the user, in Russian.

Every layer raises its own subclass; the faces of the program (CLI, TUI) show the message
as it is and never a traceback.
"""


class UserFacingError(Exception):
    """A failure the user can understand and act on; str(error) is the Russian message."""
