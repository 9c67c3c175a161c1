"""The workloads on purecap, through the hand-written accessors of ``purecap_accessors``.

Each ``build_*`` builds a fresh message from the plain data of ``bench/data.py`` and serialises
it; each ``read_all_*`` parses bytes and reads every field (computing the workload's answer);
each ``read_one_*`` parses bytes and reads one field deep in the message. ``packed`` selects the
packed encoding for both directions.
"""

from __future__ import annotations

from typing import List, Tuple

from bench.data import (
    ExprData,
    HitData,
    ReadingData,
    VehicleData,
    apply_operator,
    rank_hits,
    reading_checksum,
)
from bench.purecap_accessors import (
    ExprBuilder,
    ExprReader,
    HitListBuilder,
    HitListReader,
    LotBuilder,
    LotReader,
    ReadingBuilder,
    ReadingReader,
    VehicleReader,
    init_root,
    read_root,
)
from purecap.wire.builder import MessageBuilder
from purecap.wire.message import (
    read_message,
    read_packed_message,
    write_message,
    write_packed_message,
)
from purecap.wire.reader import MessageReader

NAME = "purecap"
PACKED = True  # this implementation has the packed encoding


def _write(message: MessageBuilder, packed: bool) -> bytes:
    return write_packed_message(message) if packed else write_message(message)


def _read(buf: bytes, packed: bool) -> MessageReader:
    return read_packed_message(buf) if packed else read_message(buf)


# -- flat ---------------------------------------------------------------------------------------


def build_flat(d: ReadingData, packed: bool) -> bytes:
    message = MessageBuilder()
    r = init_root(message, ReadingBuilder)
    r.sensor = d.sensor
    r.timestamp = d.timestamp
    r.celsius = d.celsius
    r.humidity = d.humidity
    r.battery = d.battery
    r.alarm = d.alarm
    r.sequence = d.sequence
    return _write(message, packed)


def read_all_flat(buf: bytes, packed: bool) -> float:
    r = read_root(_read(buf, packed), ReadingReader)
    return reading_checksum(
        r.sensor, r.timestamp, r.celsius, r.humidity, r.battery, r.alarm, r.sequence
    )


def read_one_flat(buf: bytes, packed: bool) -> float:
    return read_root(_read(buf, packed), ReadingReader).celsius


# -- carsales -----------------------------------------------------------------------------------


def build_carsales(lot: List[VehicleData], packed: bool) -> bytes:
    message = MessageBuilder()
    vehicles = init_root(message, LotBuilder).init_vehicles(len(lot))
    for v, d in zip(vehicles, lot):
        v.maker = d.maker
        v.model = d.model
        v.paint = d.paint
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
    return _write(message, packed)


def _vehicle_value(v: VehicleReader) -> int:
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
    lot = read_root(_read(buf, packed), LotReader)
    return sum(_vehicle_value(v) for v in lot.vehicles)


def read_one_carsales(buf: bytes, packed: bool) -> int:
    vehicles = read_root(_read(buf, packed), LotReader).vehicles
    return vehicles[len(vehicles) - 1].mass_kg


# -- catrank ------------------------------------------------------------------------------------


def build_catrank(hits: List[HitData], packed: bool) -> bytes:
    message = MessageBuilder()
    out = init_root(message, HitListBuilder).init_hits(len(hits))
    for h, d in zip(out, hits):
        h.url = d.url
        h.score = d.score
        h.snippet = d.snippet
    return _write(message, packed)


def read_all_catrank(buf: bytes, packed: bool) -> Tuple[int, int]:
    hits = read_root(_read(buf, packed), HitListReader).hits
    return rank_hits([(h.score, h.url, h.snippet) for h in hits], " cat ", " dog ")


def read_one_catrank(buf: bytes, packed: bool) -> float:
    hits = read_root(_read(buf, packed), HitListReader).hits
    return hits[len(hits) - 1].score


# -- eval ---------------------------------------------------------------------------------------


def _build_expr(e: ExprBuilder, d: ExprData) -> None:
    e.operator = d.operator
    if isinstance(d.lhs, ExprData):
        _build_expr(e.lhs.init_nested(), d.lhs)
    else:
        e.lhs.literal = d.lhs
    if isinstance(d.rhs, ExprData):
        _build_expr(e.rhs.init_nested(), d.rhs)
    else:
        e.rhs.literal = d.rhs


def build_eval(expr: ExprData, packed: bool) -> bytes:
    message = MessageBuilder()
    _build_expr(init_root(message, ExprBuilder), expr)
    return _write(message, packed)


def _evaluate(e: ExprReader) -> int:
    lhs = e.lhs
    a = lhs.literal if lhs.which() == 0 else _evaluate(lhs.nested)
    rhs = e.rhs
    b = rhs.literal if rhs.which() == 0 else _evaluate(rhs.nested)
    return apply_operator(e.operator, a, b)


def read_all_eval(buf: bytes, packed: bool) -> int:
    return _evaluate(read_root(_read(buf, packed), ExprReader))


def read_one_eval(buf: bytes, packed: bool) -> int:
    return read_root(_read(buf, packed), ExprReader).operator


