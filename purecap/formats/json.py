"""The JSON codec (work in progress)."""

from __future__ import annotations

from typing import Any, Iterator

from purecap.errors import PurecapError

__all__ = ["to_json", "decode_into", "split_json_messages"]


def to_json(reader: Any, pretty: bool = True) -> str:
    raise PurecapError("JSON is not supported yet")


def decode_into(text: bytes, builder: Any) -> None:
    raise PurecapError("JSON is not supported yet")


def split_json_messages(data: bytes) -> Iterator[bytes]:
    raise PurecapError("JSON is not supported yet")
