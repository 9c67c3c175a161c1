"""Errors of the dynamic API: a schema used the wrong way.

Each class also derives from the built-in exception Python code expects in that situation, so
``hasattr``, ``getattr(obj, name, default)`` and ``except (AttributeError, TypeError)`` keep
working: an unknown field is an :class:`AttributeError`, a value of the wrong type a
:class:`TypeError`, an out-of-range number a :class:`ValueError`, a list index past the end an
:class:`IndexError`.

Messages name the struct and field and, for a misspelt name, suggest the closest real one.
"""

from __future__ import annotations

import difflib
from typing import Iterable

from purecap.errors import PurecapError

__all__ = [
    "SchemaUsageError",
    "UnknownField",
    "ReadOnlyError",
    "WrongValueType",
    "ValueOutOfRange",
    "UnknownEnumerant",
    "NotAPointerField",
    "NotAUnion",
    "InactiveUnionMember",
    "ListIndexError",
    "NotRootError",
    "Unpicklable",
    "OrphanError",
    "did_you_mean",
]


class SchemaUsageError(PurecapError):
    """A schema-typed value was used in a way its schema does not allow."""


class UnknownField(SchemaUsageError, AttributeError):
    """No field (or nested type) of that name."""


class ReadOnlyError(SchemaUsageError, AttributeError):
    """An attempt to change a reader (readers are views of received bytes)."""


class WrongValueType(SchemaUsageError, TypeError):
    """A value of a Python type the field cannot hold (a str for an Int32, a dict for a Text...)."""


class ValueOutOfRange(SchemaUsageError, ValueError):
    """A number outside the range of the field's type (300 for a UInt8, -1 for a UInt32...)."""


class UnknownEnumerant(SchemaUsageError, ValueError):
    """An enumerant name the enum does not have."""


class NotAPointerField(SchemaUsageError, TypeError):
    """``init`` (or another pointer operation) on a field that is not a pointer or group."""


class NotAUnion(SchemaUsageError, TypeError):
    """``which()`` on a struct that has no unnamed union."""


class InactiveUnionMember(SchemaUsageError, ValueError):
    """A union member read while another member is set (its bits belong to that member)."""


class ListIndexError(SchemaUsageError, IndexError):
    """A list index past either end of the list."""


class NotRootError(SchemaUsageError, ValueError):
    """Serialising a struct that is not the root of its message builder."""


class Unpicklable(SchemaUsageError, TypeError):
    """Pickling what cannot be pickled. Struct (and group) readers and builders pickle, as
    their schema's identity and their bytes (:mod:`purecap.dynamic.pickling`), but not: a
    struct that reaches live capabilities, nor a Capability (a client is no data), lists and
    AnyPointers (pycapnp does not pickle them either: pickle the struct holding them), orphans
    (words of one message under construction)."""


class OrphanError(SchemaUsageError, ValueError):
    """An orphan used after it was adopted or discarded, or adopted into another message."""


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` for the closest candidate, or ``""``."""
    names = list(candidates)
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in names}
        if name.lower() in lowered:
            close = [lowered[name.lower()]]
    return f" (did you mean {close[0]!r}?)" if close else ""
