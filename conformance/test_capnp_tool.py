"""purecap against the ``capnp`` tool of the C++ reference implementation.

* the field table of :mod:`conformance.wiretest` against ``capnp compile -ocapnp``;
* messages the tool encodes from text (``capnp encode``: plain, packed, flat; ``capnp convert``
  from there: flat-packed, canonical, and binary/packed with tiny fixed-size segments
  (``--segment-size``) so that far pointers appear) read by purecap, every field compared;
* messages purecap builds (plain, packed, flat, small first segments) decoded by the tool, the
  text compared with what the tool prints for its own encoding of the same value.
"""

from __future__ import annotations

import io
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

from conformance import corpus, wiretest
from conformance.layout_listing import parse_listing
from conformance.peers import CapnpTool
from purecap.wire.builder import MessageBuilder
from purecap.wire.errors import NestingLimitExceeded
from purecap.wire.message import (
    PackedMessageStream,
    read_flat_message,
    read_flat_packed_message,
    read_message,
    read_message_from_stream,
    read_messages,
    read_packed_message,
    write_flat_message,
    write_message,
    write_packed_message,
)
from purecap.wire.reader import MessageReader

_ENCODED: Dict[Tuple[str, str], bytes] = {}


def _encoded(tool: CapnpTool, name: str, how: str) -> bytes:
    """The corpus message ``name`` as the tool encodes it (cached: several tests use it)."""
    key = (name, how)
    if key not in _ENCODED:
        type_name, value = corpus.TEXT_CORPUS[name]
        text = wiretest.to_text(type_name, value)
        if how == "binary":
            data = tool.encode(type_name, text)
        elif how == "packed":
            data = tool.encode(type_name, text, packed=True)
        elif how == "flat":
            data = tool.encode(type_name, text, flat=True)
        elif how.startswith("binary-seg"):  # fixed-size segments: far pointers everywhere
            size = int(how[len("binary-seg"):])
            data = tool.convert(
                _encoded(tool, name, "binary"), "binary", "binary", segment_size=size
            )
        elif how.startswith("packed-seg"):
            size = int(how[len("packed-seg"):])
            data = tool.convert(
                _encoded(tool, name, "binary"), "binary", "packed", segment_size=size
            )
        else:  # flat-packed, canonical: through convert, from the plain encoding
            data = tool.convert(_encoded(tool, name, "binary"), "binary", how)
        _ENCODED[key] = data
    return _ENCODED[key]


def _assert_same(struct_name: str, got: Dict[str, Any], expected: Dict[str, Any]) -> None:
    """Field-by-field comparison, naming the first differing field."""
    g = wiretest.normalize(got)
    e = wiretest.normalize(expected)
    for key in e:
        assert g.get(key) == e[key], f"{struct_name}.{key} differs"
    assert g == e


# -- the layout table -----------------------------------------------------------------------------


def test_layout_table_matches_the_compiler(capnp_tool: CapnpTool) -> None:
    structs, enums = parse_listing(capnp_tool.listing())
    assert enums == wiretest.ENUMS
    assert list(structs) == list(wiretest.LAYOUTS)
    for name, layout in structs.items():
        table = wiretest.LAYOUTS[name]
        assert (layout.data_words, layout.pointers) == (table.data_words, table.pointers), name
        assert list(layout.fields.items()) == list(table.fields.items()), name


def test_every_listed_default_is_understood() -> None:
    """Each default the listing prints parses as a value of its field's type (they are what the
    readers and builders XOR with)."""
    defaults = wiretest.complete("Defaults", {})
    assert defaults["textField"] == "foo"
    assert defaults["dataField"] == b"bar"
    assert defaults["structField"]["tags"] == ["a", "b"]
    assert defaults["structList"][1]["color"] == "green"
    assert defaults["int32ListList"] == [[1], [], [2, 3]]
    assert wiretest.normalize(defaults["float64NegZero"]) == (-0.0).hex()


# -- capnp encodes, purecap reads -----------------------------------------------------------------

_Read = Callable[[bytes], MessageReader]

ENCODINGS: Dict[str, _Read] = {
    "binary": read_message,
    "packed": read_packed_message,
    "flat": read_flat_message,
    "flat-packed": read_flat_packed_message,
    "canonical": read_flat_message,
    "binary-seg1": read_message,
    "binary-seg2": read_message,
    "binary-seg5": read_message,
    "binary-seg64": read_message,
    "packed-seg1": read_packed_message,
    "packed-seg3": read_packed_message,
}


@pytest.mark.parametrize("how", list(ENCODINGS))
@pytest.mark.parametrize("name", list(corpus.TEXT_CORPUS))
def test_purecap_reads_what_capnp_encodes(capnp_tool: CapnpTool, name: str, how: str) -> None:
    type_name, value = corpus.TEXT_CORPUS[name]
    data = _encoded(capnp_tool, name, how)
    message = ENCODINGS[how](data)
    got = wiretest.read(type_name, message.get_root())
    _assert_same(type_name, got, wiretest.complete(type_name, value))
    if how in ("binary-seg1", "binary-seg2", "packed-seg1"):
        # The root struct alone is larger than a segment: far pointers were followed.
        assert len(message.segments) > 1
    if how == "canonical":
        assert message.is_canonical()


def test_streams_of_messages(capnp_tool: CapnpTool) -> None:
    """Several framed messages on one stream (buffer and file), read one after another."""
    names = ["all_types", "empty", "unions_2", "big", "unions_0"]
    values = [corpus.TEXT_CORPUS[n][1] for n in names]
    text = "\n".join(wiretest.to_text("AllTypes", v) for v in values)
    expected = [wiretest.normalize(wiretest.complete("AllTypes", v)) for v in values]

    def check(messages: List[MessageReader]) -> None:
        got = [wiretest.normalize(wiretest.read("AllTypes", m.get_root())) for m in messages]
        assert got == expected

    framed = capnp_tool.encode("AllTypes", text, segment_size=4)
    check(list(read_messages(framed)))
    stream = io.BytesIO(framed)
    from_stream: List[MessageReader] = []
    while True:
        m = read_message_from_stream(stream)
        if m is None:
            break
        from_stream.append(m)
    check(from_stream)


def test_stream_of_packed_messages(capnp_tool: CapnpTool) -> None:
    values = [corpus.TEXT_CORPUS[n][1] for n in ("all_types", "empty", "big", "unions_1")]
    text = "\n".join(wiretest.to_text("AllTypes", v) for v in values)
    expected = [wiretest.normalize(wiretest.complete("AllTypes", v)) for v in values]
    packed = capnp_tool.encode("AllTypes", text, packed=True, segment_size=3)
    got = [
        wiretest.normalize(wiretest.read("AllTypes", m.get_root()))
        for m in PackedMessageStream(io.BytesIO(packed))
    ]
    assert got == expected


def test_nesting_limit_on_a_deep_capnp_message(capnp_tool: CapnpTool) -> None:
    """A chain deeper than the default nesting limit (64): refused by default, like C++, and
    read in full when the limit is lifted (as the capnp tool itself does)."""
    value = corpus.deep_tree(100, with_children=False)
    data = capnp_tool.encode("Tree", wiretest.to_text("Tree", value))
    with pytest.raises(NestingLimitExceeded):
        wiretest.read("Tree", read_message(data).get_root())
    got = wiretest.read("Tree", read_message(data, nesting_limit=None).get_root())
    _assert_same("Tree", got, wiretest.complete("Tree", value))


# -- purecap builds, capnp decodes ----------------------------------------------------------------

# name -> (first segment words, fixed size, output)
BUILDS: Dict[str, Tuple[int, bool, str]] = {
    "default": (1024, False, "binary"),
    "seg1-fixed": (1, True, "binary"),
    "seg3-growing": (3, False, "packed"),
    "seg8-fixed-packed": (8, True, "packed"),
    "flat": (1 << 16, False, "flat"),
}


def build_message(
    type_name: str, value: Dict[str, Any], first_segment_words: int = 1024, fixed: bool = False
) -> MessageBuilder:
    layout = wiretest.LAYOUTS[type_name]
    builder = MessageBuilder(first_segment_words, fixed_size=fixed)
    wiretest.build(type_name, builder.init_root(layout.data_words, layout.pointers), value)
    return builder


def write_as(builder: MessageBuilder, output: str) -> bytes:
    if output == "binary":
        return write_message(builder)
    if output == "packed":
        return write_packed_message(builder)
    return write_flat_message(builder)


_DECODED: Dict[str, str] = {}


def _reference_text(tool: CapnpTool, name: str) -> Optional[str]:
    """What the tool prints for its own encoding of corpus message ``name`` (None when the text
    format cannot express the message)."""
    if name not in corpus.TEXT_CORPUS:
        return None
    if name not in _DECODED:
        type_name = corpus.TEXT_CORPUS[name][0]
        _DECODED[name] = tool.decode(type_name, _encoded(tool, name, "binary"))
    return _DECODED[name]


@pytest.mark.parametrize("build", list(BUILDS))
@pytest.mark.parametrize("name", list(corpus.BUILD_CORPUS))
def test_capnp_decodes_what_purecap_writes(capnp_tool: CapnpTool, name: str, build: str) -> None:
    type_name, value = corpus.BUILD_CORPUS[name]
    first, fixed, output = BUILDS[build]
    builder = build_message(type_name, value, first, fixed)
    if first < 8:
        assert len(builder.segments) > 1
    data = write_as(builder, output)
    text = capnp_tool.decode(
        type_name, data, packed=output == "packed", flat=output == "flat"
    )
    expected = wiretest.text_view(type_name, wiretest.complete(type_name, value))
    got = wiretest.from_text(type_name, text)
    _assert_same(type_name, got, expected)
    reference = _reference_text(capnp_tool, name)
    if reference is not None:
        assert text == reference
