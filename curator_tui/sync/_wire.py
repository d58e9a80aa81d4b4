"""Bounds-checked reading and writing of SSH wire encoding (RFC 4251 ``uint32`` / ``string``)."""

from __future__ import annotations

import struct

_UINT32 = struct.Struct(">I")


class WireFormatError(ValueError):
    """The bytes do not follow the SSH wire encoding (internal; callers translate it)."""


def encode_string(value: bytes) -> bytes:
    return _UINT32.pack(len(value)) + value


def encode_uint32(value: int) -> bytes:
    return _UINT32.pack(value)


class WireReader:
    """Reads SSH wire fields from a byte string, never past its end."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def read_fixed(self, length: int) -> bytes:
        end = self._pos + length
        if length < 0 or end > len(self._data):
            raise WireFormatError("truncated field")
        chunk = self._data[self._pos : end]
        self._pos = end
        return chunk

    def read_uint32(self) -> int:
        (value,) = _UINT32.unpack(self.read_fixed(_UINT32.size))
        return int(value)

    def read_string(self, max_length: int) -> bytes:
        length = self.read_uint32()
        if length > max_length:
            raise WireFormatError("field too long")
        return self.read_fixed(length)

    def expect_end(self) -> None:
        if self._pos != len(self._data):
            raise WireFormatError("trailing bytes")
