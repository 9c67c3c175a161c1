"""Quick checks of the benchmark suite itself (not run by ``make test``; run them with
``PYTHONPATH=. pytest bench/test_bench.py`` after changing anything under bench/):

* the module the benchmark generates at start is the generator's current output, the same as
  the checked-in copy mypy checks ``impl_generated`` against;
* every implementation available here computes the expected answers, from its own messages and
  from every other's (so a benchmark that reads the wrong field cannot win);
* purecap builds byte-for-byte the messages pycapnp (C++) builds, through generated code and
  through the dynamic API;
* the timing harness returns sane numbers and the target lines judge ratios as intended.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any, Dict, List

import pytest

from bench import generated, impl_dynamic, impl_generated, run
from bench.timing import Settings, measure

CHECKED_IN = os.path.join(run.REPO, "tests", "codegen", "generated", "workloads_capnp.py")


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


def _body(source: str) -> str:
    """The module after its docstring's first line (which names the schema file as given)."""
    return source.split("\n", 1)[1]


def test_generated_module_is_the_checked_in_copy() -> None:
    (name, source), = generated.sources().items()
    assert os.path.basename(name) == "workloads_capnp.py"
    with open(CHECKED_IN) as f:
        assert _body(source) == _body(f.read())
    assert generated.load().Vehicle.Reader.__name__ == "Vehicle_Reader"


def test_every_implementation_reads_the_expected_answers(inputs: run.Inputs) -> None:
    impls = _available("generated", "dynamic", "pycapnp", "capnpy")
    messages, notes = run.verify(impls, inputs)  # raises on a wrong answer
    assert len(notes) == len(run.WORKLOADS)
    assert ("generated", "carsales", "packed") in messages
    assert ("dynamic", "eval", "packed") in messages


def test_purecap_builds_the_bytes_pycapnp_builds(inputs: run.Inputs) -> None:
    pycapnp = _available("pycapnp")
    if not pycapnp:
        pytest.skip("pycapnp is not installed")
    for workload in run.WORKLOADS:
        for packed in (False, True):
            theirs = getattr(pycapnp[0], f"build_{workload}")(inputs.data[workload], packed)
            for ours in (impl_generated, impl_dynamic):
                built = getattr(ours, f"build_{workload}")(inputs.data[workload], packed)
                assert built == theirs, (ours.NAME, workload, packed)


def test_targets_judge_every_workload() -> None:
    def row(impl: str, workload: str, op: str, ns: float) -> Dict[str, Any]:
        return {"impl": impl, "workload": workload, "op": op, "encoding": "framed", "ns": ns,
                "clean": True}

    results = []
    for workload in run.WORKLOADS:
        for op in run.OPS:
            results.append(row("pycapnp", workload, op, 100.0))
            results.append(row("generated", workload, op, 150.0 if workload == "catrank" else 90.0))
            results.append(row("dynamic", workload, op, 300.0))
    part = {"part": "cpython", "interpreter": "CPython", "anchor": "pycapnp",
            "anchor_available": True, "results": results, "sweep": []}
    lines = run.targets([part])
    read, build = lines[0], lines[1]
    assert "NOT met (1 of 4 over)" in read and "catrank 1.50x (over)" in read
    assert ": met:" in build
    # dynamic / generated: 300/90 = 3.33x (over) for three workloads, 300/150 = 2x for catrank
    assert all("NOT met (3 of 4 over)" in line for line in lines[2:5])


def test_measure_returns_ns_per_call() -> None:
    calls = []
    settings = Settings(0.001, repeats=3, rounds=2, min_warmup_s=0.0, max_warmup_s=0.01,
                        warmup_window_s=0.001, stale_windows=2, max_round_s=0.05)
    m = measure(lambda: calls.append(1), settings)
    assert len(m.rounds_ns) == 2 and 0 < m.ns == min(m.rounds_ns)
    assert m.number >= 1 and len(calls) >= 2 * m.number
