"""Schema nodes on the wire: :mod:`purecap.schema.model` objects to and from ``schema.capnp``
messages.

The messages are read and written through :mod:`purecap.schema.schema_capnp`, the module the
code generator makes from ``schema.capnp`` (``tests/codegen/regenerate.py`` keeps it up to
date), as the C++ compiler uses its own generated ``schema.capnp.h``.  So ``purecap.schema``
imports :mod:`purecap.codegen.runtime`, the support library of generated code, which needs only
:mod:`purecap.wire` (it imports the dynamic API lazily, for reflection).

:func:`write_request` produces the message ``capnp compile -o-`` writes, byte for byte when the
model came from capnp: the reference builds its request (compiler/capnp.c++
``CompilerMain::generateOutput``) by setting ``capnpVersion``, then copying every node into
``nodes``, then ``sourceInfo``, then ``requestedFiles``; each copy lays an object's children out
depth-first in pointer order (layout.c++ ``copyMessage``), and ``sourceInfo`` and each file's
``imports`` are built as orphans and adopted once filled.  We write in that same order, the same
way, into a :class:`~purecap.wire.builder.MessageBuilder` that allocates segments as
``MallocMessageBuilder`` does, so the segments come out identical.

:func:`read_request` is the inverse.  It accepts any message (hostile input included): a
malformed message raises a :class:`~purecap.wire.errors.DecodeError`; a union member this
version of the schema does not know raises :class:`UnknownUnionMember`; a null pointer where the
schema always has one (a field's type, say) reads as that struct's default, as C++ getters do.
Text may hold any bytes, as in C++ (see :func:`_text`).
"""

from __future__ import annotations

import struct as _struct_module
from typing import Callable, Dict, List, Optional, TypeVar, Union

from purecap.codegen import runtime as _rt
from purecap.schema import model
from purecap.schema import schema_capnp as sc
from purecap.wire.builder import ListBuilder, MessageBuilder, StructBuilder, transfer_to_target
from purecap.wire.errors import BuilderError, DecodeError, NestingLimitExceeded
from purecap.wire.pointers import LIST, ElementSize
from purecap.wire.reader import MessageReader, StructReader

__all__ = [
    "UnknownUnionMember",
    "read_request",
    "write_request",
    "read_node",
    "write_node",
    "fill_node",
    "request_to_bytes",
    "request_from_bytes",
]

_T = TypeVar("_T")

# The union members, as plain ints: comparing ``which()`` with a module constant is several
# times faster on CPython than finding the enum member through its classes at each comparison.
_BIND, _INHERIT = int(sc.Brand.Scope.Which.BIND), int(sc.Brand.Scope.Which.INHERIT)
_UNBOUND, _BOUND = int(sc.Brand.Binding.Which.UNBOUND), int(sc.Brand.Binding.Which.TYPE)
_T_LIST, _T_ENUM, _T_STRUCT, _T_INTERFACE, _T_ANY_POINTER = (
    int(w) for w in (sc.Type.Which.LIST, sc.Type.Which.ENUM, sc.Type.Which.STRUCT,
                     sc.Type.Which.INTERFACE, sc.Type.Which.ANY_POINTER)
)  # fmt: skip
_AP = sc.Type.AnyPointer.Which
_UNCONSTRAINED, _PARAMETER, _IMPLICIT_METHOD_PARAMETER = (
    int(_AP.UNCONSTRAINED), int(_AP.PARAMETER), int(_AP.IMPLICIT_METHOD_PARAMETER)
)
_VW = sc.Value.Which
_V_BOOL, _V_TEXT, _V_DATA, _V_LIST, _V_STRUCT, _V_ANY_POINTER = (
    int(w) for w in (_VW.BOOL, _VW.TEXT, _VW.DATA, _VW.LIST, _VW.STRUCT, _VW.ANY_POINTER)
)
_SCALAR_VALUES = frozenset(
    int(w) for w in (_VW.BOOL, _VW.INT8, _VW.INT16, _VW.INT32, _VW.INT64, _VW.UINT8, _VW.UINT16,
                     _VW.UINT32, _VW.UINT64, _VW.FLOAT32, _VW.FLOAT64, _VW.ENUM)
)  # fmt: skip
_FLOATS = frozenset((int(_VW.FLOAT32), int(_VW.FLOAT64)))
_N_STRUCT, _N_ENUM, _N_INTERFACE, _N_CONST, _N_ANNOTATION = (
    int(w) for w in (sc.Node.Which.STRUCT, sc.Node.Which.ENUM, sc.Node.Which.INTERFACE,
                     sc.Node.Which.CONST, sc.Node.Which.ANNOTATION)
)  # fmt: skip
_SLOT, _GROUP = int(sc.Field.Which.SLOT), int(sc.Field.Which.GROUP)
_IMPLICIT, _EXPLICIT = int(sc.Field.Ordinal.Which.IMPLICIT), int(sc.Field.Ordinal.Which.EXPLICIT)
#: The generated name of each member of Type's and Value's unions, by model kind: the schema's,
#: in snake_case, ``bool`` becoming ``bool_`` (purecap.codegen.names).
_MEMBER = {
    kind: {"bool": "bool_", "anyPointer": "any_pointer"}.get(kind, kind)
    for kind in model.TYPE_KINDS
}
_TYPE_INDEX = {name: i for i, name in enumerate(model.TYPE_KINDS)}
_U16 = _struct_module.Struct("<H")
_LIST_TAG = _struct_module.Struct("<iI")  # the tag word of an inline-composite list
_LIST_POINTER = LIST
_INLINE_COMPOSITE = ElementSize.INLINE_COMPOSITE


class UnknownUnionMember(DecodeError):
    """A union discriminant that ``schema.capnp`` 0.9.2 does not define."""


def _unknown(what: str, which: int) -> UnknownUnionMember:
    return UnknownUnionMember(
        f"unknown {what} union member {int(which)} (not in schema.capnp 0.9.2)"
    )


# =============================================================================================
# Text. capnp never checks that Text is UTF-8: a schema's string literal may hold any bytes
# ("\xff"), so may a doc comment or a file name, and capnp copies them as they are. The model
# keeps such bytes as surrogate escapes (model.py), which the generated accessors refuse (they
# decode and encode strict UTF-8, as they must for user data: reading raises InvalidText). So
# Text is read and written here, from the wire struct a generated reader or builder wraps.
# Every struct of schema.capnp has at most one Text field, and it is always pointer 0
# (``capnp compile -ocapnp schema.capnp``; tests/schema/test_model_nodes.py checks it).


def _text(r: _rt.GroupReaderBase) -> str:
    """The Text field of ``r`` (``""`` when null)."""
    return r._r.get_text_bytes(0).decode("utf-8", "surrogateescape")


def _optional_text(r: _rt.GroupReaderBase) -> Optional[str]:
    """The Text field of ``r``, ``None`` when null (doc comments, Text values)."""
    w = r._r
    return w.get_text_bytes(0).decode("utf-8", "surrogateescape") if w.has_pointer(0) else None


def _set_text(b: _rt.GroupBuilderBase, value: str) -> None:
    """Set the Text field of ``b`` to the bytes ``value`` stands for."""
    b._b.set_text(0, value.encode("utf-8", "surrogateescape"))


# =============================================================================================
# Reading


def _read_brand(r: sc.Brand.Reader) -> model.Brand:
    if not r.has_scopes():
        return model.Brand(None)
    out: List[model.BrandScope] = []
    for s in r.scopes:
        which = s.which()
        if which == _INHERIT:
            out.append(model.BrandScope(s.scope_id, None, True))
        elif which == _BIND:
            bindings: Optional[List[model.Binding]] = None
            if s.has_bind():
                bindings = []
                for b in s.bind:
                    bw = b.which()
                    if bw == _UNBOUND:
                        bindings.append(model.Binding(None))
                    elif bw == _BOUND:
                        bindings.append(model.Binding(_read_type(b.type_)))
                    else:
                        raise _unknown("Brand.Binding", bw)
            out.append(model.BrandScope(s.scope_id, bindings, False))
        else:
            raise _unknown("Brand.Scope", which)
    return model.Brand(out)


def _read_type(r: sc.Type.Reader) -> model.Type:
    # A null Type reads as the default struct: Void, as C++ getters read it.
    which = r.which()
    if which < _T_LIST:
        return model.Type(model.TYPE_KINDS[which])
    if which == _T_LIST:
        return model.Type.list_of(_read_type(r.list.element_type))
    if which == _T_ENUM:
        e = r.enum
        return model.Type("enum", type_id=e.type_id,
                          brand=_read_brand(e.brand) if e.has_brand() else None)  # fmt: skip
    if which == _T_STRUCT:
        s = r.struct
        return model.Type("struct", type_id=s.type_id,
                          brand=_read_brand(s.brand) if s.has_brand() else None)  # fmt: skip
    if which == _T_INTERFACE:
        i = r.interface
        return model.Type("interface", type_id=i.type_id,
                          brand=_read_brand(i.brand) if i.has_brand() else None)  # fmt: skip
    if which == _T_ANY_POINTER:
        ap = r.any_pointer
        apw = ap.which()
        if apw == _UNCONSTRAINED:
            u = ap.unconstrained.which()
            if u >= len(model.UNCONSTRAINED_KINDS):
                raise _unknown("Type.anyPointer.unconstrained", u)
            return model.Type.any_pointer(model.UNCONSTRAINED_KINDS[u])
        if apw == _PARAMETER:
            p = ap.parameter
            return model.Type.parameter(p.scope_id, p.parameter_index)
        if apw == _IMPLICIT_METHOD_PARAMETER:
            return model.Type.implicit_method_parameter(
                ap.implicit_method_parameter.parameter_index
            )
        raise _unknown("Type.anyPointer", apw)
    raise _unknown("Type", which)


def _read_value(r: sc.Value.Reader) -> model.Value:
    which = r.which()
    if which >= len(model.VALUE_KINDS):
        raise _unknown("Value", which)
    kind = model.VALUE_KINDS[which]
    if which in _SCALAR_VALUES:
        return model.Value(kind, scalar=getattr(r, _MEMBER[kind]))
    if which == _V_TEXT:
        return model.Value(kind, text=_optional_text(r))
    if which == _V_DATA:
        return model.Value(kind, data=r.data if r.has_data() else None)
    if which == _V_LIST:
        return model.Value(kind, pointer=model.detach_pointer(r.list.pointer))
    if which == _V_STRUCT:
        return model.Value(kind, pointer=model.detach_pointer(r.struct.pointer))
    if which == _V_ANY_POINTER:
        return model.Value(kind, pointer=model.detach_pointer(r.any_pointer.pointer))
    return model.Value(kind)  # void, interface


def _read_annotations(items: _rt.StructList[sc.Annotation.Reader]) -> List[model.Annotation]:
    return [
        model.Annotation(a.id, _read_value(a.value),
                         _read_brand(a.brand) if a.has_brand() else None)
        for a in items
    ]  # fmt: skip


def _read_parameters(items: _rt.StructList[sc.Node.Parameter.Reader]) -> List[model.Parameter]:
    return [model.Parameter(_text(p)) for p in items]


def _read_field(f: sc.Field.Reader) -> model.Field:
    which = f.which()
    body: Union[model.SlotField, model.GroupField]
    if which == _SLOT:
        slot = f.slot
        body = model.SlotField(
            slot.offset,
            _read_type(slot.type_),
            _read_value(slot.default_value),
            slot.had_explicit_default,
        )
    elif which == _GROUP:
        body = model.GroupField(f.group.type_id)
    else:
        raise _unknown("Field", which)
    ordinal = f.ordinal
    ow = ordinal.which()
    if ow == _IMPLICIT:
        explicit: Optional[int] = None
    elif ow == _EXPLICIT:
        explicit = ordinal.explicit
    else:
        raise _unknown("Field.ordinal", ow)
    return model.Field(
        name=_text(f),
        code_order=f.code_order,
        body=body,
        annotations=_read_annotations(f.annotations) if f.has_annotations() else None,
        discriminant_value=f.discriminant_value,
        ordinal=explicit,
    )


def _read_method(m: sc.Method.Reader) -> model.Method:
    return model.Method(
        name=_text(m),
        code_order=m.code_order,
        param_struct_type=m.param_struct_type,
        result_struct_type=m.result_struct_type,
        implicit_parameters=_read_parameters(m.implicit_parameters)
        if m.has_implicit_parameters()
        else None,
        param_brand=_read_brand(m.param_brand) if m.has_param_brand() else None,
        result_brand=_read_brand(m.result_brand) if m.has_result_brand() else None,
        annotations=_read_annotations(m.annotations) if m.has_annotations() else None,
    )


def _read_file(n: sc.Node.Reader) -> model.NodeBody:
    return model.FileBody()


def _read_struct(n: sc.Node.Reader) -> model.NodeBody:
    s = n.struct
    return model.StructBody(
        data_word_count=s.data_word_count,
        pointer_count=s.pointer_count,
        preferred_list_encoding=int(s.preferred_list_encoding),
        is_group=s.is_group,
        discriminant_count=s.discriminant_count,
        discriminant_offset=s.discriminant_offset,
        fields=[_read_field(f) for f in s.fields] if s.has_fields() else None,
    )


def _read_enum(n: sc.Node.Reader) -> model.NodeBody:
    e = n.enum
    if not e.has_enumerants():
        return model.EnumBody(None)
    return model.EnumBody([
        model.Enumerant(_text(x), x.code_order,
                        _read_annotations(x.annotations) if x.has_annotations() else None)
        for x in e.enumerants
    ])  # fmt: skip


def _read_interface(n: sc.Node.Reader) -> model.NodeBody:
    i = n.interface
    return model.InterfaceBody(
        [_read_method(m) for m in i.methods] if i.has_methods() else None,
        [model.Superclass(s.id, _read_brand(s.brand) if s.has_brand() else None)
         for s in i.superclasses] if i.has_superclasses() else None,
    )  # fmt: skip


def _read_const(n: sc.Node.Reader) -> model.NodeBody:
    c = n.const
    return model.ConstBody(_read_type(c.type_), _read_value(c.value))


def _read_annotation(n: sc.Node.Reader) -> model.NodeBody:
    a = n.annotation
    body = model.AnnotationBody(_read_type(a.type_))
    for name in model.ANNOTATION_TARGET_NAMES:
        attr = "targets_" + name  # the same name in the model and the generated module
        setattr(body, attr, getattr(a, attr))
    return body


_NODE_BODIES: Dict[int, Callable[[sc.Node.Reader], model.NodeBody]] = {
    sc.Node.Which.FILE: _read_file,
    sc.Node.Which.STRUCT: _read_struct,
    sc.Node.Which.ENUM: _read_enum,
    sc.Node.Which.INTERFACE: _read_interface,
    sc.Node.Which.CONST: _read_const,
    sc.Node.Which.ANNOTATION: _read_annotation,
}


def _read_node(n: sc.Node.Reader) -> model.Node:
    which = n.which()
    read_body = _NODE_BODIES.get(which)
    if read_body is None:
        raise _unknown("Node", which)
    return model.Node(
        id=n.id,
        display_name=_text(n),
        display_name_prefix_length=n.display_name_prefix_length,
        scope_id=n.scope_id,
        body=read_body(n),
        parameters=_read_parameters(n.parameters) if n.has_parameters() else None,
        is_generic=n.is_generic,
        nested_nodes=[model.NestedNode(_text(x), x.id) for x in n.nested_nodes]
        if n.has_nested_nodes()
        else None,
        annotations=_read_annotations(n.annotations) if n.has_annotations() else None,
    )


def _guarded(read: Callable[[], _T], nesting_limit: int) -> _T:
    try:
        return read()
    except RecursionError:
        # Only reachable with a nesting limit above Python's stack depth (e.g. unlimited):
        # report it as what it is, a message nested too deeply to read.
        raise NestingLimitExceeded(
            f"schema message nested too deeply to read (nesting limit {nesting_limit})"
        ) from None


def read_node(node: StructReader) -> model.Node:
    """A ``Node`` struct as a :class:`model.Node`."""
    return _guarded(lambda: _read_node(sc.Node.Reader(node)), node.nesting_limit)


def read_request(message: MessageReader) -> model.CodeGeneratorRequest:
    """The ``CodeGeneratorRequest`` at the root of ``message``."""
    return _guarded(lambda: _read_request(message), message.nesting_limit)


def _read_request(message: MessageReader) -> model.CodeGeneratorRequest:
    r = sc.CodeGeneratorRequest.read(message)
    source_info: Optional[List[model.SourceInfo]] = None
    if r.has_source_info():
        source_info = [
            model.SourceInfo(
                s.id,
                _optional_text(s),
                [model.SourceInfoMember(_optional_text(m)) for m in s.members]
                if s.has_members()
                else None,
            )
            for s in r.source_info
        ]
    requested: Optional[List[model.RequestedFile]] = None
    if r.has_requested_files():
        requested = [
            model.RequestedFile(
                f.id,
                _text(f),
                [model.Import(i.id, _text(i)) for i in f.imports] if f.has_imports() else None,
            )
            for f in r.requested_files
        ]
    version: Optional[model.CapnpVersion] = None
    if r.has_capnp_version():
        v = r.capnp_version
        version = model.CapnpVersion(v.major, v.minor, v.micro)
    return model.CodeGeneratorRequest(
        nodes=[_read_node(n) for n in r.nodes] if r.has_nodes() else None,
        requested_files=requested,
        capnp_version=version,
        source_info=source_info,
    )


# =============================================================================================
# Writing. Each writer sets a struct's pointers in index order, recursing depth-first, so that
# objects are allocated in the order a C++ deep copy allocates them.
#
# Union members are selected by writing the union's tag alone (_select), then filling the
# member through the generated accessors. The generated way, ``init_<group>()``, first clears
# the group's fields (as C++ ``initGroup`` does), and clearing a pointer walks what it points to
# even when it is null: a fifth of the time of writing a request, for structs that are fresh,
# all zeros, with nothing to clear. Where each tag is: ``union tag bits [a, b)`` in
# ``capnp compile -ocapnp schema.capnp`` and in the docstrings of the generated ``which()``;
# tests/schema/test_model_nodes.py checks these offsets against ``which()``.

_NODE_TAG = 12  # Node: bits [96, 112)
_FIELD_TAG = 8  # Field: bits [64, 80)
_TYPE_TAG = 0  # Type: bits [0, 16)
_ANY_POINTER_TAG = 8  # Type.anyPointer: bits [64, 80)
_VALUE_TAG = 0  # Value: bits [0, 16)


def _select(b: _rt.GroupBuilderBase, tag_offset: int, which: int) -> None:
    """Make ``which`` the member set in the union whose tag is at byte ``tag_offset`` of
    ``b``'s data section (a fresh struct: its other fields are already zero)."""
    w = b._b
    _U16.pack_into(w.segment, w.data_offset + tag_offset, which)


def _write_brand(b: sc.Brand.Builder, brand: model.Brand) -> None:
    if brand.scopes is None:
        return
    for sb, scope in zip(b.init_scopes(len(brand.scopes)), brand.scopes):
        sb.scope_id = scope.scope_id
        if scope.inherit:
            sb.inherit = None
        elif scope.bind is not None:
            for bb, binding in zip(sb.init_bind(len(scope.bind)), scope.bind):
                if binding.type is None:
                    bb.unbound = None
                else:
                    _write_type(bb.init_type(), binding.type)
        # (else bind, the first member, with a null list: what a fresh struct says already)


def _write_type(b: sc.Type.Builder, t: model.Type) -> None:
    which = _TYPE_INDEX[t.kind]
    _select(b, _TYPE_TAG, which)  # all a primitive type needs
    if which == _T_LIST:
        if t.element_type is not None:
            _write_type(b.list.init_element_type(), t.element_type)
    elif which == _T_STRUCT:
        s = b.struct
        s.type_id = t.type_id
        if t.brand is not None:
            _write_brand(s.init_brand(), t.brand)
    elif which == _T_ENUM:
        e = b.enum
        e.type_id = t.type_id
        if t.brand is not None:
            _write_brand(e.init_brand(), t.brand)
    elif which == _T_INTERFACE:
        i = b.interface
        i.type_id = t.type_id
        if t.brand is not None:
            _write_brand(i.init_brand(), t.brand)
    elif which == _T_ANY_POINTER:
        ap = b.any_pointer
        try:
            apw = _ANY_POINTER_INDEX[t.any_pointer_kind]
        except KeyError:
            raise BuilderError(f"unknown AnyPointer kind {t.any_pointer_kind!r}") from None
        _select(ap, _ANY_POINTER_TAG, apw)
        if apw == _UNCONSTRAINED:
            try:
                member = _UNCONSTRAINED_MEMBER[t.unconstrained_kind]
            except KeyError:
                raise BuilderError(
                    f"unknown unconstrained AnyPointer kind {t.unconstrained_kind!r}"
                ) from None
            setattr(ap.unconstrained, member, None)  # a Void member: its tag
        elif apw == _PARAMETER:
            p = ap.parameter
            p.scope_id = t.scope_id
            p.parameter_index = t.parameter_index
        else:
            ap.implicit_method_parameter.parameter_index = t.parameter_index


_ANY_POINTER_INDEX = {name: i for i, name in enumerate(model.ANY_POINTER_KINDS)}
_UNCONSTRAINED_MEMBER = {"anyKind": "any_kind", "struct": "struct", "list": "list",
                         "capability": "capability"}  # fmt: skip


def _write_value(b: sc.Value.Builder, v: model.Value) -> None:
    which = _TYPE_INDEX[v.kind]
    if which in _SCALAR_VALUES:
        scalar = v.scalar
        try:
            value = (
                bool(scalar) if which == _V_BOOL
                else float(scalar) if which in _FLOATS
                else int(scalar)
            )  # fmt: skip
            setattr(b, _MEMBER[v.kind], value)  # the tag and the value
        except (OverflowError, ValueError):  # (the setters raise BuilderError themselves)
            raise BuilderError(f"{v.kind} value {v.scalar!r} is out of range") from None
        return
    # The tag alone first: a null Text or Data has no generated setter (they write a blob), and
    # Text is written by _set_text.
    _select(b, _VALUE_TAG, which)
    if which == _V_TEXT:
        if v.text is not None:
            _set_text(b, v.text)
    elif which == _V_DATA:
        if v.data is not None:
            b.data = v.data
    elif which in _POINTER_VALUES:
        p = v.pointer
        if p is not None and not p.is_null():
            _SET_POINTER[which](b, _rt.AnyPointer(p))


_SET_POINTER: Dict[int, Callable[[sc.Value.Builder, object], None]] = {
    _V_LIST: sc.Value.Builder.set_list,
    _V_STRUCT: sc.Value.Builder.set_struct,
    _V_ANY_POINTER: sc.Value.Builder.set_any_pointer,
}
_POINTER_VALUES = frozenset(_SET_POINTER)


def _write_annotations(
    builders: _rt.StructListBuilder[sc.Annotation.Builder], annotations: List[model.Annotation]
) -> None:
    for ab, a in zip(builders, annotations):
        ab.id = a.id
        _write_value(ab.init_value(), a.value)  # ptr[0]
        if a.brand is not None:
            _write_brand(ab.init_brand(), a.brand)  # ptr[1]


def _write_field(b: sc.Field.Builder, f: model.Field) -> None:
    _set_text(b, f.name)  # ptr[0]
    b.code_order = f.code_order
    if f.annotations is not None:  # ptr[1]
        _write_annotations(b.init_annotations(len(f.annotations)), f.annotations)
    b.discriminant_value = f.discriminant_value
    body = f.body
    if isinstance(body, model.SlotField):
        _select(b, _FIELD_TAG, _SLOT)
        slot = b.slot
        slot.offset = body.offset
        _write_type(slot.init_type(), body.type)  # ptr[2]
        _write_value(slot.init_default_value(), body.default_value)  # ptr[3]
        if body.had_explicit_default:
            slot.had_explicit_default = True
    else:
        _select(b, _FIELD_TAG, _GROUP)
        b.group.type_id = body.type_id
    if f.ordinal is None:
        b.ordinal.implicit = None
    else:
        b.ordinal.explicit = f.ordinal


def _write_method(b: sc.Method.Builder, m: model.Method) -> None:
    _set_text(b, m.name)  # ptr[0]
    b.code_order = m.code_order
    b.param_struct_type = m.param_struct_type
    b.result_struct_type = m.result_struct_type
    if m.annotations is not None:  # ptr[1]
        _write_annotations(b.init_annotations(len(m.annotations)), m.annotations)
    if m.param_brand is not None:  # ptr[2]
        _write_brand(b.init_param_brand(), m.param_brand)
    if m.result_brand is not None:  # ptr[3]
        _write_brand(b.init_result_brand(), m.result_brand)
    if m.implicit_parameters is not None:  # ptr[4]
        for pb, p in zip(b.init_implicit_parameters(len(m.implicit_parameters)),
                         m.implicit_parameters):  # fmt: skip
            _set_text(pb, p.name)


def fill_node(builder: StructBuilder, node: model.Node) -> None:
    """Write ``node`` into ``builder``, a freshly initialised Node struct (5 data words,
    6 pointers)."""
    _fill_node(sc.Node.Builder(builder), node)


def _fill_node(b: sc.Node.Builder, node: model.Node) -> None:
    b.id = node.id
    b.display_name_prefix_length = node.display_name_prefix_length
    b.scope_id = node.scope_id
    if node.is_generic:  # (Bools are written only when true: the struct is fresh, all zeros)
        b.is_generic = True
    body = node.body
    if not isinstance(body, _NODE_BODY_CLASSES):
        raise BuilderError(f"not a node body: {body!r}")
    _set_text(b, node.display_name)  # ptr[0]
    if node.nested_nodes is not None:  # ptr[1]
        for nb, nested in zip(b.init_nested_nodes(len(node.nested_nodes)), node.nested_nodes):
            _set_text(nb, nested.name)
            nb.id = nested.id
    if node.annotations is not None:  # ptr[2]
        _write_annotations(b.init_annotations(len(node.annotations)), node.annotations)
    # The body (the union): ptr[3] and ptr[4].
    if isinstance(body, model.FileBody):
        b.file = None  # (a Void member: its setter writes the tag)
    elif isinstance(body, model.StructBody):
        _select(b, _NODE_TAG, _N_STRUCT)
        s = b.struct
        s.data_word_count = body.data_word_count
        s.pointer_count = body.pointer_count
        s.preferred_list_encoding = _element_size(body.preferred_list_encoding)
        if body.is_group:
            s.is_group = True
        s.discriminant_count = body.discriminant_count
        s.discriminant_offset = body.discriminant_offset
        if body.fields is not None:
            for fb, f in zip(s.init_fields(len(body.fields)), body.fields):
                _write_field(fb, f)
    elif isinstance(body, model.EnumBody):
        _select(b, _NODE_TAG, _N_ENUM)
        e = b.enum
        if body.enumerants is not None:
            for eb, x in zip(e.init_enumerants(len(body.enumerants)), body.enumerants):
                _set_text(eb, x.name)
                eb.code_order = x.code_order
                if x.annotations is not None:
                    _write_annotations(eb.init_annotations(len(x.annotations)), x.annotations)
    elif isinstance(body, model.InterfaceBody):
        _select(b, _NODE_TAG, _N_INTERFACE)
        i = b.interface
        if body.methods is not None:
            for mb, m in zip(i.init_methods(len(body.methods)), body.methods):
                _write_method(mb, m)
        if body.superclasses is not None:
            for sb, sup in zip(i.init_superclasses(len(body.superclasses)), body.superclasses):
                sb.id = sup.id
                if sup.brand is not None:
                    _write_brand(sb.init_brand(), sup.brand)
    elif isinstance(body, model.ConstBody):
        _select(b, _NODE_TAG, _N_CONST)
        c = b.const
        _write_type(c.init_type(), body.type)
        _write_value(c.init_value(), body.value)
    else:
        _select(b, _NODE_TAG, _N_ANNOTATION)
        a = b.annotation
        _write_type(a.init_type(), body.type)
        for name in model.ANNOTATION_TARGET_NAMES:
            attr = "targets_" + name
            if getattr(body, attr):
                setattr(a, attr, True)
    if node.parameters is not None:  # ptr[5]
        for pb, p in zip(b.init_parameters(len(node.parameters)), node.parameters):
            _set_text(pb, p.name)


_ELEMENT_SIZES = tuple(sc.ElementSize)


def _element_size(value: int) -> sc.ElementSize:
    """``value`` as the generated enum (looked up, not made: making an enum member is slow)."""
    if 0 <= value < len(_ELEMENT_SIZES):
        return _ELEMENT_SIZES[value]
    try:
        return sc.ElementSize(value)  # a number no enumerant has, as C++ keeps it
    except ValueError:  # not a UInt16: the enum refuses it
        raise BuilderError(f"preferred list encoding {value!r} is out of range") from None


_NODE_BODY_CLASSES = (model.FileBody, model.StructBody, model.EnumBody, model.InterfaceBody,
                      model.ConstBody, model.AnnotationBody)  # fmt: skip


def write_node(node: model.Node) -> MessageBuilder:
    """A message whose root is ``node``."""
    message = MessageBuilder()
    _fill_node(sc.Node.init_root(message), node)
    return message


class _OrphanStructList:
    """A struct list allocated before anything points to it, as a C++ ``Orphanage::newOrphan``
    does: anywhere in the message (``BuilderArena::allocate``, no landing pad), then
    :meth:`adopt` ed by a pointer (layout.c++ ``transferPointer``: a near pointer, or a far one
    whose landing pad goes next to the list if there is room)."""

    def __init__(
        self, message: MessageBuilder, count: int, data_words: int, pointer_count: int
    ) -> None:
        per_element = data_words + pointer_count
        words = count * per_element
        self.message = message
        self.segment_index, self.tag = message.allocate(words + 1)
        segment = message.segments[self.segment_index]
        _LIST_TAG.pack_into(segment, self.tag, count << 2, data_words | (pointer_count << 16))
        self.hi = _INLINE_COMPOSITE | (words << 3)
        self.items = ListBuilder(
            message, segment, self.segment_index, self.tag + 8, count, per_element << 6,
            data_words << 6, pointer_count, _INLINE_COMPOSITE,
        )  # fmt: skip

    def adopt(self, owner: _rt.GroupBuilderBase, pointer_index: int) -> None:
        b = owner._b
        transfer_to_target(
            self.message, b.segment_index, b.pointer_offset + (pointer_index << 3),
            self.segment_index, self.tag, _LIST_POINTER, self.hi,
        )  # fmt: skip


def write_request(request: model.CodeGeneratorRequest) -> MessageBuilder:
    """``request`` as a message, laid out as ``capnp compile -o-`` lays it out."""
    message = MessageBuilder()
    r = sc.CodeGeneratorRequest.init_root(message)
    # capnp.c++ sets capnpVersion first, then nodes, sourceInfo and requestedFiles.
    v = request.capnp_version
    if v is not None:
        vb = r.init_capnp_version()
        vb.major = v.major
        vb.minor = v.minor
        vb.micro = v.micro
    if request.nodes is not None:
        for nb, node in zip(r.init_nodes(len(request.nodes)), request.nodes):
            _fill_node(nb, node)
    if request.source_info is not None:
        # capnp builds this list as an orphan and adopts it once filled
        # (compiler.c++ ``getAllSourceInfo``), and so do we: it lands elsewhere than if it were
        # initialised in place.
        s = sc.Node.SourceInfo
        infos = _OrphanStructList(message, len(request.source_info), s.data_words,
                                  s.pointer_count)  # fmt: skip
        for sb, info in zip(map(s.Builder, infos.items.structs()), request.source_info):
            sb.id = info.id
            if info.doc_comment is not None:
                _set_text(sb, info.doc_comment)
            if info.members is not None:
                for mb, member in zip(sb.init_members(len(info.members)), info.members):
                    if member.doc_comment is not None:
                        _set_text(mb, member.doc_comment)
        infos.adopt(r, 3)  # sourceInfo
    if request.requested_files is not None:
        files = r.init_requested_files(len(request.requested_files))
        i = sc.CodeGeneratorRequest.RequestedFile.Import
        for fb, f in zip(files, request.requested_files):
            fb.id = f.id
            _set_text(fb, f.filename)
            if f.imports is not None:
                # An adopted orphan too (compiler.c++ ``getFileImportTable``).
                imports = _OrphanStructList(message, len(f.imports), i.data_words,
                                            i.pointer_count)  # fmt: skip
                for ib, imp in zip(map(i.Builder, imports.items.structs()), f.imports):
                    ib.id = imp.id
                    _set_text(ib, imp.name)
                imports.adopt(fb, 1)  # imports
    return message


# =============================================================================================
# Convenience: framed bytes (what ``capnp compile -o-`` writes to stdout).


def request_from_bytes(data: bytes) -> model.CodeGeneratorRequest:
    """Read a framed (unpacked) message holding a ``CodeGeneratorRequest``."""
    from purecap.wire.message import read_message

    return read_request(read_message(data))


def request_to_bytes(request: model.CodeGeneratorRequest) -> bytes:
    """``request`` as a framed message, the bytes ``capnp compile -o-`` would write."""
    from purecap.wire.message import write_message

    return write_message(write_request(request))
