"""The capnp text format, as far as the conformance suite needs it.

``capnp encode`` reads struct literals in this format and ``capnp decode`` prints them. We write
the values of our test messages with :func:`format_value` (driven by the schema table of
:mod:`conformance.wiretest`), and read what ``capnp decode`` and ``capnp compile -ocapnp`` print
with :func:`parse`, which knows nothing of schemas: it returns plain Python structures that
:mod:`conformance.wiretest` then types.

The grammar (compiler/lexer.c++ and the TextCodec of the reference implementation)::

    value   = struct | list | string | data | number | identifier | "<opaque pointer>"
    struct  = "(" [ name "=" value { "," name "=" value } ] ")"
    list    = "[" [ value { "," value } ] "]"
    string  = '"' characters with C escapes '"'      (Text, and Data as printed by decode)
    data    = '0x"' hex digits and spaces '"'         (Data, as we write it)
"""

from __future__ import annotations

import math
import re
from typing import Any, Dict, List, Tuple

__all__ = [
    "Ident",
    "OPAQUE",
    "TextFormatError",
    "parse",
    "quote_text",
    "quote_data",
    "format_float",
]


class TextFormatError(ValueError):
    pass


class Ident(str):
    """A bare identifier in a value position: an enumerant's name."""

    def __repr__(self) -> str:
        return f"Ident({str(self)!r})"


class _Opaque:
    """What ``capnp decode`` prints for a non-null AnyPointer: ``<opaque pointer>``."""

    def __repr__(self) -> str:
        return "OPAQUE"


OPAQUE = _Opaque()

# -- writing -------------------------------------------------------------------------------------

_ESCAPES = {
    0x07: "\\a", 0x08: "\\b", 0x0C: "\\f", 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x0B: "\\v",
    0x22: '\\"', 0x27: "\\'", 0x5C: "\\\\",
}


def quote_text(value: str) -> str:
    """A string literal for Text: printable ASCII as is, other UTF-8 bytes as ``\\xNN``."""
    out = []
    for byte in value.encode("utf-8"):
        if byte in _ESCAPES:
            out.append(_ESCAPES[byte])
        elif 0x20 <= byte < 0x7F:
            out.append(chr(byte))
        else:
            out.append("\\x%02x" % byte)
    return '"' + "".join(out) + '"'


def quote_data(value: bytes) -> str:
    """A data literal: ``0x"0a 1b ..."`` (the lexer ignores the spaces).

    Empty data is written ``""``: capnp 0.9.2 fails on ``0x""`` ("Failed to read input").
    """
    if not value:
        return '""'
    return '0x"' + " ".join("%02x" % b for b in value) + '"'


def format_float(value: float) -> str:
    """A float literal the capnp lexer reads back exactly (``repr`` is the shortest that
    round-trips; the lexer takes ``inf``/``nan`` as identifiers and a leading ``-`` as negation).
    """
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


# -- reading -------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+|\#[^\n]*)
  | (?P<opaque><opaque\ pointer>)
  | (?P<data>0x"[0-9a-fA-F\s]*")
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<number>-?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*(?:[eE][-+]?\d+)?)))
  | (?P<ident>-?[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[()\[\],=])
    """,
    re.VERBOSE | re.DOTALL,
)

_SIMPLE_UNESCAPES = {
    "a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11,
    "'": 0x27, '"': 0x22, "\\": 0x5C, "?": 0x3F,
}


def unescape(body: str) -> bytes:
    """The bytes of a string literal's body (C escapes: simple, ``\\xNN``, octal ``\\NNN``)."""
    raw = body.encode("utf-8")
    out = bytearray()
    i = 0
    n = len(raw)
    while i < n:
        c = raw[i]
        if c != 0x5C:
            out.append(c)
            i += 1
            continue
        if i + 1 >= n:
            raise TextFormatError("string ends in a backslash")
        e = chr(raw[i + 1])
        if e in _SIMPLE_UNESCAPES:
            out.append(_SIMPLE_UNESCAPES[e])
            i += 2
        elif e == "x":
            j = i + 2
            while j < n and j < i + 4 and chr(raw[j]) in "0123456789abcdefABCDEF":
                j += 1
            if j == i + 2:
                raise TextFormatError("\\x without hex digits")
            out.append(int(raw[i + 2 : j], 16))
            i = j
        elif e in "01234567":
            j = i + 1
            while j < n and j < i + 4 and chr(raw[j]) in "01234567":
                j += 1
            out.append(int(raw[i + 1 : j], 8) & 0xFF)
            i = j
        else:
            raise TextFormatError(f"unknown escape \\{e}")
    return bytes(out)


def _tokens(text: str) -> List[Tuple[str, str]]:
    pos = 0
    out: List[Tuple[str, str]] = []
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise TextFormatError(f"cannot read {text[pos:pos + 20]!r} (at {pos})")
        kind = m.lastgroup
        assert kind is not None
        if kind != "space":
            out.append((kind, m.group()))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.pos = 0

    def peek(self) -> Tuple[str, str]:
        if self.pos >= len(self.toks):
            return ("end", "")
        return self.toks[self.pos]

    def take(self, punct: str) -> None:
        tok = self.peek()
        if tok != ("punct", punct):
            raise TextFormatError(f"expected {punct!r}, found {tok[1]!r}")
        self.pos += 1

    def value(self) -> Any:
        kind, tok = self.peek()
        self.pos += 1
        if kind == "punct" and tok == "(":
            fields: Dict[str, Any] = {}
            if self.peek() != ("punct", ")"):
                while True:
                    name_kind, name = self.peek()
                    if name_kind != "ident":
                        raise TextFormatError(f"expected a field name, found {name!r}")
                    self.pos += 1
                    self.take("=")
                    fields[name] = self.value()
                    if self.peek() == ("punct", ","):
                        self.pos += 1
                        continue
                    break
            self.take(")")
            return fields
        if kind == "punct" and tok == "[":
            items: List[Any] = []
            if self.peek() != ("punct", "]"):
                while True:
                    items.append(self.value())
                    if self.peek() == ("punct", ","):
                        self.pos += 1
                        continue
                    break
            self.take("]")
            return items
        if kind == "string":
            return unescape(tok[1:-1])
        if kind == "data":
            return bytes.fromhex("".join(tok[2:-1].split()))
        if kind == "opaque":
            return OPAQUE
        if kind == "number":
            return _number(tok)
        if kind == "ident":
            negative = tok.startswith("-")
            name = tok[1:] if negative else tok
            if name in ("inf", "nan"):
                f = float(name)
                return -f if negative else f
            if negative:
                raise TextFormatError(f"cannot negate {name!r}")
            if name == "true":
                return True
            if name == "false":
                return False
            if name == "void":
                return None
            return Ident(name)
        raise TextFormatError(f"unexpected {tok!r}")


def _number(tok: str) -> Any:
    body = tok.lstrip("-")
    negative = tok.startswith("-")
    if body[:2] in ("0x", "0X"):
        n = int(body, 16)
    elif any(c in body for c in ".eE"):
        f = float(body)
        return -f if negative else f
    elif len(body) > 1 and body.startswith("0"):
        n = int(body, 8)  # the capnp lexer reads a leading zero as octal, as C does
    else:
        n = int(body)
    if negative and n == 0:
        return -0.0  # only a float prints as "-0"
    return -n if negative else n


def parse(text: str) -> Any:
    """One value (usually a struct literal) written in the capnp text format."""
    p = _Parser(text)
    value = p.value()
    if p.peek()[0] != "end":
        raise TextFormatError(f"trailing text after the value: {p.peek()[1]!r}")
    return value


def parse_many(text: str) -> List[Any]:
    """Several values one after another (``capnp decode`` of a stream of messages)."""
    p = _Parser(text)
    out = []
    while p.peek()[0] != "end":
        out.append(p.value())
    return out
