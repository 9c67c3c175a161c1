"""Type IDs, computed exactly as the reference compiler (capnp 0.9.2) computes them.

Every node of a schema has a 64-bit ID.  A file's ID is written in the source (``@0x...;``); a
declaration may write its own ID too, otherwise it is *derived* from its parent's ID:

* a nested declaration (struct, enum, interface, const, annotation):
  :func:`child_id` ``(parent_id, name)`` -- ``generateChildId`` in ``compiler/type-id.c++``;
* a group or a named union (each is a node of its own):
  :func:`group_id` ``(parent_id, index)`` where ``index`` is the position of the group's field
  in its parent's ``fields`` list -- ``generateGroupId``.  That position is the order in which
  the reference first touches the field while walking ordinals, not the declaration order; the
  layout helper :func:`purecap.schema.layout.compute_struct_layout` computes it;
* the implicit parameter / result struct of a method:
  :func:`method_params_id` ``(interface_id, method_ordinal, is_results)`` --
  ``generateMethodParamsId``.

All three hash a small little-endian byte string with MD5 and take the first 8 bytes of the digest
as a *big-endian* number, then set the top bit.  (MD5 is only a deterministic scrambler here; the
reference keeps it for backwards compatibility, and so must we.)

IDs written in the source must have the top bit set (the parser rejects smaller ones), which
guarantees they never collide with the "bogus" IDs the reference invents to paper over errors.
:func:`generate_random_id` makes a fresh file ID the way ``capnp id`` does.
"""

from __future__ import annotations

import hashlib
import os

__all__ = [
    "ID_HIGH_BIT",
    "INVALID_ID_MESSAGE",
    "child_id",
    "group_id",
    "method_params_id",
    "generate_random_id",
    "is_valid_id",
    "format_id",
    "missing_file_id_message",
]

ID_HIGH_BIT = 1 << 63
"""Set in every real ID: written IDs must have it, derived and random ones get it forced on."""

_UINT64_LIMIT = 1 << 64
_UINT16_LIMIT = 1 << 16

INVALID_ID_MESSAGE = "Invalid ID.  Please generate a new one with 'capnpc -i'."
"""The reference parser's error text for a written ID below 2**63 (``parser.c++``)."""


def _md5_prefix_id(data: bytes) -> int:
    """First 8 bytes of MD5(data) read big-endian, with the top bit set (``type-id.c++``)."""
    try:
        # MD5 is not used for security here; saying so keeps FIPS-mode OpenSSL builds happy.
        digest = hashlib.md5(data, usedforsecurity=False).digest()
    except TypeError:  # an interpreter whose hashlib lacks the keyword
        digest = hashlib.md5(data).digest()
    return int.from_bytes(digest[:8], "big") | ID_HIGH_BIT


def _check_uint(value: int, limit: int, what: str) -> None:
    if not 0 <= value < limit:
        raise ValueError(f"{what} {value} does not fit in {limit.bit_length() - 1} bits")


def child_id(parent_id: int, name: str) -> int:
    """ID of the declaration ``name`` nested directly in the node ``parent_id``.

    Hashes the parent ID (8 bytes, little-endian) followed by the name's bytes (UTF-8, no
    terminator).
    """
    _check_uint(parent_id, _UINT64_LIMIT, "parent ID")
    return _md5_prefix_id(parent_id.to_bytes(8, "little") + name.encode("utf-8"))


def group_id(parent_id: int, group_index: int) -> int:
    """ID of the group (or named union) that is field number ``group_index`` of ``parent_id``.

    ``group_index`` is the field's index in the parent node's ``fields`` list.  Hashes the parent
    ID (8 bytes, little-endian) followed by the index (2 bytes, little-endian).
    """
    _check_uint(parent_id, _UINT64_LIMIT, "parent ID")
    _check_uint(group_index, _UINT16_LIMIT, "group index")
    return _md5_prefix_id(parent_id.to_bytes(8, "little") + group_index.to_bytes(2, "little"))


def method_params_id(parent_id: int, method_ordinal: int, is_results: bool) -> int:
    """ID of the implicit struct ``method @ordinal (params) -> (results)`` declares inline.

    Hashes the interface ID (8 bytes, little-endian), the method ordinal (2 bytes, little-endian)
    and one byte: 0 for the parameter struct, 1 for the result struct.
    """
    _check_uint(parent_id, _UINT64_LIMIT, "parent ID")
    _check_uint(method_ordinal, _UINT16_LIMIT, "method ordinal")
    data = (
        parent_id.to_bytes(8, "little")
        + method_ordinal.to_bytes(2, "little")
        + (b"\x01" if is_results else b"\x00")
    )
    return _md5_prefix_id(data)


def generate_random_id() -> int:
    """A fresh random ID for a new file, like ``capnp id``: 64 random bits, top bit forced on."""
    # The reference reads 8 bytes of /dev/urandom; os.urandom is the portable spelling.
    return int.from_bytes(os.urandom(8), "little") | ID_HIGH_BIT


def is_valid_id(value: int) -> bool:
    """Whether ``value`` may be written as an ID in a schema: a 64-bit number with the top bit set.

    The reference parser reports :data:`INVALID_ID_MESSAGE` for anything smaller than 2**63 (and
    the integer literal itself cannot exceed 64 bits).
    """
    return ID_HIGH_BIT <= value < _UINT64_LIMIT


def format_id(value: int) -> str:
    """The ID as the reference prints it (``capnp id``, error messages): ``@0x`` + lowercase hex."""
    return f"@0x{value:x}"


def missing_file_id_message(generated_id: int) -> str:
    """The reference's error text for a file without an ID (``parseFile`` in ``parser.c++``)."""
    return (
        "File does not declare an ID.  I've generated one for you.  Add this line to your file: "
        f"{format_id(generated_id)};"
    )
