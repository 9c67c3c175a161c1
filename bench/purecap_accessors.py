"""Typed accessors for ``bench/schemas/workloads.capnp``, written by hand.

STAND-IN: purecap has no code generator yet. Until it has, these classes are written by hand in
the shape the generator is meant to produce, so that the benchmarks measure what generated code
will cost:

* a ``XReader`` per struct holds one :class:`~purecap.wire.reader.StructReader` in ``_r``
  (``__slots__ = ("_r",)``); a ``XBuilder`` holds one
  :class:`~purecap.wire.builder.StructBuilder` in ``_b``;
* every data field is a property with its byte offset baked in and a module-level precompiled
  :class:`struct.Struct`, so a read is one ``unpack_from`` plus a bounds check (a field past the
  end of the data section was written by an older schema and reads as its default);
* a field with a non-zero default is stored XORed with it (encoding spec, "Default values");
* enums read as plain ``int`` (the enumerant's ordinal): an unknown enumerant from a newer schema
  must not fail, and building an ``IntEnum`` per read would cost more than the read itself;
* pointer fields go through the wire layer's validating readers (``get_text``, ``get_struct``,
  ``get_list``), which is where untrusted pointers are checked.

The offsets are the ones ``capnp compile -ocapnp`` assigns (quoted next to each class);
``bench/check_offsets.py`` asserts that they still match the schema.

Builders write without a bounds check: a builder's struct is always allocated with at least this
schema's size (``init_*`` allocate it, ``get_writable_struct`` upgrades smaller ones), so every
offset here is inside its data section.
"""

from __future__ import annotations

import struct
from typing import Callable, Generic, Iterator, Protocol, Tuple, Type, TypeVar, cast

from purecap.wire.builder import ListBuilder, MessageBuilder, StructBuilder
from purecap.wire.reader import Buffer, ListReader, MessageReader, StructReader

__all__ = [
    "Paint",
    "Operator",
    "StructListReader",
    "StructListBuilder",
    "ReadingReader",
    "ReadingBuilder",
    "TyreReader",
    "TyreBuilder",
    "MotorReader",
    "MotorBuilder",
    "VehicleReader",
    "VehicleBuilder",
    "LotReader",
    "LotBuilder",
    "HitReader",
    "HitBuilder",
    "HitListReader",
    "HitListBuilder",
    "ExprReader",
    "ExprBuilder",
    "ExprLhsReader",
    "ExprLhsBuilder",
    "ExprRhsReader",
    "ExprRhsBuilder",
    "init_root",
    "read_root",
]

T = TypeVar("T")


class _Field(Protocol[T]):
    """What these accessors use of a precompiled :class:`struct.Struct`, typed by the Python type
    it holds (a ``cast`` for mypy only: at run time these are plain ``struct.Struct`` objects)."""

    def unpack_from(self, buffer: Buffer, offset: int = 0) -> Tuple[T]: ...

    def pack_into(self, buffer: bytearray, offset: int, value: T) -> None: ...


_U8 = cast("_Field[int]", struct.Struct("<B"))
_U16 = cast("_Field[int]", struct.Struct("<H"))
_I16 = cast("_Field[int]", struct.Struct("<h"))
_U32 = cast("_Field[int]", struct.Struct("<I"))
_I32 = cast("_Field[int]", struct.Struct("<i"))
_I64 = cast("_Field[int]", struct.Struct("<q"))
_F32 = cast("_Field[float]", struct.Struct("<f"))
_F64 = cast("_Field[float]", struct.Struct("<d"))

_INLINE_COMPOSITE = 7  # ElementSize.INLINE_COMPOSITE: what a List(SomeStruct) must be


class Paint:
    """enum Paint: the ordinals that ``VehicleReader.paint`` returns."""

    WHITE = 0
    BLACK = 1
    GREY = 2
    RED = 3
    BLUE = 4
    GREEN = 5
    ORANGE = 6
    PURPLE = 7
    GOLD = 8


class Operator:
    """enum Operator."""

    PLUS = 0
    MINUS = 1
    TIMES = 2
    OVER = 3
    MODULO = 4


# -- lists of structs ------------------------------------------------------------------------

R = TypeVar("R")
B = TypeVar("B")


class StructListReader(Generic[R]):
    """A ``List(SomeStruct)`` as a sequence of typed readers (a generated module's runtime
    support; the element class is passed in)."""

    __slots__ = ("_l", "_wrap")

    def __init__(self, lst: ListReader, wrap: Callable[[StructReader], R]) -> None:
        self._l = lst
        self._wrap = wrap

    def __len__(self) -> int:
        return self._l.element_count

    def __getitem__(self, index: int) -> R:
        return self._wrap(self._l.get_struct(index))

    def __iter__(self) -> Iterator[R]:
        lst = self._l
        get = lst.get_struct
        wrap = self._wrap
        for i in range(lst.element_count):
            yield wrap(get(i))


class StructListBuilder(Generic[B]):
    """A ``List(SomeStruct)`` being built, as a sequence of typed builders."""

    __slots__ = ("_l", "_wrap")

    def __init__(self, lst: ListBuilder, wrap: Callable[[StructBuilder], B]) -> None:
        self._l = lst
        self._wrap = wrap

    def __len__(self) -> int:
        return self._l.element_count

    def __getitem__(self, index: int) -> B:
        return self._wrap(self._l.get_struct(index))

    def __iter__(self) -> Iterator[B]:
        lst = self._l
        get = lst.get_struct
        wrap = self._wrap
        for i in range(lst.element_count):
            yield wrap(get(i))


# -- struct Reading: 32 bytes, 0 ptrs ----------------------------------------------------------
#   sensor @0 :UInt32 bits[0, 32)       humidity @3 :Float32 bits[32, 64)
#   timestamp @1 :Int64 bits[64, 128)   celsius @2 :Float64 bits[128, 192)
#   battery @4 :UInt8 bits[192, 200)    alarm @5 :Bool bits[200, 201)
#   sequence @6 :Int16 = -1 bits[208, 224)


class ReadingReader:
    __slots__ = ("_r",)

    def __init__(self, r: StructReader) -> None:
        self._r = r

    @property
    def sensor(self) -> int:
        r = self._r
        return _U32.unpack_from(r.segment, r.data_offset)[0] if 4 <= r.data_size else 0

    @property
    def timestamp(self) -> int:
        r = self._r
        return _I64.unpack_from(r.segment, r.data_offset + 8)[0] if 16 <= r.data_size else 0

    @property
    def celsius(self) -> float:
        r = self._r
        return _F64.unpack_from(r.segment, r.data_offset + 16)[0] if 24 <= r.data_size else 0.0

    @property
    def humidity(self) -> float:
        r = self._r
        return _F32.unpack_from(r.segment, r.data_offset + 4)[0] if 8 <= r.data_size else 0.0

    @property
    def battery(self) -> int:
        r = self._r
        return _U8.unpack_from(r.segment, r.data_offset + 24)[0] if 25 <= r.data_size else 0

    @property
    def alarm(self) -> bool:
        r = self._r
        return bool(r.segment[r.data_offset + 25] & 1) if 25 < r.data_size else False

    @property
    def sequence(self) -> int:
        r = self._r
        if 28 <= r.data_size:
            return _I16.unpack_from(r.segment, r.data_offset + 26)[0] ^ -1
        return -1


class ReadingBuilder:
    __slots__ = ("_b",)
    DATA_WORDS = 4
    POINTER_COUNT = 0

    def __init__(self, b: StructBuilder) -> None:
        self._b = b

    @property
    def sensor(self) -> int:
        b = self._b
        return _U32.unpack_from(b.segment, b.data_offset)[0]

    @sensor.setter
    def sensor(self, value: int) -> None:
        b = self._b
        _U32.pack_into(b.segment, b.data_offset, value)

    @property
    def timestamp(self) -> int:
        b = self._b
        return _I64.unpack_from(b.segment, b.data_offset + 8)[0]

    @timestamp.setter
    def timestamp(self, value: int) -> None:
        b = self._b
        _I64.pack_into(b.segment, b.data_offset + 8, value)

    @property
    def celsius(self) -> float:
        b = self._b
        return _F64.unpack_from(b.segment, b.data_offset + 16)[0]

    @celsius.setter
    def celsius(self, value: float) -> None:
        b = self._b
        _F64.pack_into(b.segment, b.data_offset + 16, value)

    @property
    def humidity(self) -> float:
        b = self._b
        return _F32.unpack_from(b.segment, b.data_offset + 4)[0]

    @humidity.setter
    def humidity(self, value: float) -> None:
        b = self._b
        _F32.pack_into(b.segment, b.data_offset + 4, value)

    @property
    def battery(self) -> int:
        b = self._b
        return _U8.unpack_from(b.segment, b.data_offset + 24)[0]

    @battery.setter
    def battery(self, value: int) -> None:
        b = self._b
        _U8.pack_into(b.segment, b.data_offset + 24, value)

    @property
    def alarm(self) -> bool:
        b = self._b
        return bool(b.segment[b.data_offset + 25] & 1)

    @alarm.setter
    def alarm(self, value: bool) -> None:
        b = self._b
        if value:
            b.segment[b.data_offset + 25] |= 1
        else:
            b.segment[b.data_offset + 25] &= 0xFE

    @property
    def sequence(self) -> int:
        b = self._b
        return _I16.unpack_from(b.segment, b.data_offset + 26)[0] ^ -1

    @sequence.setter
    def sequence(self, value: int) -> None:
        b = self._b
        _I16.pack_into(b.segment, b.data_offset + 26, value ^ -1)


# -- struct Tyre: 8 bytes, 0 ptrs --------------------------------------------------------------
#   rimInches @0 :UInt16 bits[0, 16)   winter @2 :Bool bits[16, 17)
#   pressureBar @1 :Float32 bits[32, 64)


class TyreReader:
    __slots__ = ("_r",)

    def __init__(self, r: StructReader) -> None:
        self._r = r

    @property
    def rim_inches(self) -> int:
        r = self._r
        return _U16.unpack_from(r.segment, r.data_offset)[0] if 2 <= r.data_size else 0

    @property
    def pressure_bar(self) -> float:
        r = self._r
        return _F32.unpack_from(r.segment, r.data_offset + 4)[0] if 8 <= r.data_size else 0.0

    @property
    def winter(self) -> bool:
        r = self._r
        return bool(r.segment[r.data_offset + 2] & 1) if 2 < r.data_size else False


class TyreBuilder:
    __slots__ = ("_b",)
    DATA_WORDS = 1
    POINTER_COUNT = 0

    def __init__(self, b: StructBuilder) -> None:
        self._b = b

    @property
    def rim_inches(self) -> int:
        b = self._b
        return _U16.unpack_from(b.segment, b.data_offset)[0]

    @rim_inches.setter
    def rim_inches(self, value: int) -> None:
        b = self._b
        _U16.pack_into(b.segment, b.data_offset, value)

    @property
    def pressure_bar(self) -> float:
        b = self._b
        return _F32.unpack_from(b.segment, b.data_offset + 4)[0]

    @pressure_bar.setter
    def pressure_bar(self, value: float) -> None:
        b = self._b
        _F32.pack_into(b.segment, b.data_offset + 4, value)

    @property
    def winter(self) -> bool:
        b = self._b
        return bool(b.segment[b.data_offset + 2] & 1)

    @winter.setter
    def winter(self, value: bool) -> None:
        b = self._b
        if value:
            b.segment[b.data_offset + 2] |= 1
        else:
            b.segment[b.data_offset + 2] &= 0xFE


# -- struct Motor: 8 bytes, 0 ptrs -------------------------------------------------------------
#   kilowatts @0 :UInt16 bits[0, 16)   cylinders @1 :UInt8 bits[16, 24)
#   combustion @3 :Bool bits[24, 25)   electric @4 :Bool bits[25, 26)
#   displacementCc @2 :UInt32 bits[32, 64)


class MotorReader:
    __slots__ = ("_r",)

    def __init__(self, r: StructReader) -> None:
        self._r = r

    @property
    def kilowatts(self) -> int:
        r = self._r
        return _U16.unpack_from(r.segment, r.data_offset)[0] if 2 <= r.data_size else 0

    @property
    def cylinders(self) -> int:
        r = self._r
        return _U8.unpack_from(r.segment, r.data_offset + 2)[0] if 3 <= r.data_size else 0

    @property
    def displacement_cc(self) -> int:
        r = self._r
        return _U32.unpack_from(r.segment, r.data_offset + 4)[0] if 8 <= r.data_size else 0

    @property
    def combustion(self) -> bool:
        r = self._r
        return bool(r.segment[r.data_offset + 3] & 1) if 3 < r.data_size else False

    @property
    def electric(self) -> bool:
        r = self._r
        return bool(r.segment[r.data_offset + 3] & 2) if 3 < r.data_size else False


class MotorBuilder:
    __slots__ = ("_b",)
    DATA_WORDS = 1
    POINTER_COUNT = 0

    def __init__(self, b: StructBuilder) -> None:
        self._b = b

    @property
    def kilowatts(self) -> int:
        b = self._b
        return _U16.unpack_from(b.segment, b.data_offset)[0]

    @kilowatts.setter
    def kilowatts(self, value: int) -> None:
        b = self._b
        _U16.pack_into(b.segment, b.data_offset, value)

    @property
    def cylinders(self) -> int:
        b = self._b
        return _U8.unpack_from(b.segment, b.data_offset + 2)[0]

    @cylinders.setter
    def cylinders(self, value: int) -> None:
        b = self._b
        _U8.pack_into(b.segment, b.data_offset + 2, value)

    @property
    def displacement_cc(self) -> int:
        b = self._b
        return _U32.unpack_from(b.segment, b.data_offset + 4)[0]

    @displacement_cc.setter
    def displacement_cc(self, value: int) -> None:
        b = self._b
        _U32.pack_into(b.segment, b.data_offset + 4, value)

    @property
    def combustion(self) -> bool:
        b = self._b
        return bool(b.segment[b.data_offset + 3] & 1)

    @combustion.setter
    def combustion(self, value: bool) -> None:
        b = self._b
        if value:
            b.segment[b.data_offset + 3] |= 1
        else:
            b.segment[b.data_offset + 3] &= 0xFE

    @property
    def electric(self) -> bool:
        b = self._b
        return bool(b.segment[b.data_offset + 3] & 2)

    @electric.setter
    def electric(self, value: bool) -> None:
        b = self._b
        if value:
            b.segment[b.data_offset + 3] |= 2
        else:
            b.segment[b.data_offset + 3] &= 0xFD


# -- struct Vehicle: 24 bytes, 4 ptrs ----------------------------------------------------------
#   maker @0 :Text ptr[0]        model @1 :Text ptr[1]
#   tyres @5 :List(Tyre) ptr[2]  motor @10 :Motor ptr[3]
#   paint @2 :Paint bits[0, 16)  seats @3 :UInt8 bits[16, 24)  doors @4 :UInt8 bits[24, 32)
#   lengthCm @6 :UInt16 bits[32, 48)   widthCm @7 :UInt16 bits[48, 64)
#   heightCm @8 :UInt16 bits[64, 80)
#   sunroof @13 :Bool bits[80, 81)  autopilot @14 bits[81, 82)  heatedSeats @15 bits[82, 83)
#   satNav @17 :Bool bits[83, 84)   cupHolders @16 :UInt8 bits[88, 96)
#   massKg @9 :UInt32 bits[96, 128)
#   tankLitres @11 :Float32 bits[128, 160)   fuelLitres @12 :Float32 bits[160, 192)


class VehicleReader:
    __slots__ = ("_r",)

    def __init__(self, r: StructReader) -> None:
        self._r = r

    @property
    def maker(self) -> str:
        return self._r.get_text(0)

    @property
    def model(self) -> str:
        return self._r.get_text(1)

    @property
    def paint(self) -> int:
        r = self._r
        return _U16.unpack_from(r.segment, r.data_offset)[0] if 2 <= r.data_size else 0

    @property
    def seats(self) -> int:
        r = self._r
        return _U8.unpack_from(r.segment, r.data_offset + 2)[0] if 3 <= r.data_size else 0

    @property
    def doors(self) -> int:
        r = self._r
        return _U8.unpack_from(r.segment, r.data_offset + 3)[0] if 4 <= r.data_size else 0

    @property
    def tyres(self) -> StructListReader[TyreReader]:
        return StructListReader(self._r.get_list(2, _INLINE_COMPOSITE), TyreReader)

    @property
    def length_cm(self) -> int:
        r = self._r
        return _U16.unpack_from(r.segment, r.data_offset + 4)[0] if 6 <= r.data_size else 0

    @property
    def width_cm(self) -> int:
        r = self._r
        return _U16.unpack_from(r.segment, r.data_offset + 6)[0] if 8 <= r.data_size else 0

    @property
    def height_cm(self) -> int:
        r = self._r
        return _U16.unpack_from(r.segment, r.data_offset + 8)[0] if 10 <= r.data_size else 0

    @property
    def mass_kg(self) -> int:
        r = self._r
        return _U32.unpack_from(r.segment, r.data_offset + 12)[0] if 16 <= r.data_size else 0

    @property
    def motor(self) -> MotorReader:
        return MotorReader(self._r.get_struct(3))

    @property
    def tank_litres(self) -> float:
        r = self._r
        return _F32.unpack_from(r.segment, r.data_offset + 16)[0] if 20 <= r.data_size else 0.0

    @property
    def fuel_litres(self) -> float:
        r = self._r
        return _F32.unpack_from(r.segment, r.data_offset + 20)[0] if 24 <= r.data_size else 0.0

    @property
    def sunroof(self) -> bool:
        r = self._r
        return bool(r.segment[r.data_offset + 10] & 1) if 10 < r.data_size else False

    @property
    def autopilot(self) -> bool:
        r = self._r
        return bool(r.segment[r.data_offset + 10] & 2) if 10 < r.data_size else False

    @property
    def heated_seats(self) -> bool:
        r = self._r
        return bool(r.segment[r.data_offset + 10] & 4) if 10 < r.data_size else False

    @property
    def cup_holders(self) -> int:
        r = self._r
        return _U8.unpack_from(r.segment, r.data_offset + 11)[0] if 12 <= r.data_size else 0

    @property
    def sat_nav(self) -> bool:
        r = self._r
        return bool(r.segment[r.data_offset + 10] & 8) if 10 < r.data_size else False


class VehicleBuilder:
    __slots__ = ("_b",)
    DATA_WORDS = 3
    POINTER_COUNT = 4

    def __init__(self, b: StructBuilder) -> None:
        self._b = b

    @property
    def maker(self) -> str:
        return self._b.get_text(0)

    @maker.setter
    def maker(self, value: str) -> None:
        self._b.set_text(0, value)

    @property
    def model(self) -> str:
        return self._b.get_text(1)

    @model.setter
    def model(self, value: str) -> None:
        self._b.set_text(1, value)

    @property
    def paint(self) -> int:
        b = self._b
        return _U16.unpack_from(b.segment, b.data_offset)[0]

    @paint.setter
    def paint(self, value: int) -> None:
        b = self._b
        _U16.pack_into(b.segment, b.data_offset, value)

    @property
    def seats(self) -> int:
        b = self._b
        return _U8.unpack_from(b.segment, b.data_offset + 2)[0]

    @seats.setter
    def seats(self, value: int) -> None:
        b = self._b
        _U8.pack_into(b.segment, b.data_offset + 2, value)

    @property
    def doors(self) -> int:
        b = self._b
        return _U8.unpack_from(b.segment, b.data_offset + 3)[0]

    @doors.setter
    def doors(self, value: int) -> None:
        b = self._b
        _U8.pack_into(b.segment, b.data_offset + 3, value)

    @property
    def tyres(self) -> StructListBuilder[TyreBuilder]:
        return StructListBuilder(self._b.get_struct_list(2, 1, 0), TyreBuilder)

    def init_tyres(self, count: int) -> StructListBuilder[TyreBuilder]:
        return StructListBuilder(self._b.init_struct_list(2, count, 1, 0), TyreBuilder)

    @property
    def length_cm(self) -> int:
        b = self._b
        return _U16.unpack_from(b.segment, b.data_offset + 4)[0]

    @length_cm.setter
    def length_cm(self, value: int) -> None:
        b = self._b
        _U16.pack_into(b.segment, b.data_offset + 4, value)

    @property
    def width_cm(self) -> int:
        b = self._b
        return _U16.unpack_from(b.segment, b.data_offset + 6)[0]

    @width_cm.setter
    def width_cm(self, value: int) -> None:
        b = self._b
        _U16.pack_into(b.segment, b.data_offset + 6, value)

    @property
    def height_cm(self) -> int:
        b = self._b
        return _U16.unpack_from(b.segment, b.data_offset + 8)[0]

    @height_cm.setter
    def height_cm(self, value: int) -> None:
        b = self._b
        _U16.pack_into(b.segment, b.data_offset + 8, value)

    @property
    def mass_kg(self) -> int:
        b = self._b
        return _U32.unpack_from(b.segment, b.data_offset + 12)[0]

    @mass_kg.setter
    def mass_kg(self, value: int) -> None:
        b = self._b
        _U32.pack_into(b.segment, b.data_offset + 12, value)

    @property
    def motor(self) -> MotorBuilder:
        return MotorBuilder(self._b.get_struct(3, 1, 0))

    def init_motor(self) -> MotorBuilder:
        return MotorBuilder(self._b.init_struct(3, 1, 0))

    @property
    def tank_litres(self) -> float:
        b = self._b
        return _F32.unpack_from(b.segment, b.data_offset + 16)[0]

    @tank_litres.setter
    def tank_litres(self, value: float) -> None:
        b = self._b
        _F32.pack_into(b.segment, b.data_offset + 16, value)

    @property
    def fuel_litres(self) -> float:
        b = self._b
        return _F32.unpack_from(b.segment, b.data_offset + 20)[0]

    @fuel_litres.setter
    def fuel_litres(self, value: float) -> None:
        b = self._b
        _F32.pack_into(b.segment, b.data_offset + 20, value)

    @property
    def sunroof(self) -> bool:
        b = self._b
        return bool(b.segment[b.data_offset + 10] & 1)

    @sunroof.setter
    def sunroof(self, value: bool) -> None:
        b = self._b
        if value:
            b.segment[b.data_offset + 10] |= 1
        else:
            b.segment[b.data_offset + 10] &= 0xFE

    @property
    def autopilot(self) -> bool:
        b = self._b
        return bool(b.segment[b.data_offset + 10] & 2)

    @autopilot.setter
    def autopilot(self, value: bool) -> None:
        b = self._b
        if value:
            b.segment[b.data_offset + 10] |= 2
        else:
            b.segment[b.data_offset + 10] &= 0xFD

    @property
    def heated_seats(self) -> bool:
        b = self._b
        return bool(b.segment[b.data_offset + 10] & 4)

    @heated_seats.setter
    def heated_seats(self, value: bool) -> None:
        b = self._b
        if value:
            b.segment[b.data_offset + 10] |= 4
        else:
            b.segment[b.data_offset + 10] &= 0xFB

    @property
    def cup_holders(self) -> int:
        b = self._b
        return _U8.unpack_from(b.segment, b.data_offset + 11)[0]

    @cup_holders.setter
    def cup_holders(self, value: int) -> None:
        b = self._b
        _U8.pack_into(b.segment, b.data_offset + 11, value)

    @property
    def sat_nav(self) -> bool:
        b = self._b
        return bool(b.segment[b.data_offset + 10] & 8)

    @sat_nav.setter
    def sat_nav(self, value: bool) -> None:
        b = self._b
        if value:
            b.segment[b.data_offset + 10] |= 8
        else:
            b.segment[b.data_offset + 10] &= 0xF7


# -- struct Lot: 0 bytes, 1 ptrs ---------------------------------------------------------------
#   vehicles @0 :List(Vehicle) ptr[0]


class LotReader:
    __slots__ = ("_r",)

    def __init__(self, r: StructReader) -> None:
        self._r = r

    @property
    def vehicles(self) -> StructListReader[VehicleReader]:
        return StructListReader(self._r.get_list(0, _INLINE_COMPOSITE), VehicleReader)


class LotBuilder:
    __slots__ = ("_b",)
    DATA_WORDS = 0
    POINTER_COUNT = 1

    def __init__(self, b: StructBuilder) -> None:
        self._b = b

    @property
    def vehicles(self) -> StructListBuilder[VehicleBuilder]:
        return StructListBuilder(self._b.get_struct_list(0, 3, 4), VehicleBuilder)

    def init_vehicles(self, count: int) -> StructListBuilder[VehicleBuilder]:
        return StructListBuilder(self._b.init_struct_list(0, count, 3, 4), VehicleBuilder)


# -- struct Hit: 8 bytes, 2 ptrs ---------------------------------------------------------------
#   url @0 :Text ptr[0]   score @1 :Float64 bits[0, 64)   snippet @2 :Text ptr[1]


class HitReader:
    __slots__ = ("_r",)

    def __init__(self, r: StructReader) -> None:
        self._r = r

    @property
    def url(self) -> str:
        return self._r.get_text(0)

    @property
    def score(self) -> float:
        r = self._r
        return _F64.unpack_from(r.segment, r.data_offset)[0] if 8 <= r.data_size else 0.0

    @property
    def snippet(self) -> str:
        return self._r.get_text(1)


class HitBuilder:
    __slots__ = ("_b",)
    DATA_WORDS = 1
    POINTER_COUNT = 2

    def __init__(self, b: StructBuilder) -> None:
        self._b = b

    @property
    def url(self) -> str:
        return self._b.get_text(0)

    @url.setter
    def url(self, value: str) -> None:
        self._b.set_text(0, value)

    @property
    def score(self) -> float:
        b = self._b
        return _F64.unpack_from(b.segment, b.data_offset)[0]

    @score.setter
    def score(self, value: float) -> None:
        b = self._b
        _F64.pack_into(b.segment, b.data_offset, value)

    @property
    def snippet(self) -> str:
        return self._b.get_text(1)

    @snippet.setter
    def snippet(self, value: str) -> None:
        self._b.set_text(1, value)


# -- struct HitList: 0 bytes, 1 ptrs -----------------------------------------------------------
#   hits @0 :List(Hit) ptr[0]


class HitListReader:
    __slots__ = ("_r",)

    def __init__(self, r: StructReader) -> None:
        self._r = r

    @property
    def hits(self) -> StructListReader[HitReader]:
        return StructListReader(self._r.get_list(0, _INLINE_COMPOSITE), HitReader)


class HitListBuilder:
    __slots__ = ("_b",)
    DATA_WORDS = 0
    POINTER_COUNT = 1

    def __init__(self, b: StructBuilder) -> None:
        self._b = b

    @property
    def hits(self) -> StructListBuilder[HitBuilder]:
        return StructListBuilder(self._b.get_struct_list(0, 1, 2), HitBuilder)

    def init_hits(self, count: int) -> StructListBuilder[HitBuilder]:
        return StructListBuilder(self._b.init_struct_list(0, count, 1, 2), HitBuilder)


# -- struct Expr: 16 bytes, 2 ptrs -------------------------------------------------------------
#   operator @0 :Operator bits[0, 16)
#   lhs: union tag bits[16, 32); literal @1 :Int32 bits[32, 64) (tag 0), nested @2 ptr[0] (tag 1)
#   rhs: union tag bits[96, 112); literal @3 :Int32 bits[64, 96) (tag 0), nested @4 ptr[1] (tag 1)
# A group is a view of its parent's sections, so group classes wrap the same StructReader.


class ExprReader:
    __slots__ = ("_r",)

    def __init__(self, r: StructReader) -> None:
        self._r = r

    @property
    def operator(self) -> int:
        r = self._r
        return _U16.unpack_from(r.segment, r.data_offset)[0] if 2 <= r.data_size else 0

    @property
    def lhs(self) -> ExprLhsReader:
        return ExprLhsReader(self._r)

    @property
    def rhs(self) -> ExprRhsReader:
        return ExprRhsReader(self._r)


class ExprLhsReader:
    __slots__ = ("_r",)
    LITERAL = 0
    NESTED = 1

    def __init__(self, r: StructReader) -> None:
        self._r = r

    def which(self) -> int:
        r = self._r
        return _U16.unpack_from(r.segment, r.data_offset + 2)[0] if 4 <= r.data_size else 0

    @property
    def literal(self) -> int:
        r = self._r
        return _I32.unpack_from(r.segment, r.data_offset + 4)[0] if 8 <= r.data_size else 0

    @property
    def nested(self) -> ExprReader:
        return ExprReader(self._r.get_struct(0))


class ExprRhsReader:
    __slots__ = ("_r",)
    LITERAL = 0
    NESTED = 1

    def __init__(self, r: StructReader) -> None:
        self._r = r

    def which(self) -> int:
        r = self._r
        return _U16.unpack_from(r.segment, r.data_offset + 12)[0] if 14 <= r.data_size else 0

    @property
    def literal(self) -> int:
        r = self._r
        return _I32.unpack_from(r.segment, r.data_offset + 8)[0] if 12 <= r.data_size else 0

    @property
    def nested(self) -> ExprReader:
        return ExprReader(self._r.get_struct(1))


class ExprBuilder:
    __slots__ = ("_b",)
    DATA_WORDS = 2
    POINTER_COUNT = 2

    def __init__(self, b: StructBuilder) -> None:
        self._b = b

    @property
    def operator(self) -> int:
        b = self._b
        return _U16.unpack_from(b.segment, b.data_offset)[0]

    @operator.setter
    def operator(self, value: int) -> None:
        b = self._b
        _U16.pack_into(b.segment, b.data_offset, value)

    @property
    def lhs(self) -> ExprLhsBuilder:
        return ExprLhsBuilder(self._b)

    @property
    def rhs(self) -> ExprRhsBuilder:
        return ExprRhsBuilder(self._b)


class ExprLhsBuilder:
    """Setting a union member writes the tag first, then the member (as C++ setters do)."""

    __slots__ = ("_b",)
    LITERAL = 0
    NESTED = 1

    def __init__(self, b: StructBuilder) -> None:
        self._b = b

    def which(self) -> int:
        b = self._b
        return _U16.unpack_from(b.segment, b.data_offset + 2)[0]

    @property
    def literal(self) -> int:
        b = self._b
        return _I32.unpack_from(b.segment, b.data_offset + 4)[0]

    @literal.setter
    def literal(self, value: int) -> None:
        b = self._b
        _U16.pack_into(b.segment, b.data_offset + 2, 0)
        _I32.pack_into(b.segment, b.data_offset + 4, value)

    def init_nested(self) -> ExprBuilder:
        b = self._b
        _U16.pack_into(b.segment, b.data_offset + 2, 1)
        return ExprBuilder(b.init_struct(0, 2, 2))


class ExprRhsBuilder:
    __slots__ = ("_b",)
    LITERAL = 0
    NESTED = 1

    def __init__(self, b: StructBuilder) -> None:
        self._b = b

    def which(self) -> int:
        b = self._b
        return _U16.unpack_from(b.segment, b.data_offset + 12)[0]

    @property
    def literal(self) -> int:
        b = self._b
        return _I32.unpack_from(b.segment, b.data_offset + 8)[0]

    @literal.setter
    def literal(self, value: int) -> None:
        b = self._b
        _U16.pack_into(b.segment, b.data_offset + 12, 0)
        _I32.pack_into(b.segment, b.data_offset + 8, value)

    def init_nested(self) -> ExprBuilder:
        b = self._b
        _U16.pack_into(b.segment, b.data_offset + 12, 1)
        return ExprBuilder(b.init_struct(1, 2, 2))


# -- roots -------------------------------------------------------------------------------------

_RootBuilder = TypeVar(
    "_RootBuilder", ReadingBuilder, LotBuilder, HitListBuilder, ExprBuilder, VehicleBuilder
)
_RootReader = TypeVar("_RootReader", ReadingReader, LotReader, HitListReader, ExprReader)


def init_root(message: MessageBuilder, cls: Type[_RootBuilder]) -> _RootBuilder:
    """A fresh root struct of type ``cls`` in ``message``."""
    return cls(message.init_root(cls.DATA_WORDS, cls.POINTER_COUNT))


def read_root(message: MessageReader, cls: Type[_RootReader]) -> _RootReader:
    """The root struct of ``message`` read as ``cls``."""
    return cls(message.get_root())
