"""Strict, bounds-checked reading of a ZIP file's structure, written for hostile input.

``zipfile`` trusts the central directory, quietly reads overlapping entries (Python < 3.13)
and tolerates data prepended to the archive. Here every offset and size is checked before
any entry is read: the end records, every central directory entry, every local header (its
real length, so overlaps are found), and the byte ranges the entries occupy.

The container is canonical: only what our own writer produces is accepted, byte for byte
(``zipfile`` writing STORED entries with the fixed date, mode and versions below, a ZIP64
local header for every entry, ZIP64 end records only when the sizes need them). So nothing
is compressed, encrypted, split over disks, commented, timestamped or followed by data
descriptors; entries follow each other with no gap from the first byte of the file to the
central directory, in the directory's order; and every entry's CRC-32 is checked while it
is read. A damaged file that ``unzip -t`` would call damaged is refused here too.
"""

from __future__ import annotations

import stat
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from curator_tui.sync.errors import BundleError

METHOD_STORED = 0
FLAG_ENCRYPTED = 0x0001
CHUNK_SIZE = 1024 * 1024

# What our writer (container.BundleWriter) writes into every entry, and all the reader accepts.
ENTRY_DATE_TIME = (1980, 1, 1, 0, 0, 0)  # no timestamps: equal input, equal file
ENTRY_MODE = stat.S_IFREG | 0o644
MADE_BY_UNIX = 3  # so the mode is meaningful
ZIP64_VERSION = 45  # zipfile's "version needed" once ZIP64 fields are written (always, here)
_DOS_TIME = 0
_DOS_DATE = (ENTRY_DATE_TIME[0] - 1980) << 9 | ENTRY_DATE_TIME[1] << 5 | ENTRY_DATE_TIME[2]
_MADE_BY = MADE_BY_UNIX << 8 | ZIP64_VERSION
_EXTERNAL_ATTR = ENTRY_MODE << 16

_EOCD = struct.Struct("<4sHHHHIIH")
_EOCD_SIG = b"PK\x05\x06"
_ZIP64_LOCATOR = struct.Struct("<4sIQI")
_ZIP64_LOCATOR_SIG = b"PK\x06\x07"
_ZIP64_EOCD = struct.Struct("<4sQHHIIQQQQ")
_ZIP64_EOCD_SIG = b"PK\x06\x06"
_ZIP64_EOCD_BODY = _ZIP64_EOCD.size - 12  # "size of record" excludes signature and itself
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_CENTRAL_SIG = b"PK\x01\x02"
_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_LOCAL_SIG = b"PK\x03\x04"
_EXTRA_HEADER = struct.Struct("<HH")
_ZIP64_EXTRA_ID = 0x0001
_U16_MAX = 0xFFFF
_U32_MAX = 0xFFFFFFFF
_MAX_COMMENT = 0xFFFF
_DOS_DIRECTORY = 0x10


@dataclass(frozen=True, slots=True)
class ScanLimits:
    """What an archive may declare before we read a byte of its entries."""

    max_entries: int
    max_central_directory: int
    max_total: int  # sum of the uncompressed sizes
    entry_limit: Callable[[str], int]  # largest allowed uncompressed size for a name


@dataclass(frozen=True, slots=True)
class ZipEntry:
    name: str
    crc: int
    size: int
    header_offset: int
    data_offset: int = -1  # known once the local header is read

    @property
    def data_end(self) -> int:
        return self.data_offset + self.size


_LOCAL_EXTRA_SIZE = _EXTRA_HEADER.size + 16  # a ZIP64 extra with both sizes, always


def scan_archive(
    handle: BinaryIO,
    file_size: int,
    limits: ScanLimits,
    validate_name: Callable[[str], None],
) -> list[ZipEntry]:
    """Validate the whole structure; returns the entries in file (and directory) order."""
    if file_size == 0:
        raise BundleError("Файл пакета пуст")
    cd_offset, cd_size, count = _read_end_records(handle, file_size, limits)
    central = _read_exact(handle, cd_offset, cd_size)
    entries, foreign = _parse_central_directory(central, count, cd_offset, limits, validate_name)
    located = [_locate_data(handle, entry, cd_offset) for entry in entries]
    _check_contiguous(located, cd_offset)  # first: overlaps are the more telling refusal
    if foreign is not None:
        raise _not_ours(f"запись «{foreign}» в оглавлении")
    for entry in located:
        _check_local_header(handle, entry)
    return located


def iter_entry_data(handle: BinaryIO, entry: ZipEntry) -> Iterator[bytes]:
    """Yield the entry's bytes; the last chunk comes only once its CRC-32 checked out."""
    crc = 0
    pending = b""
    for chunk in _iter_raw(handle, entry.data_offset, entry.size):
        if pending:
            yield pending
        crc = zlib.crc32(chunk, crc)
        pending = chunk
    if crc != entry.crc:
        raise _damaged(f"контрольная сумма записи «{entry.name}» не сходится")
    if pending:
        yield pending


# --- end of central directory --------------------------------------------------------------


def _read_end_records(handle: BinaryIO, file_size: int, limits: ScanLimits) -> tuple[int, int, int]:
    eocd_pos = file_size - _EOCD.size  # no archive comment: the record ends the file
    if eocd_pos < 0:
        raise _not_a_zip()
    eocd = _EOCD.unpack(_read_exact(handle, eocd_pos, _EOCD.size))
    sig, disk, cd_disk, n_disk, n_total, cd_size, cd_offset, comment_len = eocd
    if sig != _EOCD_SIG:
        if _has_eocd_further_back(handle, file_size):
            raise _damaged("после конца архива есть лишние данные или комментарий")
        raise _not_a_zip()
    if comment_len != 0:
        raise _damaged("у архива не должно быть комментария")
    if disk != 0 or cd_disk != 0 or n_disk != n_total:
        raise BundleError("Многотомные ZIP-архивы не принимаются")
    cd_end = eocd_pos
    zip64 = _read_zip64_end(handle, eocd_pos)
    if zip64 is not None:
        n_total, cd_size, cd_offset, cd_end = _check_zip64_end(zip64, n_total, cd_size, cd_offset)
    elif _needs_zip64_end(n_total, cd_size, cd_offset):
        raise _damaged("записи конца архива противоречат друг другу")
    if n_total == 0:
        raise BundleError("Пакет пуст: в архиве нет ни одной записи")
    if n_total > limits.max_entries or cd_size > limits.max_central_directory:
        raise BundleError(f"В пакете слишком много записей ({n_total})")
    if cd_offset + cd_size != cd_end:
        raise _damaged("оглавление архива не на своём месте")
    return cd_offset, cd_size, n_total


def _has_eocd_further_back(handle: BinaryIO, file_size: int) -> bool:
    """Whether an end record sits before the last 22 bytes (a comment or trailing data)."""
    tail_start = max(0, file_size - _EOCD.size - _MAX_COMMENT)
    tail = _read_exact(handle, tail_start, file_size - tail_start)
    return tail.rfind(_EOCD_SIG, 0, len(tail) - _EOCD.size + len(_EOCD_SIG)) >= 0  # a whole one


def _needs_zip64_end(count: int, cd_size: int, cd_offset: int) -> bool:
    """zipfile's rule for writing ZIP64 end records (its limits, so tests may lower them)."""
    limit = zipfile.ZIP64_LIMIT
    return count > zipfile.ZIP_FILECOUNT_LIMIT or cd_size > limit or cd_offset > limit


def _read_zip64_end(handle: BinaryIO, eocd_pos: int) -> tuple[int, ...] | None:
    locator_pos = eocd_pos - _ZIP64_LOCATOR.size
    if locator_pos < 0:
        return None
    sig, locator_disk, record_pos, total_disks = _ZIP64_LOCATOR.unpack(
        _read_exact(handle, locator_pos, _ZIP64_LOCATOR.size)
    )
    if sig != _ZIP64_LOCATOR_SIG:
        return None
    if locator_disk != 0 or total_disks != 1:
        raise BundleError("Многотомные ZIP-архивы не принимаются")
    if record_pos + _ZIP64_EOCD.size != locator_pos:
        raise _damaged("запись ZIP64 не на своём месте")
    (sig64, body_size, made, needed, disk, cd_disk, n_disk, n_total, cd_size, cd_offset) = (
        _ZIP64_EOCD.unpack(_read_exact(handle, record_pos, _ZIP64_EOCD.size))
    )
    if sig64 != _ZIP64_EOCD_SIG or body_size != _ZIP64_EOCD_BODY:
        raise _damaged("запись ZIP64 повреждена")
    if (made, needed) != (ZIP64_VERSION, ZIP64_VERSION):
        raise _not_ours("запись ZIP64 конца архива")
    if disk != 0 or cd_disk != 0 or n_disk != n_total:
        raise BundleError("Многотомные ZIP-архивы не принимаются")
    return n_total, cd_size, cd_offset, record_pos


def _check_zip64_end(
    zip64: tuple[int, ...], n_total: int, cd_size: int, cd_offset: int
) -> tuple[int, int, int, int]:
    """The classic end record holds the ZIP64 values, capped at its fields' maximum."""
    z_total, z_size, z_offset, record_pos = zip64
    if (
        not _needs_zip64_end(z_total, z_size, z_offset)
        or n_total != min(z_total, _U16_MAX)
        or cd_size != min(z_size, _U32_MAX)
        or cd_offset != min(z_offset, _U32_MAX)
    ):
        raise _damaged("записи конца архива противоречат друг другу")
    return z_total, z_size, z_offset, record_pos


# --- central directory ---------------------------------------------------------------------


def _parse_central_directory(
    central: bytes,
    count: int,
    cd_offset: int,
    limits: ScanLimits,
    validate_name: Callable[[str], None],
) -> tuple[list[ZipEntry], str | None]:
    """The entries, and the name of the first whose record our writer would not have written."""
    entries: list[ZipEntry] = []
    foreign: str | None = None
    seen: set[str] = set()
    total = 0
    pos = 0
    for _ in range(count):
        entry, pos, ours = _parse_central_entry(central, pos, validate_name)
        if not ours and foreign is None:
            foreign = entry.name
        if entry.name in seen:
            raise BundleError(f"Запись «{entry.name}» встречается в пакете дважды")
        seen.add(entry.name)
        _check_size(entry, limits)
        total += entry.size
        if total > limits.max_total:
            raise BundleError(
                f"Пакет слишком велик: больше {limits.max_total} байт после распаковки"
            )
        if entry.header_offset >= cd_offset:
            raise _damaged(f"запись «{entry.name}» указывает за пределы данных")
        entries.append(entry)
    if pos != len(central):
        raise _damaged("размер оглавления архива не совпадает с числом записей")
    return entries, foreign


def _parse_central_entry(
    central: bytes, pos: int, validate_name: Callable[[str], None]
) -> tuple[ZipEntry, int, bool]:
    """The entry, where the next record starts, and whether our writer wrote this one."""
    if pos + _CENTRAL.size > len(central):
        raise _damaged("оглавление архива обрезано")
    (
        sig,
        made_by,
        needed,
        flags,
        method,
        dos_time,
        dos_date,
        crc,
        csize,
        usize,
        name_len,
        extra_len,
        comment_len,
        disk_start,
        internal,
        external,
        offset,
    ) = _CENTRAL.unpack_from(central, pos)
    if sig != _CENTRAL_SIG:
        raise _damaged("оглавление архива повреждено")
    name_start = pos + _CENTRAL.size
    extra_start = name_start + name_len
    end = extra_start + extra_len + comment_len
    if end > len(central):
        raise _damaged("оглавление архива обрезано")
    name = _decode_name(central[name_start:extra_start])
    validate_name(name)
    _check_flags_and_method(name, flags, method)
    _check_file_type(name, external)
    if disk_start != 0:
        raise BundleError("Многотомные ZIP-архивы не принимаются")
    extra = central[extra_start : extra_start + extra_len]
    usize, csize, offset = _apply_zip64(name, extra, [usize, csize, offset])
    if usize != csize:
        raise _damaged(f"размеры записи «{name}» противоречат друг другу")
    written = (made_by, needed, dos_time, dos_date, comment_len, internal, external)
    ours = written == _CENTRAL_FIELDS and extra == _central_extra(usize, offset)
    return ZipEntry(name, crc, usize, offset), end, ours


_CENTRAL_FIELDS = (_MADE_BY, ZIP64_VERSION, _DOS_TIME, _DOS_DATE, 0, 0, _EXTERNAL_ATTR)


def _central_extra(size: int, offset: int) -> bytes:
    """The ZIP64 extra zipfile writes into a directory record: only the values that need it."""
    values = [size, size] if size > zipfile.ZIP64_LIMIT else []
    if offset > zipfile.ZIP64_LIMIT:
        values.append(offset)
    if not values:
        return b""
    return struct.pack(f"<HH{len(values)}Q", _ZIP64_EXTRA_ID, 8 * len(values), *values)


def _decode_name(raw: bytes) -> str:
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError:
        shown = raw.decode("utf-8", "backslashreplace")[:80]
        raise BundleError(f"Недопустимое имя записи в пакете: «{shown}»") from None


def _check_flags_and_method(name: str, flags: int, method: int) -> None:
    if flags & FLAG_ENCRYPTED:
        raise BundleError(
            f"Запись «{name}» зашифрована средствами ZIP; такие пакеты не принимаются"
        )
    if flags != 0:
        raise BundleError(f"Запись «{name}» использует неподдерживаемые возможности ZIP")
    if method != METHOD_STORED:
        raise BundleError(
            f"Запись «{name}» сжата (метод {method}): в пакете записи хранятся без сжатия"
        )


def _check_file_type(name: str, external_attr: int) -> None:
    file_type = stat.S_IFMT(external_attr >> 16)
    if file_type == stat.S_IFLNK:
        raise BundleError(f"Запись «{name}» — символическая ссылка; такие пакеты не принимаются")
    if file_type not in (0, stat.S_IFREG) or external_attr & _DOS_DIRECTORY:
        raise BundleError(f"Запись «{name}» не является обычным файлом")


def _check_size(entry: ZipEntry, limits: ScanLimits) -> None:
    limit = limits.entry_limit(entry.name)
    if entry.size > limit:
        raise BundleError(
            f"Запись «{entry.name}» слишком велика: {entry.size} байт (допустимо {limit})"
        )


def _apply_zip64(name: str, extra: bytes, values: list[int]) -> tuple[int, int, int]:
    """Replace 0xFFFFFFFF fields (usize, csize, offset — in this order) from the ZIP64 extra."""
    wanted = [index for index, value in enumerate(values) if value == _U32_MAX]
    payload = _find_zip64_extra(name, extra)
    if not wanted:
        return values[0], values[1], values[2]
    if payload is None or len(payload) < 8 * len(wanted):
        raise _damaged(f"у записи «{name}» нет сведений ZIP64")
    for slot, index in enumerate(wanted):
        (values[index],) = struct.unpack_from("<Q", payload, 8 * slot)
    return values[0], values[1], values[2]


def _find_zip64_extra(name: str, extra: bytes) -> bytes | None:
    found: bytes | None = None
    pos = 0
    while pos < len(extra):
        if pos + _EXTRA_HEADER.size > len(extra):
            raise _damaged(f"дополнительные поля записи «{name}» повреждены")
        field_id, size = _EXTRA_HEADER.unpack_from(extra, pos)
        start = pos + _EXTRA_HEADER.size
        if start + size > len(extra):
            raise _damaged(f"дополнительные поля записи «{name}» повреждены")
        if field_id == _ZIP64_EXTRA_ID:
            if found is not None:
                raise _damaged(f"дополнительные поля записи «{name}» повреждены")
            found = extra[start : start + size]
        pos = start + size
    return found


# --- local headers and data ranges ---------------------------------------------------------


def _locate_data(handle: BinaryIO, entry: ZipEntry, cd_offset: int) -> ZipEntry:
    """The entry with its data offset, from its local header's real length."""
    if entry.header_offset + _LOCAL.size > cd_offset:
        raise _past_end(entry.name)
    fields = _LOCAL.unpack(_read_exact(handle, entry.header_offset, _LOCAL.size))
    sig, flags, method, name_len, extra_len = (fields[i] for i in (0, 2, 3, 9, 10))
    if sig != _LOCAL_SIG:
        raise _header_mismatch(entry.name)
    _check_flags_and_method(entry.name, flags, method)
    data_offset = entry.header_offset + _LOCAL.size + name_len + extra_len
    return ZipEntry(entry.name, entry.crc, entry.size, entry.header_offset, data_offset)


def _check_local_header(handle: BinaryIO, entry: ZipEntry) -> None:
    """The local header must be exactly the one our writer writes for this directory record."""
    raw = _read_exact(handle, entry.header_offset, entry.data_offset - entry.header_offset)
    expected = (
        _LOCAL.pack(
            _LOCAL_SIG,
            ZIP64_VERSION,
            0,
            METHOD_STORED,
            _DOS_TIME,
            _DOS_DATE,
            entry.crc,
            _U32_MAX,
            _U32_MAX,
            len(entry.name),
            _LOCAL_EXTRA_SIZE,
        )
        + entry.name.encode("ascii")
        + struct.pack("<HHQQ", _ZIP64_EXTRA_ID, 16, entry.size, entry.size)
    )
    if raw != expected:
        raise _header_mismatch(entry.name)


def _check_contiguous(entries: list[ZipEntry], cd_offset: int) -> None:
    """Entries in directory order, each right after the one before, from byte 0 to the
    directory: no data before, between or after them, and no entry inside another."""
    position = 0
    previous: ZipEntry | None = None
    for entry in entries:
        if entry.data_end > cd_offset:
            raise _past_end(entry.name)
        if previous is not None and entry.header_offset < position:
            raise _damaged(f"записи «{previous.name}» и «{entry.name}» перекрываются")
        if entry.header_offset != position:
            where = "в начале файла" if previous is None else f"перед записью «{entry.name}»"
            raise _damaged(f"лишние данные {where}")
        position, previous = entry.data_end, entry
    if position != cd_offset:
        raise _damaged("лишние данные перед оглавлением архива")


# --- reading entry data --------------------------------------------------------------------


def _iter_raw(handle: BinaryIO, offset: int, length: int) -> Iterator[bytes]:
    remaining = length
    position = offset
    while remaining:
        chunk = _read_exact(handle, position, min(CHUNK_SIZE, remaining))
        position += len(chunk)
        remaining -= len(chunk)
        yield chunk


def _read_exact(handle: BinaryIO, offset: int, length: int) -> bytes:
    handle.seek(offset)
    data = handle.read(length)
    if len(data) != length:
        raise _damaged("файл обрезан")
    return data


# --- messages ------------------------------------------------------------------------------


def _damaged(reason: str) -> BundleError:
    return BundleError(f"Файл повреждён: {reason}")


def _not_a_zip() -> BundleError:
    return BundleError("Это не файл пакета: не ZIP-архив, либо файл обрезан")


def _past_end(name: str) -> BundleError:
    return _damaged(f"запись «{name}» выходит за пределы архива")


def _header_mismatch(name: str) -> BundleError:
    return _damaged(f"заголовок записи «{name}» не совпадает с оглавлением архива")


def _not_ours(what: str) -> BundleError:
    return _damaged(f"{what}: поля ZIP не такие, какие пишет «Куратор»")
