"""The workloads on pycapnp (the C++ library underneath, driven through its dynamic API), on
CPython. Same operations and answers as ``impl_generated``; each written the way pycapnp is meant
to be used (``new_message``/``init``/attribute assignment; ``from_bytes`` as a context manager)."""

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
capnp: Any = importlib.import_module("capnp")

NAME = "pycapnp"
PACKED = True

_SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schemas", "workloads.capnp")
_w: Any = capnp.load(_SCHEMA)
Reading: Any = _w.Reading
Lot: Any = _w.Lot
HitList: Any = _w.HitList
Expr: Any = _w.Expr


def version() -> str:
    return str(getattr(capnp, "__version__", "?"))


def _write(message: Any, packed: bool) -> bytes:
    data: bytes = message.to_bytes_packed() if packed else message.to_bytes()
    return data


# -- flat ---------------------------------------------------------------------------------------


def build_flat(d: ReadingData, packed: bool) -> bytes:
    r = Reading.new_message()
    r.sensor = d.sensor
    r.timestamp = d.timestamp
    r.celsius = d.celsius
    r.humidity = d.humidity
    r.battery = d.battery
    r.alarm = d.alarm
    r.sequence = d.sequence
    return _write(r, packed)


def _checksum(r: Any) -> float:
    return reading_checksum(
        r.sensor, r.timestamp, r.celsius, r.humidity, r.battery, r.alarm, r.sequence
    )


def read_all_flat(buf: bytes, packed: bool) -> float:
    if packed:
        return _checksum(Reading.from_bytes_packed(buf))
    with Reading.from_bytes(buf) as r:
        return _checksum(r)


def read_one_flat(buf: bytes, packed: bool) -> float:
    if packed:
        return Reading.from_bytes_packed(buf).celsius  # type: ignore[no-any-return]
    with Reading.from_bytes(buf) as r:
        return r.celsius  # type: ignore[no-any-return]


# -- carsales -----------------------------------------------------------------------------------


def build_carsales(lot: List[VehicleData], packed: bool) -> bytes:
    message = Lot.new_message()
    vehicles = message.init("vehicles", len(lot))
    for v, d in zip(vehicles, lot):
        v.maker = d.maker
        v.model = d.model
        v.paint = d.paint
        v.seats = d.seats
        v.doors = d.doors
        for t, td in zip(v.init("tyres", len(d.tyres)), d.tyres):
            t.rimInches = td.rim_inches
            t.pressureBar = td.pressure_bar
            t.winter = td.winter
        v.lengthCm = d.length_cm
        v.widthCm = d.width_cm
        v.heightCm = d.height_cm
        v.massKg = d.mass_kg
        m = v.init("motor")
        md = d.motor
        m.kilowatts = md.kilowatts
        m.cylinders = md.cylinders
        m.displacementCc = md.displacement_cc
        m.combustion = md.combustion
        m.electric = md.electric
        v.tankLitres = d.tank_litres
        v.fuelLitres = d.fuel_litres
        v.sunroof = d.sunroof
        v.autopilot = d.autopilot
        v.heatedSeats = d.heated_seats
        v.cupHolders = d.cup_holders
        v.satNav = d.sat_nav
    return _write(message, packed)


def _vehicle_value(v: Any) -> int:
    # bench.data.vehicle_value, field by field (an enum reads as an object: .raw is its ordinal).
    value: int = v.seats * 150 + v.doors * 300 + v.paint.raw * 7 + len(v.maker) + len(v.model)
    for t in v.tyres:
        rim = t.rimInches
        value += rim * rim + int(t.pressureBar * 10) + (120 if t.winter else 0)
    value += v.lengthCm * v.widthCm * v.heightCm // 40 + v.massKg // 10
    m = v.motor
    value += m.kilowatts * 30 + m.cylinders * 100 + m.displacementCc // 10
    if m.electric:
        value += 4000 if m.combustion else 2500
    value += int(v.tankLitres) + int(v.fuelLitres)
    value += (150 if v.sunroof else 0) + (1500 if v.autopilot else 0)
    value += (300 if v.heatedSeats else 0) + (1800 if v.satNav else 0) + v.cupHolders * 20
    return value


def read_all_carsales(buf: bytes, packed: bool) -> int:
    if packed:
        return sum(_vehicle_value(v) for v in Lot.from_bytes_packed(buf).vehicles)
    with Lot.from_bytes(buf) as lot:
        return sum(_vehicle_value(v) for v in lot.vehicles)


def read_one_carsales(buf: bytes, packed: bool) -> int:
    if packed:
        vehicles = Lot.from_bytes_packed(buf).vehicles
        return vehicles[len(vehicles) - 1].massKg  # type: ignore[no-any-return]
    with Lot.from_bytes(buf) as lot:
        vehicles = lot.vehicles
        return vehicles[len(vehicles) - 1].massKg  # type: ignore[no-any-return]


# -- catrank ------------------------------------------------------------------------------------


def build_catrank(hits: List[HitData], packed: bool) -> bytes:
    message = HitList.new_message()
    out = message.init("hits", len(hits))
    for h, d in zip(out, hits):
        h.url = d.url
        h.score = d.score
        h.snippet = d.snippet
    return _write(message, packed)


def read_all_catrank(buf: bytes, packed: bool) -> Tuple[int, int]:
    if packed:
        hits = HitList.from_bytes_packed(buf).hits
        return rank_hits([(h.score, h.url, h.snippet) for h in hits], " cat ", " dog ")
    with HitList.from_bytes(buf) as message:
        return rank_hits([(h.score, h.url, h.snippet) for h in message.hits], " cat ", " dog ")


def read_one_catrank(buf: bytes, packed: bool) -> float:
    if packed:
        hits = HitList.from_bytes_packed(buf).hits
        return hits[len(hits) - 1].score  # type: ignore[no-any-return]
    with HitList.from_bytes(buf) as message:
        hits = message.hits
        return hits[len(hits) - 1].score  # type: ignore[no-any-return]


# -- eval ---------------------------------------------------------------------------------------


def _build_expr(e: Any, d: ExprData) -> None:
    e.operator = d.operator
    if isinstance(d.lhs, ExprData):
        _build_expr(e.lhs.init("nested"), d.lhs)
    else:
        e.lhs.literal = d.lhs
    if isinstance(d.rhs, ExprData):
        _build_expr(e.rhs.init("nested"), d.rhs)
    else:
        e.rhs.literal = d.rhs


def build_eval(expr: ExprData, packed: bool) -> bytes:
    message = Expr.new_message()
    _build_expr(message, expr)
    return _write(message, packed)


def _evaluate(e: Any) -> int:
    lhs = e.lhs
    a = lhs.literal if lhs.which() == "literal" else _evaluate(lhs.nested)
    rhs = e.rhs
    b = rhs.literal if rhs.which() == "literal" else _evaluate(rhs.nested)
    return apply_operator(e.operator.raw, a, b)


def read_all_eval(buf: bytes, packed: bool) -> int:
    if packed:
        return _evaluate(Expr.from_bytes_packed(buf))
    with Expr.from_bytes(buf) as e:
        return _evaluate(e)


def read_one_eval(buf: bytes, packed: bool) -> int:
    if packed:
        return Expr.from_bytes_packed(buf).operator.raw  # type: ignore[no-any-return]
    with Expr.from_bytes(buf) as e:
        return e.operator.raw  # type: ignore[no-any-return]
