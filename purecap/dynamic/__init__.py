"""The dynamic API: schemas loaded at run time, messages read and built through them.

    import purecap

    addressbook = purecap.load("addressbook.capnp")
    person = addressbook.Person.new_message(name="Alice", id=123)
    phones = person.init("phones", 1)
    phones[0].number = "555-1212"
    phones[0].type = "mobile"                      # an enumerant by name
    data = person.to_bytes()

    with addressbook.Person.from_bytes(data) as reader:    # zero-copy
        assert reader.name == "Alice" and reader.phones[0].type == "mobile"
        print(reader)                              # the capnp text format, as `capnp decode`

Modules: :mod:`~purecap.dynamic.loader` (``load``, ``load_request``, the import hook),
:mod:`~purecap.dynamic.structs` (struct types, readers, builders), :mod:`~purecap.dynamic.lists`,
:mod:`~purecap.dynamic.enums`, :mod:`~purecap.dynamic.anypointer`,
:mod:`~purecap.dynamic.schema` (resolved types and field tables),
:mod:`~purecap.dynamic.accessors` (the per-field functions), :mod:`~purecap.dynamic.values`
(defaults, constants, assignment), :mod:`~purecap.dynamic.textformat` (the text format),
:mod:`~purecap.dynamic.orphans` (``disown``/``adopt``), :mod:`~purecap.dynamic.pickling`.
"""

from __future__ import annotations

from purecap.dynamic.anypointer import AnyPointerBuilder, AnyPointerReader, Capability
from purecap.dynamic.enums import DynamicEnum, UnionTag
from purecap.dynamic.errors import (
    InactiveUnionMember,
    ListIndexError,
    NotAPointerField,
    NotAUnion,
    NotRootError,
    OrphanError,
    ReadOnlyError,
    SchemaUsageError,
    UnknownEnumerant,
    UnknownField,
    Unpicklable,
    ValueOutOfRange,
    WrongValueType,
)
from purecap.dynamic.lists import DynamicListBuilder, DynamicListReader
from purecap.dynamic.loader import (
    SchemaModule,
    add_import_hook,
    load,
    load_request,
    remove_import_hook,
)
from purecap.dynamic.orphans import Orphan, Orphanage
from purecap.dynamic.schema import DynType, InterfaceType, MethodInfo, StructSchema
from purecap.dynamic.structs import (
    DynamicStructBuilder,
    DynamicStructReader,
    MessageSize,
    StructType,
)
from purecap.dynamic.textformat import text_format
from purecap.dynamic.values import list_of_type as List
from purecap.dynamic.values import to_dyn_type

__all__ = [
    "load",
    "load_request",
    "add_import_hook",
    "remove_import_hook",
    "text_format",
    "SchemaModule",
    "StructType",
    "InterfaceType",
    "MethodInfo",
    "StructSchema",
    "DynType",
    "DynamicStructReader",
    "DynamicStructBuilder",
    "DynamicListReader",
    "DynamicListBuilder",
    "DynamicEnum",
    "UnionTag",
    "AnyPointerReader",
    "AnyPointerBuilder",
    "Capability",
    "MessageSize",
    "Orphan",
    "Orphanage",
    "List",
    "to_dyn_type",
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
]
