"""The workloads on capnpy (pure Python on PyPy; it compiles the schema to Python at load time).

capnpy objects are immutable: a message is built bottom-up by constructors and serialised with
``dumps``. Its Text fields are ``bytes`` (the builders encode our ``str`` data, as a user holding
text would; the readers do not decode, which is less work than purecap's ``str`` results). capnpy
has no packed encoding, so only the framed operations exist here.
"""

from __future__ import annotations

import importlib
import os
from typing import Any, List, Tuple

from bench.data import (
    ExprData,
    HitData,
    ReadingData,
    VehicleData,
    apply_operator,
    rank_hits,
    reading_checksum,
)

# Untyped third-party module: imported as a value so that mypy --strict needs no stubs.
capnpy: Any = importlib.import_module("capnpy")

NAME = "capnpy"
PACKED = False

_SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schemas", "workloads.capnp")
_w: Any = capnpy.load_schema(filename=_SCHEMA)
Reading: Any = _w.Reading
Tyre: Any = _w.Tyre
Motor: Any = _w.Motor
Vehicle: Any = _w.Vehicle
Lot: Any = _w.Lot
Hit: Any = _w.Hit
HitList: Any = _w.HitList
Expr: Any = _w.Expr
_Lhs: Any = _w.Expr.Lhs
_Rhs: Any = _w.Expr.Rhs


def version() -> str:
    return str(getattr(capnpy, "__version__", "?"))


def _no_packing(packed: bool) -> None:
    if packed:
        raise NotImplementedError("capnpy has no packed encoding")


# -- flat ---------------------------------------------------------------------------------------


def build_flat(d: ReadingData, packed: bool) -> bytes:
    _no_packing(packed)
    r = Reading(
        sensor=d.sensor, timestamp=d.timestamp, celsius=d.celsius, humidity=d.humidity,
        battery=d.battery, alarm=d.alarm, sequence=d.sequence,
    )
    return r.dumps()  # type: ignore[no-any-return]


def read_all_flat(buf: bytes, packed: bool) -> float:
    _no_packing(packed)
    r = Reading.loads(buf)
    return reading_checksum(
        r.sensor, r.timestamp, r.celsius, r.humidity, r.battery, r.alarm, r.sequence
    )


def read_one_flat(buf: bytes, packed: bool) -> float:
    _no_packing(packed)
    return Reading.loads(buf).celsius  # type: ignore[no-any-return]


# -- carsales -----------------------------------------------------------------------------------


def _vehicle(d: VehicleData) -> Any:
    md = d.motor
    return Vehicle(
        maker=d.maker.encode(),
        model=d.model.encode(),
        paint=d.paint,
        seats=d.seats,
        doors=d.doors,
        tyres=[Tyre(rim_inches=t.rim_inches, pressure_bar=t.pressure_bar, winter=t.winter)
               for t in d.tyres],
        length_cm=d.length_cm,
        width_cm=d.width_cm,
        height_cm=d.height_cm,
        mass_kg=d.mass_kg,
        motor=Motor(
            kilowatts=md.kilowatts, cylinders=md.cylinders, displacement_cc=md.displacement_cc,
            combustion=md.combustion, electric=md.electric,
        ),
        tank_litres=d.tank_litres,
        fuel_litres=d.fuel_litres,
        sunroof=d.sunroof,
        autopilot=d.autopilot,
        heated_seats=d.heated_seats,
        cup_holders=d.cup_holders,
        sat_nav=d.sat_nav,
    )


def build_carsales(lot: List[VehicleData], packed: bool) -> bytes:
    _no_packing(packed)
    return Lot(vehicles=[_vehicle(d) for d in lot]).dumps()  # type: ignore[no-any-return]


def _vehicle_value(v: Any) -> int:
    # bench.data.vehicle_value, field by field (enums are int subclasses).
    value: int = v.seats * 150 + v.doors * 300 + v.paint * 7 + len(v.maker) + len(v.model)
    for t in v.tyres:
        rim = t.rim_inches
        value += rim * rim + int(t.pressure_bar * 10) + (120 if t.winter else 0)
    value += v.length_cm * v.width_cm * v.height_cm // 40 + v.mass_kg // 10
    m = v.motor
    value += m.kilowatts * 30 + m.cylinders * 100 + m.displacement_cc // 10
    if m.electric:
        value += 4000 if m.combustion else 2500
    value += int(v.tank_litres) + int(v.fuel_litres)
    value += (150 if v.sunroof else 0) + (1500 if v.autopilot else 0)
    value += (300 if v.heated_seats else 0) + (1800 if v.sat_nav else 0) + v.cup_holders * 20
    return value


def read_all_carsales(buf: bytes, packed: bool) -> int:
    _no_packing(packed)
    return sum(_vehicle_value(v) for v in Lot.loads(buf).vehicles)


def read_one_carsales(buf: bytes, packed: bool) -> int:
    _no_packing(packed)
    vehicles = Lot.loads(buf).vehicles
    return vehicles[len(vehicles) - 1].mass_kg  # type: ignore[no-any-return]


# -- catrank ------------------------------------------------------------------------------------


def build_catrank(hits: List[HitData], packed: bool) -> bytes:
    _no_packing(packed)
    out = [Hit(url=d.url.encode(), score=d.score, snippet=d.snippet.encode()) for d in hits]
    return HitList(hits=out).dumps()  # type: ignore[no-any-return]


def read_all_catrank(buf: bytes, packed: bool) -> Tuple[int, int]:
    _no_packing(packed)
    hits = HitList.loads(buf).hits
    return rank_hits([(h.score, h.url, h.snippet) for h in hits], b" cat ", b" dog ")


def read_one_catrank(buf: bytes, packed: bool) -> float:
    _no_packing(packed)
    hits = HitList.loads(buf).hits
    return hits[len(hits) - 1].score  # type: ignore[no-any-return]


# -- eval ---------------------------------------------------------------------------------------


def _expr(d: ExprData) -> Any:
    lhs = _Lhs(nested=_expr(d.lhs)) if isinstance(d.lhs, ExprData) else _Lhs(literal=d.lhs)
    rhs = _Rhs(nested=_expr(d.rhs)) if isinstance(d.rhs, ExprData) else _Rhs(literal=d.rhs)
    return Expr(operator=d.operator, lhs=lhs, rhs=rhs)


def build_eval(expr: ExprData, packed: bool) -> bytes:
    _no_packing(packed)
    return _expr(expr).dumps()  # type: ignore[no-any-return]


def _evaluate(e: Any) -> int:
    lhs = e.lhs
    a = lhs.literal if lhs.is_literal() else _evaluate(lhs.nested)
    rhs = e.rhs
    b = rhs.literal if rhs.is_literal() else _evaluate(rhs.nested)
    return apply_operator(e.operator, a, b)


def read_all_eval(buf: bytes, packed: bool) -> int:
    _no_packing(packed)
    return _evaluate(Expr.loads(buf))


def read_one_eval(buf: bytes, packed: bool) -> int:
    _no_packing(packed)
    return int(Expr.loads(buf).operator)
