"""Default values of data fields: stored XORed, so that a zeroed struct reads as all defaults.

A field whose schema declares a default ``d`` is stored on the wire as ``value ^ d`` (bitwise, on
the field's bits), which is why a freshly allocated (zeroed) struct, or a struct written by an older
schema whose data section ends before the field, reads as ``d`` (encoding.html, "Default values").

Integers and bools XOR directly (Python's ints are two's complement, so a signed stored value XOR a
signed default gives the right signed result). Floats XOR their IEEE bit patterns: these helpers
convert. Schema code (generated accessors, the dynamic API) precomputes ``default_bits`` once.
"""

from __future__ import annotations

import struct
from typing import Union

from purecap.wire.builder import StructBuilder
from purecap.wire.reader import StructReader

__all__ = [
    "float32_bits",
    "float64_bits",
    "float32_from_bits",
    "float64_from_bits",
    "read_int",
    "write_int",
    "read_float32",
    "write_float32",
    "read_float64",
    "write_float64",
    "read_bool",
    "write_bool",
]

_F32 = struct.Struct("<f")
_U32 = struct.Struct("<I")
_F64 = struct.Struct("<d")
_U64 = struct.Struct("<Q")

_Struct = Union[StructReader, StructBuilder]


def float32_bits(value: float) -> int:
    """The IEEE-754 single-precision bit pattern of ``value`` (what a default is XORed with)."""
    return int(_U32.unpack(_F32.pack(value))[0])


def float64_bits(value: float) -> int:
    return int(_U64.unpack(_F64.pack(value))[0])


def float32_from_bits(bits: int) -> float:
    """The Float32 whose IEEE-754 bit pattern is ``bits``."""
    return float(_F32.unpack(_U32.pack(bits))[0])


def float64_from_bits(bits: int) -> float:
    return float(_F64.unpack(_U64.pack(bits))[0])


def read_int(s: _Struct, fmt: struct.Struct, byte_offset: int, default: int = 0) -> int:
    """An integer (or enum) field; past the data section it reads as ``default``."""
    return int(s.get_primitive(fmt, byte_offset, 0)) ^ default


def write_int(s: StructBuilder, fmt: struct.Struct, byte_offset: int, value: int, default: int = 0) -> None:
    s.set_primitive(fmt, byte_offset, value ^ default)


def read_float32(s: _Struct, byte_offset: int, default_bits: int = 0) -> float:
    return float32_from_bits(int(s.get_primitive(_U32, byte_offset, 0)) ^ default_bits)


def write_float32(s: StructBuilder, byte_offset: int, value: float, default_bits: int = 0) -> None:
    s.set_primitive(_U32, byte_offset, float32_bits(value) ^ default_bits)


def read_float64(s: _Struct, byte_offset: int, default_bits: int = 0) -> float:
    return float64_from_bits(int(s.get_primitive(_U64, byte_offset, 0)) ^ default_bits)


def write_float64(s: StructBuilder, byte_offset: int, value: float, default_bits: int = 0) -> None:
    s.set_primitive(_U64, byte_offset, float64_bits(value) ^ default_bits)


def read_bool(s: _Struct, bit_offset: int, default: bool = False) -> bool:
    return s.get_bool(bit_offset) != default


def write_bool(s: StructBuilder, bit_offset: int, value: bool, default: bool = False) -> None:
    s.set_bool(bit_offset, value != default)
