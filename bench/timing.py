"""The timing harness: ns per operation, measured so that a shared machine disturbs it little.

* ``time.perf_counter_ns`` around a loop of ``number`` calls; ``number`` is chosen so that one
  *repeat* lasts about ``target_s`` (so timer resolution and loop overhead, ~30 ns per call on
  CPython, stay small against the operation);
* **warm-up** runs windows of calls (``warmup_window_s`` each) until the time per call has
  stopped improving by 5% for ``stale_windows`` windows in a row (a JIT has compiled the hot
  paths: PyPy needs this, and its progress comes in steps with plateaus in between; CPython
  3.11+ specialises its bytecode too), at least ``min_warmup_s`` and at most ``max_warmup_s`` of
  this thread's CPU time (on a busy machine, wall time would cut it short);
* a **round** is ``repeats`` repeats during which this thread kept the CPU: a repeat with less
  than 90% of its wall time as this thread's CPU time (``time.thread_time_ns``) was disturbed by
  another process, and is discarded and run again (until ``max_round_s``). A round's figure is
  its **mean** time per call;
* the implementations being compared are measured **in alternating rounds**, and each one's
  result is its **best round**: a slow period of the machine (a busy neighbour on the same core
  slows us without descheduling us) then hits every implementation alike and is left out;
* the **garbage collector stays enabled** (unlike ``timeit``): what a message costs includes
  collecting its garbage. On PyPy a major collection pauses for milliseconds every few hundred
  messages; a round is long enough to include its share of them, and since the figure is a
  round's mean, they count. A full collection runs before each warm-up;
* each case gets its own freshly compiled timing loop: on PyPy, one loop shared by every case
  would be traced for the first case and then fall back to bridges for the others.
"""

from __future__ import annotations

import gc
import time
from typing import Any, Callable, Dict, List

__all__ = ["Measurement", "Settings", "Case", "compare", "measure"]

_LOOP_SOURCE = """
def loop(fn, number, clock):
    t0 = clock()
    for _ in range(number):
        fn()
    return clock() - t0
"""


def _fresh_loop() -> Callable[[Callable[[], Any], int, Callable[[], int]], int]:
    namespace: Dict[str, Any] = {}
    exec(compile(_LOOP_SOURCE, "<bench loop>", "exec"), namespace)
    return namespace["loop"]  # type: ignore[no-any-return]


class Settings:
    """How long to warm up and to measure (see the module docstring)."""

    __slots__ = (
        "target_s", "repeats", "rounds", "min_warmup_s", "max_warmup_s", "warmup_window_s",
        "stale_windows", "max_round_s",
    )

    def __init__(
        self,
        target_s: float,
        repeats: int,
        rounds: int,
        min_warmup_s: float,
        max_warmup_s: float,
        warmup_window_s: float,
        stale_windows: int,
        max_round_s: float,
    ) -> None:
        self.target_s = target_s  # length of one repeat
        self.repeats = repeats  # undisturbed repeats in a round
        self.rounds = rounds  # rounds per implementation; the best is kept
        self.min_warmup_s = min_warmup_s  # CPU seconds
        self.max_warmup_s = max_warmup_s
        self.warmup_window_s = warmup_window_s  # the warm-up's unit of progress
        self.stale_windows = stale_windows  # windows without progress that end the warm-up
        self.max_round_s = max_round_s  # a round gives up waiting for undisturbed repeats

    def as_dict(self) -> Dict[str, float]:
        return {name: getattr(self, name) for name in self.__slots__}


class Measurement:
    """ns per operation: the best round's mean (``ns``, what we report) and every round's."""

    __slots__ = ("ns", "rounds_ns", "number", "disturbed", "clean", "warmup_s")

    def __init__(
        self, rounds_ns: List[float], number: int, disturbed: int, clean: bool, warmup_s: float
    ) -> None:
        self.ns = min(rounds_ns)
        self.rounds_ns = rounds_ns
        self.number = number  # calls per repeat
        self.disturbed = disturbed  # repeats discarded because another process took the CPU
        self.clean = clean  # False: every repeat of every round was disturbed (a rough figure)
        self.warmup_s = warmup_s

    def as_dict(self) -> Dict[str, Any]:
        return {
            "ns": self.ns,
            "rounds_ns": self.rounds_ns,
            "number": self.number,
            "disturbed": self.disturbed,
            "clean": self.clean,
            "warmup_s": self.warmup_s,
        }


class Case:
    """One operation being timed: warmed up on creation, then measured round by round."""

    def __init__(self, fn: Callable[[], Any], settings: Settings) -> None:
        self.fn = fn
        self.settings = settings
        self.loop = _fresh_loop()
        self.rounds_ns: List[float] = []  # rounds with undisturbed repeats
        self.busy_rounds_ns: List[float] = []  # rounds where every repeat was disturbed
        self.disturbed = 0
        clock = time.perf_counter_ns
        cpu_clock = time.thread_time_ns
        gc.collect()
        start = clock()
        cpu_start = cpu_clock()
        number = 1
        best = float("inf")
        stale = 0  # windows since the best time per call last improved by 5%
        window_ns = settings.warmup_window_s * 1e9
        while True:
            per_call = self.loop(fn, number, clock) / number
            if per_call < 0.95 * best:
                stale = 0
            else:
                stale += 1
            best = min(best, per_call)
            # The budget is CPU time: on a busy machine, wall time would cut the warm-up short.
            spent = (cpu_clock() - cpu_start) / 1e9
            wall_spent = (clock() - start) / 1e9
            if spent >= settings.max_warmup_s or wall_spent > 3 * settings.max_warmup_s:
                break
            if spent >= settings.min_warmup_s and stale >= settings.stale_windows:
                break
            number = max(1, int(window_ns / max(per_call, 1.0)))
            # Do not overshoot the warm-up budget by much (the first calls are the slowest).
            budget_ns = (settings.max_warmup_s - spent) * 1e9
            number = min(number, max(1, int(budget_ns / max(per_call, 1.0))))
        self.warmup_s = (clock() - start) / 1e9
        self.number = max(1, int(settings.target_s * 1e9 / max(best, 1.0)))

    def run_round(self) -> None:
        """One round: repeats until ``settings.repeats`` are undisturbed (or time is up)."""
        settings = self.settings
        clock = time.perf_counter_ns
        cpu_clock = time.thread_time_ns
        loop, fn, number = self.loop, self.fn, self.number
        deadline = clock() + int(settings.max_round_s * 1e9)
        undisturbed: List[float] = []
        every: List[float] = []
        while len(undisturbed) < settings.repeats and (clock() < deadline or not every):
            cpu = cpu_clock()
            wall = loop(fn, number, clock)
            cpu = cpu_clock() - cpu
            every.append(wall / number)
            if cpu >= 0.9 * wall:
                undisturbed.append(wall / number)
        self.disturbed += len(every) - len(undisturbed)
        if undisturbed:
            self.rounds_ns.append(sum(undisturbed) / len(undisturbed))
        else:
            self.busy_rounds_ns.append(sum(every) / len(every))

    def result(self) -> Measurement:
        clean = bool(self.rounds_ns)
        return Measurement(
            self.rounds_ns if clean else self.busy_rounds_ns, self.number, self.disturbed, clean,
            self.warmup_s,
        )


def compare(fns: Dict[str, Callable[[], Any]], settings: Settings) -> Dict[str, Measurement]:
    """Measure several implementations of one operation in alternating rounds."""
    cases = {name: Case(fn, settings) for name, fn in fns.items()}
    for _ in range(settings.rounds):
        for case in cases.values():
            case.run_round()
    return {name: case.result() for name, case in cases.items()}


def measure(fn: Callable[[], Any], settings: Settings) -> Measurement:
    return compare({"": fn}, settings)[""]
