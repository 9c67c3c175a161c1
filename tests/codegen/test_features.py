"""Generated code for ``schemas/features.capnp``: every kind of field, default, list, union,
group, generic, interface and constant, through the checked-in ``generated/features_capnp``.

The layout itself (offsets, XOR defaults, sizes) is the reference's: the conformance suite
(conformance/test_codegen.py) decodes what these builders write with ``capnp decode``.
"""

from __future__ import annotations

import math
import random
import struct
from typing import Any, Dict

import pytest

from purecap.codegen import runtime as rt
from purecap.errors import PurecapError
from purecap.schema import model
from purecap.schema.compiler import compile_files
from purecap.wire.builder import MessageBuilder
from purecap.wire.errors import BuilderError, DecodeError, InvalidText
from purecap.wire.message import write_message
from tests.codegen.generated import features_capnp as f
from tests.codegen.generated import shapes_capnp
from tests.codegen.regenerate import ROOT
from tests.codegen.walk import normalize_struct, struct_value

_F32 = struct.Struct("<f")


def f32(x: float) -> float:
    return float(_F32.unpack(_F32.pack(x))[0])


@pytest.fixture(scope="module")
def nodes() -> Dict[int, model.Node]:
    request = compile_files(
        [f"{ROOT}/tests/codegen/schemas/features.capnp"],
        import_paths=[f"{ROOT}/tests/codegen/schemas"],
        standard_import=False,
    )
    return request.node_map()


# -- scalars ------------------------------------------------------------------------------------


def _fill_scalars(s: f.Scalars.Builder) -> None:
    s.v = None
    s.b = True
    s.i8 = -128
    s.i16 = 32767
    s.i32 = -(2**31)
    s.i64 = 2**63 - 1
    s.u8 = 255
    s.u16 = 65535
    s.u32 = 2**32 - 1
    s.u64 = 2**64 - 1
    s.f32 = 1.5
    s.f64 = -2.25e300
    s.color = f.Color.DARK_GOLDEN_ROD


def _check_scalars(s: Any) -> None:
    assert s.v is None
    assert s.b is True
    assert (s.i8, s.i16, s.i32, s.i64) == (-128, 32767, -(2**31), 2**63 - 1)
    assert (s.u8, s.u16, s.u32, s.u64) == (255, 65535, 2**32 - 1, 2**64 - 1)
    assert (s.f32, s.f64) == (1.5, -2.25e300)
    assert s.color is f.Color.DARK_GOLDEN_ROD


def test_scalars_round_trip() -> None:
    b = f.Scalars.new_message()
    _fill_scalars(b)
    _check_scalars(b)
    _check_scalars(b.as_reader())
    data = b.to_bytes()
    r = f.Scalars.from_bytes(data)
    _check_scalars(r)
    _check_scalars(f.Scalars.from_bytes_packed(b.to_bytes_packed()))
    assert r.to_bytes() == data  # a copy of the root is the same message
    _check_scalars(r.as_builder())


def test_empty_struct_reads_zeroes() -> None:
    r = f.Scalars.new_message().as_reader()
    assert (r.b, r.i8, r.u64, r.f32, r.f64, r.color) == (False, 0, 0, 0.0, 0.0, f.Color.RED)
    # A null root pointer reads as an empty struct too.
    empty = f.Scalars.from_bytes(write_message([bytes(8)]))
    assert (empty.i32, empty.color, empty.b) == (0, f.Color.RED, False)


@pytest.mark.parametrize(
    "field, value",
    [("i8", 128), ("i8", -129), ("u8", -1), ("u16", 65536), ("i64", 2**63), ("u64", -1),
     ("u64", 2**64), ("f32", 1e300)],
)  # fmt: skip
def test_out_of_range_values_raise_builder_error(field: str, value: Any) -> None:
    b = f.Scalars.new_message()
    with pytest.raises(BuilderError, match=f"Scalars.{field}"):
        setattr(b, field, value)


def test_float32_rounds_and_keeps_specials() -> None:
    b = f.Scalars.new_message()
    b.f32 = 0.1
    assert b.f32 == f32(0.1)
    b.f32 = math.inf
    assert b.f32 == math.inf
    b.f64 = math.nan
    assert math.isnan(b.as_reader().f64)


def test_bools_share_bytes_without_clobbering() -> None:
    b = f.Pythonic.new_message()
    b.bool_ = True
    b.has_foo = True  # the next bit of the same byte
    b.bool_ = False
    assert (b.bool_, b.has_foo) == (False, True)


# -- defaults -----------------------------------------------------------------------------------


def _check_defaults(d: Any) -> None:
    assert d.b is True
    assert (d.i8, d.i16, d.i32, d.i64) == (-123, -12345, -12345678, -123456789012345)
    assert (d.u8, d.u16, d.u32, d.u64) == (234, 45678, 3456789012, 12345678901234567890)
    assert (d.f32, d.f64) == (1234.5, -1.23e47)
    assert d.color is f.Color.BLUE
    assert math.isnan(d.nan)
    assert d.inf == math.inf
    assert d.neg_zero == 0.0 and math.copysign(1.0, d.neg_zero) == -1.0
    assert d.text == 'd\u00e9faut "quoted"\n'
    assert d.data == b"\x00\x01\xfe\xff"
    assert (d.scalars.i32, d.scalars.color, d.scalars.b) == (42, f.Color.GREEN, True)
    assert list(d.ints) == [1, -2, 3]
    assert list(d.texts) == ["a", "bc"]
    assert [(s.u8, s.f64) for s in d.structs] == [(1, 0.0), (2, 2.5)]
    assert list(d.colors) == [f.Color.BLUE, f.Color.RED]
    assert list(d.bools) == [True, False, True]


def test_defaults_of_an_empty_struct() -> None:
    b = f.Defaults.new_message()
    _check_defaults(b.as_reader())
    assert not b.has_text() and not b.has_ints()
    _check_defaults(b)  # builder getters: pointer defaults are copied into the message
    assert b.has_scalars() and b.has_ints()
    _check_defaults(f.Defaults.from_bytes(b.to_bytes()))


def test_defaults_are_stored_xored() -> None:
    b = f.Defaults.new_message()
    b.i32 = 0
    b.u8 = 0
    b.b = False
    b.color = f.Color.RED
    b.f64 = 0.0
    r = b.as_reader()
    assert (r.i32, r.u8, r.b, r.color, r.f64) == (0, 0, False, f.Color.RED, 0.0)
    # Writing the defaults back makes the data section zero again.
    b.i32, b.u8, b.b, b.color, b.f64 = -12345678, 234, True, f.Color.BLUE, -1.23e47
    b.neg_zero = -0.0
    assert not any(b._b.segment[b._b.data_offset : b._b.data_offset + b._b.data_size])


def test_evolution_old_struct_reads_new_fields_as_defaults() -> None:
    old = f.Scalars.new_message()
    _fill_scalars(old)
    new = f.Evolved.from_bytes(old.to_bytes())
    assert (new.i64, new.u64, new.color) == (2**63 - 1, 2**64 - 1, f.Color.DARK_GOLDEN_ROD)
    assert (new.extra, new.extra_text, new.extra_color) == (77, "new", f.Color.DARK_GOLDEN_ROD)
    # And the other way: an old reader ignores what it does not know.
    newer = f.Evolved.new_message()
    newer.i32 = 5
    newer.extra = 9
    assert f.Scalars.from_bytes(newer.to_bytes()).i32 == 5


def test_evolution_old_struct_in_a_pointer_is_upgraded_for_writing() -> None:
    # Defaults.scalars (ptr[2]) holding a struct of one data word, as an older Scalars wrote it.
    holder = f.Defaults.new_message()
    holder._b.init_struct(2, 1, 0).set_primitive(struct.Struct("<i"), 4, -5)  # i32
    assert holder.as_reader().scalars.i32 == -5
    assert holder.as_reader().scalars.u64 == 0  # past its data: the field's default (0)
    s = holder.scalars  # builder getter: moved to an allocation of Scalars' size
    assert s._b.data_size == 6 * 8
    s.u64 = 7
    assert (holder.as_reader().scalars.u64, holder.as_reader().scalars.i32) == (7, -5)


def test_unknown_enumerant_reads_as_pseudo_member() -> None:
    b = f.Scalars.new_message()
    b._b.set_primitive(struct.Struct("<H"), 36, 9)  # color @12: bits [288, 304)
    r = b.as_reader()
    assert r.color == 9 and r.color.name == "UNKNOWN_9"
    assert isinstance(r.color, f.Color)
    assert f.Color(9) == 9
    with pytest.raises(ValueError):
        f.Color(70000)


# -- lists ----------------------------------------------------------------------------------------


def test_lists_of_every_kind() -> None:
    b = f.Lists.new_message()
    assert len(b.init_voids(3)) == 3
    b.set_bools([True, False, True, True, False, False, False, False, True])
    b.set_i8s([-1, 2, -128])
    b.set_u16s(range(5))
    ints = b.init_i32s(3)
    ints[0], ints[1], ints[2] = 7, -7, 2**31 - 1
    b.set_u64s([2**64 - 1])
    b.set_f32s([0.5, 0.1])
    b.set_f64s([math.pi])
    b.set_texts(["x", "", "\u00fc"])
    b.set_datas([b"\x00", b""])
    structs = b.init_structs(2)
    structs[1].u8 = 9
    structs[0].color = f.Color.BLUE
    b.set_colors([f.Color.GREEN, f.Color.DARK_GOLDEN_ROD])
    nested = b.init_nested(2)
    nested.init(0, 2)[1] = 5
    nested.init(1, 0)
    deep = b.init_deep(1)
    deep.init(0, 1).init(0, 2)[1] = "deep"
    sl = b.init_struct_lists(1)
    sl.init(0, 2)[1].i16 = -3

    r = f.Lists.from_bytes(b.to_bytes())
    assert len(r.voids) == 3 and list(r.voids) == [None] * 3
    assert list(r.bools) == [True, False, True, True, False, False, False, False, True]
    assert list(r.i8s) == [-1, 2, -128]
    assert list(r.u16s) == [0, 1, 2, 3, 4]
    assert list(r.i32s) == [7, -7, 2**31 - 1]
    assert list(r.u64s) == [2**64 - 1]
    assert list(r.f32s) == [0.5, f32(0.1)]
    assert list(r.f64s) == [math.pi]
    assert list(r.texts) == ["x", "", "\u00fc"]
    assert list(r.datas) == [b"\x00", b""]
    assert [(s.u8, s.color) for s in r.structs] == [(0, f.Color.BLUE), (9, f.Color.RED)]
    assert list(r.colors) == [f.Color.GREEN, f.Color.DARK_GOLDEN_ROD]
    assert [list(x) for x in r.nested] == [[0, 5], []]
    assert [[list(y) for y in x] for x in r.deep] == [[["", "deep"]]]
    assert [[s.i16 for s in x] for x in r.struct_lists] == [[0, -3]]


def test_list_views_are_sequences() -> None:
    b = f.Lists.new_message()
    b.set_i32s([10, 20, 30, 40])
    r = b.as_reader()
    ints = r.i32s
    assert ints[-1] == 40 and ints[1:3] == [20, 30] and ints[::-2] == [40, 20]
    assert 30 in ints and ints.index(30) == 2 and list(reversed(ints)) == [40, 30, 20, 10]
    with pytest.raises(IndexError):
        ints[4]
    assert repr(ints) == "PrimitiveList([10, 20, 30, 40])"
    builder_list = b.i32s
    builder_list[-1] = 41
    assert list(builder_list) == [10, 20, 30, 41] and list(builder_list.as_reader()) == list(
        builder_list
    )
    assert len(r.texts) == 0 and list(r.structs) == []  # null lists are empty
    assert not r.has_texts()


def test_copying_lists_and_structs() -> None:
    src = f.Lists.new_message()
    src.set_texts(["a", "b"])
    s = src.init_structs(2)
    s[0].i64 = -1
    dst = f.Lists.new_message()
    dst.set_texts(src.as_reader().texts)  # a typed list: deep copy
    dst.set_structs(src.structs)  # a builder list too
    assert list(dst.as_reader().texts) == ["a", "b"]
    assert dst.as_reader().structs[0].i64 == -1
    holder = f.Defaults.new_message()
    holder.set_scalars(s[0])
    assert holder.as_reader().scalars.i64 == -1
    holder.set_scalars(f.Scalars.from_bytes(s[0].to_bytes()))  # from another message
    assert holder.as_reader().scalars.i64 == -1
    # to_bytes() of a non-root builder: a message holding a copy of it.
    assert f.Scalars.from_bytes(s[0].to_bytes()).i64 == -1


def test_set_list_rejects_what_it_cannot_store() -> None:
    b = f.Lists.new_message()
    with pytest.raises(BuilderError):
        b.set_u16s([70000])
    with pytest.raises(BuilderError):
        b.set_f32s([1e300])
    with pytest.raises(BuilderError):
        f.Anys.new_message().set_any(3.5)


# -- unions and groups --------------------------------------------------------------------------


def test_anonymous_union() -> None:
    b = f.Shape.new_message()
    assert b.which() is f.Shape.Which.CIRCLE
    b.circle = 2.0
    assert b.which() is f.Shape.Which.CIRCLE and b.circle == 2.0
    rect = b.init_rectangle()
    assert b.which() is f.Shape.Which.RECTANGLE
    assert (rect.width, rect.height) == (0.0, 0.0)  # cleared: the circle shared its bytes
    rect.width, rect.height = 3.0, 4.0
    r = b.as_reader()
    assert (r.rectangle.width, r.rectangle.height) == (3.0, 4.0)
    assert not r.has_polygon()
    pts = b.init_polygon(2)
    pts[1].x = -5
    r = f.Shape.from_bytes(b.to_bytes())
    assert r.which() == f.Shape.Which.POLYGON and r.has_polygon()
    assert [(p.x, p.y) for p in r.polygon] == [(0, 0), (-5, 0)]
    b.nothing = None
    assert b.which() is f.Shape.Which.NOTHING and not b.has_polygon()


def test_named_union_and_nested_groups() -> None:
    b = f.Shape.new_message()
    style = b.style
    assert style.which() is f.Shape.Style.Which.PLAIN
    style.filled = f.Color.BLUE
    assert style.which() is f.Shape.Style.Which.FILLED
    outlined = style.init_outlined()
    assert style.which() is f.Shape.Style.Which.OUTLINED
    # init_ cleared the group: its fields read as their defaults (green, 1), not the filled color.
    assert (outlined.color, outlined.thickness) == (f.Color.GREEN, 1)
    outlined.dash.on = 3
    outlined.dash.off = 4
    outlined.thickness = 7
    r = f.Shape.from_bytes(b.to_bytes()).style
    assert r.which() is f.Shape.Style.Which.OUTLINED
    assert (r.outlined.thickness, r.outlined.dash.on, r.outlined.dash.off) == (7, 3, 4)
    again = b.style.init_outlined()
    assert (again.thickness, again.dash.on) == (1, 0)


def test_unknown_union_member() -> None:
    b = f.Shape.new_message()
    b._b.set_primitive(struct.Struct("<H"), 8, 42)  # the anonymous union's tag at byte 8
    which = b.as_reader().which()
    assert which == 42 and which.name == "UNKNOWN_42"


# -- names ----------------------------------------------------------------------------------------


def test_python_names() -> None:
    b = f.Pythonic.new_message()
    b.return_ = 1
    b.class_ = "c"
    b.bool_ = True
    b.int_ = 2
    b.which_ = 3
    b.to_bytes_ = 4
    b.foo = "foo"
    b.has_foo = True  # the field hasFoo ...
    assert b.has_foo_()  # ... and foo's has_ helper
    b.type_ = 5
    b.property_ = 6.5
    b.set_from([1, 2])
    b.init_reader().lambda_ = 8
    b.kind = f.Pythonic.None_.IMPORT
    r = f.Pythonic.from_bytes(b.to_bytes())
    assert (r.return_, r.class_, r.bool_, r.int_, r.which_, r.to_bytes_) == (1, "c", True, 2, 3, 4)
    assert (r.foo, r.has_foo, r.type_, r.property_, r.none) == ("foo", True, 5, 6.5, None)
    assert list(r.from_) == [1, 2] and r.reader.lambda_ == 8
    assert r.kind is f.Pythonic.None_.IMPORT
    assert f.Pythonic.Reader_ is f.Pythonic_Reader_  # the nested struct named Reader
    assert f.Pythonic.Reader is f.Pythonic_Reader


# -- generics -------------------------------------------------------------------------------------


def test_generic_bindings() -> None:
    b = f.Generics.new_message()
    tb = b.init_text_box()
    tb.set_value("hello")
    tb.label = "greeting"
    tb.pair.set_first("first")
    tb.pair.count = 2
    sb = b.init_scalar_box()
    sb.init_value().i32 = -9
    lb = b.init_list_box()
    ints = lb.init_value(3)
    ints[2] = 30
    bb = b.init_box_box()
    bb.init_value().set_value(b"\x01\x02")
    pair = b.init_pair()
    pair.set_left("left")
    pair.init_right().u8 = 200
    pair.init_inner().init_value().f64 = 0.25
    b.init_unbound().value.set_text("any")
    boxes = b.init_boxes(2)
    boxes[1].set_value("second")

    r = f.Generics.from_bytes(b.to_bytes())
    assert r.text_box.value == "hello" and r.text_box.label == "greeting"
    assert (r.text_box.pair.first, r.text_box.pair.count) == ("first", 2)
    assert r.scalar_box.value.i32 == -9
    assert list(r.list_box.value) == [0, 0, 30]
    assert r.box_box.value.value == b"\x01\x02"
    assert r.pair.left == "left" and r.pair.right.u8 == 200
    assert r.pair.inner.value.f64 == 0.25
    assert r.unbound.value.get_as_text() == "any"
    assert [x.value for x in r.boxes] == ["", "second"]
    # Builder getters go through the same bindings.
    assert b.scalar_box.value.i32 == -9 and b.text_box.value == "hello"
    # An entry point reads a generic struct's parameters as AnyPointer.
    box = f.Box.from_bytes(r.text_box.to_bytes())
    assert box.value.get_as_text() == "hello"


# -- AnyPointer, capabilities, imports ------------------------------------------------------------


def test_any_pointers() -> None:
    b = f.Anys.new_message()
    s = b.any.init_as(f.Scalars)
    s.i16 = 12
    b.any_struct.init_as(f.Shape.Point).x = 3
    b.any_list.set_as(b.as_reader().any.get_as(f.Scalars).as_builder().as_reader())
    r = f.Anys.from_bytes(b.to_bytes())
    assert r.any.get_as(f.Scalars).i16 == 12
    assert r.any.pointer_type().value == "struct"
    assert r.any_struct.get_as(f.Shape.Point).x == 3
    assert r.has_any_list() and r.any.total_size()[0] > 0
    b.set_any("text now")
    assert b.as_reader().any.get_as_text() == "text now"
    b.any.clear()
    assert b.as_reader().any.is_null()
    b.init_shape().corners = 5
    polygon = f.Anys.from_bytes(b.to_bytes()).shape
    assert isinstance(polygon, shapes_capnp.Polygon.Reader) and polygon.corners == 5


def test_capabilities_resolve_through_the_cap_table() -> None:
    hook = object()
    b = f.Anys.new_message()
    b.greeter = f.Greeter.Client(hook)
    b.set_cap(rt.Client("other"))
    assert b.greeter.hook is hook
    r = f.Anys.read(b._b.message.as_reader())
    assert r.greeter.hook is hook and r.cap.hook == "other"
    # Read from bytes, without a capability table: broken capabilities, not exceptions.
    again = f.Anys.from_bytes(b.to_bytes())
    assert isinstance(again.greeter.hook, rt.BrokenCapability)
    assert f.Anys.new_message().as_reader().greeter.hook is None
    lst = f.Lists.new_message().init_clients(1)
    lst[0] = f.LoudGreeter.Client(hook)
    assert lst[0].hook is hook


# -- interfaces -----------------------------------------------------------------------------------


def test_client_requests_and_rpc_stub() -> None:
    client = f.LoudGreeter.Client()
    request = client.greet_request()  # inherited from Greeter
    request.params.name = "Ada"
    assert request.params.times == 1  # the parameter's default
    assert (request.interface_id, request.method_id) == (f.Greeter.type_id, 0)
    with pytest.raises(NotImplementedError, match="RPC not implemented yet"):
        request.send()
    shout = client.shout_request()
    shout.params.set_words(["HI"])
    assert (int(f.LoudGreeter.Methods.SHOUT), int(f.Greeter.Methods.SHAPE)) == (0, 1)
    shape = client.shape_request()
    shape.params.name = "a named struct as the parameters"


class _Greeter(f.LoudGreeter.Server):
    def greet(
        self, params: f.Greeter.GreetParams.Reader, results: f.Greeter.GreetResults.Builder
    ) -> None:
        results.greeting = ("hello " + params.name + "! ") * params.times


def test_server_dispatch() -> None:
    params = f.Greeter.GreetParams.new_message()
    params.name = "Bob"
    params.times = 2
    results = MessageBuilder().init_root(0, 1)
    _Greeter().dispatch_call(f.Greeter.type_id, 0, params.as_reader()._r, results)
    assert f.Greeter.GreetResults.read(results.message.as_reader()).greeting == (
        "hello Bob! hello Bob! "
    )
    with pytest.raises(NotImplementedError, match="Greeter.shape"):
        _Greeter().dispatch_call(
            f.Greeter.type_id, 1, params.as_reader()._r, MessageBuilder().init_root(1, 1)
        )
    with pytest.raises(NotImplementedError, match="method 9"):
        _Greeter().dispatch_call(f.Greeter.type_id, 9, params.as_reader()._r, results)


def test_generic_interface_falls_back_to_any_pointer() -> None:
    request = f.Store.Client().put_request()
    request.params.key.set_text("k")
    request.params.init_meta().set_as(b"meta")
    assert request.params.as_reader().key.get_as_text() == "k"


# -- constants ------------------------------------------------------------------------------------


def test_constants() -> None:
    assert (f.ANSWER, f.PI, f.GREETING, f.BLOB, f.FLAG, f.NOTHING) == (
        42, 3.14159, "hello", b"\xde\xad\xbe\xef", True, None
    )  # fmt: skip
    assert f.FAVOURITE is f.Color.DARK_GOLDEN_ROD
    assert (f.ORIGIN.x, f.ORIGIN.y) == (1, -1)
    assert list(f.PRIMES) == [2, 3, 5, 7] and list(f.WORDS) == ["one", "two"]
    assert f.Consts.INNER == 7 and f.Consts.POINT.x == 3
    # Constants are readers of embedded messages, reusable forever (no traversal budget).
    for _ in range(3):
        assert sum(f.PRIMES) == 17


def test_module_surface() -> None:
    assert f.FILE_ID == 0xC1F2A3B4D5E6F708 and f.FILE_ID_ == 1
    assert "Scalars" in f.__all__ and "ANSWER" in f.__all__
    assert f.Scalars.Reader.__module__ == f.__name__
    assert (f.Scalars.data_words, f.Scalars.pointer_count) == (6, 0)


# -- hostile input --------------------------------------------------------------------------------


def _sample_message() -> bytes:
    b = f.Shape.new_message()
    b.name = "sample"
    pts = b.init_polygon(3)
    pts[2].y = 7
    b.style.init_outlined().dash.on = 1
    b.init_origin().x = 4
    return b.to_bytes()


def test_bit_flips_only_raise_purecap_errors(nodes: Dict[int, model.Node]) -> None:
    # Every field read through generated readers on corrupted input either works or raises a
    # purecap error (DecodeError), never IndexError/struct.error/UnicodeDecodeError...
    data = bytearray(_sample_message())
    node = nodes[f.Shape.type_id]
    rng = random.Random(5)
    outcomes = {"ok": 0, "error": 0}
    for _ in range(300):
        corrupt = bytearray(data)
        for _ in range(rng.randrange(1, 4)):
            i = rng.randrange(8, len(corrupt))  # keep the segment table
            corrupt[i] ^= 1 << rng.randrange(8)
        try:
            normalize_struct(struct_value(f.Shape.from_bytes(bytes(corrupt)), node, nodes),
                             node, nodes)  # fmt: skip
            outcomes["ok"] += 1
        except PurecapError:
            outcomes["error"] += 1
    assert outcomes["ok"] > 0 and outcomes["error"] > 0


def test_invalid_text_is_a_decode_error() -> None:
    b = f.Shape.new_message()
    b.name = "abc"
    data = bytearray(b.to_bytes())
    data[data.index(b"abc")] = 0xFF
    with pytest.raises(InvalidText):
        f.Shape.from_bytes(bytes(data)).name
    assert issubclass(InvalidText, DecodeError)


def test_traversal_limit_applies() -> None:
    b = f.Lists.new_message()
    b.init_i32s(1000)
    data = b.to_bytes()
    with pytest.raises(DecodeError, match="traversal limit"):
        f.Lists.from_bytes(data, traversal_limit_in_words=100)  # the message is larger
    r = f.Lists.from_bytes(data, traversal_limit_in_words=600)
    assert len(r.i32s) == 1000  # 500 words read
    with pytest.raises(DecodeError, match="limit"):
        r.i32s  # 500 more: past 600
    assert len(f.Lists.from_bytes(data, traversal_limit_in_words=None).i32s) == 1000



def test_entry_points() -> None:
    message = MessageBuilder()
    root = f.Scalars.init_root(message)
    root.i16 = -2
    assert f.Scalars.get_root(message).i16 == -2
    assert root.to_bytes() == write_message(message)  # the root's own message, as is
    segments = message.to_segments()
    assert f.Scalars.from_segments(segments).i16 == -2
    assert f.Scalars.read(message.as_reader()).i16 == -2
    flat = MessageBuilder(first_segment_words=16)
    f.Scalars.init_root(flat).u8 = 9
    assert f.Scalars.from_flat_bytes(bytes(flat.segments_for_output()[0])).u8 == 9


def test_init_data_is_a_writable_view() -> None:
    b = f.Defaults.new_message()
    view = b.init_data(3)
    view[:] = b"xyz"
    assert b.as_reader().data == b"xyz"
