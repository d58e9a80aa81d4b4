"""`curator review`: a coordinator's or a curator's verdict on an activity a school reported.

«принято», «на-доработку» (a comment saying what to fix is required) or «не-проверено» (the
verdict withdrawn). The verdict is an ordinary change: it leaves in the next bundle, and the
school sees it, with the comment, once it imports that bundle. A school's database refuses to
review (store/edits.py), and a school's bundle carrying a review is refused (sync/oprules.py).
"""

from __future__ import annotations

import argparse
from typing import Any

from curator_tui.cli.common import EXIT_OK, CliError, add_db_option, open_store, resolve_activity
from curator_tui.domain.models import ReviewState, review_label
from curator_tui.domain.safe_text import safe_lines, safe_text

VERDICT_WORDS = "принято, на-доработку, не-проверено"


def cmd_review(args: argparse.Namespace) -> int:
    if args.activity is None:
        return print_queue(args)
    with open_store(args) as store:
        activity = resolve_activity(store, args.activity)
        if args.verdict is not None:
            try:
                state = ReviewState.parse(args.verdict)
            except ValueError:
                raise CliError(
                    f"Неизвестная отметка проверки «{args.verdict}». Допустимые: {VERDICT_WORDS}"
                ) from None
            store.set_review(activity["id"], state, args.comment or "")
            activity = store.require_activity(activity["id"])
    number = activity["number"] or "—"
    print(f"№ {number}: {review_label(activity['review'])}")
    if activity["review_comment"]:
        print(f"Комментарий: {safe_lines(activity['review_comment'])}")
    return EXIT_OK


def print_queue(args: argparse.Namespace) -> int:
    """The review queue: what waits for a verdict, oldest first."""
    from curator_tui.store.review_queue import review_queue

    with open_store(args) as store:
        items = review_queue(store, args.school)
    if not items:
        print("Нет мероприятий, ждущих проверки.")
        return EXIT_OK
    print(f"Ждут проверки: {len(items)}")
    for item in items:
        since = f"{item.since:%d.%m.%Y}" if item.since else "—"
        what = review_label(item.review)
        print(
            f"{since}  {safe_text(item.organisation)[:40]:<40}  № {item.number or '—':<6} "
            f"{what:<21} {safe_text(item.title)[:60]}"
        )
    return EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser(
        "review",
        help="проверить мероприятие: принято или на доработку (координатор, куратор)",
        description=(
            "Отметить, как проверено мероприятие, о котором отчиталась школа: «принято» или "
            "«на-доработку» с комментарием, что исправить; «не-проверено» снимает отметку. "
            "Без отметки показывает текущую, без мероприятия — список ждущих проверки (сначала "
            "самые давние). Отметка уходит школе со следующим пакетом."
        ),
    )
    p.set_defaults(handler=cmd_review)
    p.add_argument(
        "activity",
        nargs="?",
        metavar="МЕРОПРИЯТИЕ",
        help="id или номер мероприятия; без него — список ждущих проверки",
    )
    p.add_argument("verdict", nargs="?", metavar="ОТМЕТКА", help=VERDICT_WORDS)
    p.add_argument("--comment", metavar="ТЕКСТ", help="что исправить (для «на-доработку»)")
    p.add_argument("--school", metavar="ШКОЛА", help="список только этой школы или муниципалитета")
    add_db_option(p)
