"""Packing and unpacking alone: ns per operation for the benchmark workloads' messages.

Run from the repository root, on any interpreter::

    .venv/bin/python bench/packing_bench.py            # CPython, with pycapnp as the anchor
    .venv-pypy/bin/python bench/packing_bench.py       # PyPy (JIT warmed up before timing)
    .venv/bin/python bench/packing_bench.py --quick    # rough numbers, a few seconds

The messages are those of ``bench/run.py`` (``bench/data.py``'s seeded inputs, built through
purecap's generated code, framed), plus carsales at 10,000 vehicles (1.5 MB) to show how the
cost grows.  Columns, in ns per operation:

* ``pack``: ``framing.frame_segments_packed`` -- what ``to_bytes_packed()`` adds to building;
* ``unpack``: ``framing.segments_from_packed_buffer`` -- what ``from_bytes_packed()`` costs
  before the first field is read (the segment table read, then the segments unpacked);
* ``pack raw`` / ``unpack raw``: :func:`purecap.wire.packing.pack` and ``unpack`` of the whole
  framed message in one buffer (``convert``'s flat-packed path);
* ``frame`` / ``parse``: the framed (unpacked) equivalents of the first two, for scale;
* on CPython with pycapnp importable: pycapnp's ``to_bytes_packed()`` of a builder and
  ``from_bytes_packed()`` (which unpacks the whole message eagerly, in C++).

Timing: each operation is warmed up (0.2 s of calls on CPython, 2 s on PyPy, whose JIT needs
thousands of iterations), then timed in repeats of about 20 ms; the best repeat's mean is
printed.  The garbage collector stays on.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

from bench import data  # noqa: E402  (needs the path set above)
from purecap.wire import framing, packing  # noqa: E402

PYPY = sys.implementation.name == "pypy"


def _messages(big: bool) -> Dict[str, bytes]:
    """Framed messages of the workloads, built with purecap's generated code."""
    from bench import impl_generated as g

    messages = {
        "flat": g.build_flat(data.make_reading(), False),
        "carsales": g.build_carsales(data.make_lot(100), False),
        "catrank": g.build_catrank(data.make_hits(500), False),
        "eval": g.build_eval(data.make_expr(), False),
    }
    if big:
        messages["carsales10k"] = g.build_carsales(data.make_lot(10000), False)
    return messages


def _pycapnp_ops(name: str, framed: bytes) -> Dict[str, Callable[[], Any]]:
    """pycapnp's packed write and read of the same message, or nothing without pycapnp."""
    if PYPY:
        return {}
    try:
        capnp: Any = importlib.import_module("capnp")
    except ImportError:
        return {}
    schema: Any = capnp.load(os.path.join(REPO, "bench", "schemas", "workloads.capnp"))
    root = {"flat": "Reading", "carsales": "Lot", "carsales10k": "Lot", "catrank": "HitList",
            "eval": "Expr"}[name]
    cls = getattr(schema, root)
    with cls.from_bytes(framed, traversal_limit_in_words=1 << 30) as reader:
        builder = reader.as_builder()
    packed = builder.to_bytes_packed()

    def write() -> bytes:
        builder.clear_write_flag()  # writing again is what we time: no warning about it
        result: bytes = builder.to_bytes_packed()
        return result

    return {
        "pycapnp pack": write,
        "pycapnp unpack": lambda: cls.from_bytes_packed(packed, traversal_limit_in_words=1 << 30),
    }


def _time(fn: Callable[[], Any], warmup_s: float, repeat_s: float, repeats: int) -> float:
    """Best mean ns per call over ``repeats`` repeats of about ``repeat_s`` each."""
    clock = time.perf_counter_ns
    calls = 0
    start = clock()
    while clock() - start < warmup_s * 1e9 or calls < 3:
        fn()
        calls += 1
    per_call = max(1.0, (clock() - start) / calls)
    number = max(1, int(repeat_s * 1e9 / per_call))
    best = float("inf")
    for _ in range(repeats):
        t0 = clock()
        for _ in range(number):
            fn()
        best = min(best, (clock() - t0) / number)
    return best


def _ops(framed: bytes) -> Dict[str, Callable[[], Any]]:
    segments = [bytes(s) for s in framing.segments_from_buffer(framed, 0, None)[0]]
    packed = framing.frame_segments_packed(segments)
    assert framing.segments_from_packed_buffer(packed, 0, None)[0] == segments
    whole = packing.pack(framed)
    assert packing.unpack(whole) == framed
    return {
        "pack": lambda: framing.frame_segments_packed(segments),
        "unpack": lambda: framing.segments_from_packed_buffer(packed, 0, None),
        "pack raw": lambda: packing.pack(framed),
        "unpack raw": lambda: packing.unpack(whole),
        "frame": lambda: framing.frame_segments(segments),
        "parse": lambda: framing.segments_from_buffer(framed, 0, None),
    }


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short warm-up and timing")
    parser.add_argument("--no-big", action="store_true", help="skip carsales at 10,000 vehicles")
    parser.add_argument("--only", help="comma-separated workloads to run")
    args = parser.parse_args(argv)
    if args.quick:
        warmup, repeat, repeats = (0.3 if PYPY else 0.02), 0.005, 3
    else:
        warmup, repeat, repeats = (2.0 if PYPY else 0.2), 0.02, 7
    messages = _messages(big=not args.no_big)
    if args.only:
        wanted = set(args.only.split(","))
        messages = {k: v for k, v in messages.items() if k in wanted}
    print(f"{platform.python_implementation()} {platform.python_version()} "
          f"({sys.version.split()[0]}); ns per operation, best repeat")
    rows: List[Tuple[str, int, int, Dict[str, float]]] = []
    columns: List[str] = []
    for name, framed in messages.items():
        ops = _ops(framed)
        ops.update(_pycapnp_ops(name, framed))
        results = {}
        for label, fn in ops.items():
            results[label] = _time(fn, warmup, repeat, repeats)
            if label not in columns:
                columns.append(label)
        rows.append((name, len(framed), len(packing.pack(framed)), results))
    header = ["workload", "framed B", "packed B"] + columns
    print("| " + " | ".join(header) + " |")
    print("|---|--:|--:|" + "--:|" * len(columns))
    for name, nframed, npacked, results in rows:
        cells = [f"{results[c]:,.0f}" if c in results else "-" for c in columns]
        print(f"| {name} | {nframed:,} | {npacked:,} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
