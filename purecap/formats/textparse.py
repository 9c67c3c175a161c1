"""The capnp text format read back: a struct literal of the schema language into a builder.

``capnp convert text:binary`` (C++ ``TextCodec::decode``) lexes and parses its input with the
schema compiler's own lexer and expression parser, then fills the root with the compiler's
``ValueTranslator::fillStructValue``. We do the same: :mod:`purecap.schema.lexer` and the
parser's expression rule give the tree, and :func:`parse_into` walks it against the dynamic
builder, with the reference's rules (node-translator.c++ ``compileValue``):

* a bare name is an enumerant when an enum is expected, else one of ``void``, ``true``,
  ``false``, ``nan``, ``inf``; any other name, ``.name``, ``import``, ``embed`` or a member or
  application expression would be an external constant, which the codec refuses;
* any integer fits a float field; an integer out of its field's range is an error;
* a string literal fills Text or Data; ``0x"..."`` only Data;
* ``[...]`` fills a list, ``(...)`` a struct or a group; a union member assigned becomes the
  active one; a later assignment to the same field replaces the earlier one.

The first error stops the parse (the reference reports the first one too) as a
:class:`TextParseError` giving the line and byte columns, as the reference does.
"""

from __future__ import annotations

import math
from typing import Any, Dict, Iterator, List, Tuple, Union

from purecap.errors import PurecapError
from purecap.schema import ast
from purecap.schema.lexer import TokenKind, lex
from purecap.schema.parser import _Fail, _Parser
from purecap.schema.translator import int_to_float32, to_float32

__all__ = ["TextParseError", "parse_into", "from_text", "parse_expression", "split_messages"]

# How deep brackets may nest: the parser and our walk are recursive, and a hostile input of a
# million '(' must end in our error, not a RecursionError.
MAX_DEPTH = 200

_INT_RANGES = {
    "int8": (-(1 << 7), (1 << 7) - 1),
    "int16": (-(1 << 15), (1 << 15) - 1),
    "int32": (-(1 << 31), (1 << 31) - 1),
    "int64": (-(1 << 63), (1 << 63) - 1),
    "uint8": (0, (1 << 8) - 1),
    "uint16": (0, (1 << 16) - 1),
    "uint32": (0, (1 << 32) - 1),
    "uint64": (0, (1 << 64) - 1),
}

_TYPE_NAMES = {
    "void": "Void", "bool": "Bool", "int8": "Int8", "int16": "Int16", "int32": "Int32",
    "int64": "Int64", "uint8": "UInt8", "uint16": "UInt16", "uint32": "UInt32",
    "uint64": "UInt64", "float32": "Float32", "float64": "Float64", "text": "Text",
    "data": "Data", "anyPointer": "AnyPointer",
}  # fmt: skip


class TextParseError(PurecapError):
    """Text-format input that does not parse, or does not fit the schema."""

    def __init__(self, message: str, line: int = 0, col: int = 0, end_col: int = 0) -> None:
        self.line = line
        self.col = col
        if line:
            message = f"(capnp text input):{line}:{col}-{end_col}: {message}"
        super().__init__(message)


def _error_at(span: ast.Span, message: str) -> TextParseError:
    # The reference numbers columns from 0 at the line's first byte... after the newline
    # (ThrowingErrorReporter: "Omit +1 so that column is 1-based"): our 1-based columns.
    end_col = span.end_col if span.end_line == span.line else span.col + (span.end - span.start)
    return TextParseError(message, span.line, span.col, end_col)


def _check_nesting(tokens: List[Any]) -> None:
    depth = 0
    for tok in tokens:
        kind = tok.kind
        if kind is TokenKind.LPAREN or kind is TokenKind.LBRACKET:
            depth += 1
            if depth > MAX_DEPTH:
                raise TextParseError(f"brackets nest more than {MAX_DEPTH} deep")
        elif kind is TokenKind.RPAREN or kind is TokenKind.RBRACKET:
            depth -= 1


def parse_expression(text: Union[str, bytes]) -> ast.Expr:
    """One expression of the schema language (the whole input), as the parser's tree."""
    lexed = lex(text, "(capnp text input)")
    if lexed.errors:
        e = lexed.errors[0]
        raise TextParseError(e.message, e.line, e.col, e.end_col or e.col)
    tokens = lexed.tokens
    if len(tokens) == 1:  # only EOF
        raise TextParseError("Failed to read input.")
    _check_nesting(tokens)
    parser = _Parser(lexed, "(capnp text input)")
    parser.pos = 0
    parser.stop = len(tokens) - 1  # the EOF token is the terminator no rule accepts
    try:
        expr = parser._expr()
    except _Fail as e:
        span = lexed.line_map.span(e.start, e.end)
        if e.start >= len(lexed.data):
            raise TextParseError("Premature end of input.") from None
        raise _error_at(span, "Parse error") from None
    except RecursionError:  # pragma: no cover - bounded by _check_nesting
        raise TextParseError("brackets nest too deeply") from None
    if parser.pos != parser.stop:
        raise TextParseError("Extra tokens in input.")
    return expr


def parse_into(text: Union[str, bytes], builder: Any) -> None:
    """Fill the struct ``builder`` (a dynamic struct builder) from a text-format struct literal
    ``(field = value, ...)``, as ``capnp convert text:binary`` does."""
    expr = parse_expression(text)
    if not isinstance(expr, ast.TupleExpr):
        raise TextParseError("Input does not contain a struct.")
    _fill_struct(builder, expr.params)


def from_text(struct_type: Any, text: Union[str, bytes]) -> Any:
    """A new message of ``struct_type`` (a dynamic struct type) filled from ``text``; returns its
    root builder."""
    builder = struct_type.new_message()
    parse_into(text, builder)
    return builder


def split_messages(data: bytes) -> Iterator[bytes]:
    """Cut a stream of text-format messages into one message each, where the reference's
    ``readOneText`` does: at a ``(`` at depth 0 once a ``)`` has closed depth 0, skipping
    comments and quoted strings. Whatever precedes the next message (even junk) belongs to the
    current one."""
    start = 0
    depth = 0
    saw_close = False
    state = 0  # 0 normal, 1 comment, 2 '...', 3 "...", 4 escape in '', 5 escape in ""
    i = 0
    n = len(data)
    while i < n:
        c = data[i]
        if state == 0:
            if c == 0x23:  # '#'
                state = 1
            elif c == 0x28:  # '('
                if depth == 0 and saw_close:
                    yield data[start:i]
                    start = i
                    saw_close = False
                depth += 1
            elif c == 0x29:  # ')'
                if depth > 0:
                    depth -= 1
                    if depth == 0:
                        saw_close = True
            # Note: the reference never enters its quote states from the normal state (a
            # quirk of readOneText we keep: a ')' inside a string literal still counts).
        elif state == 1:
            if c == 0x0A:
                state = 0
        i += 1
    yield data[start:]


# ---------------------------------------------------------------------------------------------
# Evaluation


def _type_name(t: Any) -> str:
    k = t.kind
    if k == "list":
        return "List(" + _type_name(t.element) + ")"
    if k == "struct":
        return str(t.struct.name).rsplit(".", 1)[-1] if t.struct is not None else "struct"
    if k == "enum":
        return str(getattr(t.enum, "__name__", "enum")).rsplit(".", 1)[-1]
    if k == "interface":
        return "interface"
    name: str = _TYPE_NAMES.get(k, k)
    return name


def _mismatch(expr: ast.Expr, t: Any) -> TextParseError:
    return _error_at(expr.span, f"Type mismatch; expected {_type_name(t)}.")


# The names the reference reads as literals when no enum is expected, and the kinds they fit.
_LITERALS: Dict[str, Tuple[Tuple[str, ...], Any]] = {
    "void": (("void",), None),
    "true": (("bool",), True),
    "false": (("bool",), False),
    "nan": (("float32", "float64"), math.nan),
    "inf": (("float32", "float64"), math.inf),
}


def _value(expr: ast.Expr, t: Any) -> Any:
    """The Python value of a scalar, Text or Data expression for a field or element of type
    ``t`` (kinds but struct, list and group), checked as ``compileValue`` checks it."""
    k = t.kind
    if isinstance(expr, ast.NameExpr):
        name = expr.name
        if k == "enum":
            cls = t.enum
            for member in cls:
                if member.name == name:
                    return member
        elif name in _LITERALS:
            kinds, literal = _LITERALS[name]
            if k not in kinds:
                raise _mismatch(expr, t)
            return to_float32(literal) if k == "float32" else literal
        raise _error_at(expr.span, "External constants not allowed.")
    if isinstance(
        expr, (ast.AbsoluteNameExpr, ast.ImportExpr, ast.ApplicationExpr, ast.MemberExpr)
    ):
        raise _error_at(expr.span, "External constants not allowed.")
    if isinstance(expr, ast.EmbedExpr):
        raise _error_at(expr.span, "External embeds not allowed.")
    if isinstance(expr, ast.IntExpr):
        value = expr.value
        if expr.negative and value < -(1 << 63):
            raise _error_at(expr.span, "Integer is too big to be negative.")
        bounds = _INT_RANGES.get(k)
        if bounds is not None:
            if not bounds[0] <= value <= bounds[1]:
                raise _error_at(expr.span, "Integer value out of range.")
            return value
        if k == "float32":
            return int_to_float32(value)
        if k == "float64":
            return float(value)
        raise _mismatch(expr, t)
    if isinstance(expr, ast.FloatExpr):
        if k == "float32":
            return to_float32(expr.value)
        if k == "float64":
            return expr.value
        raise _mismatch(expr, t)
    if isinstance(expr, ast.StringExpr):
        raw = expr.value.encode("utf-8", "surrogateescape")
        if k == "text" or k == "data":
            return raw
        raise _mismatch(expr, t)
    if isinstance(expr, ast.BinaryExpr):
        if k == "data":
            return bytes(expr.value)
        raise _mismatch(expr, t)
    raise _mismatch(expr, t)


def _fill_struct(builder: Any, params: List[ast.TupleParam]) -> None:
    schema = builder._type.schema
    for param in params:
        if param.name is None:
            raise _error_at(param.value.span, "Missing field name.")
        info = schema.fields.get(param.name)
        if info is None:
            assert param.name_span is not None
            raise _error_at(param.name_span, f"Struct has no field named '{param.name}'.")
        value = param.value
        if info.slot_kind == "group":
            if not isinstance(value, ast.TupleExpr):
                raise _error_at(value.span, "Type mismatch; expected group.")
            _fill_struct(builder.init(info.name), value.params)
            continue
        t = info.type
        k = t.kind
        if k == "struct":
            if not isinstance(value, ast.TupleExpr):
                raise _mismatch(value, t) if not isinstance(value, ast.NameExpr) else _named(value, t)
            _fill_struct(builder.init(info.name), value.params)
        elif k == "list":
            if not isinstance(value, ast.ListExpr):
                raise _mismatch(value, t) if not isinstance(value, ast.NameExpr) else _named(value, t)
            _fill_list(builder.init(info.name, len(value.elements)), value.elements, t.element)
        elif k in ("anyPointer", "interface"):
            raise _named(value, t) if isinstance(value, ast.NameExpr) else _mismatch(value, t)
        else:
            builder._set(info.name, _value(value, t))


def _named(expr: ast.NameExpr, t: Any) -> TextParseError:
    """A bare name where a pointer value is expected: a literal of the wrong type, or an
    external constant."""
    if expr.name in ("void", "true", "false", "nan", "inf"):
        return _mismatch(expr, t)
    return _error_at(expr.span, "External constants not allowed.")


def _fill_list(lst: Any, elements: List[ast.Expr], element: Any) -> None:
    k = element.kind
    for i, expr in enumerate(elements):
        if k == "struct":
            if not isinstance(expr, ast.TupleExpr):
                raise _named(expr, element) if isinstance(expr, ast.NameExpr) else _mismatch(expr, element)
            _fill_struct(lst[i], expr.params)
        elif k == "list":
            if not isinstance(expr, ast.ListExpr):
                raise _named(expr, element) if isinstance(expr, ast.NameExpr) else _mismatch(expr, element)
            _fill_list(lst.init(i, len(expr.elements)), expr.elements, element.element)
        elif k in ("anyPointer", "interface"):
            raise _named(expr, element) if isinstance(expr, ast.NameExpr) else _mismatch(expr, element)
        else:
            v = _value(expr, element)
            if k != "void":
                lst[i] = v

