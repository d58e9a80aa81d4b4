"""Strict, bounds-checked reading of a ZIP file's structure, written for hostile input.

``zipfile`` trusts the central directory, quietly reads overlapping entries (Python < 3.13)
and tolerates data prepended to the archive. Here every offset and size is checked before
any entry is read: the end records, every central directory entry, every local header (its
real length, so overlaps are found), and the byte ranges the entries occupy.
Only features our own writer produces are accepted: STORED or DEFLATED, no encryption,
no data descriptors, no multi-disk archives.
"""

from __future__ import annotations

import itertools
import stat
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from curator_tui.sync.errors import BundleError

METHOD_STORED = 0
METHOD_DEFLATED = 8
SUPPORTED_METHODS = frozenset({METHOD_STORED, METHOD_DEFLATED})
FLAG_ENCRYPTED = 0x0001
CHUNK_SIZE = 1024 * 1024

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
    method: int
    compressed_size: int
    size: int
    header_offset: int
    data_offset: int = -1  # known once the local header is read

    @property
    def data_end(self) -> int:
        return self.data_offset + self.compressed_size


def scan_archive(
    handle: BinaryIO,
    file_size: int,
    limits: ScanLimits,
    validate_name: Callable[[str], None],
) -> list[ZipEntry]:
    """Validate the whole structure; returns the entries in file order with data offsets."""
    if file_size == 0:
        raise BundleError("Файл пакета пуст")
    cd_offset, cd_size, count = _read_end_records(handle, file_size, limits)
    central = _read_exact(handle, cd_offset, cd_size)
    entries = _parse_central_directory(central, count, cd_offset, limits, validate_name)
    located = [_locate_data(handle, entry, cd_offset) for entry in entries]
    located.sort(key=lambda entry: entry.header_offset)
    _check_no_overlap(located)
    return located


def iter_entry_data(handle: BinaryIO, entry: ZipEntry, cap: int) -> Iterator[bytes]:
    """Yield the entry's uncompressed bytes; refuse more than ``cap`` bytes (bomb guard)."""
    raw = _iter_raw(handle, entry.data_offset, entry.compressed_size)
    if entry.method == METHOD_STORED:
        if entry.compressed_size > cap:
            raise _bigger_than_declared(entry.name)
        yield from raw
        return
    yield from _inflate(raw, entry.name, cap)


# --- end of central directory --------------------------------------------------------------


def _read_end_records(handle: BinaryIO, file_size: int, limits: ScanLimits) -> tuple[int, int, int]:
    eocd_pos, eocd = _find_eocd(handle, file_size)
    _sig, disk, cd_disk, n_disk, n_total, cd_size, cd_offset, _comment_len = eocd
    cd_end = eocd_pos
    zip64 = _read_zip64_end(handle, eocd_pos)
    if zip64 is not None:
        z_disk, z_cd_disk, z_n_disk, z_n_total, z_cd_size, z_cd_offset, z_pos = zip64
        _check_marker_or_equal(
            (disk, z_disk, _U16_MAX),
            (cd_disk, z_cd_disk, _U16_MAX),
            (n_disk, z_n_disk, _U16_MAX),
            (n_total, z_n_total, _U16_MAX),
            (cd_size, z_cd_size, _U32_MAX),
            (cd_offset, z_cd_offset, _U32_MAX),
        )
        disk, cd_disk, n_disk, n_total = z_disk, z_cd_disk, z_n_disk, z_n_total
        cd_size, cd_offset, cd_end = z_cd_size, z_cd_offset, z_pos
    if disk != 0 or cd_disk != 0 or n_disk != n_total:
        raise BundleError("Многотомные ZIP-архивы не принимаются")
    if n_total == 0:
        raise BundleError("Пакет пуст: в архиве нет ни одной записи")
    if n_total > limits.max_entries or cd_size > limits.max_central_directory:
        raise BundleError(f"В пакете слишком много записей ({n_total})")
    if cd_offset + cd_size != cd_end:
        raise _damaged("оглавление архива не на своём месте")
    return cd_offset, cd_size, n_total


def _find_eocd(handle: BinaryIO, file_size: int) -> tuple[int, tuple[int, ...]]:
    if file_size < _EOCD.size:
        raise _not_a_zip()
    tail_start = max(0, file_size - _EOCD.size - _MAX_COMMENT)
    tail = _read_exact(handle, tail_start, file_size - tail_start)
    pos = tail.rfind(_EOCD_SIG, 0, len(tail) - _EOCD.size + len(_EOCD_SIG))
    while pos >= 0:
        record = _EOCD.unpack_from(tail, pos)
        if pos + _EOCD.size + record[7] == len(tail):  # the comment reaches the end exactly
            return tail_start + pos, record
        pos = tail.rfind(_EOCD_SIG, 0, pos)
    raise _not_a_zip()


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
    (sig64, body_size, _made, _needed, disk, cd_disk, n_disk, n_total, cd_size, cd_offset) = (
        _ZIP64_EOCD.unpack(_read_exact(handle, record_pos, _ZIP64_EOCD.size))
    )
    if sig64 != _ZIP64_EOCD_SIG or body_size != _ZIP64_EOCD_BODY:
        raise _damaged("запись ZIP64 повреждена")
    return disk, cd_disk, n_disk, n_total, cd_size, cd_offset, record_pos


def _check_marker_or_equal(*fields: tuple[int, int, int]) -> None:
    for classic, zip64, marker in fields:
        if classic not in (marker, zip64):
            raise _damaged("записи конца архива противоречат друг другу")


# --- central directory ---------------------------------------------------------------------


def _parse_central_directory(
    central: bytes,
    count: int,
    cd_offset: int,
    limits: ScanLimits,
    validate_name: Callable[[str], None],
) -> list[ZipEntry]:
    entries: list[ZipEntry] = []
    seen: set[str] = set()
    total = 0
    pos = 0
    for _ in range(count):
        entry, pos = _parse_central_entry(central, pos, validate_name)
        if entry.name in seen:
            raise BundleError(f"Запись «{entry.name}» встречается в пакете дважды")
        seen.add(entry.name)
        _check_sizes(entry, limits)
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
    return entries


def _parse_central_entry(
    central: bytes, pos: int, validate_name: Callable[[str], None]
) -> tuple[ZipEntry, int]:
    if pos + _CENTRAL.size > len(central):
        raise _damaged("оглавление архива обрезано")
    (
        sig,
        _made_by,
        _needed,
        flags,
        method,
        _time,
        _date,
        _crc,
        csize,
        usize,
        name_len,
        extra_len,
        comment_len,
        disk_start,
        _internal,
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
    usize, csize, offset = _apply_zip64(
        name, central[extra_start : extra_start + extra_len], [usize, csize, offset]
    )
    return ZipEntry(name, method, csize, usize, offset), end


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
    if method not in SUPPORTED_METHODS:
        raise BundleError(f"Запись «{name}» сжата неподдерживаемым методом ({method})")


def _check_file_type(name: str, external_attr: int) -> None:
    file_type = stat.S_IFMT(external_attr >> 16)
    if file_type == stat.S_IFLNK:
        raise BundleError(f"Запись «{name}» — символическая ссылка; такие пакеты не принимаются")
    if file_type not in (0, stat.S_IFREG) or external_attr & _DOS_DIRECTORY:
        raise BundleError(f"Запись «{name}» не является обычным файлом")


def _check_sizes(entry: ZipEntry, limits: ScanLimits) -> None:
    limit = limits.entry_limit(entry.name)
    if entry.size > limit:
        raise BundleError(
            f"Запись «{entry.name}» слишком велика: {entry.size} байт (допустимо {limit})"
        )
    if entry.method == METHOD_STORED and entry.compressed_size != entry.size:
        raise _damaged(f"размеры записи «{entry.name}» противоречат друг другу")


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
    if entry.header_offset + _LOCAL.size > cd_offset:
        raise _past_end(entry.name)
    (sig, _needed, flags, method, _time, _date, _crc, csize, usize, name_len, extra_len) = (
        _LOCAL.unpack(_read_exact(handle, entry.header_offset, _LOCAL.size))
    )
    if sig != _LOCAL_SIG:
        raise _header_mismatch(entry.name)
    name_start = entry.header_offset + _LOCAL.size
    data_offset = name_start + name_len + extra_len
    if data_offset > cd_offset:
        raise _past_end(entry.name)
    variable = _read_exact(handle, name_start, name_len + extra_len)
    _check_flags_and_method(entry.name, flags, method)
    if variable[:name_len] != entry.name.encode("ascii") or method != entry.method:
        raise _header_mismatch(entry.name)
    sizes = _local_sizes(entry.name, variable[name_len:], usize, csize)
    if sizes != (entry.size, entry.compressed_size):
        raise _header_mismatch(entry.name)
    located = ZipEntry(
        entry.name,
        entry.method,
        entry.compressed_size,
        entry.size,
        entry.header_offset,
        data_offset,
    )
    if located.data_end > cd_offset:
        raise _past_end(entry.name)
    return located


def _local_sizes(name: str, extra: bytes, usize: int, csize: int) -> tuple[int, int]:
    payload = _find_zip64_extra(name, extra)
    if usize != _U32_MAX and csize != _U32_MAX:
        return usize, csize
    if payload is None or len(payload) < 16:  # a local ZIP64 record carries both sizes
        raise _damaged(f"у записи «{name}» нет сведений ZIP64")
    zip_usize, zip_csize = struct.unpack_from("<QQ", payload)
    return (zip_usize if usize == _U32_MAX else usize, zip_csize if csize == _U32_MAX else csize)


def _check_no_overlap(entries: list[ZipEntry]) -> None:
    for before, after in itertools.pairwise(entries):
        if after.header_offset < before.data_end:
            raise _damaged(f"записи «{before.name}» и «{after.name}» перекрываются")


# --- reading entry data --------------------------------------------------------------------


def _iter_raw(handle: BinaryIO, offset: int, length: int) -> Iterator[bytes]:
    remaining = length
    position = offset
    while remaining:
        chunk = _read_exact(handle, position, min(CHUNK_SIZE, remaining))
        position += len(chunk)
        remaining -= len(chunk)
        yield chunk


def _inflate(raw: Iterator[bytes], name: str, cap: int) -> Iterator[bytes]:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    produced = 0
    try:
        for chunk in raw:
            pending = chunk
            while pending and not inflater.eof:
                out = inflater.decompress(pending, cap - produced + 1)
                produced += len(out)
                if produced > cap:
                    raise _bigger_than_declared(name)
                if out:
                    yield out
                pending = inflater.unconsumed_tail
            if inflater.eof and (pending or inflater.unused_data):
                raise _damaged(f"после сжатых данных записи «{name}» лишние байты")
    except zlib.error as exc:
        raise _damaged(f"сжатые данные записи «{name}» повреждены") from exc
    if not inflater.eof:
        raise _damaged(f"сжатые данные записи «{name}» обрываются")


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


def _bigger_than_declared(name: str) -> BundleError:
    return _damaged(f"запись «{name}» распаковывается больше заявленного размера")
