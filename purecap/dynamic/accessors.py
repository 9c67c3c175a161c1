"""Field accessors: for each field, small functions with its layout baked in.

:func:`build` gives a :class:`~purecap.dynamic.schema.FieldInfo` its functions, each taking the
wrapper object (whose ``_s`` is the wire :class:`~purecap.wire.reader.StructReader` or
:class:`~purecap.wire.builder.StructBuilder`):

* ``get_r(wrapper)``: the field's value read from a reader;
* ``get_b(wrapper)``: the same from a builder (struct and list fields return builders);
* ``set_b(wrapper, value)``: store ``value``. For numbers this is the fast path: it hands the
  value to ``struct.pack_into``, which refuses anything that is no number of the right range;
  ``set_checked`` then finds out why and raises the precise error (:func:`store` does both);
* ``init_b(wrapper, size)``: ``init(name, size)`` for this field.

The struct types install ``get_r``/``get_b``/``set_b`` as properties of their reader and builder
classes, so ``person.id`` is one property call doing one ``unpack_from`` - the work generated code
would do, with the offset, format and default captured in a closure instead of written into the
source.

Data fields are stored XORed with their default (encoding spec, "Default values"); a field past
the end of the data section (written by an older schema) reads as its default. Wire readers and
builders share their attribute names (``segment``, ``data_offset``, ``data_size``), so the data
getters serve both.
"""

from __future__ import annotations

import math
import struct
import types
from typing import Any, Callable, Optional, Tuple, TypeVar

from purecap.dynamic.errors import (
    InactiveUnionMember,
    NotAPointerField,
    ValueOutOfRange,
    WrongValueType,
)
from purecap.dynamic.schema import (
    FLOAT_BITS_FORMATS,
    INT_RANGES,
    FieldInfo,
    StructSchema,
    type_name,
)
from purecap.wire.builder import StructBuilder

__all__ = [
    "build",
    "switch_union",
    "check_active",
    "value_error",
    "as_int",
    "as_float",
    "enum_number",
    "float32_bits",
    "not_a_pointer",
    "kind_name",
    "store",
    "FAST_SETTER_ERRORS",
]

Getter = Callable[[Any], Any]
Setter = Callable[[Any, Any], None]
_F = TypeVar("_F", bound=Callable[..., Any])

_U16 = struct.Struct("<H")
_F32 = struct.Struct("<f")
_U32 = struct.Struct("<I")
_F64 = struct.Struct("<d")
_U64 = struct.Struct("<Q")
_INF = math.inf


def value_error(info: FieldInfo, schema: StructSchema, value: Any, expected: str) -> WrongValueType:
    return WrongValueType(
        f"{schema.struct_type.name}.{info.name} is {type_name(info.type)}: expected {expected}, "
        f"got {type(value).__name__} {_short_repr(value)}"
    )


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# ---------------------------------------------------------------------------------------------
# Unions


def check_active(s: Any, schema: StructSchema, info: FieldInfo) -> None:
    """Raise :class:`InactiveUnionMember` unless ``info`` is the union's active member."""
    off = schema.discriminant_offset
    d = _U16.unpack_from(s.segment, s.data_offset + off)[0] if off + 2 <= s.data_size else 0
    if d != info.discriminant:
        active = schema.tag(d)
        raise InactiveUnionMember(
            f"{schema.struct_type.name}.{info.name} is not the active member of its union "
            f"(the active member is {str(active) or d!r}); set it first, or check which()"
        )


def switch_union(s: StructBuilder, schema: StructSchema, info: FieldInfo) -> None:
    """Make ``info`` the active union member: set the discriminant and, when another member was
    active, null the pointers that member used and ``info`` does not (so nothing stale stays
    reachable; C++ itself only sets the discriminant)."""
    off = schema.discriminant_offset
    seg = s.segment
    at = s.data_offset + off
    d = _U16.unpack_from(seg, at)[0]
    new = info.discriminant
    if d == new:
        return
    members = schema.union_by_discriminant
    if d < len(members):
        old = members[d]
        if old is not None:
            for p in old.pointer_slots - info.pointer_slots:
                s.clear_pointer(p)
    assert new is not None
    _U16.pack_into(seg, at, new)


def _union_getter(get: Getter, info: FieldInfo, schema: StructSchema) -> Getter:
    off = schema.discriminant_offset
    end = off + 2
    want = info.discriminant
    unpack = _U16.unpack_from

    def union_member(self: Any) -> Any:
        s = self._s
        d = unpack(s.segment, s.data_offset + off)[0] if end <= s.data_size else 0
        if d != want:
            check_active(s, schema, info)
        return get(self)

    return union_member


def _member_getter(info: FieldInfo, schema: StructSchema, builder: bool) -> Optional[Getter]:
    """For the union members read most (numbers without default, structs, groups: the nodes of
    a tree), one function doing the discriminant check and the read: a call less than
    :func:`_union_getter`'s wrapper. ``None`` for other fields."""
    doff = schema.discriminant_offset
    dend = doff + 2
    want = info.discriminant
    u16 = _U16.unpack_from
    k = info.type.kind
    get: Getter
    if info.slot_kind == "group":
        st = info.type.struct
        assert st is not None
        wrap = st.wrap_builder if builder else st.wrap_reader

        def get(self: Any) -> Any:
            s = self._s
            if (u16(s.segment, s.data_offset + doff)[0] if dend <= s.data_size else 0) != want:
                check_active(s, schema, info)
            return wrap(s)

    elif k == "struct" and not builder:
        st = info.type.struct
        assert st is not None
        wrap = st.wrap_reader
        index = info.pointer
        default = info.default

        def get(self: Any) -> Any:
            s = self._s
            if (u16(s.segment, s.data_offset + doff)[0] if dend <= s.data_size else 0) != want:
                check_active(s, schema, info)
            return wrap(s.get_struct(index, default))

    elif info.slot_kind == "data" and k != "enum" and info.default == 0:
        fmt = info.fmt
        assert fmt is not None
        unpack = fmt.unpack_from
        off = info.byte_offset
        end = off + fmt.size
        zero: Any = 0.0 if k in FLOAT_BITS_FORMATS else 0

        def get(self: Any) -> Any:
            s = self._s
            if (u16(s.segment, s.data_offset + doff)[0] if dend <= s.data_size else 0) != want:
                check_active(s, schema, info)
            if end <= s.data_size:
                return unpack(s.segment, s.data_offset + off)[0]
            return zero

    else:
        return None
    return get


def _union_setter(set_: Setter, info: FieldInfo, schema: StructSchema) -> Setter:
    def union_member(self: Any, value: Any) -> None:
        set_(self, value)  # checks the value first: a refused value switches nothing
        switch_union(self._s, schema, info)

    return union_member


# ---------------------------------------------------------------------------------------------
# Data fields


def _void_getter() -> Getter:
    def get(self: Any) -> None:
        return None

    return get


def _void_setter(info: FieldInfo, schema: StructSchema) -> Setter:
    def set_(self: Any, value: Any) -> None:
        if value is not None:
            raise value_error(info, schema, value, "None")

    return set_


def _bool_getter(info: FieldInfo) -> Getter:
    byte = info.bit_offset >> 3
    mask = 1 << (info.bit_offset & 7)
    default: bool = info.default

    def get(self: Any) -> bool:
        s = self._s
        if byte < s.data_size:
            return bool(s.segment[s.data_offset + byte] & mask != 0) != default
        return default

    return get


def _bool_setter(info: FieldInfo, schema: StructSchema) -> Setter:
    # No bounds check in the setters: a builder's struct is always at least this schema's size
    # (init_* allocate it so, get_* upgrade a smaller one, C++ getWritableStructPointer).
    byte = info.bit_offset >> 3
    mask = 1 << (info.bit_offset & 7)
    default: bool = info.default

    def set_(self: Any, value: Any) -> None:
        if value.__class__ is not bool:
            raise value_error(info, schema, value, "a bool")
        s = self._s
        at = s.data_offset + byte
        if value != default:
            s.segment[at] |= mask
        else:
            s.segment[at] &= ~mask & 0xFF

    return set_


def _number_getter(info: FieldInfo) -> Getter:
    """Integers, and floats whose default is zero (no XOR needed)."""
    fmt = info.fmt
    assert fmt is not None
    unpack = fmt.unpack_from
    off = info.byte_offset
    end = off + fmt.size
    default: int = info.default if info.type.kind not in FLOAT_BITS_FORMATS else 0
    zero: Any = 0.0 if info.type.kind in FLOAT_BITS_FORMATS else 0
    if default == 0:

        def get(self: Any) -> Any:
            s = self._s
            if end <= s.data_size:
                return unpack(s.segment, s.data_offset + off)[0]
            return zero

    else:

        def get(self: Any) -> Any:
            s = self._s
            if end <= s.data_size:
                return unpack(s.segment, s.data_offset + off)[0] ^ default
            return default

    return get


def _float_default_getter(info: FieldInfo) -> Getter:
    """A float with a non-zero default: XOR its bit pattern, then reinterpret."""
    double = info.type.kind == "float64"
    bits = (_U64 if double else _U32)
    value = (_F64 if double else _F32)
    unpack_bits = bits.unpack_from
    pack_bits = bits.pack
    unpack_value = value.unpack
    off = info.byte_offset
    end = off + bits.size
    default: int = info.default

    def get(self: Any) -> float:
        s = self._s
        raw = unpack_bits(s.segment, s.data_offset + off)[0] if end <= s.data_size else 0
        result: float = unpack_value(pack_bits(raw ^ default))[0]
        return result

    return get


def _enum_getter(info: FieldInfo) -> Getter:
    off = info.byte_offset
    end = off + 2
    unpack = _U16.unpack_from
    default: int = info.default
    cls: Any = info.type.enum
    members = cls._members
    count = len(members)
    unknown = cls.unknown

    def get(self: Any) -> Any:
        s = self._s
        v = unpack(s.segment, s.data_offset + off)[0] ^ default if end <= s.data_size else default
        return members[v] if v < count else unknown(v)

    return get


def as_int(value: Any, kind: str, where: Callable[[str], WrongValueType]) -> int:
    """``value`` as an int of ``kind``'s range (``where`` makes the type error's message).
    Any ``int`` will do, ``bool`` included (as in Python, and as struct.pack takes it)."""
    if value.__class__ is not int:
        if not isinstance(value, int):
            raise where("an int")
        value = int(value)
    lo, hi = INT_RANGES[kind]
    if not lo <= value <= hi:
        raise ValueOutOfRange(f"{value} is out of range for {kind_name(kind)} ({lo}..{hi})")
    return int(value)


def as_float(value: Any, where: Callable[[str], WrongValueType]) -> float:
    if value.__class__ is float:
        return float(value)
    if isinstance(value, (int, float)):
        try:
            return float(value)
        except OverflowError:  # an int beyond any float
            raise ValueOutOfRange(f"{value} is out of range for a float") from None
    raise where("a float or int")


def float32_bits(value: float) -> int:
    """The Float32 bit pattern of ``value``; beyond Float32's range, infinity (what C++'s
    double-to-float conversion gives on IEEE machines)."""
    try:
        packed = _F32.pack(value)
    except OverflowError:
        packed = _F32.pack(math.copysign(_INF, value))
    result: int = _U32.unpack(packed)[0]
    return result


def kind_name(kind: str) -> str:
    from purecap.dynamic.schema import PRIMITIVES

    t = PRIMITIVES.get(kind)
    return type_name(t) if t is not None else kind


def _int_setters(info: FieldInfo, schema: StructSchema) -> Tuple[Setter, Setter]:
    """The fast setter lets pack_into check the value: ``value ^ default`` fits the field's
    type exactly when ``value`` does (both sign-extended, or both zero-extended, in its
    width), so a bad value raises struct.error (out of range, not an integer; ValueError on
    PyPy) or TypeError (``^`` of a non-integer); the checked setter then says which."""
    fmt = info.fmt
    assert fmt is not None
    pack = fmt.pack_into
    off = info.byte_offset
    kind = info.type.kind
    default: int = info.default

    def checked(self: Any, value: Any) -> None:
        number = as_int(value, kind, lambda e: value_error(info, schema, value, e))
        s = self._s
        pack(s.segment, s.data_offset + off, number ^ default)

    if default == 0:

        def fast(self: Any, value: Any) -> None:
            s = self._s
            pack(s.segment, s.data_offset + off, value)

    else:

        def fast(self: Any, value: Any) -> None:
            s = self._s
            pack(s.segment, s.data_offset + off, value ^ default)

    return fast, checked


def _float_setters(info: FieldInfo, schema: StructSchema) -> Tuple[Setter, Setter]:
    """As for integers: pack_into refuses what is no number (struct.error) and a Float32
    beyond range (OverflowError), where the checked setter stores infinity, as C++ does."""
    double = info.type.kind == "float64"
    off = info.byte_offset
    default: int = info.default
    pack_value = (_F64 if double else _F32).pack_into
    pack_bits = (_U64 if double else _U32).pack_into

    def checked(self: Any, value: Any) -> None:
        number = as_float(value, lambda e: value_error(info, schema, value, e))
        bits = _U64.unpack(_F64.pack(number))[0] if double else float32_bits(number)
        s = self._s
        pack_bits(s.segment, s.data_offset + off, bits ^ default)

    if default != 0:
        return checked, checked

    def fast(self: Any, value: Any) -> None:
        s = self._s
        pack_value(s.segment, s.data_offset + off, value)

    return fast, checked


def enum_number(value: Any, cls: Any, where: Callable[[str], WrongValueType]) -> int:
    """The UInt16 to store for ``value``: a member, an enumerant name or a number."""
    if value.__class__ is cls:
        return int(value)
    if isinstance(value, str):
        return int(cls[value])
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value <= 0xFFFF:
            raise ValueOutOfRange(f"{value} is out of range for enum {cls.__name__} (0..65535)")
        return int(value)
    raise where(f"a {cls.__name__} enumerant (member, name or number)")


def _enum_setter(info: FieldInfo, schema: StructSchema) -> Setter:
    off = info.byte_offset
    pack = _U16.pack_into
    default: int = info.default
    cls: Any = info.type.enum

    def set_(self: Any, value: Any) -> None:
        if value.__class__ is cls:
            number = value  # a member is an int: pack_into takes it as it is
        else:
            number = enum_number(value, cls, lambda e: value_error(info, schema, value, e))
        s = self._s
        pack(s.segment, s.data_offset + off, number ^ default)

    return set_


# ---------------------------------------------------------------------------------------------
# Pointer fields


def _text_getter(info: FieldInfo) -> Getter:
    index = info.pointer
    default: str = info.default if info.default is not None else ""

    def get(self: Any) -> str:
        text: str = self._s.get_text(index, default)
        return text

    return get


def _data_getter(info: FieldInfo) -> Getter:
    index = info.pointer
    default: bytes = info.default if info.default is not None else b""

    def get(self: Any) -> bytes:
        data: bytes = self._s.get_data(index, default)
        return data

    return get


def _text_setter(info: FieldInfo, schema: StructSchema) -> Setter:
    index = info.pointer

    def set_(self: Any, value: Any) -> None:
        if isinstance(value, str):
            self._s.set_text(index, value)
        elif isinstance(value, (bytes, bytearray, memoryview)):
            self._s.set_text(index, bytes(value))
        elif value is None:
            self._s.clear_pointer(index)
        else:
            raise value_error(info, schema, value, "a str")

    return set_


def _data_setter(info: FieldInfo, schema: StructSchema) -> Setter:
    index = info.pointer

    def set_(self: Any, value: Any) -> None:
        if isinstance(value, (bytes, bytearray, memoryview)):
            self._s.set_data(index, value)
        elif value is None:
            self._s.clear_pointer(index)
        else:
            raise value_error(info, schema, value, "bytes")

    return set_


def _struct_reader_getter(info: FieldInfo) -> Getter:
    index = info.pointer
    default = info.default
    st = info.type.struct
    assert st is not None
    wrap = st.wrap_reader

    def get(self: Any) -> Any:
        return wrap(self._s.get_struct(index, default))

    return get


def _struct_builder_getter(info: FieldInfo) -> Getter:
    index = info.pointer
    default = info.default
    st = info.type.struct
    assert st is not None
    wrap = st.wrap_builder
    words = st.node.struct.data_word_count
    pointers = st.node.struct.pointer_count

    def get(self: Any) -> Any:
        return wrap(self._s.get_struct(index, words, pointers, default))

    return get


def _list_reader_getter(info: FieldInfo) -> Getter:
    index = info.pointer
    default = info.default
    element = info.type.element
    assert element is not None
    lt = element.list_type()
    wrap = lt.wrap_reader
    expected = element.element_size

    def get(self: Any) -> Any:
        return wrap(self._s.get_list(index, expected, default))

    return get


def _list_builder_getter(info: FieldInfo) -> Getter:
    index = info.pointer
    default = info.default
    element = info.type.element
    assert element is not None
    lt = element.list_type()
    wrap = lt.wrap_builder
    if element.kind == "struct":
        words, pointers = lt.data_words, lt.pointer_count

        def get(self: Any) -> Any:
            return wrap(self._s.get_struct_list(index, words, pointers, default))

    else:
        element_size = element.element_size

        def get(self: Any) -> Any:
            return wrap(self._s.get_list(index, element_size, default))

    return get


def _any_reader_getter(info: FieldInfo) -> Getter:
    from purecap.dynamic.anypointer import AnyPointerReader

    index = info.pointer
    t = info.type

    def get(self: Any) -> Any:
        return AnyPointerReader(self._s.get_pointer(index), t)

    return get


def _any_builder_getter(info: FieldInfo) -> Getter:
    from purecap.dynamic.anypointer import AnyPointerBuilder

    index = info.pointer
    t = info.type

    def get(self: Any) -> Any:
        return AnyPointerBuilder(self._s.get_pointer(index), t)

    return get


def _capability_getter(info: FieldInfo, builder: bool) -> Getter:
    from purecap.dynamic.anypointer import read_capability

    index = info.pointer
    interface = info.type.interface

    def get(self: Any) -> Any:
        s = self._s.as_reader() if builder else self._s
        return read_capability(s.arena, s.get_capability(index), interface)

    return get


def _pointer_setter(info: FieldInfo, schema: StructSchema) -> Setter:
    """Struct, list, AnyPointer and interface fields: anything :func:`values.set_pointer`
    accepts for the type."""
    from purecap.dynamic.values import set_pointer

    index = info.pointer
    t = info.type

    def where(expected: str, value: Any) -> WrongValueType:
        return value_error(info, schema, value, expected)

    def set_(self: Any, value: Any) -> None:
        set_pointer(self._s.get_pointer(index), t, value, where)

    return set_


# ---------------------------------------------------------------------------------------------
# Groups


def _group_getter(info: FieldInfo, builder: bool) -> Getter:
    st = info.type.struct
    assert st is not None
    wrap = st.wrap_builder if builder else st.wrap_reader

    def get(self: Any) -> Any:
        return wrap(self._s)

    return get


def _group_setter(info: FieldInfo, schema: StructSchema) -> Setter:
    st = info.type.struct
    assert st is not None
    from purecap.dynamic.structs import DynamicStructBuilder, DynamicStructReader, clear_group

    def set_(self: Any, value: Any) -> None:
        if not isinstance(value, (dict, DynamicStructReader, DynamicStructBuilder)):
            raise value_error(info, schema, value, "a dict or a reader of the group")
        group = st.wrap_builder(self._s)
        clear_group(group)
        group._assign(value)

    return set_


# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# init(name, size)

Initializer = Callable[[Any, Optional[int]], Any]


def _size(info: FieldInfo, size: Any, what: str) -> int:
    if size is None:
        raise WrongValueType(f"{info.name} is {what}: init() needs its size")
    if size.__class__ is not int or size < 0:
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise WrongValueType(f"a list size must be a non-negative int, not {size!r}")
    return int(size)


def _no_size(info: FieldInfo, size: Any) -> None:
    if size is not None:
        raise WrongValueType(f"{info.name} is a {type_name(info.type)}: init() takes no size")


def _initializer(info: FieldInfo, schema: StructSchema) -> Initializer:
    """``init(name, size)`` for one field: a new struct, list or Data of ``size`` bytes, a
    cleared AnyPointer or group; anything else is refused."""
    k = info.type.kind
    index = info.pointer
    init: Initializer
    if info.slot_kind == "group":
        from purecap.dynamic.structs import clear_group

        st = info.type.struct
        assert st is not None
        wrap = st.wrap_builder

        def init(self: Any, size: Optional[int]) -> Any:
            _no_size(info, size)
            group = wrap(self._s)
            clear_group(group)
            return group

    elif info.slot_kind != "pointer" or k == "interface":

        def init(self: Any, size: Optional[int]) -> Any:
            raise not_a_pointer(info, schema, "init()")

    elif k == "struct":
        st = info.type.struct
        assert st is not None
        wrap = st.wrap_builder
        words = st.data_words
        pointers = st.pointer_count

        def init(self: Any, size: Optional[int]) -> Any:
            if size is not None:
                _no_size(info, size)
            return wrap(self._s.init_struct(index, words, pointers))

    elif k == "list":
        element = info.type.element
        assert element is not None
        lt = element.list_type()
        wrap_list = lt.wrap_builder
        if element.kind == "struct":
            words, pointers = lt.data_words, lt.pointer_count

            def init(self: Any, size: Optional[int]) -> Any:
                if size.__class__ is not int or size < 0:
                    size = _size(info, size, "a list")
                return wrap_list(self._s.init_struct_list(index, size, words, pointers))

        else:
            element_size = element.element_size

            def init(self: Any, size: Optional[int]) -> Any:
                if size.__class__ is not int or size < 0:
                    size = _size(info, size, "a list")
                return wrap_list(self._s.init_list(index, element_size, size))

    elif k == "data":

        def init(self: Any, size: Optional[int]) -> Any:
            return self._s.init_data(index, _size(info, size, "Data (bytes)"))

    elif k == "anyPointer":
        from purecap.dynamic.anypointer import AnyPointerBuilder

        t = info.type

        def init(self: Any, size: Optional[int]) -> Any:
            _no_size(info, size)
            s = self._s
            s.clear_pointer(index)
            return AnyPointerBuilder(s.get_pointer(index), t)

    else:  # text

        def init(self: Any, size: Optional[int]) -> Any:
            raise WrongValueType(f"{info.name} is Text: set it by assignment, not init()")

    if info.discriminant is None or (info.slot_kind != "pointer" and info.slot_kind != "group"):
        return init
    inner = init

    def init_member(self: Any, size: Optional[int]) -> Any:
        result = inner(self, size)
        switch_union(self._s, schema, info)
        return result

    return init_member


_DATA_KINDS = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")


def build(info: FieldInfo, schema: StructSchema) -> None:
    """Give ``info`` its accessors: ``get_r``, ``get_b``, ``set_b`` (fast), ``set_checked``
    and ``init_b``."""
    k = info.type.kind
    slot = info.slot_kind
    get_r: Getter
    get_b: Getter
    set_b: Setter
    set_checked: Optional[Setter] = None
    if slot == "group":
        get_r = _group_getter(info, False)
        get_b = _group_getter(info, True)
        set_b = _group_setter(info, schema)
    elif slot == "void":
        get_r = get_b = _void_getter()
        set_b = _void_setter(info, schema)
    elif slot == "bool":
        get_r = get_b = _bool_getter(info)
        set_b = _bool_setter(info, schema)
    elif k == "enum":
        get_r = get_b = _enum_getter(info)
        set_b = _enum_setter(info, schema)
    elif k in _DATA_KINDS:
        get_r = get_b = _number_getter(info)
        set_b, set_checked = _int_setters(info, schema)
    elif k in FLOAT_BITS_FORMATS:
        get_r = get_b = _number_getter(info) if info.default == 0 else _float_default_getter(info)
        set_b, set_checked = _float_setters(info, schema)
    elif k == "text":
        get_r = get_b = _text_getter(info)
        set_b = _text_setter(info, schema)
    elif k == "data":
        get_r = get_b = _data_getter(info)
        set_b = _data_setter(info, schema)
    elif k == "struct":
        get_r = _struct_reader_getter(info)
        get_b = _struct_builder_getter(info)
        set_b = _pointer_setter(info, schema)
    elif k == "list":
        get_r = _list_reader_getter(info)
        get_b = _list_builder_getter(info)
        set_b = _pointer_setter(info, schema)
    elif k == "interface":
        get_r = _capability_getter(info, False)
        get_b = _capability_getter(info, True)
        set_b = _pointer_setter(info, schema)
    else:  # anyPointer
        get_r = _any_reader_getter(info)
        get_b = _any_builder_getter(info)
        set_b = _pointer_setter(info, schema)
    if set_checked is None:
        set_checked = set_b  # a setter that checks everything itself
    if info.discriminant is not None:
        shared = get_r is get_b
        get_r = _member_getter(info, schema, False) or _union_getter(get_r, info, schema)
        get_b = (
            get_r if shared else
            _member_getter(info, schema, True) or _union_getter(get_b, info, schema)
        )
        if set_checked is set_b:
            set_b = set_checked = _union_setter(set_b, info, schema)
        else:
            set_b = _union_setter(set_b, info, schema)
            set_checked = _union_setter(set_checked, info, schema)
    owner = schema.struct_type.name.replace(".", "_")
    info.get_r = own_code(get_r, f"get_{owner}_{info.name}")
    info.get_b = get_b if get_b is get_r else own_code(get_b, f"get_{owner}_{info.name}_b")
    info.set_b = own_code(set_b, f"set_{owner}_{info.name}")
    info.set_checked = set_checked if set_checked is not set_b else info.set_b
    info.init_b = own_code(_initializer(info, schema), f"init_{owner}_{info.name}")


def own_code(function: _F, name: str) -> _F:
    """``function`` with a code object of its own, named ``name``.

    The closures made for every field share one code object per kind of field, and PyPy's JIT
    decides about inlining per code object: when a long loop (building a message, field after
    field) makes it stop inlining the shared setter, every field of that kind pays for a call.
    Giving each field its own code object lets the JIT judge them one by one, as it does the
    separate functions of generated code. (The name also shows in tracebacks and profiles.)"""
    code = function.__code__
    if hasattr(code, "co_qualname"):  # Python 3.11+
        code = code.replace(co_name=name, co_qualname=name)
    else:
        code = code.replace(co_name=name)
    copy = types.FunctionType(
        code, function.__globals__, name, function.__defaults__, function.__closure__
    )
    return copy  # type: ignore[return-value]


#: What a fast setter raises for a value it cannot store (then ``set_checked`` decides).
#: ValueError too: PyPy's struct raises it for a negative number packed as unsigned.
FAST_SETTER_ERRORS = (struct.error, OverflowError, TypeError, ValueError)


def store(obj: Any, info: FieldInfo, value: Any) -> None:
    """Set a field: the fast setter, or the checked one when the fast one refuses."""
    try:
        info.set_b(obj, value)
    except FAST_SETTER_ERRORS:
        if info.set_checked is info.set_b:
            raise
        info.set_checked(obj, value)


def not_a_pointer(info: FieldInfo, schema: StructSchema, what: str) -> NotAPointerField:
    return NotAPointerField(
        f"{what} needs a pointer or group field, but {schema.struct_type.name}.{info.name} is "
        f"{type_name(info.type)}"
    )
