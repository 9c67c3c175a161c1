"""Struct types, and the readers and builders of their values.

A :class:`StructType` is what a loaded schema calls ``Person``: it makes messages
(``new_message``, ``from_dict``), reads them (``from_bytes``, ``read``...) and holds the nested
declarations. For each struct type two classes are made at run time, ``Person.Reader`` and
``Person.Builder`` (subclasses of :class:`DynamicStructReader` and :class:`DynamicStructBuilder`),
with one property per field whose getter is the field's precomputed accessor
(:mod:`purecap.dynamic.accessors`). A wrapper object holds just the wire struct (``_s``).

Field names that are also method names of the wrappers (``which``, ``init``, ``copy``...) stay
reachable through ``_get(name)`` and ``_set(name, value)``; a field named after a Python keyword
is also an attribute with a trailing underscore (``from_``).
"""

from __future__ import annotations

import io
import keyword
import struct
import sys
from typing import (
    IO,
    TYPE_CHECKING,
    Any,
    ClassVar,
    Dict,
    Iterator,
    List,
    NamedTuple,
    Optional,
    Tuple,
    Union,
)

from purecap.dynamic import accessors
from purecap.dynamic.enums import UnionTag
from purecap.dynamic.errors import (
    NotAUnion,
    NotRootError,
    ReadOnlyError,
    SchemaUsageError,
    UnknownField,
    WrongValueType,
    did_you_mean,
)
from purecap.dynamic.schema import (
    BindingsKey,
    DynType,
    FieldInfo,
    Registry,
    StructSchema,
    _qualname,
)
from purecap.schema import model
from purecap.wire.builder import MessageBuilder, StructBuilder, follow_builder_far
from purecap.wire.canonical import canonicalize, flatten
from purecap.wire.errors import NestingLimitExceeded, NotCanonical, TruncatedMessage
from purecap.wire.limits import DEFAULT_NESTING_LIMIT, DEFAULT_TRAVERSAL_LIMIT_WORDS
from purecap.wire.message import (
    PackedMessageStream,
    read_message,
    read_message_from_stream,
    read_messages,
    read_packed_message,
    write_message,
    write_message_to_stream,
    write_packed_message,
)
from purecap.wire.reader import MessageReader, StructReader

if TYPE_CHECKING:
    from purecap.dynamic.orphans import Orphan, Orphanage

__all__ = [
    "ResizableList",
    "StructType",
    "DynamicStructReader",
    "DynamicStructBuilder",
    "MessageSize",
    "clear_group",
]

_U16 = struct.Struct("<H")
_INTERNAL = frozenset(("_s", "_type", "_setters"))


class MessageSize(NamedTuple):
    """A message's size: words reachable from a struct, and capabilities it points to."""

    word_count: int
    cap_count: int


def _discriminant(s: Any, schema: StructSchema) -> int:
    off = schema.discriminant_offset
    if off + 2 <= s.data_size:
        d: int = _U16.unpack_from(s.segment, s.data_offset + off)[0]
        return d
    return 0


class _StructBase:
    """What readers and builders share: the wire struct, the schema, introspection, text."""

    __slots__ = ("_s",)

    _s: Any
    _type: ClassVar[StructType]

    @property
    def schema(self) -> StructSchema:
        """The field table: ``fields`` (by name), ``fieldnames``, ``union_fields``, ``node``..."""
        return self._type.schema

    @property
    def which(self) -> UnionTag:
        """The active member of the struct's unnamed union: a ``str`` (its name) with ``raw``
        (the discriminant). Callable too: ``s.which()`` is the same."""
        schema = self._type.schema
        if schema.discriminant_offset < 0:
            raise NotAUnion(f"{self._type.name} has no unnamed union")
        return schema.tag(_discriminant(self._s, schema))

    def _which(self) -> UnionTag:
        return self.which

    def _which_str(self) -> str:
        return str(self.which)

    def __getattr__(self, name: str) -> Any:
        # Reached only when no attribute has this name: a misspelt field, or a field hidden by
        # a method or keyword (read through its accessor).
        if name.startswith("__") or name in _INTERNAL:
            raise AttributeError(name)
        info = self._type.schema.field(name)
        return self._getter(info)(self)

    def _getter(self, info: FieldInfo) -> Any:
        return info.get_r

    def _get(self, name: str) -> Any:
        """The field ``name`` (also fields whose name a method hides: ``_get("which")``)."""
        info = self._type.schema.field(name)
        return self._getter(info)(self)

    def _reader(self) -> DynamicStructReader:
        raise NotImplementedError

    def _walk_reader(self) -> DynamicStructReader:
        """A reader for walking the whole value (``to_dict``, text): a builder's with the
        default nesting limit, so that the recursive walk is bounded as it is for a received
        message (deeper values raise NestingLimitExceeded, never RecursionError)."""
        return self._reader()

    def has(self, name: str) -> bool:
        """Whether the field is set: a pointer field is non-null; any other field is set unless
        it is a union member that is not active (C++ ``DynamicStruct::has``)."""
        schema = self._type.schema
        info = schema.field(name)
        s = self._s
        if info.discriminant is not None and _discriminant(s, schema) != info.discriminant:
            return False
        if info.slot_kind == "pointer":
            return bool(s.has_pointer(info.pointer))
        return True

    _has = has

    def get_data_as_view(self, name: str) -> memoryview:
        """A Data field as a zero-copy ``memoryview`` of the message (pycapnp's name); valid
        while the message's buffer is, and writable in a builder."""
        schema = self._type.schema
        info = schema.field(name)
        if info.type.kind != "data":
            raise WrongValueType(f"{self._type.name}.{name} is not Data")
        if info.discriminant is not None:
            accessors.check_active(self._s, schema, info)
        s = self._s
        if hasattr(s, "message"):  # a builder: its reader views the same (writable) bytearray
            s = s.as_reader()
        view: memoryview = s.get_data_view(info.pointer)
        return view

    def to_dict(self, verbose: bool = False, ordered: bool = False) -> Dict[str, Any]:
        """The value as plain data: fields by name, structs as dicts, lists as lists, enums as
        names. Null pointer fields are left out (``verbose=True``: included, with their
        defaults - ``None`` for a struct without one, so that a struct containing its own type
        does not unfold forever); of a union, only the active member appears. ``ordered`` is
        accepted for pycapnp compatibility (dicts keep field order anyway)."""
        from purecap.dynamic.values import to_python

        r = self._walk_reader()
        schema = r._type.schema
        s = r._s
        d = _discriminant(s, schema) if schema.discriminant_offset >= 0 else -1
        out: Dict[str, Any] = {}
        for f in schema.fields_list:
            if f.discriminant is not None:
                if f.discriminant != d:
                    continue
            elif f.slot_kind == "pointer" and not s.has_pointer(f.pointer):
                if not verbose:
                    continue
                if f.type.kind == "struct" and f.default is None:
                    out[f.name] = None
                    continue
            try:
                out[f.name] = to_python(f.get_r(r), verbose)
            except RecursionError:  # a reader given a huge nesting limit: still an error of ours
                raise NestingLimitExceeded(
                    f"{self._type.name} is nested too deeply to convert"
                ) from None
        return out

    def _canonical(self) -> bytes:
        s = self._reader()._s
        try:
            return canonicalize(s)
        except NotCanonical:  # capabilities: compare the plain single-segment copies
            return flatten(s)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _StructBase):
            return NotImplemented
        if other._type.node.id != self._type.node.id:
            return False
        if self._type.schema.is_group:
            return self.to_dict(True) == other.to_dict(True)
        return self._canonical() == other._canonical()

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    @property
    def total_size(self) -> MessageSize:
        """Words (and capabilities) reachable from this struct (C++ ``totalSize()``)."""
        return MessageSize(*self._reader()._s.total_size())

    def to_bytes(self) -> bytes:
        """The struct as a framed message (a reader's is copied into a fresh message first)."""
        return write_message(self._message_for_output())

    def to_bytes_packed(self) -> bytes:
        return write_packed_message(self._message_for_output())

    def to_segments(self) -> List[bytes]:
        return self._message_for_output().to_segments()

    def write(self, file: IO[bytes]) -> None:
        """Write the message to a binary file, framed."""
        write_message_to_stream(file, self._message_for_output())

    def write_packed(self, file: IO[bytes]) -> None:
        file.write(self.to_bytes_packed())

    def _message_for_output(self) -> MessageBuilder:
        if self._type.schema.is_group:
            raise NotRootError(f"{self._type.name} is a group, part of its parent struct")
        holder = MessageBuilder()
        holder.set_root(self._reader()._s)
        return holder

    def __str__(self) -> str:
        """The value in the capnp text format, pretty-printed (``capnp decode``)."""
        from purecap.dynamic.textformat import text_format

        return text_format(self, pretty=True)

    def __copy__(self) -> Any:
        return self._type.wrap_reader(self._s) if isinstance(self, DynamicStructReader) else (
            self._type.wrap_builder(self._s)
        )

    def __deepcopy__(self, memo: Any) -> Any:
        if self._type.schema.is_group:
            return self.__copy__()
        return self.copy()

    def __reduce_ex__(self, protocol: Any) -> Any:
        """Pickled as pycapnp does: the schema's identity and the framed bytes of a copy; the
        unpickling process must have the schema (see :mod:`purecap.dynamic.pickling`)."""
        from purecap.dynamic.pickling import reduce_struct

        return reduce_struct(self)

    def __dir__(self) -> List[str]:
        return sorted(set(super().__dir__()) | set(self._type.schema.fieldnames))


class DynamicStructReader(_StructBase):
    """A struct in a message being read. Field values are attributes; readers are read-only."""

    __slots__ = ()

    def _reader(self) -> DynamicStructReader:
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        self._type.schema.field(name)  # an unknown name is reported as such
        raise ReadOnlyError(
            f"cannot set {self._type.name}.{name}: this is a reader; build messages with "
            "new_message(), or as_builder() for a modifiable copy"
        )

    def as_reader(self) -> DynamicStructReader:
        return self

    def as_builder(self) -> DynamicStructBuilder:
        """A builder of a copy of this struct, in a new message."""
        if self._type.schema.is_group:
            raise NotRootError(f"{self._type.name} is a group, part of its parent struct")
        holder = MessageBuilder()
        holder.set_root(self._s)
        st = self._type
        builder: DynamicStructBuilder = st.wrap_builder(
            holder.get_root(st.data_words, st.pointer_count)
        )
        return builder

    def copy(self) -> DynamicStructReader:
        """A reader of a copy of this struct in a message of its own (it no longer keeps the
        original buffer alive, nor draws on its traversal limit)."""
        if self._type.schema.is_group:
            raise NotRootError(f"{self._type.name} is a group, part of its parent struct")
        holder = MessageBuilder()
        holder.set_root(self._s)
        reader: DynamicStructReader = self._type.wrap_reader(holder.as_reader().get_root())
        return reader

    def __hash__(self) -> int:
        if self._type.schema.is_group:
            from purecap.dynamic.textformat import text_format

            return hash(text_format(self))
        return hash(self._canonical())

    def __enter__(self) -> DynamicStructReader:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def __repr__(self) -> str:
        from purecap.dynamic.textformat import text_format

        return f"<{self._type.name} reader {text_format(self)}>"


class DynamicStructBuilder(_StructBase):
    """A struct in a message being built. Assigning a field stores it; struct and list fields
    read as builders."""

    __slots__ = ()

    _setters: ClassVar[Dict[str, Any]] = {}

    def _getter(self, info: FieldInfo) -> Any:
        return info.get_b

    def _reader(self) -> DynamicStructReader:
        reader: DynamicStructReader = self._type.wrap_reader(self._s.as_reader())
        return reader

    def _walk_reader(self) -> DynamicStructReader:
        s = self._s
        bounded = StructReader(
            s.message.as_reader(), s.segment, s.segment_index, s.data_offset, s.data_size,
            s.pointer_offset, s.pointer_count, DEFAULT_NESTING_LIMIT,
        )
        reader: DynamicStructReader = self._type.wrap_reader(bounded)
        return reader

    def __setattr__(self, name: str, value: Any) -> None:
        # Each struct type's Builder class has a faster one (_make_setattr); same behaviour.
        accessors.store(self, self._type.schema.field(name), value)

    def _set(self, name: str, value: Any) -> None:
        """Set the field ``name`` (also one whose name a method hides)."""
        accessors.store(self, self._type.schema.field(name), value)

    def _assign(self, value: Any) -> None:
        """Set fields from a ``dict`` (name: value), or copy every field of a reader or builder
        of the same struct (how groups are assigned)."""
        if isinstance(value, dict):
            try:
                for name, v in value.items():
                    if not isinstance(name, str):
                        raise WrongValueType(f"field names are str, not {type(name).__name__}")
                    self._set(name, v)
            except RecursionError:  # plain data nested past Python's stack: still an error of ours
                raise NestingLimitExceeded(
                    f"the value for {self._type.name} is nested too deeply to convert"
                ) from None
            return
        if isinstance(value, _StructBase) and value._type.node.id == self._type.node.id:
            src = value._reader()
            schema = src._type.schema
            d = _discriminant(src._s, schema) if schema.discriminant_offset >= 0 else -1
            for f in schema.fields_list:
                if f.discriminant is not None and f.discriminant != d:
                    continue
                if f.slot_kind == "pointer" and not src._s.has_pointer(f.pointer):
                    self.clear(f.name)
                    continue
                accessors.store(self, f, f.get_r(src))
            return
        raise WrongValueType(
            f"cannot assign {type(value).__name__} to a {self._type.name} (expected a dict, or a "
            f"reader or builder of {self._type.name})"
        )

    def init_resizable_list(self, name: str) -> ResizableList:
        """A list of structs to grow one ``add()`` at a time, written to the field by
        ``finish()`` (pycapnp's; the elements are built apart, then copied in)."""
        info = self._type.schema.field(name)
        element = info.type.element
        if info.type.kind != "list" or element is None or element.struct is None:
            raise WrongValueType(
                f"init_resizable_list() makes lists of structs; {self._type.name}.{name} is "
                f"{info.type!r}"
            )
        return ResizableList(self, info, element.struct)

    def from_dict(self, value: Dict[str, Any]) -> None:
        """Set fields from a ``dict`` (nested dicts and lists for struct and list fields)."""
        self._assign(value)

    def init(self, name: str, size: Optional[int] = None) -> Any:
        """Make a new value for a pointer or group field and return its builder: a struct, a
        list of ``size`` elements, ``size`` zero bytes of Data (a writable ``memoryview``), a
        cleared group or AnyPointer. A union member becomes the active one."""
        info = self._type.schema.fields.get(name)
        if info is None:
            info = self._type.schema.field(name)
        return info.init_b(self, size)

    def _group(self, info: FieldInfo) -> DynamicStructBuilder:
        st = info.type.struct
        assert st is not None
        group: DynamicStructBuilder = st.wrap_builder(self._s)
        return group

    def clear(self, name: str) -> None:
        """Reset a field to its default: null for a pointer, the default for a number, every
        member of a group. A union member becomes the active one (C++ ``clear``)."""
        schema = self._type.schema
        info = schema.field(name)
        if info.discriminant is not None:
            accessors.switch_union(self._s, schema, info)
        _clear_field(self, info)

    # -- orphans (purecap.dynamic.orphans) ------------------------------------------------------

    def disown(self, name: str) -> Orphan:
        """Detach the field's value into an :class:`~purecap.dynamic.orphans.Orphan`, leaving
        the field null (or at its default): a pointer's object stays where it is in the
        message, to be ``adopt``-ed by a field of the same message without a copy."""
        from purecap.dynamic.orphans import disown_field

        return disown_field(self, self._type.schema.field(name))

    def adopt(self, name: str, orphan: Orphan) -> None:
        """Make the field point at ``orphan``'s object (an orphan of this message, of the
        field's type): no copy. Whatever the field held is zeroed; a union member becomes the
        active one."""
        from purecap.dynamic.orphans import adopt_field

        adopt_field(self, self._type.schema.field(name), orphan)

    def get_orphanage(self) -> Orphanage:
        """What makes new orphans in this builder's message (``new_orphan(Type)``,
        ``new_orphan_list``...; pycapnp's ``message.new_orphan``)."""
        from purecap.dynamic.orphans import Orphanage

        return Orphanage(self._s.message)

    def as_reader(self) -> DynamicStructReader:
        """A reader of this struct (no copy: it sees later changes)."""
        return self._reader()

    def as_builder(self) -> DynamicStructBuilder:
        return self

    def copy(self) -> DynamicStructBuilder:
        """A builder of a deep copy of this struct, in a new message."""
        return self._reader().as_builder()

    def _message_for_output(self) -> MessageBuilder:
        s = self._s
        if self._type.schema.is_group:
            raise NotRootError(f"{self._type.name} is a group, part of its parent struct")
        if not _is_root(s):
            raise NotRootError(
                f"this {self._type.name} is not the root of its message: only the root can be "
                "written (copy() it into a message of its own first)"
            )
        message: MessageBuilder = s.message
        return message

    @property
    def is_root(self) -> bool:
        return not self._type.schema.is_group and _is_root(self._s)

    def clear_write_flag(self) -> None:
        """Accepted for pycapnp compatibility (a message here may be written any number of
        times)."""

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        from purecap.dynamic.textformat import text_format

        return f"<{self._type.name} builder {text_format(self)}>"


class ResizableList:
    """What ``init_resizable_list`` returns: ``add()`` a new element builder, ``finish()``."""

    def __init__(self, owner: DynamicStructBuilder, info: FieldInfo, element: StructType) -> None:
        self._owner = owner
        self._info = info
        self._element = element
        self._items: List[Any] = []
        self._finished = False

    def add(self) -> Any:
        if self._finished:
            raise SchemaUsageError("this resizable list was finished: add() no more")
        item = self._element.new_message()
        self._items.append(item)
        return item

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: int) -> Any:
        return self._items[index]

    def finish(self) -> None:
        """Write the elements into the field, in order."""
        from purecap.dynamic.lists import copy_struct_content

        self._finished = True
        lst = self._owner.init(self._info.name, len(self._items))
        for i, item in enumerate(self._items):
            copy_struct_content(lst._l.get_struct(i), item._s.as_reader())


def _is_root(s: StructBuilder) -> bool:
    message = s.message
    si, offset, lo, hi = follow_builder_far(message, 0, 0)
    return si == s.segment_index and offset == s.data_offset


def _clear_field(b: DynamicStructBuilder, info: FieldInfo) -> None:
    s = b._s
    kind = info.slot_kind
    if kind == "pointer":
        s.clear_pointer(info.pointer)
    elif kind == "data":
        assert info.fmt is not None
        at = s.data_offset + info.byte_offset
        s.segment[at : at + info.fmt.size] = bytes(info.fmt.size)
    elif kind == "bool":
        at = s.data_offset + (info.bit_offset >> 3)
        s.segment[at] &= ~(1 << (info.bit_offset & 7)) & 0xFF
    elif kind == "group":
        clear_group(b._group(info))


def clear_group(group: DynamicStructBuilder) -> None:
    """Reset every field of a group; its union (if any) to its first member (C++ ``clear`` of a
    group field: "we want the union to end up with its default field active")."""
    schema = group._type.schema
    if schema.union_by_discriminant and schema.union_by_discriminant[0] is not None:
        first = schema.union_by_discriminant[0]
        accessors.switch_union(group._s, schema, first)
        _clear_field(group, first)
    for f in schema.non_union_members:
        _clear_field(group, f)


# ---------------------------------------------------------------------------------------------
# Struct types

_new = object.__new__
_set_s = _StructBase.__dict__["_s"].__set__


def _limits(
    traversal_limit_in_words: Optional[int], nesting_limit: Optional[int]
) -> Tuple[int, int]:
    """pycapnp's keyword arguments, ``None`` meaning the default (C++ ``ReaderOptions``)."""
    words = traversal_limit_in_words
    return (
        DEFAULT_TRAVERSAL_LIMIT_WORDS if words is None else words,
        DEFAULT_NESTING_LIMIT if nesting_limit is None else nesting_limit,
    )


class StructType:
    """A struct type of a loaded schema (``addressbook.Person``): makes and reads messages.

    Nested declarations are attributes (``Person.PhoneNumber``); ``Reader`` and ``Builder`` are
    the classes of its values (``isinstance(x, Person)`` also works, for either).
    """

    def __init__(
        self,
        registry: Registry,
        node: model.Node,
        bindings: Dict[int, Tuple[DynType, ...]],
        key: Tuple[int, BindingsKey],
    ) -> None:
        self.registry = registry
        self.node = node
        self.bindings = bindings
        self.key = key
        self.name = _qualname(node)
        body = node.struct
        self.data_words = body.data_word_count
        self.pointer_count = body.pointer_count
        self.dyn_type = DynType("struct", struct=self, key=("struct", key))
        self._schema: Optional[StructSchema] = None
        #: What other layers compute once per type and keep as long as the type lives (the
        #: JSON codec's handlers, under "json"), by the layer's name.
        self.caches: Dict[str, Any] = {}
        short = node.short_name
        ns: Dict[str, Any] = {"__slots__": (), "_type": self, "__module__": __name__}
        self.Reader: type = type(f"{short}.Reader", (DynamicStructReader,), dict(ns))
        self.Builder: type = type(f"{short}.Builder", (DynamicStructBuilder,), dict(ns))
        self.Reader.__qualname__ = f"{self.name}.Reader"
        self.Builder.__qualname__ = f"{self.name}.Builder"
        reader_cls = self.Reader
        builder_cls = self.Builder

        # The constructors the accessors call: no __init__, just the one slot.
        def wrap_reader(s: StructReader) -> Any:
            obj: Any = _new(reader_cls)
            _set_s(obj, s)
            return obj

        def wrap_builder(s: StructBuilder) -> Any:
            obj: Any = _new(builder_cls)
            _set_s(obj, s)
            return obj

        # Each struct type's constructors get code objects of their own (see own_code).
        tag = self.name.replace(".", "_")
        self.wrap_reader = accessors.own_code(wrap_reader, f"wrap_{tag}_reader")
        self.wrap_builder = accessors.own_code(wrap_builder, f"wrap_{tag}_builder")

    # -- the field table, made on first use ------------------------------------------------------

    @property
    def schema(self) -> StructSchema:
        schema = self._schema
        if schema is None:
            schema = self._finish()
        return schema

    def _finish(self) -> StructSchema:
        """Build the field table and install the field properties; then finish every struct type
        this one's fields can lead to, so no wrapper of an unfinished type is ever handed out."""
        if self._schema is not None:
            return self._schema
        schema = StructSchema(self)
        self._schema = schema
        setters: Dict[str, Any] = {}
        infos: Dict[str, FieldInfo] = {}
        hidden: Dict[str, FieldInfo] = {}  # fields whose name a method has
        for f in schema.fields_list:
            names = [f.name]
            if keyword.iskeyword(f.name):
                names.append(f.name + "_")
            for name in names:
                setters[name] = f.set_b
                infos[name] = f
                if not hasattr(DynamicStructReader, name):
                    setattr(self.Reader, name, property(f.get_r, doc=_field_doc(f)))
                if not hasattr(DynamicStructBuilder, name):
                    setattr(self.Builder, name, property(f.get_b, f.set_b, doc=_field_doc(f)))
                else:
                    hidden[name] = f
        setattr(self.Builder, "_setters", setters)
        if schema.discriminant_offset >= 0:
            which = property(
                accessors.own_code(_which_getter(schema), f"which_{self.name.replace('.', '_')}"),
                doc=_StructBase.which.__doc__,
            )
            setattr(self.Reader, "which", which)
            setattr(self.Builder, "which", which)
        setattr(
            self.Builder,
            "__setattr__",
            accessors.own_code(
                _make_setattr(setters, infos, hidden, schema),
                f"setattr_{self.name.replace('.', '_')}",
            ),
        )
        schema.finish_pointer_slots()
        for f in schema.fields_list:
            for st in _struct_types_in(f.type):
                st._finish()
        return schema

    # -- making messages -------------------------------------------------------------------------

    def new_message(self, **fields: Any) -> Any:
        """A new message whose root is this struct, with ``fields`` set."""
        self.schema
        root = self.wrap_builder(MessageBuilder().init_root(self.data_words, self.pointer_count))
        if fields:
            root._assign(fields)
        return root

    def from_dict(self, value: Dict[str, Any]) -> Any:
        """A new message built from plain data (the inverse of ``to_dict``)."""
        return self.new_message(**value)

    # -- reading messages ------------------------------------------------------------------------

    def _root(self, message: MessageReader, builder: bool = False) -> Any:
        self.schema
        if self.node.struct.is_group:
            raise SchemaUsageError(f"{self.name} is a group: it cannot be a message's root")
        root = message.get_root()
        if builder:
            holder = MessageBuilder()
            holder.set_root(root)
            return self.wrap_builder(holder.get_root(self.data_words, self.pointer_count))
        return self.wrap_reader(root)

    def from_bytes(
        self,
        data: Any,
        traversal_limit_in_words: Optional[int] = None,
        nesting_limit: Optional[int] = None,
        builder: bool = False,
    ) -> Any:
        """A reader of the framed message in ``data`` (zero-copy: ``data`` must stay unchanged
        while the reader is used). ``builder=True`` returns a builder of a copy instead."""
        t, n = _limits(traversal_limit_in_words, nesting_limit)
        return self._root(read_message(data, traversal_limit_words=t, nesting_limit=n), builder)

    def from_bytes_packed(
        self,
        data: Any,
        traversal_limit_in_words: Optional[int] = None,
        nesting_limit: Optional[int] = None,
        builder: bool = False,
    ) -> Any:
        t, n = _limits(traversal_limit_in_words, nesting_limit)
        message = read_packed_message(data, traversal_limit_words=t, nesting_limit=n)
        return self._root(message, builder)

    def from_segments(
        self,
        segments: List[Any],
        traversal_limit_in_words: Optional[int] = None,
        nesting_limit: Optional[int] = None,
    ) -> Any:
        """A reader over segments (e.g. from ``to_segments()``), without framing."""
        from purecap.wire.limits import ReadLimits

        t, n = _limits(traversal_limit_in_words, nesting_limit)
        return self._root(MessageReader(segments, ReadLimits(t, n)))

    def read(
        self,
        file: IO[bytes],
        traversal_limit_in_words: Optional[int] = None,
        nesting_limit: Optional[int] = None,
    ) -> Any:
        """The next framed message of a binary file (reads exactly its bytes)."""
        t, n = _limits(traversal_limit_in_words, nesting_limit)
        message = read_message_from_stream(file, traversal_limit_words=t, nesting_limit=n)
        if message is None:
            raise TruncatedMessage("end of stream: there is no message to read")
        return self._root(message)

    def read_packed(
        self,
        file: IO[bytes],
        traversal_limit_in_words: Optional[int] = None,
        nesting_limit: Optional[int] = None,
    ) -> Any:
        """The next packed message of a binary file (reads exactly its bytes)."""
        t, n = _limits(traversal_limit_in_words, nesting_limit)
        message = PackedMessageStream(file, traversal_limit_words=t, nesting_limit=n).read_message()
        if message is None:
            raise TruncatedMessage("end of stream: there is no message to read")
        return self._root(message)

    def read_multiple(
        self,
        file: IO[bytes],
        traversal_limit_in_words: Optional[int] = None,
        nesting_limit: Optional[int] = None,
    ) -> Iterator[Any]:
        """Every framed message of a binary file, one after another."""
        t, n = _limits(traversal_limit_in_words, nesting_limit)
        while True:
            message = read_message_from_stream(file, traversal_limit_words=t, nesting_limit=n)
            if message is None:
                return
            yield self._root(message)

    def read_multiple_packed(
        self,
        file: IO[bytes],
        traversal_limit_in_words: Optional[int] = None,
        nesting_limit: Optional[int] = None,
    ) -> Iterator[Any]:
        t, n = _limits(traversal_limit_in_words, nesting_limit)
        for message in PackedMessageStream(file, traversal_limit_words=t, nesting_limit=n):
            yield self._root(message)

    def read_multiple_bytes(
        self,
        data: Any,
        traversal_limit_in_words: Optional[int] = None,
        nesting_limit: Optional[int] = None,
    ) -> Iterator[Any]:
        """Every framed message in ``data`` (zero-copy)."""
        t, n = _limits(traversal_limit_in_words, nesting_limit)
        for message in read_messages(data, traversal_limit_words=t, nesting_limit=n):
            yield self._root(message)

    def read_multiple_bytes_packed(
        self,
        data: Any,
        traversal_limit_in_words: Optional[int] = None,
        nesting_limit: Optional[int] = None,
    ) -> Iterator[Any]:
        stream = io.BytesIO(bytes(data))
        return self.read_multiple_packed(stream, traversal_limit_in_words, nesting_limit)

    # -- introspection -----------------------------------------------------------------------------

    @property
    def id(self) -> int:
        return self.node.id

    def __instancecheck__(self, obj: Any) -> bool:
        t = getattr(type(obj), "_type", None)
        return isinstance(t, StructType) and t.key == self.key

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise UnknownField(
            f"struct {self.name} has no nested declaration or attribute {name!r}"
            + did_you_mean(name, [k for k in vars(self) if not k.startswith("_")])
        )

    def __repr__(self) -> str:
        return f"<struct {self.name}>"


_object_setattr = object.__setattr__
# Two equivalent ways to reach a field's setter; each is the faster on one interpreter. CPython:
# a dict lookup and a call (the property route costs a third call). PyPy: object.__setattr__,
# which its JIT turns into a direct call of the property's setter (a dict lookup it cannot fold).
_VIA_OBJECT_SETATTR = sys.implementation.name == "pypy"


def _which_getter(schema: StructSchema) -> Any:
    """``which`` for one struct type: the discriminant read at its offset, its tag looked up."""
    off = schema.discriminant_offset
    end = off + 2
    unpack = _U16.unpack_from
    tags = schema.tags
    count = len(tags)
    tag = schema.tag

    def which(self: Any) -> UnionTag:
        s = self._s
        d = unpack(s.segment, s.data_offset + off)[0] if end <= s.data_size else 0
        return tags[d] if d < count else tag(d)

    return which


def _make_setattr(
    setters: Dict[str, Any], infos: Dict[str, FieldInfo], hidden: Dict[str, FieldInfo],
    schema: StructSchema,
) -> Any:
    """A builder class's ``__setattr__``: the field's fast setter (the checked one if the fast
    one refuses the value), or :class:`UnknownField` with the closest name for a name that is
    no field."""
    fast_errors = accessors.FAST_SETTER_ERRORS
    if not _VIA_OBJECT_SETATTR:
        find = setters.get

        def __setattr_by_dict__(self: Any, name: str, value: Any) -> None:
            setter = find(name)
            if setter is None:
                setter = schema.field(name).set_b  # raises UnknownField
            try:
                setter(self, value)
            except fast_errors:
                checked = infos[name].set_checked
                if checked is setter:
                    raise
                checked(self, value)

        return __setattr_by_dict__

    def __setattr__(self: Any, name: str, value: Any) -> None:
        try:
            _object_setattr(self, name, value)
        except AttributeError:
            if name in setters:
                raise  # raised by the field's setter itself
            schema.field(name)  # raises UnknownField, with the closest name
            raise
        except fast_errors:
            info = infos.get(name)
            if info is None or info.set_checked is info.set_b:
                raise
            info.set_checked(self, value)

    if not hidden:
        return __setattr__

    def __setattr_hidden__(self: Any, name: str, value: Any) -> None:
        info = hidden.get(name)
        if info is not None:
            accessors.store(self, info, value)
        else:
            __setattr__(self, name, value)

    return __setattr_hidden__


def _field_doc(f: FieldInfo) -> str:
    from purecap.dynamic.schema import type_name

    return f"{f.name} :{type_name(f.type)}"


def _struct_types_in(t: DynType) -> Iterator[StructType]:
    while t.kind == "list" and t.element is not None:
        t = t.element
    if t.struct is not None:
        yield t.struct


StructValue = Union[DynamicStructReader, DynamicStructBuilder]
