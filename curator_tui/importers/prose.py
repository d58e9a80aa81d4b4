"""Facts written in the prose around the table: who issued it, its heading, its year.

An order («приказ») usually opens with the issuing body, then the order's own title
(«Об утверждении …» or «О внесении изменений …»), then the appendix heading right above
the table («Дорожная карта … на 2023 год»). Each fact is read from where it is written
and the nearer, more specific place wins.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from curator_tui.domain.models import OrgLevel
from curator_tui.domain.parsed import ParsedRoadmap
from curator_tui.domain.schedule import DEFAULT_HOLIDAYS, SchoolHolidays, parse_deadline
from curator_tui.importers.cleaning import clean_line

# ------------------------------------------------------------------ the heading (title)

_HEADING = re.compile(
    r"дорожн\w*\s+карт\w*|план[-–\s]*график\w*|план\w*\s+мероприяти\w*"
    r"|антирисков\w*\s+программ\w*|программ\w*\s+(?:антирисков\w*\s+мер|перехода|выхода)",
    re.IGNORECASE,
)
_ENUMERATED = re.compile(r"^\s*\d{1,2}\s*[.)]\s")
_MAX_HEADING_LINE = 350
_MAX_TITLE = 600


def find_heading(lines: Sequence[str]) -> str:
    """The roadmap heading nearest above the table, with the lines that continue it."""
    cleaned = [clean_line(line) for line in lines]
    found = next((i for i in range(len(cleaned) - 1, -1, -1) if _is_heading_line(cleaned[i])), None)
    if found is None:
        return ""
    first, last = _extend_back(lines, cleaned, found), _extend_forward(lines, cleaned, found)
    parts = [text for text in cleaned[first : last + 1] if text]
    return " ".join(parts)[:_MAX_TITLE]


def _is_heading_line(text: str) -> bool:
    return (
        bool(_HEADING.search(text))
        and len(text) <= _MAX_HEADING_LINE
        and not _ENUMERATED.match(text)
    )


def _continues(text: str) -> bool:
    """A line that cannot start a heading of its own: «(региональные …)», «по реализации …»."""
    return bool(text) and (text[0].islower() or text[0] == "(")


def _extend_forward(raw: Sequence[str], cleaned: list[str], start: int) -> int:
    """The last line of the heading that starts at `start`.

    A heading goes on over lines that cannot start one of their own, inside a **bold** span,
    in a block of capitals begun by a heading in capitals («ДОРОЖНАЯ КАРТА» / «ПО ВЫХОДУ ИЗ
    СТАТУСА ШНОР» / «МБОУ «СОШ № 5»»), and to a short line naming its period
    («На 2023/2024 учебный год»).
    """
    last = start
    bold_open = raw[start].count("**") % 2 == 1
    capitals = _in_capitals(cleaned[start])
    for j in range(start + 1, len(cleaned)):
        text = cleaned[j]
        if not text:
            continue
        if len(text) > _MAX_HEADING_LINE:
            break
        in_block = capitals and _in_capitals(text) and not _starts_document_kind(text)
        if not (bold_open or _continues(text) or in_block or _names_period(text)):
            break
        last = j
        bold_open ^= raw[j].count("**") % 2 == 1
        if _names_period(text):
            return j  # the period closes a heading
    return _period_ahead(cleaned, last)


_MAX_LINES_TO_PERIOD = 3


def _period_ahead(cleaned: list[str], last: int) -> int:
    """«Дорожная карта» / «Муниципального … учреждения «СОШ № 5»» / «на 2023/2024 учебный год»:
    a line naming the period a few lines below ends the heading those lines continue."""
    ahead = [j for j in range(last + 1, len(cleaned)) if cleaned[j]][:_MAX_LINES_TO_PERIOD]
    for j in ahead:
        text = cleaned[j]
        if len(text) > _MAX_HEADING_LINE or _starts_document_kind(text) or _HEADING.search(text):
            return last
        if _names_period(text):
            return j
    return last


def _in_capitals(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 3 and all(ch.isupper() for ch in letters)


_PERIOD_LINE = re.compile(r"^\W*(?:на|в)\s+20\d\d\b[^.]{0,40}$", re.IGNORECASE)


def _names_period(text: str) -> bool:
    return bool(_PERIOD_LINE.match(text))


def _extend_back(raw: Sequence[str], cleaned: list[str], start: int) -> int:
    first = start
    while _continues(cleaned[first]) or _inside_bold(raw, first):
        previous = next((j for j in range(first - 1, -1, -1) if cleaned[j]), None)
        if previous is None or len(cleaned[previous]) > _MAX_HEADING_LINE:
            break
        first = previous
    return first


def _inside_bold(raw: Sequence[str], index: int) -> bool:
    """A line that starts inside a **bold** span opened on an earlier line."""
    return sum(line.count("**") for line in raw[:index]) % 2 == 1


# ------------------------------------------------------------------ the order's own title

_ORDER_TITLE = re.compile(r"^(?:об\s+утверждении|о\s+внесении)\b", re.IGNORECASE)
_AMENDS = re.compile(
    r"^(?:о\s+внесении\s+изменени|об\s+утверждении\s+изменени"
    r"|изменени[яй]\s+в\s+[^.]{0,40}?(?:дорожн|план))",
    re.IGNORECASE,
)


def _bare(text: str) -> str:
    """A line without the quotes and numbering that may open it."""
    return re.sub(r"^[\s«\"'*(\d.)]+", "", text)


def order_titles(lines: Sequence[str]) -> list[str]:
    return [text for text in map(clean_line, lines) if _ORDER_TITLE.match(_bare(text))]


def is_amendment(lines: Sequence[str], heading: str) -> bool:
    """Only the document's own title counts: an order quoted in the preamble does not."""
    texts = [*map(clean_line, lines), heading]
    return any(_AMENDS.match(_bare(text)) for text in texts)


# ------------------------------------------------------------------ the year

_SCHOOL_YEAR = re.compile(
    r"(20\d\d)\s*[-–—/]\s*(20\d\d|\d\d)(?!\d)\s*(?:гг?\.?\s*)?(?:уч\w*|учебн\w*)",
    re.IGNORECASE,
)
_YEAR_PHRASE = re.compile(
    r"\b(?:на|в|во)\s+(20\d\d)\s*(?:год\w*|г\b\.?)|(?<!\d)(20\d\d)\s*году\b", re.IGNORECASE
)
_ANY_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


@dataclass(frozen=True)
class Period:
    year: int | None = None
    school_year: int | None = None

    @property
    def found(self) -> bool:
        return self.year is not None or self.school_year is not None


def _period_in(text: str) -> Period:
    school = _SCHOOL_YEAR.search(text)
    if school and int(school.group(2)) in _next_years(int(school.group(1))):
        return Period(school_year=int(school.group(1)))
    phrase = _YEAR_PHRASE.search(text)
    if phrase:
        return Period(year=int(phrase.group(1) or phrase.group(2)))
    return Period()


def _next_years(year: int) -> tuple[int, int]:
    """The year after `year` as it may be written: «2024» or «24»."""
    return year + 1, (year + 1) % 100


def find_period(
    heading: str, titles: Sequence[str], prose: Sequence[str], deadlines: Sequence[str]
) -> Period:
    """The heading's year first, then the order's title, then what the deadlines say."""
    for text in (heading, *titles):
        period = _period_in(text)
        if period.found:
            return period
    bare = _ANY_YEAR.search(heading)
    if bare:
        return Period(year=int(bare.group(1)))
    counted = Counter(int(y) for text in deadlines for y in _ANY_YEAR.findall(text))
    if counted:
        return Period(year=max(counted.items(), key=lambda item: (item[1], -item[0]))[0])
    for text in map(clean_line, prose):
        period = _period_in(text)
        if period.found:
            return period
    return Period()


_PERIOD_OPTION = re.compile(r"^\s*(\d{4})\s*(?:[-–—/]\s*(\d{4}|\d{2}))?\s*$")


def period_option(text: str) -> Period | None:
    """«2023» (a calendar year) or «2023/2024», «2023-24» (a school year), as typed for
    `--year`; None when it is neither."""
    found = _PERIOD_OPTION.match(text)
    if found is None:
        return None
    first = int(found.group(1))
    if not 1900 <= first <= 2200:
        return None
    second = found.group(2)
    if second is None:
        return Period(year=first)
    if int(second) != (first + 1 if len(second) == 4 else (first + 1) % 100):
        return None
    return Period(school_year=first)


def deadline_warnings(roadmap: ParsedRoadmap, holidays: SchoolHolidays | None = None) -> list[str]:
    """The deadlines read only in part or not at all, one line each, for the import summary.

    A phrase that names no date on purpose («по отдельному графику») is no warning.
    """
    period = roadmap.period
    if period is None:
        return []
    lines: list[str] = []
    # A roadmap repeats a handful of phrases («ежемесячно») thousands of times: one parse each.
    warnings: dict[str, str | None] = {}
    for activity in roadmap.activities:
        text = activity.deadline_text
        if not text:
            continue
        if text not in warnings:
            warnings[text] = parse_deadline(text, period, holidays or DEFAULT_HOLIDAYS).warning
        warning = warnings[text]
        if warning:
            label = activity.number or f"«{_short(activity.title)}»"
            said = warning[:1].lower() + warning[1:]
            lines.append(f"Мероприятие {label}, срок «{_short(text)}»: {said}")
    return lines


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ------------------------------------------------------------------ the issuing body

_DOCUMENT_KINDS = (
    "приказ",
    "распоряжение",
    "постановление",
    "решение",
    "утверждаю",
    "утвержден",
    "согласовано",
    "приложение",
)
_STAMPS = ("утверждаю", "утвержден", "согласовано", "приложение")
_COUNTRY = frozenset({"российская федерация", "россия"})
_MAX_ORG_LINES = 6
_MAX_ORG_CHARS = 400
_ORG_IN_TEXT = re.compile(
    r"\b(?:МБОУ|МАОУ|МКОУ|МОУ|ГБОУ|ГАОУ|ГКОУ|ЧОУ|НОУ|МБУ|МКУ|МАУ|ГАУ|ГБУ|ГКУ)"
    r"(?:\s+[А-ЯЁ]{2,6})*\s*[«\"][^»\"]{3,150}[»\"]"
)


def find_organisation(lines: Sequence[str]) -> str:
    """The issuing body: the block of lines that opens the document, tidied up."""
    block = _opening_block([clean_line(line) for line in lines])
    if block:
        return tidy_organisation(" ".join(block))
    for text in map(clean_line, lines):
        found = _ORG_IN_TEXT.search(text)
        if found:
            return tidy_organisation(found.group())
    return ""


def _opening_block(texts: list[str]) -> list[str]:
    """The first block of lines, unless the document opens with an approval stamp.

    Under «УТВЕРЖДАЮ» stands a person («Директор МБОУ … Иванов»), not the issuer.
    """
    opening = next((text for text in texts if text), "")
    if _starts_document_kind(opening, _STAMPS):
        return []
    block: list[str] = []
    for text in texts:
        if not text:
            if block:
                break
            continue
        if _starts_document_kind(text) or text.lower() in _COUNTRY:
            if block:
                break
            continue
        block.append(text)
    if not block or len(block) > _MAX_ORG_LINES or len(" ".join(block)) > _MAX_ORG_CHARS:
        return []
    joined = " ".join(block)
    if _HEADING.search(joined) or _ORDER_TITLE.match(joined) or not joined[0].isalpha():
        return []
    return block


def _starts_document_kind(text: str, kinds: tuple[str, ...] = _DOCUMENT_KINDS) -> bool:
    squeezed = re.sub(r"[\s«»\"]+", "", text).lower()
    return squeezed.startswith(kinds)


# Long legal forms as offices abbreviate them in their own names.
_LEGAL_FORMS = (
    ("муниципальное бюджетное общеобразовательное учреждение", "МБОУ"),
    ("муниципальное автономное общеобразовательное учреждение", "МАОУ"),
    ("муниципальное казенное общеобразовательное учреждение", "МКОУ"),
    ("муниципальное общеобразовательное учреждение", "МОУ"),
    ("государственное бюджетное общеобразовательное учреждение", "ГБОУ"),
    ("государственное автономное общеобразовательное учреждение", "ГАОУ"),
    ("муниципальное казенное учреждение", "МКУ"),
    ("муниципальное бюджетное учреждение", "МБУ"),
    ("муниципальное автономное учреждение", "МАУ"),
    ("государственное автономное учреждение", "ГАУ"),
    ("государственное бюджетное учреждение", "ГБУ"),
    ("государственное казенное учреждение", "ГКУ"),
    ("бюджетное учреждение", "БУ"),
    ("дополнительного профессионального образования", "ДПО"),
)


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    words = (re.escape(word).replace("е", "[её]") for word in phrase.split())
    return re.compile(r"^\s*" + r"\s+".join(words) + r"(?!\w)\s*", re.IGNORECASE)


_LEGAL_FORM_PATTERNS = tuple((_phrase_pattern(p), short) for p, short in _LEGAL_FORMS)
_ABBREVIATIONS = frozenset(short for _, short in _LEGAL_FORMS) | {
    "СОШ", "ООШ", "НОШ", "СШ", "ОШ", "ДОУ", "РФ", "РК", "МО", "ГО", "МОУО", "ДПО", "ИРО",
}  # fmt: skip


def tidy_organisation(text: str) -> str:
    """«ГОСУДАРСТВЕННОЕ АВТОНОМНОЕ УЧРЕЖДЕНИЕ … «X»» → «ГАУ ДПО «X»», in normal case."""
    short: list[str] = []
    rest = text.strip()
    matched = True
    while matched:
        matched = False
        for pattern, abbreviation in _LEGAL_FORM_PATTERNS:
            found = pattern.match(rest)
            if found:
                short.append(abbreviation)
                rest = rest[found.end() :]
                matched = True
                break
    if _mostly_capitals(rest):
        rest = _recase(rest)
    return " ".join([*short, rest]).strip()


def _mostly_capitals(text: str) -> bool:
    words = [w for w in re.findall(r"[^\W\d_]+", text) if w not in _ABBREVIATIONS]
    letters = "".join(words)
    return len(letters) >= 8 and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)


_TOKEN = re.compile(r"[^\W\d_]+|[^\w]+|\d+|_")
_PLACE_NOUNS = frozenset(
    {"района", "области", "округа", "края", "городского", "муниципального", "республики"}
)
_COMMON_ADJECTIVES = frozenset(
    {"городского", "городской", "сельского", "сельской", "районного", "российской"}
)
_NAMED_BEFORE = frozenset({"республики", "республика", "г", "город", "города"})


def _recase(text: str) -> str:
    """Lower-case an all-capitals name, keeping abbreviations and proper names capitalised."""
    tokens = _TOKEN.findall(text)
    words = [i for i, token in enumerate(tokens) if token[0].isalpha()]
    lowered = [token if token in _ABBREVIATIONS else token.lower() for token in tokens]
    for position, i in enumerate(words):
        word = lowered[i]
        previous = lowered[words[position - 1]].lower() if position else ""
        following = lowered[words[position + 1]] if position + 1 < len(words) else ""
        gap = "".join(tokens[words[position - 1] + 1 : i]) if position else ""
        if (
            position == 0
            or any(mark in gap for mark in '«"')
            or previous in _NAMED_BEFORE
            or _is_place_adjective(word, following)
            or (word == "российской" and following == "федерации")
            or (word == "республики" and following)
        ):
            lowered[i] = word[:1].upper() + word[1:]
    return "".join(lowered)


def _is_place_adjective(word: str, following: str) -> bool:
    return (
        following in _PLACE_NOUNS
        and word not in _COMMON_ADJECTIVES
        and bool(re.search(r"[сц]к(?:ого|ой|ий|ая|ому|ом|ое)$", word))
    )


# ------------------------------------------------------------------ the level

_SCHOOL = re.compile(
    r"\b(?:МБОУ|МАОУ|МКОУ|МОУ|ГБОУ|ГАОУ|ГКОУ|ЧОУ|НОУ|СОШ|ООШ|НОШ)\b"
    r"|\b(?:школ\w*|гимнази\w*|лице[йяю]\w*|общеобразовательн\w+\s+учреждени\w*)",
    re.IGNORECASE,
)
_MINISTRY = re.compile(r"министерств\w*", re.IGNORECASE)
_MUNICIPAL = re.compile(
    r"муниципальн\w*|городского\s+округа|\bрайона\b|администраци\w*|\bМКУ\b|\bМОУО\b",
    re.IGNORECASE,
)
_REGIONAL = re.compile(
    r"департамент\w*|\bобласти\b|областн\w*|\bкрая\b|краев\w*|республик\w*|региональн\w*"
    r"|институт\w*\s+развития\s+образования|\bИРО\b|\bДПО\b"
    r"|москв\w*|санкт-петербург\w*|севастопол\w*",  # cities that are regions themselves
    re.IGNORECASE,
)
_TOWN = re.compile(r"\bгорода\b|\bг\.\s*[А-ЯЁ]", re.IGNORECASE)
_EDUCATION_OFFICE = re.compile(r"(?:управлени|отдел|комитет)\w*\s+(?:по\s+)?образовани", re.I)


def guess_level(organisation: str, heading: str) -> OrgLevel:
    """School, municipality or region, by the words of the issuer's name, then the heading."""
    if organisation:
        # Most specific first: a school names its district too, a district its region.
        for pattern, level in (
            (_SCHOOL, OrgLevel.SCHOOL),
            (_MINISTRY, OrgLevel.REGION),
            (_MUNICIPAL, OrgLevel.MUNICIPALITY),
            (_REGIONAL, OrgLevel.REGION),
            (_TOWN, OrgLevel.MUNICIPALITY),
            (_EDUCATION_OFFICE, OrgLevel.MUNICIPALITY),
        ):
            if pattern.search(organisation):
                return level
    if re.search(r"муниципальн\w*", heading, re.IGNORECASE):
        return OrgLevel.MUNICIPALITY
    if re.search(r"региональн\w*|регион\w*", heading, re.IGNORECASE):
        return OrgLevel.REGION
    return OrgLevel.SCHOOL
