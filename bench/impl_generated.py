"""The workloads on purecap through generated code: the ``workloads_capnp`` module that
``purecap.codegen`` writes for ``schemas/workloads.capnp``, generated afresh when the benchmark
starts (see ``generated.py``).

Each ``build_*`` builds a fresh message from the plain data of ``bench/data.py`` and serialises
it; each ``read_all_*`` parses bytes and reads every field (computing the workload's answer);
each ``read_one_*`` parses bytes and reads one field deep in the message. ``packed`` selects the
packed encoding for both directions. Used as a generated module is meant to be used:
``X.new_message()``, property assignment, ``init_*``, ``to_bytes()``; ``X.from_bytes(buf)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Tuple

from bench.data import (
    ExprData,
    HitData,
    ReadingData,
    VehicleData,
    apply_operator,
    rank_hits,
    reading_checksum,
)

if TYPE_CHECKING:  # mypy reads the checked-in copy; the run imports the fresh one
    from tests.codegen.generated import workloads_capnp as w
else:
    from bench import generated

    w = generated.load()

NAME = "generated"
PACKED = True  # this implementation has the packed encoding


def version() -> str:
    return f"codegen v{w.GENERATOR_VERSION}"


# -- flat ---------------------------------------------------------------------------------------


def build_flat(d: ReadingData, packed: bool) -> bytes:
    r = w.Reading.new_message()
    r.sensor = d.sensor
    r.timestamp = d.timestamp
    r.celsius = d.celsius
    r.humidity = d.humidity
    r.battery = d.battery
    r.alarm = d.alarm
    r.sequence = d.sequence
    return r.to_bytes_packed() if packed else r.to_bytes()


def _read_flat(buf: bytes, packed: bool) -> w.Reading.Reader:
    return w.Reading.from_bytes_packed(buf) if packed else w.Reading.from_bytes(buf)


def read_all_flat(buf: bytes, packed: bool) -> float:
    r = _read_flat(buf, packed)
    return reading_checksum(
        r.sensor, r.timestamp, r.celsius, r.humidity, r.battery, r.alarm, r.sequence
    )


def read_one_flat(buf: bytes, packed: bool) -> float:
    return _read_flat(buf, packed).celsius


# -- carsales -----------------------------------------------------------------------------------


def build_carsales(lot: List[VehicleData], packed: bool) -> bytes:
    message = w.Lot.new_message()
    vehicles = message.init_vehicles(len(lot))
    for v, d in zip(vehicles, lot):
        v.maker = d.maker
        v.model = d.model
        # The data holds the enumerant's ordinal, as pycapnp and capnpy are given it; the setter
        # stores any int in range (converting to ``Paint`` first would be work pycapnp skips).
        v.paint = d.paint  # type: ignore[assignment]
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
    return message.to_bytes_packed() if packed else message.to_bytes()


def _vehicle_value(v: w.Vehicle.Reader) -> int:
    # bench.data.vehicle_value, field by field on a reader (an enum is an IntEnum: its ordinal).
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


def _read_lot(buf: bytes, packed: bool) -> w.Lot.Reader:
    return w.Lot.from_bytes_packed(buf) if packed else w.Lot.from_bytes(buf)


def read_all_carsales(buf: bytes, packed: bool) -> int:
    return sum(_vehicle_value(v) for v in _read_lot(buf, packed).vehicles)


def read_one_carsales(buf: bytes, packed: bool) -> int:
    vehicles = _read_lot(buf, packed).vehicles
    return vehicles[len(vehicles) - 1].mass_kg


# -- catrank ------------------------------------------------------------------------------------


def build_catrank(hits: List[HitData], packed: bool) -> bytes:
    message = w.HitList.new_message()
    out = message.init_hits(len(hits))
    for h, d in zip(out, hits):
        h.url = d.url
        h.score = d.score
        h.snippet = d.snippet
    return message.to_bytes_packed() if packed else message.to_bytes()


def _read_hits(buf: bytes, packed: bool) -> w.HitList.Reader:
    return w.HitList.from_bytes_packed(buf) if packed else w.HitList.from_bytes(buf)


def read_all_catrank(buf: bytes, packed: bool) -> Tuple[int, int]:
    hits = _read_hits(buf, packed).hits
    return rank_hits([(h.score, h.url, h.snippet) for h in hits], " cat ", " dog ")


def read_one_catrank(buf: bytes, packed: bool) -> float:
    hits = _read_hits(buf, packed).hits
    return hits[len(hits) - 1].score


# -- eval ---------------------------------------------------------------------------------------


def _build_expr(e: w.Expr.Builder, d: ExprData) -> None:
    e.operator = d.operator  # type: ignore[assignment]  # an ordinal, as for Paint above
    if isinstance(d.lhs, ExprData):
        _build_expr(e.lhs.init_nested(), d.lhs)
    else:
        e.lhs.literal = d.lhs
    if isinstance(d.rhs, ExprData):
        _build_expr(e.rhs.init_nested(), d.rhs)
    else:
        e.rhs.literal = d.rhs


def build_eval(expr: ExprData, packed: bool) -> bytes:
    message = w.Expr.new_message()
    _build_expr(message, expr)
    return message.to_bytes_packed() if packed else message.to_bytes()


def _evaluate(e: w.Expr.Reader) -> int:
    lhs = e.lhs
    a = lhs.literal if lhs.which() == 0 else _evaluate(lhs.nested)
    rhs = e.rhs
    b = rhs.literal if rhs.which() == 0 else _evaluate(rhs.nested)
    return apply_operator(e.operator, a, b)


def _read_expr(buf: bytes, packed: bool) -> w.Expr.Reader:
    return w.Expr.from_bytes_packed(buf) if packed else w.Expr.from_bytes(buf)


def read_all_eval(buf: bytes, packed: bool) -> int:
    return _evaluate(_read_expr(buf, packed))


def read_one_eval(buf: bytes, packed: bool) -> int:
    return _read_expr(buf, packed).operator
