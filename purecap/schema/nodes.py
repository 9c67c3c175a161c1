"""Schema nodes on the wire: :mod:`purecap.schema.model` objects to and from ``schema.capnp``
messages.

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
"""

from __future__ import annotations

import struct as _struct_module
from typing import Callable, List, Optional, TypeVar, Union

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

_TYPE_INDEX = {name: i for i, name in enumerate(model.TYPE_KINDS)}
_UNCONSTRAINED_INDEX = {name: i for i, name in enumerate(model.UNCONSTRAINED_KINDS)}
_ANY_POINTER_INDEX = {name: i for i, name in enumerate(model.ANY_POINTER_KINDS)}
_BODY_INDEX = {
    model.FileBody: sc.NodeReader.FILE,
    model.StructBody: sc.NodeReader.STRUCT,
    model.EnumBody: sc.NodeReader.ENUM,
    model.InterfaceBody: sc.NodeReader.INTERFACE,
    model.ConstBody: sc.NodeReader.CONST,
    model.AnnotationBody: sc.NodeReader.ANNOTATION,
}
_BOOL, _TEXT, _DATA, _LIST, _ENUM, _STRUCT, _INTERFACE, _ANY = (
    _TYPE_INDEX[k] for k in ("bool", "text", "data", "list", "enum", "struct", "interface",
                             "anyPointer")
)  # fmt: skip
_FLOATS = (_TYPE_INDEX["float32"], _TYPE_INDEX["float64"])
_POINTER_VALUES = (_LIST, _STRUCT, _ANY)
_TAG = _struct_module.Struct("<iI")
_LIST_POINTER = LIST
_INLINE_COMPOSITE = ElementSize.INLINE_COMPOSITE


class UnknownUnionMember(DecodeError):
    """A union discriminant that ``schema.capnp`` 0.9.2 does not define."""


def _unknown(what: str, which: int) -> UnknownUnionMember:
    return UnknownUnionMember(f"unknown {what} union member {which} (not in schema.capnp 0.9.2)")


# =============================================================================================
# Reading


def _read_brand(r: Optional[sc.BrandReader]) -> Optional[model.Brand]:
    if r is None:
        return None
    scopes = r.scopes()
    if scopes is None:
        return model.Brand(None)
    out: List[model.BrandScope] = []
    for s in scopes:
        which = s.which
        if which == sc.ScopeReader.INHERIT:
            out.append(model.BrandScope(s.scope_id, None, True))
        elif which == sc.ScopeReader.BIND:
            bind = s.bind()
            bindings: Optional[List[model.Binding]] = None
            if bind is not None:
                bindings = []
                for b in bind:
                    if b.which == sc.BindingReader.UNBOUND:
                        bindings.append(model.Binding(None))
                    elif b.which == sc.BindingReader.TYPE:
                        bindings.append(model.Binding(_read_type(b.type())))
                    else:
                        raise _unknown("Brand.Binding", b.which)
            out.append(model.BrandScope(s.scope_id, bindings, False))
        else:
            raise _unknown("Brand.Scope", which)
    return model.Brand(out)


def _read_type(r: Optional[sc.TypeReader]) -> model.Type:
    if r is None:
        return model.Type.void()
    which = r.which
    if which < _LIST:
        return model.Type(model.TYPE_KINDS[which])
    if which == _LIST:
        return model.Type.list_of(_read_type(r.list_element_type()))
    if which in (_ENUM, _STRUCT, _INTERFACE):
        return model.Type(model.TYPE_KINDS[which], type_id=r.type_id, brand=_read_brand(r.brand()))
    if which == _ANY:
        ap = r.any_pointer_which
        if ap == sc.TypeReader.UNCONSTRAINED:
            u = r.unconstrained_which
            if u >= len(model.UNCONSTRAINED_KINDS):
                raise _unknown("Type.anyPointer.unconstrained", u)
            return model.Type.any_pointer(model.UNCONSTRAINED_KINDS[u])
        if ap == sc.TypeReader.PARAMETER:
            return model.Type.parameter(r.parameter_scope_id, r.parameter_index)
        if ap == sc.TypeReader.IMPLICIT_METHOD_PARAMETER:
            return model.Type.implicit_method_parameter(r.parameter_index)
        raise _unknown("Type.anyPointer", ap)
    raise _unknown("Type", which)


def _read_value(r: Optional[sc.ValueReader]) -> model.Value:
    if r is None:
        return model.Value.void()
    which = r.which
    if which >= len(model.VALUE_KINDS):
        raise _unknown("Value", which)
    kind = model.VALUE_KINDS[which]
    if which == _BOOL:
        return model.Value(kind, scalar=r.get_bool())
    if which in sc.ValueReader.SCALARS:
        raw = r.get_scalar(which)
        scalar = float(raw) if which in _FLOATS else int(raw)
        return model.Value(kind, scalar=scalar)
    if which == _TEXT:
        return model.Value(kind, text=r.text())
    if which == _DATA:
        return model.Value(kind, data=r.data())
    if which in _POINTER_VALUES:
        return model.Value(kind, pointer=model.detach_pointer(r.pointer()))
    return model.Value(kind)  # void, interface


def _read_annotations(
    items: Optional[List[sc.AnnotationReader]],
) -> Optional[List[model.Annotation]]:
    if items is None:
        return None
    return [
        model.Annotation(a.id, _read_value(a.value()), _read_brand(a.brand())) for a in items
    ]


def _read_parameters(items: Optional[List[sc.ParameterReader]]) -> Optional[List[model.Parameter]]:
    if items is None:
        return None
    return [model.Parameter(p.name() or "") for p in items]


def _read_field(f: sc.FieldReader) -> model.Field:
    which = f.which
    body: Union[model.SlotField, model.GroupField]
    if which == sc.FieldReader.SLOT:
        body = model.SlotField(
            f.slot_offset,
            _read_type(f.slot_type()),
            _read_value(f.slot_default_value()),
            f.slot_had_explicit_default,
        )
    elif which == sc.FieldReader.GROUP:
        body = model.GroupField(f.group_type_id)
    else:
        raise _unknown("Field", which)
    ow = f.ordinal_which
    if ow == sc.FieldReader.IMPLICIT:
        ordinal: Optional[int] = None
    elif ow == sc.FieldReader.EXPLICIT:
        ordinal = f.ordinal_explicit
    else:
        raise _unknown("Field.ordinal", ow)
    return model.Field(
        name=f.name() or "",
        code_order=f.code_order,
        body=body,
        annotations=_read_annotations(f.annotations()),
        discriminant_value=f.discriminant_value,
        ordinal=ordinal,
    )


def _read_method(m: sc.MethodReader) -> model.Method:
    return model.Method(
        name=m.name() or "",
        code_order=m.code_order,
        param_struct_type=m.param_struct_type,
        result_struct_type=m.result_struct_type,
        implicit_parameters=_read_parameters(m.implicit_parameters()),
        param_brand=_read_brand(m.param_brand()),
        result_brand=_read_brand(m.result_brand()),
        annotations=_read_annotations(m.annotations()),
    )


def _read_body(n: sc.NodeReader) -> model.NodeBody:
    which = n.which
    if which == sc.NodeReader.FILE:
        return model.FileBody()
    if which == sc.NodeReader.STRUCT:
        fields = n.struct_fields()
        return model.StructBody(
            data_word_count=n.struct_data_word_count,
            pointer_count=n.struct_pointer_count,
            preferred_list_encoding=n.struct_preferred_list_encoding,
            is_group=n.struct_is_group,
            discriminant_count=n.struct_discriminant_count,
            discriminant_offset=n.struct_discriminant_offset,
            fields=None if fields is None else [_read_field(f) for f in fields],
        )
    if which == sc.NodeReader.ENUM:
        enumerants = n.enum_enumerants()
        return model.EnumBody(
            None
            if enumerants is None
            else [
                model.Enumerant(e.name() or "", e.code_order, _read_annotations(e.annotations()))
                for e in enumerants
            ]
        )
    if which == sc.NodeReader.INTERFACE:
        methods = n.interface_methods()
        supers = n.interface_superclasses()
        return model.InterfaceBody(
            None if methods is None else [_read_method(m) for m in methods],
            None
            if supers is None
            else [model.Superclass(s.id, _read_brand(s.brand())) for s in supers],
        )
    if which == sc.NodeReader.CONST:
        return model.ConstBody(_read_type(n.const_type()), _read_value(n.const_value()))
    if which == sc.NodeReader.ANNOTATION:
        body = model.AnnotationBody(_read_type(n.annotation_type()))
        for i, name in enumerate(model.ANNOTATION_TARGET_NAMES):
            setattr(body, "targets_" + name, n.annotation_target(i))
        return body
    raise _unknown("Node", which)


def _read_node(n: sc.NodeReader) -> model.Node:
    nested = n.nested_nodes()
    return model.Node(
        id=n.id,
        display_name=n.display_name() or "",
        display_name_prefix_length=n.display_name_prefix_length,
        scope_id=n.scope_id,
        body=_read_body(n),
        parameters=_read_parameters(n.parameters()),
        is_generic=n.is_generic,
        nested_nodes=None
        if nested is None
        else [model.NestedNode(x.name() or "", x.id) for x in nested],
        annotations=_read_annotations(n.annotations()),
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
    return _guarded(lambda: _read_node(sc.NodeReader(node)), node.nesting_limit)


def read_request(message: MessageReader) -> model.CodeGeneratorRequest:
    """The ``CodeGeneratorRequest`` at the root of ``message``."""
    return _guarded(lambda: _read_request(message), message.nesting_limit)


def _read_request(message: MessageReader) -> model.CodeGeneratorRequest:
    r = sc.CodeGeneratorRequestReader(message.get_root())
    v = r.capnp_version()
    nodes = r.nodes()
    infos = r.source_info()
    files = r.requested_files()
    source_info: Optional[List[model.SourceInfo]] = None
    if infos is not None:
        source_info = []
        for s in infos:
            members = s.member_doc_comments()
            source_info.append(
                model.SourceInfo(
                    s.id,
                    s.doc_comment(),
                    None if members is None else [model.SourceInfoMember(d) for d in members],
                )
            )
    requested: Optional[List[model.RequestedFile]] = None
    if files is not None:
        requested = []
        for f in files:
            imports = f.imports()
            requested.append(
                model.RequestedFile(
                    f.id,
                    f.filename() or "",
                    None
                    if imports is None
                    else [model.Import(i.id, i.name() or "") for i in imports],
                )
            )
    return model.CodeGeneratorRequest(
        nodes=None if nodes is None else [_read_node(n) for n in nodes],
        requested_files=requested,
        capnp_version=None if v is None else model.CapnpVersion(v.major, v.minor, v.micro),
        source_info=source_info,
    )


# =============================================================================================
# Writing. Each writer sets a struct's pointers in index order, recursing depth-first, so that
# objects are allocated in the order a C++ deep copy allocates them.


def _write_brand(b: sc.BrandBuilder, brand: model.Brand) -> None:
    if brand.scopes is None:
        return
    for sb, scope in zip(b.init_scopes(len(brand.scopes)), brand.scopes):
        sb.set_scope_id(scope.scope_id)
        if scope.inherit:
            sb.set_which(sc.ScopeReader.INHERIT)
        elif scope.bind is not None:
            for bb, binding in zip(sb.init_bind(len(scope.bind)), scope.bind):
                if binding.type is None:
                    bb.set_which(sc.BindingReader.UNBOUND)
                else:
                    bb.set_which(sc.BindingReader.TYPE)
                    _write_type(bb.init_type(), binding.type)


def _write_type(b: sc.TypeBuilder, t: model.Type) -> None:
    which = _TYPE_INDEX[t.kind]
    b.set_which(which)
    if which == _LIST:
        if t.element_type is not None:
            _write_type(b.init_list_element_type(), t.element_type)
    elif which in (_ENUM, _STRUCT, _INTERFACE):
        b.set_type_id(t.type_id)
        if t.brand is not None:
            _write_brand(b.init_brand(), t.brand)
    elif which == _ANY:
        try:
            ap = _ANY_POINTER_INDEX[t.any_pointer_kind]
        except KeyError:
            raise BuilderError(f"unknown AnyPointer kind {t.any_pointer_kind!r}") from None
        b.set_any_pointer_which(ap)
        if ap == sc.TypeReader.UNCONSTRAINED:
            try:
                b.set_unconstrained_which(_UNCONSTRAINED_INDEX[t.unconstrained_kind])
            except KeyError:
                raise BuilderError(
                    f"unknown unconstrained AnyPointer kind {t.unconstrained_kind!r}"
                ) from None
        else:
            if ap == sc.TypeReader.PARAMETER:
                b.set_parameter_scope_id(t.scope_id)
            b.set_parameter_index(t.parameter_index)


def _write_value(b: sc.ValueBuilder, v: model.Value) -> None:
    which = _TYPE_INDEX[v.kind]
    b.set_which(which)
    if which == _BOOL:
        b.set_bool(bool(v.scalar))
    elif which in sc.ValueReader.SCALARS:
        scalar = float(v.scalar) if which in _FLOATS else int(v.scalar)
        try:
            b.set_scalar(which, scalar)
        except (_struct_module.error, OverflowError):
            raise BuilderError(f"{v.kind} value {v.scalar!r} is out of range") from None
    elif which == _TEXT:
        if v.text is not None:
            b.set_text(v.text)
    elif which == _DATA:
        if v.data is not None:
            b.set_data(v.data)
    elif which in _POINTER_VALUES:
        if v.pointer is not None and not v.pointer.is_null():
            b.set_pointer(v.pointer)


def _write_annotations(
    builders: List[sc.AnnotationBuilder], annotations: List[model.Annotation]
) -> None:
    for ab, a in zip(builders, annotations):
        ab.set_id(a.id)
        _write_value(ab.init_value(), a.value)  # ptr[0]
        if a.brand is not None:
            _write_brand(ab.init_brand(), a.brand)  # ptr[1]


def _write_field(b: sc.FieldBuilder, f: model.Field) -> None:
    b.set_name(f.name)  # ptr[0]
    b.set_code_order(f.code_order)
    if f.annotations is not None:  # ptr[1]
        _write_annotations(b.init_annotations(len(f.annotations)), f.annotations)
    b.set_discriminant_value(f.discriminant_value)
    body = f.body
    if isinstance(body, model.SlotField):
        b.set_which(sc.FieldReader.SLOT)
        b.set_slot_offset(body.offset)
        _write_type(b.init_slot_type(), body.type)  # ptr[2]
        _write_value(b.init_slot_default_value(), body.default_value)  # ptr[3]
        b.set_slot_had_explicit_default(body.had_explicit_default)
    else:
        b.set_which(sc.FieldReader.GROUP)
        b.set_group_type_id(body.type_id)
    if f.ordinal is None:
        b.set_ordinal_which(sc.FieldReader.IMPLICIT)
    else:
        b.set_ordinal_which(sc.FieldReader.EXPLICIT)
        b.set_ordinal_explicit(f.ordinal)


def _write_method(b: sc.MethodBuilder, m: model.Method) -> None:
    b.set_name(m.name)  # ptr[0]
    b.set_code_order(m.code_order)
    b.set_param_struct_type(m.param_struct_type)
    b.set_result_struct_type(m.result_struct_type)
    if m.annotations is not None:  # ptr[1]
        _write_annotations(b.init_annotations(len(m.annotations)), m.annotations)
    if m.param_brand is not None:  # ptr[2]
        _write_brand(b.init_param_brand(), m.param_brand)
    if m.result_brand is not None:  # ptr[3]
        _write_brand(b.init_result_brand(), m.result_brand)
    if m.implicit_parameters is not None:  # ptr[4]
        for pb, p in zip(b.init_implicit_parameters(len(m.implicit_parameters)),
                         m.implicit_parameters):  # fmt: skip
            pb.set_name(p.name)


def fill_node(builder: StructBuilder, node: model.Node) -> None:
    """Write ``node`` into ``builder``, a freshly initialised Node struct (5 data words,
    6 pointers)."""
    b = sc.NodeBuilder(builder)
    b.set_id(node.id)
    b.set_display_name_prefix_length(node.display_name_prefix_length)
    b.set_scope_id(node.scope_id)
    b.set_is_generic(node.is_generic)
    body = node.body
    try:
        b.set_which(_BODY_INDEX[type(body)])
    except KeyError:
        raise BuilderError(f"not a node body: {body!r}") from None
    b.set_display_name(node.display_name)  # ptr[0]
    if node.nested_nodes is not None:  # ptr[1]
        for nb, nested in zip(b.init_nested_nodes(len(node.nested_nodes)), node.nested_nodes):
            nb.set_name(nested.name)
            nb.set_id(nested.id)
    if node.annotations is not None:  # ptr[2]
        _write_annotations(b.init_annotations(len(node.annotations)), node.annotations)
    # The body: ptr[3] and ptr[4].
    if isinstance(body, model.StructBody):
        b.set_struct_data_word_count(body.data_word_count)
        b.set_struct_pointer_count(body.pointer_count)
        b.set_struct_preferred_list_encoding(int(body.preferred_list_encoding))
        b.set_struct_is_group(body.is_group)
        b.set_struct_discriminant_count(body.discriminant_count)
        b.set_struct_discriminant_offset(body.discriminant_offset)
        if body.fields is not None:
            for fb, f in zip(b.init_struct_fields(len(body.fields)), body.fields):
                _write_field(fb, f)
    elif isinstance(body, model.EnumBody):
        if body.enumerants is not None:
            for eb, e in zip(b.init_enum_enumerants(len(body.enumerants)), body.enumerants):
                eb.set_name(e.name)
                eb.set_code_order(e.code_order)
                if e.annotations is not None:
                    _write_annotations(eb.init_annotations(len(e.annotations)), e.annotations)
    elif isinstance(body, model.InterfaceBody):
        if body.methods is not None:
            for mb, m in zip(b.init_interface_methods(len(body.methods)), body.methods):
                _write_method(mb, m)
        if body.superclasses is not None:
            for sb, s in zip(
                b.init_interface_superclasses(len(body.superclasses)), body.superclasses
            ):
                sb.set_id(s.id)
                if s.brand is not None:
                    _write_brand(sb.init_brand(), s.brand)
    elif isinstance(body, model.ConstBody):
        _write_type(b.init_const_type(), body.type)
        _write_value(b.init_const_value(), body.value)
    elif isinstance(body, model.AnnotationBody):
        _write_type(b.init_annotation_type(), body.type)
        for i, name in enumerate(model.ANNOTATION_TARGET_NAMES):
            b.set_annotation_target(i, bool(getattr(body, "targets_" + name)))
    if node.parameters is not None:  # ptr[5]
        for pb, p in zip(b.init_parameters(len(node.parameters)), node.parameters):
            pb.set_name(p.name)


def write_node(node: model.Node) -> MessageBuilder:
    """A message whose root is ``node``."""
    message = MessageBuilder()
    fill_node(message.init_root(sc.NodeReader.DATA_WORDS, sc.NodeReader.POINTERS), node)
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
        _TAG.pack_into(segment, self.tag, count << 2, data_words | (pointer_count << 16))
        self.hi = _INLINE_COMPOSITE | (words << 3)
        self.items = ListBuilder(
            message, segment, self.segment_index, self.tag + 8, count, per_element << 6,
            data_words << 6, pointer_count, _INLINE_COMPOSITE,
        )  # fmt: skip

    def adopt(self, owner: StructBuilder, pointer_index: int) -> None:
        transfer_to_target(
            self.message, owner.segment_index, owner.pointer_offset + (pointer_index << 3),
            self.segment_index, self.tag, _LIST_POINTER, self.hi,
        )  # fmt: skip


def write_request(request: model.CodeGeneratorRequest) -> MessageBuilder:
    """``request`` as a message, laid out as ``capnp compile -o-`` lays it out."""
    message = MessageBuilder()
    r = sc.CodeGeneratorRequestBuilder(message.init_root(0, 4))
    # capnp.c++ sets capnpVersion first, then nodes, sourceInfo and requestedFiles.
    v = request.capnp_version
    if v is not None:
        r.init_capnp_version().set(v.major, v.minor, v.micro)
    if request.nodes is not None:
        nodes = r.init_nodes(len(request.nodes))
        for i, node in enumerate(request.nodes):
            fill_node(nodes.get_struct(i), node)
    if request.source_info is not None:
        # capnp builds this list as an orphan and adopts it once filled
        # (compiler.c++ ``getAllSourceInfo``), and so do we: it lands elsewhere than if it were
        # initialised in place.
        infos = _OrphanStructList(message, len(request.source_info), 1, 2)
        for i, info in enumerate(request.source_info):
            sb = sc.SourceInfoBuilder(infos.items.get_struct(i))
            sb.set_id(info.id)
            if info.doc_comment is not None:
                sb.set_doc_comment(info.doc_comment)
            if info.members is not None:
                for mb, member in zip(sb.init_members(len(info.members)), info.members):
                    if member.doc_comment is not None:
                        sb.set_member_doc_comment(mb, member.doc_comment)
        infos.adopt(r.b, 3)
    if request.requested_files is not None:
        files = r.init_requested_files(len(request.requested_files))
        for fb, f in zip(files, request.requested_files):
            fb.set_id(f.id)
            fb.set_filename(f.filename)
            if f.imports is not None:
                # An adopted orphan too (compiler.c++ ``getFileImportTable``).
                imports = _OrphanStructList(message, len(f.imports), 1, 1)
                for i, imp in enumerate(f.imports):
                    ib = sc.ImportBuilder(imports.items.get_struct(i))
                    ib.set_id(imp.id)
                    ib.set_name(imp.name)
                imports.adopt(fb.b, 1)
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
