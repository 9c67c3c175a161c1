"""The ``compat/json.capnp`` annotations in the JSON codec, against fixtures.

``data/annotations.capnp`` uses every annotation (the cases of the reference's json-test.capnp
and more); it imports ``data/include/capnp/compat/json.capnp``, a declarations-only stand-in
with the reference's ids, so no installed capnp is needed. The expected files were written by
capnp 0.9.2: ``ann.bin`` from ``input.ann.txt`` (``convert text:binary``), ``ann.json`` and
``ann.short.json`` from it (``binary:json [--short]``), ``ann_read.json`` the same without a
``Json.Value.call`` (which the reader refuses), ``ann_cases.bin`` from ``ann_cases.json``
(``json:binary``: discriminators after the members they select, lenient base64 and hex, enums
by number, unknown names and tags). ``conformance/test_json_annotations.py`` runs the live tool.
"""

from __future__ import annotations

import io
import pathlib
from typing import Any

import pytest

import purecap
from purecap.cli.convert import convert
from purecap.formats.json import JsonError, from_json, to_json

DATA = pathlib.Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def mod() -> Any:
    return purecap.load(
        str(DATA / "annotations.capnp"), imports=[str(DATA / "include")], standard_import=False
    )


def _convert(mod: Any, data: bytes, source: str, target: str, pretty: bool = True) -> bytes:
    out = io.BytesIO()
    convert(io.BytesIO(data), out, source, target, root_type=mod.Annotated, pretty=pretty)
    return out.getvalue()


@pytest.mark.parametrize("pretty,expected", [(True, "ann.json"), (False, "ann.short.json")])
def test_annotated_binary_writes_json_like_capnp(mod: Any, pretty: bool, expected: str) -> None:
    data = (DATA / "ann.bin").read_bytes()
    assert _convert(mod, data, "binary", "json", pretty) == (DATA / expected).read_bytes()


def test_annotated_json_reads_back(mod: Any) -> None:
    text = (DATA / "ann_read.json").read_bytes()
    again = _convert(mod, _convert(mod, text, "json", "binary"), "binary", "json")
    assert again == text


def test_decoding_cases_give_capnps_messages(mod: Any) -> None:
    data = (DATA / "ann_cases.json").read_bytes()
    assert _convert(mod, data, "json", "binary") == (DATA / "ann_cases.bin").read_bytes()


def test_names_flatten_and_discriminators(mod: Any) -> None:
    m = mod.Annotated.new_message()
    m.someField = "x"
    m.prefixedGroup.morePrefix.qux = "q"
    m.aUnion.init("bar").barMember = 3
    m.bUnion.bar = 4
    m.unionWithVoid.voidValue = None
    m.testHex = b"\x01\xab"
    m.testBase64 = b"hi"
    m.oneEnum = "bar"
    text = to_json(m, pretty=False)
    assert text.startswith('{"names-can_contain!anything Really":"x",')
    assert '"pfx.xfp.qux":"q"' in text
    assert '"union-type":"renamed-bar","barMember":3,"simpleGroup"' in text  # null: skipped
    assert '"bUnion":"renamed-bar","bValue":4' in text
    assert '"unionWithVoid":{"type":"voidValue"}' in text
    assert '"testBase64":"aGk=","testHex":"01ab"' in text
    assert '"one-enum":"renamed-bar"' in text
    back = from_json(mod.Annotated, text)
    assert to_json(back, pretty=False) == text


def test_member_values_wait_for_their_discriminator(mod: Any) -> None:
    m = from_json(mod.Annotated, '{"bValue": 9, "multiMember": "m", "union-type": "renamed-bar"'
                  ', "bUnion": "renamed-bar"}')
    assert m.aUnion.which() == "bar" and m.aUnion.bar.multiMember == "m"
    assert m.bUnion.which() == "bar" and m.bUnion.bar == 9


def test_bad_values_are_json_errors(mod: Any) -> None:
    for text in ('{"union-type": 1}', '{"one-enum": "nope"}', '{"one-enum": true}',
                 '{"testHex": 12}', '{"dependency": null}', '{"enums": ["x"]}'):
        with pytest.raises(JsonError):
            from_json(mod.Annotated, text)


def test_call_is_written_but_not_read(mod: Any) -> None:
    text = (DATA / "ann.short.json").read_text()
    assert 'f(1,"two")' in text
    with pytest.raises(JsonError):
        from_json(mod.Annotated, text)


def test_misplaced_annotations_are_refused(tmp_path: pathlib.Path) -> None:
    schema = tmp_path / "bad.capnp"
    schema.write_text(
        '@0xb1a1c2b4e5f60718;\nusing Json = import "/capnp/compat/json.capnp";\n'
        'struct A { t @0 :Text $Json.hex; }\n'
        'struct B { x @0 :C $Json.flatten(); }\nstruct C { y @0 :B $Json.flatten(); }\n'
        'struct D { a @0 :Text $Json.name("n"); b @1 :Text $Json.name("n"); }\n'
    )
    bad = purecap.load(str(schema), imports=[str(DATA / "include")], standard_import=False)
    for struct_type, message in ((bad.A, "only Data"), (bad.B, "cyclic"), (bad.D, "two JSON")):
        with pytest.raises(JsonError, match=message):
            to_json(struct_type.new_message())


# -- the handlers are made once per struct type --------------------------------------------------


def test_handlers_are_made_once_per_type_and_brand(mod: Any) -> None:
    from tests.dynamic.helpers import SCHEMAS

    m = mod.Annotated.new_message(someField="x", plainText="p")
    first = to_json(m)
    codec = mod.Annotated.caches["json"]
    assert to_json(m.as_reader()) == first and mod.Annotated.caches["json"] is codec
    assert to_json(from_json(mod.Annotated, first)) == first  # reading uses the same handlers
    assert mod.Annotated.caches["json"] is codec
    t = purecap.load(SCHEMAS / "dyntest.capnp", imports=[SCHEMAS])
    g = t.Generics.new_message()
    g.textBox.value = "v"
    g.pointBox.value.x = 1
    assert (to_json(g.textBox, False), to_json(g.pointBox, False)) == (
        '{"value":"v","count":0}', '{"value":{"x":1,"y":0},"count":0}'
    )  # fmt: skip
    assert g.textBox._type.caches["json"] is not g.pointBox._type.caches["json"]


def test_a_group_as_the_root_keeps_its_own_handlers(mod: Any) -> None:
    """A named union's discriminator is its parent field's annotation: written as the root, the
    group has none. Which is written first must not matter."""
    fresh = purecap.load(
        str(DATA / "annotations.capnp"), imports=[str(DATA / "include")], standard_import=False
    )
    m = fresh.Annotated.new_message()
    m.unionWithVoid.textValue = "t"
    group_alone = to_json(m.unionWithVoid, False)
    whole = to_json(m, False)
    assert '"type":"textValue"' in whole and group_alone == '{"textValue":"t"}'
    assert (to_json(m.unionWithVoid, False), to_json(m, False)) == (group_alone, whole)


def test_a_codec_that_failed_is_not_kept(tmp_path: pathlib.Path) -> None:
    schema = tmp_path / "bad.capnp"
    schema.write_text(
        '@0xb1a1c2b4e5f60719;\nusing Json = import "/capnp/compat/json.capnp";\n'
        'struct D { a @0 :Text $Json.name("n"); b @1 :Text $Json.name("n"); }\n'
    )
    bad = purecap.load(str(schema), imports=[str(DATA / "include")], standard_import=False)
    for _ in range(2):  # the same error each time (a half-made codec would say "cyclic")
        with pytest.raises(JsonError, match="two JSON fields are named 'n'"):
            to_json(bad.D.new_message())
    assert "json" not in bad.D.caches


def test_the_handlers_live_as_long_as_the_schema() -> None:
    import gc
    import weakref

    module = purecap.load(
        str(DATA / "annotations.capnp"), imports=[str(DATA / "include")], standard_import=False
    )
    to_json(module.Annotated.new_message())
    gone = weakref.ref(module.Annotated)
    del module
    gc.collect()
    assert gone() is None
