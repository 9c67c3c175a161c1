"""Fixtures of the dynamic API's tests: the test schema, compiled once per session."""

from __future__ import annotations

from typing import Any

import pytest

import purecap
from tests.dynamic.helpers import SCHEMAS


@pytest.fixture(scope="session")
def t() -> Any:
    """The module of ``schemas/dyntest.capnp``."""
    return purecap.load(SCHEMAS / "dyntest.capnp", imports=[SCHEMAS])
