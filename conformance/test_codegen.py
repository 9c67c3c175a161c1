"""Generated code (purecap.codegen) against the ``capnp`` tool of the C++ reference.

* ``capnp compile -o-`` requests generate exactly the checked-in modules of tests/codegen/generated
  (which purecap's own compiler made), and ``capnp compile -o<plugin>`` runs our plugin;
* messages the tool encodes (``capnp encode``) read through generated readers give what the tool
  decodes (``capnp decode``) from them, field for field;
* seeded random messages built through generated builders decode (``capnp decode``) to the
  values generated readers read back from them; re-encoded by the tool from that text, in the
  text's field order, they are the very same bytes.

The values are compared through tests/codegen/walk.py, which walks generated readers by the
schema; floats by their bits at the field's width.
"""

from __future__ import annotations

import io
import os
import random
import re
import stat
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest

from conformance.peers import CapnpTool
from conformance.textformat import parse_many
from purecap.codegen import generate_from_bytes
from purecap.codegen.emitter import type_path
from purecap.schema import model
from purecap.schema.nodes import request_from_bytes
from purecap.wire.message import PackedMessageStream, read_messages
from purecap.wire.reader import MessageReader
from tests.codegen.generated import features_capnp as f
from tests.codegen.generated import test_capnp
from tests.codegen.regenerate import GENERATED, GROUPS, ROOT
from tests.codegen.walk import (
    fill_struct,
    normalize_struct,
    random_struct,
    struct_value,
)

SCHEMAS = Path(ROOT) / "tests" / "codegen" / "schemas"
_NEGATIVE_ZERO = re.compile(r"[=\[,]\s*-0\s*[,)\]]")
FEATURES = SCHEMAS / "features.capnp"

Nodes = Dict[int, model.Node]


def _compile(tool: CapnpTool, group_index: int, output: str) -> bytes:
    group = GROUPS[group_index]
    args = ["compile", "--no-standard-import", f"--src-prefix={ROOT}/{group.src_prefix}"]
    args += [f"-I{ROOT}/{p}" for p in group.import_paths]
    args += [f"-o{output}"] + [f"{ROOT}/{group.src_prefix}/{name}" for name in group.files]
    return tool.run(args, b"")


@pytest.fixture(scope="module")
def features_tool(capnp_tool: CapnpTool) -> CapnpTool:
    return CapnpTool(capnp_tool.exe, FEATURES)


@pytest.fixture(scope="module")
def nodes(capnp_tool: CapnpTool) -> Nodes:
    return request_from_bytes(_compile(capnp_tool, 0, "-")).node_map()


# -- generating from the reference's requests -------------------------------------------------


@pytest.mark.parametrize("group_index", range(len(GROUPS)))
def test_capnp_requests_generate_the_checked_in_modules(
    capnp_tool: CapnpTool, group_index: int
) -> None:
    modules = generate_from_bytes(_compile(capnp_tool, group_index, "-"))
    assert len(modules) == len(GROUPS[group_index].files)
    for name, source in modules.items():
        assert source == (Path(GENERATED) / name).read_text(encoding="utf-8"), name


def test_capnp_runs_our_plugin(capnp_tool: CapnpTool, tmp_path: Path) -> None:
    plugin = tmp_path / "capnpc-purecap"
    plugin.write_text(
        # What the console script capnpc-purecap = purecap.codegen.plugin:main runs.
        f"#!/bin/sh\nPYTHONPATH={ROOT} exec {sys.executable} -c "
        "'import sys; from purecap.codegen.plugin import main; sys.exit(main())'\n"
    )
    plugin.chmod(plugin.stat().st_mode | stat.S_IEXEC)
    out = tmp_path / "out"
    out.mkdir()
    _compile(capnp_tool, 0, f"{plugin}:{out}")
    written = sorted(os.listdir(out))
    assert written == [
        "addressbook_capnp.py", "annotated_capnp.py", "features_capnp.py", "shapes_capnp.py"
    ]
    for name in written:
        assert (out / name).read_text("utf-8") == (Path(GENERATED) / name).read_text("utf-8")


# -- reading what the tool encodes ------------------------------------------------------------

_TEXTS: Dict[str, List[str]] = {
    "Scalars": [
        "(b = true, i8 = -128, i16 = 32767, i32 = -2147483648, i64 = 9223372036854775807,"
        " u8 = 255, u16 = 65535, u32 = 4294967295, u64 = 18446744073709551615, f32 = 1.5,"
        " f64 = -2.5e300, color = darkGoldenRod)",
        "()",
        "(f32 = inf, f64 = nan, color = blue)",
    ],
    "Defaults": [
        "()",
        "(b = false, i8 = 0, u64 = 0, f64 = 0, color = red, negZero = 0, text = \"\","
        " data = \"\", ints = [], scalars = ())",
        "(i32 = 7, inf = -inf, texts = [\"x\"], structs = [(u8 = 9)], bools = [false])",
    ],
    "Lists": [
        "(voids = [void, void], bools = [true, false, true], i8s = [-1, 1], u16s = [65535],"
        " i32s = [1, 2, 3], u64s = [0, 18446744073709551615], f32s = [0.5, -0.25],"
        " f64s = [1e100], texts = [\"a\", \"\\xc3\\xa9\"], datas = [\"\\x00\\xff\"],"
        " structs = [(u8 = 1), (color = green)], colors = [blue, red],"
        " nested = [[1], [], [2, 3]], deep = [[[\"a\"]], []],"
        " structLists = [[(i16 = -1)], []])",
    ],
    "Shape": [
        "(name = \"c\", circle = 2.5, origin = (x = 1, y = 2))",
        "(rectangle = (width = 3, height = 4), style = (filled = blue))",
        "(polygon = [(x = 1), (y = -1)], style = (outlined = (thickness = 9,"
        " dash = (on = 1, off = 2))))",
        "(nothing = void, style = (plain = void))",
    ],
    "Pythonic": [
        "(return = 1, class = \"c\", bool = true, int = -5, which = 3, toBytes = 4,"
        " foo = \"f\", hasFoo = true, type = 9, property = 0.5, from = [1, -1],"
        " reader = (lambda = 7), kind = import)",
    ],
    "Evolved": ["(i32 = 5, extra = 9, extraText = \"x\", extraColor = red)", "()"],
}


def _decoded(tool: CapnpTool, type_name: str, data: bytes, packed: bool = False) -> List[Any]:
    return parse_many(tool.decode(type_name, data, packed=packed))


def _messages(data: bytes, packed: bool) -> List[MessageReader]:
    if packed:
        return list(PackedMessageStream(io.BytesIO(data)))
    return list(read_messages(data))


@pytest.mark.parametrize("type_name", sorted(_TEXTS))
@pytest.mark.parametrize("packed", [False, True])
def test_encoded_messages_read_through_generated_code(
    features_tool: CapnpTool, nodes: Nodes, type_name: str, packed: bool
) -> None:
    struct_type = getattr(f, type_name)
    node = nodes[struct_type.type_id]
    data = features_tool.encode(type_name, "\n".join(_TEXTS[type_name]), packed=packed)
    expected = _decoded(features_tool, type_name, data, packed)
    messages = _messages(data, packed)
    assert len(messages) == len(expected) == len(_TEXTS[type_name])
    for message, value in zip(messages, expected):
        got = struct_value(struct_type.read(message), node, nodes)
        assert normalize_struct(got, node, nodes) == normalize_struct(value, node, nodes)


def test_generics_and_imports_read_through_generated_code(features_tool: CapnpTool) -> None:
    text = (
        "(textBox = (value = \"v\", label = \"l\", pair = (first = \"p\", count = 3)),"
        " scalarBox = (value = (i32 = -9)), listBox = (value = [1, 2]),"
        " boxBox = (value = (value = \"dd\")),"
        " pair = (left = \"L\", right = (u8 = 200), inner = (value = (f64 = 0.25))),"
        " boxes = [(value = \"b0\"), (label = \"b1\")])"
    )
    r = f.Generics.from_bytes(features_tool.encode("Generics", text))
    assert (r.text_box.value, r.text_box.label) == ("v", "l")
    assert (r.text_box.pair.first, r.text_box.pair.count) == ("p", 3)
    assert r.scalar_box.value.i32 == -9
    assert list(r.list_box.value) == [1, 2]
    assert r.box_box.value.value == b"dd"
    assert (r.pair.left, r.pair.right.u8, r.pair.inner.value.f64) == ("L", 200, 0.25)
    assert [(b.value, b.label) for b in r.boxes] == [("b0", ""), ("", "b1")]
    a = f.Anys.from_bytes(features_tool.encode("Anys", "(shape = (corners = 6, name = \"hex\"))"))
    assert (a.shape.corners, a.shape.name) == (6, "hex")


def test_generated_generics_decode(features_tool: CapnpTool) -> None:
    b = f.Generics.new_message()
    b.init_text_box().set_value("v")
    b.init_scalar_box().init_value().u16 = 7
    b.init_list_box().init_value(2)[1] = 5
    b.init_pair().init_inner().init_value().b = True
    (value,) = _decoded(features_tool, "Generics", b.to_bytes())
    assert value == {
        "textBox": {"value": b"v", "pair": {"count": 0}},
        "scalarBox": {"value": _scalars(u16=7), "pair": {"count": 0}},
        "listBox": {"value": [0, 5], "pair": {"count": 0}},
        "pair": {"inner": {"value": _scalars(b=True), "pair": {"count": 0}}},
    }


def _scalars(**fields: Any) -> Dict[str, Any]:
    value: Dict[str, Any] = {"v": None, "b": False}
    for name in ("i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64"):
        value[name] = 0
    value["color"] = "red"
    value.update(fields)
    return value


# -- building what the tool decodes -------------------------------------------------------------


@pytest.mark.parametrize("type_name", ["Scalars", "Defaults", "Lists", "Shape", "Pythonic"])
def test_random_built_messages_decode_and_reencode_identically(
    features_tool: CapnpTool, nodes: Nodes, type_name: str
) -> None:
    struct_type = getattr(f, type_name)
    node = nodes[struct_type.type_id]
    rng = random.Random(f"codegen-{type_name}")
    ours: List[bytes] = []
    read_back: List[Dict[str, Any]] = []
    for _ in range(12):
        builder = struct_type.new_message()
        fill_struct(builder, node, random_struct(node, nodes, rng), nodes)
        data = builder.to_bytes()
        ours.append(data)
        read_back.append(struct_value(struct_type.from_bytes(data), node, nodes))
    decoded = _decoded(features_tool, type_name, b"".join(ours))
    assert len(decoded) == len(ours)
    for got, text_value in zip(read_back, decoded):
        assert normalize_struct(got, node, nodes) == normalize_struct(text_value, node, nodes)
    # The tool's text, built by us in its field order, is the tool's own encoding of it. (Not
    # for values with a negative zero: capnp prints -0.0 as "-0" but reads "-0" back as 0.)
    lines = features_tool.decode(type_name, b"".join(ours)).splitlines()
    text = "\n".join(line for line in lines if not _NEGATIVE_ZERO.search(line))
    assert text
    theirs = features_tool.encode(type_name, text)
    rebuilt = []
    for value in parse_many(text):
        builder = struct_type.new_message()
        fill_struct(builder, node, value, nodes)
        rebuilt.append(builder.to_bytes())
    assert b"".join(rebuilt) == theirs


def test_all_types_copied_by_generated_code_decode_as_the_reference(capnp_tool: CapnpTool) -> None:
    # test.capnp's TestAllTypes: the reference's testdata copied through generated code.
    tool = CapnpTool(capnp_tool.exe, Path(ROOT) / "tests/schema/data/capnp/test.capnp")
    testdata = Path(ROOT) / "tests/schema/data/capnp/testdata"
    reader = test_capnp.TestAllTypes.from_bytes((testdata / "binary").read_bytes())
    ours = tool.decode("TestAllTypes", reader.as_builder().to_bytes())
    expected = (testdata / "short.txt").read_text("utf-8")
    assert ours.strip() == expected.strip()


def test_random_messages_of_every_test_capnp_struct(capnp_tool: CapnpTool) -> None:
    # Every (non-generic) struct of the reference's test.capnp: unions, groups, interleaved
    # groups, lists of lists, defaults... built at random through generated builders, decoded
    # by the tool as generated readers read them.
    data_dir = Path(ROOT) / "tests/schema/data"
    tool = CapnpTool(capnp_tool.exe, data_dir / "capnp/test.capnp")
    request = request_from_bytes(
        tool.run(
            ["compile", "--no-standard-import", f"-I{data_dir}", f"--src-prefix={data_dir}",
             "-o-", str(data_dir / "capnp/test.capnp")],
            b"",
        )
    )  # fmt: skip
    nodes = request.node_map()
    (requested,) = request.requested_files or []
    checked = 0
    for node in request.nodes or ():
        if (
            not isinstance(node.body, model.StructBody)
            or node.body.is_group
            or node.is_generic
            or "$" in node.display_name  # method parameters
            or not node.display_name.startswith(requested.filename + ":")
        ):
            continue
        struct_type: Any = test_capnp
        for name in type_path(request, node.id):
            struct_type = getattr(struct_type, name)
        rng = random.Random(node.display_name)
        ours: List[bytes] = []
        read_back: List[Dict[str, Any]] = []
        for _ in range(4):
            builder = struct_type.new_message()
            fill_struct(builder, node, random_struct(node, nodes, rng), nodes)
            ours.append(builder.to_bytes())
            read_back.append(struct_value(struct_type.from_bytes(ours[-1]), node, nodes))
        schema_name = node.display_name.split(":", 1)[1]
        decoded = _decoded(tool, schema_name, b"".join(ours))
        for got, text_value in zip(read_back, decoded):
            assert normalize_struct(got, node, nodes) == normalize_struct(text_value, node, nodes)
        checked += 1
    assert checked >= 60
