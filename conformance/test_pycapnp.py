"""purecap against pycapnp (Python bindings over the C++ library).

* messages purecap writes (plain, packed, flat, small first segments) read by pycapnp;
* messages pycapnp writes read by purecap;
* the same values built in the same order give the same bytes: C++'s ``MallocMessageBuilder``
  under pycapnp and purecap's ``MessageBuilder`` allocate identically, plain and packed;
* the nesting and traversal limits trip at the same place as in C++.
"""

from __future__ import annotations

import math
import warnings
from types import ModuleType
from typing import Any, Callable, Dict, Optional, Tuple

import pytest

from conformance import corpus, wiretest
from conformance.test_capnp_tool import BUILDS, build_message, write_as
from purecap.wire.errors import NestingLimitExceeded, TraversalLimitExceeded
from purecap.wire.limits import ReadLimits
from purecap.wire.message import (
    read_message,
    read_packed_message,
    write_message,
    write_packed_message,
)
from purecap.wire.reader import MessageReader


def _same(got: Dict[str, Any], expected: Dict[str, Any]) -> None:
    g = wiretest.normalize(got)
    e = wiretest.normalize(expected)
    for key in e:
        assert g.get(key) == e[key], f"field {key} differs"
    assert g == e


def _py_from(py_schema: Any, type_name: str, data: bytes, output: str, **limits: Any) -> Any:
    """A pycapnp reader (a context manager) over ``data`` written as ``output``."""
    struct_type = getattr(py_schema, type_name)
    if output == "packed":
        return struct_type.from_bytes_packed(data, **limits)
    if output == "flat":  # from_segments returns the reader itself too
        return struct_type.from_segments([data], **limits)
    return struct_type.from_bytes(data, **limits)


@pytest.mark.parametrize("build", list(BUILDS))
@pytest.mark.parametrize("name", list(corpus.BUILD_CORPUS))
def test_pycapnp_reads_what_purecap_writes(py_schema: Any, name: str, build: str) -> None:
    type_name, value = corpus.BUILD_CORPUS[name]
    first, fixed, output = BUILDS[build]
    data = write_as(build_message(type_name, value, first, fixed), output)
    reader = _py_from(py_schema, type_name, data, output)
    if output in ("packed", "flat"):  # these return the reader itself
        got = wiretest.py_read(py_schema, type_name, reader)
    else:
        with reader as message:
            got = wiretest.py_read(py_schema, type_name, message)
    _same(got, wiretest.complete(type_name, value))


def _py_build(
    py_schema: Any, type_name: str, value: Dict[str, Any], first_segment_words: Optional[int]
) -> Any:
    struct_type = getattr(py_schema, type_name)
    if first_segment_words is None:
        message = struct_type.new_message()
    else:
        message = struct_type.new_message(num_first_segment_words=first_segment_words)
    wiretest.py_build(py_schema, type_name, message, value)
    return message


@pytest.mark.parametrize("name", list(corpus.BUILD_CORPUS))
def test_purecap_reads_what_pycapnp_writes(py_schema: Any, name: str) -> None:
    type_name, value = corpus.BUILD_CORPUS[name]
    expected = wiretest.complete(type_name, value)
    message = _py_build(py_schema, type_name, value, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pycapnp warns when a message is written twice
        plain = message.to_bytes()
        packed = message.to_bytes_packed()
    _same(wiretest.read(type_name, read_message(plain).get_root()), expected)
    _same(wiretest.read(type_name, read_packed_message(packed).get_root()), expected)


@pytest.mark.parametrize("first_segment_words", [None, 1, 2, 5, 64])
@pytest.mark.parametrize("name", list(corpus.BUILD_CORPUS))
def test_same_bytes_as_pycapnp(
    py_schema: Any, name: str, first_segment_words: Optional[int]
) -> None:
    """Same values set in the same order: same words allocated, same bytes, plain and packed."""
    type_name, value = corpus.BUILD_CORPUS[name]
    message = _py_build(py_schema, type_name, value, first_segment_words)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = message.to_bytes()
        packed = message.to_bytes_packed()
    ours = build_message(type_name, value, first_segment_words or 1024, fixed=False)
    assert write_message(ours) == plain
    assert write_packed_message(ours) == packed


def test_defaults_as_pycapnp_sees_them(py_schema: Any) -> None:
    """Our reading of the listing's defaults (and the one it hides, -0.0) is pycapnp's."""
    message = py_schema.Defaults.new_message()
    got = wiretest.py_read(py_schema, "Defaults", message.as_reader())
    _same(got, wiretest.complete("Defaults", {}))
    assert math.copysign(1.0, message.float64NegZero) == -1.0


# -- limits -------------------------------------------------------------------------------------


def _outcome(read: Any) -> str:
    """What happened when reading everything: "ok", or the kind of limit hit."""
    try:
        read()
    except (NestingLimitExceeded, TraversalLimitExceeded) as e:
        return type(e).__name__
    except Exception as e:  # pycapnp's KjException: tell the limits apart by the message
        text = str(e)
        if "nest" in text.lower():
            return "NestingLimitExceeded"
        if "read limit" in text.lower() or "traversal" in text.lower():
            return "TraversalLimitExceeded"
        raise
    return "ok"


def _both_outcomes(
    pycapnp: ModuleType, py_schema: Any, type_name: str, data: bytes, **limits: Optional[int]
) -> Tuple[str, str]:
    def ours() -> None:
        message = read_message(
            data,
            traversal_limit_words=limits.get("traversal_limit_words", 1 << 30),
            nesting_limit=limits.get("nesting_limit", 64),
        )
        wiretest.read(type_name, message.get_root())

    def theirs() -> None:
        kwargs = {}
        if "traversal_limit_words" in limits:
            kwargs["traversal_limit_in_words"] = limits["traversal_limit_words"]
        if "nesting_limit" in limits:
            kwargs["nesting_limit"] = limits["nesting_limit"]
        with getattr(py_schema, type_name).from_bytes(data, **kwargs) as message:
            wiretest.py_read(py_schema, type_name, message)

    return _outcome(ours), _outcome(theirs)


def test_nesting_limit_trips_where_cpp_does(pycapnp: ModuleType, py_schema: Any) -> None:
    value = corpus.deep_tree(12)
    data = write_message(build_message("Tree", value))
    seen = set()
    for limit in range(10, 17):
        ours, theirs = _both_outcomes(pycapnp, py_schema, "Tree", data, nesting_limit=limit)
        assert ours == theirs, f"nesting limit {limit}"
        seen.add(ours)
    assert seen == {"ok", "NestingLimitExceeded"}  # the boundary is inside the range


# Messages whose reading charges every kind of object: Void lists and zero-sized struct lists
# (charged per element), struct lists, blobs, nested structs, an AnyPointer.
_LIMIT_CASES = ["all_types", "tree_wide", "defaults_set", "any_pointer", "unions_4", "big"]


def _smallest_limit(reads: Callable[[int], bool], upper: int) -> int:
    """The smallest traversal limit with which ``reads(limit)`` succeeds."""
    lo, hi = 0, upper
    assert reads(hi)
    while lo < hi:
        mid = (lo + hi) // 2
        if reads(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def _limits_needed(py_schema: Any, name: str) -> Tuple[int, int]:
    """(purecap, C++) smallest traversal limits that let every field of the message be read.

    purecap's reader is given the segments directly: its framing also refuses a message larger
    than the limit (as C++'s stream reader does, but not the flat-array reader pycapnp uses), and
    this compares the charges for reading, nothing else.

    Single-segment messages only: :func:`wiretest.py_read` asks pycapnp ``_has(field)`` before
    reading a pointer, and the C++ 1.x under pycapnp charges a far pointer's landing pad for that
    question, which a read with purecap (or with 0.9.2's ``getPointerField``) does not ask.
    """
    type_name, value = corpus.BUILD_CORPUS[name]
    builder = build_message(type_name, value, 1 << 16)
    assert len(builder.segments) == 1
    segments = builder.to_segments()
    data = write_message(builder)

    def ours(limit: int) -> bool:
        message = MessageReader(segments, ReadLimits(limit, 64))
        try:
            wiretest.read(type_name, message.get_root())
        except TraversalLimitExceeded:
            return False
        return True

    def theirs(limit: int) -> bool:
        return _outcome(lambda: _py_read_all(py_schema, type_name, data, limit)) == "ok"

    upper = 4 * len(data)
    return _smallest_limit(ours, upper), _smallest_limit(theirs, upper)


def _py_read_all(py_schema: Any, type_name: str, data: bytes, limit: int) -> None:
    struct_type = getattr(py_schema, type_name)
    with struct_type.from_bytes(data, traversal_limit_in_words=limit) as message:
        wiretest.py_read(py_schema, type_name, message)


def test_traversal_charges_match_cpp_beyond_the_root(py_schema: Any) -> None:
    """Reading every field once costs purecap what it costs C++, object for object: the limits
    needed differ at most by one constant (what each charges for the root pointer itself; see
    the next test)."""
    differences = {}
    for name in _LIMIT_CASES:
        ours, theirs = _limits_needed(py_schema, name)
        differences[name] = theirs - ours
    assert len(set(differences.values())) == 1, differences


def test_root_pointer_charged_like_cpp(py_schema: Any) -> None:
    ours, theirs = _limits_needed(py_schema, "all_types")
    assert ours == theirs
