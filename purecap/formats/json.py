"""JSON, as the reference's JSON codec (``compat/json.c++``, ``capnp convert binary:json``)
writes and reads it.

Writing (``JsonCodec::encode``), value by value:

* Void is ``null``; Bool ``true``/``false``; the 8- to 32-bit integers are numbers; Int64 and
  UInt64 are *strings* (a JSON number is a double, which would lose digits); floats are numbers,
  printed as kj prints a double (``%.15g``, else ``%.17g``), except ``"Infinity"``,
  ``"-Infinity"`` and ``"NaN"`` as strings; a Float32 is first widened to a double;
* Text is a string, escaping only ``"``, ``\\`` and control characters; Data is an array of
  byte numbers; an enum is its enumerant's name (its number when unknown);
* a struct is an object of every non-union field (pointer fields only when non-null) in field
  order, then the active union member (always last in 0.9.2's output), written (as ``null`` if
  it is a null pointer) unless it is the union's first member and unset;
* capabilities and AnyPointers cannot be written (the reference refuses them too).

Pretty printing (``encodeRaw``/``encodeList``): an array or object with more than one item goes
one item a line when an item is itself multi-line or longer than 50 bytes; otherwise items are
separated by ``", "``; ``--short`` output has no whitespace at all.

Reading (``JsonCodec::decode``): the reference's own small parser (numbers always doubles,
nesting at most 64 deep), then field by field by name (unknown names ignored); integers may be
given as numbers or decimal strings, floats as numbers, strings (``"NaN"``...) or ``null``.

Not implemented: the ``compat/json.capnp`` annotations (``name``, ``flatten``,
``discriminator``, ``base64``, ``hex``) - they are ignored.
"""

from __future__ import annotations

import math
from typing import Any, Iterator, List, Tuple, Union

from purecap.dynamic.textformat import format_float64
from purecap.errors import PurecapError

__all__ = ["JsonError", "to_json", "from_json", "decode_into", "split_json_messages"]

MAX_NESTING_DEPTH = 64  # JsonCodec::Impl::maxNestingDepth

# The JSON value tree between the message and the text: None (null), bool, float (number),
# str (string; bytes that are not UTF-8 kept as surrogate escapes), list (array) and
# _Object (an object: its (name, value) pairs in order).


class _Object(List[Tuple[str, Any]]):
    pass


class JsonError(PurecapError):
    """JSON input that does not parse or does not fit the schema, or a value JSON cannot hold."""


# ---------------------------------------------------------------------------------------------
# Encoding: message -> value tree


def _u16(s: Any, off: int) -> int:
    if off + 2 > s.data_size:
        return 0
    return int(s.segment[s.data_offset + off]) | (int(s.segment[s.data_offset + off + 1]) << 8)


def _encode_value(value: Any, t: Any) -> Any:
    k = t.kind
    if k == "void":
        return None
    if k == "bool":
        return bool(value)
    if k in ("int8", "int16", "int32", "uint8", "uint16", "uint32"):
        return float(value)
    if k in ("int64", "uint64"):
        return str(int(value))
    if k in ("float32", "float64"):
        v = float(value)
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    if k == "text":
        return value if isinstance(value, str) else bytes(value).decode("utf-8", "surrogateescape")
    if k == "data":
        return [float(b) for b in bytes(value)]
    if k == "enum":
        return value.name if value.name is not None else float(int(value))
    if k == "struct":
        return _encode_struct(value)
    if k == "list":
        return [_encode_value(v, t.element) for v in value]
    if k == "interface":
        raise JsonError(
            "don't know how to JSON-encode capabilities; please register a JsonCodec::Handler "
            "for this"
        )
    raise JsonError(
        "don't know how to JSON-encode AnyPointer; please register a JsonCodec::Handler for this"
    )


def _field_value(r: Any, f: Any) -> Any:
    if f.type.kind == "text":
        default = f.default.encode("utf-8", "surrogateescape") if f.default else b""
        return bytes(r._s.get_text_bytes(f.pointer, default)).decode("utf-8", "surrogateescape")
    return _encode_value(f.get_r(r), f.type)


def _encode_struct(r: Any) -> _Object:
    schema = r._type.schema
    s = r._s
    union_member = None
    union_null = False
    if schema.discriminant_offset >= 0:
        d = _u16(s, schema.discriminant_offset)
        members = schema.union_by_discriminant
        member = members[d] if d < len(members) else None
        if member is not None:
            union_null = member.slot_kind == "pointer" and not s.has_pointer(member.pointer)
            if d != 0 or not union_null:
                union_member = member
    out = _Object()
    for f in schema.non_union_members:
        if f.slot_kind == "pointer" and not s.has_pointer(f.pointer):
            continue
        out.append((f.name, _field_value(r, f)))
    # json.c++ means to place the union member in field order, as the text printer does, but
    # 0.9.2 always ends up writing it last (checked against the tool): so do we.
    if union_member is not None:
        out.append((union_member.name, None if union_null else _field_value(r, union_member)))
    return out


# ---------------------------------------------------------------------------------------------
# Encoding: value tree -> text


def _encode_string(value: str) -> str:
    out = ['"']
    for c in value:
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c < " ":
            out.append(_CONTROL[ord(c)])
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


_CONTROL = ["\\u%04x" % i for i in range(32)]
_CONTROL[8], _CONTROL[12], _CONTROL[10], _CONTROL[13], _CONTROL[9] = "\\b", "\\f", "\\n", "\\r", "\\t"


def _size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogateescape"))


class _Writer:
    def __init__(self, pretty: bool) -> None:
        self.pretty = pretty

    def raw(self, value: Any, indent: int, has_prefix: bool) -> Tuple[str, bool]:
        """The text of ``value`` and whether it made its list multi-line (``encodeRaw``)."""
        if value is None:
            return "null", False
        if value is True:
            return "true", False
        if value is False:
            return "false", False
        if isinstance(value, float):
            return format_float64(value), False
        if isinstance(value, str):
            return _encode_string(value), False
        if isinstance(value, _Object):
            sub = indent + (len(value) > 1)
            colon = ": " if self.pretty else ":"
            items = []
            child_multi = False
            for name, v in value:
                text, multi = self.raw(v, sub, True)
                child_multi = child_multi or multi
                items.append(_encode_string(name) + colon + text)
            body, multi = self.join(items, child_multi, indent, has_prefix)
            return "{" + body + "}", multi
        sub = indent + (len(value) > 1)
        items = []
        child_multi = False
        for v in value:
            text, multi = self.raw(v, sub, False)
            child_multi = child_multi or multi
            items.append(text)
        body, multi = self.join(items, child_multi, indent, has_prefix)
        return "[" + body + "]", multi

    def join(
        self, items: List[str], child_multi: bool, indent: int, has_prefix: bool
    ) -> Tuple[str, bool]:
        if not self.pretty:
            return ",".join(items), False
        if len(items) > 1 and (child_multi or max(_size(i) for i in items) > 50):
            spaces = " " * ((indent + 1) * 2)
            prefix = "\n" + spaces if has_prefix else " "
            return prefix + (",\n" + spaces).join(items) + " ", True
        return ", ".join(items), False


def to_json(value: Any, pretty: bool = True) -> str:
    """A struct (dynamic reader or builder) as JSON, as ``capnp convert binary:json`` writes it
    (without the newline it adds); ``pretty=False`` is ``--short``."""
    from purecap.wire.errors import NestingLimitExceeded

    reader = value._walk_reader()
    try:
        tree = _encode_struct(reader)
        return _Writer(pretty).raw(tree, 0, False)[0]
    except RecursionError:
        raise NestingLimitExceeded("the value is nested too deeply to write as JSON") from None


# ---------------------------------------------------------------------------------------------
# Decoding: text -> value tree (the reference's parser, quirks included)

_WS = b" \n\r\t"
_DIGITS = b"0123456789"


class _Parser:
    def __init__(self, data: bytes) -> None:
        # The reference reads up to a NUL (the terminator readOneJson adds).
        end = data.find(b"\0")
        self.data = data if end < 0 else data[:end]
        self.pos = 0
        self.depth = 0

    def fail(self, message: str) -> JsonError:
        return JsonError(f"{message} (at byte {self.pos})")

    def ws(self) -> None:
        data = self.data
        n = len(data)
        while self.pos < n and data[self.pos] in _WS:
            self.pos += 1

    def peek(self) -> int:
        if self.pos >= len(self.data):
            raise self.fail("JSON message ends prematurely.")
        return self.data[self.pos]

    def expect(self, text: bytes) -> None:
        if not self.data.startswith(text, self.pos):
            if len(self.data) - self.pos < len(text):
                raise self.fail("JSON message ends prematurely.")
            raise self.fail("Unexpected input in JSON message.")
        self.pos += len(text)

    def value(self) -> Any:
        self.ws()
        c = self.peek()
        result: Any
        if c == 0x6E:
            self.expect(b"null")
            result = None
        elif c == 0x66:
            self.expect(b"false")
            result = False
        elif c == 0x74:
            self.expect(b"true")
            result = True
        elif c == 0x22:
            result = self.string()
        elif c == 0x5B:
            result = self.array()
        elif c == 0x7B:
            result = self.object()
        elif c == 0x2D or c in _DIGITS:
            result = self.number()
        else:
            raise self.fail("Unexpected input in JSON message.")
        self.ws()
        return result

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING_DEPTH:
            raise self.fail("JSON message nested too deeply.")

    def array(self) -> List[Any]:
        self.pos += 1
        self.enter()
        items: List[Any] = []
        while True:
            self.ws()
            if self.peek() == 0x5D:
                break
            if items:
                self.expect(b",")
            items.append(self.value())
        self.pos += 1
        self.depth -= 1
        return items

    def object(self) -> _Object:
        self.pos += 1
        self.enter()
        items = _Object()
        while True:
            self.ws()
            if self.peek() == 0x7D:
                break
            if items:
                self.expect(b",")
                self.ws()
            if self.peek() != 0x22:
                raise self.fail("Unexpected input in JSON message.")
            name = self.string()
            self.ws()
            self.expect(b":")
            items.append((name, self.value()))
        self.pos += 1
        self.depth -= 1
        return items

    def number(self) -> float:
        data = self.data
        start = self.pos
        n = len(data)
        i = start
        if i < n and data[i] == 0x2D:
            i += 1
        if i < n and data[i] == 0x30:
            i += 1
        else:
            if i >= n:
                self.pos = i
                raise self.fail("JSON message ends prematurely.")
            if not 0x31 <= data[i] <= 0x39:
                self.pos = i
                raise self.fail("Unexpected input in JSON message.")
            while i < n and data[i] in _DIGITS:
                i += 1
        if i < n and data[i] == 0x2E:
            i += 1
            while i < n and data[i] in _DIGITS:
                i += 1
        if i < n and data[i] in b"eE":
            i += 1
            if i < n and data[i] in b"+-":
                i += 1
            while i < n and data[i] in _DIGITS:
                i += 1
        self.pos = i
        text = data[start:i].decode("ascii")
        try:
            return float(text)
        except ValueError:
            # strtod reads the longest valid prefix ("1e" is 1) and kj then refuses leftovers.
            raise self.fail(f"not a number: {text}") from None

    def string(self) -> str:
        self.pos += 1
        data = self.data
        out = bytearray()
        while True:
            i = self.pos
            n = len(data)
            j = i
            while j < n and data[j] != 0x22 and data[j] != 0x5C:
                j += 1
            out += data[i:j]
            self.pos = j
            c = self.peek()
            if c == 0x5C:
                self.pos += 1
                e = self.peek()
                simple = _JSON_ESCAPES.get(e)
                if simple is not None:
                    out += simple
                    self.pos += 1
                elif e == 0x75:
                    self.pos += 1
                    hex4 = data[self.pos : self.pos + 4]
                    if len(hex4) < 4:
                        raise self.fail("JSON message ends prematurely.")
                    self.pos += 4
                    out += _unescape_u(hex4, self)
                else:
                    raise self.fail("Invalid escape in JSON string.")
            if self.peek() == 0x22:
                self.pos += 1
                return out.decode("utf-8", "surrogateescape")


_JSON_ESCAPES = {
    0x22: b'"', 0x5C: b"\\", 0x2F: b"/", 0x62: b"\b", 0x66: b"\f", 0x6E: b"\n", 0x72: b"\r",
    0x74: b"\t",
}  # fmt: skip


def _unescape_u(hex4: bytes, parser: _Parser) -> bytes:
    code = 0
    for c in hex4:
        code <<= 4
        if 0x30 <= c <= 0x39:
            code |= c - 0x30
        # The 0.9.2 reference reads a-f and A-F as 0-5 (it forgets the +10); we do the same,
        # since the point is to decode what it decodes.
        elif 0x61 <= c <= 0x66:
            code |= c - 0x61
        elif 0x41 <= c <= 0x46:
            code |= c - 0x41
        else:
            raise parser.fail("Invalid hex digit in unicode escape.")
    if code < 0x80:
        return bytes((code,))
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd".encode("utf-8")  # a lone surrogate: kj's decodeUtf16 replaces it
    return chr(code).encode("utf-8")


def parse_json(text: Union[str, bytes]) -> Any:
    """The value tree of a JSON text (``JsonCodec::decodeRaw``)."""
    data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else bytes(text)
    parser = _Parser(data)
    value = parser.value()
    if parser.pos < len(parser.data):
        raise parser.fail("Input remains after parsing JSON.")
    return value


# ---------------------------------------------------------------------------------------------
# Decoding: value tree -> builder

_INT_RANGES = {
    "int8": (-(1 << 7), (1 << 7) - 1), "int16": (-(1 << 15), (1 << 15) - 1),
    "int32": (-(1 << 31), (1 << 31) - 1), "int64": (-(1 << 63), (1 << 63) - 1),
    "uint8": (0, (1 << 8) - 1), "uint16": (0, (1 << 16) - 1), "uint32": (0, (1 << 32) - 1),
    "uint64": (0, (1 << 64) - 1),
}  # fmt: skip


def _scalar(value: Any, t: Any, name: str) -> Any:
    k = t.kind
    if k == "void":
        return None
    if k == "bool":
        if isinstance(value, bool):
            return value
        raise JsonError(f"{name}: Expected boolean value")
    bounds = _INT_RANGES.get(k)
    if bounds is not None:
        if isinstance(value, float) and not isinstance(value, bool):
            if not value.is_integer():
                raise JsonError(f"{name}: value is not an integer: {value!r}")
            number = int(value)
        elif isinstance(value, str):
            number = _parse_int(value, name, k.startswith("u"))
        else:
            raise JsonError(f"{name}: Expected integer value")
        if not bounds[0] <= number <= bounds[1]:
            raise JsonError(f"{name}: Value out-of-range for requested type: {number}")
        return number
    if k in ("float32", "float64"):
        if value is None:
            f = math.nan
        elif isinstance(value, float):
            f = value
        elif isinstance(value, str):
            try:
                f = float(value) if value.strip() == value and value else math.nan
            except ValueError:
                raise JsonError(f"{name}: not a number: {value!r}") from None
            if not value:
                raise JsonError(f"{name}: not a number: ''")
        else:
            raise JsonError(f"{name}: Expected float value")
        if k == "float32":
            from purecap.schema.translator import to_float32

            f = to_float32(f)
        return f
    if k == "text":
        if isinstance(value, str):
            return value.encode("utf-8", "surrogateescape")
        raise JsonError(f"{name}: Expected text value")
    if k == "data":
        if isinstance(value, list):
            out = bytearray()
            for x in value:
                if not isinstance(x, float) or not (0 <= x <= 255) or not x.is_integer():
                    raise JsonError(f"{name}: Number in byte array is not an integer in [0, 255]")
                out.append(int(x))
            return bytes(out)
        raise JsonError(f"{name}: Expected data value")
    if k == "enum":
        if isinstance(value, str):
            for member in t.enum:
                if member.name == value:
                    return member
            raise JsonError(f"{name}: enum has no such enumerant: {value!r}")
        raise JsonError(f"{name}: Expected enum value")
    raise JsonError(f"{name}: don't know how to JSON-decode {k}")


def _parse_int(text: str, name: str, unsigned: bool) -> int:
    # kj parseAs<int64_t>/<uint64_t>: strtoll/strtoull of the whole string, base 10.
    body = text[1:] if text[:1] in "+-" else text
    if not body.isdigit() or not body.isascii() or (unsigned and text.startswith("-")):
        raise JsonError(f"{name}: not an integer: {text!r}")
    return int(text)


def _fill(builder: Any, value: Any, depth: int = 0) -> None:
    if not isinstance(value, _Object):
        raise JsonError("Expected object value")
    fields = builder._type.schema.fields
    for name, v in value:
        info = fields.get(name)
        if info is None:
            continue  # unknown fields are ignored (rejectUnknownFields is off)
        if info.slot_kind == "group":
            _fill(builder.init(name), v)
            continue
        t = info.type
        k = t.kind
        if k == "struct":
            if v is None:
                raise JsonError(f"{name}: Expected object value")
            _fill(builder.init(name), v)
        elif k == "list":
            if not isinstance(v, list):
                raise JsonError(f"{name}: Expected list value")
            _fill_list(builder.init(name, len(v)), v, t.element, name)
        else:
            builder._set(name, _scalar(v, t, name))


def _fill_list(lst: Any, values: List[Any], element: Any, name: str) -> None:
    k = element.kind
    for i, v in enumerate(values):
        if k == "struct":
            _fill(lst[i], v)
        elif k == "list":
            if not isinstance(v, list):
                raise JsonError(f"{name}: Expected list value")
            _fill_list(lst.init(i, len(v)), v, element.element, name)
        else:
            x = _scalar(v, element, name)
            if k != "void":
                lst[i] = x


def decode_into(text: Union[str, bytes], builder: Any) -> None:
    """Fill the struct ``builder`` (a dynamic struct builder) from the JSON ``text``."""
    _fill(builder, parse_json(text))


def from_json(struct_type: Any, text: Union[str, bytes]) -> Any:
    """A new message of ``struct_type`` filled from the JSON ``text``; returns its root builder."""
    builder = struct_type.new_message()
    decode_into(text, builder)
    return builder


def split_json_messages(data: bytes) -> Iterator[bytes]:
    """Cut a stream of JSON messages where the reference's ``readOneJson`` does: at a ``{`` at
    depth 0 once a ``}`` has closed depth 0, skipping ``#`` and ``//`` comments. (Like the
    reference, it does not look into strings: its quote states are never entered.)"""
    start = 0
    depth = 0
    saw_close = False
    comment = False
    slash = False
    for i, c in enumerate(data):
        if comment:
            if c == 0x0A:
                comment = False
            continue
        if slash and c == 0x2F:
            comment = True
            slash = False
            continue
        slash = False
        if c == 0x23:
            comment = True
        elif c == 0x2F:
            slash = True
        elif c == 0x7B:
            if depth == 0 and saw_close:
                yield data[start:i]
                start = i
                saw_close = False
            depth += 1
        elif c == 0x7D and depth > 0:
            depth -= 1
            if depth == 0:
                saw_close = True
    yield data[start:]
