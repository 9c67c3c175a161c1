"""Declarations to schema nodes: the heart of the compiler (``compiler/node-translator.c++``).

One :class:`NodeTranslator` turns one named declaration (a file, struct, enum, interface, const
or annotation) into its :class:`~purecap.schema.model.Node`, plus the auxiliary nodes the
declaration implies: a struct's groups and named unions, an interface's implicit method
parameter and result structs.  It follows the reference step by step, because the order of its
decisions is visible in the output (field order, group IDs, offsets, error order):

* **Names** are checked per scope (duplicates, capitalisation, underscores, what may be nested
  where) before anything else (``DuplicateNameDetector``).
* **Structs** are walked twice, exactly as :mod:`purecap.schema.layout` describes: once in
  declaration order to build the layout scopes and count members, once in ordinal order to
  place each field.  A field's entry in its parent's ``fields`` list is created when the field is
  first touched in the second walk, and a group's entry when its first member is: that list
  position is what the group's ID hashes.
* **Values** are compiled in two phases, like the reference's *bootstrap* and *final* schemas:
  primitive values (and so every primitive default a struct literal must XOR against) right
  away, pointer values (struct and list literals, which need other declarations' layouts and
  other constants' final values) in :meth:`NodeTranslator.finish`.

Struct and list values are built with :mod:`purecap.wire.builder` and held as pointers into
small messages of their own; adopting one into a bigger value is a deep copy.  Only their
logical content matters: the request writer deep-copies them again, which lays them out the way
the reference's final copy does.
"""

from __future__ import annotations

import abc
import math
import struct
from typing import Dict, List, Optional, Sequence, Tuple, Union

from purecap.errors import PurecapError
from purecap.schema import ast
from purecap.schema import model
from purecap.schema.ids import method_params_id, group_id
from purecap.schema.layout import (
    FieldScope,
    Issue344Error,
    StructLayout,
    UnionLayout,
)
from purecap.schema.resolver import (
    NO_IMPLICIT_PARAMS,
    BrandedDecl,
    BrandScope,
    ErrorReporter,
    ImplicitParams,
    Kind,
    Resolver,
    expression_string,
)
from purecap.wire.builder import ListBuilder, MessageBuilder, StructBuilder
from purecap.wire.errors import DecodeError
from purecap.wire.message import read_message
from purecap.wire.pointers import ElementSize
from purecap.wire.reader import PointerReader, StructReader

__all__ = [
    "STREAM_RESULT_ID",
    "TranslatorContext",
    "NodeSet",
    "NodeTranslator",
]

#: ``typeId<StreamResult>()``: the result type of every ``-> stream`` method (stream.capnp).
STREAM_RESULT_ID = 0x995F9A3377C0B16E

# Bits per data field (the ``lgSize`` table of ``translateInternal``); -1 void, -2 pointer.
_LG_SIZE: Dict[str, int] = {
    "void": -1,
    "bool": 0,
    "int8": 3,
    "uint8": 3,
    "int16": 4,
    "uint16": 4,
    "enum": 4,
    "int32": 5,
    "uint32": 5,
    "float32": 5,
    "int64": 6,
    "uint64": 6,
    "float64": 6,
}

_INT_RANGES: Dict[str, Tuple[int, int]] = {
    "int8": (-(1 << 7), (1 << 7) - 1),
    "int16": (-(1 << 15), (1 << 15) - 1),
    "int32": (-(1 << 31), (1 << 31) - 1),
    "int64": (-(1 << 63), (1 << 63) - 1),
    "uint8": (0, (1 << 8) - 1),
    "uint16": (0, (1 << 16) - 1),
    "uint32": (0, (1 << 32) - 1),
    "uint64": (0, (1 << 64) - 1),
    # "Any integer is acceptable" for floats.
    "float32": (-(1 << 63), (1 << 64) - 1),
    "float64": (-(1 << 63), (1 << 64) - 1),
}

_FORMATS: Dict[str, struct.Struct] = {
    "int8": struct.Struct("<b"),
    "int16": struct.Struct("<h"),
    "int32": struct.Struct("<i"),
    "int64": struct.Struct("<q"),
    "uint8": struct.Struct("<B"),
    "uint16": struct.Struct("<H"),
    "uint32": struct.Struct("<I"),
    "uint64": struct.Struct("<Q"),
    "enum": struct.Struct("<H"),
    "float32": struct.Struct("<I"),  # floats are stored as their bit patterns (to XOR them)
    "float64": struct.Struct("<Q"),
}

_ELEMENT_SIZE: Dict[str, int] = {
    "void": ElementSize.VOID,
    "bool": ElementSize.BIT,
    "int8": ElementSize.BYTE,
    "uint8": ElementSize.BYTE,
    "int16": ElementSize.TWO_BYTES,
    "uint16": ElementSize.TWO_BYTES,
    "enum": ElementSize.TWO_BYTES,
    "int32": ElementSize.FOUR_BYTES,
    "uint32": ElementSize.FOUR_BYTES,
    "float32": ElementSize.FOUR_BYTES,
    "int64": ElementSize.EIGHT_BYTES,
    "uint64": ElementSize.EIGHT_BYTES,
    "float64": ElementSize.EIGHT_BYTES,
}

_TYPE_NAMES: Dict[str, str] = {
    "void": "Void",
    "bool": "Bool",
    "int8": "Int8",
    "int16": "Int16",
    "int32": "Int32",
    "int64": "Int64",
    "uint8": "UInt8",
    "uint16": "UInt16",
    "uint32": "UInt32",
    "uint64": "UInt64",
    "float32": "Float32",
    "float64": "Float64",
    "text": "Text",
    "data": "Data",
    "anyPointer": "AnyPointer",
}

_F32 = struct.Struct("<f")
_F64 = struct.Struct("<d")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")

_NAMING_TYPE = (ast.Enum, ast.Struct, ast.Interface)
_NAMING_VALUE = (
    ast.Const,
    ast.AnnotationDecl,
    ast.Enumerant,
    ast.Method,
    ast.Field,
    ast.Union,
    ast.Group,
)
_NODE_DECLS = (ast.Using, ast.Const, ast.Enum, ast.Struct, ast.Interface, ast.AnnotationDecl)
_MEMBER_DECLS = (ast.Field, ast.Union, ast.Group)


class TranslatorContext(Resolver):
    """What a translator needs from the compiler beyond name lookups."""

    @abc.abstractmethod
    def bootstrap_node(self, id: int) -> Optional[model.Node]:
        """A node's *bootstrap* schema (structure and primitive values; groups included),
        compiling it if needed; None if it cannot be had (an error has been reported)."""

    @abc.abstractmethod
    def final_node(self, id: int) -> Optional[model.Node]:
        """A node's finished schema (all values compiled); None on error."""

    @abc.abstractmethod
    def node_short_name(self, id: int) -> str:
        """A node's name without its scope, for messages."""

    @abc.abstractmethod
    def read_embed(self, name: str) -> Optional[bytes]:
        """The contents of ``embed "name"`` written in this scope's file."""


class NodeSet:
    """A translated declaration: its node, the auxiliary nodes (groups, or method parameter
    structs) and the source info of them all."""

    __slots__ = ("node", "aux_nodes", "source_info")

    def __init__(
        self, node: model.Node, aux_nodes: List[model.Node], source_info: List[model.SourceInfo]
    ) -> None:
        self.node = node
        self.aux_nodes = aux_nodes
        self.source_info = source_info


class _DV:
    """A compiled value before it lands in a field or list (``DynamicValue``).

    ``kind`` is void, bool, int, float, text, data, enum, list, struct or anyPointer; ``value``
    is the Python value (bytes for text and data, a :class:`PointerReader` -- or None for null --
    for list and struct); ``type`` the schema type of an enum, list or struct value.
    """

    __slots__ = ("kind", "value", "type")

    def __init__(self, kind: str, value: object, type_: Optional[model.Type] = None) -> None:
        self.kind = kind
        self.value = value
        self.type = type_


class _Unfinished:
    __slots__ = ("source", "type", "target")

    def __init__(self, source: ast.Expr, type_: model.Type, target: model.Value) -> None:
        self.source = source
        self.type = type_
        self.target = target


def _set_value(target: model.Value, value: model.Value) -> None:
    target.kind = value.kind
    target.scalar = value.scalar
    target.text = value.text
    target.data = value.data
    target.pointer = value.pointer


def to_float32(value: float) -> float:
    """``static_cast<float>``: round to single precision, overflowing to infinity."""
    try:
        return float(_F32.unpack(_F32.pack(value))[0])
    except OverflowError:
        return math.copysign(math.inf, value)


def int_to_float32(value: int) -> float:
    """An integer converted straight to single precision (C++ converts int64 to float in one
    rounding; going through a double could round twice)."""
    if abs(value) < (1 << 53):
        return to_float32(float(value))
    sign = -1 if value < 0 else 1
    magnitude = abs(value)
    shift = magnitude.bit_length() - 24
    mantissa, rest = divmod(magnitude, 1 << shift)
    half = 1 << (shift - 1)
    if rest > half or (rest == half and mantissa & 1):
        mantissa += 1
    return to_float32(sign * float(mantissa << shift))


def _float_bits(kind: str, value: float) -> int:
    if kind == "float32":
        try:
            return int(_U32.unpack(_F32.pack(value))[0])
        except OverflowError:
            return int(_U32.unpack(_F32.pack(math.copysign(math.inf, value)))[0])
    return int(_U64.unpack(_F64.pack(value))[0])


# =================================================================================================


class NodeTranslator:
    """Translates one declaration (``NodeTranslator``).  Construction does the bootstrap phase;
    :meth:`finish` compiles the remaining (pointer) values."""

    def __init__(
        self,
        context: TranslatorContext,
        errors: ErrorReporter,
        decl: Union[ast.File, ast.Decl],
        kind: Kind,
        node: model.Node,
        compile_annotations: bool = True,
    ) -> None:
        self.context = context
        self.errors = errors
        self.compile_annotations = compile_annotations
        generic_params = _generic_params(decl)
        self.local_brand = BrandScope.for_scope(errors, node.id, len(generic_params), context)
        self.node = node
        self.source_info = model.SourceInfo(node.id)
        self.groups: List[Tuple[model.Node, model.SourceInfo]] = []
        self.param_structs: List[Tuple[model.Node, model.SourceInfo]] = []
        self.unfinished: List[_Unfinished] = []
        self._finished = False
        self._compile_node(decl, kind, generic_params)

    # --- results ----------------------------------------------------------------------------

    def bootstrap_node_set(self) -> NodeSet:
        infos = [self.source_info]
        infos.extend(info for _, info in self.groups)
        infos.extend(info for _, info in self.param_structs)
        aux = self.param_structs if self.node.which == "interface" else self.groups
        return NodeSet(self.node, [n for n, _ in aux], infos)

    def finish(self) -> NodeSet:
        """Compile the pointer values left from the bootstrap phase (``finish``)."""
        if not self._finished:
            self._finished = True
            i = 0
            # Compiling a value can append more unfinished values (nested ones).
            while i < len(self.unfinished):
                item = self.unfinished[i]
                self._compile_value_into(item.source, item.type, item.target, False)
                i += 1
        return self.bootstrap_node_set()

    def all_nodes(self) -> List[model.Node]:
        """The node and every auxiliary node (groups and parameter structs)."""
        return [self.node] + [n for n, _ in self.groups] + [n for n, _ in self.param_structs]

    # --- declarations ---------------------------------------------------------------------------

    def _compile_node(
        self, decl: Union[ast.File, ast.Decl], kind: Kind, generic_params: Sequence[ast.GenericParam]
    ) -> None:
        _DuplicateNameDetector(self.errors).check(decl.nested_decls, kind)
        node = self.node
        if generic_params:
            node.parameters = [model.Parameter(p.name) for p in generic_params]
        node.is_generic = self.local_brand.is_generic()

        if kind is Kind.FILE:
            node.body = model.FileBody()
            target = "file"
        elif isinstance(decl, ast.Const):
            self._compile_const(decl)
            target = "const"
        elif isinstance(decl, ast.AnnotationDecl):
            self._compile_annotation_decl(decl)
            target = "annotation"
        elif isinstance(decl, ast.Enum):
            self._compile_enum(decl)
            target = "enum"
        elif isinstance(decl, ast.Struct):
            node.body = model.StructBody()
            try:
                _StructTranslator(self, NO_IMPLICIT_PARAMS).translate(
                    decl.nested_decls, node, self.source_info
                )
            except _LayoutRefused as e:
                # The reference dies with an uncaught exception here; an error is kinder.
                self.errors.error(e.span or decl.name_span, e.message)
            target = "struct"
        elif isinstance(decl, ast.Interface):
            self._compile_interface(decl)
            target = "interface"
        else:
            raise AssertionError(f"not a node declaration: {decl!r}")

        node.annotations = self.compile_annotation_applications(decl.annotations, target)
        if decl.doc_comment is not None:
            self.source_info.doc_comment = decl.doc_comment

    def _compile_const(self, decl: ast.Const) -> None:
        ok, type_ = self.compile_type(decl.type, NO_IMPLICIT_PARAMS)
        value = model.Value.default_for(type_)
        self.node.body = model.ConstBody(type_, value)
        if ok:
            self.compile_bootstrap_value(decl.value, type_, value)

    def _compile_annotation_decl(self, decl: ast.AnnotationDecl) -> None:
        _, type_ = self.compile_type(decl.type, NO_IMPLICIT_PARAMS)
        body = model.AnnotationBody(type_)
        for target in decl.targets:
            setattr(body, "targets_" + target, True)
        self.node.body = body

    def _compile_enum(self, decl: ast.Enum) -> None:
        enumerants = [d for d in decl.nested_decls if isinstance(d, ast.Enumerant)]
        ordered = sorted(
            ((e.ordinal.value, code_order, e) for code_order, e in enumerate(enumerants)),
            key=lambda t: (t[0], t[1]),
        )
        result: List[model.Enumerant] = []
        members: List[model.SourceInfoMember] = []
        dup = _DuplicateOrdinalDetector(self.errors)
        for _, code_order, e in ordered:
            dup.check(e.ordinal)
            members.append(model.SourceInfoMember(e.doc_comment))
            result.append(
                model.Enumerant(
                    e.name,
                    code_order,
                    self.compile_annotation_applications(e.annotations, "enumerant"),
                )
            )
        self.node.body = model.EnumBody(result)
        self.source_info.members = members

    def _compile_interface(self, decl: ast.Interface) -> None:
        body = model.InterfaceBody([], [])
        self.node.body = body
        superclasses: List[model.Superclass] = []
        for expr in decl.superclasses:
            superclass = model.Superclass(0)
            superclasses.append(superclass)
            target = self.compile_decl_expression(expr, NO_IMPLICIT_PARAMS)
            if target is None:
                continue
            kind = target.get_kind()
            if kind is Kind.INTERFACE:
                superclass.id, superclass.brand = target.get_id_and_brand()
            elif kind is not None:
                target.add_error(self.errors, f"'{target.to_string()}' is not an interface.")
            else:
                target.add_error(
                    self.errors,
                    f"'{target.to_string()}' is an unbound generic parameter. Currently we don't "
                    "support extending these.",
                )
        body.superclasses = superclasses

        methods = [d for d in decl.nested_decls if isinstance(d, ast.Method)]
        ordered = sorted(
            ((m.ordinal.value, code_order, m) for code_order, m in enumerate(methods)),
            key=lambda t: (t[0], t[1]),
        )
        result: List[model.Method] = []
        members: List[model.SourceInfoMember] = []
        self.source_info.members = members
        body.methods = result
        dup = _DuplicateOrdinalDetector(self.errors)
        for _, code_order, m in ordered:
            dup.check(m.ordinal)
            ordinal = m.ordinal.value & 0xFFFF
            members.append(model.SourceInfoMember(m.doc_comment))
            method = model.Method(m.name, code_order, 0, 0)
            result.append(method)
            method.implicit_parameters = [model.Parameter(p.name) for p in m.implicit_params]
            if isinstance(m.params, ast.StreamParams):
                self.errors.error(
                    m.params.span, "'stream' can only appear after '->', not before."
                )
            method.param_struct_type, method.param_brand = self._compile_param_list(
                m.name, ordinal, False, m.params, m.implicit_params
            )
            results: ast.ParamList
            if m.results is not None:
                results = m.results
            else:
                # No "->": an empty result list.
                results = ast.InlineParams(m.span, [])
            method.result_struct_type, method.result_brand = self._compile_param_list(
                m.name, ordinal, True, results, m.implicit_params
            )
            method.annotations = self.compile_annotation_applications(m.annotations, "method")

    def _compile_param_list(
        self,
        method_name: str,
        ordinal: int,
        is_results: bool,
        params: ast.ParamList,
        implicit_params: Sequence[ast.GenericParam],
    ) -> Tuple[int, Optional[model.Brand]]:
        if isinstance(params, ast.InlineParams):
            parent = self.node
            type_name = method_name + ("$Results" if is_results else "$Params")
            display_name = parent.display_name + "." + type_name
            struct_id = method_params_id(parent.id, ordinal, is_results)
            new_node = model.Node(
                id=struct_id,
                display_name=display_name,
                display_name_prefix_length=len(display_name) - len(type_name),
                scope_id=0,  # a detached struct type
                body=model.StructBody(),
                is_generic=parent.is_generic or len(implicit_params) > 0,
            )
            info = model.SourceInfo(0)  # the reference never sets these IDs
            _StructTranslator(self, ImplicitParams(struct_id, implicit_params)).translate_params(
                params.params, new_node, info
            )
            self.param_structs.append((new_node, info))
            brand = self.local_brand.push(struct_id, len(implicit_params))
            if implicit_params:
                new_node.parameters = [model.Parameter(p.name) for p in implicit_params]
                # The reference binds the implicit parameters on a copy it then drops, so they
                # never show in the brand; only errors would.
                brand.set_params(
                    [BrandedDecl.implicit_method_param(i) for i in range(len(implicit_params))],
                    Kind.STRUCT,
                    None,
                )
            return struct_id, brand.compile()
        if isinstance(params, ast.TypeParams):
            target = self.compile_decl_expression(params.type, ImplicitParams(0, implicit_params))
            if target is None:
                return 0, None
            kind = target.get_kind()
            if kind is Kind.STRUCT:
                return target.get_id_and_brand()
            if kind is not None:
                self.errors.error(
                    params.type.span,
                    f"'{expression_string(params.type)}' is not a struct type.",
                )
                return 0, None
            target.add_error(
                self.errors,
                "Cannot use generic parameter as whole input or output of a method. Instead, use "
                "a parameter/result list containing a field with this type.",
            )
            return 0, None
        # stream
        stream_capnp = self.context.resolve_import("/capnp/stream.capnp")
        if stream_capnp is not None:
            if stream_capnp.resolver.resolve_member("StreamResult") is None:
                self.errors.error(
                    params.span,
                    "The version of '/capnp/stream.capnp' found in your import path does not "
                    "appear to be the official one; it is missing the declaration of "
                    "StreamResult.",
                )
        else:
            self.errors.error(
                params.span,
                "A method declaration uses streaming, but '/capnp/stream.capnp' is not found in "
                "the import path. This is a standard file that should always be installed with "
                "the Cap'n Proto compiler.",
            )
        return STREAM_RESULT_ID, None

    # --- names and types ------------------------------------------------------------------------

    def compile_decl_expression(
        self, source: ast.Expr, implicit: ImplicitParams
    ) -> Optional[BrandedDecl]:
        return self.local_brand.compile_decl_expression(source, self.context, implicit)

    def compile_type(self, source: ast.Expr, implicit: ImplicitParams) -> Tuple[bool, model.Type]:
        decl = self.compile_decl_expression(source, implicit)
        if decl is None:
            return False, model.Type.void()
        return decl.compile_as_type(self.errors)

    # --- annotations ----------------------------------------------------------------------------

    def compile_annotation_applications(
        self, annotations: Sequence[ast.AnnotationApplication], target: str
    ) -> Optional[List[model.Annotation]]:
        if not annotations or not self.compile_annotations:
            return None
        result: List[model.Annotation] = []
        for application in annotations:
            annotation = model.Annotation(0, model.Value.void())
            result.append(annotation)
            name = application.name
            decl = self.compile_decl_expression(name, NO_IMPLICIT_PARAMS)
            if decl is None:
                continue
            kind = decl.get_kind()
            if kind is not Kind.ANNOTATION:
                self.errors.error(
                    name.span, f"'{expression_string(name)}' is not an annotation."
                )
                continue
            annotation.id, brand = decl.get_id_and_brand()
            # The reference reads the brand back through a builder getter, which leaves an
            # empty (non-null) Brand even when there was nothing to fill in.
            annotation.brand = brand if brand is not None else model.Brand()
            schema = self.context.bootstrap_node(annotation.id)
            if schema is None:
                continue
            body = schema.annotation
            if not getattr(body, "targets_" + target):
                self.errors.error(
                    name.span,
                    f"'{expression_string(name)}' cannot be applied to this kind of declaration.",
                )
            if application.value is None:
                if body.type.kind == "void":
                    annotation.value = model.Value.void()
                else:
                    self.errors.error(name.span, f"'{expression_string(name)}' requires a value.")
                    annotation.value = model.Value.default_for(body.type)
            else:
                annotation.value = model.Value.default_for(body.type)
                self.compile_bootstrap_value(
                    application.value, _bind_type(body.type, annotation.brand), annotation.value
                )
        return result

    # --- values ---------------------------------------------------------------------------------

    def compile_bootstrap_value(
        self, source: ast.Expr, type_: model.Type, target: model.Value
    ) -> None:
        """Compile a value now if it is primitive, else remember it for :meth:`finish`."""
        _set_value(target, model.Value.default_for(type_))
        if type_.kind in ("list", "struct", "interface", "anyPointer"):
            self.unfinished.append(_Unfinished(source, type_, target))
        else:
            self._compile_value_into(source, type_, target, True)

    def _compile_value_into(
        self, source: ast.Expr, type_: model.Type, target: model.Value, is_bootstrap: bool
    ) -> None:
        value = _ValueTranslator(self, is_bootstrap).compile_value(source, type_)
        if value is None:
            return
        converted = _to_model_value(value, type_)
        if converted is not None:
            _set_value(target, converted)

    def read_constant(self, source: ast.Expr, is_bootstrap: bool) -> Optional[_DV]:
        """The value of the constant ``source`` names (``readConstant``)."""
        decl = self.compile_decl_expression(source, NO_IMPLICIT_PARAMS)
        if decl is None:
            return None
        if decl.get_kind() is not Kind.CONST:
            self.errors.error(
                source.span, f"'{expression_string(source)}' does not refer to a constant."
            )
            return None
        const_id, const_brand = decl.get_id_and_brand()
        schema = self.context.bootstrap_node(const_id)
        if schema is None:
            return None
        proto = schema
        if not is_bootstrap:
            final = self.context.final_node(const_id)
            if final is None:
                return None
            proto = final
        body = proto.const
        const_type = _bind_type(schema.const.type, const_brand)
        result = _dv_from_value(body.value, const_type)

        if isinstance(source, ast.NameExpr):
            # An unqualified name looks like it could be a local value; the reference insists on
            # a qualified one.
            scope = self.context.bootstrap_node(proto.scope_id) if proto.scope_id else None
            if scope is not None:
                parent = "" if scope.which == "file" else scope.short_name
                self.errors.error(
                    source.span,
                    "Constant names must be qualified to avoid confusion.  Please replace "
                    f"'{expression_string(source)}' with '{parent}.{source.name}', if that's "
                    "what you intended.",
                )
        return result

    def read_embed(self, source: ast.EmbedExpr) -> Optional[bytes]:
        data = self.context.read_embed(source.path)
        if data is None:
            self.errors.error(source.path_span, f"Couldn't read file for embed: {source.path}")
        return data


def _generic_params(decl: Union[ast.File, ast.Decl]) -> Sequence[ast.GenericParam]:
    if isinstance(decl, (ast.Struct, ast.Interface)):
        return decl.generic_params
    return ()


# =================================================================================================
# Name and ordinal checks


def _target_name(expr: ast.Expr) -> Optional[str]:
    """The last name in a ``using`` target (``getExpressionTargetName``)."""
    if isinstance(expr, (ast.NameExpr, ast.AbsoluteNameExpr)):
        return expr.name
    if isinstance(expr, ast.ApplicationExpr):
        return _target_name(expr.function)
    if isinstance(expr, ast.MemberExpr):
        return expr.name
    return None


def _decl_kind(decl: ast.Decl) -> Kind:
    if isinstance(decl, ast.Using):
        return Kind.USING
    if isinstance(decl, ast.Const):
        return Kind.CONST
    if isinstance(decl, ast.Enum):
        return Kind.ENUM
    if isinstance(decl, ast.Enumerant):
        return Kind.ENUMERANT
    if isinstance(decl, ast.Struct):
        return Kind.STRUCT
    if isinstance(decl, ast.Field):
        return Kind.FIELD
    if isinstance(decl, ast.Union):
        return Kind.UNION
    if isinstance(decl, ast.Group):
        return Kind.GROUP
    if isinstance(decl, ast.Interface):
        return Kind.INTERFACE
    if isinstance(decl, ast.Method):
        return Kind.METHOD
    if isinstance(decl, ast.AnnotationDecl):
        return Kind.ANNOTATION
    raise AssertionError(f"unknown declaration {decl!r}")


class _DuplicateNameDetector:
    def __init__(self, errors: ErrorReporter) -> None:
        self.errors = errors
        self.names: Dict[str, ast.Span] = {}

    def check(self, nested: Sequence[ast.Decl], parent_kind: Kind) -> None:
        errors = self.errors
        for decl in nested:
            name = decl.name
            previous = self.names.get(name)
            if previous is None:
                self.names[name] = decl.name_span
            elif name == "" and isinstance(decl, ast.Union):
                errors.error(decl.name_span, "An unnamed union is already defined in this scope.")
                errors.error(previous, "Previously defined here.")
            else:
                errors.error(decl.name_span, f"'{name}' is already defined in this scope.")
                errors.error(previous, f"'{name}' previously defined here.")

            if isinstance(decl, ast.Using):
                target = _target_name(decl.target)
                if target and "a" <= target[0] <= "z":
                    if name and not "a" <= name[0] <= "z":
                        errors.error(
                            decl.name_span, "Non-type names must begin with a lower-case letter."
                        )
                elif name and not "A" <= name[0] <= "Z":
                    errors.error(decl.name_span, "Type names must begin with a capital letter.")
            elif isinstance(decl, _NAMING_TYPE):
                if name and not "A" <= name[0] <= "Z":
                    errors.error(decl.name_span, "Type names must begin with a capital letter.")
            elif isinstance(decl, _NAMING_VALUE):
                if name and not "a" <= name[0] <= "z":
                    errors.error(
                        decl.name_span, "Non-type names must begin with a lower-case letter."
                    )
            if "_" in name:
                errors.error(
                    decl.name_span,
                    "Cap'n Proto declaration names should use camelCase and must not contain "
                    "underscores. (Code generators may convert names to the appropriate style "
                    "for the target language.)",
                )

            if isinstance(decl, _NODE_DECLS):
                if parent_kind not in (Kind.FILE, Kind.STRUCT, Kind.INTERFACE):
                    errors.error(decl.span, "This kind of declaration doesn't belong here.")
            elif isinstance(decl, ast.Enumerant):
                if parent_kind is not Kind.ENUM:
                    errors.error(decl.span, "Enumerants can only appear in enums.")
            elif isinstance(decl, ast.Method):
                if parent_kind is not Kind.INTERFACE:
                    errors.error(decl.span, "Methods can only appear in interfaces.")
            elif isinstance(decl, _MEMBER_DECLS):
                if parent_kind not in (Kind.STRUCT, Kind.UNION, Kind.GROUP):
                    errors.error(decl.span, "This declaration can only appear in structs.")
                if name == "":
                    # An unnamed union's members share the enclosing scope.
                    self.check(decl.nested_decls, _decl_kind(decl))
                else:
                    _DuplicateNameDetector(errors).check(decl.nested_decls, _decl_kind(decl))
            else:
                errors.error(decl.span, "This kind of declaration doesn't belong here.")


class _DuplicateOrdinalDetector:
    def __init__(self, errors: ErrorReporter) -> None:
        self.errors = errors
        self.expected = 0
        self.last: Optional[ast.LocatedInt] = None

    def check(self, ordinal: ast.LocatedInt) -> None:
        if ordinal.value < self.expected:
            self.errors.error(ordinal.span, "Duplicate ordinal number.")
            if self.last is not None:
                self.errors.error(
                    self.last.span, f"Ordinal @{self.last.value} originally used here."
                )
                # Report the original only once.
                self.last = None
        elif ordinal.value > self.expected:
            self.errors.error(
                ordinal.span,
                f"Skipped ordinal @{self.expected}.  Ordinals must be sequential with no holes.",
            )
            self.expected = ordinal.value + 1
        else:
            self.expected += 1
            self.last = ordinal


# =================================================================================================
# Structs


class _Member:
    """One member or scope of a struct being translated (the reference's ``MemberInfo``)."""

    def __init__(
        self,
        parent: Optional[_Member],
        code_order: int,
        is_in_union: bool,
        kind: Kind,
        name: str = "",
        span: Optional[ast.Span] = None,
        ordinal: Optional[ast.LocatedInt] = None,
        annotations: Sequence[ast.AnnotationApplication] = (),
        doc_comment: Optional[str] = None,
        node: Optional[model.Node] = None,
        source_info: Optional[model.SourceInfo] = None,
        field_type: Optional[ast.Expr] = None,
        default: Optional[ast.Expr] = None,
        is_param: bool = False,
    ) -> None:
        self.parent = parent
        self.code_order = code_order
        self.is_in_union = is_in_union
        self.kind = kind
        self.name = name
        self.span = span
        self.ordinal = ordinal
        self.annotations = annotations
        self.doc_comment = doc_comment
        self.node = node
        self.source_info = source_info
        self.field_type = field_type
        self.default = default
        self.is_param = is_param
        self.index = 0
        self.child_count = 0
        self.child_initialized_count = 0
        self.union_discriminant_count = 0
        self.schema: Optional[model.Field] = None
        self.field_scope: Optional[FieldScope] = None
        self.union_scope: Optional[UnionLayout] = None
        self._fields: Optional[List[Optional[model.Field]]] = None
        self._members: Optional[List[model.SourceInfoMember]] = None

    def get_schema(self) -> model.Field:
        """This member's entry in its parent's ``fields`` list, created on first use."""
        if self.schema is not None:
            return self.schema
        parent = self.parent
        assert parent is not None
        self.index = parent.child_initialized_count
        field = model.Field(
            self.name, self.code_order, model.SlotField(0, model.Type.void(), model.Value.void())
        )
        info = parent.add_member_schema(field)
        if self.is_in_union:
            field.discriminant_value = parent.union_discriminant_count
            parent.union_discriminant_count += 1
        if self.doc_comment is not None:
            info.doc_comment = self.doc_comment
        self.schema = field
        return field

    def add_member_schema(self, field: model.Field) -> model.SourceInfoMember:
        assert self.child_initialized_count < self.child_count
        assert self.node is not None and self.source_info is not None
        if self._fields is None:
            if self.parent is not None:
                # A group appears in its parent's list once its first member does.
                self.get_schema()
            self._fields = [None] * self.child_count
            self._members = [model.SourceInfoMember() for _ in range(self.child_count)]
            self.source_info.members = self._members
        assert self._members is not None
        self._fields[self.child_initialized_count] = field
        info = self._members[self.child_initialized_count]
        self.child_initialized_count += 1
        return info

    def store_fields(self) -> None:
        """Put the finished ``fields`` list into the node (null if the scope has no fields)."""
        if self._fields is not None and self.node is not None:
            self.node.struct.fields = [f for f in self._fields if f is not None]

    def finish_group(self) -> None:
        node = self.node
        assert node is not None and self.source_info is not None
        body = node.struct
        if self.union_scope is not None:
            offset = self.union_scope.final_discriminant_offset()
            body.discriminant_count = self.union_discriminant_count
            body.discriminant_offset = offset
        parent = self.parent
        if parent is not None:
            assert parent.node is not None
            gid = group_id(parent.node.id, self.index)
            node.id = gid
            node.scope_id = parent.node.id
            self.get_schema().body = model.GroupField(gid)
            self.source_info.id = gid
            if self.doc_comment is not None:
                self.source_info.doc_comment = self.doc_comment


class _LayoutRefused(Exception):
    """The layout hit capnp issue 344 (see :mod:`purecap.schema.layout`)."""

    def __init__(self, span: Optional[ast.Span], message: str) -> None:
        super().__init__(message)
        self.span = span
        self.message = message


class _StructTranslator:
    """Lays out one struct (or method parameter list) and fills in its fields
    (``StructTranslator``)."""

    def __init__(self, translator: NodeTranslator, implicit: ImplicitParams) -> None:
        self.translator = translator
        self.errors = translator.errors
        self.implicit = implicit
        self.layout = StructLayout()
        self.dup = _DuplicateOrdinalDetector(self.errors)
        self.by_ordinal: List[Tuple[int, int, _Member]] = []  # (ordinal, insertion, member)
        self.all_members: List[_Member] = []

    def translate(
        self, members: Sequence[ast.Decl], node: model.Node, source_info: model.SourceInfo
    ) -> None:
        root = _Member(None, 0, False, Kind.STRUCT, node=node, source_info=source_info)
        self._traverse_top_or_group(members, root, self.layout)
        self._translate_internal(root, node)

    def translate_params(
        self, params: Sequence[ast.Param], node: model.Node, source_info: model.SourceInfo
    ) -> None:
        root = _Member(None, 0, False, Kind.STRUCT, node=node, source_info=source_info)
        for i, param in enumerate(params):
            root.child_count += 1
            member = _Member(
                root,
                i,
                False,
                Kind.FIELD,
                name=param.name,
                span=param.span,
                annotations=param.annotations,
                field_type=param.type,
                default=param.default,
                is_param=True,
            )
            member.field_scope = self.layout
            self.all_members.append(member)
            self._add_ordinal(i, member)
        self._translate_internal(root, node)

    def _add_ordinal(self, ordinal: int, member: _Member) -> None:
        self.by_ordinal.append((ordinal, len(self.by_ordinal), member))

    def _new_group_node(self, parent: model.Node, name: str) -> Tuple[model.Node, model.SourceInfo]:
        display_name = parent.display_name + "." + name
        node = model.Node(
            id=0,  # set by finish_group
            display_name=display_name,
            display_name_prefix_length=len(display_name) - len(name),
            is_generic=parent.is_generic,
            body=model.StructBody(is_group=True),
        )
        info = model.SourceInfo(0)
        self.translator.groups.append((node, info))
        return node, info

    def _traverse_union(
        self,
        decl: ast.Union,
        members: Sequence[ast.Decl],
        parent: _Member,
        layout: UnionLayout,
        code_order: int,
    ) -> int:
        if len(members) < 2:
            self.errors.error(decl.span, "Union must have at least two members.")
        for member in members:
            if isinstance(member, ast.Field):
                parent.child_count += 1
                info = self._field_member(parent, code_order, member, layout.new_group(), True)
                code_order += 1
                self._add_ordinal(member.ordinal.value, info)
            elif isinstance(member, ast.Union):
                if member.name == "":
                    self.errors.error(member.span, "Unions cannot contain unnamed unions.")
                    continue
                parent.child_count += 1
                union_layout = layout.new_union_member()
                info = self._group_member(parent, code_order, member, Kind.UNION, True)
                code_order += 1
                info.union_scope = union_layout
                self._traverse_union(member, member.nested_decls, info, union_layout, 0)
                if member.ordinal is not None:
                    self._add_ordinal(member.ordinal.value, info)
            elif isinstance(member, ast.Group):
                parent.child_count += 1
                group = layout.new_group()
                info = self._group_member(parent, code_order, member, Kind.GROUP, True)
                code_order += 1
                self._traverse_group(member, info, group)
        return code_order

    def _traverse_group(self, decl: ast.Group, parent: _Member, layout: FieldScope) -> None:
        if len(decl.nested_decls) < 1:
            self.errors.error(decl.span, "Group must have at least one member.")
        self._traverse_top_or_group(decl.nested_decls, parent, layout)

    def _traverse_top_or_group(
        self, members: Sequence[ast.Decl], parent: _Member, layout: FieldScope
    ) -> None:
        code_order = 0
        for member in members:
            if isinstance(member, ast.Field):
                parent.child_count += 1
                info = self._field_member(parent, code_order, member, layout, False)
                code_order += 1
                self._add_ordinal(member.ordinal.value, info)
            elif isinstance(member, ast.Union):
                union_layout = UnionLayout(layout)
                if member.name == "":
                    info = parent
                    info.union_scope = union_layout
                    code_order = self._traverse_union(
                        member, member.nested_decls, info, union_layout, code_order
                    )
                else:
                    parent.child_count += 1
                    info = self._group_member(parent, code_order, member, Kind.UNION, False)
                    code_order += 1
                    info.union_scope = union_layout
                    self._traverse_union(member, member.nested_decls, info, union_layout, 0)
                if member.ordinal is not None:
                    self._add_ordinal(member.ordinal.value, info)
            elif isinstance(member, ast.Group):
                parent.child_count += 1
                info = self._group_member(parent, code_order, member, Kind.GROUP, False)
                code_order += 1
                # A group's members are laid out as if they were the parent's.
                self._traverse_group(member, info, layout)

    def _field_member(
        self, parent: _Member, code_order: int, decl: ast.Field, scope: FieldScope, in_union: bool
    ) -> _Member:
        info = _Member(
            parent,
            code_order,
            in_union,
            Kind.FIELD,
            name=decl.name,
            span=decl.span,
            ordinal=decl.ordinal,
            annotations=decl.annotations,
            doc_comment=decl.doc_comment,
            field_type=decl.type,
            default=decl.default,
        )
        info.field_scope = scope
        self.all_members.append(info)
        return info

    def _group_member(
        self,
        parent: _Member,
        code_order: int,
        decl: Union[ast.Union, ast.Group],
        kind: Kind,
        in_union: bool,
    ) -> _Member:
        assert parent.node is not None
        node, source_info = self._new_group_node(parent.node, decl.name)
        info = _Member(
            parent,
            code_order,
            in_union,
            kind,
            name=decl.name,
            span=decl.span,
            ordinal=decl.ordinal if isinstance(decl, ast.Union) else None,
            annotations=decl.annotations,
            doc_comment=decl.doc_comment,
            node=node,
            source_info=source_info,
        )
        self.all_members.append(info)
        return info

    def _translate_internal(self, root: _Member, node: model.Node) -> None:
        current: Optional[_Member] = None
        try:
            for ordinal, _, member in sorted(self.by_ordinal, key=lambda t: (t[0], t[1])):
                current = member
                self._allocate(ordinal, member)
            current = None
            self._finish(root, node)
        except Issue344Error as e:
            name = f" (field '{current.name}')" if current is not None else ""
            raise _LayoutRefused(current.span if current else None, str(e) + name) from None

    def _allocate(self, ordinal: int, member: _Member) -> None:
        if member.ordinal is not None:
            self.dup.check(member.ordinal)
        field = member.get_schema()
        field.ordinal = ordinal
        if member.kind is Kind.FIELD:
            self._place_field(member, field)
        else:
            assert member.union_scope is not None
            if not member.union_scope.add_discriminant():
                assert member.ordinal is not None
                self.errors.error(
                    member.ordinal.span,
                    "Union ordinal, if specified, must be greater than no more than one of "
                    "its member ordinals (i.e. there can only be one field retroactively "
                    "unionized).",
                )

    def _finish(self, root: _Member, node: model.Node) -> None:
        translator = self.translator
        # Copy discriminant offsets into the nodes and compile annotations.
        root.finish_group()
        for member in self.all_members:
            if member.is_param:
                target = "param"
            elif member.kind is Kind.FIELD:
                target = "field"
            elif member.kind is Kind.UNION:
                member.finish_group()
                target = "union"
            else:
                member.finish_group()
                target = "group"
            member.get_schema().annotations = translator.compile_annotation_applications(
                member.annotations, target
            )
        root.store_fields()
        for member in self.all_members:
            member.store_fields()

        body = node.struct
        body.data_word_count = self.layout.data_word_count
        body.pointer_count = self.layout.pointer_count
        body.preferred_list_encoding = ElementSize.INLINE_COMPOSITE
        for group, _ in translator.groups:
            group_body = group.struct
            group_body.data_word_count = body.data_word_count
            group_body.pointer_count = body.pointer_count
            group_body.preferred_list_encoding = body.preferred_list_encoding

    def _place_field(self, member: _Member, field: model.Field) -> None:
        translator = self.translator
        assert member.field_type is not None and member.field_scope is not None
        ok, type_ = translator.compile_type(member.field_type, self.implicit)
        default = model.Value.default_for(type_)
        slot = model.SlotField(0, type_, default)
        field.body = slot
        if ok and member.default is not None:
            value = member.default
            if member.is_param and isinstance(value, ast.NameExpr) and value.name == "null":
                # A parameter may declare its default as null.
                if not type_.is_pointer:
                    self.errors.error(
                        value.span, "Only pointer parameters can declare their default as 'null'."
                    )
            else:
                translator.compile_bootstrap_value(value, type_, default)
            slot.had_explicit_default = True

        lg_size = _LG_SIZE.get(type_.kind, -2)
        scope = member.field_scope
        if lg_size == -2:
            slot.offset = scope.add_pointer()
        elif lg_size == -1:
            scope.add_void()
            slot.offset = 0
        else:
            slot.offset = scope.add_data(lg_size)


# =================================================================================================
# Values


def _dv_from_value(value: model.Value, type_: model.Type) -> _DV:
    """A constant's stored value as a dynamic value of the constant's type."""
    k = value.kind
    if k == "void":
        return _DV("void", None)
    if k == "bool":
        return _DV("bool", bool(value.scalar))
    if k.startswith("int") or k.startswith("uint"):
        return _DV("int", int(value.scalar))
    if k.startswith("float"):
        return _DV("float", float(value.scalar))
    if k == "text":
        return _DV("text", (value.text or "").encode("utf-8", "surrogateescape"))
    if k == "data":
        return _DV("data", value.data or b"")
    if k == "enum":
        # schema.capnp stores an enum value as a plain UInt16, and that is what the reference
        # reads back: an enum constant is an integer, which no enum-typed value accepts.
        return _DV("int", int(value.scalar))
    if k in ("list", "struct"):
        return _DV(k, value.pointer, type_)
    return _DV(k, value.pointer, type_)


def _to_model_value(value: _DV, type_: model.Type) -> Optional[model.Value]:
    """A checked dynamic value stored as a ``Value`` of ``type_``."""
    k = type_.kind
    if k == "void":
        return model.Value.void()
    if k == "bool":
        return model.Value.bool_(bool(value.value))
    if k in _INT_RANGES and not k.startswith("float"):
        assert isinstance(value.value, int)
        return model.Value(k, scalar=int(value.value))
    if k == "float32":
        v = value.value
        assert isinstance(v, (int, float))
        return model.Value.float32(int_to_float32(v) if isinstance(v, int) else to_float32(v))
    if k == "float64":
        v = value.value
        assert isinstance(v, (int, float))
        return model.Value.float64(float(v))
    if k == "enum":
        assert isinstance(value.value, int)
        return model.Value.enum(value.value)
    if k == "text":
        assert isinstance(value.value, bytes)
        return model.Value.text_(value.value.decode("utf-8", "surrogateescape"))
    if k == "data":
        assert isinstance(value.value, bytes)
        return model.Value.data_(value.value)
    if k in ("list", "struct", "anyPointer"):
        pointer = value.value
        assert pointer is None or isinstance(pointer, PointerReader)
        return model.Value(k, pointer=pointer)
    return None


def _bind_type(type_: model.Type, brand: Optional[model.Brand]) -> model.Type:
    """``type_`` (written inside a generic declaration) as seen through ``brand``: parameters
    bound there are replaced by their bindings (unbound ones by AnyPointer), and nested brands
    that inherit a bound scope take its bindings."""
    if brand is None or not brand.scopes:
        return type_
    scopes = {scope.scope_id: scope for scope in brand.scopes}
    return _substitute(type_, scopes)


def _substitute(type_: model.Type, scopes: Dict[int, model.BrandScope]) -> model.Type:
    k = type_.kind
    if k == "list" and type_.element_type is not None:
        return model.Type.list_of(_substitute(type_.element_type, scopes))
    if k in ("struct", "enum", "interface") and type_.brand is not None:
        new_scopes: Optional[List[model.BrandScope]] = None
        if type_.brand.scopes is not None:
            new_scopes = []
            for scope in type_.brand.scopes:
                outer = scopes.get(scope.scope_id)
                if scope.inherit:
                    new_scopes.append(outer if outer is not None else scope)
                else:
                    new_scopes.append(
                        model.BrandScope(
                            scope.scope_id,
                            bind=[
                                model.Binding(
                                    None if b.type is None else _substitute(b.type, scopes)
                                )
                                for b in scope.bind or ()
                            ],
                        )
                    )
        return model.Type(k, type_id=type_.type_id, brand=model.Brand(new_scopes))
    if k == "anyPointer" and type_.any_pointer_kind == "parameter":
        outer = scopes.get(type_.scope_id)
        if outer is None or outer.inherit:
            return type_
        bind = outer.bind or []
        if type_.parameter_index < len(bind):
            bound = bind[type_.parameter_index].type
            return bound if bound is not None else model.Type.any_pointer()
        return model.Type.any_pointer()
    return type_


class _ValueTranslator:
    """Compiles value expressions against an expected type (``ValueTranslator``)."""

    def __init__(self, translator: NodeTranslator, is_bootstrap: bool) -> None:
        self.translator = translator
        self.context = translator.context
        self.errors = translator.errors
        self.is_bootstrap = is_bootstrap

    def type_name(self, type_: model.Type) -> str:
        k = type_.kind
        if k == "list":
            assert type_.element_type is not None
            return "List(" + self.type_name(type_.element_type) + ")"
        if k in ("enum", "struct", "interface"):
            return self.context.node_short_name(type_.type_id)
        return _TYPE_NAMES[k]

    def error(self, source: ast.Expr, message: str) -> None:
        span = source.span
        if isinstance(source, ast.IntExpr) and source.negative and span.end - span.start > 1:
            # The reference locates a negative literal at its digits, after the '-'.
            span = span._replace(start=span.start + 1, col=span.col + 1)
        self.errors.error(span, message)

    def mismatch(self, source: ast.Expr, type_: model.Type) -> None:
        self.error(source, f"Type mismatch; expected {self.type_name(type_)}.")

    def compile_value(self, source: ast.Expr, type_: model.Type) -> Optional[_DV]:
        if type_.kind == "anyPointer" and type_.any_pointer_kind != "unconstrained":
            self.errors.error(
                source.span,
                "Cannot interpret value because the type is a generic type parameter which is "
                "not yet bound. We don't know what type to expect here.",
            )
            return None
        result = self._compile_inner(source, type_)
        if result is None:
            return None
        k = result.kind
        tk = type_.kind
        if k == "void":
            if tk == "void":
                return result
        elif k == "bool":
            if tk == "bool":
                return result
        elif k == "int":
            bounds = _INT_RANGES.get(tk)
            if bounds is not None:
                value = result.value
                assert isinstance(value, int)
                if value < bounds[0]:
                    self.error(source, "Integer value out of range.")
                    result.value = bounds[0]
                elif value > bounds[1]:
                    self.error(source, "Integer value out of range.")
                    result.value = bounds[1]
                return result
        elif k == "float":
            if tk in ("float32", "float64"):
                return result
        elif k == "text":
            if tk == "text":
                return result
        elif k == "data":
            if tk == "data":
                return result
        elif k == "list":
            if tk == "list":
                if result.type == type_:
                    return result
            elif tk == "anyPointer" and type_.unconstrained_kind in ("anyKind", "list"):
                return result
        elif k == "enum":
            if tk == "enum" and result.type == type_:
                return result
        elif k == "struct":
            if tk == "struct":
                if result.type == type_:
                    return result
            elif tk == "anyPointer" and type_.unconstrained_kind in ("anyKind", "struct"):
                return result
        else:
            # The reference asserts here (a constant of interface or AnyPointer type used as a
            # value); say so as an error instead.
            self.errors.error(source.span, "Values of this type cannot be copied from a constant.")
            return None
        self.mismatch(source, type_)
        return None

    def _compile_inner(self, source: ast.Expr, type_: model.Type) -> Optional[_DV]:
        tk = type_.kind
        if isinstance(source, ast.NameExpr):
            name = source.name
            if tk == "enum":
                enum_node = self.context.bootstrap_node(type_.type_id)
                if enum_node is not None:
                    for number, enumerant in enumerate(enum_node.enum.enumerants or ()):
                        if enumerant.name == name:
                            return _DV("enum", number, type_)
            elif name == "void":
                return _DV("void", None)
            elif name == "true":
                return _DV("bool", True)
            elif name == "false":
                return _DV("bool", False)
            elif name == "nan":
                return _DV("float", math.nan)
            elif name == "inf":
                return _DV("float", math.inf)
            return self.translator.read_constant(source, self.is_bootstrap)
        if isinstance(
            source, (ast.AbsoluteNameExpr, ast.ImportExpr, ast.ApplicationExpr, ast.MemberExpr)
        ):
            return self.translator.read_constant(source, self.is_bootstrap)
        if isinstance(source, ast.EmbedExpr):
            data = self.translator.read_embed(source)
            if data is None:
                return None
            if tk == "text":
                return _DV("text", data)
            if tk == "data":
                return _DV("data", data)
            if tk == "struct":
                if len(data) % 8 != 0:
                    self.errors.error(
                        source.span, "Embedded file is not a valid Cap'n Proto message."
                    )
                    return None
                try:
                    # The reference reads embeds without limits; a bound proportional to the
                    # file still lets every honest message through and stops pointer loops.
                    reader = read_message(
                        data, traversal_limit_words=8 * len(data) // 8 + 64, nesting_limit=None
                    )
                    root = reader.root_pointer()
                    root.get_struct()
                    # Copy it out now, so that a malformed message fails here, not later.
                    pointer = model.detach_pointer(root)
                except (DecodeError, PurecapError) as e:
                    self.errors.error(
                        source.span, f"Embedded file is not a valid Cap'n Proto message: {e}"
                    )
                    return None
                return _DV("struct", pointer, type_)
            self.errors.error(
                source.span, "Embeds can only be used when Text, Data, or a struct is expected."
            )
            return None
        if isinstance(source, ast.IntExpr):
            if source.negative and -source.value > (1 << 63):
                self.error(source, "Integer is too big to be negative.")
                return None
            return _DV("int", source.value)
        if isinstance(source, ast.FloatExpr):
            return _DV("float", source.value)
        if isinstance(source, ast.StringExpr):
            raw = source.value.encode("utf-8", "surrogateescape")
            return _DV("data" if tk == "data" else "text", raw)
        if isinstance(source, ast.BinaryExpr):
            if tk != "data":
                self.mismatch(source, type_)
                return None
            return _DV("data", bytes(source.value))
        if isinstance(source, ast.ListExpr):
            if tk != "list":
                self.mismatch(source, type_)
                return None
            return self._compile_list(source, type_)
        if isinstance(source, ast.TupleExpr):
            if tk != "struct":
                self.mismatch(source, type_)
                return None
            return self._compile_struct(source, type_)
        return None

    # --- lists ----------------------------------------------------------------------------------

    def _compile_list(self, source: ast.ListExpr, type_: model.Type) -> Optional[_DV]:
        element_type = type_.element_type
        assert element_type is not None
        ek = element_type.kind
        message = MessageBuilder()
        root = message.root_pointer()
        count = len(source.elements)
        if ek == "struct":
            node = self.context.bootstrap_node(element_type.type_id)
            if node is None:
                return None
            body = node.struct
            lst = root.init_struct_list(count, body.data_word_count, body.pointer_count)
        else:
            lst = root.init_list(_ELEMENT_SIZE.get(ek, ElementSize.POINTER), count)
        for i, element in enumerate(source.elements):
            value = self.compile_value(element, element_type)
            if value is not None:
                self._set_element(lst, i, element_type, value)
        return _DV("list", message.as_reader().root_pointer(), type_)

    def _set_element(self, lst: ListBuilder, index: int, type_: model.Type, value: _DV) -> None:
        k = type_.kind
        if k == "void":
            return
        if k == "bool":
            lst.set_bool(index, bool(value.value))
        elif k in _FORMATS:
            lst.set_primitive(index, _FORMATS[k], self._bits(k, value, 0))
        elif k == "text":
            assert isinstance(value.value, bytes)
            lst.set_text(index, value.value)
        elif k == "data":
            assert isinstance(value.value, bytes)
            lst.set_data(index, value.value)
        elif k == "struct":
            pointer = value.value
            if isinstance(pointer, PointerReader) and not pointer.is_null():
                _copy_struct_into(lst.get_struct(index), pointer.get_struct())
        else:
            pointer = value.value
            if isinstance(pointer, PointerReader):
                lst.get_pointer(index).set(pointer)

    @staticmethod
    def _bits(kind: str, value: _DV, default: Union[int, float]) -> int:
        """What a data field of ``kind`` stores: the value XOR its default, floats as bits."""
        v = value.value
        if kind in ("float32", "float64"):
            assert isinstance(v, (int, float))
            f = int_to_float32(v) if (kind == "float32" and isinstance(v, int)) else float(v)
            return _float_bits(kind, f) ^ _float_bits(kind, float(default))
        assert isinstance(v, int) and isinstance(default, int)
        result = v ^ default
        if kind.startswith("uint") or kind == "enum":
            return result & ((1 << _FORMATS[kind].size * 8) - 1)
        return result

    # --- structs --------------------------------------------------------------------------------

    def _compile_struct(self, source: ast.TupleExpr, type_: model.Type) -> Optional[_DV]:
        node = self.context.bootstrap_node(type_.type_id)
        if node is None:
            return None
        body = node.struct
        message = MessageBuilder()
        builder = message.init_root(body.data_word_count, body.pointer_count)
        self._fill_struct(builder, node, type_.brand, source.params)
        return _DV("struct", message.as_reader().root_pointer(), type_)

    def _fill_struct(
        self,
        builder: StructBuilder,
        node: model.Node,
        brand: Optional[model.Brand],
        assignments: Sequence[ast.TupleParam],
    ) -> None:
        fields = node.struct.fields or []
        for assignment in assignments:
            if assignment.name is None:
                self.errors.error(assignment.value.span, "Missing field name.")
                continue
            field = next((f for f in fields if f.name == assignment.name), None)
            if field is None:
                assert assignment.name_span is not None
                self.errors.error(
                    assignment.name_span, f"Struct has no field named '{assignment.name}'."
                )
                continue
            value = assignment.value
            body = field.body
            if isinstance(body, model.SlotField):
                field_type = _bind_type(body.type, brand)
                compiled = self.compile_value(value, field_type)
                if compiled is not None:
                    self._set_in_union(builder, node, field)
                    self._set_field(builder, body, field_type, compiled)
            else:
                if isinstance(value, ast.TupleExpr):
                    group = self.context.bootstrap_node(body.type_id)
                    if group is None:
                        continue
                    self._set_in_union(builder, node, field)
                    self._clear_group(builder, group)
                    self._fill_struct(builder, group, brand, value.params)
                else:
                    self.errors.error(value.span, "Type mismatch; expected group.")

    @staticmethod
    def _set_in_union(builder: StructBuilder, node: model.Node, field: model.Field) -> None:
        if field.discriminant_value != model.NO_DISCRIMINANT:
            builder.set_primitive(
                _FORMATS["uint16"], node.struct.discriminant_offset * 2, field.discriminant_value
            )

    def _set_field(
        self, builder: StructBuilder, slot: model.SlotField, type_: model.Type, value: _DV
    ) -> None:
        k = type_.kind
        offset = slot.offset
        if k == "void":
            return
        if k == "bool":
            default = bool(slot.default_value.scalar) if slot.default_value.kind == "bool" else False
            builder.set_bool(offset, bool(value.value) != default)
        elif k in _FORMATS:
            fmt = _FORMATS[k]
            default_value = slot.default_value.scalar if slot.default_value.kind == k else 0
            builder.set_primitive(fmt, offset * fmt.size, self._bits(k, value, default_value))
        elif k == "text":
            assert isinstance(value.value, bytes)
            builder.set_text(offset, value.value)
        elif k == "data":
            assert isinstance(value.value, bytes)
            builder.set_data(offset, value.value)
        else:
            pointer = value.value
            if isinstance(pointer, PointerReader) and not pointer.is_null():
                builder.get_pointer(offset).set(pointer)
            else:
                builder.clear_pointer(offset)

    def _clear_group(self, builder: StructBuilder, group: model.Node) -> None:
        """``clear`` of a group: its first union member and every non-union member."""
        fields = group.struct.fields or []
        union_fields = [f for f in fields if f.discriminant_value != model.NO_DISCRIMINANT]
        others = [f for f in fields if f.discriminant_value == model.NO_DISCRIMINANT]
        to_clear = ([union_fields[0]] if union_fields else []) + others
        for field in to_clear:
            self._set_in_union(builder, group, field)
            body = field.body
            if isinstance(body, model.SlotField):
                k = body.type.kind
                if k == "bool":
                    builder.set_bool(body.offset, False)
                elif k in _FORMATS:
                    fmt = _FORMATS[k]
                    builder.set_primitive(fmt, body.offset * fmt.size, 0)
                elif k != "void":
                    builder.clear_pointer(body.offset)
            else:
                inner = self.context.bootstrap_node(body.type_id)
                if inner is not None:
                    self._clear_group(builder, inner)


def _copy_struct_into(dst: StructBuilder, src: StructReader) -> None:
    """Copy a struct's content into a struct list element (truncating or zero-extending)."""
    size = min(dst.data_size, src.data_size)
    for i in range(size):
        dst.set_primitive(_FORMATS["uint8"], i, src.get_primitive(_FORMATS["uint8"], i))
    for i in range(min(dst.pointer_count, src.pointer_count)):
        pointer = src.get_pointer(i)
        if not pointer.is_null():
            dst.get_pointer(i).set(pointer)
