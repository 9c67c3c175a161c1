"""Time generated accessors against the hand-written ones of ``bench/purecap_accessors.py``.

    PYTHONPATH=. python -m tests.codegen.bench_generated [--quick]

Prints, per workload, the best of several repeats (ns per operation) of the hand-written and the
generated version of the same code (``bench/impl_purecap.py`` and ``tests/codegen/workloads.py``).
Not a test: timings on a shared machine are noise-prone; the generated code is meant to be as fast.
"""

from __future__ import annotations

import sys
import time
from functools import partial
from typing import Any, Callable, List, Tuple

from bench import data
from bench import impl_purecap as hand
from tests.codegen import workloads as gen


def _best(fn: Callable[[], Any], repeats: int, seconds: float) -> float:
    # Calibrate a loop of about ``seconds``, then keep the best of ``repeats`` runs.
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds / 4:
            break
        n *= 2
    n = max(1, int(n * seconds / max(elapsed, 1e-9)))
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - t0) / n)
    return best * 1e9


def main(argv: List[str]) -> int:
    quick = "--quick" in argv
    repeats, seconds = (3, 0.05) if quick else (7, 0.2)
    reading = data.make_reading()
    lot = data.make_lot(100)
    hits = data.make_hits(500)
    expr = data.make_expr()
    cases: List[Tuple[str, Callable[[], Any], Callable[[], Any]]] = []
    for packed in (False, True):
        suffix = " packed" if packed else ""
        flat = hand.build_flat(reading, packed)
        cars = hand.build_carsales(lot, packed)
        cats = hand.build_catrank(hits, packed)
        ev = hand.build_eval(expr, packed)
        cases += [
            ("flat read_all" + suffix, partial(hand.read_all_flat, flat, packed),
             partial(gen.read_all_flat, flat, packed)),
            ("carsales read_all" + suffix, partial(hand.read_all_carsales, cars, packed),
             partial(gen.read_all_carsales, cars, packed)),
            ("catrank read_all" + suffix, partial(hand.read_all_catrank, cats, packed),
             partial(gen.read_all_catrank, cats, packed)),
            ("eval read_all" + suffix, partial(hand.read_all_eval, ev, packed),
             partial(gen.read_all_eval, ev, packed)),
            ("carsales build" + suffix, partial(hand.build_carsales, lot, packed),
             partial(gen.build_carsales, lot, packed)),
        ]  # fmt: skip
    print(f"{sys.implementation.name} {sys.version.split()[0]}: ns per operation (best of "
          f"{repeats})")  # fmt: skip
    print(f"{'workload':28} {'hand-written':>14} {'generated':>14} {'ratio':>7}")
    for name, h, g in cases:
        th = _best(h, repeats, seconds)
        tg = _best(g, repeats, seconds)
        print(f"{name:28} {th:14,.0f} {tg:14,.0f} {tg / th:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
