"""Fixtures of the conformance suite: the reference implementations, found once per session.

A missing peer is loud either way: under CI (``CI=true``) it fails the tests that need it, since a
green run that compared against nothing would be a lie; elsewhere they skip with a message that
starts with ``!!!`` so it stands out in ``pytest -rs``.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any, Callable, List

import pytest

from conformance.peers import SCHEMA, CapnpTool, find_capnp, import_pycapnp


# The peers found missing, repeated at the end of the run (a skip alone is easy to miss in -q).
_MISSING: List[str] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for message in _MISSING:
        terminalreporter.write_line(message, red=True, bold=True)


@pytest.fixture(scope="session")
def require_peer() -> Callable[[str, Callable[[], Any]], Any]:
    """``require_peer(name, find)``: what ``find()`` returns, or - when it raises ``LookupError`` -
    a test failure under CI and a loud skip elsewhere. The one place that policy lives."""

    def require(name: str, find: Callable[[], Any]) -> Any:
        try:
            return find()
        except LookupError as e:
            message = f"!!! {name} not installed: {e}"
            summary = message + " - its conformance tests did not run"
            if summary not in _MISSING:
                _MISSING.append(summary)
            if os.environ.get("CI") == "true":
                pytest.fail(message + " (CI=true: the conformance peers are required)")
            pytest.skip(message)

    return require


@pytest.fixture(scope="session")
def capnp_tool(require_peer: Callable[[str, Callable[[], Any]], Any]) -> CapnpTool:
    """The ``capnp`` tool of the C++ reference implementation, with our schema."""
    exe: str = require_peer("capnp", find_capnp)
    return CapnpTool(exe)


@pytest.fixture(scope="session")
def pycapnp(require_peer: Callable[[str, Callable[[], Any]], Any]) -> ModuleType:
    """The pycapnp module."""
    module: ModuleType = require_peer("pycapnp", import_pycapnp)
    return module


@pytest.fixture(scope="session")
def py_schema(pycapnp: ModuleType) -> Any:
    """Our schema, loaded by pycapnp (its module of struct types)."""
    return pycapnp.load(str(SCHEMA))
