"""Generated code computes the benchmark workloads' answers (bench/data.py holds the plain-Python
truth), in both encodings, through the very functions ``make bench`` times
(``bench/impl_generated.py``, on the module generated afresh from ``bench/schemas``; that it
equals the checked-in ``generated/workloads_capnp.py`` and that its messages are byte-identical
to C++'s is checked by ``bench/test_bench.py``, run with the conformance suite)."""

from __future__ import annotations

import pytest

from bench import data
from bench import impl_generated as gen


@pytest.mark.parametrize("packed", [False, True])
def test_flat(packed: bool) -> None:
    d = data.make_reading()
    buf = gen.build_flat(d, packed)
    expected = data.reading_checksum(
        d.sensor, d.timestamp, d.celsius, d.humidity, d.battery, d.alarm, d.sequence
    )
    assert gen.read_all_flat(buf, packed) == expected


@pytest.mark.parametrize("packed", [False, True])
def test_carsales(packed: bool) -> None:
    lot = data.make_lot(20)
    buf = gen.build_carsales(lot, packed)
    assert gen.read_all_carsales(buf, packed) == data.lot_value(lot)
    assert gen.read_one_carsales(buf, packed) == lot[-1].mass_kg


@pytest.mark.parametrize("packed", [False, True])
def test_catrank(packed: bool) -> None:
    hits = data.make_hits(50)
    buf = gen.build_catrank(hits, packed)
    expected = data.rank_hits([(h.score, h.url, h.snippet) for h in hits], " cat ", " dog ")
    assert gen.read_all_catrank(buf, packed) == expected


@pytest.mark.parametrize("packed", [False, True])
def test_eval(packed: bool) -> None:
    expr = data.make_expr()
    buf = gen.build_eval(expr, packed)
    assert gen.read_all_eval(buf, packed) == data.evaluate(expr)
