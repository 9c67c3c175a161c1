"""Where purecap's time goes: cProfile of each workload, then the cost of the wire layer's
primitive steps measured one by one (``bench/run.py --profile``; best on CPython, since cProfile
under PyPy's JIT says little).

The per-step table is what to look at when changing ``purecap/wire/reader.py`` or
``builder.py``: reading one field of a message is the sum of a handful of these steps.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import timeit
from typing import Any, Callable, Dict, List, Tuple

from bench import data
from bench import generated
from bench import impl_generated as P
from purecap.wire import framing
from purecap.wire.builder import MessageBuilder
from purecap.wire.limits import ReadLimits
from purecap.wire.message import read_message
from purecap.wire.reader import MessageReader, StructReader, read_struct


def _profile(label: str, fn: Callable[[], Any], calls: int, top: int = 12) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        fn()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    lines = out.getvalue().splitlines()
    body = [line for line in lines if line.strip()]
    # Keep the column header and the rows; shorten the paths to the repository's.
    start = next(i for i, line in enumerate(body) if line.lstrip().startswith("ncalls"))
    print(f"--- {label} ({calls} calls; sorted by own time)")
    for line in body[start:]:
        print(line.replace(P.__file__.rsplit("/bench/", 1)[0] + "/", ""))
    print()


def _steps() -> List[Tuple[str, str, Dict[str, Any]]]:
    flat = P.build_flat(data.make_reading(), False)
    cars = P.build_carsales(data.make_lot(100), False)
    unlimited = ReadLimits(None, None)  # so that millions of repeated reads are not refused
    segments, _ = framing.segments_from_buffer(flat)
    message = MessageReader(segments, unlimited)
    car_message = read_message(cars, traversal_limit_words=None)
    lot = car_message.get_root()
    vehicles = lot.get_list(0, 7)
    vehicle = vehicles.get_struct(99)
    env: Dict[str, Any] = {
        "flat": flat, "cars": cars, "read_message": read_message, "framing": framing,
        "segments": segments, "ReadLimits": ReadLimits, "MessageReader": MessageReader,
        "unlimited": unlimited, "message": message, "read_struct": read_struct,
        "StructReader": StructReader, "segment": segments[0], "lot": lot,
        "vehicles": vehicles, "vehicle": vehicle, "VehicleReader": generated.load().Vehicle.Reader,
        "MessageBuilder": MessageBuilder,
    }
    return [
        ("read_message(48-byte message)", "read_message(flat)", env),
        ("  framing.segments_from_buffer", "framing.segments_from_buffer(flat)", env),
        ("  ReadLimits(8Mi, 64)", "ReadLimits(8388608, 64)", env),
        ("  MessageReader(segments, limits)", "MessageReader(segments, unlimited)", env),
        ("message.get_root()", "message.get_root()", env),
        ("  message.root_pointer()", "message.root_pointer()", env),
        ("  read_struct(root pointer)", "read_struct(message, 0, 0, 64, None)", env),
        ("  message.charge(4, 0, 0)", "message.charge(4, 0, 0)", env),
        ("  StructReader(...) (8 fields)", "StructReader(message, segment, 0, 8, 32, 40, 0, 63)",
         env),
        ("struct.get_list(i) (far pointer)", "lot.get_list(0, 7)", env),
        ("list.get_struct(i)", "vehicles.get_struct(99)", env),
        ("struct.get_text(i) (far pointer)", "vehicle.get_text(0)", env),
        ("struct.get_struct(i) (far pointer)", "vehicle.get_struct(3)", env),
        ("Vehicle.Reader(r).mass_kg (generated)", "VehicleReader(vehicle).mass_kg", env),
        ("MessageBuilder()", "MessageBuilder()", env),
        ("MessageBuilder().init_root(4, 0)", "MessageBuilder().init_root(4, 0)", env),
    ]


def main() -> None:
    reading = data.make_reading()
    lot = data.make_lot(100)
    hits = data.make_hits(500)
    expr = data.make_expr()
    bufs = {
        "flat": P.build_flat(reading, False),
        "carsales": P.build_carsales(lot, False),
        "catrank": P.build_catrank(hits, False),
        "eval": P.build_eval(expr, False),
    }
    print("=== cProfile of purecap's generated code (framed)\n")
    _profile("build carsales", lambda: P.build_carsales(lot, False), 30)
    _profile("read_all carsales", lambda: P.read_all_carsales(bufs["carsales"], False), 30)
    _profile("build catrank", lambda: P.build_catrank(hits, False), 10)
    _profile("read_all catrank", lambda: P.read_all_catrank(bufs["catrank"], False), 10)
    _profile("read_all eval", lambda: P.read_all_eval(bufs["eval"], False), 300)
    _profile("read_one carsales", lambda: P.read_one_carsales(bufs["carsales"], False), 5000)
    _profile("build flat", lambda: P.build_flat(reading, False), 5000)
    print("=== the wire layer's steps, one by one (ns per call, best of 5)\n")
    for label, stmt, env in _steps():
        number = 20000
        best = min(timeit.repeat(stmt, globals=env, number=number, repeat=5)) / number
        print(f"{label:45} {best * 1e9:8.0f}")
