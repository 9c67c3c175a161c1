"""AnyPointer fields and capabilities.

An ``AnyPointer`` field (or an unbound generic parameter) holds a pointer of any kind; the schema
does not say what it points to, so the reader asks: ``.as_struct(Type)``, ``.as_list(Type)``,
``.as_text()``, ``.as_data()``. A builder's can be made anything: ``.set(value)`` deep-copies any
reader or builder (or stores a ``str``/``bytes``), ``.init_as_struct(Type)`` and
``.init_as_list(Type, size)`` make a new object.

Interface fields hold capabilities; until the RPC layer exists they read as :class:`Capability`
objects naming their entry of the message's capability table.
"""

from __future__ import annotations

from typing import Any, Optional

from purecap.dynamic.errors import Unpicklable, WrongValueType
from purecap.dynamic.schema import ANY_POINTER, DynType, InterfaceType
from purecap.schema.model import pointer_canonical_bytes
from purecap.wire.builder import MessageBuilder, PointerBuilder
from purecap.wire.pointers import PointerType
from purecap.wire.reader import MessageReader, PointerReader

__all__ = ["AnyPointerReader", "AnyPointerBuilder", "Capability", "read_capability"]


class Capability:
    """A capability pointer: ``index`` into the message's capability table, ``client`` the
    table's entry (``None`` for a message read from bytes, which carries no capabilities),
    ``interface`` the field's interface type when known."""

    __slots__ = ("index", "client", "interface")

    def __init__(
        self, index: int, client: Any = None, interface: Optional[InterfaceType] = None
    ) -> None:
        self.index = index
        self.client = client
        self.interface = interface

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Capability):
            return NotImplemented
        return self.index == other.index and self.client is other.client

    def __hash__(self) -> int:
        return hash((self.index, id(self.client)))

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise Unpicklable(
            "a capability cannot be pickled: it is an entry of one message's capability table "
            "(a live object, when there is one)"
        )

    def __copy__(self) -> Capability:
        return Capability(self.index, self.client, self.interface)

    def __deepcopy__(self, memo: Any) -> Capability:
        return self.__copy__()  # the same client: a capability refers to a live object

    def __repr__(self) -> str:
        name = self.interface.name if self.interface is not None else "capability"
        return f"<{name} capability #{self.index}>"


def read_capability(
    arena: MessageReader, index: Optional[int], interface: Optional[InterfaceType]
) -> Optional[Capability]:
    if index is None:
        return None
    table = arena.cap_table
    return Capability(index, table[index] if index < len(table) else None, interface)


def _dyn_type(spec: Any) -> DynType:
    t = getattr(spec, "dyn_type", None)  # struct and interface types, enum classes
    if isinstance(t, DynType):
        return t
    from purecap.dynamic.values import to_dyn_type

    return to_dyn_type(spec)


def _struct_type(spec: Any) -> Any:
    t = _dyn_type(spec)
    if t.struct is None:
        raise WrongValueType(f"expected a struct type, got {spec!r}")
    t.struct.schema  # finish it before handing out wrappers
    return t.struct


def _list_type(spec: Any) -> Any:
    """The list type of ``List(spec)``; ``spec`` names the element type."""
    element = _dyn_type(spec)
    if element.struct is not None:
        element.struct.schema
    return element.list_type()


class AnyPointerReader:
    """An AnyPointer in a message being read."""

    __slots__ = ("_p", "_t")

    def __init__(self, pointer: PointerReader, type_: DynType = ANY_POINTER) -> None:
        self._p = pointer
        self._t = type_

    def is_null(self) -> bool:
        return self._p.is_null()

    def which(self) -> PointerType:
        """What the pointer holds: ``PointerType.NULL``, ``STRUCT``, ``LIST`` or ``CAPABILITY``."""
        return self._p.pointer_type()

    def as_struct(self, struct_type: Any) -> Any:
        """The pointer read as a struct of ``struct_type`` (a struct type from a loaded schema)."""
        st = _struct_type(struct_type)
        return st.wrap_reader(self._p.get_struct())

    def as_list(self, element_type: Any) -> Any:
        """The pointer read as a list of ``element_type`` (a struct or enum type, or a name such
        as ``"Int32"``, ``"Text"``, ``"List(UInt8)"``)."""
        lt = _list_type(element_type)
        return lt.wrap_reader(self._p.get_list(lt.element_size))

    def as_text(self) -> str:
        return self._p.get_text()

    def as_data(self) -> bytes:
        return self._p.get_data()

    def as_capability(self, interface: Optional[InterfaceType] = None) -> Optional[Capability]:
        return read_capability(self._p.arena, self._p.get_capability(), interface)

    def as_reader(self) -> AnyPointerReader:
        return self

    @property
    def total_size(self) -> Any:
        from purecap.dynamic.structs import MessageSize

        return MessageSize(*self._p.total_size())

    def _canonical(self) -> bytes:
        return pointer_canonical_bytes(self._p)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (AnyPointerReader, AnyPointerBuilder)):
            return self._canonical() == other.as_reader()._canonical()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._canonical())

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise _unpicklable()

    def __copy__(self) -> AnyPointerReader:
        return AnyPointerReader(self._p, self._t)

    def __deepcopy__(self, memo: Any) -> AnyPointerReader:
        """A copy of what it points to, in a message of its own."""
        holder = MessageBuilder()
        holder.root_pointer().set(self._p)
        return AnyPointerReader(holder.as_reader().root_pointer(), self._t)

    def __repr__(self) -> str:
        return f"<AnyPointer reader: {self._p.pointer_type().value}>"


class AnyPointerBuilder:
    """An AnyPointer in a message being built."""

    __slots__ = ("_p", "_t")

    def __init__(self, pointer: PointerBuilder, type_: DynType = ANY_POINTER) -> None:
        self._p = pointer
        self._t = type_

    def is_null(self) -> bool:
        return self._p.is_null()

    def which(self) -> PointerType:
        return self._p.pointer_type()

    def as_struct(self, struct_type: Any) -> Any:
        """The struct the pointer holds, for writing (made if the pointer is null)."""
        st = _struct_type(struct_type)
        return st.wrap_builder(self._p.get_struct(st.data_words, st.pointer_count))

    def as_list(self, element_type: Any) -> Any:
        lt = _list_type(element_type)
        return lt.wrap_builder(lt.get_in_pointer(self._p, None))

    def as_text(self) -> str:
        return self._p.get_text()

    def as_data(self) -> bytes:
        return self._p.get_data()

    def as_capability(self, interface: Optional[InterfaceType] = None) -> Optional[Capability]:
        return self.as_reader().as_capability(interface)

    def init_as_struct(self, struct_type: Any) -> Any:
        """Make the pointer a new (zeroed) struct of ``struct_type``; returns its builder."""
        st = _struct_type(struct_type)
        return st.wrap_builder(self._p.init_struct(st.data_words, st.pointer_count))

    def init_as_list(self, element_type: Any, size: int) -> Any:
        """Make the pointer a new list of ``size`` elements of ``element_type``."""
        from purecap.dynamic.lists import _as_size

        lt = _list_type(element_type)
        return lt.wrap_builder(lt.init_in_pointer(self._p, _as_size(size)))

    def init_as(self, type_: Any, size: Optional[int] = None) -> Any:
        """pycapnp's spelling: a struct when ``size`` is None, else a list of ``size``."""
        if size is None:
            return self.init_as_struct(type_)
        return self.init_as_list(type_, size)

    def set(self, value: Any) -> None:
        """Deep-copy ``value`` in: a struct or list reader or builder, another AnyPointer, a
        ``str`` (Text), ``bytes`` (Data), a :class:`Capability`, or ``None`` (null)."""
        from purecap.dynamic.values import set_pointer

        def where(expected: str, v: Any) -> WrongValueType:
            return WrongValueType(f"an AnyPointer takes {expected}, not {type(v).__name__}")

        set_pointer(self._p, ANY_POINTER, value, where)

    set_as = set

    def set_as_text(self, value: str) -> None:
        self._p.set_text(value)

    def set_as_data(self, value: bytes) -> None:
        self._p.set_data(value)

    def clear(self) -> None:
        self._p.clear()

    def disown(self) -> Any:
        """Detach what the pointer holds into an orphan (the pointer becomes null); the orphan
        can be adopted by an AnyPointer of this message (see :mod:`purecap.dynamic.orphans`)."""
        from purecap.dynamic.orphans import disown_pointer

        return disown_pointer(self._p, self._t)

    def adopt(self, orphan: Any) -> None:
        """Point at the object of ``orphan`` (any pointer orphan of this message): no copy."""
        from purecap.dynamic.orphans import adopt_pointer

        adopt_pointer(self._p, self._t, orphan)

    def as_reader(self) -> AnyPointerReader:
        return AnyPointerReader(self._p.as_reader(), self._t)

    @property
    def total_size(self) -> Any:
        return self.as_reader().total_size

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (AnyPointerReader, AnyPointerBuilder)):
            return self.as_reader() == other.as_reader()
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise _unpicklable()

    def __copy__(self) -> AnyPointerBuilder:
        return AnyPointerBuilder(self._p, self._t)

    def __deepcopy__(self, memo: Any) -> AnyPointerBuilder:
        """A copy of what it points to, in a message of its own."""
        holder = MessageBuilder()
        holder.root_pointer().set(self._p.as_reader())
        return AnyPointerBuilder(holder.root_pointer(), self._t)

    def __repr__(self) -> str:
        return f"<AnyPointer builder: {self._p.pointer_type().value}>"


def _unpicklable() -> Unpicklable:
    return Unpicklable(
        "an AnyPointer cannot be pickled (nor can it in pycapnp): pickle the struct that holds "
        "it, or what it holds (as_struct(T)...)"
    )
