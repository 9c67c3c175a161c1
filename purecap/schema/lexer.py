"""Tokeniser for the ``.capnp`` schema language (as accepted by capnp 0.9.2).

The token rules are the reference lexer's (``compiler/lexer.c++`` and ``kj/parse/char.h``):

* Identifiers ``[A-Za-z_][A-Za-z0-9_]*``.  Keywords (``struct``, ``union``, ``import``...) are
  plain identifiers; the parser gives them meaning by position.
* Integers: ``0x`` + hex digits (lower-case ``x`` only), ``0`` + octal digits, or decimal.
  Floats: ``digits[.digits][e[+-]digits]``.  A number may not run into a letter, ``_`` or
  ``.``.  Floats never start with ``.`` and have no sign; ``-`` is an operator.
* Strings ``"..."`` on one line, with C escapes ``\\a \\b \\f \\n \\r \\t \\v \\' \\" \\\\ \\?``,
  ``\\xNN`` (exactly two hex digits) and 1-3 octal digits.  Binary literals ``0x"0a 1b"``: hex
  byte pairs, whitespace allowed between pairs.
* Operators are *maximal runs* of ``!$%&*+-./:<=>?@^|~``.  So ``@0``, ``:Text``, ``$ann``,
  ``->`` lex as expected, but ``=-1`` is the single operator ``=-`` (a parse error, as in the
  reference: write ``= -1``).
* Punctuation ``( ) [ ] { } , ;``.
* ``#`` starts a comment to end of line; a UTF-8 BOM counts as whitespace.

Doc comments: the reference keeps the comment lines right after a statement's ``;``, ``{`` or
``}`` (on the same line and/or starting on the next line, no blank line in between).  Each line
loses its ``#`` and at most one following space and gets a ``\\n``.  The lexer attaches that text
to the ``;``/``{``/``}`` token (:attr:`Token.doc`).  Every other comment is dropped.

The lexer works on the UTF-8 bytes, so offsets and columns are byte-based like the reference's.
Instead of stopping at the first bad token it reports an error, emits an ``ERROR`` token and goes
on, so the parser can skip just the statement that holds it.
"""

from __future__ import annotations

import enum
import re
from bisect import bisect_right
from typing import Callable, List, NamedTuple, Optional, Tuple, Union

from purecap.schema.ast import Span
from purecap.schema.errors import SchemaError, SchemaErrors

__all__ = ["TokenKind", "Token", "LineMap", "LexResult", "lex", "tokenize", "source_bytes"]


class TokenKind(enum.Enum):
    IDENT = "identifier"
    STRING = "string literal"
    BINARY = "binary literal"
    INT = "integer"
    FLOAT = "float"
    OP = "operator"
    LPAREN = "'('"
    RPAREN = "')'"
    LBRACKET = "'['"
    RBRACKET = "']'"
    LBRACE = "'{'"
    RBRACE = "'}'"
    COMMA = "','"
    SEMI = "';'"
    ERROR = "invalid token"  # already reported; the parser skips its statement
    EOF = "end of file"


TokenValue = Union[str, int, float, bytes]


class Token(NamedTuple):
    """One token.  ``start``/``end`` are byte offsets ``[start, end)`` into the UTF-8 source.

    ``value`` is the identifier or operator text (``str``), the decoded string (``str``, see
    :mod:`purecap.schema.ast` on undecodable bytes), the bytes of a binary literal, the ``int``
    or ``float`` of a number, or the punctuation character.  ``doc`` is the doc comment after a
    ``;``, ``{`` or ``}`` token, and ``doc_end`` where that comment ends (``end`` if none; 0 for
    other tokens).
    """

    kind: TokenKind
    value: TokenValue
    start: int
    end: int
    doc: Optional[str] = None
    doc_end: int = 0


class LineMap:
    """Turns byte offsets into 1-based (line, byte column), counting ``\\n`` as line breaks."""

    def __init__(self, data: bytes) -> None:
        self._starts = [0]
        find = data.find
        pos = find(b"\n")
        while pos >= 0:
            self._starts.append(pos + 1)
            pos = find(b"\n", pos + 1)

    def position(self, offset: int) -> Tuple[int, int]:
        line = bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1

    def span(self, start: int, end: int) -> Span:
        line, col = self.position(start)
        end_line, end_col = self.position(end)
        return Span(start, end, line, col, end_line, end_col)


class LexResult(NamedTuple):
    """What :func:`lex` found.  ``tokens`` always ends with an ``EOF`` token.

    ``fatal`` is set when the input is not UTF-8 text at all, when parsing it is pointless.
    """

    data: bytes
    tokens: List[Token]
    errors: List[SchemaError]
    line_map: LineMap
    fatal: bool


_TOKEN_RE = re.compile(
    rb"""
    (?P<ws>(?:[ \t\n\r\f\v]|\xef\xbb\xbf)+)
  | (?P<comment>\#[^\n]*)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<string>"(?:[^"\\\n]|\\[^\n])*")
  | (?P<binary>0x"[^"]*")
  | (?P<number>[0-9](?:[0-9A-Za-z_.]|(?<=[eE])[+-])*)
  | (?P<op>[!$%&*+\-./:<=>?@^|~]+)
  | (?P<punct>[()\[\]{},;])
  | (?P<badstring>"[^\n]*)
  | (?P<bad>[\x00-\x7f]|[\xc0-\xff][\x80-\xbf]*|[\x80-\xbf]+)
    """,
    re.VERBOSE,
)

# The comment lines after a statement terminator that become its doc comment: optional spaces,
# at most one line break, then one or more lines each holding only a comment.
_DOC_RE = re.compile(rb"[ \t\f\v]*(?:\r\n?|\n)?((?:[ \t\f\v]*#[^\n]*(?:\n|\Z))+)")
_DOC_LINE_RE = re.compile(rb"[ \t\f\v]*# ?([^\n]*)")

_HEX_INT_RE = re.compile(rb"0x[0-9A-Fa-f]+")
_OCT_INT_RE = re.compile(rb"0[0-7]*")
_DEC_INT_RE = re.compile(rb"[1-9][0-9]*")
_FLOAT_RE = re.compile(rb"[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?")
_BAD_OCTAL_RE = re.compile(rb"0[0-7]*[89]")
_BINARY_BODY_RE = re.compile(rb"(?:[ \t\n\r\f\v]*[0-9A-Fa-f]{2})+[ \t\n\r\f\v]*")
_WS_RE = re.compile(rb"[ \t\n\r\f\v]+")
_ESCAPE_RE = re.compile(rb"\\(?:x([0-9A-Fa-f]{2})|([0-7]{1,3})|([abfnrtv'\"\\?]))")

_SIMPLE_ESCAPES = {
    b"a": b"\a",
    b"b": b"\b",
    b"f": b"\f",
    b"n": b"\n",
    b"r": b"\r",
    b"t": b"\t",
    b"v": b"\v",
    b"'": b"'",
    b'"': b'"',
    b"\\": b"\\",
    b"?": b"?",
}

_PUNCT_KINDS = {
    b"(": TokenKind.LPAREN,
    b")": TokenKind.RPAREN,
    b"[": TokenKind.LBRACKET,
    b"]": TokenKind.RBRACKET,
    b"{": TokenKind.LBRACE,
    b"}": TokenKind.RBRACE,
    b",": TokenKind.COMMA,
    b";": TokenKind.SEMI,
}

_MAX_INT = (1 << 64) - 1

# How lex() hands its error reporter to helpers: (start, end, message).
_ErrorFn = Callable[[int, int, str], None]
_NOT_UTF8 = "Non-UTF-8 input detected. Cap'n Proto schema files must be UTF-8 text."


def source_bytes(source: Union[str, bytes]) -> bytes:
    """The UTF-8 bytes of ``source`` (bytes are taken as they are)."""
    if isinstance(source, bytes):
        return source
    try:
        # surrogateescape restores bytes that a lenient decode turned into lone surrogates.
        return source.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return source.encode("utf-8", "surrogatepass")


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _unescape(body: bytes) -> bytes:
    """Replace the C escapes of a string body already checked by :func:`_bad_escape`."""

    def one(m: re.Match[bytes]) -> bytes:
        hex_digits, octal, simple = m.groups()
        if hex_digits is not None:
            return bytes((int(hex_digits, 16),))
        if octal is not None:
            return bytes((int(octal, 8) & 0xFF,))  # the reference computes it in a char
        return _SIMPLE_ESCAPES[simple]

    return _ESCAPE_RE.sub(one, body)


def _bad_escape(body: bytes) -> int:
    """Offset in ``body`` of the first invalid escape, or -1."""
    pos = body.find(b"\\")
    while pos >= 0:
        m = _ESCAPE_RE.match(body, pos)
        if m is None:
            return pos
        pos = body.find(b"\\", m.end())
    return -1


def _doc_text(block: bytes) -> str:
    return "".join(_decode(line) + "\n" for line in _DOC_LINE_RE.findall(block))


def lex(source: Union[str, bytes], filename: str = "<string>") -> LexResult:
    """Tokenise ``source``, collecting errors instead of raising them."""
    data = source_bytes(source)
    line_map = LineMap(data)
    tokens: List[Token] = []
    errors: List[SchemaError] = []
    append = tokens.append

    def error(start: int, end: int, message: str) -> None:
        span = line_map.span(start, end)
        errors.append(
            SchemaError(filename, span.line, span.col, message, span.end_line, span.end_col)
        )

    match = _TOKEN_RE.match
    doc_match = _DOC_RE.match
    pos = 0
    size = len(data)
    fatal = False
    while pos < size:
        m = match(data, pos)
        assert m is not None  # the `bad` alternative matches any byte
        kind = m.lastgroup
        end = m.end()
        text = m.group()
        if kind == "ws" or kind == "comment":
            pass
        elif kind == "ident":
            append(Token(TokenKind.IDENT, text.decode("ascii"), pos, end))
        elif kind == "op":
            append(Token(TokenKind.OP, text.decode("ascii"), pos, end))
        elif kind == "punct":
            tk = _PUNCT_KINDS[text]
            if tk is TokenKind.SEMI or tk is TokenKind.LBRACE or tk is TokenKind.RBRACE:
                dm = doc_match(data, end)
                if dm is not None:
                    append(Token(tk, text.decode(), pos, end, _doc_text(dm.group(1)), dm.end()))
                    pos = dm.end()
                    continue
            append(Token(tk, text.decode(), pos, end, None, end))
        elif kind == "number":
            append(_number(text, pos, end, error))
        elif kind == "string":
            body = text[1:-1]
            bad = _bad_escape(body)
            if bad >= 0:
                at = pos + 1 + bad
                error(at, at + 2, "Invalid escape sequence in string literal.")
                append(Token(TokenKind.ERROR, "", pos, end))
            else:
                value = _decode(_unescape(body)) if b"\\" in body else _decode(body)
                append(Token(TokenKind.STRING, value, pos, end))
        elif kind == "binary":
            body = text[3:-1]
            if _BINARY_BODY_RE.fullmatch(body) is None:
                error(pos, end, "Invalid binary literal; expected pairs of hex digits.")
                append(Token(TokenKind.ERROR, "", pos, end))
            else:
                hex_digits = _WS_RE.sub(b"", body).decode("ascii")
                append(Token(TokenKind.BINARY, bytes.fromhex(hex_digits), pos, end))
        elif kind == "badstring":
            error(pos, end, "String literal is not terminated before the end of the line.")
            append(Token(TokenKind.ERROR, "", pos, end))
        else:
            if text == b"\x00" or data.startswith((b"\xff\xfe", b"\xfe\xff"), pos):
                # A UTF-16/UTF-32 file, or binary data: reporting one error is enough.
                error(pos, pos, _NOT_UTF8)
                fatal = True
                break
            char = _decode(text)
            shown = repr(char) if char.isprintable() else ascii(char)
            error(pos, end, f"Parse error: unexpected character {shown}.")
            append(Token(TokenKind.ERROR, "", pos, end))
        pos = end
    tokens.append(Token(TokenKind.EOF, "", size, size, None, size))
    return LexResult(data, tokens, errors, line_map, fatal)


def _number(text: bytes, start: int, end: int, error: _ErrorFn) -> Token:
    """The token for a run of digits, letters, ``_``, ``.`` (and signs after ``e``)."""
    value: Optional[int] = None
    if _HEX_INT_RE.fullmatch(text):
        value = int(text[2:], 16)
    elif _DEC_INT_RE.fullmatch(text):
        value = int(text)
    elif _OCT_INT_RE.fullmatch(text):
        value = int(text, 8)
    elif _BAD_OCTAL_RE.match(text):
        # The reference stops an octal literal at the 8 or 9 and then fails.
        error(start, end, "Invalid octal literal (a leading 0 makes a number octal).")
        return Token(TokenKind.ERROR, "", start, end)
    elif _FLOAT_RE.fullmatch(text):
        return Token(TokenKind.FLOAT, float(text), start, end)
    else:
        error(start, end, f"Parse error: invalid number {_decode(text)!r}.")
        return Token(TokenKind.ERROR, "", start, end)
    if value > _MAX_INT:
        # The reference silently wraps around; a literal that large is always a mistake.
        error(start, end, "Integer literal is too large (must fit in 64 bits).")
        return Token(TokenKind.ERROR, "", start, end)
    return Token(TokenKind.INT, value, start, end)


def tokenize(source: Union[str, bytes], filename: str = "<string>") -> List[Token]:
    """Tokenise ``source``; raise :class:`SchemaErrors` with every lexical error found."""
    result = lex(source, filename)
    if result.errors:
        raise SchemaErrors(result.errors)
    return result.tokens
