"""The capnp text format, written exactly as the reference prints it.

``capnp decode`` (and ``capnp convert binary:text``) print a message with the C++ printer of
``stringify.c++``; ``--short`` prints it on one line. :func:`text_format` reproduces both,
character for character:

* a struct is ``(name = value, ...)``: every non-union field but null pointers, in field index
  order, and the active union member - printed even when null if it is not the union's first
  member, since the union's state must show - placed before the first field with a larger index;
* ``void``, ``true``/``false``, integers in decimal, floats as C's ``%g`` with 6 (Float32) or 15
  (Float64) significant digits, or 8 / 17 when those do not read back as the same value, ``inf``,
  ``-inf``, ``nan``; Text and Data quoted with C escapes (Data escapes every non-ASCII byte, in
  octal); an enumerant by name, or ``(number)`` when unknown; ``<opaque pointer>`` for an
  AnyPointer and ``<external capability>`` for a capability;
* pretty printing keeps a list or struct on one line when every item is at most 24 bytes with no
  newline (and, for a struct, all of them together at most 64 bytes); otherwise one item a line,
  indented two spaces a level.
"""

from __future__ import annotations

import math
import re
import struct
from typing import Any, List

from purecap.dynamic.schema import DynType, FieldInfo, StructSchema
from purecap.wire.reader import read_blob

__all__ = ["text_format", "format_float32", "format_float64", "c_escape"]

# Print modes (stringify.c++ PrintMode): a value alone (or a list element), or after "name = ".
_BARE = 0
_PREFIXED = 1

_MAX_INLINE_VALUE = 24
_MAX_INLINE_RECORD = 64

_F32 = struct.Struct("<f")
_U16 = struct.Struct("<H")

_SIMPLE_ESCAPES = {
    0x07: b"\\a", 0x08: b"\\b", 0x0C: b"\\f", 0x0A: b"\\n", 0x0D: b"\\r", 0x09: b"\\t",
    0x0B: b"\\v", 0x27: b"\\'", 0x22: b'\\"', 0x5C: b"\\\\",
}  # fmt: skip
_TEXT_TABLE = [
    _SIMPLE_ESCAPES.get(b, b"\\%o%o%o" % (b >> 6, (b >> 3) & 7, b & 7) if b < 0x20 or b == 0x7F
                        else bytes((b,)))
    for b in range(256)
]  # fmt: skip
_DATA_TABLE = [
    _TEXT_TABLE[b] if b < 0x80 else b"\\%o%o%o" % (b >> 6, (b >> 3) & 7, b & 7) for b in range(256)
]
_NEEDS_TEXT_ESCAPE = re.compile(rb"[\x00-\x1f\x7f\"'\\]")
_NEEDS_DATA_ESCAPE = re.compile(rb"[\x00-\x1f\x7f-\xff\"'\\]")


def c_escape(raw: bytes, binary: bool) -> str:
    """``raw`` with C escapes (kj ``encodeCEscape``): control characters, quotes and backslash
    always, and for binary data every byte above 0x7F, as three-digit octal. Text bytes above
    0x7F are kept as they are, valid UTF-8 or not, as C++ does: invalid bytes become lone
    surrogates (``surrogateescape``), which encode back to the same bytes on output."""
    if binary:
        if _NEEDS_DATA_ESCAPE.search(raw) is None:
            return raw.decode("ascii")
        return b"".join([_DATA_TABLE[b] for b in raw]).decode("ascii")
    if _NEEDS_TEXT_ESCAPE.search(raw) is not None:
        raw = b"".join([_TEXT_TABLE[b] for b in raw])
    return raw.decode("utf-8", "surrogateescape")


def _c_float(value: float, digits: int, round_trips: Any) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = "%.*g" % (digits, value)
    if not round_trips(text, value):
        text = "%.*g" % (digits + 2, value)
    return text.replace("+", "")


def _f32_round_trips(text: str, value: float) -> bool:
    parsed = float(text)
    # C's strtof reports ERANGE for a result that underflows to a subnormal (or zero), and kj
    # then uses more digits: so must we.
    if parsed != 0.0 and abs(parsed) < 1.1754943508222875e-38:
        return False
    try:
        as_float32: float = _F32.unpack(_F32.pack(parsed))[0]
    except OverflowError:
        return False
    return as_float32 == value


def _f64_round_trips(text: str, value: float) -> bool:
    return float(text) == value


def format_float32(value: float) -> str:
    """A Float32 as kj prints it (``FloatToBuffer``: ``%.6g``, or ``%.8g`` if that is not
    exact; no ``+`` in exponents)."""
    return _c_float(value, 6, _f32_round_trips)


def format_float64(value: float) -> str:
    """A Float64 as kj prints it (``DoubleToBuffer``: ``%.15g``, or ``%.17g``)."""
    return _c_float(value, 15, _f64_round_trips)


def _byte_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogateescape"))


def _can_print_inline(text: str) -> bool:
    # Sizes are in bytes of UTF-8, as kj measures its strings.
    return _byte_len(text) <= _MAX_INLINE_VALUE and "\n" not in text


def _delimit(items: List[str], indent: int, mode: int, record: bool) -> str:
    """Items joined on one line, or one a line (stringify.c++ ``Indent::delimit``)."""
    if indent == 0:
        return ", ".join(items)
    total = 0
    for item in items:
        if not _can_print_inline(item):
            break
        if record:
            total += _byte_len(item)
            if total > _MAX_INLINE_RECORD:
                break
    else:
        return ", ".join(items)
    spaces = " " * (indent * 2)
    first = " " if mode == _BARE else "\n" + spaces
    return first + (",\n" + spaces).join(items) + " "


def _next(indent: int) -> int:
    return 0 if indent == 0 else indent + 1


def _value(value: Any, t: DynType, indent: int, mode: int) -> str:
    k = t.kind
    if k == "void":
        return "void"
    if k == "bool":
        return "true" if value else "false"
    if k == "float32":
        return format_float32(value)
    if k == "float64":
        return format_float64(value)
    if k == "text":
        return '"' + c_escape(value.encode("utf-8", "surrogateescape") if isinstance(value, str)
                              else bytes(value), False) + '"'
    if k == "data":
        return '"' + c_escape(bytes(value), True) + '"'
    if k == "enum":
        return value.name if value.name is not None else f"({int(value)})"
    if k == "struct":
        return _struct(value, indent, mode)
    if k == "list":
        return _list(value, indent, mode)
    if k == "interface":
        return "<external capability>"
    if k == "anyPointer":
        return "<opaque pointer>"
    return str(value)  # the integers


def _list(value: Any, indent: int, mode: int) -> str:
    lt = value._t
    element = lt.element
    inner = _next(indent)
    wl = value._l
    items: List[str]
    if element.kind == "text":
        # Raw bytes, so that text that is not UTF-8 still prints (C++ prints bytes as they are).
        items = []
        for i in range(len(wl)):
            p = wl.get_pointer(i)
            raw = None if p.is_null() else read_blob(p.arena, p.segment_index, p.offset, True)
            items.append('"' + c_escape(b"" if raw is None else bytes(raw), False) + '"')
    elif element.kind == "interface":
        items = ["<external capability>"] * len(wl)
    else:
        items = [_value(v, element, inner, _BARE) for v in value]
    return "[" + _delimit(items, indent, mode, False) + "]"


def _field(r: Any, f: FieldInfo, indent: int) -> str:
    if f.type.kind == "text":
        default = f.default.encode("utf-8", "surrogateescape") if f.default else b""
        raw = r._s.get_text_bytes(f.pointer, default)
        return f.name + ' = "' + c_escape(raw, False) + '"'
    return f.name + " = " + _value(f.get_r(r), f.type, indent, _PREFIXED)


def _struct(r: Any, indent: int, mode: int) -> str:
    schema: StructSchema = r._type.schema
    s = r._s
    inner = _next(indent)
    union_item = None
    union_index = -1
    if schema.discriminant_offset >= 0:
        off = schema.discriminant_offset
        d = _U16.unpack_from(s.segment, s.data_offset + off)[0] if off + 2 <= s.data_size else 0
        members = schema.union_by_discriminant
        member = members[d] if d < len(members) else None
        # The first member at its default says nothing; any other member shows the union's
        # state, so it is printed even when null.
        if member is not None and (
            d != 0 or member.slot_kind != "pointer" or s.has_pointer(member.pointer)
        ):
            union_item = _field(r, member, inner)
            union_index = member.index
    items: List[str] = []
    for f in schema.non_union_members:
        if union_item is not None and union_index < f.index:
            items.append(union_item)
            union_item = None
        if f.slot_kind == "pointer" and not s.has_pointer(f.pointer):
            continue
        items.append(_field(r, f, inner))
    if union_item is not None:
        items.append(union_item)
    return "(" + _delimit(items, indent, mode, True) + ")"


def text_format(value: Any, pretty: bool = False) -> str:
    """A struct or list (reader or builder) in the capnp text format: one line (``capnp decode
    --short``), or ``pretty`` (``capnp decode``)."""
    from purecap.wire.errors import NestingLimitExceeded

    value = value._walk_reader()  # a builder's, with a nesting limit: the walk is recursive
    indent = 1 if pretty else 0
    try:
        if hasattr(value, "_t"):
            return _list(value, indent, _BARE)
        return _struct(value, indent, _BARE)
    except RecursionError:  # a reader given a huge nesting limit: still an error of ours
        raise NestingLimitExceeded("the value is nested too deeply to print") from None
