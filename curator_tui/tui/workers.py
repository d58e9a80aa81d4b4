"""Thread workers whose failures are told to the user in one place.

A worker's body does not catch: whatever it raises is caught at the worker's edge and handed
to the app's `report_failure`, which makes the one Russian message (`explain_failure`'s text,
or «Непредвиденная ошибка» with the traceback in the log) and posts it as a fact, `WorkFailed`,
to the screen or widget that ran the worker. The fact bubbles up to the app, which shows it.
A screen that must undo something when its work fails (a busy flag, a progress bar) handles
`WorkFailed` on the way, without stopping it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from textual import work

from curator_tui.tui.context import curator_of

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.worker import Worker

P = ParamSpec("P")
N = TypeVar("N", bound="DOMNode")


def thread_work(
    *, group: str, exclusive: bool = False
) -> Callable[[Callable[Concatenate[N, P], None]], Callable[Concatenate[N, P], Worker[None]]]:
    """Textual's `@work(thread=True)`, with a failure told by the app instead of exiting it."""

    def decorate(
        method: Callable[Concatenate[N, P], None],
    ) -> Callable[Concatenate[N, P], Worker[None]]:
        @wraps(method)
        def reported(node: N, *args: P.args, **kwargs: P.kwargs) -> None:
            try:
                method(node, *args, **kwargs)
            except Exception as exc:
                curator_of(node.app).report_failure(exc, node, group)

        return work(thread=True, group=group, exclusive=exclusive)(reported)

    return decorate
