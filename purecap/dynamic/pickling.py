"""Pickling struct readers and builders.

Their classes are made at run time, from a schema, so a value pickles as pycapnp's does: as the
identity of its struct type and the framed bytes of a copy of it (a message of its own, with
nothing of the original message but this struct's tree). The identity is the struct's node id
and its brand (a generic's bound types, as node ids and kind names), and - when the schema was
imported through the import hook - the module name.

Unpickling finds the type again in the schema loaded last (``purecap.load``, ``load_request``)
that has the node, else by importing the module (with the import hook installed, ``import
foo_capnp`` loads ``foo.capnp`` from ``sys.path``). A reader comes back as a reader of the pickled
bytes, a builder as a builder of a copy (the root of a message of its own either way).

A group pickles as a copy of the struct it is part of (the group's fields live in that
struct's sections) and comes back as the same group of that copy.

What cannot be pickled raises :class:`~purecap.dynamic.errors.Unpicklable`: a struct reaching
live capabilities (clients are no data; a message read from bytes only has capability
*indices*, which pickle fine); lists and AnyPointers (pycapnp does not pickle them either:
pickle the struct holding them); orphans.
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

from purecap.dynamic.errors import Unpicklable
from purecap.dynamic.schema import BindingsKey
from purecap.wire.builder import MessageBuilder
from purecap.wire.limits import DEFAULT_NESTING_LIMIT
from purecap.wire.message import read_message

__all__ = ["reduce_struct", "restore_struct"]


def reduce_struct(value: Any) -> Tuple[Any, Tuple[Any, ...]]:
    """``__reduce_ex__`` of a struct reader or builder: ``(restore_struct, arguments)``."""
    from purecap.dynamic.structs import DynamicStructBuilder

    st = value._type
    holder = MessageBuilder()
    holder.set_root(value._reader()._s)
    if any(client is not None for client in holder.cap_table):
        raise Unpicklable(
            f"this {st.name} refers to live capabilities, which cannot be pickled"
        )
    node_id, brand = st.key
    return restore_struct, (
        node_id,
        brand,
        st.registry.import_name,
        holder.to_framed_bytes(),
        isinstance(value, DynamicStructBuilder),
    )


def restore_struct(
    node_id: int, brand: BindingsKey, import_name: Optional[str], data: bytes, builder: bool
) -> Any:
    """The value :func:`reduce_struct` describes: a reader (or builder) of ``data``, typed by
    the struct of node ``node_id`` (branded by ``brand``) of a schema of this process."""
    from purecap.dynamic.loader import find_struct_type

    st = find_struct_type(node_id, brand, import_name)
    # Pickles are trusted (unpickling runs code anyway): no traversal limit, so any size comes
    # back; a builder's copy is made without a nesting limit too (copying is not recursive).
    message = read_message(
        data, traversal_limit_words=None, nesting_limit=None if builder else DEFAULT_NESTING_LIMIT
    )
    root = message.get_root()
    if not builder:
        return st.wrap_reader(root)
    holder = MessageBuilder()
    holder.set_root(root)
    return st.wrap_builder(holder.get_root(st.data_words, st.pointer_count))
