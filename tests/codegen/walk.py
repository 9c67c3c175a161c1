"""Read (and build) a whole message through generated code, driven by the schema: the test
suite's way of comparing what generated readers return with what ``capnp decode`` prints.

:func:`struct_value` walks a generated reader with the attribute names the generator gives each
field (:func:`purecap.codegen.emitter.member_names`) and returns what the capnp text format shows:
a dict per struct keyed by schema field name, holding the fields ``capnp decode`` prints (every
non-pointer field, non-null pointers, the union member that is set), with Text and Data as bytes,
enumerants by schema name. :func:`normalize` makes two such values comparable (floats by their
bits at the field's width, NaN as NaN). :func:`fill_struct` is the inverse: it sets a generated
builder's fields from such a dict, in the dict's order (which is how ``capnp encode`` builds a
message from text, so the bytes come out the same).
"""

from __future__ import annotations

import math
import struct
from typing import Any, Dict, List

from purecap.codegen.emitter import member_names
from purecap.schema import model

__all__ = [
    "struct_value", "value", "normalize", "normalize_struct", "fill_struct", "OPAQUE_POINTER",
]  # fmt: skip

#: What an AnyPointer that is set reads as (``capnp decode`` prints ``<opaque pointer>``).
OPAQUE_POINTER = "<opaque pointer>"

Nodes = Dict[int, model.Node]


def struct_value(reader: Any, node: model.Node, nodes: Nodes) -> Dict[str, Any]:
    """The fields of the generated struct (or group) reader ``reader`` of schema ``node``."""
    body = node.struct
    names = member_names(node)
    which = int(reader.which()) if body.discriminant_count else None
    out: Dict[str, Any] = {}
    for f in sorted(body.fields or (), key=lambda f: f.code_order):
        attr = names["f:" + f.name]
        in_union = f.discriminant_value != model.NO_DISCRIMINANT
        if in_union and which != f.discriminant_value:
            continue
        if isinstance(f.body, model.GroupField):
            out[f.name] = struct_value(getattr(reader, attr), nodes[f.body.type_id], nodes)
            continue
        t = f.body.type
        if t.is_pointer and not getattr(reader, names["has:" + f.name])():
            # capnp prints a null pointer only as the set member of a union (not the first).
            if not (in_union and f.discriminant_value != 0):
                continue
        out[f.name] = value(getattr(reader, attr), t, nodes)
    return out


def value(v: Any, t: model.Type, nodes: Nodes) -> Any:
    """One value of type ``t`` as the text format shows it."""
    k = t.kind
    if k == "enum":
        enumerants = nodes[t.type_id].enum.enumerants or []
        n = int(v)
        return enumerants[n].name if n < len(enumerants) else n
    if k == "text":
        return str(v).encode("utf-8")
    if k == "data":
        return bytes(v)
    if k == "struct":
        return struct_value(v, nodes[t.type_id], nodes)
    if k == "list":
        assert t.element_type is not None
        elem = t.element_type
        return [value(x, elem, nodes) for x in v]
    if k == "anyPointer":
        return OPAQUE_POINTER
    if k == "interface":
        return None
    return v


_F32 = struct.Struct("<f")
_F64 = struct.Struct("<d")


def normalize(v: Any, t: model.Type, nodes: Nodes) -> Any:
    """``v`` (a :func:`value`, or the same shape parsed from text) made comparable with ``==``."""
    k = t.kind
    if k in ("float32", "float64"):
        f = float(v)
        if math.isnan(f):
            return "NaN"
        return (_F32 if k == "float32" else _F64).pack(f)
    if k == "struct":
        return normalize_struct(v, nodes[t.type_id], nodes)
    if k == "list":
        assert t.element_type is not None
        elem = t.element_type
        return [normalize(x, elem, nodes) for x in v]
    if k == "enum":
        return str(v) if not isinstance(v, int) else v
    if k in ("text", "data") and isinstance(v, str):
        return v.encode("utf-8")
    return v


def normalize_struct(d: Dict[str, Any], node: model.Node, nodes: Nodes) -> Dict[str, Any]:
    fields = {f.name: f for f in node.struct.fields or ()}
    out: Dict[str, Any] = {}
    for name, v in d.items():
        f = fields[name]
        if isinstance(f.body, model.GroupField):
            out[name] = normalize_struct(v, nodes[f.body.type_id], nodes)
        else:
            out[name] = normalize(v, f.body.type, nodes)
    return out


def fill_struct(builder: Any, node: model.Node, d: Dict[str, Any], nodes: Nodes) -> None:
    """Set the fields of the generated builder ``builder`` from ``d`` (as :func:`struct_value`
    returns, or as the text format parses), in ``d``'s order."""
    names = member_names(node)
    fields = {f.name: f for f in node.struct.fields or ()}
    for name, v in d.items():
        f = fields[name]
        attr = names["f:" + name]
        if isinstance(f.body, model.GroupField):
            group = nodes[f.body.type_id]
            if f.discriminant_value != model.NO_DISCRIMINANT:
                g = getattr(builder, names["init:" + name])()
            else:
                g = getattr(builder, attr)
            fill_struct(g, group, v, nodes)
            continue
        t = f.body.type
        k = t.kind
        if k == "struct":
            fill_struct(getattr(builder, names["init:" + name])(), nodes[t.type_id], v, nodes)
        elif k == "list":
            assert t.element_type is not None
            lst = getattr(builder, names["init:" + name])(len(v))
            _fill_list(lst, t.element_type, v, nodes)
        elif k == "enum":
            setattr(builder, attr, type(getattr(builder, attr))(_enum_number(v, t, nodes)))
        elif k == "text":
            setattr(builder, attr, v.decode("utf-8") if isinstance(v, bytes) else v)
        else:
            setattr(builder, attr, v)


def _enum_number(v: Any, t: model.Type, nodes: Nodes) -> int:
    if isinstance(v, int):
        return v
    names = [e.name for e in nodes[t.type_id].enum.enumerants or ()]
    return names.index(str(v))


def _fill_list(lst: Any, elem: model.Type, items: List[Any], nodes: Nodes) -> None:
    k = elem.kind
    for i, v in enumerate(items):
        if k == "void":
            continue
        if k == "struct":
            fill_struct(lst[i], nodes[elem.type_id], v, nodes)
        elif k == "list":
            assert elem.element_type is not None
            _fill_list(lst.init(i, len(v)), elem.element_type, v, nodes)
        elif k == "enum":
            lst[i] = type(lst[0])(_enum_number(v, elem, nodes)) if len(lst) else v
        elif k == "text":
            lst[i] = v.decode("utf-8") if isinstance(v, bytes) else v
        else:
            lst[i] = v
