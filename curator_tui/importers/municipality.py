"""The municipality a roadmap belongs to, read from the prose above its table.

Offices name their district by the way, in whatever case the sentence needs: «Управление
образования администрации Чебаркульского городского округа», «в Чебаркульском городском
округе», «АДМИНИСТРАЦИИ МОЛЧАНОВСКОГО РАЙОНА», «Программы поддержки школ … Молчановского
района». The dashboard wants one name per district, so each mention is brought to one form:

- «<…ский> [муниципальный | городской] район | округ» in any singular case becomes the
  nominative («Молчановский район», «Чебаркульский городской округ»). Safe because an
  adjective in -ск-/-цк- always ends in -ский: no guessing between -ый, -ий and -ой;
- «городской округ <name>» and «муниципальное образование «<name>»»: the name follows in the
  nominative already and is kept («Городской округ Чебаркуль», «Томский район»);
- any other capitalised adjective («Центрального района», «Лесного городского округа»):
  its nominative needs the stress (Лесной, not Лесный), so the phrase is kept as written.

The most frequent form wins (ties: the first). A regional roadmap has no municipality: the
districts it names are where its activities happen, not who wrote it. Nothing found is not an
error: the coordinator can set it later.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from curator_tui.domain.models import OrgLevel
from curator_tui.importers.cleaning import clean_line

_WORD = r"[А-ЯЁа-яё]+(?:-[А-ЯЁа-яё]+)*"
_CASE_ENDING = r"(?i:ого|его|ому|ему|ым|им|ом|ем|ый|ий|ой)"
# An adjective, a «муниципальный»/«городской» maybe, and «район»/«округ», singular, any case.
_NAMED_DISTRICT = re.compile(
    rf"(?<![\w-])(?P<adjective>{_WORD}){_CASE_ENDING}\s+"
    rf"(?:(?P<middle>(?i:муниципальн|городск)){_CASE_ENDING}\s+)?"
    r"(?P<noun>(?i:район|округ))(?i:а|у|ом|е)?(?![\w-])"
)
# «городской округ Чебаркуль», «… город Чебаркуль», «… «Город Чебаркуль»» (not «… округа
# Челябинской области»: that is the region after a named district).
_CITY_DISTRICT = re.compile(
    rf"(?<![\w-])(?i:городск{_CASE_ENDING}\s+округ(?:а|у|ом|е)?)\s+"
    r"(?P<city>(?i:город)\s+)?"
    rf"(?P<name>«[^»\n]{{2,80}}»|\"[^\"\n]{{2,80}}\"|{_WORD})"
    r"(?!\s+(?i:област|кра[йяюе]|республик))"
)
_MUNICIPAL_FORMATION = re.compile(
    r"(?<![\w-])(?i:муниципальн\w*\s+образовани\w*)\s+(?P<name>«[^»\n]{2,80}»|\"[^\"\n]{2,80}\")"
)
# Adjectives that name a kind of district or office, not a place («городского округа»).
_COMMON_STEMS = ("городск", "сельск", "внутригородск", "муниципальн", "районн", "областн")
_STEM_TOO_COMMON = re.compile(r"ическ$")  # «методического округа» and the like
_SMALL_WORDS = frozenset({"в", "во", "на", "и", "по", "с", "со", "к", "от", "до", "за", "для"})
_NOMINATIVE_MIDDLE = {"муниципальн": "муниципальный", "городск": "городской"}
# Words of a name in capitals that are written in lower case («ТОМСКИЙ РАЙОН» → «Томский район»).
_GENERIC_WORDS = frozenset(
    {"район", "округ", "муниципальный", "городской", "сельское", "городское", "поселение"}
)


def find_municipality(lines: Iterable[str], level: OrgLevel) -> str:
    """The municipality named in these lines (the prose above the table), or ""."""
    if level is OrgLevel.REGION:
        return ""
    found: Counter[str] = Counter()
    order: dict[str, int] = {}
    for text in map(clean_line, lines):
        for name in mentions(text):
            found[name] += 1
            order.setdefault(name, len(order))
    if not found:
        return ""
    return max(found, key=lambda name: (found[name], -order[name]))


def mentions(text: str) -> list[str]:
    """Every municipality this line names, each in its display form."""
    capitals = _mostly_capitals(text)
    names: list[str] = []
    taken: list[tuple[int, int]] = []
    for match in _NAMED_DISTRICT.finditer(text):
        name = _named_district(match, capitals)
        if name:
            names.append(name)
            taken.append(match.span())
    for match in _CITY_DISTRICT.finditer(text):
        inside_named = any(start <= match.start() < end for start, end in taken)
        name = "" if inside_named else _city_district(match, capitals)
        if name:
            names.append(name)
    for match in _MUNICIPAL_FORMATION.finditer(text):
        names.append(_recased(match["name"].strip('«»"'), capitals))
    return names


def _named_district(match: re.Match[str], capitals: bool) -> str:
    adjective_stem = match["adjective"]
    stem = adjective_stem.lower()
    if stem.endswith(_COMMON_STEMS) or _STEM_TOO_COMMON.search(stem):
        return ""
    if not capitals and not adjective_stem[0].isupper():
        return ""  # «школ нашего района»: not a proper name
    middle = (match["middle"] or "").lower()
    noun = match["noun"].lower()
    if middle == "городск" and noun == "район":
        return ""
    if stem.endswith(("ск", "цк")):
        words = [_recased(adjective_stem, capitals) + "ий"]
        if middle:
            words.append(_NOMINATIVE_MIDDLE[middle])
        return " ".join([*words, noun])
    if capitals:
        return ""  # an unknown adjective in capitals may be any word: too unsure to keep
    return " ".join(match.group(0).split())


def _city_district(match: re.Match[str], capitals: bool) -> str:
    name = match["name"]
    bare = name.strip('«»"')
    if bare.lower() in _SMALL_WORDS or len(bare) < 3:
        return ""
    if not capitals and not (name[0] in '«"' or bare[0].isupper()):
        return ""  # «городского округа в 2022 году»
    if capitals and name[0] in '«"':
        name = f"{name[0]}{_recased(bare, True)}{name[-1]}"
    elif capitals:
        name = _recased(name, True)
    city = "город " if match["city"] else ""
    return f"Городской округ {city}{name}"


def _recased(text: str, capitals: bool) -> str:
    """A name written in capitals in normal case («УСТЬ-КУТСК» → «Усть-Кутск», «ТОМСКИЙ
    РАЙОН» → «Томский район»); a name in normal case keeps it, with a capital first letter."""
    if not capitals:
        return text[:1].upper() + text[1:]
    words = []
    for index, word in enumerate(text.split()):
        lowered = word.lower()
        if index and lowered in _GENERIC_WORDS:
            words.append(lowered)
        else:
            words.append("-".join(part.capitalize() for part in word.split("-")))
    return " ".join(words)


def _mostly_capitals(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 6 and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)
