"""The JSON codec's ``compat/json.capnp`` annotations against the live capnp 0.9.2 tool.

The schema is ``tests/formats/data/annotations.capnp`` importing the installed
``/capnp/compat/json.capnp``; each message converts binary:json (pretty and ``--short``) and
json:binary exactly as ``capnp convert`` does.
"""

from __future__ import annotations

import io
import pathlib
from typing import Any, List

import pytest

import purecap
from conformance.peers import CapnpTool
from purecap.cli.convert import convert

DATA = pathlib.Path(__file__).parent.parent / "tests" / "formats" / "data"
SCHEMA = DATA / "annotations.capnp"

# Text messages of the root (each converts text:binary with the tool first).
TEXTS: List[str] = [
    (DATA / "input.ann.txt").read_text(),
    "()",
    '(aUnion = (foo = (fooMember = "f")), bUnion = (foo = "x"), unionWithVoid = (textValue = "t"))',
    '(externalUnion = (foo = 3), base64Union = (bar = "b"), testBase64 = "", testHex = "")',
    '(dependency = (cycle = (dependency = (foo = "deep"), enums = [qux])), oneEnum = qux)',
    "(innerJson = (string = \"s\\n\"), moreJson = [(array = []), (object = []), (boolean = false)])",
    '(testBase64 = "\\x00\\xff\\xfe", testHex = "\\x00\\xff", flatStruct = (value = ""))',
]


@pytest.fixture(scope="module")
def mod() -> Any:
    return purecap.load(str(SCHEMA))


def _ours(mod: Any, data: bytes, source: str, target: str, pretty: bool = True) -> bytes:
    out = io.BytesIO()
    convert(io.BytesIO(data), out, source, target, root_type=mod.Annotated, pretty=pretty)
    return out.getvalue()


def _theirs(tool: CapnpTool, data: bytes, source: str, target: str, pretty: bool = True) -> bytes:
    args = ["convert", f"{source}:{target}", str(SCHEMA), "Annotated"]
    return tool.run(args + ([] if pretty else ["--short"]), data)


@pytest.mark.parametrize("index", range(len(TEXTS)))
def test_annotated_json_like_capnp(capnp_tool: CapnpTool, mod: Any, index: int) -> None:
    binary = _theirs(capnp_tool, TEXTS[index].encode(), "text", "binary")
    for pretty in (True, False):
        json_text = _theirs(capnp_tool, binary, "binary", "json", pretty)
        assert _ours(mod, binary, "binary", "json", pretty) == json_text
        if b"(" not in json_text.replace(b'"(', b""):  # a Json.Value call: neither reads it
            assert _ours(mod, json_text, "json", "binary") == _theirs(
                capnp_tool, json_text, "json", "binary"
            )


def test_decoding_cases_like_capnp(capnp_tool: CapnpTool, mod: Any) -> None:
    data = (DATA / "ann_cases.json").read_bytes()
    assert _ours(mod, data, "json", "binary") == _theirs(capnp_tool, data, "json", "binary")
