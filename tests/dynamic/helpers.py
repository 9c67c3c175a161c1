"""Paths and fixture files shared by the dynamic API's tests."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
SCHEMAS = HERE / "schemas"
DATA = HERE / "data"


def data(name: str) -> bytes:
    """A fixture file of ``data/`` (made by ``data/make_fixtures.sh`` with capnp 0.9.2)."""
    return (DATA / name).read_bytes()


def text(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")
