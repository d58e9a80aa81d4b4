"""Deadline text → Schedule: the «Сроки» column of a roadmap understood as dates.

Roadmaps are Word tables typed by hand, so the column holds free Russian text: «Январь-
февраль 2022 г.», «До 01.03.2022 г.», «С марта 2022 г. 2-й и 4-й понедельник», «По
отдельному графику». `parse_deadline` reads it in four steps:

1. `_normalise` folds typing noise: case, ё, every kind of dash, glued «октябрь2023г.», HTML
   remnants, spaces inside dates, the «г.»/«года» written after a year.
2. `_lex` turns words into tokens (months, dates, years, ordinals, units, keywords), drops
   filler words and collapses «по отдельному графику»-style phrases into one marker token.
3. `_Parser` recognises constructs left to right: points («март», «1 марта», «II квартал»),
   ranges («март – май»), open starts («с марта»), due dates («до 1 марта») and
   recurrences («ежемесячно», «2-й и 4-й понедельник»).
4. `_assemble` resolves them against the roadmap period into inclusive date windows.

Whatever is not understood is reported in `Schedule.warning` (in Russian); nothing raises.
"""

from __future__ import annotations

import calendar
import html
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import Enum, auto
from itertools import islice, pairwise
from typing import NamedTuple

from dateutil.rrule import MONTHLY, WEEKLY, YEARLY, rrule, weekday

from curator_tui.domain.holidays import DEFAULT_HOLIDAYS, SchoolHolidays
from curator_tui.domain.models import Period, Schedule, ScheduleKind

__all__ = ["DEFAULT_HOLIDAYS", "MAX_OCCURRENCES", "SchoolHolidays", "parse_deadline"]

Window = tuple[date, date]

# A weekly rule over decades would flood the store and the screen; no roadmap needs more.
MAX_OCCURRENCES = 1000

_ONE_DAY = timedelta(days=1)

_UNKNOWN = 'Не удалось распознать срок: "{}"'
_PARTIAL = 'Срок распознан не полностью, непонятно: "{}"'
_REVERSED = 'Начало позже окончания, даты переставлены: "{}"'
_TOO_MANY = 'Слишком много повторений, срок не разложен по датам: "{}"'
_NO_OCCURRENCE = 'Повторение не выпадает ни на один день: "{}"'
_TIMES_NOTE = "Срок разложен {}: сколько раз внутри каждого окна, не проверяется"
_INTERNAL_ERROR = 'Внутренняя ошибка разбора срока: "{}"'


def parse_deadline(
    text: str, period: Period, holidays: SchoolHolidays = DEFAULT_HOLIDAYS
) -> Schedule:
    """Understand the deadline phrase of an activity in a roadmap covering `period`.

    A phrase without a year takes the period's year (for a school year, Sep–Dec take the
    first year and Jan–Aug the second); school holidays are read from `holidays`. Never
    raises: a phrase that cannot be understood becomes an unscheduled schedule whose warning
    quotes it.
    """
    try:
        tokens = _lex(_normalise(text))
        return _assemble(_Parser(tokens, period, holidays).run(), period, text)
    except Exception:  # a parser bug must not break an import; the warning makes it visible
        return Schedule(kind=ScheduleKind.UNSCHEDULED, warning=_warning(_INTERNAL_ERROR, text))


def _warning(template: str, text: object) -> str:
    shown = " ".join(str(text).split())
    return template.format(shown if len(shown) <= 120 else shown[:119] + "…")


# --- 1. Normalisation ---------------------------------------------------------------------

_TAG_RE = re.compile(r"<[^>]*>")
_INVISIBLE_RE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_DASH_RE = re.compile("[\u2010-\u2015\u2212\u2043\ufe58\ufe63\uff0d]")
# «10.03. 2022» and «1 . 2 . 2022»: Word exports break dates at the dots.
_SPACED_DATE_RE = re.compile(
    r"(?<![0-9.])([0-9]{1,2})\s*\.\s*([0-9]{1,2})\s*\.\s*([0-9]{4}|[0-9]{2})(?![0-9])"
)
# Letters typed for digits inside a number: «2O22», «З0.09» (Latin or Cyrillic O, Cyrillic З).
# Only a group of digits and such letters with a real digit in it and a date's punctuation
# or a year's length is touched, so words («О», «з») are left alone.
_LOOKALIKES = str.maketrans("oо", "00") | str.maketrans("з", "3")
_LOOKALIKE_GROUP_RE = re.compile(
    r"(?<![^\W\d_])(?=[0-9oоз.,]*[0-9])[0-9oоз]{1,4}(?:[.,][0-9oоз]{1,4}){0,2}(?![^\W\d_])"
)
# Latin letters typed in a Russian word («нoябрь» with a Latin o) or as the preposition «c».
_LATIN_TO_CYRILLIC = str.maketrans("aceopxykmthb", "асеорхукмтнв")
_MIXED_WORD_RE = re.compile(
    r"[^\W\d_]*(?:[a-z][а-я]|[а-я][a-z])[^\W\d_]*|(?<![^\W\d_])c(?![^\W\d_])"
)
# «15,09,2022» and «15.09,2022»: commas typed for the dots of a date.
_COMMA_DATE_RE = re.compile(
    r"(?<![0-9.,])([0-9]{1,2})[.,]([0-9]{1,2})[.,]([0-9]{4}|[0-9]{2})(?![0-9])"
)
_DIGIT_LETTERS_RE = re.compile(r"([0-9])([а-яa-z]+)")
_LETTER_DIGIT_RE = re.compile(r"([а-яa-z])([0-9])")
# What follows a year and means nothing more than «year»: «2022 г.», «2022 года», «2022-го».
_YEAR_SUFFIX_RE = re.compile(
    r"\b((?:19|20|21)[0-9]{2})"
    r"(?:\s*-?\s*(?:гг|г|годов|годах|годам|года|году|годом|год|го|ом|м|й)(?![а-я]))+"
)
_ORDINAL_SUFFIXES = frozenset(
    {"й", "я", "е", "го", "ое", "ый", "ий", "ая", "ой", "ого", "ом", "ю", "ую", "м"}
)


def _normalise(text: str) -> str:
    text = _TAG_RE.sub(" ", html.unescape(text))
    text = _INVISIBLE_RE.sub("", unicodedata.normalize("NFKC", text))
    # Cyrillic «І» is typed for the Roman numeral one («І квартал»).
    text = text.lower().replace("ё", "е").replace("і", "i")
    text = _DASH_RE.sub("-", text)
    text = _MIXED_WORD_RE.sub(lambda m: m.group().translate(_LATIN_TO_CYRILLIC), text)
    text = _LOOKALIKE_GROUP_RE.sub(_digits_for_lookalikes, text)
    text = _SPACED_DATE_RE.sub(r"\1.\2.\3", text)
    text = _COMMA_DATE_RE.sub(r"\1.\2.\3", text)
    text = _DIGIT_LETTERS_RE.sub(_split_digits_from_letters, text)
    text = _LETTER_DIGIT_RE.sub(r"\1 \2", text)
    text = _YEAR_SUFFIX_RE.sub(r"\1", text)
    return " ".join(text.split())


def _digits_for_lookalikes(match: re.Match[str]) -> str:
    group = match.group()
    looks_like_date = any(mark in group for mark in ".,") or len(group) == 4
    if not looks_like_date or group.isdigit():
        return group
    fixed = group.translate(_LOOKALIKES)
    parts = re.split(r"[.,]", fixed)
    return fixed if all(part.isdigit() for part in parts) else group


def _split_digits_from_letters(match: re.Match[str]) -> str:
    # «2023г» → «2023 г», but «2е» stays glued: it is the ordinal «2-е».
    digit, letters = match.groups()
    return match.group() if letters in _ORDINAL_SUFFIXES else f"{digit} {letters}"


# --- 2. Tokens ----------------------------------------------------------------------------


class _Kind(Enum):
    DATE = auto()  # «10.02.2022» or «21.10»: value = day, month, year (None when not written)
    NUM = auto()  # a bare number or a number word («два»)
    YEAR = auto()  # 1900..2100
    ORD = auto()  # «2-й», «второй», «II»; «последний» is -1
    MONTH = auto()  # value = 1..12
    WEEKDAY = auto()  # value = 0 (Monday)..6
    UNIT = auto()  # key: week, month, quarter, half, term, year
    SEASON = auto()  # value = first month, month = last month
    KW = auto()  # key: see _KEYWORD_PATTERNS
    SCHOOL_YEAR = auto()  # «2022-2023 учебный год»: value = first year
    HOLIDAYS = auto()  # «осенние каникулы»: key = autumn, winter, spring, summer
    DASH = auto()
    SEP = auto()  # comma, semicolon, «и», «или»
    SLASH = auto()
    MARK = auto()  # «по отдельному графику» and alike: intentionally no dates
    WORD = auto()  # anything else


@dataclass(frozen=True)
class _Token:
    kind: _Kind
    text: str
    value: int = 0
    month: int = 0
    year: int | None = None
    key: str = ""

    def is_kw(self, *keys: str) -> bool:
        return self.kind is _Kind.KW and self.key in keys

    def is_unit(self, *keys: str) -> bool:
        return self.kind is _Kind.UNIT and self.key in keys


@dataclass(frozen=True)
class _Entry:
    pattern: re.Pattern[str]
    kind: _Kind
    value: int = 0
    key: str = ""
    month: int = 0


_MONTH_PATTERNS = (
    (r"январ(?:ь|я|ю|е|ем)|янв", 1),
    (r"феврал(?:ь|я|ю|е|ем)|февр?", 2),
    (r"март(?:а|е|у|ом)?|мар", 3),
    (r"апрел(?:ь|я|ю|е|ем)|апр", 4),
    (r"ма(?:й|я|ю|е|ем)", 5),
    (r"июн(?:ь|я|ю|е|ем)?", 6),
    (r"июл(?:ь|я|ю|е|ем)?", 7),
    (r"август(?:а|е|у|ом)?|авг", 8),
    (r"сентябр(?:ь|я|ю|е|ем)|сент?", 9),
    (r"октябр(?:ь|я|ю|е|ем)|окт", 10),
    (r"ноябр(?:ь|я|ю|е|ем)|нояб?", 11),
    (r"декабр(?:ь|я|ю|е|ем)|дек", 12),
)
_WEEKDAY_PATTERNS = (
    (r"понедельник(?:а|у|ом|и|ам|ах)?", 0),
    (r"вторник(?:а|у|ом|и|ам|ах)?", 1),
    (r"сред(?:а|у|ы|е|ой|ам|ах)", 2),
    (r"четверг(?:а|у|ом|и|ам|ах)?", 3),
    (r"пятниц(?:а|у|ы|е|ей|ам|ах)", 4),
    (r"суббот(?:а|у|ы|е|ой|ам|ах)", 5),
    (r"воскресень(?:е|я|ю|ем|ям|ях)", 6),
)
_ORDINAL_PATTERNS = (
    (r"перв(?:ый|ая|ое|ую|ого|ой|ом|ые)|i", 1),
    (r"втор(?:ой|ая|ое|ую|ого|ом|ые)|ii", 2),
    (r"трет(?:ий|ья|ье|ью|ьего|ьей|ьем|ьи)|iii", 3),
    (r"четверт(?:ый|ая|ое|ую|ого|ой|ом|ые)|iv", 4),
    (r"пят(?:ый|ая|ое|ую|ого|ой|ом|ые)", 5),
    (r"последн(?:ий|яя|ее|юю|его|ей|ем|ие)", -1),
)
_NUMBER_PATTERNS = (
    (r"од(?:ин|на|но|ного|ной)", 1),
    (r"дв(?:а|е|ух)", 2),
    (r"тр(?:и|ех)", 3),
    (r"четыр(?:е|ех)", 4),
    (r"шест(?:ь|и)", 6),
    (r"двенадцат(?:ь|и)", 12),
)
_UNIT_PATTERNS = (
    (r"квартал(?:а|е|ы|ов|ам|ах|ом)?|кв|кварт", "quarter"),
    (r"полугоди(?:е|я|и|ям|ях|ем)|полуг|полгода", "half"),
    (r"четверт(?:ь|и|ью|ям|ях)", "term"),
    (r"месяц(?:а|е|ы|ев|ам|ах|ем)?|мес", "month"),
    (r"недел(?:я|и|ю|е|ь|ям|ях|ей)", "week"),
    (r"декад(?:а|ы|у|е|ой)", "decade"),
    (r"год(?:а|у|ом|ы|ов)?", "year"),
)
_SEASON_PATTERNS = (
    (r"весн(?:а|у|ы|е|ой)", 3, 5),
    (r"лет(?:о|ом|а|е)", 6, 8),
    (r"осен(?:ь|и|ью)", 9, 11),
    (r"зим(?:а|у|ы|е|ой)", 12, 2),
)
_KEYWORD_PATTERNS = (
    (r"ежемесячн\w*", "every_month", 0),
    (r"еженедельн\w*", "every_week", 0),
    (r"ежекварт\w*", "every_quarter", 0),
    (r"ежеполугод\w*", "every_half", 0),
    (r"ежегодн\w*", "every_year", 0),
    # Daily or «constantly» work has no dates of its own: the whole period is its window.
    (
        r"постоянн\w*|регулярн\w*|систематическ\w*|круглогодичн\w*|ежедневн\w*|периодическ\w*"
        r"|период\w*",
        "whole",
        0,
    ),
    (r"кажд\w*", "each", 0),
    (r"раза?", "times", 0),
    (r"дважды", "times", 2),
    (r"трижды", "times", 3),
    (r"с|со", "from", 0),
    (r"по", "to", 0),
    (r"до", "until", 0),
    (r"к|ко", "by", 0),
    (r"после", "after", 0),
    (r"не", "not", 0),
    (r"позднее|позже", "later", 0),
    (r"ранее|раньше", "earlier", 0),
    (r"начал(?:о|а|е|у|ом)", "start", 0),
    (r"середин(?:а|ы|е|у|ой)", "mid", 0),
    (r"кон(?:ец|ца|це|цу|цом)|окончани(?:е|я|ю|и|ем)|завершени(?:е|я|ю|и|ем)", "end", 0),
    (r"половин(?:а|ы|е|у|ой)", "half_of", 0),
    (r"учебн\w*|уч", "school", 0),
    (r"числ(?:о|а|у)", "day_of_month", 0),
    (r"следующ\w*", "following", 0),
    (r"отчетн\w*", "reported", 0),
    (r"каникул\w*", "holidays", 0),
)
# «осенних каникул», «летние каникулы»: the season's adjective, then the word.
_HOLIDAY_ADJECTIVES = (
    (re.compile(r"осенн\w*"), "autumn"),
    (re.compile(r"зимн\w*"), "winter"),
    (re.compile(r"весенн\w*"), "spring"),
    (re.compile(r"летн\w*"), "summer"),
)
_FILLERS = frozenset(
    {
        "в", "во", "на", "за", "течение", "течении", "протяжении", "срок", "сроки", "срока",
        "сроков", "весь", "всего", "вся", "всей", "всю", "г", "гг", "включительно", "начиная",
        "текущего", "текущий", "текущем", "этого", "данного", "ориентировочно", "примерно",
        "около", "также", "далее", "время",
    }
)  # fmt: skip
_SEPARATOR_WORDS = frozenset({"и", "или", "а"})


def _build_lexicon() -> tuple[_Entry, ...]:
    entries = [_Entry(re.compile(p), _Kind.MONTH, value=m) for p, m in _MONTH_PATTERNS]
    entries += [_Entry(re.compile(p), _Kind.WEEKDAY, value=d) for p, d in _WEEKDAY_PATTERNS]
    entries += [_Entry(re.compile(p), _Kind.ORD, value=n) for p, n in _ORDINAL_PATTERNS]
    entries += [_Entry(re.compile(p), _Kind.NUM, value=n) for p, n in _NUMBER_PATTERNS]
    entries += [_Entry(re.compile(p), _Kind.UNIT, key=k) for p, k in _UNIT_PATTERNS]
    entries += [
        _Entry(re.compile(p), _Kind.SEASON, value=a, month=b) for p, a, b in _SEASON_PATTERNS
    ]
    entries += [_Entry(re.compile(p), _Kind.KW, value=v, key=k) for p, k, v in _KEYWORD_PATTERNS]
    return tuple(entries)


_LEXICON = _build_lexicon()

# Digits are spelled [0-9]: `\d` would also take Arabic-Indic and other digits.
_TOKEN_RE = re.compile(
    r"(?P<date>[0-9]{1,2}\.[0-9]{1,2}(?:\.(?:[0-9]{4}|[0-9]{2}))?(?![0-9]))"
    r"|(?P<ord>[0-9]{1,2}-?(?:й|я|е|го|ое|ый|ий|ая|ой|ого|ом|ю|ую|м)(?![^\W\d_]))"
    r"|(?P<num>[0-9]+)"
    r"|(?P<word>[^\W_]+)"
    r"|(?P<dash>-)"
    r"|(?P<sep>[,;+&])"
    r"|(?P<slash>/)"
)
_PUNCTUATION_KINDS = {"dash": _Kind.DASH, "sep": _Kind.SEP, "slash": _Kind.SLASH}

# «по отдельному графику», «по мере необходимости», «в соответствии с планом работы».
_MARKER_STARTERS = frozenset({"по", "согласно", "при", "соответствии"})
_MARKER_STEM_RE = re.compile(
    r"(?:график|план|расписани|запрос|мер[еау]|необходимост|согласовани|требовани|заявк"
    r"|приглашени|поступлени|потребност|распоряжени|приказ|решени|указани|договоренност"
    r"|готовност)\w*"
)


def _lex(text: str) -> list[_Token]:
    tokens = [token for m in _TOKEN_RE.finditer(text) if (token := _token(m)) is not None]
    return _merge_holidays(_merge_school_years(_collapse_markers(tokens)))


def _merge_holidays(tokens: list[_Token]) -> list[_Token]:
    """«(в период) осенних каникул» as one token: «период» here names no whole period."""
    merged: list[_Token] = []
    for token in tokens:
        previous = merged[-1] if merged else None
        season = _holiday_season(previous.text) if previous is not None else None
        if token.is_kw("holidays") and previous is not None and season is not None:
            merged.pop()
            if merged and merged[-1].is_kw("whole") and merged[-1].text.startswith("период"):
                merged.pop()
            merged.append(_Token(_Kind.HOLIDAYS, f"{previous.text} {token.text}", key=season))
        else:
            merged.append(token)
    return merged


def _holiday_season(word: str) -> str | None:
    return next((key for pattern, key in _HOLIDAY_ADJECTIVES if pattern.fullmatch(word)), None)


def _token(match: re.Match[str]) -> _Token | None:
    kind, raw = match.lastgroup or "", match.group()
    if kind == "date":
        return _date_token(raw)
    if kind == "ord":
        return _Token(_Kind.ORD, raw, value=int(re.sub(r"[^0-9]", "", raw)))
    if kind == "num":
        return _number_token(raw)
    if kind == "word":
        return _word_token(raw)
    return _Token(_PUNCTUATION_KINDS[kind], raw)


def _date_token(raw: str) -> _Token:
    day, month, *rest = (int(part) for part in raw.split("."))
    year = (rest[0] + 2000 if rest[0] < 100 else rest[0]) if rest else None
    if not (1 <= day <= 31 and 1 <= month <= 12 and (year is None or 1900 <= year <= 2100)):
        return _Token(_Kind.WORD, raw)
    return _Token(_Kind.DATE, raw, value=day, month=month, year=year)


def _number_token(raw: str) -> _Token:
    if len(raw) > 6:  # never a date part; also keeps int() far from its digit limit
        return _Token(_Kind.WORD, raw)
    number = int(raw)
    if len(raw) == 4 and 1900 <= number <= 2100:
        return _Token(_Kind.YEAR, raw, value=number)
    return _Token(_Kind.NUM, raw, value=number)


def _word_token(word: str) -> _Token | None:
    if word in _FILLERS:
        return None
    if word in _SEPARATOR_WORDS:
        return _Token(_Kind.SEP, word)
    for entry in _LEXICON:
        if entry.pattern.fullmatch(word):
            return _Token(entry.kind, word, entry.value, entry.month, key=entry.key)
    return _Token(_Kind.WORD, word)


def _collapse_markers(tokens: list[_Token]) -> list[_Token]:
    collapsed: list[_Token] = []
    index = 0
    while index < len(tokens):
        end = _marker_end(tokens, index)
        if end is None:
            collapsed.append(tokens[index])
            index += 1
        else:
            collapsed.append(_Token(_Kind.MARK, " ".join(t.text for t in tokens[index:end])))
            index = end
    return collapsed


def _marker_end(tokens: Sequence[_Token], index: int) -> int | None:
    """Where a «по ... графику» phrase starting at `index` ends, or None if there is none."""
    if tokens[index].text not in _MARKER_STARTERS:
        return None
    cursor = index + 1
    if (
        tokens[index].text == "соответствии"
        and cursor < len(tokens)
        and tokens[cursor].is_kw("from")
    ):
        cursor += 1  # «в соответствии с»
    # The stem may come after up to two qualifiers: «по отдельному графику».
    for _ in range(3):
        if cursor >= len(tokens) or not _may_qualify_marker(tokens[cursor]):
            return None
        if _MARKER_STEM_RE.fullmatch(tokens[cursor].text):
            break
        cursor += 1
    else:
        return None
    cursor += 1
    # The rest of the phrase names whose plan it is: «по плану работы ЦНППМ».
    while cursor < len(tokens) and tokens[cursor].kind is _Kind.WORD:
        cursor += 1
    return cursor


def _may_qualify_marker(token: _Token) -> bool:
    return token.kind is _Kind.WORD or token.is_kw("school")


def _merge_school_years(tokens: list[_Token]) -> list[_Token]:
    merged: list[_Token] = []
    index = 0
    while index < len(tokens):
        found = _school_year_at(tokens, index)
        if found is None:
            merged.append(tokens[index])
            index += 1
        else:
            token, index = found
            merged.append(token)
    return merged


def _school_year_at(tokens: Sequence[_Token], index: int) -> tuple[_Token, int] | None:
    """«2022-2023 учебный год», «2022/23 уч. г.», «учебный год 2022-2023» as one token."""
    cursor = _after_school_words(tokens, index)
    if cursor + 2 >= len(tokens):
        return None
    first, link, second = tokens[cursor : cursor + 3]
    if first.kind is not _Kind.YEAR or link.kind not in (_Kind.DASH, _Kind.SLASH):
        return None
    if second.kind not in (_Kind.YEAR, _Kind.NUM) or second.value not in (
        first.value + 1,
        (first.value + 1) % 100,
    ):
        return None
    end = _after_school_words(tokens, cursor + 3)
    if link.kind is _Kind.DASH and cursor == index and end == cursor + 3:
        return None  # «2022-2023» without «учебный» is a range of calendar years
    text = " ".join(t.text for t in tokens[index:end])
    return _Token(_Kind.SCHOOL_YEAR, text, value=first.value), end


def _after_school_words(tokens: Sequence[_Token], index: int) -> int:
    if index < len(tokens) and tokens[index].is_kw("school"):
        index += 1
        if index < len(tokens) and tokens[index].is_unit("year"):
            index += 1
    return index


# --- 3. Parsing ---------------------------------------------------------------------------


class _Mod(Enum):
    START = auto()  # «начало марта»: days 1–10; of a longer span, its first month
    MID = auto()  # «середина марта»: days 11–20; of a longer span, its middle month(s)
    END = auto()  # «конец марта»: days 21–31; of a longer span, its last month
    FIRST_HALF = auto()  # «первая половина»
    SECOND_HALF = auto()  # «вторая половина»


_MODIFIER_KEYWORDS = {"start": _Mod.START, "mid": _Mod.MID, "end": _Mod.END}
_PART_COUNTS = {"quarter": 4, "half": 2, "term": 4}
_EVERY_UNITS = {
    "every_week": "week",
    "every_month": "month",
    "every_quarter": "quarter",
    "every_half": "half",
    "every_year": "year",
}
_RECURRING_UNITS = ("week", "month", "quarter", "term", "half", "year")
_DAY_LIMIT_UNITS = ("month", "quarter", "term", "half", "year")
_TIMES_A_YEAR = {1: "year", 2: "half", 4: "quarter", 12: "month"}
_PER_UNIT = {
    "week": "по неделям",
    "month": "по месяцам",
    "quarter": "по кварталам",
    "term": "по четвертям",
    "half": "по полугодиям",
    "year": "по годам",
}


@dataclass(frozen=True)
class _Point:
    """A date expression before its year is known: «март», «1 марта», «II квартал», «2022».

    `unit` is day, month, quarter, half, term, year, school_year, whole (the roadmap period),
    school_whole («учебного года») or stub (a bare «20» in «20–21 апреля»).
    """

    unit: str
    number: int = 0  # the day, month, part or year number
    month: int = 0  # the month of a day
    explicit: Period | None = None  # the year written with it, as a period
    modifier: _Mod | None = None
    part: tuple[str, int] | None = None  # («decade» | «week», n) of a month; n = -1: the last


@dataclass(frozen=True)
class _Range:
    first: _Point
    last: _Point


@dataclass(frozen=True)
class _OpenFrom:
    """«с марта»: from the point to the end of the roadmap; «после 15 мая»: from the day after."""

    point: _Point
    after: bool = False


class _DueMode(Enum):
    BEFORE = auto()  # «до марта»: the day before it, unless a day or «до конца» is named
    BY_END = auto()  # «не позднее марта», «по 31 марта»: the last day of it


@dataclass(frozen=True)
class _Due:
    point: _Point
    mode: _DueMode


_Item = _Point | _Range | _OpenFrom | _Due


@dataclass
class _Recurrence:
    unit: str | None = None  # week, month, quarter, half, year
    interval: int = 1
    weekdays: tuple[int, ...] = ()  # «каждую пятницу»
    nth: tuple[tuple[int, int], ...] = ()  # (weekday, n): «2-й и 4-й понедельник»
    day_limit: int | None = None  # «ежемесячно до 5 числа»
    # «до 5 числа месяца, следующего за отчетным»: the day falls in the month after each unit.
    following: bool = False

    def expects(self) -> str | None:
        """The unit a day pattern implies; None while there is no day pattern."""
        if self.nth or self.day_limit is not None:
            return "month"
        return "week" if self.weekdays else None

    def fits(self, unit: str) -> bool:
        """Whether this day pattern can repeat by `unit`: a day of the month fits any unit of
        whole months («ежеквартально до 10 числа»), weekday patterns only their own."""
        if self.day_limit is not None and not self.nth:
            return unit in _DAY_LIMIT_UNITS
        return self.expects() in (None, unit)


@dataclass
class _Parsed:
    items: list[tuple[_Item, str]]
    recurrence: _Recurrence | None
    unknown: list[str]
    notes: list[str]
    intentional: bool


class _Parser:
    """Recognises constructs left to right; what fits none of them is kept as unknown."""

    def __init__(self, tokens: Sequence[_Token], period: Period, holidays: SchoolHolidays) -> None:
        self.tokens = tokens
        self.period = period
        self.holidays = holidays
        self.pos = 0
        self.start = 0  # where the construct being recognised began, for its text
        self.items: list[tuple[_Item, str]] = []
        self.recurrence: _Recurrence | None = None
        self.unknown: list[str] = []
        self.notes: list[str] = []
        self.intentional = False

    def run(self) -> _Parsed:
        steps = (
            self._punctuation,
            self._marker,
            self._recurrence_step,
            self._due,
            self._from,
            self._after,
            self._item,
        )
        while self.pos < len(self.tokens):
            self.start = self.pos
            if not any(self._attempt(step) for step in steps):
                self.unknown.append(self.tokens[self.pos].text)
                self.pos += 1
        return _Parsed(self.items, self.recurrence, self.unknown, self.notes, self.intentional)

    # Cursor helpers

    def _attempt(self, step: Callable[[], bool]) -> bool:
        saved = self.pos
        if step():
            return True
        self.pos = saved
        return False

    def _peek(self, offset: int = 0) -> _Token | None:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def _take(self, *kinds: _Kind) -> _Token | None:
        token = self._peek()
        if token is None or token.kind not in kinds:
            return None
        self.pos += 1
        return token

    def _take_kw(self, *keys: str) -> _Token | None:
        token = self._peek()
        if token is None or not token.is_kw(*keys):
            return None
        self.pos += 1
        return token

    def _take_unit(self, *keys: str) -> _Token | None:
        token = self._peek()
        if token is None or not token.is_unit(*keys):
            return None
        self.pos += 1
        return token

    def _consumed_text(self) -> str:
        return " ".join(token.text for token in self.tokens[self.start : self.pos])

    def _add(self, item: _Item) -> None:
        self.items.append((item, self._consumed_text()))

    # Steps of the main loop

    def _punctuation(self) -> bool:
        return self._take(_Kind.SEP, _Kind.DASH, _Kind.SLASH) is not None

    def _marker(self) -> bool:
        if self._take(_Kind.MARK) is None:
            return False
        self.intentional = True
        return True

    def _recurrence_step(self) -> bool:
        steps = (self._every, self._each, self._nth, self._weekly, self._times)
        return any(self._attempt(step) for step in steps)

    def _due(self) -> bool:
        mode = self._due_mode()
        if mode is None:
            return False
        limit = self._day_of_month()
        if limit is not None:
            following, unit = self._following_unit()
            if unit is not None and unit != "month" and not self._set_unit(unit):
                return False
            return self._set_pattern(_Recurrence(day_limit=limit, following=following))
        point = self._point()
        if point is None:
            return False
        self._add(_Due(point, mode))
        return True

    def _from(self) -> bool:
        if not (self._take_kw("from") or self._attempt(self._not_earlier)):
            return False
        first = self._point_or_stub()
        if first is None:
            return False
        if self._attempt(lambda: self._range_tail(first, words=True)):
            return True
        if first.unit == "stub":
            return False
        self._add(_OpenFrom(first))
        return True

    def _after(self) -> bool:
        if not self._take_kw("after"):
            return False
        point = self._point()
        if point is None:
            return False
        self._add(_OpenFrom(point, after=True))
        return True

    def _item(self) -> bool:
        if self._holidays():
            return True
        season = self._take(_Kind.SEASON)
        if season is not None:
            # «зима 2022» is Dec 2021 – Feb 2022: the year belongs to the season's end.
            year = self._year_context()
            self._add(_Range(_Point("month", season.value), _Point("month", season.month, 0, year)))
            return True
        first = self._point_or_stub()
        if first is None:
            return False
        if self._attempt(lambda: self._range_tail(first, words=False)):
            return True
        if first.unit == "stub":
            return self._attempt(lambda: self._stub_list(first))
        self._add(first)
        return True

    def _holidays(self) -> bool:
        """«осенние каникулы»: days of the school calendar, placed in the year like any range
        of dates (so winter holidays end in the next year)."""
        token = self._take(_Kind.HOLIDAYS)
        if token is None:
            return False
        (first_month, first_day), (last_month, last_day) = self.holidays.span(token.key)
        year = self._year_context()
        self._add(
            _Range(_Point("day", first_day, first_month), _Point("day", last_day, last_month, year))
        )
        return True

    def _stub_list(self, first: _Point) -> bool:
        """«I, III квартал», «1 и 2 четверть», «10, 20 марта»: bare numbers borrow the unit
        (and the month and year) of the point that closes the list."""
        stubs = [first]
        while self._take(_Kind.SEP) is not None:
            last = self._point()
            if last is not None:
                items = [item for stub in stubs if (item := self._borrowed(stub, last))]
                if len(items) != len(stubs):
                    return False
                for item in (*items, last):
                    self._add(item)
                return True
            token = self._peek()
            if token is None or token.kind not in (_Kind.NUM, _Kind.ORD):
                return False
            self.pos += 1
            stubs.append(_Point("stub", token.value))
        return False

    @staticmethod
    def _borrowed(stub: _Point, last: _Point) -> _Point | None:
        if last.unit == "day" and 1 <= stub.number <= 31:
            return _Point("day", stub.number, last.month, last.explicit)
        if last.unit in _PART_COUNTS and 1 <= stub.number <= _PART_COUNTS[last.unit]:
            return _Point(last.unit, stub.number, 0, last.explicit)
        return None

    # Recurrences

    def _every(self) -> bool:
        token = self._peek()
        if token is None or token.kind is not _Kind.KW or token.key not in _EVERY_UNITS:
            return False
        self.pos += 1
        return self._set_unit(_EVERY_UNITS[token.key])

    def _each(self) -> bool:
        if self._take_kw("each") is None:
            return False
        count = self._take(_Kind.NUM)  # «каждые 2 недели»
        unit = self._take_unit(*_RECURRING_UNITS)
        if unit is not None:
            interval = count.value if count else 1
            return 1 <= interval <= 12 and self._set_unit(unit.key, interval)
        return count is None and (self._attempt(self._nth) or self._attempt(self._weekly))

    def _nth(self) -> bool:
        ordinals = self._weekday_ordinals()
        days = self._weekdays() if ordinals else []
        if not days:
            return False
        self._take_kw("each")
        self._take_unit("month")  # «второй вторник (каждого) месяца»
        nth = tuple(sorted({(day, n) for n in ordinals for day in days}))
        return self._set_pattern(_Recurrence(nth=nth))

    def _weekly(self) -> bool:
        self._take_kw("to")  # «по понедельникам»
        days = self._weekdays()
        if not days:
            return False
        self._take_kw("each")
        self._take_unit("week")
        return self._set_pattern(_Recurrence(weekdays=tuple(sorted(set(days)))))

    def _times(self) -> bool:
        count = self._take(_Kind.NUM)
        times = self._take_kw("times")
        unit = self._take_unit(*_RECURRING_UNITS) if times else None
        if times is None or unit is None:
            return False
        number = times.value or (count.value if count else 1)
        if unit.key == "year":
            per_year = _TIMES_A_YEAR.get(number)
            if per_year is None:  # «3 раза в год» has no calendar grid to put windows on
                self.unknown.append(self._consumed_text())
                return True
            return self._set_unit(per_year)
        if number > 1:
            self.notes.append(_TIMES_NOTE.format(_PER_UNIT[unit.key]))
        return self._set_unit(unit.key)

    def _weekday_ordinals(self) -> list[int]:
        found: list[int] = []
        while (token := self._peek()) is not None and _is_weekday_ordinal(token):
            found.append(token.value)
            self.pos += 1
            link, following = self._peek(), self._peek(1)
            if link is None or link.kind is not _Kind.SEP or following is None:
                break
            if not _is_weekday_ordinal(following):
                break
            self.pos += 1
        return found

    def _weekdays(self) -> list[int]:
        days: list[int] = []
        while (token := self._take(_Kind.WEEKDAY)) is not None:
            days.append(token.value)
            link, following = self._peek(), self._peek(1)
            if link is None or link.kind is not _Kind.SEP or following is None:
                break
            if following.kind is not _Kind.WEEKDAY:
                break
            self.pos += 1
        return days

    def _set_unit(self, unit: str, interval: int = 1) -> bool:
        current = self.recurrence or _Recurrence()
        if current.unit == unit:
            return True
        if current.unit is None and current.fits(unit):
            current.unit, current.interval = unit, interval
            self.recurrence = current
        else:  # two rhythms in one phrase: keep the first, report the second
            self.unknown.append(self._consumed_text())
        return True

    def _set_pattern(self, pattern: _Recurrence) -> bool:
        """Add a day pattern (weekdays, nth weekdays or a day-of-month limit)."""
        current = self.recurrence or _Recurrence()
        if current.expects() is None and (current.unit is None or pattern.fits(current.unit)):
            self.recurrence = replace(pattern, unit=current.unit, interval=current.interval)
        else:
            self.unknown.append(self._consumed_text())
        return True

    # Deadlines and starts

    def _due_mode(self) -> _DueMode | None:
        if self._take_kw("until", "by"):
            return _DueMode.BEFORE
        if self._take_kw("to"):
            return _DueMode.BY_END
        if self._take_kw("not") and self._take_kw("later"):
            return _DueMode.BY_END
        return None

    def _following_unit(self) -> tuple[bool, str | None]:
        """«(числа) месяца, следующего за отчетным (кварталом)»: whether the day is in the
        month after each period, and the period named, if any."""
        self._take_unit("month")
        saved = self.pos
        self._take(_Kind.SEP)
        if self._take_kw("following") is None:
            self.pos = saved
            return False, None
        self._take_kw("reported")
        unit = self._take_unit(*_DAY_LIMIT_UNITS)
        if unit is None and (word := self._peek()) is not None and word.kind is _Kind.WORD:
            self.pos += word.text.startswith("период")  # «за отчетным периодом»
        return True, unit.key if unit else None

    def _not_earlier(self) -> bool:
        return bool(self._take_kw("not") and self._take_kw("earlier"))

    def _day_of_month(self) -> int | None:
        """«до 5 числа»: the day of each month a monthly activity is due on."""
        token, following = self._peek(), self._peek(1)
        if token is None or token.kind not in (_Kind.NUM, _Kind.ORD) or following is None:
            return None
        if not (1 <= token.value <= 31 and following.is_kw("day_of_month")):
            return None
        self.pos += 2
        return token.value

    # Points and ranges

    def _range_tail(self, first: _Point, *, words: bool) -> bool:
        """« – май», or with «с»: « по май», « до мая»; adds the range when it is one."""
        link = self._peek()
        if link is None or not (link.kind is _Kind.DASH or (words and link.is_kw("to", "until"))):
            return False
        self.pos += 1
        last = self._point()
        item = self._make_range(first, last) if last is not None else None
        if item is None:
            return False
        self._add(item)
        return True

    def _make_range(self, first: _Point, last: _Point) -> _Item | None:
        if first.unit == "stub":
            # «20–21 апреля», «I–II квартал»: the bare number borrows the unit of the end.
            if last.unit == "day":
                first = _Point("day", first.number, last.month, last.explicit)
            elif last.unit in _PART_COUNTS and first.number <= _PART_COUNTS[last.unit]:
                first = _Point(last.unit, first.number, 0, last.explicit)
            else:
                return None
        consecutive = first.unit == last.unit == "year" and last.number == first.number + 1
        if consecutive and self.period.start.month != 1:
            # In a school-year roadmap «2022-2023» names the school year.
            return _Point("school_year", first.number, 0, Period.school_year(first.number))
        return _Range(first, last)

    def _point_or_stub(self) -> _Point | None:
        point = self._point()
        if point is not None:
            return point
        token = self._peek()
        if token is not None and token.kind in (_Kind.NUM, _Kind.ORD) and 1 <= token.value <= 31:
            self.pos += 1
            return _Point("stub", token.value)
        return None

    def _point(self) -> _Point | None:
        saved = self.pos
        part = self._part_of_month()
        modifier = None if part else self._modifier()
        base = self._base_point()
        if base is None or (part is not None and base.unit != "month"):
            self.pos = saved
            return None
        if part is not None:
            base = replace(base, part=part)
        if base.explicit is None and base.unit not in ("year", "school_year"):
            context = self._year_context()
            if context is not None:
                base = replace(base, explicit=context)
            else:
                self._skip_of_the_year()
        return replace(base, modifier=modifier)

    def _part_of_month(self) -> tuple[str, int] | None:
        """«первая декада», «последняя неделя» (of the month that follows)."""
        token, following = self._peek(), self._peek(1)
        if token is None or following is None or not following.is_unit("decade", "week"):
            return None
        if token.kind not in (_Kind.ORD, _Kind.NUM) or not (
            token.value == -1 or 1 <= token.value <= 5
        ):
            return None
        if following.key == "decade" and token.value > 3:
            return None
        self.pos += 2
        return following.key, token.value

    def _modifier(self) -> _Mod | None:
        token, following = self._peek(), self._peek(1)
        if token is None:
            return None
        if token.kind is _Kind.KW and token.key in _MODIFIER_KEYWORDS:
            self.pos += 1
            return _MODIFIER_KEYWORDS[token.key]
        halves = token.kind is _Kind.ORD and token.value in (1, 2)
        if halves and following is not None and following.is_kw("half_of"):
            self.pos += 2
            return _Mod.FIRST_HALF if token.value == 1 else _Mod.SECOND_HALF
        return None

    def _base_point(self) -> _Point | None:
        token, following = self._peek(), self._peek(1)
        if token is None:
            return None
        point = _simple_point(token)
        if point is not None:
            self.pos += 1
            return point
        if following is None:
            return None
        point = _numbered_point(token, following)
        if point is not None:
            self.pos += 2
        return point

    def _year_context(self) -> Period | None:
        token = self._peek()
        if token is not None and token.kind is _Kind.YEAR:
            self.pos += 1
            return Period.calendar_year(token.value)
        if token is not None and token.kind is _Kind.SCHOOL_YEAR:
            self.pos += 1
            return Period.school_year(token.value)
        return None

    def _skip_of_the_year(self) -> None:
        """«марта текущего года», «сентябрь учебного года»: the roadmap's own year."""
        self.pos = _after_school_words(self.tokens, self.pos)
        self._take_unit("year")


def _is_weekday_ordinal(token: _Token) -> bool:
    if token.kind is _Kind.ORD:
        return token.value == -1 or 1 <= token.value <= 5
    return token.kind is _Kind.NUM and 1 <= token.value <= 5


def _simple_point(token: _Token) -> _Point | None:
    """A point made of one token: a date, a month, a year, «в течение года»."""
    if token.kind is _Kind.DATE:
        explicit = Period.calendar_year(token.year) if token.year else None
        return _Point("day", token.value, token.month, explicit)
    if token.kind is _Kind.MONTH:
        return _Point("month", token.value)
    if token.kind is _Kind.YEAR:
        return _Point("year", token.value, 0, Period.calendar_year(token.value))
    if token.kind is _Kind.SCHOOL_YEAR:
        return _Point("school_year", token.value, 0, Period.school_year(token.value))
    if token.is_kw("whole") or token.is_unit("year"):
        return _Point("whole")
    return None


def _numbered_point(token: _Token, following: _Token) -> _Point | None:
    """A point of two tokens: «1 марта», «II квартал», «2-е полугодие», «учебного года»."""
    if token.is_kw("school") and following.is_unit("year"):
        return _Point("school_whole")
    if token.kind not in (_Kind.NUM, _Kind.ORD):
        return None
    if following.kind is _Kind.MONTH and 1 <= token.value <= 31:
        return _Point("day", token.value, following.value)
    count = _PART_COUNTS.get(following.key, 0) if following.kind is _Kind.UNIT else 0
    if 1 <= token.value <= count:
        return _Point(following.key, token.value)
    return None


# --- 4. Resolution against the period -----------------------------------------------------

_TERM_MONTHS = {1: (9, 10), 2: (11, 12), 3: (1, 3), 4: (4, 5)}  # school terms, approximately
_TERM_STARTS = (1, 4, 9, 11)
_SCHOOL_YEAR_MONTHS = {_Mod.START: 9, _Mod.MID: 1, _Mod.END: 5}  # «конец учебного года»: May
_DECADES = {
    _Mod.START: (1, 10),
    _Mod.MID: (11, 20),
    _Mod.END: (21, 31),
    _Mod.FIRST_HALF: (1, 15),
    _Mod.SECOND_HALF: (16, 31),
}


@dataclass
class _Resolved:
    windows: list[Window] = field(default_factory=list)
    dues: list[date] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class _Recurred(NamedTuple):
    rule: str | None
    windows: list[Window]
    problem: str | None


def _assemble(parsed: _Parsed, period: Period, text: str) -> Schedule:
    resolved = _resolve(parsed.items, period)
    unknown = [*parsed.unknown, *resolved.failed]
    warnings = [*parsed.notes, *resolved.notes]
    rule: str | None = None
    if parsed.recurrence is not None:
        kind = ScheduleKind.RECURRING
        rule, windows, problem = _recur(parsed.recurrence, _bounds(resolved, period), period)
        if problem is not None:
            warnings.append(_warning(problem, text))
    else:
        kind = ScheduleKind.WINDOW if resolved.windows else ScheduleKind.DEADLINE
        windows = [*resolved.windows, *((min(period.start, d), d) for d in resolved.dues)]
    if not windows:
        if unknown and not parsed.intentional:
            warnings.insert(0, _warning(_UNKNOWN, text))
        return Schedule(kind=ScheduleKind.UNSCHEDULED, warning="; ".join(warnings) or None)
    if unknown:
        warnings.insert(0, _warning(_PARTIAL, " ".join(unknown)))
    return Schedule(
        kind=kind,
        windows=tuple(sorted(set(windows))),
        rule=rule,
        warning="; ".join(warnings) or None,
    )


def _resolve(items: Sequence[tuple[_Item, str]], period: Period) -> _Resolved:
    contexts = _contexts([item for item, _ in items], period)
    spans: list[Window | None] = [None] * len(items)
    # Items with their own year first: the others are placed relative to them.
    for index in sorted(range(len(items)), key=lambda i: contexts[i].lender is not None):
        spans[index] = _resolve_in_list(items[index][0], index, contexts[index], spans, period)
    resolved = _Resolved()
    for (item, text), span in zip(items, spans, strict=True):
        if span is None:
            resolved.failed.append(text)
        elif isinstance(item, _Due):
            resolved.dues.append(span[1])
        elif span[0] > span[1]:
            resolved.windows.append((span[1], span[0]))
            resolved.notes.append(_warning(_REVERSED, text))
        else:
            resolved.windows.append(span)
    return resolved


class _Context(NamedTuple):
    period: Period  # the year the item is read in
    lender: int | None  # the item whose written year it borrowed


def _contexts(items: Sequence[_Item], period: Period) -> list[_Context]:
    """The year each item is read in.

    «Июнь, декабрь 2023»: a year written anywhere in a list applies to the items without one,
    the nearest following year first. «В течение года» always means the roadmap's period.
    """
    explicit = [_explicit_of(item) for item in items]
    contexts: list[_Context] = []
    for index, own in enumerate(explicit):
        later = (i for i in range(index + 1, len(items)) if explicit[i] is not None)
        earlier = (i for i in reversed(range(index)) if explicit[i] is not None)
        lender = next(later, None)
        lender = next(earlier, None) if lender is None else lender
        if own is not None:
            contexts.append(_Context(own, None))
        elif lender is None or _is_whole(items[index]):
            contexts.append(_Context(period, None))
        else:
            contexts.append(_Context(explicit[lender] or period, lender))
    return contexts


def _resolve_in_list(
    item: _Item, index: int, context: _Context, spans: Sequence[Window | None], period: Period
) -> Window | None:
    """Resolve an item; one that borrowed a year keeps the list in chronological order.

    «Декабрь, январь 2023» is December 2022: like a range, a list does not run backwards.
    """
    lender = context.lender
    span = _resolve_item(item, context.period, lender is not None, period)
    lent = spans[lender] if lender is not None else None
    if span is None or lender is None or lent is None:
        return span
    if lender > index and span[0] > lent[1]:
        return _resolve_item(item, _shift(context.period, -1), True, period)
    if lender < index and span[1] < lent[0]:
        return _resolve_item(item, _shift(context.period, 1), True, period)
    return span


def _resolve_item(item: _Item, context: Period, borrowed: bool, period: Period) -> Window | None:
    """The item's window; for a due date, the single day it is due on."""
    if isinstance(item, _Due):
        due = _due_date(item, context)
        return (due, due) if due else None
    return _item_window(item, context, borrowed, period)


def _explicit_of(item: _Item) -> Period | None:
    if isinstance(item, _Point):
        return item.explicit
    if isinstance(item, _Range):
        return item.last.explicit or item.first.explicit
    return item.point.explicit


def _is_whole(item: _Item) -> bool:
    return isinstance(item, _Point) and item.unit in ("whole", "school_whole")


def _item_window(item: _Item, context: Period, borrowed: bool, period: Period) -> Window | None:
    if isinstance(item, _Point):
        return _point_window(item, context)
    if isinstance(item, _Range):
        return _range_window(item, context, borrowed)
    if isinstance(item, _OpenFrom):
        return _open_window(item, context, period)
    return None


def _range_window(item: _Range, context: Period, borrowed: bool) -> Window | None:
    """«сентябрь – май 2023» starts in 2022: a range never runs backwards by its year alone."""
    first_context, last_context = item.first.explicit, item.last.explicit
    if first_context is None and last_context is None and borrowed:
        last_context = context  # a year further along the list reads as if written here
    if last_context is not None and first_context is None:
        last = _point_window(item.last, last_context)
        first = _point_window(item.first, last_context)
        if first and last and first[0] > last[1]:
            first = _point_window(item.first, _shift(last_context, -1))
    else:
        anchor = first_context or context
        first = _point_window(item.first, anchor)
        last = _point_window(item.last, last_context or anchor)
        if first and last and last_context is None and last[1] < first[0]:
            last = _point_window(item.last, _shift(anchor, 1))
    if first is None or last is None:
        return None
    return first[0], last[1]


def _open_window(item: _OpenFrom, context: Period, period: Period) -> Window | None:
    window = _point_window(item.point, context)
    if window is None:
        return None
    start = window[1] + _ONE_DAY if item.after else window[0]
    return start, max(period.end, window[1], start)


def _due_date(item: _Due, context: Period) -> date | None:
    point = item.point
    window = _point_window(point, context)
    if window is None:
        return None
    if point.unit == "day" or item.mode is _DueMode.BY_END or point.modifier is _Mod.END:
        return window[1]
    if point.modifier is _Mod.MID:  # «до середины марта»: the 15th
        return window[0] + (window[1] - window[0]) // 2
    return window[0] - _ONE_DAY  # «до марта»: before March begins


def _point_window(point: _Point, context: Period) -> Window | None:
    context = point.explicit or context
    if point.unit == "school_whole" and point.modifier in _SCHOOL_YEAR_MONTHS:
        month = _SCHOOL_YEAR_MONTHS[point.modifier]
        return _months_window(context, month, month)
    window = _base_window(point, context)
    if window is not None and point.part is not None:
        return _part_window(window, *point.part)
    if window is None or point.modifier is None or point.unit == "day":
        return window
    return _apply_modifier(window, point.modifier)


def _base_window(point: _Point, context: Period) -> Window | None:
    number = point.number
    if point.unit == "day":
        day = _safe_date(_month_year(point.month, context), point.month, number)
        return (day, day) if day else None
    if point.unit == "month":
        return _months_window(context, number, number)
    if point.unit == "quarter":
        return _months_window(context, 3 * number - 2, 3 * number)
    if point.unit == "term":
        return _months_window(context, *_TERM_MONTHS[number])
    if point.unit == "half":
        return _half_window(number, context)
    if point.unit == "stub":
        return None
    return context.start, context.end  # a year, a school year, the whole period


def _month_year(month: int, context: Period) -> int:
    """The year a month without one falls in: Jan–Aug of a school year are in its second."""
    return context.start.year if month >= context.start.month else context.start.year + 1


def _months_window(context: Period, first: int, last: int) -> Window:
    year = _month_year(first, context)
    return date(year, first, 1), _month_end(year if last >= first else year + 1, last)


def _half_window(number: int, context: Period) -> Window:
    if context.start.month == 1:
        return _months_window(context, 6 * number - 5, 6 * number)
    # A school year splits at New Year: «I полугодие» is Sep–Dec, «II» is Jan–Aug.
    if number == 1:
        return context.start, date(context.start.year, 12, 31)
    return date(context.start.year + 1, 1, 1), context.end


def _apply_modifier(window: Window, modifier: _Mod) -> Window:
    months = _whole_months(window)
    if months is None:
        return window  # «конец 10.03.2022» means nothing more than the date
    if len(months) == 1:
        first_day, last_day = _DECADES[modifier]
        end_day = min(last_day, window[1].day)
        return window[0].replace(day=first_day), window[0].replace(day=end_day)
    picked = _pick_months(months, modifier)
    return date(*picked[0], 1), _month_end(*picked[-1])


def _part_window(month: Window, part: str, number: int) -> Window | None:
    """A decade (1–10, 11–20, 21–end) or a week (days 1–7, 8–14 …; the last: the final seven
    days) of a month: offices count them by the date, not by the calendar's weeks."""
    first, last = month
    if part == "decade":
        number = 3 if number == -1 else number
        start = first.replace(day=10 * (number - 1) + 1)
        return start, last if number == 3 else first.replace(day=10 * number)
    if number == -1:
        return last - timedelta(days=6), last
    start = first + timedelta(days=7 * (number - 1))
    return (start, min(last, start + timedelta(days=6))) if start <= last else None


def _whole_months(window: Window) -> list[tuple[int, int]] | None:
    start, end = window
    if start.day != 1 or end != _month_end(end.year, end.month) or start > end:
        return None
    count = (end.year - start.year) * 12 + end.month - start.month + 1
    return [divmod(start.year * 12 + start.month - 1 + i, 12) for i in range(count)]


def _pick_months(months: list[tuple[int, int]], modifier: _Mod) -> list[tuple[int, int]]:
    picked = {
        _Mod.START: months[:1],
        _Mod.MID: months[(len(months) - 1) // 2 : len(months) // 2 + 1],
        _Mod.END: months[-1:],
        _Mod.FIRST_HALF: months[: len(months) // 2],
        _Mod.SECOND_HALF: months[len(months) // 2 :],
    }[modifier]
    return [(year, month + 1) for year, month in picked]


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:  # «31.02.2022», «30 февраля»
        return None


def _shift(period: Period, years: int) -> Period:
    return Period(start=_add_years(period.start, years), end=_add_years(period.end, years))


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- Recurrences --------------------------------------------------------------------------


def _bounds(resolved: _Resolved, period: Period) -> Window:
    """Where a recurrence runs: the dated parts of the phrase, else the whole period."""
    start = min((w[0] for w in resolved.windows), default=period.start)
    end = max((w[1] for w in resolved.windows), default=period.end)
    if resolved.dues:  # «ежемесячно до 01.12.2022»
        end = min(end, max(resolved.dues)) if resolved.windows else max(resolved.dues)
    return (start, end) if start <= end else (end, end)


def _recur(recurrence: _Recurrence, bounds: Window, period: Period) -> _Recurred:
    if recurrence.nth or recurrence.weekdays:
        return _day_windows(_weekday_rule(recurrence, bounds))
    unit = recurrence.unit or "month"
    if recurrence.day_limit is not None and (recurrence.following or unit != "month"):
        return _following_day_windows(recurrence.day_limit, unit, bounds, period)
    if recurrence.day_limit is not None:
        return _day_limit_windows(recurrence.day_limit, bounds)
    return _unit_windows(recurrence.unit or "month", recurrence.interval, bounds, period)


def _weekday_rule(recurrence: _Recurrence, bounds: Window) -> rrule:
    start, until = _moment(bounds[0]), _moment(bounds[1])
    if recurrence.nth:
        days = [weekday(day, n) for day, n in recurrence.nth]
        return rrule(MONTHLY, byweekday=days, dtstart=start, until=until)
    days = [weekday(day) for day in recurrence.weekdays]
    return rrule(WEEKLY, interval=recurrence.interval, byweekday=days, dtstart=start, until=until)


def _day_windows(rule: rrule) -> _Recurred:
    """One single-day window per occurrence: «каждую пятницу», «2-й понедельник»."""
    moments = list(islice(rule, MAX_OCCURRENCES + 1))
    if len(moments) > MAX_OCCURRENCES:
        return _Recurred(None, [], _TOO_MANY)
    if not moments:
        return _Recurred(None, [], _NO_OCCURRENCE)
    return _Recurred(str(rule), [(m.date(), m.date()) for m in moments], None)


def _day_limit_windows(limit: int, bounds: Window) -> _Recurred:
    """«ежемесячно до 5 числа»: each month from its first day to the given day."""
    # BYMONTHDAY=31 skips short months; the last of 28..limit keeps every month.
    days = (limit,) if limit <= 28 else tuple(range(28, limit + 1))
    rule = rrule(
        MONTHLY,
        bymonthday=days,
        bysetpos=-1 if limit > 28 else None,
        dtstart=_moment(bounds[0].replace(day=1)),
        until=_moment(bounds[1]),
    )
    moments = list(islice(rule, MAX_OCCURRENCES + 1))
    if len(moments) > MAX_OCCURRENCES:
        return _Recurred(None, [], _TOO_MANY)
    windows = [_clip((m.date().replace(day=1), m.date()), bounds) for m in moments]
    kept = [w for w in windows if w is not None]
    return _Recurred(str(rule), kept, None if kept else _NO_OCCURRENCE)


def _following_day_windows(limit: int, unit: str, bounds: Window, period: Period) -> _Recurred:
    """«ежеквартально до 10 числа», «до 5 числа месяца, следующего за отчетным»: for each
    period (month, quarter …) in the bounds, from the first day of the next month to its
    `limit`-th day (the month's last day when it is shorter). A report is due after the
    period it reports on, so a quarterly day is always in the month after the quarter."""
    periods = _unit_windows(unit, 1, bounds, period)
    if periods.problem is not None:
        return periods
    windows: list[Window] = []
    for _, last in periods.windows:
        start = _month_end(last.year, last.month) + _ONE_DAY
        end = _safe_date(start.year, start.month, limit) or _month_end(start.year, start.month)
        windows.append((start, end))
    step = {"month": 1, "quarter": 3, "half": 6, "year": 12}.get(unit)
    first, end = _moment(windows[0][1]), _moment(windows[-1][1])
    if step is None:  # terms are uneven: their months are listed
        months = sorted({w[1].month for w in windows})
        rule = rrule(MONTHLY, bymonth=months, bymonthday=min(limit, 28), dtstart=first, until=end)
    else:
        rule = rrule(MONTHLY, interval=step, bymonthday=min(limit, 28), dtstart=first, until=end)
    return _Recurred(str(rule), windows, None)


def _unit_windows(unit: str, interval: int, bounds: Window, period: Period) -> _Recurred:
    """One window per calendar week/month/quarter/half touching `bounds`, clipped to them.

    The rule starts at the unit containing the first day, so «с марта ежеквартально» gives
    March (the rest of Q1), Q2, Q3 and Q4: quarterly reports follow calendar quarters.
    """
    anchor = _unit_anchor(unit, bounds[0], period)
    starts: list[date] = []
    for moment in _unit_rule(unit, interval, anchor, None, period):
        starts.append(moment.date())
        if starts[-1] > bounds[1]:
            break  # the first start past the bounds closes the last window
        if len(starts) > MAX_OCCURRENCES:
            return _Recurred(None, [], _TOO_MANY)
    windows = [_clip((a, b - _ONE_DAY), bounds) for a, b in pairwise(starts)]
    kept = [w for w in windows if w is not None]
    rule = _unit_rule(unit, interval, anchor, bounds[1], period)
    return _Recurred(str(rule), kept, None if kept else _NO_OCCURRENCE)


def _unit_anchor(unit: str, day: date, period: Period) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if unit in ("half", "term"):
        months = _half_starts(period) if unit == "half" else _TERM_STARTS
        starts = (date(y, m, 1) for y in (day.year - 1, day.year) for m in months)
        return max(start for start in starts if start <= day)
    return day  # a year is counted from the first day: «ежегодно» covers the period once


def _unit_rule(unit: str, interval: int, anchor: date, until: date | None, period: Period) -> rrule:
    start, end = _moment(anchor), (_moment(until) if until else None)
    if unit == "week":
        return rrule(WEEKLY, interval=interval, dtstart=start, until=end)
    if unit == "month":
        return rrule(MONTHLY, interval=interval, dtstart=start, until=end)
    if unit == "quarter":
        return rrule(MONTHLY, interval=3 * interval, dtstart=start, until=end)
    if unit == "half" and interval == 1:
        return rrule(MONTHLY, bymonth=_half_starts(period), dtstart=start, until=end)
    if unit == "half":
        return rrule(MONTHLY, interval=6 * interval, dtstart=start, until=end)
    if unit == "term":  # «раз в четверть»: the fourth term runs to the summer
        return rrule(MONTHLY, bymonth=_TERM_STARTS, dtstart=start, until=end)
    return rrule(YEARLY, interval=interval, dtstart=start, until=end)


def _half_starts(period: Period) -> tuple[int, ...]:
    """Months halves begin in: Jan and Jul, or Jan and Sep for a school year."""
    return (1, 7) if period.start.month == 1 else tuple(sorted({1, period.start.month}))


def _clip(window: Window, bounds: Window) -> Window | None:
    start, end = max(window[0], bounds[0]), min(window[1], bounds[1])
    return (start, end) if start <= end else None


def _moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)
