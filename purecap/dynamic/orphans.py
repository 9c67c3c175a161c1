"""Orphans: values detached from their message's tree, to be attached elsewhere without a copy.

C++'s ``Orphan<T>`` and ``Orphanage``, with pycapnp's names::

    shape = root.disown("shape")        # the field becomes null; the struct stays in the message
    other.adopt("shape", shape)         # ``other`` in the same message: a pointer, no copy

    orphanage = root.get_orphanage()    # pycapnp's message.new_orphan(T)
    point = orphanage.new_orphan(Point) # a struct of the message that no field points to yet
    point.get().x = 5                   # read or fill it: get() (a builder), get_reader()
    root.adopt("origin", point)

``disown`` works on every field, as C++'s does: a pointer field's object (struct, list, Text,
Data, AnyPointer, capability) is detached where it is; a group is moved into a new struct orphan
of the group's type; a number, enum or Bool gives an orphan holding its value, the field being
reset to its default. List builders have ``disown(i)``/``adopt(i, orphan)`` too (an element of
a struct list cannot be re-pointed: its content is moved), and AnyPointer builders ``disown()``/
``adopt(orphan)``.

Rules (those of C++): an orphan is adopted by a field of its own type (a struct orphan of the
field's struct type and brand, a list orphan of the same element type...; an AnyPointer field
takes any pointer orphan); only by a field of its own message (an orphan is words of that
message - copy the value instead, by assignment); once. The orphan of an AnyPointer field keeps
no type, so it can only be adopted, not read (C++: "there is no underlying pointer to wrap").

An orphan dropped without being adopted leaves its words unused in the message: unreachable,
but part of the written bytes (so ``to_bytes()`` is deterministic: nothing happens at garbage
collection, whose time is unpredictable on PyPy). ``discard()`` zeroes them, as C++'s destructor
does, so that nothing of the value is written out (and zeros pack to almost nothing).
"""

from __future__ import annotations

from typing import Any, Optional, Set

from purecap.dynamic import accessors
from purecap.dynamic.anypointer import _list_type, _struct_type, read_capability
from purecap.dynamic.errors import OrphanError, SchemaUsageError, Unpicklable, WrongValueType
from purecap.dynamic.lists import _clear_struct
from purecap.dynamic.schema import DynType, FieldInfo, InterfaceType, type_name
from purecap.dynamic.structs import _discriminant
from purecap.wire import orphans as wire
from purecap.wire.builder import MessageBuilder, PointerBuilder, text_bytes
from purecap.wire.pointers import ElementSize, PointerType
from purecap.wire.reader import decode_text

__all__ = [
    "Orphan",
    "Orphanage",
    "disown_field",
    "adopt_field",
    "disown_element",
    "adopt_element",
    "disown_pointer",
    "adopt_pointer",
]

_POINTER_KINDS = frozenset(("struct", "list", "text", "data", "interface", "anyPointer"))
# An AnyStruct / AnyList / Capability field takes orphans holding that (or nothing).
_CONSTRAINED = {
    "struct": PointerType.STRUCT,
    "list": PointerType.LIST,
    "capability": PointerType.CAPABILITY,
}
_OWNED, _ADOPTED, _DISCARDED = range(3)


class Orphan:
    """A value no field points to: ``get()`` it (a builder), ``get_reader()``, ``adopt`` it
    into a field of its message, or ``discard()`` it. ``type`` is its type."""

    __slots__ = ("_o", "_t", "_value", "_state")

    def __init__(
        self, wire_orphan: Optional[wire.Orphan], type_: DynType, value: Any = None
    ) -> None:
        self._o = wire_orphan  # None for an orphan holding a number, enum or Bool
        self._t = type_
        self._value = value
        self._state = _OWNED

    @property
    def type(self) -> DynType:
        """The orphan's type (``type_name(orphan.type)`` spells it as the schema does)."""
        return self._t

    def _check_owned(self) -> None:
        if self._state != _OWNED:
            raise OrphanError(
                "this orphan was "
                + ("adopted" if self._state == _ADOPTED else "discarded")
                + ": it holds nothing any more"
            )

    def _wire(self) -> wire.Orphan:
        self._check_owned()
        o = self._o
        assert o is not None
        return o

    def is_null(self) -> bool:
        """Whether it holds a null pointer (the orphan of a null field)."""
        return self._o is not None and self._wire().is_null()

    def get(self) -> Any:
        """The value, for writing: a struct or list builder (in place, no copy); a ``str`` for
        Text, ``bytes`` for Data, a Capability; the number, enum or Bool of a value orphan."""
        return self._view(builder=True)

    def get_reader(self) -> Any:
        """The value, for reading (in place, no copy)."""
        return self._view(builder=False)

    def _view(self, builder: bool) -> Any:
        self._check_owned()
        if self._o is None:
            return self._value
        o = self._wire()
        t = self._t
        k = t.kind
        if k == "struct":
            st = t.struct
            assert st is not None
            st.schema  # finish the type before handing out wrappers
            if builder:
                return st.wrap_builder(wire.struct_builder(o, st.data_words, st.pointer_count))
            return st.wrap_reader(wire.struct_reader(o))
        if k == "list":
            element = t.element
            assert element is not None
            lt = _list_type(element)
            if not builder:
                return lt.wrap_reader(wire.list_reader(o))
            if element.element_size == ElementSize.INLINE_COMPOSITE:
                return lt.wrap_builder(
                    wire.struct_list_builder(o, lt.data_words, lt.pointer_count)
                )
            return lt.wrap_builder(wire.list_builder(o, element.element_size))
        if k == "text":
            raw = wire.blob(o, True)
            return "" if raw is None else decode_text(memoryview(raw))
        if k == "data":
            return wire.blob(o, False) or b""
        if k == "interface":
            return read_capability(o.message.as_reader(), wire.capability(o), t.interface)
        raise SchemaUsageError(
            "the orphan of an AnyPointer has no type to be read as (nor in C++): adopt it into "
            "an AnyPointer, and read it there with as_struct(T), as_list(T)..."
        )

    def discard(self) -> None:
        """Zero the orphan's words in the message (capabilities dropped), as C++ does when an
        orphan is destroyed unadopted. The orphan holds nothing afterwards."""
        if self._state != _OWNED:
            return
        if self._o is not None:
            wire.discard(self._o)
        self._state = _DISCARDED

    def _adopted(self) -> None:
        self._state = _ADOPTED

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise Unpicklable(
            "an orphan cannot be pickled: it is words of one message under construction (adopt "
            "it, then pickle the struct holding it)"
        )

    def __copy__(self) -> Orphan:
        raise OrphanError(
            "an orphan cannot be copied: it owns its object, as C++'s (move-only) Orphan does; "
            "copy its value (get_reader()) by assignment instead"
        )

    def __deepcopy__(self, memo: Any) -> Orphan:
        return self.__copy__()

    def __str__(self) -> str:
        if self._state != _OWNED:
            return repr(self)
        if self._o is not None and self._t.kind == "anyPointer":
            return f"<AnyPointer orphan: {wire.pointer_type(self._o).value}>"
        return str(self.get_reader())

    def __repr__(self) -> str:
        state = {_OWNED: "", _ADOPTED: " (adopted)", _DISCARDED: " (discarded)"}[self._state]
        return f"<Orphan {type_name(self._t)}{state}>"


class Orphanage:
    """Makes orphans in one message (C++ ``Orphanage::getForMessageContaining``): what
    ``builder.get_orphanage()`` returns, for any builder of that message."""

    __slots__ = ("_message",)

    def __init__(self, message: MessageBuilder) -> None:
        self._message = message

    def new_orphan(self, struct_type: Any) -> Orphan:
        """A new (zeroed) struct of ``struct_type`` (pycapnp's ``message.new_orphan``)."""
        st = _struct_type(struct_type)
        return Orphan(wire.new_struct(self._message, st.data_words, st.pointer_count), st.dyn_type)

    def new_orphan_list(self, element_type: Any, size: int) -> Orphan:
        """A new list of ``size`` elements of ``element_type`` (a struct or enum type, or a
        name such as ``"Int32"``, ``"Text"``, ``"List(UInt8)"``, as ``init_as_list`` takes)."""
        from purecap.dynamic.lists import _as_size
        from purecap.dynamic.schema import list_of

        lt = _list_type(element_type)
        count = _as_size(size)
        if lt.element_size == ElementSize.INLINE_COMPOSITE:
            o = wire.new_struct_list(self._message, count, lt.data_words, lt.pointer_count)
        else:
            o = wire.new_list(self._message, lt.element_size, count)
        return Orphan(o, list_of(lt.element))

    def new_orphan_text(self, value: str) -> Orphan:
        """Text holding ``value`` (C++ ``newOrphanCopy(Text::Reader)``)."""
        from purecap.dynamic.schema import PRIMITIVES

        if not isinstance(value, str):
            raise WrongValueType(f"new_orphan_text takes a str, not {type(value).__name__}")
        return Orphan(wire.new_blob(self._message, text_bytes(value), True), PRIMITIVES["text"])

    def new_orphan_data(self, value: Any) -> Orphan:
        """Data holding ``value`` (bytes-like)."""
        from purecap.dynamic.schema import PRIMITIVES

        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise WrongValueType(f"new_orphan_data takes bytes, not {type(value).__name__}")
        return Orphan(wire.new_blob(self._message, bytes(value), False), PRIMITIVES["data"])

    def __repr__(self) -> str:
        return f"<Orphanage of {self._message!r}>"


# ---------------------------------------------------------------------------------------------
# Type and message checks


def _as_orphan(orphan: Any) -> Orphan:
    if not isinstance(orphan, Orphan):
        raise WrongValueType(
            f"adopt() takes an Orphan (from disown() or an Orphanage), not "
            f"{type(orphan).__name__}: assign the value to copy it instead"
        )
    orphan._check_owned()
    return orphan


def _extends(interface: Optional[InterfaceType], base: Optional[InterfaceType]) -> bool:
    if interface is None or base is None:
        return False
    seen: Set[int] = set()
    todo = [interface]
    while todo:
        it = todo.pop()
        if it.node.id == base.node.id:
            return True
        if it.node.id not in seen:
            seen.add(it.node.id)
            todo.extend(it.superclasses)
    return False


def _fits(t: DynType, orphan: Orphan) -> bool:
    """Whether a pointer of type ``t`` may adopt ``orphan`` (C++ ``adopt``'s "Value type
    mismatch" checks)."""
    ot = orphan._t
    k = t.kind
    if orphan._o is None:
        return False  # a number, enum or Bool: no object to point at
    if k == "text" or k == "data":
        return ot.kind == k
    if k == "struct" or k == "list":
        return ot == t  # the same struct and brand, or the same element type
    if k == "interface":
        return ot.kind == "interface" and _extends(ot.interface, t.interface)
    if ot.kind not in _POINTER_KINDS:
        return False
    wanted = _CONSTRAINED.get(t.any_kind)
    return wanted is None or wire.pointer_type(orphan._o) in (wanted, PointerType.NULL)


def _type_error(what: str, t: DynType, orphan: Orphan) -> WrongValueType:
    return WrongValueType(
        f"cannot adopt an orphan of {type_name(orphan._t)} into {what}, which is {type_name(t)}"
    )


def _check_message(orphan: Orphan, message: MessageBuilder) -> wire.Orphan:
    o = orphan._wire()
    if o.message is not message:
        raise OrphanError(
            "an orphan can only be adopted into its own message (it is words of that message): "
            "assign its value to copy it into another message"
        )
    return o


# ---------------------------------------------------------------------------------------------
# Struct fields (C++ DynamicStruct::Builder::disown / adopt)


def disown_field(b: Any, info: FieldInfo) -> Orphan:
    """``b.disown(name)``: see the module docstring."""
    slot = info.slot_kind
    if slot == "group":
        return _disown_group(b, info)
    if slot != "pointer":
        value = info.get_b(b)  # checks that a union member is the active one
        b.clear(info.name)
        return Orphan(None, info.type, value)
    s = b._s
    if info.discriminant is not None:
        accessors.check_active(s, b._type.schema, info)
    # C++ reads the field first (DynamicStruct::Builder::get): that makes a null struct field a
    # struct (its default's copy, or zeros) and upgrades an older, smaller struct or struct list
    # in place, so that the orphan has the layout of its type; and copies a blob's default in.
    k = info.type.kind
    if k == "struct" or k == "list":
        info.get_b(b)
    elif (k == "text" or k == "data") and info.default and not s.has_pointer(info.pointer):
        info.set_b(b, info.default)
    o = wire.disown(s.message, s.segment_index, s.pointer_offset + (info.pointer << 3))
    return Orphan(o, info.type)


def adopt_field(b: Any, info: FieldInfo, orphan: Any) -> None:
    """``b.adopt(name, orphan)``: see the module docstring."""
    orphan = _as_orphan(orphan)
    schema = b._type.schema
    where = f"{schema.struct_type.name}.{info.name}"
    slot = info.slot_kind
    if slot == "group":
        _adopt_group(b, info, orphan, where)
        return
    if slot != "pointer":
        if orphan._o is not None:
            raise _type_error(where, info.type, orphan)
        accessors.store(b, info, orphan._value)  # a union member's setter makes it active
        orphan._adopted()
        return
    if not _fits(info.type, orphan):
        raise _type_error(where, info.type, orphan)
    s = b._s
    o = _check_message(orphan, s.message)
    if info.discriminant is not None:
        accessors.switch_union(s, schema, info)
    wire.adopt(s.message, s.segment_index, s.pointer_offset + (info.pointer << 3), o)
    orphan._adopted()


def _move_fields(src: Any, dst: Any) -> None:
    """Move every set field of the group or struct ``src`` into ``dst`` by disown and adopt
    (what C++ does to disown or adopt a group)."""
    schema = src._type.schema
    if schema.discriminant_offset >= 0:
        d = _discriminant(src._s, schema)
        members = schema.union_by_discriminant
        member = members[d] if d < len(members) else None
        if member is not None:
            adopt_field(dst, member, disown_field(src, member))
        first = members[0] if members else None
        if first is not None:
            src.clear(first.name)  # the union back to its default member
    for f in schema.non_union_members:
        if src.has(f.name):
            adopt_field(dst, f, disown_field(src, f))


def _disown_group(b: Any, info: FieldInfo) -> Orphan:
    src = info.get_b(b)  # checks that a union member is the active one
    st = info.type.struct
    assert st is not None
    result = Orphanage(b._s.message).new_orphan(st)
    _move_fields(src, result.get())
    return result


def _adopt_group(b: Any, info: FieldInfo, orphan: Orphan, where: str) -> None:
    st = info.type.struct
    assert st is not None
    if orphan._o is None or orphan._t.kind != "struct" or orphan._t != info.type:
        raise _type_error(where, info.type, orphan)
    _check_message(orphan, b._s.message)
    src = orphan.get()
    dst = info.init_b(b, None)  # the group cleared, and made the active member
    _move_fields(src, dst)
    orphan.discard()  # its struct is empty now; C++ destroys the moved-from orphan
    orphan._adopted()


# ---------------------------------------------------------------------------------------------
# List elements (C++ DynamicList::Builder::disown / adopt)

def disown_element(lst: Any, index: int) -> Orphan:
    """``list.disown(i)``: a pointer element is detached; a struct element's content moves to
    a new struct orphan (the element is zeroed: it cannot be re-pointed); a number, enum or
    Bool gives an orphan of its value, the element becoming 0."""
    lt = lst._t
    e = lt.element
    wl = lst._l
    i = lst._index(index)
    size = e.element_size
    if size < ElementSize.POINTER:
        value = lt.get_b(wl, i)
        _zero_element(wl, i, size)
        return Orphan(None, e, value)
    if size == ElementSize.INLINE_COMPOSITE:
        st = e.struct
        assert st is not None
        result = Orphanage(wl.message).new_orphan(st)
        assert result._o is not None
        element = wl.get_struct(i)
        wire.transfer_struct_content(
            wire.struct_builder(result._o, st.data_words, st.pointer_count), element
        )
        _clear_struct(element)  # C++ clearAll: the data, and any pointer left behind
        return result
    if e.kind == "list":
        lt.get_b(wl, i)  # as C++'s operator[]: an inner struct list is upgraded first
    pb = wl.get_pointer(i)
    return Orphan(wire.disown(pb.message, pb.segment_index, pb.offset), e)


def _zero_element(wl: Any, i: int, size: int) -> None:
    if size == ElementSize.BIT:
        wl.set_bool(i, False)
    elif size != ElementSize.VOID:
        nbytes = {ElementSize.BYTE: 1, ElementSize.TWO_BYTES: 2, ElementSize.FOUR_BYTES: 4}.get(
            ElementSize(size), 8
        )
        at = wl.start + ((i * wl.step_bits) >> 3)
        wl.segment[at : at + nbytes] = bytes(nbytes)


def adopt_element(lst: Any, index: int, orphan: Any) -> None:
    """``list.adopt(i, orphan)``: the element points at the orphan's object (a struct list's
    element receives its content, as C++ ``transferContentFrom`` does)."""
    orphan = _as_orphan(orphan)
    lt = lst._t
    e = lt.element
    wl = lst._l
    i = lst._index(index)
    where = f"element {i} of a {lt.name}"
    size = e.element_size
    if size < ElementSize.POINTER:
        if orphan._o is not None:
            raise _type_error(where, e, orphan)
        lt.set_b(wl, i, orphan._value)
        orphan._adopted()
        return
    if not _fits(e, orphan):
        raise _type_error(where, e, orphan)
    o = _check_message(orphan, wl.message)
    if size == ElementSize.INLINE_COMPOSITE:
        st = e.struct
        assert st is not None
        wire.transfer_struct_content(
            wl.get_struct(i), wire.struct_builder(o, st.data_words, st.pointer_count)
        )
        orphan.discard()  # C++ destroys the moved-from orphan, zeroing its struct
        orphan._adopted()
        return
    pb = wl.get_pointer(i)
    wire.adopt(pb.message, pb.segment_index, pb.offset, o)
    orphan._adopted()


# ---------------------------------------------------------------------------------------------
# AnyPointer builders


def disown_pointer(pb: PointerBuilder, t: DynType) -> Orphan:
    return Orphan(wire.disown(pb.message, pb.segment_index, pb.offset), t)


def adopt_pointer(pb: PointerBuilder, t: DynType, orphan: Any) -> None:
    orphan = _as_orphan(orphan)
    if not _fits(t, orphan):
        raise _type_error("an AnyPointer", t, orphan)
    o = _check_message(orphan, pb.message)
    wire.adopt(pb.message, pb.segment_index, pb.offset, o)
    orphan._adopted()
