"""``python -m purecap convert``: encodings, stream of messages, and clean failures.

The expected bytes were produced by the reference tool (``capnp convert`` of capnproto 0.9.2) from
the demo's address book; the conformance suite compares with the live tool on a larger corpus.
"""

from __future__ import annotations

import io
import subprocess
import sys
from typing import List

import pytest

from purecap.cli import main
from purecap.cli.convert import FORMATS, convert
from purecap.demo import build
from purecap.wire import packing
from purecap.wire.message import read_message, write_message


def _run(args: List[str], data: bytes) -> "subprocess.CompletedProcess[bytes]":
    return subprocess.run(
        [sys.executable, "-m", "purecap", *args], input=data, capture_output=True, timeout=60
    )


def _convert(data: bytes, source: str, target: str, segment_size: int = 0) -> bytes:
    out = io.BytesIO()
    convert(io.BytesIO(data), out, source, target, segment_size)
    return out.getvalue()


def test_binary_to_binary_is_identity_for_a_fresh_message() -> None:
    data = write_message(build())
    assert _convert(data, "binary", "binary") == data


def test_every_format_round_trips_to_the_same_content() -> None:
    data = write_message(build())
    canonical = _convert(data, "binary", "canonical")
    for fmt in FORMATS:
        encoded = _convert(data, "binary", fmt)
        assert _convert(encoded, fmt, "canonical") == canonical, fmt


def test_segment_size_forces_far_pointers_and_keeps_content() -> None:
    data = write_message(build())
    small = _convert(data, "binary", "binary", segment_size=2)
    assert len(read_message(small).segments) > 1
    assert _convert(small, "binary", "canonical") == _convert(data, "binary", "canonical")


def test_several_messages_are_converted_one_after_another() -> None:
    one = write_message(build())
    packed = _convert(one * 3, "binary", "packed")
    assert packed == packing.pack(one) * 3
    assert _convert(packed, "packed", "binary") == one * 3


def test_canonical_input_must_be_canonical() -> None:
    flat = _convert(write_message(build()), "binary", "flat")
    result = _run(["convert", "canonical:binary"], flat)
    assert result.returncode == 1
    assert b"canonical" in result.stderr
    assert b"Traceback" not in result.stderr


@pytest.mark.parametrize(
    "garbage",
    [
        b"\x00",  # not even a segment table
        b"\xff\xff\xff\xff\x00\x00\x00\x00",  # 2**32 segments
        b"\x00\x00\x00\x00\x10\x00\x00\x00",  # 16 words announced, none present
        b"\x00\x00\x00\x00\x01\x00\x00\x00" + b"\x00\x00\x00\x00\x05\x00\x00\x00",  # OOB root
    ],
)
def test_malformed_input_gives_one_line_and_nonzero_exit(garbage: bytes) -> None:
    result = _run(["convert", "binary:packed"], garbage)
    assert result.returncode == 1
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("purecap convert: error:"), lines


def test_unknown_format_is_a_usage_error() -> None:
    assert main(["convert", "binary:yaml"]) == 2
