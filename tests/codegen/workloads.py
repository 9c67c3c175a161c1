"""The benchmark workloads of ``bench/`` through *generated* code (``generated/workloads_capnp``).

``test_workloads.py`` checks the answers against ``bench/data.py``; ``make bench`` times the
generated code (``bench/impl_generated.py``) against pycapnp and capnpy.
"""

from __future__ import annotations

from typing import List, Tuple, Union

from bench.data import (
    ExprData,
    HitData,
    ReadingData,
    VehicleData,
    apply_operator,
    rank_hits,
    reading_checksum,
)
from tests.codegen.generated.workloads_capnp import (
    Expr,
    HitList,
    Lot,
    Operator,
    Paint,
    Reading,
    Vehicle,
)

__all__ = [
    "build_flat", "read_all_flat", "build_carsales", "read_all_carsales", "read_one_carsales",
    "build_catrank", "read_all_catrank", "build_eval", "read_all_eval",
]  # fmt: skip


def _write(
    b: Union[Reading.Builder, Lot.Builder, HitList.Builder, Expr.Builder], packed: bool
) -> bytes:
    return b.to_bytes_packed() if packed else b.to_bytes()


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


def read_all_flat(buf: bytes, packed: bool) -> float:
    r = Reading.from_bytes_packed(buf) if packed else Reading.from_bytes(buf)
    return reading_checksum(
        r.sensor, r.timestamp, r.celsius, r.humidity, r.battery, r.alarm, r.sequence
    )


def build_carsales(lot: List[VehicleData], packed: bool) -> bytes:
    root = Lot.new_message()
    vehicles = root.init_vehicles(len(lot))
    for v, d in zip(vehicles, lot):
        v.maker = d.maker
        v.model = d.model
        v.paint = Paint(d.paint)
        v.seats = d.seats
        v.doors = d.doors
        for t, td in zip(v.init_tyres(len(d.tyres)), d.tyres):
            t.rim_inches = td.rim_inches
            t.pressure_bar = td.pressure_bar
            t.winter = td.winter
        v.length_cm = d.length_cm
        v.width_cm = d.width_cm
        v.height_cm = d.height_cm
        v.mass_kg = d.mass_kg
        m = v.init_motor()
        md = d.motor
        m.kilowatts = md.kilowatts
        m.cylinders = md.cylinders
        m.displacement_cc = md.displacement_cc
        m.combustion = md.combustion
        m.electric = md.electric
        v.tank_litres = d.tank_litres
        v.fuel_litres = d.fuel_litres
        v.sunroof = d.sunroof
        v.autopilot = d.autopilot
        v.heated_seats = d.heated_seats
        v.cup_holders = d.cup_holders
        v.sat_nav = d.sat_nav
    return _write(root, packed)


def _vehicle_value(v: Vehicle.Reader) -> int:
    # bench.data.vehicle_value, field by field on a reader.
    value = v.seats * 150 + v.doors * 300 + v.paint * 7 + len(v.maker) + len(v.model)
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
    lot = Lot.from_bytes_packed(buf) if packed else Lot.from_bytes(buf)
    return sum(_vehicle_value(v) for v in lot.vehicles)


def read_one_carsales(buf: bytes, packed: bool) -> int:
    vehicles = (Lot.from_bytes_packed(buf) if packed else Lot.from_bytes(buf)).vehicles
    return vehicles[len(vehicles) - 1].mass_kg


def build_catrank(hits: List[HitData], packed: bool) -> bytes:
    root = HitList.new_message()
    out = root.init_hits(len(hits))
    for h, d in zip(out, hits):
        h.url = d.url
        h.score = d.score
        h.snippet = d.snippet
    return _write(root, packed)


def read_all_catrank(buf: bytes, packed: bool) -> Tuple[int, int]:
    hits = (HitList.from_bytes_packed(buf) if packed else HitList.from_bytes(buf)).hits
    return rank_hits([(h.score, h.url, h.snippet) for h in hits], " cat ", " dog ")


def _build_expr(e: Expr.Builder, d: ExprData) -> None:
    e.operator = Operator(d.operator)
    if isinstance(d.lhs, ExprData):
        _build_expr(e.lhs.init_nested(), d.lhs)
    else:
        e.lhs.literal = d.lhs
    if isinstance(d.rhs, ExprData):
        _build_expr(e.rhs.init_nested(), d.rhs)
    else:
        e.rhs.literal = d.rhs


def build_eval(expr: ExprData, packed: bool) -> bytes:
    root = Expr.new_message()
    _build_expr(root, expr)
    return _write(root, packed)


def _evaluate(e: Expr.Reader) -> int:
    lhs = e.lhs
    a = lhs.literal if lhs.which() == 0 else _evaluate(lhs.nested)
    rhs = e.rhs
    b = rhs.literal if rhs.which() == 0 else _evaluate(rhs.nested)
    return apply_operator(e.operator, a, b)


def read_all_eval(buf: bytes, packed: bool) -> int:
    return _evaluate(Expr.from_bytes_packed(buf) if packed else Expr.from_bytes(buf))
