"""Seeded random inputs for the workloads, as plain Python objects, with their expected answers.

Every implementation builds its messages from the same objects and must compute the same answers
from what it reads back; ``bench/run.py`` checks this before timing anything, so a benchmark that
silently reads the wrong field cannot win.

Floating-point fields of the schema that are 32-bit are generated already rounded to float32, so
that a value read back equals the value generated.
"""

from __future__ import annotations

import random
import struct
from typing import AnyStr, List, Sequence, Tuple, Union

__all__ = [
    "ReadingData",
    "TyreData",
    "MotorData",
    "VehicleData",
    "HitData",
    "ExprData",
    "make_reading",
    "make_lot",
    "make_hits",
    "make_expr",
    "reading_checksum",
    "vehicle_value",
    "lot_value",
    "rank_hits",
    "evaluate",
    "expr_nodes",
    "wrap32",
    "apply_operator",
    "SEED",
]

SEED = 20240519

_F32 = struct.Struct("<f")


def _f32(value: float) -> float:
    """``value`` rounded to the nearest float32 (what a Float32 field stores)."""
    return _F32.unpack(_F32.pack(value))[0]  # type: ignore[no-any-return]


# -- flat ---------------------------------------------------------------------------------------


class ReadingData:
    __slots__ = ("sensor", "timestamp", "celsius", "humidity", "battery", "alarm", "sequence")

    def __init__(
        self, sensor: int, timestamp: int, celsius: float, humidity: float, battery: int,
        alarm: bool, sequence: int,
    ) -> None:
        self.sensor = sensor
        self.timestamp = timestamp
        self.celsius = celsius
        self.humidity = humidity
        self.battery = battery
        self.alarm = alarm
        self.sequence = sequence


def make_reading(seed: int = SEED) -> ReadingData:
    rng = random.Random(seed)
    return ReadingData(
        sensor=rng.randrange(1 << 32),
        timestamp=rng.randrange(-(1 << 62), 1 << 62),
        celsius=rng.uniform(-40.0, 50.0),
        humidity=_f32(rng.uniform(0.0, 100.0)),
        battery=rng.randrange(101),
        alarm=rng.random() < 0.5,
        sequence=rng.randrange(-(1 << 15), 1 << 15),
    )


def reading_checksum(
    sensor: int, timestamp: int, celsius: float, humidity: float, battery: int, alarm: bool,
    sequence: int,
) -> float:
    """Folds every field of a Reading into one number (so no read can be skipped)."""
    return sensor + (timestamp & 0xFFFF) + celsius + humidity + battery + alarm + sequence


# -- carsales -----------------------------------------------------------------------------------

_MAKERS = ("Alder", "Birch", "Cedar", "Damson", "Elm", "Fir", "Ginkgo")
_MODELS = ("Breeze", "Comet", "Drift", "Ember", "Flare", "Glide", "Harbor", "Ion")


class TyreData:
    __slots__ = ("rim_inches", "pressure_bar", "winter")

    def __init__(self, rim_inches: int, pressure_bar: float, winter: bool) -> None:
        self.rim_inches = rim_inches
        self.pressure_bar = pressure_bar
        self.winter = winter


class MotorData:
    __slots__ = ("kilowatts", "cylinders", "displacement_cc", "combustion", "electric")

    def __init__(
        self, kilowatts: int, cylinders: int, displacement_cc: int, combustion: bool,
        electric: bool,
    ) -> None:
        self.kilowatts = kilowatts
        self.cylinders = cylinders
        self.displacement_cc = displacement_cc
        self.combustion = combustion
        self.electric = electric


class VehicleData:
    __slots__ = (
        "maker", "model", "paint", "seats", "doors", "tyres", "length_cm", "width_cm",
        "height_cm", "mass_kg", "motor", "tank_litres", "fuel_litres", "sunroof", "autopilot",
        "heated_seats", "cup_holders", "sat_nav",
    )

    def __init__(self, rng: random.Random) -> None:
        self.maker = rng.choice(_MAKERS)
        self.model = rng.choice(_MODELS)
        self.paint = rng.randrange(9)
        self.seats = rng.randrange(1, 9)
        self.doors = rng.randrange(2, 6)
        self.tyres = [
            TyreData(rng.randrange(14, 23), _f32(rng.uniform(1.8, 3.2)), rng.random() < 0.1)
            for _ in range(4)
        ]
        self.length_cm = rng.randrange(300, 560)
        self.width_cm = rng.randrange(150, 210)
        self.height_cm = rng.randrange(130, 200)
        self.mass_kg = self.length_cm * self.width_cm * self.height_cm // 5000
        electric = rng.random() < 0.4
        combustion = not electric or rng.random() < 0.5
        self.motor = MotorData(
            rng.randrange(40, 400),
            rng.choice((0, 3, 4, 6, 8)) if combustion else 0,
            rng.randrange(900, 5000) if combustion else 0,
            combustion,
            electric,
        )
        self.tank_litres = _f32(rng.uniform(35.0, 80.0))
        self.fuel_litres = _f32(rng.uniform(0.0, self.tank_litres))
        self.sunroof = rng.random() < 0.3
        self.autopilot = rng.random() < 0.2
        self.heated_seats = rng.random() < 0.5
        self.cup_holders = rng.randrange(0, 13)
        self.sat_nav = rng.random() < 0.6


def make_lot(count: int, seed: int = SEED) -> List[VehicleData]:
    rng = random.Random(seed)
    return [VehicleData(rng) for _ in range(count)]


def vehicle_value(v: VehicleData) -> int:
    """What a vehicle is worth (an arbitrary formula that reads every field). The
    implementations repeat it field by field on their own readers; see ``impl_*.py``."""
    value = v.seats * 150 + v.doors * 300 + v.paint * 7 + len(v.maker) + len(v.model)
    for t in v.tyres:
        value += t.rim_inches * t.rim_inches + int(t.pressure_bar * 10) + (120 if t.winter else 0)
    value += v.length_cm * v.width_cm * v.height_cm // 40 + v.mass_kg // 10
    m = v.motor
    value += m.kilowatts * 30 + m.cylinders * 100 + m.displacement_cc // 10
    if m.electric:
        value += 4000 if m.combustion else 2500
    value += int(v.tank_litres) + int(v.fuel_litres)
    value += (150 if v.sunroof else 0) + (1500 if v.autopilot else 0)
    value += (300 if v.heated_seats else 0) + (1800 if v.sat_nav else 0) + v.cup_holders * 20
    return value


def lot_value(lot: List[VehicleData]) -> int:
    return sum(vehicle_value(v) for v in lot)


# -- catrank ------------------------------------------------------------------------------------

_WORDS = (
    "river ", "lamp ", "quiet ", "orbit ", "maple ", "signal ", "copper ", "window ", "gravel ",
    "lantern ", "pocket ", "tundra ", "violet ", "ember ", "harbor ", "meadow ", "cobalt ",
    "thistle ", "canyon ", "ribbon ",
)


class HitData:
    __slots__ = ("url", "score", "snippet")

    def __init__(self, url: str, score: float, snippet: str) -> None:
        self.url = url
        self.score = score
        self.snippet = snippet


def make_hits(count: int, seed: int = SEED) -> List[HitData]:
    """Hits in decreasing score order; about 1 in 7 mentions cats, 1 in 9 dogs."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    hits = []
    for i in range(count):
        url = "https://search.example/" + "".join(
            rng.choice(letters) for _ in range(rng.randrange(60))
        )
        words = [" "]
        words.extend(rng.choice(_WORDS) for _ in range(rng.randrange(16)))
        if rng.random() < 1 / 7:
            words.append("cat ")
        if rng.random() < 1 / 9:
            words.append("dog ")
        words.extend(rng.choice(_WORDS) for _ in range(rng.randrange(16)))
        hits.append(HitData(url, float(count - i), "".join(words)))
    return hits


def rank_hits(
    hits: Sequence[Tuple[float, AnyStr, AnyStr]], cat: AnyStr, dog: AnyStr
) -> Tuple[int, int]:
    """Re-rank ``(score, url, snippet)`` triples: cats up, dogs down. Returns how many ranked
    above every cat-free hit and the total length of their URLs. (``cat``/``dog`` are the
    words to look for, as ``str`` or as ``bytes`` for an implementation whose Text is bytes.)"""
    ranked = []
    for score, url, snippet in hits:
        if cat in snippet:
            score *= 10000.0
        if dog in snippet:
            score /= 10000.0
        ranked.append((score, url))
    ranked.sort(reverse=True)
    threshold = float(len(hits) + 1)
    good = 0
    url_bytes = 0
    for score, url in ranked:
        if score <= threshold:
            break
        good += 1
        url_bytes += len(url)
    return good, url_bytes


# -- eval ---------------------------------------------------------------------------------------

PLUS, MINUS, TIMES, OVER, MODULO = range(5)


class ExprData:
    __slots__ = ("operator", "lhs", "rhs")

    def __init__(
        self, operator: int, lhs: Union[int, ExprData], rhs: Union[int, ExprData]
    ) -> None:
        self.operator = operator
        self.lhs = lhs
        self.rhs = rhs


def wrap32(value: int) -> int:
    """``value`` as a two's-complement Int32 (C++ arithmetic wraps)."""
    return ((value + 0x80000000) & 0xFFFFFFFF) - 0x80000000


def apply_operator(operator: int, a: int, b: int) -> int:
    """One step of evaluation, in Int32 arithmetic; division truncates toward zero as in C, and
    dividing by zero gives 0 (our rule: the tree stays evaluable)."""
    if operator == PLUS:
        return wrap32(a + b)
    if operator == MINUS:
        return wrap32(a - b)
    if operator == TIMES:
        return wrap32(a * b)
    if b == 0:
        return 0
    q = abs(a) // abs(b)
    if (a < 0) != (b < 0):
        q = -q
    if operator == OVER:
        return wrap32(q)
    return wrap32(a - b * q)


def _make_node(rng: random.Random, depth: int) -> ExprData:
    # The deeper a node, the likelier its operands are literals: trees stay finite and varied.
    lhs: Union[int, ExprData]
    rhs: Union[int, ExprData]
    lhs = rng.randrange(1, 129) if rng.randrange(10) < depth else _make_node(rng, depth + 1)
    rhs = rng.randrange(1, 129) if rng.randrange(10) < depth else _make_node(rng, depth + 1)
    return ExprData(rng.randrange(5), lhs, rhs)


def expr_nodes(e: ExprData) -> int:
    n = 1
    if isinstance(e.lhs, ExprData):
        n += expr_nodes(e.lhs)
    if isinstance(e.rhs, ExprData):
        n += expr_nodes(e.rhs)
    return n


def make_expr(min_nodes: int = 50, max_nodes: int = 80, seed: int = SEED) -> ExprData:
    """The first seeded tree whose size falls in ``[min_nodes, max_nodes]`` and whose value is
    not 0 (a division by zero near the root would make the answer a weak check)."""
    rng = random.Random(seed)
    while True:
        e = _make_node(rng, 0)
        if min_nodes <= expr_nodes(e) <= max_nodes and evaluate(e) != 0:
            return e


def evaluate(e: Union[int, ExprData]) -> int:
    if isinstance(e, int):
        return e
    return apply_operator(e.operator, evaluate(e.lhs), evaluate(e.rhs))
