"""Generated code computes the benchmark workloads' answers and writes the same bytes as the
hand-written accessors of bench/purecap_accessors.py (which match C++ byte for byte)."""

from __future__ import annotations

import pytest

from bench import data
from bench import impl_purecap as hand
from tests.codegen import workloads as gen


@pytest.mark.parametrize("packed", [False, True])
def test_flat(packed: bool) -> None:
    d = data.make_reading()
    buf = gen.build_flat(d, packed)
    assert buf == hand.build_flat(d, packed)
    assert gen.read_all_flat(buf, packed) == hand.read_all_flat(buf, packed)


@pytest.mark.parametrize("packed", [False, True])
def test_carsales(packed: bool) -> None:
    lot = data.make_lot(20)
    buf = gen.build_carsales(lot, packed)
    assert buf == hand.build_carsales(lot, packed)
    assert gen.read_all_carsales(buf, packed) == data.lot_value(lot)
    assert gen.read_one_carsales(buf, packed) == lot[-1].mass_kg


@pytest.mark.parametrize("packed", [False, True])
def test_catrank(packed: bool) -> None:
    hits = data.make_hits(50)
    buf = gen.build_catrank(hits, packed)
    assert buf == hand.build_catrank(hits, packed)
    assert gen.read_all_catrank(buf, packed) == hand.read_all_catrank(buf, packed)


@pytest.mark.parametrize("packed", [False, True])
def test_eval(packed: bool) -> None:
    expr = data.make_expr()
    buf = gen.build_eval(expr, packed)
    assert buf == hand.build_eval(expr, packed)
    assert gen.read_all_eval(buf, packed) == data.evaluate(expr)
