"""Read (and build) a whole message through generated code, driven by the schema: the test
suite's way of comparing what generated readers return with what ``capnp decode`` prints.

:func:`struct_value` walks a generated reader with the attribute names the generator gives each
field (:func:`purecap.codegen.emitter.member_names`) and returns what the capnp text format
shows: a dict per struct keyed by schema field name, holding the fields ``capnp decode`` prints
(every non-pointer field, non-null pointers, the union member that is set), with Text and Data as
bytes, enumerants by schema name. Generic parameters are followed through their brands, as the
generated readers bind them. :func:`normalize` makes two such values comparable (Float64 by its
bits, Float32 at the 8 digits capnp prints, NaN as NaN). :func:`fill_struct` is the inverse: it
sets a generated builder's fields from such a dict, in the dict's order (which is how
``capnp encode`` builds a message from text, so the bytes come out the same).
:func:`random_struct` makes random values of that shape.
"""

from __future__ import annotations

import math
import struct
from typing import Any, Dict, List, Optional, Tuple

from purecap.codegen.emitter import member_names
from purecap.schema import model

__all__ = [
    "struct_value", "value", "normalize", "normalize_struct", "fill_struct", "random_struct",
    "random_value", "substitute", "bind", "OPAQUE_POINTER",
]  # fmt: skip

#: What an AnyPointer that is set reads as (``capnp decode`` prints ``<opaque pointer>``).
OPAQUE_POINTER = "<opaque pointer>"

Nodes = Dict[int, model.Node]
#: The types bound to generic parameters, by (scope id, parameter index); absent: unbound.
Env = Dict[Tuple[int, int], model.Type]

_NO_ENV: Env = {}


# -- generic bindings ---------------------------------------------------------------------------


def substitute(t: model.Type, env: Env) -> model.Type:
    """``t`` with the parameters bound in ``env`` replaced (an unbound one is AnyPointer)."""
    k = t.kind
    if k == "anyPointer" and t.any_pointer_kind == "parameter":
        return env.get((t.scope_id, t.parameter_index), model.Type.any_pointer())
    if k == "anyPointer" and t.any_pointer_kind == "implicitMethodParameter":
        return model.Type.any_pointer()
    if k == "list":
        assert t.element_type is not None
        return model.Type.list_of(substitute(t.element_type, env))
    if k in ("struct", "enum", "interface") and t.brand is not None:
        scopes: List[model.BrandScope] = []
        for scope in t.brand.scopes or ():
            if scope.inherit:
                count = 1 + max(
                    (i for (s, i) in env if s == scope.scope_id), default=-1
                )  # fmt: skip
                binds = [
                    model.Binding(env.get((scope.scope_id, i))) for i in range(count)
                ]
                scopes.append(model.BrandScope(scope.scope_id, binds))
            else:
                scopes.append(
                    model.BrandScope(
                        scope.scope_id,
                        [
                            model.Binding(None if b.type is None else substitute(b.type, env))
                            for b in scope.bind or ()
                        ],
                    )
                )
        return model.Type(k, type_id=t.type_id, brand=model.Brand(scopes))
    return t


def bind(t: model.Type) -> Env:
    """The parameters a (substituted) struct type's brand binds."""
    env: Env = {}
    for scope in (t.brand.scopes or ()) if t.brand is not None else ():
        for i, b in enumerate(scope.bind or ()):
            if b.type is not None:
                env[(scope.scope_id, i)] = b.type
    return env


# -- reading ------------------------------------------------------------------------------------


def struct_value(
    reader: Any, node: model.Node, nodes: Nodes, env: Env = _NO_ENV
) -> Dict[str, Any]:
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
            out[f.name] = struct_value(getattr(reader, attr), nodes[f.body.type_id], nodes, env)
            continue
        t = substitute(f.body.type, env)
        if t.is_pointer and not getattr(reader, names["has:" + f.name])():
            # capnp prints a null pointer only as the set member of a union (not the first).
            if not (in_union and f.discriminant_value != 0):
                continue
        out[f.name] = value(getattr(reader, attr), t, nodes)
    return out


def value(v: Any, t: model.Type, nodes: Nodes) -> Any:
    """One value of (substituted) type ``t`` as the text format shows it."""
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
        return struct_value(v, nodes[t.type_id], nodes, bind(t))
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
        if k == "float32":
            # capnp prints a Float32 with 8 significant digits, which does not always round-trip
            # (-127192.5546875 prints as -127192.55): compare at that precision.
            return "%.8g" % _F32.unpack(_F32.pack(f))[0]
        return _F64.pack(f)
    if k == "struct":
        return normalize_struct(v, nodes[t.type_id], nodes, bind(t))
    if k == "list":
        assert t.element_type is not None
        elem = t.element_type
        return [normalize(x, elem, nodes) for x in v]
    if k == "enum":
        if isinstance(v, bool):  # enumerants named true/false parse as Bools
            return "true" if v else "false"
        return str(v) if not isinstance(v, int) else v
    if k in ("text", "data") and isinstance(v, str):
        return v.encode("utf-8")
    if k == "anyPointer":
        return OPAQUE_POINTER  # (the tool prints "<opaque pointer>", our parser an OPAQUE marker)
    return v


def normalize_struct(
    d: Dict[str, Any], node: model.Node, nodes: Nodes, env: Env = _NO_ENV
) -> Dict[str, Any]:
    fields = {f.name: f for f in node.struct.fields or ()}
    out: Dict[str, Any] = {}
    for name, v in d.items():
        f = fields[name]
        if isinstance(f.body, model.GroupField):
            out[name] = normalize_struct(v, nodes[f.body.type_id], nodes, env)
        else:
            out[name] = normalize(v, substitute(f.body.type, env), nodes)
    return out


# -- building -------------------------------------------------------------------------------------


def fill_struct(
    builder: Any, node: model.Node, d: Dict[str, Any], nodes: Nodes, env: Env = _NO_ENV
) -> None:
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
            fill_struct(g, group, v, nodes, env)
            continue
        declared = f.body.type
        t = substitute(declared, env)
        k = t.kind
        generic = declared.kind == "anyPointer"  # a parameter: init_/set_ through its codec
        if k == "struct":
            fill_struct(getattr(builder, names["init:" + name])(), nodes[t.type_id], v, nodes,
                        bind(t))  # fmt: skip
        elif k == "list":
            assert t.element_type is not None
            lst = getattr(builder, names["init:" + name])(len(v))
            _fill_list(lst, t.element_type, v, nodes)
        elif k == "enum":
            setattr(builder, attr, type(getattr(builder, attr))(_enum_number(v, t, nodes)))
        elif k == "text":
            text = v.decode("utf-8") if isinstance(v, bytes) else v
            if generic:
                getattr(builder, names["set:" + name])(text)
            else:
                setattr(builder, attr, text)
        elif generic:
            getattr(builder, names["set:" + name])(v)
        else:
            setattr(builder, attr, v)


def _enum_number(v: Any, t: model.Type, nodes: Nodes) -> int:
    if isinstance(v, bool):  # enumerants named true/false parse as Bools
        v = "true" if v else "false"
    elif isinstance(v, int):
        return v
    names = [e.name for e in nodes[t.type_id].enum.enumerants or ()]
    return names.index(str(v))


def _fill_list(lst: Any, elem: model.Type, items: List[Any], nodes: Nodes) -> None:
    k = elem.kind
    for i, v in enumerate(items):
        if k == "void":
            continue
        if k == "struct":
            fill_struct(lst[i], nodes[elem.type_id], v, nodes, bind(elem))
        elif k == "list":
            assert elem.element_type is not None
            _fill_list(lst.init(i, len(v)), elem.element_type, v, nodes)
        elif k == "enum":
            lst[i] = type(lst[0])(_enum_number(v, elem, nodes))
        elif k == "text":
            lst[i] = v.decode("utf-8") if isinstance(v, bytes) else v
        else:
            lst[i] = v


# -- random values --------------------------------------------------------------------------------

_INT_RANGES = {
    "int8": (-(2**7), 2**7 - 1), "int16": (-(2**15), 2**15 - 1),
    "int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1),
    "uint8": (0, 2**8 - 1), "uint16": (0, 2**16 - 1), "uint32": (0, 2**32 - 1),
    "uint64": (0, 2**64 - 1),
}  # fmt: skip
_TEXT_CHARS = "abc xyz\u00e9\u4e2d\U0001f600\"\\\n\t"


def random_struct(
    node: model.Node, nodes: Nodes, rng: Any, depth: int = 0, env: Env = _NO_ENV
) -> Dict[str, Any]:
    """A random value of the struct ``node`` in :func:`struct_value`'s shape (AnyPointer and
    capability fields left out: they have no text form to compare)."""
    body = node.struct
    out: Dict[str, Any] = {}
    union = [f for f in body.fields or () if f.discriminant_value != model.NO_DISCRIMINANT]
    chosen: Optional[model.Field] = rng.choice(union) if union else None
    for f in body.fields or ():
        if f.discriminant_value != model.NO_DISCRIMINANT and f is not chosen:
            continue
        if isinstance(f.body, model.GroupField):
            out[f.name] = random_struct(nodes[f.body.type_id], nodes, rng, depth, env)
            continue
        t = substitute(f.body.type, env)
        if not _has_text_form(t):
            continue
        if t.is_pointer and f is not chosen and rng.random() < 0.2:
            continue  # a null pointer
        out[f.name] = random_value(t, nodes, rng, depth)
    return out


def _has_text_form(t: model.Type) -> bool:
    while t.kind == "list" and t.element_type is not None:
        t = t.element_type
    return t.kind not in ("anyPointer", "interface")


def random_value(t: model.Type, nodes: Nodes, rng: Any, depth: int) -> Any:
    """A random value of the (substituted) type ``t``."""
    k = t.kind
    if k == "void":
        return None
    if k == "bool":
        return rng.random() < 0.5
    if k in _INT_RANGES:
        lo, hi = _INT_RANGES[k]
        return rng.choice([lo, hi, 0, rng.randint(lo, hi)])
    if k in ("float32", "float64"):
        tiny = -1e-300 if k == "float64" else -1e-30
        special = [0.0, -0.0, math.inf, -math.inf, math.nan, 1.5, tiny]
        v = rng.choice(special) if rng.random() < 0.3 else rng.uniform(-1e6, 1e6)
        return float(_F32.unpack(_F32.pack(v))[0]) if k == "float32" else v
    if k == "enum":
        enumerants = nodes[t.type_id].enum.enumerants or []
        return enumerants[rng.randrange(len(enumerants))].name
    if k == "text":
        return "".join(rng.choice(_TEXT_CHARS) for _ in range(rng.randrange(8))).encode("utf-8")
    if k == "data":
        return bytes(rng.randrange(256) for _ in range(rng.randrange(8)))
    if k == "struct":
        if depth >= 3:
            return {}
        return random_struct(nodes[t.type_id], nodes, rng, depth + 1, bind(t))
    if k == "list":
        assert t.element_type is not None
        n = rng.randrange(4) if depth < 3 else 0
        return [random_value(t.element_type, nodes, rng, depth + 1) for _ in range(n)]
    raise ValueError(f"no random {k}")
