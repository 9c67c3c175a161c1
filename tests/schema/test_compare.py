"""purecap.schema.compare: node-by-node comparison of CodeGeneratorRequests.

Each test injects differences into a copy of a ``capnp compile -o-`` fixture and checks the
report names them (and nothing else).
"""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from purecap.schema import model
from purecap.schema.compare import (
    canonical_node,
    compare_files,
    compare_messages,
    compare_requests,
    main,
    node_differences,
)
from purecap.schema.model import CodeGeneratorRequest, Field, Node, Type, Value
from purecap.schema.nodes import request_from_bytes, request_to_bytes, write_request
from purecap.wire.canonical import canonicalize
from purecap.wire.message import read_message, write_message
from purecap.wire.reader import MessageReader

REQUESTS = Path(__file__).parent / "data" / "requests"


def load(name: str) -> CodeGeneratorRequest:
    return request_from_bytes((REQUESTS / name).read_bytes())


def node_named(request: CodeGeneratorRequest, display_name: str) -> Node:
    for node in request.nodes or ():
        if node.display_name == display_name:
            return node
    raise KeyError(display_name)


def field_named(node: Node, name: str) -> Field:
    for f in node.struct.fields or ():
        if f.name == name:
            return f
    raise KeyError(name)


EVERYTHING = "requests/features.capnp:Everything"


def only(report: List[str]) -> str:
    assert len(report) == 1, report
    return report[0]


# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["features.bin", "schema.bin", "json-persistent.bin"])
def test_identical_requests_have_no_differences(name: str) -> None:
    assert compare_requests(load(name), load(name)) == []
    data = (REQUESTS / name).read_bytes()
    assert compare_messages(read_message(data), read_message(data)) == []


def test_layout_does_not_matter() -> None:
    # The same request laid out canonically (one segment, no far pointers, truncated structs)
    # compares equal to capnp's multi-segment original.
    data = (REQUESTS / "schema.bin").read_bytes()
    original = read_message(data)
    assert len(original.segments) > 1
    flat = canonicalize(original.get_root())
    relaid = MessageReader([flat])
    assert compare_messages(relaid, read_message(data)) == []


def test_field_offset_and_default() -> None:
    ours = load("features.bin")
    everything = node_named(ours, EVERYTHING)
    field_named(everything, "i16").slot.offset += 1
    field_named(everything, "i32").slot.default_value = Value.int32(7)
    report = compare_requests(ours, load("features.bin"))
    title = f"node 0x{everything.id:016x} ({EVERYTHING})"
    assert report == [
        f"{title} struct.fields[2 'i16'].slot.offset: ours 2, theirs 1",
        f"{title} struct.fields[3 'i32'].slot.default_value: ours Value.int32(7), "
        "theirs Value.int32(-320000)",
    ]


def test_missing_and_reordered_fields_are_matched_by_name() -> None:
    ours = load("features.bin")
    fields = node_named(ours, EVERYTHING).struct.fields
    assert fields is not None
    del fields[5]  # u8
    fields[6], fields[7] = fields[7], fields[6]
    report = compare_requests(ours, load("features.bin"))
    assert len(report) == 2, report
    assert report[0].endswith("struct.fields: ours 29 items (only ours: -), theirs 30 items "
                              "(only theirs: 'u8')")  # fmt: skip
    assert report[1].endswith(
        "struct.fields order from position 6: ours 'u64', 'u32', 'f32', 'f64'..., "
        "theirs 'u32', 'u64', 'f32', 'f64'..."
    )


def test_types_and_pointer_values() -> None:
    ours = load("features.bin")
    everything = node_named(ours, EVERYTHING)
    field_named(everything, "l").slot.type = Type.list_of(Type.int32())
    s = field_named(everything, "s").slot
    theirs_s = field_named(node_named(load("features.bin"), EVERYTHING), "s").slot
    s.default_value = Value.struct(None)
    report = compare_requests(ours, load("features.bin"))
    assert len(report) == 2
    assert report[0].endswith(
        "struct.fields[14 'l'].slot.type: ours Type.list_of(Type.int32()), "
        "theirs Type.list_of(Type.int16())"
    )
    assert "struct.fields[15 's'].slot.default_value: ours Value.struct(None), theirs " \
           "Value.struct(<" in report[1]  # fmt: skip
    assert theirs_s.default_value != s.default_value


def test_body_kind_null_lists_and_parameters() -> None:
    ours = load("features.bin")
    colour = node_named(ours, "requests/features.capnp:Colour")
    colour.body = model.StructBody()
    node_named(ours, EVERYTHING).nested_nodes = None
    node_named(ours, "requests/features.capnp:Box").parameters = [model.Parameter("Q")]
    report = compare_requests(ours, load("features.bin"))
    # In display-name order: Box, Colour, Everything.
    assert report == [
        f"node 0x{node_named(ours, 'requests/features.capnp:Box').id:016x} "
        "(requests/features.capnp:Box) parameters: ours 1 items (only ours: 'Q'), "
        "theirs 1 items (only theirs: 'T')",
        f"node 0x{colour.id:016x} (requests/features.capnp:Colour) which: ours struct, "
        "theirs enum",
        f"node 0x{node_named(ours, EVERYTHING).id:016x} ({EVERYTHING}) nested_nodes: "
        "ours None, theirs []",
    ]


def test_missing_extra_and_renumbered_nodes() -> None:
    ours = load("features.bin")
    assert ours.nodes is not None
    theirs = load("features.bin")
    base = node_named(ours, "requests/features.capnp:Base")
    ours.nodes.remove(base)
    ours.nodes.append(Node(0x1234, "requests/features.capnp:Extra", 24))
    leaf = node_named(ours, "requests/features.capnp:Leaf")
    leaf.id = 0xABCDEF0123
    report = compare_requests(ours, theirs, source_info=False)
    assert report == [
        f"node 0x{base.id:016x} (requests/features.capnp:Base): only in theirs",
        "node 0x0000000000001234 (requests/features.capnp:Extra): only in ours",
        f"node 0x{node_named(theirs, 'requests/features.capnp:Leaf').id:016x} "
        f"(requests/features.capnp:Leaf) id: ours 0xabcdef0123, "
        f"theirs 0x{node_named(theirs, 'requests/features.capnp:Leaf').id:x}",
    ]


def test_source_info_version_and_requested_files() -> None:
    ours = load("json-persistent.bin")
    assert ours.source_info and ours.requested_files
    ours.source_info[0].doc_comment = "changed"
    ours.capnp_version = model.CapnpVersion(1, 0, 0)
    imports = ours.requested_files[0].imports
    assert imports
    imports.pop()
    report = compare_requests(ours, load("json-persistent.bin"))
    assert len(report) == 3, report
    assert report[0] == (
        "capnpVersion: ours CapnpVersion(major=1, minor=0, micro=0), "
        "theirs CapnpVersion(major=0, minor=9, micro=2)"
    )
    assert report[1].startswith("sourceInfo of node 0x")
    assert "doc_comment: ours 'changed'" in report[1]
    assert report[2].startswith("requestedFile 0x")
    assert "(capnp/compat/json.capnp) imports:" in report[2]
    assert compare_requests(
        ours, load("json-persistent.bin"), source_info=False, version=False, requested_files=False
    ) == []


def test_difference_the_model_does_not_keep() -> None:
    # A null display name reads as "" in the model, like an empty one; only the canonical
    # encodings tell them apart.
    request = load("features.bin")
    ours = write_request(request)
    theirs = write_request(request)
    ours.get_root(0, 4).get_struct_list(0, 5, 6).get_struct(0).clear_pointer(0)
    theirs.get_root(0, 4).get_struct_list(0, 5, 6).get_struct(0).set_text(0, "")
    first = (request.nodes or [])[0]
    report = compare_messages(ours.as_reader(), theirs.as_reader())
    assert only(report).startswith(f"node 0x{first.id:016x} (): canonical encodings differ")
    assert compare_requests(
        request_from_bytes(write_message(ours)), request_from_bytes(write_message(theirs))
    ) == []


def test_node_differences_and_canonical_node() -> None:
    a = Node(1, "x.capnp:A", 8, body=model.ConstBody(Type.int32(), Value.int32(1)))
    b = Node(1, "x.capnp:A", 8, body=model.ConstBody(Type.int32(), Value.int32(2)))
    assert canonical_node(a) != canonical_node(b)
    assert only(node_differences(a, b)) == (
        "node 0x0000000000000001 (x.capnp:A) const.value: "
        "ours Value.int32(1), theirs Value.int32(2)"
    )
    assert node_differences(a, a) == []


# ---------------------------------------------------------------------------------------------
# The command line


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    theirs = tmp_path / "theirs.bin"
    theirs.write_bytes((REQUESTS / "features.bin").read_bytes())
    ours_request = load("features.bin")
    field_named(node_named(ours_request, EVERYTHING), "u8").ordinal = 99
    ours = tmp_path / "ours.bin"
    ours.write_bytes(request_to_bytes(ours_request))
    assert main([str(theirs), str(theirs)]) == 0
    assert capsys.readouterr().out == ""
    assert main([str(ours), str(theirs)]) == 1
    out = capsys.readouterr()
    assert out.out.endswith("struct.fields[5 'u8'].ordinal: ours 99, theirs 5\n")
    assert "1 difference" in out.err
    assert compare_files(str(ours), str(theirs), source_info=False) != []
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\xff" * 16)
    assert main([str(junk), str(theirs)]) == 2
    assert main([str(tmp_path / "missing.bin"), str(theirs)]) == 2
    assert capsys.readouterr().err.count("error:") == 2


def test_order_is_compared_only_when_asked() -> None:
    ours = load("json-persistent.bin")
    assert ours.nodes and ours.source_info and ours.requested_files
    ours.nodes.reverse()
    ours.source_info.reverse()
    ours.requested_files.reverse()
    theirs = load("json-persistent.bin")
    assert compare_requests(ours, theirs) == []
    report = compare_requests(ours, theirs, order=True)
    assert [line.split(" from ")[0] for line in report] == [
        "nodes order",
        "sourceInfo order",
        "requestedFiles order",
    ]
    first = (theirs.nodes or [])[0]
    assert report[0].endswith(f"theirs node 0x{first.id:016x} ({first.display_name})")
