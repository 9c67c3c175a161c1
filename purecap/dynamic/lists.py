"""Lists: Python sequences over the wire layer's list readers and builders.

A :class:`ListType` (one per element type, made once) holds the element accessors with the
element's layout baked in; :class:`DynamicListReader` and :class:`DynamicListBuilder` are thin
wrappers pairing a wire list with its :class:`ListType`. They behave like Python sequences:
``len``, indexing (negative too), iteration, slicing (which returns a plain ``list``), ``in``,
``index``, ``count`` and ``==`` with any sequence. Builders add item assignment and, for lists of
lists, ``init(i, size)``.

Elements of struct lists are stored inline (INLINE_COMPOSITE): ``builder[i]`` is a struct builder
in place, and assigning a reader or dict to ``builder[i]`` copies its content into the element.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, List, Optional, Sequence, overload

from purecap.dynamic.accessors import as_float, as_int, enum_number, float32_bits, own_code
from purecap.dynamic.errors import ListIndexError, NotAPointerField, Unpicklable, WrongValueType
from purecap.dynamic.schema import FORMATS, INT_RANGES, DynType, type_name
from purecap.wire.builder import ListBuilder, MessageBuilder, PointerBuilder, StructBuilder
from purecap.wire.limits import DEFAULT_NESTING_LIMIT
from purecap.wire.pointers import ElementSize
from purecap.wire.reader import ListReader, StructReader

__all__ = ["ListType", "DynamicListReader", "DynamicListBuilder", "copy_struct_content"]

_U16 = FORMATS["uint16"]
_U32 = FORMATS["uint32"]


def _no_set(wl: Any, index: int, value: Any) -> None:  # pragma: no cover - replaced in __init__
    raise AssertionError


class ListType:
    """Everything about lists of one element type: accessors for one element, for all of them,
    and how to get, make and wrap such a list on the wire."""

    def __init__(self, element: DynType) -> None:
        self.element = element
        self.element_size = element.element_size
        self.name = f"List({type_name(element)})"
        st = element.struct
        self.data_words = st.node.struct.data_word_count if st is not None else 0
        self.pointer_count = st.node.struct.pointer_count if st is not None else 0
        self.get_r: Callable[[Any, int], Any]
        self.get_b: Callable[[Any, int], Any]
        self.set_b: Callable[[Any, int, Any], None] = _no_set
        self.all_r: Callable[[Any], List[Any]]
        _build(self)
        # Code objects of their own for this list type's functions (see accessors.own_code).
        tag = "".join(c if c.isalnum() else "_" for c in self.name)
        self.get_r = own_code(self.get_r, f"get_{tag}_item")
        self.get_b = own_code(self.get_b, f"get_{tag}_item_b")
        self.set_b = own_code(self.set_b, f"set_{tag}_item")
        lt = self

        def wrap_reader(wl: ListReader) -> DynamicListReader:
            obj = _new(DynamicListReader)
            _set_l(obj, wl)
            _set_t(obj, lt)
            return obj

        def wrap_builder(wl: ListBuilder) -> DynamicListBuilder:
            obj = _new(DynamicListBuilder)
            _set_l(obj, wl)
            _set_t(obj, lt)
            return obj

        self.wrap_reader = own_code(wrap_reader, f"wrap_{tag}_reader")
        self.wrap_builder = own_code(wrap_builder, f"wrap_{tag}_builder")

    # -- lists on the wire -----------------------------------------------------------------------

    def get_in_pointer(self, pb: PointerBuilder, default: Optional[ListReader]) -> ListBuilder:
        """The list at ``pb`` for writing (a struct list is upgraded to this element size)."""
        if self.element_size == ElementSize.INLINE_COMPOSITE:
            return pb.get_struct_list(self.data_words, self.pointer_count, default)
        return pb.get_list(self.element_size, default)

    def init_in_pointer(self, pb: PointerBuilder, size: int) -> ListBuilder:
        if self.element_size == ElementSize.INLINE_COMPOSITE:
            return pb.init_struct_list(size, self.data_words, self.pointer_count)
        return pb.init_list(self.element_size, size)

    def fill(self, wl: ListBuilder, values: Sequence[Any]) -> None:
        set_b = self.set_b
        for i, v in enumerate(values):
            set_b(wl, i, v)

    def where(self, value: Any) -> Callable[[str], WrongValueType]:
        def error(expected: str) -> WrongValueType:
            return WrongValueType(
                f"an element of {self.name} must be {expected}, not {type(value).__name__} "
                f"{value!r:.60}"
            )

        return error

    def __repr__(self) -> str:
        return f"<list type {self.name}>"


_new = object.__new__


# ---------------------------------------------------------------------------------------------
# Element accessors, by element kind


def _build(lt: ListType) -> None:
    e = lt.element
    k = e.kind
    if k == "void":
        lt.get_r = lt.get_b = lambda wl, i: None
        lt.all_r = lambda wl: [None] * len(wl)

        def set_void(wl: Any, i: int, v: Any) -> None:
            if v is not None:
                raise lt.where(v)("None")

        lt.set_b = set_void
    elif k == "bool":
        lt.get_r = lt.get_b = lambda wl, i: wl.get_bool(i)
        lt.all_r = lambda wl: [wl.get_bool(i) for i in range(len(wl))]

        def set_bool(wl: Any, i: int, v: Any) -> None:
            if v.__class__ is not bool:
                raise lt.where(v)("a bool")
            wl.set_bool(i, v)

        lt.set_b = set_bool
    elif k in INT_RANGES:
        fmt = FORMATS[k]
        lt.get_r = lt.get_b = lambda wl, i: wl.get_primitive(i, fmt)
        lt.all_r = lambda wl: wl.primitives(fmt)

        def set_int(wl: Any, i: int, v: Any) -> None:
            wl.set_primitive(i, fmt, as_int(v, k, lt.where(v)))

        lt.set_b = set_int
    elif k == "float32" or k == "float64":
        fmt = FORMATS[k]
        lt.get_r = lt.get_b = lambda wl, i: wl.get_primitive(i, fmt)
        lt.all_r = lambda wl: wl.primitives(fmt)
        if k == "float32":

            def set_float(wl: Any, i: int, v: Any) -> None:
                wl.set_primitive(i, _U32, float32_bits(as_float(v, lt.where(v))))

        else:

            def set_float(wl: Any, i: int, v: Any) -> None:
                wl.set_primitive(i, fmt, as_float(v, lt.where(v)))

        lt.set_b = set_float
    elif k == "enum":
        cls: Any = e.enum
        members = cls._members
        count = len(members)
        unknown = cls.unknown

        def get_enum(wl: Any, i: int) -> Any:
            v = wl.get_primitive(i, _U16)
            return members[v] if v < count else unknown(v)

        lt.get_r = lt.get_b = get_enum
        lt.all_r = lambda wl: [members[v] if v < count else unknown(v) for v in wl.primitives(_U16)]

        def set_enum(wl: Any, i: int, v: Any) -> None:
            wl.set_primitive(i, _U16, enum_number(v, cls, lt.where(v)))

        lt.set_b = set_enum
    elif k == "text":
        lt.get_r = lambda wl, i: wl.get_text(i)
        lt.get_b = lambda wl, i: wl.get_pointer(i).get_text()
        lt.all_r = lambda wl: [wl.get_text(i) for i in range(len(wl))]

        def set_text(wl: Any, i: int, v: Any) -> None:
            if isinstance(v, str):
                wl.set_text(i, v)
            elif isinstance(v, (bytes, bytearray, memoryview)):
                wl.set_text(i, bytes(v))
            elif v is None:
                wl.get_pointer(i).clear()
            else:
                raise lt.where(v)("a str")

        lt.set_b = set_text
    elif k == "data":
        lt.get_r = lambda wl, i: wl.get_data(i)
        lt.get_b = lambda wl, i: wl.get_pointer(i).get_data()
        lt.all_r = lambda wl: [wl.get_data(i) for i in range(len(wl))]

        def set_data(wl: Any, i: int, v: Any) -> None:
            if isinstance(v, (bytes, bytearray, memoryview)):
                wl.set_data(i, v)
            elif v is None:
                wl.get_pointer(i).clear()
            else:
                raise lt.where(v)("bytes")

        lt.set_b = set_data
    elif k == "struct":
        st = e.struct
        assert st is not None
        wrap_r = st.wrap_reader
        wrap_b = st.wrap_builder
        # List types are made while struct types are finished: the module is loaded by then.
        from purecap.dynamic.structs import DynamicStructBuilder, DynamicStructReader

        lt.get_r = lambda wl, i: wrap_r(wl.get_struct(i))
        lt.get_b = lambda wl, i: wrap_b(wl.get_struct(i))
        lt.all_r = lambda wl: [wrap_r(wl.get_struct(i)) for i in range(len(wl))]

        def set_struct(wl: Any, i: int, v: Any) -> None:
            dst = wl.get_struct(i)
            if isinstance(v, dict):
                _clear_struct(dst)
                wrap_b(dst)._assign(v)
            elif isinstance(v, (DynamicStructReader, DynamicStructBuilder)):
                if v._type.node.id != st.node.id:
                    raise lt.where(v)(f"a {st.name} reader, builder or dict")
                src = v._s if isinstance(v, DynamicStructReader) else v._s.as_reader()
                copy_struct_content(dst, src)
            else:
                raise lt.where(v)(f"a {st.name} reader, builder or dict")

        lt.set_b = set_struct
    elif k == "list":
        inner = e.element
        assert inner is not None
        inner_lt = inner.list_type()
        expected = inner.element_size
        wrap_inner_r = inner_lt.wrap_reader
        wrap_inner_b = inner_lt.wrap_builder
        lt.get_r = lambda wl, i: wrap_inner_r(wl.get_list(i, expected))
        lt.get_b = lambda wl, i: wrap_inner_b(inner_lt.get_in_pointer(wl.get_pointer(i), None))
        lt.all_r = lambda wl: [wrap_inner_r(wl.get_list(i, expected)) for i in range(len(wl))]
        lt.set_b = _pointer_element_setter(lt)
    elif k == "anyPointer":
        from purecap.dynamic.anypointer import AnyPointerBuilder, AnyPointerReader

        lt.get_r = lambda wl, i: AnyPointerReader(wl.get_pointer(i), e)
        lt.get_b = lambda wl, i: AnyPointerBuilder(wl.get_pointer(i), e)
        lt.all_r = lambda wl: [AnyPointerReader(wl.get_pointer(i), e) for i in range(len(wl))]
        lt.set_b = _pointer_element_setter(lt)
    else:  # interface
        from purecap.dynamic.anypointer import read_capability

        iface = e.interface
        lt.get_r = lambda wl, i: read_capability(wl.arena, wl.get_capability(i), iface)
        lt.get_b = lambda wl, i: read_capability(
            wl.message.as_reader(), wl.get_pointer(i).get_capability(), iface
        )
        lt.all_r = lambda wl: [
            read_capability(wl.arena, wl.get_capability(i), iface) for i in range(len(wl))
        ]
        lt.set_b = _pointer_element_setter(lt)


def _pointer_element_setter(lt: ListType) -> Callable[[Any, int, Any], None]:
    from purecap.dynamic.values import set_pointer

    e = lt.element

    def set_element(wl: Any, i: int, v: Any) -> None:
        set_pointer(wl.get_pointer(i), e, v, lambda expected, value: lt.where(value)(expected))

    return set_element


def _clear_struct(dst: StructBuilder) -> None:
    """Zero a struct in place, its pointers' objects included."""
    seg = dst.segment
    seg[dst.data_offset : dst.data_offset + dst.data_size] = bytes(dst.data_size)
    for p in range(dst.pointer_count):
        dst.clear_pointer(p)


def copy_struct_content(dst: StructBuilder, src: StructReader) -> None:
    """Copy ``src``'s fields into the struct ``dst`` in place (a struct list element cannot be
    re-pointed, only overwritten: C++ ``StructBuilder::copyContentFrom``). Sections are cut or
    zero-padded to ``dst``'s sizes."""
    if src.arena is dst.message.as_reader():
        # The source lives in the same message: copy it out first, so that clearing ``dst``
        # cannot destroy what is about to be copied.
        holder = MessageBuilder()
        holder.set_root(src)
        src = holder.as_reader().get_root()
    n = min(dst.data_size, src.data_size)
    seg = dst.segment
    at = dst.data_offset
    seg[at : at + n] = src.segment[src.data_offset : src.data_offset + n]
    seg[at + n : at + dst.data_size] = bytes(dst.data_size - n)
    for p in range(dst.pointer_count):
        if p < src.pointer_count:
            dst.get_pointer(p).set(src.get_pointer(p))
        else:
            dst.clear_pointer(p)


# ---------------------------------------------------------------------------------------------
# The wrappers


class _ListBase(Sequence[Any]):
    __slots__ = ("_l", "_t")

    _l: Any
    _t: ListType

    def __len__(self) -> int:
        return int(self._l.element_count)

    def _index(self, index: int) -> int:
        n = self._l.element_count
        i = index + n if index < 0 else index
        if not 0 <= i < n:
            raise ListIndexError(
                f"index {index} is out of range for a {self._t.name} of {n} elements"
            )
        return i

    @property
    def schema(self) -> ListType:
        return self._t

    @property
    def element_type(self) -> DynType:
        return self._t.element

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (_ListBase, list, tuple)):
            if len(self) != len(other):
                return False
            return all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = None  # type: ignore[assignment]

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise Unpicklable(
            f"a {self._t.name} cannot be pickled (nor can it in pycapnp): pickle the struct "
            "that holds it, or list(...) of its values"
        )

    def __copy__(self) -> Any:
        """Another view of the same list."""
        obj = _new(type(self))
        _set_l(obj, self._l)
        _set_t(obj, self._t)
        return obj

    def __deepcopy__(self, memo: Any) -> Any:
        """A copy of the list in a message of its own (whose root pointer holds it)."""
        wl = self._l
        holder = MessageBuilder()
        holder.root_pointer().set_list(wl.as_reader() if isinstance(wl, ListBuilder) else wl)
        if isinstance(self, DynamicListBuilder):
            return self._t.wrap_builder(self._t.get_in_pointer(holder.root_pointer(), None))
        return self._t.wrap_reader(holder.as_reader().root_pointer().get_list(self._t.element_size))

    def __str__(self) -> str:
        from purecap.dynamic.textformat import text_format

        return text_format(self)


class DynamicListReader(_ListBase):
    """A list in a message being read."""

    __slots__ = ()

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> List[Any]: ...

    def __getitem__(self, index: Any) -> Any:
        if index.__class__ is int:
            n = self._l.element_count
            if not -n <= index < n:
                self._index(index)
            return self._t.get_r(self._l, index if index >= 0 else index + n)
        if isinstance(index, slice):
            get = self._t.get_r
            wl = self._l
            return [get(wl, i) for i in range(*index.indices(self._l.element_count))]
        return self._t.get_r(self._l, self._index(_as_index(index)))

    def __iter__(self) -> Iterator[Any]:
        return iter(self._t.all_r(self._l))

    def as_reader(self) -> DynamicListReader:
        return self

    def _walk_reader(self) -> DynamicListReader:
        return self

    def __repr__(self) -> str:
        from purecap.dynamic.textformat import text_format

        return f"<{self._t.name} reader {text_format(self)}>"


class DynamicListBuilder(_ListBase):
    """A list in a message being built."""

    __slots__ = ()

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> List[Any]: ...

    def __getitem__(self, index: Any) -> Any:
        if index.__class__ is int:
            n = self._l.element_count
            if not -n <= index < n:
                self._index(index)
            return self._t.get_b(self._l, index if index >= 0 else index + n)
        if isinstance(index, slice):
            get = self._t.get_b
            wl = self._l
            return [get(wl, i) for i in range(*index.indices(self._l.element_count))]
        return self._t.get_b(self._l, self._index(_as_index(index)))

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, slice):
            indices = range(*index.indices(self._l.element_count))
            values = list(value)
            if len(values) != len(indices):
                raise WrongValueType(
                    f"cannot assign {len(values)} values to a slice of {len(indices)} elements "
                    "(a list's size is fixed when it is made)"
                )
            for i, v in zip(indices, values):
                self._t.set_b(self._l, i, v)
            return
        self._t.set_b(self._l, self._index(_as_index(index)), value)

    def __iter__(self) -> Iterator[Any]:
        get = self._t.get_b
        wl = self._l
        if self._t.element.kind in ("struct", "list", "anyPointer"):
            return (get(wl, i) for i in range(wl.element_count))
        return iter(self.as_reader())

    def init(self, index: int, size: int) -> DynamicListBuilder:
        """Make element ``index`` of a list of lists a new list of ``size`` elements."""
        e = self._t.element
        if e.kind != "list":
            raise NotAPointerField(
                "init(index, size) makes the lists of a list of lists, not elements of "
                + self._t.name
            )
        assert e.element is not None
        inner = e.element.list_type()
        pb = self._l.get_pointer(self._index(_as_index(index)))
        return inner.wrap_builder(inner.init_in_pointer(pb, _as_size(size)))

    def disown(self, index: int) -> Any:
        """Detach element ``index`` into an orphan (a struct element's content moves into a new
        struct orphan, the element being zeroed); see :mod:`purecap.dynamic.orphans`."""
        from purecap.dynamic.orphans import disown_element

        return disown_element(self, index)

    def adopt(self, index: int, orphan: Any) -> None:
        """Make element ``index`` the orphan's value, without a copy (a struct element receives
        the orphan struct's content); see :mod:`purecap.dynamic.orphans`."""
        from purecap.dynamic.orphans import adopt_element

        adopt_element(self, index, orphan)

    def as_reader(self) -> DynamicListReader:
        return self._t.wrap_reader(self._l.as_reader())

    def _walk_reader(self) -> DynamicListReader:
        wl = self._l
        bounded = ListReader(
            wl.message.as_reader(), wl.segment, wl.segment_index, wl.start, wl.element_count,
            wl.step_bits, wl.data_bits, wl.pointer_count, wl.element_size, DEFAULT_NESTING_LIMIT,
        )
        return self._t.wrap_reader(bounded)

    def __repr__(self) -> str:
        from purecap.dynamic.textformat import text_format

        return f"<{self._t.name} builder {text_format(self)}>"


def _as_index(index: Any) -> int:
    if isinstance(index, int) and not isinstance(index, bool):
        return int(index)
    try:
        return int(index.__index__())
    except AttributeError:
        raise WrongValueType(
            f"list indices must be integers or slices, not {type(index).__name__}"
        ) from None


def _as_size(size: Any) -> int:
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise WrongValueType(f"a list size must be a non-negative int, not {size!r}")
    return int(size)


_set_l = _ListBase.__dict__["_l"].__set__
_set_t = _ListBase.__dict__["_t"].__set__
