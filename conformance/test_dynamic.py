"""The dynamic API against the reference implementation, live.

* messages built here (by hand, and seeded random values of every struct of the test schema)
  are decoded by ``capnp decode``: its text, pretty and ``--short``, is exactly ours;
* our text is read back by ``capnp encode``: the message it makes equals ours;
* the same sequence of assignments through pycapnp's dynamic API (the C++ library) and ours gives
  byte-identical messages;
* a message with far pointers everywhere (``capnp convert --segment-size``) reads the same.

The ``capnp`` tool and pycapnp come from :mod:`conformance.conftest` (a missing peer skips loudly,
or fails under ``CI=true``).
"""

from __future__ import annotations

import math
import random
import struct
from pathlib import Path
from types import ModuleType
from typing import Any, Dict, List, Optional

import pytest

import purecap
from conformance.peers import CapnpTool
from purecap.dynamic import text_format
from purecap.dynamic.schema import INT_RANGES, DynType
from purecap.wire.message import read_messages

SCHEMAS = Path(__file__).resolve().parents[1] / "tests" / "dynamic" / "schemas"
SCHEMA = SCHEMAS / "dyntest.capnp"

# The structs of the test schema that random values are made for.
TYPES = ["AllTypes", "Shape", "Generics", "Defaults", "Outer", "Names", "NewVersion", "Point"]
_TEXT_ALPHABET = "abc XYZ 019 é日\n\t\"'\\\x01\x7f?"  # no parentheses: see _Random.value
_F32 = struct.Struct("<f")


@pytest.fixture(scope="module")
def t() -> Any:
    return purecap.load(SCHEMA, imports=[SCHEMAS])


@pytest.fixture(scope="module")
def tool(capnp_tool: CapnpTool) -> CapnpTool:
    return CapnpTool(capnp_tool.exe, SCHEMA)


def _decode(tool: CapnpTool, type_name: str, data: bytes, pretty: bool) -> str:
    args = ["decode", "--quiet"] + ([] if pretty else ["--short"])
    return tool.run(args + [str(SCHEMA), type_name], data).decode("utf-8")


# ---------------------------------------------------------------------------------------------
# Random values, as plain data for from_dict


class _Random:
    def __init__(self, seed: int, *, round_trip: bool) -> None:
        self.rng = random.Random(seed)
        # For encode round trips: nothing the text format cannot express (AnyPointers print as
        # "<opaque pointer>", unknown enumerants as "(7)", NaN payloads are lost).
        self.round_trip = round_trip

    def struct(self, st: Any, depth: int) -> Dict[str, Any]:
        rng = self.rng
        schema = st.schema
        out: Dict[str, Any] = {}
        for f in schema.non_union_members:
            if rng.random() < 0.75:
                value = self.field(f.type, f.slot_kind, depth)
                if value is not _SKIP:
                    out[f.name] = value
        if schema.union_members:
            f = rng.choice(schema.union_members)
            value = self.field(f.type, f.slot_kind, depth)
            if value is not _SKIP:
                out[f.name] = value
        return out

    def field(self, t: DynType, slot_kind: str, depth: int) -> Any:
        if slot_kind == "group":
            assert t.struct is not None
            return self.struct(t.struct, depth)
        return self.value(t, depth)

    def value(self, t: DynType, depth: int) -> Any:
        rng = self.rng
        k = t.kind
        if k == "void":
            return None
        if k == "bool":
            return rng.random() < 0.5
        if k in INT_RANGES:
            lo, hi = INT_RANGES[k]
            return rng.choice([lo, hi, 0, 1, -1 if lo < 0 else 2, rng.randint(lo, hi)])
        if k in ("float32", "float64"):
            specials = [0.0, 1.5, math.inf, -math.inf, 1e-300, 1e300, 3.4028234663852886e38,
                        1.401298464324817e-45, 0.1]
            if not self.round_trip:
                # Printed as "nan" and "-0" (by capnp decode too), which capnp encode reads back
                # as the canonical NaN and as the integer 0, i.e. +0.0.
                specials += [math.nan, -0.0]
            randoms = [rng.uniform(-1e6, 1e6), rng.gauss(0, 1) * 10.0 ** rng.randint(-40, 40)]
            x = rng.choice(specials + randoms * 3)
            if k == "float32":
                if self.round_trip and math.isfinite(x):
                    # kj prints a Float32 with at most 8 significant digits (FLT_DIG + 2), one
                    # short of what some need to read back exactly (110472.6953125 prints as
                    # 110472.7): capnp decode and we print the same, but it is not a round trip.
                    x = float("%.6g" % x)
                try:
                    x = _F32.unpack(_F32.pack(x))[0]
                except OverflowError:
                    x = math.copysign(math.inf, x)
            return x
        if k == "text":
            size = rng.choice([0, 1, 5, 22, 23, 30])
            return "".join(rng.choice(_TEXT_ALPHABET) for _ in range(size))
        if k == "data":
            data = bytes(rng.randrange(256) for _ in range(rng.choice([0, 1, 3, 14, 30])))
            if self.round_trip:
                # capnp 0.9.2 `encode` finds the end of a message by counting parentheses, even
                # inside string literals (capnp.c++ readOneText never enters its DQUOTE state):
                # a ")" in a Data literal ends the message early. Keep them out of round trips.
                data = data.replace(b"(", b"[").replace(b")", b"]")
            return data
        if k == "enum":
            enum_class: Any = t.enum
            members = list(enum_class)
            if not self.round_trip and rng.random() < 0.1:
                return len(members) + rng.randrange(5)
            return rng.choice(members).name
        if k == "struct":
            assert t.struct is not None
            if depth > 2:
                return _SKIP
            return self.struct(t.struct, depth + 1)
        if k == "list":
            assert t.element is not None
            if depth > 3:
                return _SKIP
            n = rng.choice([0, 1, 2, 3, 9])
            items = [self.value(t.element, depth + 1) for _ in range(n)]
            if any(i is _SKIP for i in items):
                return [] if t.element.kind not in ("struct", "list") else _SKIP
            return items
        if k == "anyPointer" and not self.round_trip and t.any_kind == "anyKind":
            return rng.choice(["as text", b"as data"])
        return _SKIP  # interfaces, and AnyPointers where the text format cannot say them


_SKIP = object()


def _random_messages(t: Any, seed: int, count: int, round_trip: bool) -> Dict[str, List[Any]]:
    gen = _Random(seed, round_trip=round_trip)
    out: Dict[str, List[Any]] = {}
    for name in TYPES:
        st = getattr(t, name)
        messages = []
        for _ in range(count):
            value = gen.struct(st, 0)
            messages.append(st.from_dict(value))
        out[name] = messages
    return out


# ---------------------------------------------------------------------------------------------


def test_random_messages_decode_as_we_print(t: Any, tool: CapnpTool) -> None:
    for type_name, messages in _random_messages(t, 1, 12, round_trip=False).items():
        stream = b"".join(m.to_bytes() for m in messages)
        for pretty in (False, True):
            ours = "".join(text_format(m, pretty=pretty) + "\n" for m in messages)
            assert _decode(tool, type_name, stream, pretty) == ours, (type_name, pretty)


def test_our_text_encodes_to_the_same_message(t: Any, tool: CapnpTool) -> None:
    for type_name, messages in _random_messages(t, 2, 6, round_trip=True).items():
        for m in messages:
            for pretty in (False, True):
                data = tool.encode(type_name, text_format(m, pretty=pretty))
                back = getattr(t, type_name).from_bytes(data)
                assert back == m, (type_name, text_format(m))


def test_hand_built_messages(t: Any, tool: CapnpTool) -> None:
    s = t.Shape.new_message(name="s")
    s.init("rectangle").width = 2.0
    s.color.none = None
    s.style.pattern.custom = "c"
    a = t.AllTypes.new_message(textField="x" * 100, int32List=list(range(40)))
    a.init("structList", 2)[1].textField = "é" * 30
    a.enumField = 99  # an enumerant this schema does not have
    a.anyField.set_as_text("opaque")
    for type_name, m in (("Shape", s), ("AllTypes", a), ("Defaults", t.Defaults.new_message())):
        for pretty in (False, True):
            assert _decode(tool, type_name, m.to_bytes(), pretty) == text_format(m, pretty) + "\n"
        packed = tool.run(["decode", "--quiet", "--short", "--packed", str(SCHEMA), type_name],
                          m.to_bytes_packed())
        assert packed.decode("utf-8") == text_format(m) + "\n"


def test_far_pointers_read_the_same(t: Any, tool: CapnpTool) -> None:
    messages = _random_messages(t, 3, 4, round_trip=False)["AllTypes"]
    for m in messages:
        scattered = tool.convert(m.to_bytes(), "binary", "binary", segment_size=4)
        r = t.AllTypes.from_bytes(scattered)
        assert r == m and text_format(r) == text_format(m)
    many = b"".join(m.to_bytes() for m in messages)
    assert len(list(read_messages(many))) == len(messages)


def _pycapnp_schema(pycapnp: ModuleType) -> Any:
    return pycapnp.load(str(SCHEMA), imports=[str(SCHEMAS)])


def test_same_assignments_same_bytes_as_pycapnp(t: Any, pycapnp: ModuleType) -> None:
    theirs = _pycapnp_schema(pycapnp)

    def build(mod: Any) -> bytes:
        a = mod.AllTypes.new_message()
        a.int32Field = -5
        a.textField = "hello"
        a.float64Field = 0.25
        a.enumField = "blue"
        lst = a.init("structList", 2)
        lst[0].textField = "zero"
        lst[1].int64Field = 7
        a.int16List = [1, 2, 3]
        inner = a.init("structField")
        inner.dataField = b"\x00\x01"
        a.textListList = [["a"], ["b", "c"]]
        s = mod.Shape.new_message(name="n")
        s.init("polygon", 1)[0].x = 3
        s.color.rgb = 5
        g = mod.Generics.new_message()
        g.textBox.value = "boxed"
        g.init("boxList", 1)[0].value = "b"
        g.dataPair.value = b"v"
        d = mod.Defaults.new_message()
        d.int32Field = 1
        d.structField.x = 9
        bytes_out: bytes = a.to_bytes() + s.to_bytes() + g.to_bytes() + d.to_bytes()
        return bytes_out

    assert build(t) == build(theirs)


def test_pycapnp_reads_what_we_build_and_we_read_what_it_builds(
    t: Any, pycapnp: ModuleType
) -> None:
    theirs = _pycapnp_schema(pycapnp)
    for m in _random_messages(t, 4, 5, round_trip=True)["Shape"]:
        with theirs.Shape.from_bytes(m.to_bytes()) as r:
            assert str(r) == text_format(m, pretty=True)
            copy: Optional[bytes] = r.as_builder().to_bytes()
        assert copy is not None and t.Shape.from_bytes(copy) == m


def test_random_messages_of_the_reference_test_schema(capnp_tool: CapnpTool) -> None:
    """Every non-generic struct of capnp's own test.capnp (generic ones appear branded inside
    them), seeded random values, decoded by capnp: its text is ours."""
    data_dir = SCHEMAS.parents[1] / "schema" / "data"
    schema_file = data_dir / "capnp" / "test.capnp"
    test = purecap.load(schema_file, imports=[data_dir], standard_import=False)
    tool = CapnpTool(capnp_tool.exe, schema_file)

    def struct_types(scope: Any, prefix: str) -> List[Any]:
        found = []
        for name, value in vars(scope).items():
            if isinstance(value, purecap.dynamic.StructType):
                found.append((prefix + name, value))
                found += struct_types(value, prefix + name + ".")
        return found

    gen = _Random(5, round_trip=False)
    checked = 0
    for name, st in struct_types(test, ""):
        if st.node.is_generic or name == "TestListOfAny":  # C++: "List(AnyPointer) not supported"
            continue
        messages = [st.from_dict(gen.struct(st, 0)) for _ in range(4)]
        stream = b"".join(m.to_bytes() for m in messages)
        for pretty in (False, True):
            args = ["decode", "--quiet", "-I", str(data_dir), "--no-standard-import"]
            args += ([] if pretty else ["--short"]) + [str(schema_file), name]
            ours = "".join(text_format(m, pretty=pretty) + "\n" for m in messages)
            assert tool.run(args, stream).decode("utf-8") == ours, (name, pretty)
        checked += 1
    assert checked > 50
