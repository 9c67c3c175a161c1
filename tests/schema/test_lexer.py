"""Tests of the .capnp tokeniser (purecap.schema.lexer).

Expected behaviour is that of capnp 0.9.2's lexer (compiler/lexer.c++, kj/parse/char.h); the
doc-comment cases were checked against the reference compiler's sourceInfo output.
"""

from __future__ import annotations

import math
import pickle
from typing import List, Tuple

import pytest

from purecap.errors import PurecapError
from purecap.schema.errors import SchemaError, SchemaErrors
from purecap.schema.lexer import LineMap, Token, TokenKind, lex, tokenize

K = TokenKind


def kinds_values(source: str) -> List[Tuple[TokenKind, object]]:
    return [(t.kind, t.value) for t in tokenize(source)[:-1]]


def values(source: str) -> List[object]:
    return [t.value for t in tokenize(source)[:-1]]


def errors_of(source: "str | bytes") -> List[str]:
    return [str(e) for e in lex(source, "f.capnp").errors]


# ---------------------------------------------------------------------------------------------
# Tokens


def test_identifiers_and_keywords_are_plain_identifiers() -> None:
    assert kinds_values("struct Foo_1 _x union") == [
        (K.IDENT, "struct"),
        (K.IDENT, "Foo_1"),
        (K.IDENT, "_x"),
        (K.IDENT, "union"),
    ]


def test_eof_token_is_last() -> None:
    toks = tokenize("a  ")
    assert toks[-1].kind is K.EOF
    assert toks[-1].start == toks[-1].end == 3


@pytest.mark.parametrize(
    "text, value",
    [
        ("0", 0),
        ("7", 7),
        ("1234567890", 1234567890),
        ("0x1f", 31),
        ("0xDEADbeef", 0xDEADBEEF),
        ("017", 15),
        ("00", 0),
        ("0xffffffffffffffff", (1 << 64) - 1),
        ("18446744073709551615", (1 << 64) - 1),
    ],
)
def test_integers(text: str, value: int) -> None:
    (tok,) = tokenize(text)[:-1]
    assert tok.kind is K.INT
    assert tok.value == value


@pytest.mark.parametrize(
    "text, value",
    [
        ("1.5", 1.5),
        ("1e10", 1e10),
        ("1E-3", 1e-3),
        ("2e+2", 200.0),
        ("1.", 1.0),
        ("1.e5", 1e5),
        ("00.5", 0.5),  # octal-looking digits before '.' make a float, as in the reference
        ("0e5", 0.0),
        ("1e999", math.inf),
    ],
)
def test_floats(text: str, value: float) -> None:
    (tok,) = tokenize(text)[:-1]
    assert tok.kind is K.FLOAT
    assert tok.value == value


@pytest.mark.parametrize(
    "text",
    [
        "1e",  # the reference's strtod check throws on an empty exponent
        "1e+",
        "1.2.3",
        "123abc",
        "12_3",
        "0X1F",  # only a lower-case x makes hex
        "0x",
        "0xg",
        "08",  # the reference reads 0 then 8: never valid
        "019",
        "09.5",
        "18446744073709551616",  # > 64 bits (the reference wraps silently)
    ],
)
def test_invalid_numbers(text: str) -> None:
    result = lex(text, "f.capnp")
    assert len(result.errors) == 1
    assert result.tokens[0].kind is K.ERROR
    assert result.errors[0].line == 1 and result.errors[0].col == 1


def test_sign_is_an_operator_not_part_of_a_number() -> None:
    assert kinds_values("-5 - 1.5 5-3") == [
        (K.OP, "-"),
        (K.INT, 5),
        (K.OP, "-"),
        (K.FLOAT, 1.5),
        (K.INT, 5),
        (K.OP, "-"),
        (K.INT, 3),
    ]


def test_float_cannot_start_with_dot() -> None:
    assert kinds_values(".5") == [(K.OP, "."), (K.INT, 5)]


@pytest.mark.parametrize(
    "literal, value",
    [
        (r'"plain"', "plain"),
        (r'""', ""),
        (r'"a\x41\101\n"', "aAA\n"),
        (r'"\a\b\f\n\r\t\v"', "\a\b\f\n\r\t\v"),
        (r'"\'\"\\\?"', "'\"\\?"),
        (r'"\0"', "\0"),
        (r'"\1234"', "S4"),  # at most three octal digits
        (r'"\x4A\x4a"', "JJ"),
        ('"é"', "é"),
        ('"tab\there"', "tab\there"),  # raw control characters other than newline are allowed
    ],
)
def test_string_literals(literal: str, value: str) -> None:
    (tok,) = tokenize(literal)[:-1]
    assert tok.kind is K.STRING
    assert tok.value == value


def test_octal_escape_wraps_to_a_byte_like_the_reference() -> None:
    (tok,) = tokenize(r'"\777"')[:-1]
    assert str(tok.value).encode("utf-8", "surrogateescape") == b"\xff"


def test_string_bytes_that_are_not_utf8_round_trip() -> None:
    (tok,) = tokenize(b'"\\xff\\xc3\\xa9\xfe"')[:-1]
    assert str(tok.value).encode("utf-8", "surrogateescape") == b"\xff\xc3\xa9\xfe"


@pytest.mark.parametrize("literal, col", [(r'"\q"', 2), (r'"ab\x4"', 4), (r'"\8"', 2)])
def test_invalid_escapes(literal: str, col: int) -> None:
    result = lex(literal, "f.capnp")
    assert [(e.line, e.col) for e in result.errors] == [(1, col)]
    assert "escape" in result.errors[0].message
    assert result.tokens[0].kind is K.ERROR


def test_unterminated_string_stops_at_end_of_line() -> None:
    result = lex('x "abc\ny', "f.capnp")
    assert [str(e) for e in result.errors] == [
        "f.capnp:1:3: error: String literal is not terminated before the end of the line."
    ]
    assert [t.kind for t in result.tokens] == [K.IDENT, K.ERROR, K.IDENT, K.EOF]


@pytest.mark.parametrize(
    "literal, value",
    [
        ('0x"00 ff"', b"\x00\xff"),
        ('0x"deadbeef"', b"\xde\xad\xbe\xef"),
        ('0x" 0a\n\t1B "', b"\x0a\x1b"),
    ],
)
def test_binary_literals(literal: str, value: bytes) -> None:
    (tok,) = tokenize(literal)[:-1]
    assert tok.kind is K.BINARY
    assert tok.value == value


@pytest.mark.parametrize("literal", ['0x""', '0x"0"', '0x"0 0"', '0x"zz"', '0x"abc"'])
def test_invalid_binary_literals(literal: str) -> None:
    result = lex(literal, "f.capnp")
    assert len(result.errors) == 1
    assert result.tokens[0].kind is K.ERROR


def test_operators_are_maximal_runs() -> None:
    # As in the reference: `=-1` is the operator `=-`, `:.Foo` starts with `:.`.
    assert values("@0x10 $a :Text -> =-1 :.Foo !:") == [
        "@",
        0x10,
        "$",
        "a",
        ":",
        "Text",
        "->",
        "=-",
        1,
        ":.",
        "Foo",
        "!:",
    ]


def test_punctuation() -> None:
    assert [t.kind for t in tokenize("()[]{},;")[:-1]] == [
        K.LPAREN,
        K.RPAREN,
        K.LBRACKET,
        K.RBRACKET,
        K.LBRACE,
        K.RBRACE,
        K.COMMA,
        K.SEMI,
    ]


def test_comments_and_bom_are_whitespace() -> None:
    assert values("\ufeffa # comment ; {\nb\ufeff# c\n\ufeffc") == ["a", "b", "c"]


@pytest.mark.parametrize("char", ["'", "\\", "`", "\x01", "é", "€"])
def test_unexpected_characters(char: str) -> None:
    result = lex(f"a {char} b", "f.capnp")
    assert len(result.errors) == 1
    assert result.errors[0].col == 3
    assert "unexpected character" in result.errors[0].message
    assert [t.kind for t in result.tokens] == [K.IDENT, K.ERROR, K.IDENT, K.EOF]


@pytest.mark.parametrize("data", [b"\xff\xfe@\x00", b"\xfe\xff\x00@", b"a\x00b"])
def test_non_utf8_input_is_fatal(data: bytes) -> None:
    result = lex(data, "f.capnp")
    assert result.fatal
    assert [e.message for e in result.errors] == [
        "Non-UTF-8 input detected. Cap'n Proto schema files must be UTF-8 text."
    ]


def test_lone_surrogates_in_str_input_do_not_crash() -> None:
    result = lex('a "\ud800" \udcff', "f.capnp")
    assert result.tokens[0].value == "a"
    assert result.tokens[1].kind is K.STRING


# ---------------------------------------------------------------------------------------------
# Positions


def test_positions_are_byte_offsets_and_byte_columns() -> None:
    source = 'x\n  "é" yy\n'
    toks = tokenize(source)
    s, y = toks[1], toks[2]
    assert (s.start, s.end) == (4, 8)  # é is two bytes
    assert (y.start, y.end) == (9, 11)
    lines = LineMap(source.encode())
    assert lines.position(y.start) == (2, 8)  # column counts bytes, like the reference
    span = lines.span(y.start, y.end)
    assert (span.line, span.col, span.end_line, span.end_col) == (2, 8, 2, 10)


def test_line_map_edges() -> None:
    lines = LineMap(b"ab\n\ncd")
    assert lines.position(0) == (1, 1)
    assert lines.position(2) == (1, 3)  # the newline itself
    assert lines.position(3) == (2, 1)
    assert lines.position(4) == (3, 1)
    assert lines.position(6) == (3, 3)  # end of input


def test_error_positions() -> None:
    assert errors_of("ab\n  cd '") == ["f.capnp:2:6: error: Parse error: unexpected character \"'\"."]


# ---------------------------------------------------------------------------------------------
# Doc comments


def doc_after(source: str, kind: TokenKind = K.SEMI, index: int = 0) -> "str | None":
    toks = [t for t in tokenize(source) if t.kind is kind]
    return toks[index].doc


def test_doc_comment_on_same_line() -> None:
    assert doc_after("a;  # doc\nb;") == "doc\n"


def test_doc_comment_on_following_lines() -> None:
    assert doc_after("a;\n  # one\n  # two\nb;") == "one\ntwo\n"


def test_doc_comment_same_line_continued() -> None:
    assert doc_after("a; # one\n   # two\n# three\nb;") == "one\ntwo\nthree\n"


def test_blank_line_ends_doc_comment() -> None:
    assert doc_after("a; # one\n\n# not doc\nb;") == "one\n"


def test_comment_after_blank_line_is_not_doc() -> None:
    assert doc_after("a;\n\n# not doc\nb;") is None


def test_only_one_space_is_stripped() -> None:
    assert doc_after("a; #  two\n#none\n#\n#\tx\nb;") == " two\nnone\n\n\tx\n"


def test_doc_comment_at_end_of_file_without_newline() -> None:
    assert doc_after("a; # end") == "end\n"


def test_crlf_keeps_carriage_returns_like_the_reference() -> None:
    assert doc_after("a; # one\r\n# two\r\nb;") == "one\r\ntwo\r\n"
    assert doc_after("a;\r\n# next line\r\nb;") == "next line\r\n"


def test_doc_comment_after_braces() -> None:
    source = "s {  # early\n  # more\n  a;\n} # late\nt;"
    assert doc_after(source, K.LBRACE) == "early\nmore\n"
    assert doc_after(source, K.RBRACE) == "late\n"
    assert doc_after(source, K.SEMI, 0) is None


def test_comment_before_a_statement_is_not_kept() -> None:
    assert doc_after("# leading\na;") is None


def test_doc_end_covers_the_comment() -> None:
    source = "a; # doc\nb;"
    semi = tokenize(source)[1]
    assert semi.doc_end == len("a; # doc\n")
    plain = tokenize("a;b;")[1]
    assert plain.doc_end == plain.end == 2


# ---------------------------------------------------------------------------------------------
# Errors


def test_tokenize_raises_all_errors() -> None:
    with pytest.raises(SchemaErrors) as info:
        tokenize("a ' b\n08", "bad.capnp")
    err = info.value
    assert isinstance(err, SchemaError) and isinstance(err, PurecapError)
    assert [(e.line, e.col) for e in err.errors] == [(1, 3), (2, 1)]
    assert str(err).splitlines()[0].startswith("bad.capnp:1:3: error: ")
    assert (err.file, err.line, err.col) == ("bad.capnp", 1, 3)


def test_schema_error_format_and_pickling() -> None:
    e = SchemaError("x.capnp", 3, 7, "Parse error.", 3, 9)
    assert str(e) == "x.capnp:3:7: error: Parse error."
    copy = pickle.loads(pickle.dumps(e))
    assert (copy.file, copy.line, copy.col, copy.message, copy.end_col) == (
        "x.capnp",
        3,
        7,
        "Parse error.",
        9,
    )
    many = SchemaErrors([e, SchemaError("x.capnp", 4, 1, "Other.")])
    assert str(many) == "x.capnp:3:7: error: Parse error.\nx.capnp:4:1: error: Other."
    many_copy = pickle.loads(pickle.dumps(many))
    assert str(many_copy) == str(many)


def test_token_is_a_named_tuple() -> None:
    tok = Token(K.IDENT, "a", 0, 1)
    assert tok.doc is None
