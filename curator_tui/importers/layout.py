"""Table rows → sections and activities, by meaning rather than by position.

The rules are general on purpose (thousands of offices lay their tables out differently):
the header is found by its column names, repeated headers and column-number rows are
skipped, rows are brought to the header's width (`fitting`), then each row is read as a
section, an activity, or the continuation of the activity above it. Whatever is guessed is
said in a warning that names the source row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum, auto

from curator_tui.domain.parsed import ParsedActivity
from curator_tui.importers.cleaning import clean_cell, join_fragments
from curator_tui.importers.columns import (
    Column,
    Header,
    is_column_numbering,
    is_grouping,
    leaked_header_pattern,
    read_header,
)
from curator_tui.importers.errors import RoadmapImportError
from curator_tui.importers.fitting import MERGED_NUMBER, FittedRow, fit_rows
from curator_tui.importers.source import SourceDocument, SourceRow

_NUMBER = re.compile(r"^\d{1,3}(?:\.\d{1,3})*$")
_ROMAN_PREFIX = re.compile(r"^[IVXLC]{1,6}\s*[.)]?\s+(?=\S)")
_DATA_COLUMNS = tuple(c for c in Column if c not in (Column.NUMBER, Column.TITLE))
NO_HEADER = "нет строки заголовка с колонками «Мероприятие» и «Сроки»"


@dataclass
class Line:
    """One fitted row read by column; mutable because repairs move data between lines."""

    where: str
    number: str
    values: dict[Column, str]
    extra: dict[str, str]
    noise: str = ""
    is_section: bool = False
    # Extra columns left of the title («Риск», «Задача»): they group the activities right of
    # them, so a cell merged down over several rows (blank below its first) belongs to each.
    grouping: tuple[str, ...] = ()

    def get(self, column: Column) -> str:
        return self.values.get(column, "")

    @property
    def has_data(self) -> bool:
        return any(self.get(c) for c in _DATA_COLUMNS) or any(self.extra.values())

    def take_data(self) -> tuple[dict[Column, str], dict[str, str]]:
        data: dict[Column, str] = {c: self.values.pop(c) for c in _DATA_COLUMNS if c in self.values}
        extra, self.extra = self.extra, {}
        return data, extra

    def put_data(self, data: tuple[dict[Column, str], dict[str, str]]) -> None:
        self.values.update(data[0])
        self.extra = data[1]


class Kind(Enum):
    ACTIVITY = auto()
    SECTION = auto()
    CONTINUATION = auto()


@dataclass
class Entry:
    kind: Kind
    line: Line
    warnings: list[str] = field(default_factory=list)


@dataclass
class Table:
    """What the layout understood: the header row, sections, activities, warnings."""

    header_row: SourceRow
    sections: list[str]
    activities: list[ParsedActivity]
    warnings: list[str]


def read_table(document: SourceDocument) -> Table:
    header_row = next((row for row in document.rows if read_header(_cleaned(row).cells)), None)
    if header_row is None:
        raise RoadmapImportError(
            f"В файле {document.name} не найдена таблица дорожной карты: {NO_HEADER}"
        )
    warnings: list[str] = []
    body = [_cleaned(row) for row in _table_rows(document, header_row, warnings)]
    entries: list[Entry] = []
    for header, block in _blocks(body, warnings):
        lines = _read_block(header, block, warnings)
        entries += _classify(lines, header, warnings)
    entries = _drop_ghosts(entries, warnings)
    _repair_shifted_data(entries, warnings)
    sections, activities = _assemble(entries, warnings)
    _link_parents(activities)
    return Table(header_row, sections, activities, _in_source_order(warnings))


_PAGE_MARK = re.compile(r"^\W*(?:стр\w*\.?\s*)?\d+(?:\s*(?:из|/)\s*\d+)?\W*$", re.IGNORECASE)
_MAX_HEADING = 200


def _table_rows(
    document: SourceDocument, header_row: SourceRow, warnings: list[str]
) -> list[SourceRow]:
    """The header and the rows after it, as one table.

    A line of text between rows is a section heading printed outside the table (kept as a
    one-cell row) or noise such as a page number (reported). A later Word table that
    neither repeats the header nor has its width is another table (a staff list) and is
    left out, with the headings just above it.
    """
    items = list(document.items)
    first = next(i for i, item in enumerate(items) if item is header_row)
    last = max(i for i, item in enumerate(items) if isinstance(item, SourceRow))
    width = len(header_row.cells)
    rows: list[SourceRow] = []
    pending: list[SourceRow] = []
    table, keep = header_row.table, True
    for index, item in enumerate(items[first : last + 1], start=first):
        if isinstance(item, SourceRow):
            if item.table != table:
                table = item.table
                keep = len(item.cells) == width or read_header(_cleaned(item).cells) is not None
                if not keep:
                    warnings.append(f"{item.where}: другая таблица (не дорожная карта) пропущена")
            if keep:
                rows += [*pending, item]
            pending = []
        elif item.text and _reads_as_heading(item.text):
            pending.append(SourceRow((item.text,), item.where, segment=-1 - index, table=table))
        elif item.text:
            warnings.append(
                f"{item.where}: текст между строками таблицы пропущен — «{_short(item.text)}»"
            )
    return rows


def _reads_as_heading(text: str) -> bool:
    text = clean_cell(text)
    if len(text) > _MAX_HEADING or _PAGE_MARK.match(text):
        return False
    return _starts_like_heading(text) or bool(MERGED_NUMBER.match(text))


def _in_source_order(warnings: list[str]) -> list[str]:
    """Warnings sorted by the row they name («Строка 42», «Таблица 1, строка 5»)."""

    def position(text: str) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", text.split(":", 1)[0]))

    return sorted(warnings, key=position)


def _cleaned(row: SourceRow) -> SourceRow:
    cells = tuple(clean_cell(cell) for cell in row.cells)
    return SourceRow(cells, row.where, row.segment, row.table)


def _blocks(rows: list[SourceRow], warnings: list[str]) -> list[tuple[Header, list[SourceRow]]]:
    """Body rows under each header; a repeated header or a «1 2 3 4» row is skipped."""
    header = read_header(rows[0].cells)
    assert header is not None
    blocks: list[tuple[Header, list[SourceRow]]] = [(header, [])]
    for row in rows[1:]:
        if header.repeats_in(row.cells) or is_column_numbering(row.cells):
            continue
        other = read_header(row.cells)
        if other is not None:
            warnings.append(f"{row.where}: новая строка заголовка — колонки прочитаны заново")
            header = other
            blocks.append((header, []))
            continue
        blocks[-1][1].append(row)
    return blocks


def _read_block(header: Header, rows: list[SourceRow], warnings: list[str]) -> list[Line]:
    number_first = header.index(Column.NUMBER) == 0 and header.index(Column.TITLE) == 1
    fitted = fit_rows(rows, header.width, number_first=number_first, warnings=warnings)
    reader = _LineReader(header)
    return [line for row in fitted if (line := reader.read(row)) is not None]


class _LineReader:
    """Cells → Line for one header: column names, leaked headers, the number cell."""

    def __init__(self, header: Header) -> None:
        self.header = header
        self.leaks = [leaked_header_pattern(text) for text in header.texts]
        self.extra_names = [
            clean_cell(text) or f"Колонка {i + 1}" for i, text in enumerate(header.texts)
        ]
        # Grouping columns: extras left of the title, or named as groups wherever they stand.
        title = header.index(Column.TITLE) or 0
        self.grouping = tuple(
            name
            for i, (name, text) in enumerate(zip(self.extra_names, header.texts, strict=True))
            if header.columns[i] is None and (i < title or is_grouping(text))
        )

    def read(self, row: FittedRow) -> Line | None:
        cells = [self._unleak(i, cell) for i, cell in enumerate(row.cells)]
        if not any(cells):
            return None
        section = _section_text(row, cells, self.header)
        if section is not None:
            return Line(row.where, "", {Column.TITLE: section}, {}, is_section=True)
        values: dict[Column, str] = {}
        extra: dict[str, str] = {}
        for i, cell in enumerate(cells):
            column = self.header.columns[i]
            if column is None:
                if cell:
                    extra[self.extra_names[i]] = cell
            elif cell:
                values[column] = cell
        line = Line(row.where, "", values, extra, grouping=self.grouping)
        self._read_number(line)
        return line

    def _unleak(self, index: int, cell: str) -> str:
        pattern = self.leaks[index]
        if pattern is None or not cell:
            return cell
        stripped = pattern.sub("", cell, count=1)
        return stripped if stripped and stripped != cell else cell

    @staticmethod
    def _read_number(line: Line) -> None:
        raw = line.values.pop(Column.NUMBER, "")
        if not raw:
            return
        number = normalise_number(raw)
        if _NUMBER.match(number):
            if set(number) <= {"0", "."}:
                line.noise = raw
            else:
                line.number = number
            return
        merged = MERGED_NUMBER.match(raw)
        if merged and not line.get(Column.TITLE):
            line.number = normalise_number(merged.group(1))
            line.values[Column.TITLE] = merged.group(2)
            return
        # Text in the number column: part of the title that slid left.
        line.values[Column.TITLE] = join_fragments(raw, line.get(Column.TITLE))


def normalise_number(text: str) -> str:
    """«1. 1.» → «1.1», «16.» → «16»: spaces and trailing dots are print, not meaning."""
    number = re.sub(r"\s+", "", text).rstrip(".)")
    return re.sub(r"\.{2,}", ".", number)


def _section_text(row: FittedRow, cells: list[str], header: Header) -> str | None:
    """The title of a plain (unnumbered) section row, or None.

    A section is the only text of its row, printed in the row's first cell (merged across
    the table), and starts like a heading. «1. Организационное сопровождение» is left to
    `_classify`, which needs the rows below to tell it from activity 1.
    """
    filled = [(i, cell) for i, cell in enumerate(cells) if cell]
    if len(filled) != 1 or filled[0][0] != row.first_cell:
        return None
    index, text = filled[0]
    if header.columns[index] is Column.NUMBER and _NUMBER.match(normalise_number(text)):
        return None
    if MERGED_NUMBER.match(text):
        return None
    if not _starts_like_heading(text):
        return None
    return _ROMAN_PREFIX.sub("", text)


def _starts_like_heading(text: str) -> bool:
    first = text[:1]
    return first.isupper() or first in "«\"'"


def _classify(lines: list[Line], header: Header, warnings: list[str]) -> list[Entry]:
    entries: list[Entry] = []
    for index, line in enumerate(lines):
        numbered_section = bool(line.number) and _opens_numbered_section(lines, index)
        if line.is_section or numbered_section:
            entries.append(Entry(Kind.SECTION, line))
        elif line.number or (not line.noise and _stands_alone(line, header)):
            entries.append(Entry(Kind.ACTIVITY, line))
            if not line.number:
                warnings.append(
                    f"{line.where}: мероприятие без номера — «{_short(line.get(Column.TITLE))}»"
                )
        else:
            entries.append(Entry(Kind.CONTINUATION, line))
    return entries


def _opens_numbered_section(lines: list[Line], index: int) -> bool:
    """«1. Организационное сопровождение» heads a section when 1.1, 1.2 … follow it."""
    line = lines[index]
    if "." in line.number or line.has_data or not line.get(Column.TITLE):
        return False
    after = next((other for other in lines[index + 1 :] if other.number), None)
    return after is not None and after.number.startswith(f"{line.number}.")


def _stands_alone(line: Line, header: Header) -> bool:
    """A row without a number is an activity of its own only when it reads as a full row."""
    title = line.get(Column.TITLE)
    # A lower-case or punctuation start is the middle of a sentence broken by the page.
    if not title or not (title[0].isupper() or title[0].isdigit() or title[0] in '«"'):
        return False
    needed = [c for c in (Column.DEADLINE, Column.RESPONSIBLE) if header.index(c) is not None]
    if not needed:
        return line.has_data
    return all(line.get(c) for c in needed)


def _drop_ghosts(entries: list[Entry], warnings: list[str]) -> list[Entry]:
    """Drop a title-less fragment that only repeats the row below it (an export echo)."""
    kept: list[Entry] = []
    for index, entry in enumerate(entries):
        following = entries[index + 1] if index + 1 < len(entries) else None
        if entry.kind is Kind.CONTINUATION and following and _echoes(entry.line, following.line):
            warnings.append(
                f"{entry.line.where}: строка повторяет текст следующей строки — пропущена"
            )
            continue
        kept.append(entry)
    return kept


def _echoes(line: Line, below: Line) -> bool:
    if line.get(Column.TITLE) or line.noise:
        return False
    pairs = [(v, below.get(c)) for c, v in line.values.items() if v]
    pairs += [(v, below.extra.get(k, "")) for k, v in line.extra.items() if v]
    return (
        bool(pairs)
        and all(mine in theirs for mine, theirs in pairs)
        and any(mine == theirs for mine, theirs in pairs)
    )


def _repair_shifted_data(entries: list[Entry], warnings: list[str]) -> None:
    """Undo data printed one row too high.

    Signature: a continuation fragment carries a deadline or a responsible although the
    activity above already has its own, and the run of numbered activities below it each
    has data except the last, which has none. Then every row's data belongs one row lower.
    """
    for index, entry in enumerate(entries):
        if entry.kind is not Kind.CONTINUATION or index == 0:
            continue
        above = entries[index - 1]
        if above.kind is not Kind.ACTIVITY or not _clashes(entry.line, above.line):
            continue
        run = _activity_run(entries, index + 1)
        if not run or run[-1].line.has_data or not all(e.line.has_data for e in run[:-1]):
            continue
        carried = entry.line.take_data()
        for activity in run:
            carried, moved = activity.line.take_data(), carried
            activity.line.put_data(moved)
            activity.warnings.append(
                "Сроки, ответственные и показатели этого мероприятия стояли в документе на "
                "строку выше и перенесены сюда по догадке — проверьте"
            )
        numbers = f"{run[0].line.number}–{run[-1].line.number}"
        warnings.append(
            f"{entry.line.where}: данные мероприятий {numbers} стояли на строку выше своих "
            "названий — сдвинуты на строку вниз (догадка, проверьте сроки и ответственных)"
        )


def _clashes(fragment: Line, above: Line) -> bool:
    carried = [c for c in (Column.DEADLINE, Column.RESPONSIBLE) if fragment.get(c)]
    return bool(carried) and all(above.get(c) for c in carried)


def _activity_run(entries: list[Entry], start: int) -> list[Entry]:
    """The numbered activities that follow one another from `start`."""
    run: list[Entry] = []
    for entry in entries[start:]:
        if entry.kind is not Kind.ACTIVITY or not entry.line.number:
            break
        run.append(entry)
    return run


def _assemble(entries: list[Entry], warnings: list[str]) -> tuple[list[str], list[ParsedActivity]]:
    sections: list[str] = []
    activities: list[ParsedActivity] = []
    current = ""
    last_kind: Kind | None = None
    groups: dict[str, str] = {}
    for entry in entries:
        line = entry.line
        if entry.kind is Kind.SECTION:
            current = line.get(Column.TITLE)
            groups = {}
            if current not in sections:
                sections.append(current)
        elif entry.kind is Kind.ACTIVITY:
            activities.append(_activity(entry, current))
            _carry_groups(activities[-1], line.grouping, groups)
        elif last_kind is Kind.SECTION and _only_title(line):
            # The section heading itself was broken across the page.
            renamed = join_fragments(current, line.get(Column.TITLE))
            if any(a.section == current for a in activities):
                sections.append(renamed)  # the old title is in use: a heading repeated earlier
            else:
                sections[sections.index(current)] = renamed
            current = renamed
        elif activities:
            _continue(activities[-1], line, warnings)
        elif line.get(Column.TITLE):
            activities.append(_activity(entry, current))
            warnings.append(
                f"{line.where}: строка без номера перед первым мероприятием — "
                "принята за отдельное мероприятие"
            )
        else:
            warnings.append(f"{line.where}: обрывок текста до первого мероприятия — пропущен")
        last_kind = entry.kind
    return sections, activities


def _carry_groups(
    activity: ParsedActivity, grouping: tuple[str, ...], groups: dict[str, str]
) -> None:
    """A grouping cell left blank takes the value above it (a merged cell); a filled one
    starts a new group, and the groups right of it start afresh."""
    for index, name in enumerate(grouping):
        value = activity.extra.get(name, "")
        if value:
            if groups.get(name) != value:
                for later in grouping[index + 1 :]:
                    groups.pop(later, None)
            groups[name] = value
        elif name in groups:
            activity.extra[name] = groups[name]


def _only_title(line: Line) -> bool:
    return bool(line.get(Column.TITLE)) and not line.has_data and not line.noise


def _activity(entry: Entry, section: str) -> ParsedActivity:
    line = entry.line
    title = line.get(Column.TITLE)
    warnings = list(entry.warnings)
    if not title:
        warnings.append("В документе у мероприятия нет названия")
    return ParsedActivity(
        number=line.number,
        title=title,
        **{c.value: line.get(c) for c in _DATA_COLUMNS},
        extra=dict(line.extra),
        section=section,
        warnings=warnings,
    )


def _continue(activity: ParsedActivity, line: Line, warnings: list[str]) -> None:
    """Append a continuation row cell by cell to the activity it was broken from."""
    for column in (Column.TITLE, *_DATA_COLUMNS):
        fragment = line.get(column)
        if fragment:
            setattr(activity, column.value, _appended(getattr(activity, column.value), fragment))
    for name, fragment in line.extra.items():
        activity.extra[name] = _appended(activity.extra.get(name, ""), fragment)
    label = activity.number or f"«{_short(activity.title)}»"
    if line.noise:
        activity.warnings.append(
            f"Обрывок текста этого мероприятия («{line.noise}») стоял в документе в колонке "
            "номера и отброшен — сверьте текст с документом"
        )
        warnings.append(
            f"{line.where}: в колонке номера «{line.noise}» — это не номер, а обрывок текста; "
            f"строка присоединена к мероприятию {label}, «{line.noise}» отброшено"
        )
    else:
        warnings.append(f"{line.where}: продолжение мероприятия {label} присоединено к нему")


def _appended(text: str, fragment: str) -> str:
    # The export sometimes repeats a cell's tail on the next page; keep it once.
    if text.endswith(fragment):
        return text
    return join_fragments(text, fragment)


def _link_parents(activities: list[ParsedActivity]) -> None:
    """21.3 belongs to 21 when an activity 21 was printed above it (not a section «1.»)."""
    seen: set[str] = set()
    for activity in activities:
        if "." in activity.number:
            parent = activity.number.rsplit(".", 1)[0]
            activity.parent_number = parent if parent in seen else None
        if activity.number:
            seen.add(activity.number)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
