"""Check the hand-written accessors of ``purecap_accessors.py`` against the reference compiler.

``capnp compile -ocapnp`` prints the schema back with every field's place (``bits[32, 64)``,
``ptr[2]``, ``union tag = 1``) and every struct's size. For each field we set it through the
*Builder* class and check that exactly those bits (and the union tag) changed, then read it back
through the *Reader* class, and read it from an empty struct to get its default. So the offsets
baked into the properties are tested, not a table that could drift from them.

    python bench/check_offsets.py       (exit status 0 when everything matches)
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
from typing import Any, Dict, List, Optional, Set, Tuple

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

from bench import purecap_accessors as acc  # noqa: E402
from purecap.wire.builder import MessageBuilder, StructBuilder  # noqa: E402
from purecap.wire.reader import EMPTY_STRUCT, MessageReader  # noqa: E402

SCHEMA = os.path.join(REPO, "bench", "schemas", "workloads.capnp")

# Primitive types: struct format and a test value with bits set all over the field.
_PRIMITIVES: Dict[str, Tuple[str, Any]] = {
    "UInt8": ("<B", 0xA5),
    "UInt16": ("<H", 0xA55A),
    "Int16": ("<h", -12345),
    "UInt32": ("<I", 0xA55AC33C),
    "Int32": ("<i", -123456789),
    "Int64": ("<q", -1234567890123),
    "Float32": ("<f", 1.5),
    "Float64": ("<d", -2.25),
}
_ENUM_TEST_VALUE = 5


class Field:
    __slots__ = ("struct", "groups", "name", "type", "default", "bits", "pointer", "union")

    def __init__(
        self,
        struct_name: str,
        groups: Tuple[str, ...],
        name: str,
        type_name: str,
        default: Optional[str],
        bits: Optional[Tuple[int, int]],
        pointer: Optional[int],
        union: Optional[Tuple[int, int]],
    ) -> None:
        self.struct = struct_name
        self.groups = groups
        self.name = name
        self.type = type_name
        self.default = default
        self.bits = bits  # [start, end) in the data section
        self.pointer = pointer  # index in the pointer section
        self.union = union  # (tag bit offset, this member's tag value)

    def __repr__(self) -> str:
        return ".".join((self.struct,) + self.groups + (self.name,))


_STRUCT = re.compile(r"^\s*struct (\w+) @0x[0-9a-f]+ \{  # (\d+) bytes, (\d+) ptrs$")
_ENUM = re.compile(r"^\s*enum (\w+) @0x[0-9a-f]+ \{$")
_GROUP = re.compile(r"^\s*(\w+) :group \{$")
_UNION = re.compile(r"^\s*union \{  # tag bits \[(\d+), (\d+)\)$")
_FIELD = re.compile(
    r"^\s*(\w+) @\d+ :([\w()]+)(?: = (\S+))?;  # "
    r"(?:bits\[(\d+), (\d+)\)|ptr\[(\d+)\])(?:, union tag = (\d+))?$"
)


Layout = Tuple[Dict[str, Tuple[int, int]], List[Field], Set[str]]


def compiled_layout(schema: str = SCHEMA) -> Layout:
    """``({struct: (data bytes, pointers)}, fields, enum names)`` as the reference compiler
    lays them out."""
    text = subprocess.run(
        ["capnp", "compile", "-ocapnp", os.path.basename(schema)],
        cwd=os.path.dirname(schema), capture_output=True, text=True, check=True,
    ).stdout
    sizes: Dict[str, Tuple[int, int]] = {}
    fields: List[Field] = []
    enums: Set[str] = set()
    stack: List[Tuple[str, Any]] = []  # ("struct", name) / ("group", name) / ("union", bit) ...
    for line in text.splitlines():
        if m := _STRUCT.match(line):
            sizes[m[1]] = (int(m[2]), int(m[3]))
            stack.append(("struct", m[1]))
        elif m := _ENUM.match(line):
            enums.add(m[1])
            stack.append(("enum", m[1]))
        elif m := _GROUP.match(line):
            stack.append(("group", m[1]))
        elif m := _UNION.match(line):
            stack.append(("union", int(m[1])))
        elif line.strip() == "}":
            stack.pop()
        elif (m := _FIELD.match(line)) and stack and stack[-1][0] != "enum":
            struct_name = next(v for k, v in reversed(stack) if k == "struct")
            groups = tuple(v for k, v in stack if k == "group")
            union_bit = next((v for k, v in reversed(stack) if k == "union"), None)
            fields.append(Field(
                struct_name, groups, m[1], m[2], m[3],
                (int(m[4]), int(m[5])) if m[4] else None,
                int(m[6]) if m[6] else None,
                (union_bit, int(m[7])) if m[7] is not None and union_bit is not None else None,
            ))
    return sizes, fields, enums


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _navigate(obj: Any, groups: Tuple[str, ...]) -> Any:
    for g in groups:
        obj = getattr(obj, snake(g))
    return obj


def _default(field: Field, fmt: str) -> Any:
    if field.type == "Bool":
        return field.default == "true"
    if fmt in ("<f", "<d"):
        return float(field.default) if field.default else 0.0
    return int(field.default) if field.default else 0


def check_field(
    field: Field, size: Tuple[int, int], enums: Set[str]
) -> List[str]:
    """Problems with one field's accessors (an empty list when all is well)."""
    problems: List[str] = []
    data_bytes, pointers = size
    builder_cls = getattr(acc, f"{field.struct}Builder")
    reader_cls = getattr(acc, f"{field.struct}Reader")
    message = MessageBuilder()
    sb: StructBuilder = message.init_root(data_bytes >> 3, pointers)
    target = _navigate(builder_cls(sb), field.groups)
    name = snake(field.name)
    expected = bytearray(data_bytes)
    value: Any = None
    if field.union is not None:
        tag_bit, tag = field.union
        struct.pack_into("<H", expected, tag_bit >> 3, tag)
    if field.bits is not None:
        start, end = field.bits
        if field.type == "Bool":
            value = True
            expected[start >> 3] |= 1 << (start & 7)
        else:
            fmt, value = _PRIMITIVES.get(field.type, ("<H", _ENUM_TEST_VALUE))
            if field.type not in _PRIMITIVES and field.type not in enums:
                return [f"{field}: unknown type {field.type}"]
            if struct.calcsize(fmt) * 8 != end - start:
                problems.append(f"{field}: {field.type} but the compiler gives {end - start} bits")
            stored = value
            if fmt not in ("<f", "<d"):
                stored = value ^ _default(field, fmt)  # defaults are XORed in
            struct.pack_into(fmt, expected, start >> 3, stored)
        setattr(target, name, value)
        reader_default = getattr(_navigate(reader_cls(EMPTY_STRUCT), field.groups), name)
        if reader_default != _default(field, _PRIMITIVES.get(field.type, ("<H", 0))[0]):
            problems.append(f"{field}: reads {reader_default!r} past the data section, "
                            f"expected the default")
    elif field.type == "Text":
        value = "probe"
        setattr(target, name, value)
    elif field.type.startswith("List("):
        getattr(target, f"init_{name}")(2)
    else:
        getattr(target, f"init_{name}")()
    data = bytes(sb.segment[sb.data_offset:sb.data_offset + data_bytes])
    if data != bytes(expected):
        problems.append(f"{field}: data section {data.hex()} after setting it, expected "
                        f"{bytes(expected).hex()}")
    set_pointers = [i for i in range(pointers) if sb.has_pointer(i)]
    if set_pointers != ([field.pointer] if field.pointer is not None else []):
        problems.append(f"{field}: pointers {set_pointers} set, expected "
                        f"{[field.pointer] if field.pointer is not None else []}")
    if (builder_cls.DATA_WORDS * 8, builder_cls.POINTER_COUNT) != size:
        problems.append(f"{field.struct}Builder allocates {builder_cls.DATA_WORDS} words and "
                        f"{builder_cls.POINTER_COUNT} pointers, the compiler says {size}")
    # Read it back through the Reader.
    reader = _navigate(reader_cls(MessageReader(message.to_segments()).get_root()), field.groups)
    got = getattr(reader, name)
    if field.union is not None and reader.which() != field.union[1]:
        problems.append(f"{field}: which() is {reader.which()}, expected {field.union[1]}")
    if field.type.startswith("List("):
        got = len(got)
        value = 2
    elif field.pointer is not None and field.type != "Text":
        got = value = None  # a struct: reading it without error is the check
    if got != value:
        problems.append(f"{field}: reads back {got!r}, expected {value!r}")
    return problems


def main() -> int:
    sizes, fields, enums = compiled_layout()
    problems: List[str] = []
    for field in fields:
        problems.extend(check_field(field, sizes[field.struct], enums))
    if problems:
        print("accessors disagree with capnp compile -ocapnp:")
        for p in problems:
            print(f"  {p}")
        return 1
    print(f"the accessors of {len(fields)} fields in {len(sizes)} structs match "
          "capnp compile -ocapnp")
    return 0


if __name__ == "__main__":
    sys.exit(main())
