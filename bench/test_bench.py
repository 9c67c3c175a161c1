"""Quick checks of the benchmark suite itself (not run by ``make test``; run them with
``PYTHONPATH=. pytest bench/test_bench.py`` after changing anything under bench/):

* the hand-written accessors agree with the reference compiler's layout;
* every implementation available here computes the expected answers, from its own messages and
  from the other's (so a benchmark that reads the wrong field cannot win);
* purecap builds byte-for-byte the messages pycapnp (C++) builds;
* the timing harness returns sane numbers.
"""

from __future__ import annotations

import shutil
from types import ModuleType
from typing import List

import pytest

from bench import check_offsets, impl_purecap, run
from bench.timing import Settings, measure


@pytest.fixture(scope="module")
def inputs() -> run.Inputs:
    return run.Inputs(cars=10, hits=30)


def _available(*names: str) -> List[ModuleType]:
    impls = []
    for name in names:
        module, _ = run.load_impl(name)
        if module is not None:
            impls.append(module)
    return impls


@pytest.mark.skipif(shutil.which("capnp") is None, reason="needs the capnp tool")
def test_offsets_match_the_reference_compiler() -> None:
    sizes, fields, enums = check_offsets.compiled_layout()
    assert len(fields) == 43
    for field in fields:
        assert check_offsets.check_field(field, sizes[field.struct], enums) == []


def test_every_implementation_reads_the_expected_answers(inputs: run.Inputs) -> None:
    impls = _available("purecap", "pycapnp", "capnpy")
    messages, notes = run.verify(impls, inputs)  # raises on a wrong answer
    assert len(notes) == len(run.WORKLOADS)
    assert ("purecap", "carsales", "packed") in messages


def test_purecap_builds_the_bytes_pycapnp_builds(inputs: run.Inputs) -> None:
    pycapnp = _available("pycapnp")
    if not pycapnp:
        pytest.skip("pycapnp is not installed")
    for workload in run.WORKLOADS:
        for packed in (False, True):
            ours = getattr(impl_purecap, f"build_{workload}")(inputs.data[workload], packed)
            theirs = getattr(pycapnp[0], f"build_{workload}")(inputs.data[workload], packed)
            assert ours == theirs, (workload, packed)


def test_measure_returns_ns_per_call() -> None:
    calls = []
    settings = Settings(0.001, repeats=3, rounds=2, min_warmup_s=0.0, max_warmup_s=0.01,
                        warmup_window_s=0.001, stale_windows=2, max_round_s=0.05)
    m = measure(lambda: calls.append(1), settings)
    assert len(m.rounds_ns) == 2 and 0 < m.ns == min(m.rounds_ns)
    assert m.number >= 1 and len(calls) >= 2 * m.number
