"""Which column is which, by the meaning of the header text.

Offices name the same column a dozen ways («Сроки», «Срок исполнения», «Дата»), so a header
cell is matched against word stems, case, spacing and punctuation aside; when several
patterns fit, the longest match wins («Планируемый результат» is an indicator although it
contains «результат»).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property, lru_cache


class Column(StrEnum):
    """A known column; the value is the ParsedActivity field it fills."""

    NUMBER = "number"
    TITLE = "title"
    RESPONSIBLE = "responsible"
    DEADLINE = "deadline_text"
    INDICATOR = "indicator"
    RESULT = "result"
    LEVELS = "levels"
    PUBLICITY = "publicity"
    REPORT_FORM = "report_form"


_PATTERNS: tuple[tuple[Column, str], ...] = (
    (Column.TITLE, r"мероприяти\w*"),
    (Column.TITLE, r"наименовани\w*"),
    (Column.TITLE, r"содержани\w*"),
    (Column.TITLE, r"тема"),
    (Column.TITLE, r"вид\w*\s+(?:работ|деятельност)\w*"),
    (Column.TITLE, r"направлени\w*\s+(?:работ|деятельност)\w*"),
    (Column.TITLE, r"задач[аи]?"),  # the least sure: a task groups activities (title_rank)
    (Column.RESPONSIBLE, r"ответственн\w*"),
    (Column.RESPONSIBLE, r"исполнител\w*"),
    (Column.DEADLINE, r"срок\w*"),
    (Column.DEADLINE, r"дат[аы]"),
    (Column.INDICATOR, r"показател\w*"),
    (Column.INDICATOR, r"индикатор\w*"),
    (Column.INDICATOR, r"планируем\w*\s+результат\w*"),
    (Column.INDICATOR, r"показател\w*\s+(?:результативност|эффективност)\w*"),
    (Column.RESULT, r"результат(?:ы|а|ов)?"),
    (Column.RESULT, r"ожидаем\w*\s+результат\w*"),
    (Column.RESULT, r"отчетн\w*\s+документ\w*"),
    (Column.LEVELS, r"уров(?:ень|ни|ня|ней)\w*"),
    (Column.PUBLICITY, r"информационн\w*\s+сопровождени\w*"),
    (Column.PUBLICITY, r"освещени\w*(?:\s+в\s+сми)?"),
    (Column.REPORT_FORM, r"форм\w*\s+отчет\w*"),
    (Column.REPORT_FORM, r"форм\w*\s+(?:представлени|предоставлени)\w*(?:\s+результат\w*)?"),
)
_COMPILED = tuple((column, re.compile(rf"(?<!\w){pattern}(?!\w)")) for column, pattern in _PATTERNS)
# One pass that rules out most data cells before each pattern is tried for the longest match.
_ANY_NAME = re.compile("|".join(rf"(?<!\w)(?:{pattern})(?!\w)" for _, pattern in _PATTERNS))
_NUMBER_NAMES = frozenset({"№", "№ п п", "№ пп", "№№", "n", "n п п", "no", "номер", "п п", "пп"})
# A header cell is a few words; a long cell that happens to contain «срок» is data.
_MAX_HEADER_CHARS = 60
_PUNCTUATION = re.compile(r"[^\w№]+")


def normalise(text: str) -> str:
    """Lower case, ё as е, punctuation as spaces: the form header names are compared in."""
    return " ".join(_PUNCTUATION.sub(" ", text.lower().replace("ё", "е")).split())


# Every body row is also tried as a header (a table may name its columns again), and its
# responsible and deadline cells repeat a few texts thousands of times: each is read once.
@lru_cache(maxsize=4096)
def column_of(header_text: str) -> Column | None:
    """The known column a header cell names, or None."""
    if len(header_text) > 2 * _MAX_HEADER_CHARS:
        return None
    name = normalise(header_text)
    if not name or len(name) > _MAX_HEADER_CHARS:
        return None
    if name in _NUMBER_NAMES or name.startswith("№"):
        return Column.NUMBER
    if not _ANY_NAME.search(name):
        return None
    best: tuple[int, Column] | None = None
    for column, pattern in _COMPILED:
        for match in pattern.finditer(name):
            score = len(match.group())
            if best is None or score > best[0]:
                best = (score, column)
    return best[1] if best else None


@dataclass(frozen=True)
class Header:
    """The header row understood: a known column (or None) for each position."""

    texts: tuple[str, ...]
    columns: tuple[Column | None, ...]

    @property
    def width(self) -> int:
        return len(self.texts)

    def index(self, column: Column) -> int | None:
        return self.columns.index(column) if column in self.columns else None

    @cached_property
    def names(self) -> frozenset[str]:
        return frozenset(filter(None, map(normalise, self.texts)))

    def repeats_in(self, cells: tuple[str, ...]) -> bool:
        """The header printed again at a page break (perhaps with phantom cells)."""
        filled = [cell for cell in cells if cell.strip()]
        if len(filled) < 2 or any(len(cell) > 2 * _MAX_HEADER_CHARS for cell in filled):
            return False
        names: set[str] = set()
        for cell in filled:
            name = normalise(cell)
            if name and name not in self.names:
                return False  # a data row, told at its first cell most of the time
            if name:
                names.add(name)
        return len(names) >= 2


def title_rank(header_text: str) -> int:
    """How surely a title column names the activity itself: lower is surer.

    A school's table may have «Риск», «Задача» and «Мероприятие» side by side; the activity
    is the «Мероприятие», the others group it (and are kept as named extra columns).
    """
    name = normalise(header_text)
    ranks = (i for i, (_, pattern) in enumerate(_TITLE_COMPILED) if pattern.search(name))
    return next(ranks, len(_TITLE_COMPILED))


_TITLE_COMPILED = tuple((c, p) for c, p in _COMPILED if c is Column.TITLE)


def read_header(cells: tuple[str, ...]) -> Header | None:
    """The row as a header: two known columns or more, one of them the title.

    A column named twice is the first cell naming it, except the title: the surest name of
    the activity wins (`title_rank`). At least half of the filled cells must be known names,
    so that a data row such as «Проведение мероприятий | В сроки, установленные …» is not
    taken for a header.
    """
    filled = sum(bool(text.strip()) for text in cells)
    named: list[Column | None] = []
    unnamed = 0
    for text in cells:
        named.append(column := column_of(text))
        unnamed += column is None and bool(text.strip())
        if 2 * (filled - unnamed) < filled:  # a data row: most cells already name nothing
            return None
    found: list[Column | None] = []
    for column in named:
        found.append(None if column in found else column)
    _choose_title(cells, named, found)
    known = [column for column in found if column is not None]
    if len(known) < 2 or Column.TITLE not in known or 2 * len(known) < filled:
        return None
    return Header(texts=tuple(cells), columns=tuple(found))


_GROUPING = re.compile(r"(?<!\w)(?:риск\w*|задач\w*|направлени\w*|цел[ьи]|проблем\w*)(?!\w)")


def is_grouping(header_text: str) -> bool:
    """A column that groups the activities beside it («Риск», «Задача», «Направление»): in
    a school's antirisk table one such cell is merged down over all the activities it has."""
    return bool(_GROUPING.search(normalise(header_text)))


def _choose_title(
    cells: tuple[str, ...], named: list[Column | None], found: list[Column | None]
) -> None:
    titles = [i for i, column in enumerate(named) if column is Column.TITLE]
    if len(titles) < 2:
        return
    best = min(titles, key=lambda i: title_rank(cells[i]))
    for i in titles:
        found[i] = Column.TITLE if i == best else None


def is_column_numbering(cells: tuple[str, ...]) -> bool:
    """The «1 2 3 4 5» row some tables print under the header."""
    values = [cell.strip().rstrip(".") for cell in cells if cell.strip()]
    if len(values) < 2 or not all(value.isdigit() for value in values):
        return False
    return [int(value) for value in values] == list(range(1, len(values) + 1))


def leaked_header_pattern(header_text: str) -> re.Pattern[str] | None:
    """A cell that begins with its own multi-word column name had the header run into it.

    Single words are left alone: a result may well begin with «Результат …».
    """
    words = normalise(header_text).split()
    if len(words) < 2:
        return None
    joined = r"[\W_]+".join(re.escape(word).replace("е", "[её]") for word in words)
    return re.compile(rf"^\W*{joined}(?:[\W_]+|$)", re.IGNORECASE)
