"""The runtime support of generated modules (purecap.codegen.runtime), on its own."""

from __future__ import annotations

import math

import pytest

from purecap.codegen import runtime as rt
from purecap.wire.builder import MessageBuilder
from purecap.wire.errors import BuilderError
from purecap.wire.pointers import ElementSize
from tests.codegen.generated import features_capnp as f


class Mood(rt.Enum):
    HAPPY = 0
    SAD = 1


def test_enum_unknown_values() -> None:
    assert Mood(1) is Mood.SAD
    unknown = Mood(5)
    assert unknown == 5 and unknown.name == "UNKNOWN_5" and isinstance(unknown, Mood)
    assert unknown + 1 == 6
    for bad in (-1, 1 << 16):
        with pytest.raises(ValueError):
            Mood(bad)
    with pytest.raises(ValueError):
        Mood("HAPPY")  # type: ignore[arg-type]
    assert list(Mood) == [Mood.HAPPY, Mood.SAD]  # pseudo-members do not join the enum


def test_float_bits() -> None:
    assert rt.float32_bits(1.0) == 0x3F800000
    assert rt.float32_from_bits(0x3F800000) == 1.0
    assert rt.float64_bits(-0.0) == 1 << 63
    assert math.isnan(rt.float64_from_bits(0x7FF8000000000001))
    with pytest.raises(OverflowError):
        rt.float32_bits(1e300)


def test_defaults_survive_many_reads() -> None:
    blob = rt.encode_default(f.PRIMES._l.arena.root_pointer().get_struct().get_pointer(0))
    assert rt.encode_default(None) == b""
    assert rt.pointer_default(b"").is_null()
    primes = rt.list_default(blob, ElementSize.BYTE)
    assert list(rt.PrimitiveList(primes, rt.U8)) == [2, 3, 5, 7]
    # Defaults and constants are read over and over: their arenas have no traversal limit.
    assert primes.arena.limits.traversal_limit_words is None
    assert f.WORDS._l.arena.limits.traversal_limit_words is None
    assert [f.WORDS[1] for _ in range(3)] == ["two"] * 3


def test_void_and_bool_list_builders() -> None:
    message = MessageBuilder()
    root = message.init_root(0, 2)
    voids = rt.VoidListBuilder(root.init_list(0, ElementSize.VOID, 2))
    assert list(voids) == [None, None] and list(voids.as_reader()) == [None, None]
    with pytest.raises(IndexError):
        voids[2]
    bools = rt.BoolListBuilder(root.init_list(1, ElementSize.BIT, 3))
    bools[2] = True
    assert list(bools) == [False, False, True] and bools.as_reader()[-1] is True


def test_struct_list_builder_as_reader() -> None:
    b = f.Lists.new_message()
    structs = b.init_structs(2)
    structs[1].u8 = 3
    assert [s.u8 for s in structs.as_reader()] == [0, 3]
    assert [s.u8 for s in structs[0:2]] == [0, 3]


def test_set_pointer_kinds() -> None:
    b = f.Anys.new_message()
    p = b.any
    p.set_as(b"data")
    assert p.get_as_data() == b"data"
    p.set_as(None)
    assert p.is_null()
    with pytest.raises(BuilderError, match="cannot store a float"):
        p.set_as(1.5)
    assert rt.wire_reader(1.5) is None
    p.set_text("t")
    assert p.as_reader().get_as_text() == "t"
    p.set_data(b"d")
    assert b.as_reader().any.get_as_data() == b"d"
    assert repr(p).startswith("<AnyPointerBuilder")


def test_codecs() -> None:
    assert repr(rt.TEXT) == "<PointerCodec Text>"
    b = f.Anys.new_message()
    pointer = b.any.pointer
    assert rt.TEXT.init(pointer, 0) == "" and rt.TEXT.read(pointer.as_reader()) == ""
    assert rt.DATA.init(pointer, 3) == bytes(3) and rt.DATA.get(pointer) == bytes(3)
    assert isinstance(rt.ANY_STRUCT.init(pointer, 0), rt.AnyStructBuilder)
    assert isinstance(rt.ANY_LIST.get(pointer), rt.AnyListBuilder)
    pointer.clear()
    client = rt.capability_codec(f.Greeter.Client)
    assert client.read(pointer.as_reader()).hook is None


def test_capability_hooks() -> None:
    assert rt.capability_hook(None, []) is None
    assert rt.capability_hook(0, ["x"]) == "x"
    broken = rt.capability_hook(3, ["x"])
    assert isinstance(broken, rt.BrokenCapability) and "index 3" in repr(broken)
    assert repr(rt.Client("h")) == "<Client 'h'>"
    p = f.Anys.new_message().any.pointer
    rt.set_client(p, rt.Client(None))
    assert p.is_null()


def test_reprs() -> None:
    b = f.Scalars.new_message()
    assert repr(b).startswith("<Scalars_Builder segment 0 word 1")
    assert repr(b.as_reader()).startswith("<Scalars_Reader segment 0 word 1")
    assert b.total_size() == b.as_reader().total_size() == (6, 0)
