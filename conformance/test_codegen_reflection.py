"""What generated readers and builders print, against the ``capnp`` tool of the C++ reference.

``str(reader)`` is the text ``capnp decode`` prints (its pretty form), and ``reader.to_json()``
what ``capnp convert binary:json`` writes, for seeded random messages built through generated
builders: of features.capnp's structs (generics bound through brands, a struct of an imported
file) and of every non-generic struct of the reference's test.capnp. Each generated module reads
its own embedded schema nodes to do so (tests/codegen/test_reflection.py checks the API).

The other way, ``Person.from_json(text)`` reads what ``capnp convert binary:json`` wrote into the
message ``capnp convert json:binary`` makes of it, byte for byte once copied out as the tool
copies it (tests/codegen/test_from_dict.py checks the API).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, Iterator, List, Tuple

import pytest

from conformance.peers import CapnpTool
from purecap.codegen.emitter import type_path
from purecap.codegen.reflection import dynamic_view
from purecap.formats.json import split_json_messages
from purecap.schema import model
from purecap.schema.nodes import request_from_bytes
from tests.codegen.generated import features_capnp, test_capnp
from tests.codegen.regenerate import ROOT
from tests.codegen.walk import fill_struct, random_struct

FEATURES = Path(ROOT) / "tests" / "codegen" / "schemas" / "features.capnp"
DATA = Path(ROOT) / "tests" / "schema" / "data"
TEST_CAPNP = DATA / "capnp" / "test.capnp"


def _request(tool: CapnpTool, schema: Path, import_path: Path) -> model.CodeGeneratorRequest:
    return request_from_bytes(
        tool.run(
            ["compile", "--no-standard-import", f"-I{import_path}",
             f"--src-prefix={import_path}", "-o-", str(schema)],
            b"",
        )
    )  # fmt: skip


def _built(struct_type: Any, node: model.Node, nodes: Any, seed: str, count: int) -> List[Any]:
    rng = random.Random(seed)
    builders = []
    for _ in range(count):
        builder = struct_type.new_message()
        fill_struct(builder, node, random_struct(node, nodes, rng), nodes)
        builders.append(builder)
    return builders


def _check_text(
    tool: CapnpTool, schema: Path, name: str, struct_type: Any, builders: List[Any]
) -> None:
    messages = [b.to_bytes() for b in builders]
    expected = tool.run(["decode", "--quiet", str(schema), name], b"".join(messages))
    readers = [struct_type.from_bytes(m) for m in messages]
    assert "".join(f"{r}\n" for r in readers) == expected.decode("utf-8")
    assert "".join(f"{b}\n" for b in builders) == expected.decode("utf-8")


@pytest.mark.parametrize(
    "name", ["Scalars", "Defaults", "Lists", "Shape", "Pythonic", "Generics", "Anys"]
)
def test_features_print_as_capnp_decode(capnp_tool: CapnpTool, name: str) -> None:
    nodes = _request(capnp_tool, FEATURES, FEATURES.parent).node_map()
    struct_type = getattr(features_capnp, name)
    builders = _built(struct_type, nodes[struct_type.type_id], nodes, f"reflection-{name}", 8)
    _check_text(capnp_tool, FEATURES, name, struct_type, builders)


@pytest.mark.parametrize("name", ["Scalars", "Defaults", "Lists", "Shape"])
def test_features_json_as_capnp_convert(capnp_tool: CapnpTool, name: str) -> None:
    nodes = _request(capnp_tool, FEATURES, FEATURES.parent).node_map()
    struct_type = getattr(features_capnp, name)
    for i, builder in enumerate(
        _built(struct_type, nodes[struct_type.type_id], nodes, f"json-{name}", 6)
    ):
        data = builder.to_bytes()
        for pretty in (True, False):
            args = ["convert", "binary:json", str(FEATURES), name] + ([] if pretty else ["--short"])
            expected = capnp_tool.run(args, data).decode("utf-8")
            reader = struct_type.from_bytes(data)
            assert reader.to_json(pretty) + "\n" == expected, (name, i, pretty)


def _check_from_json(
    tool: CapnpTool, schema: Path, name: str, struct_type: Any, builders: List[Any]
) -> None:
    """``from_json`` of the tool's JSON of ``builders`` gives the messages the tool makes of
    that JSON; copied, they are the copies of the originals.

    ``capnp convert`` builds each message, then copies it out into a fresh message builder (of
    the default first segment size: a large message is two segments), as the dynamic API's
    reader ``to_bytes()`` does (a generated reader's sizes its one segment to fit instead)."""

    def copied(reader: Any) -> bytes:
        data: bytes = dynamic_view(reader).to_bytes()
        return data

    messages = [b.to_bytes() for b in builders]
    copies = b"".join(copied(struct_type.from_bytes(m)) for m in messages)
    for short in ([], ["--short"]):
        # (--quiet: an empty struct's message looks to the tool's format guess like "flat")
        args = ["convert", "--quiet", "binary:json", str(schema), name]
        text = tool.run(args + short, b"".join(messages))
        expected = tool.run(["convert", "--quiet", "json:binary", str(schema), name], text)
        ours = [struct_type.from_json(chunk) for chunk in split_json_messages(text)]
        assert all(type(b) is struct_type.Builder for b in ours)
        assert b"".join(copied(b.as_reader()) for b in ours) == expected, (name, short)
        assert expected == copies, (name, short)


def _test_capnp_structs(request: model.CodeGeneratorRequest) -> Iterator[Tuple[model.Node, Any]]:
    """Every non-generic struct of test.capnp (no groups, no method parameters), with its
    generated namespace class."""
    (requested,) = request.requested_files or []
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
        yield node, struct_type


def test_every_test_capnp_struct_prints_as_capnp_decode(capnp_tool: CapnpTool) -> None:
    request = _request(capnp_tool, TEST_CAPNP, DATA)
    nodes = request.node_map()
    checked = 0
    for node, struct_type in _test_capnp_structs(request):
        builders = _built(struct_type, node, nodes, node.display_name, 3)
        schema_name = node.display_name.split(":", 1)[1]
        _check_text(capnp_tool, TEST_CAPNP, schema_name, struct_type, builders)
        checked += 1
    assert checked >= 60


@pytest.mark.parametrize("name", ["Scalars", "Defaults", "Lists", "Shape", "Generics"])
def test_features_from_json_as_capnp_convert(capnp_tool: CapnpTool, name: str) -> None:
    nodes = _request(capnp_tool, FEATURES, FEATURES.parent).node_map()
    struct_type = getattr(features_capnp, name)
    builders = _built(struct_type, nodes[struct_type.type_id], nodes, f"from-json-{name}", 6)
    _check_from_json(capnp_tool, FEATURES, name, struct_type, builders)


def test_every_test_capnp_struct_reads_json_as_capnp_convert(capnp_tool: CapnpTool) -> None:
    request = _request(capnp_tool, TEST_CAPNP, DATA)
    nodes = request.node_map()
    checked = 0
    for node, struct_type in _test_capnp_structs(request):
        builders = _built(struct_type, node, nodes, "json " + node.display_name, 2)
        schema_name = node.display_name.split(":", 1)[1]
        _check_from_json(capnp_tool, TEST_CAPNP, schema_name, struct_type, builders)
        checked += 1
    assert checked >= 60


def test_testdata_prints_as_capnp_decode(capnp_tool: CapnpTool) -> None:
    data = (DATA / "capnp" / "testdata" / "binary").read_bytes()
    expected = capnp_tool.run(["decode", "--quiet", str(TEST_CAPNP), "TestAllTypes"], data)
    assert f"{test_capnp.TestAllTypes.from_bytes(data)}\n" == expected.decode("utf-8")


def test_testdata_from_capnps_json_is_the_testdata(capnp_tool: CapnpTool) -> None:
    # TestAllTypes' JSON is in the order C++ built testdata/binary: the very same bytes back.
    data = (DATA / "capnp" / "testdata" / "binary").read_bytes()
    for short in ([], ["--short"]):
        text = capnp_tool.run(
            ["convert", "binary:json", str(TEST_CAPNP), "TestAllTypes"] + short, data
        )
        assert test_capnp.TestAllTypes.from_json(text.decode("utf-8")).to_bytes() == data
