"""Text parsing, the JSON codec, ``convert`` with a schema and ``eval``, against fixtures.

The files in ``data/`` were written by the reference tool (capnp 0.9.2) from ``data/input.txt``
(``capnp convert text:binary|text|json [--short] all.capnp All``, ``capnp eval``); the
conformance suite (``conformance/test_formats.py``) compares with the live tool.
"""

from __future__ import annotations

import io
import pathlib
from typing import Any, List

import pytest

import purecap
from purecap.cli import main
from purecap.cli.convert import convert
from purecap.formats.json import JsonError, from_json, parse_json, to_json
from purecap.formats.textparse import TextParseError, from_text, split_messages

DATA = pathlib.Path(__file__).parent / "data"
SCHEMA = DATA / "all.capnp"


@pytest.fixture(scope="module")
def mod() -> Any:
    return purecap.load(str(SCHEMA))


def _convert(mod: Any, data: bytes, source: str, target: str, pretty: bool = True) -> bytes:
    out = io.BytesIO()
    convert(io.BytesIO(data), out, source, target, root_type=mod.All, pretty=pretty)
    return out.getvalue()


def _read(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.mark.parametrize(
    "target,pretty,expected",
    [
        ("binary", True, "expected.bin"),
        ("text", True, "expected.txt"),
        ("text", False, "expected.short.txt"),
        ("json", True, "expected.json"),
        ("json", False, "expected.short.json"),
    ],
)
def test_text_input_converts_like_the_reference(
    mod: Any, target: str, pretty: bool, expected: str
) -> None:
    assert _convert(mod, _read("input.txt"), "text", target, pretty) == _read(expected)


@pytest.mark.parametrize("source", ["expected.json", "expected.short.json"])
def test_json_input_reads_back_to_the_same_messages(mod: Any, source: str) -> None:
    assert _convert(mod, _read(source), "json", "binary") == _read("expected.bin")


def test_binary_to_text_and_json(mod: Any) -> None:
    assert _convert(mod, _read("expected.bin"), "binary", "text") == _read("expected.txt")
    assert _convert(mod, _read("expected.bin"), "binary", "json", False) == _read(
        "expected.short.json"
    )


def test_split_messages_cuts_where_readOneText_does() -> None:
    data = b"(a = 1) # (not a message)\n(b = (c = 2))  junk (d = 3)"
    assert list(split_messages(data)) == [
        b"(a = 1) # (not a message)\n",
        b"(b = (c = 2))  junk ",
        b"(d = 3)",
    ]


def test_from_text_and_to_json_api(mod: Any) -> None:
    b = from_text(mod.All, '(i32 = -5, e = red, ls = [(x = 1)], grp = (a = 2), lf = [-inf])')
    assert b.i32 == -5 and b.e == "red" and b.ls[0].x == 1 and b.which == "grp"
    text = to_json(b, pretty=False)
    assert text.startswith('{"v":null,"b":false,"i8":0,')
    assert text.endswith('"lf":["-Infinity"],"g":{"p":"0","q":0,"u":{"m":null}},'
                         '"dflt":42,"bigneg":"-5","grp":{"a":2}}')
    again = from_json(mod.All, text)
    assert to_json(again, pretty=False) == text


@pytest.mark.parametrize(
    "text,message",
    [
        ("(nope = 1)", "Struct has no field named 'nope'."),
        ("(i8 = 128)", "Integer value out of range."),
        ("(u8 = -1)", "Integer value out of range."),
        ('(i32 = "x")', "Type mismatch; expected Int32."),
        ('(t = 0x"00")', "Type mismatch; expected Text."),
        ("(e = purple)", "External constants not allowed."),
        ("(inner = 5)", "Type mismatch; expected Inner."),
        ("(grp = 5)", "Type mismatch; expected group."),
        ("(1)", "Input does not contain a struct."),
        ("(i8 = 1) x", "Extra tokens in input."),
        ("(i8 = ", "Premature end of input."),
        ("", "Failed to read input."),
    ],
)
def test_text_errors(mod: Any, text: str, message: str) -> None:
    with pytest.raises(TextParseError, match=message.replace("(", r"\(").replace(")", r"\)")):
        from_text(mod.All, text)


def test_deep_nesting_is_our_error(mod: Any) -> None:
    with pytest.raises(TextParseError):
        from_text(mod.All, "(ll = " + "[" * 100000)
    with pytest.raises(JsonError):
        parse_json("[" * 100000)


@pytest.mark.parametrize(
    "text",
    ['{"i8": 300}', '{"i8": 1.5}', '{"b": 1}', '{"e": "purple"}', '{"d": [256]}', "[1]",
     '{"i8": 1} x', '{"t": "a', '{"i64": "1x"}', "{,}", '"\\q"'],
)  # fmt: skip
def test_json_errors(mod: Any, text: str) -> None:
    with pytest.raises(JsonError):
        from_json(mod.All, text)


def test_json_parser_keeps_the_reference_quirks() -> None:
    # 0.9.2 reads the hex digits a-f of \\u escapes as 0-5.
    assert parse_json('"\\u00e9"') == "I"
    assert parse_json('{"a": [1, 2.5e1, -0], "b": null}') == [("a", [1.0, 25.0, -0.0]), ("b", None)]


def _main(args: List[str], capsys: Any) -> str:
    assert main(args) == 0
    out: str = capsys.readouterr().out
    return out


def test_eval(capsys: Any) -> None:
    schema = str(SCHEMA)
    assert _main(["eval", schema, "c1"], capsys).encode() == _read("eval_c1.txt")
    assert _main(["eval", "--short", schema, "c1.ls"], capsys).encode() == _read(
        "eval_c1_ls.short.txt"
    )
    assert _main(["eval", schema, "c2"], capsys) == "1.5\n"
    assert _main(["eval", schema, "All.dflt"], capsys) == "42\n"
    assert _main(["eval", schema, "c1.ls[1].x"], capsys) == "2\n"
    assert main(["eval", schema, "c1.ls[5]"]) == 1
    assert "'ls[5]' is out-of-bounds." in capsys.readouterr().err


def test_eval_json(capfd: Any) -> None:
    assert main(["eval", "-o", "json", str(SCHEMA), "c1"]) == 0
    assert capfd.readouterr().out.encode() == _read("eval_c1.json")


def test_text_formats_need_a_schema() -> None:
    assert main(["convert", "text:binary", "--bogus"]) == 2
    assert main(["convert", "text:binary"]) == 2

