"""Values: schema defaults and constants as Python values, and Python values into pointers.

* :func:`pointer_default` turns a pointer field's schema default into what the readers use: a
  ``str``, ``bytes``, or a wire reader of a struct or list in a message of its own. (The copy is
  read with no traversal limit: a default is read each time a null field is, and must not drain
  a budget.)
* :func:`constant_value` gives a ``const`` declaration its Python value.
* :func:`set_pointer` stores a Python value (a reader or builder, a ``dict``, a sequence, a
  ``str``...) in a pointer of a given type: the one place deciding what each pointer type accepts.
* :func:`to_python` is the value as plain Python data (``to_dict``).
"""

from __future__ import annotations

import struct
from typing import Any, Callable, Dict, Optional

from purecap.dynamic.anypointer import AnyPointerBuilder, AnyPointerReader, Capability
from purecap.dynamic.enums import DynamicEnum
from purecap.dynamic.errors import WrongValueType
from purecap.dynamic.lists import DynamicListBuilder, DynamicListReader
from purecap.dynamic.schema import ANY_POINTER, PRIMITIVES, DynType, InterfaceType, list_of
from purecap.dynamic.structs import DynamicStructBuilder, DynamicStructReader, StructType
from purecap.schema import model
from purecap.wire.builder import MessageBuilder, PointerBuilder
from purecap.wire.reader import EMPTY_STRUCT, NULL_POINTER

__all__ = [
    "pointer_default",
    "constant_value",
    "set_pointer",
    "to_dyn_type",
    "to_python",
    "list_of_type",
]

_F32 = struct.Struct("<f")

Where = Callable[[str, Any], WrongValueType]

_PRIMITIVE_NAMES: Dict[str, DynType] = {
    "Void": PRIMITIVES["void"], "Bool": PRIMITIVES["bool"], "Int8": PRIMITIVES["int8"],
    "Int16": PRIMITIVES["int16"], "Int32": PRIMITIVES["int32"], "Int64": PRIMITIVES["int64"],
    "UInt8": PRIMITIVES["uint8"], "UInt16": PRIMITIVES["uint16"],
    "UInt32": PRIMITIVES["uint32"], "UInt64": PRIMITIVES["uint64"],
    "Float32": PRIMITIVES["float32"], "Float64": PRIMITIVES["float64"],
    "Text": PRIMITIVES["text"], "Data": PRIMITIVES["data"], "AnyPointer": ANY_POINTER,
}  # fmt: skip


def _detached(pointer: Any) -> Any:
    """A copy of a value's pointer content in a message of its own, read without limits."""
    if pointer is None or pointer.is_null():
        return None
    holder = MessageBuilder()
    holder.root_pointer().set(pointer)
    return holder.as_reader().root_pointer()


def pointer_default(t: DynType, value: model.Value) -> Any:
    """What a null pointer field of type ``t`` reads as, from its schema default ``value``:
    ``str``/``bytes`` for Text/Data, a wire ``StructReader``/``ListReader`` for structs and
    lists, ``None`` when there is no default."""
    k = t.kind
    if k == "text":
        return value.text if value.kind == "text" else None
    if k == "data":
        return value.data if value.kind == "data" else None
    if k == "struct" and value.kind == "struct":
        p = _detached(value.pointer)
        return None if p is None else p.get_struct()
    if k == "list" and value.kind == "list":
        p = _detached(value.pointer)
        return None if p is None else p.get_list(None)
    return None


def constant_value(registry: Any, t: DynType, value: model.Value) -> Any:
    """A constant's value: numbers, bools, ``str``, ``bytes``, enum members, or readers (in a
    message of their own) for struct, list and AnyPointer constants."""
    k = t.kind
    if k == "void" or k == "interface":
        return None
    if k == "enum":
        assert t.enum is not None
        cls: Any = t.enum
        return cls.lookup(int(value.scalar))
    if k == "bool":
        return bool(value.scalar)
    if k == "float32":
        number: float = _F32.unpack(_F32.pack(float(value.scalar)))[0]
        return number
    if k == "float64":
        return float(value.scalar)
    if k in ("text",):
        return value.text or ""
    if k == "data":
        return value.data or b""
    if k in ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"):
        return int(value.scalar)
    p = _detached(value.pointer)
    if k == "struct":
        assert t.struct is not None
        t.struct.schema
        return t.struct.wrap_reader(EMPTY_STRUCT if p is None else p.get_struct())
    if k == "list":
        assert t.element is not None
        lt = t.element.list_type()
        if t.element.struct is not None:
            t.element.struct.schema
        if p is None:
            return lt.wrap_reader(NULL_POINTER.get_list(lt.element_size))
        return lt.wrap_reader(p.get_list(lt.element_size))
    return AnyPointerReader(NULL_POINTER if p is None else p, t)


# ---------------------------------------------------------------------------------------------
# Storing Python values in pointers


def _is_sequence(value: Any) -> bool:
    if isinstance(value, (list, tuple, range)):
        return True
    if isinstance(value, (str, bytes, bytearray, memoryview, dict)):
        return False
    return hasattr(value, "__len__") and hasattr(value, "__getitem__")


def set_pointer(pb: PointerBuilder, t: DynType, value: Any, where: Where) -> None:
    """Store ``value`` in the pointer ``pb`` whose type is ``t`` (struct, list, AnyPointer or
    interface). ``None`` makes it null; readers and builders are deep-copied."""
    if value is None:
        pb.clear()
        return
    k = t.kind
    if k == "struct":
        st = t.struct
        assert st is not None
        if isinstance(value, dict):
            b = st.wrap_builder(pb.init_struct(st.data_words, st.pointer_count))
            b._assign(value)
            return
        if isinstance(value, (DynamicStructReader, DynamicStructBuilder)):
            if value._type.node.id == st.node.id and not value._type.schema.is_group:
                pb.set_struct(_source(value, pb))
                return
        raise where(f"a {st.name} reader, builder or dict", value)
    if k == "list":
        element = t.element
        assert element is not None
        lt = element.list_type()
        if isinstance(value, (DynamicListReader, DynamicListBuilder)):
            if value._t.element == element:
                pb.set_list(_source(value, pb))
                return
        if _is_sequence(value):
            values = list(value)
            wl = lt.init_in_pointer(pb, len(values))
            lt.fill(wl, values)
            return
        raise where(f"a {lt.name} or a sequence", value)
    if k == "interface":
        if isinstance(value, Capability):
            _set_capability(pb, value)
            return
        raise where("a capability", value)
    # AnyPointer (and the constrained AnyStruct / AnyList / Capability).
    any_kind = t.any_kind
    if isinstance(value, (AnyPointerReader, AnyPointerBuilder)):
        src = value.as_reader()._p
        if src.arena is pb.message.as_reader():
            src = _copied(src)
        pb.set(src)
        return
    is_struct = isinstance(value, (DynamicStructReader, DynamicStructBuilder))
    if is_struct and any_kind in ("anyKind", "struct"):
        if value._type.schema.is_group:
            raise where("a struct (a group is part of its parent, not a struct of its own)", value)
        pb.set_struct(_source(value, pb))
        return
    is_list = isinstance(value, (DynamicListReader, DynamicListBuilder))
    if is_list and any_kind in ("anyKind", "list"):
        pb.set_list(_source(value, pb))
        return
    if any_kind == "anyKind":
        if isinstance(value, str):
            pb.set_text(value)
            return
        if isinstance(value, (bytes, bytearray, memoryview)):
            pb.set_data(value)
            return
    if isinstance(value, Capability) and any_kind in ("anyKind", "capability"):
        _set_capability(pb, value)
        return
    raise where(
        {"anyKind": "a reader, builder, str, bytes or capability", "struct": "a struct",
         "list": "a list", "capability": "a capability"}.get(any_kind, "a pointer"),
        value,
    )


def _copied(pointer: Any) -> Any:
    holder = MessageBuilder()
    holder.root_pointer().set(pointer)
    return holder.as_reader().root_pointer()


def _source(value: Any, pb: PointerBuilder) -> Any:
    """The wire reader to copy from, copied out first when it lives in the destination's
    message (copying into a pointer zeroes its old object, which could be the source)."""
    if isinstance(value, (DynamicListReader, DynamicListBuilder)):
        wl = value._l
        src = wl if isinstance(value, DynamicListReader) else wl.as_reader()
        if getattr(wl, "message", None) is pb.message or src.arena is pb.message.as_reader():
            holder = MessageBuilder()
            holder.root_pointer().set_list(src)
            return holder.as_reader().root_pointer().get_list(None)
        return src
    s = value._s
    src = s.as_reader() if hasattr(s, "message") else s
    if src.arena is pb.message.as_reader():
        holder = MessageBuilder()
        holder.set_root(src)
        return holder.as_reader().get_root()
    return src


def _set_capability(pb: PointerBuilder, cap: Any) -> None:
    if cap.client is None:
        pb.set_capability(cap.index)
        return
    table = pb.message.cap_table
    table.append(cap.client)
    pb.set_capability(len(table) - 1)


# ---------------------------------------------------------------------------------------------
# Types named by users (AnyPointer casts)


def to_dyn_type(spec: Any) -> DynType:
    """The type ``spec`` names: a struct type (or its Reader/Builder class, or a reader or
    builder), an enum class, an interface type, a :class:`DynType`, or a schema-language name of
    a built-in type (``"Int32"``, ``"Text"``, ``"List(Float64)"``, ``"AnyPointer"``)."""
    if isinstance(spec, DynType):
        return spec
    if isinstance(spec, StructType):
        return spec.dyn_type
    if isinstance(spec, InterfaceType):
        return spec.dyn_type
    st = getattr(spec, "_type", None)
    if isinstance(st, StructType):
        return st.dyn_type
    if isinstance(spec, type) and issubclass(spec, DynamicEnum):
        t: Optional[DynType] = getattr(spec, "dyn_type", None)
        if t is not None:
            return t
    if isinstance(spec, str):
        name = spec.replace(" ", "")
        if name in _PRIMITIVE_NAMES:
            return _PRIMITIVE_NAMES[name]
        if name.startswith("List(") and name.endswith(")"):
            return list_of(to_dyn_type(name[5:-1]))
    raise WrongValueType(
        f"{spec!r} does not name a type (expected a struct, enum or interface type from a loaded "
        "schema, or a built-in type name such as 'Int32', 'Text', 'List(UInt8)')"
    )


def list_of_type(spec: Any) -> DynType:
    """``List(spec)``, for ``AnyPointer.as_list`` of nested lists."""
    return list_of(to_dyn_type(spec))


# ---------------------------------------------------------------------------------------------
# Plain Python data


def to_python(value: Any, verbose: bool = False) -> Any:
    """``value`` as plain data: structs as dicts, lists as lists, enums as their names (a
    number when the enumerant is unknown); other values as they are."""
    if isinstance(value, (DynamicStructReader, DynamicStructBuilder)):
        return value.to_dict(verbose)
    if isinstance(value, (DynamicListReader, DynamicListBuilder)):
        k = value._t.element.kind
        if k in ("struct", "list", "enum"):
            return [to_python(v, verbose) for v in value]
        return list(value)
    if isinstance(value, DynamicEnum):
        return value.name if value.name is not None else int(value)
    return value

