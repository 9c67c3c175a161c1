"""The schema node model: plain Python classes mirroring ``schema.capnp`` (capnp 0.9.2).

A compiled schema is a set of :class:`Node` objects, exactly what ``capnp compile -o-`` hands a
code generator inside a :class:`CodeGeneratorRequest`.  The classes here follow
``/usr/include/capnp/schema.capnp`` field for field, with the schema's names in snake_case, so a
reader of the spec can find every field.  :mod:`purecap.schema.nodes` converts them to and from
the wire encoding.

Conventions, chosen so that a model written back out is byte-for-byte what was read:

* **Pointer fields that the reference compiler sometimes leaves null are** ``Optional``: ``None``
  means a null pointer, ``[]`` an empty (but present) list, ``Brand(scopes=None)`` a present brand
  with no scopes.  The reference is not uniform (``nestedNodes`` is an empty list on most nodes but
  null on groups; a struct type's brand is null unless generics are involved; a field without an
  explicit default has a *null* text default, ``compileDefaultDefaultValue`` in
  node-translator.c++), and schema comparison looks at canonical bytes, so the model keeps the
  distinction.  Defaults are ``None``: a fresh C++ builder's pointers are null too.
* Names (``display_name``, field names, ...) are plain ``str`` and are always written.
* Text is ``str``; bytes that are not UTF-8 are kept with ``surrogateescape`` (as the parser does
  for string literals), so ``text.encode("utf-8", "surrogateescape")`` is the exact wire content.
* A union is one attribute holding one of several classes (``Node.body``, ``Field.body``) or, for
  the unions of plain tags (``Type``, ``Value``), a ``kind`` string using the schema's own
  (camelCase) member names: ``"int32"``, ``"anyPointer"``.
* ``Value`` s of kind list, struct and anyPointer hold their content as an untyped
  :class:`~purecap.wire.reader.PointerReader` into some message (or ``None`` for null); they
  compare equal when their canonical encodings are equal.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple, TypeVar, Union
from typing import Type as _ClassOf

from purecap.wire.builder import MessageBuilder
from purecap.wire.canonical import canonicalize
from purecap.wire.pointers import ElementSize
from purecap.wire.reader import PointerReader

__all__ = [
    "NO_DISCRIMINANT",
    "TYPE_KINDS",
    "VALUE_KINDS",
    "UNCONSTRAINED_KINDS",
    "ANNOTATION_TARGET_NAMES",
    "Parameter",
    "NestedNode",
    "Binding",
    "BrandScope",
    "Brand",
    "Type",
    "Value",
    "Annotation",
    "SlotField",
    "GroupField",
    "Field",
    "Enumerant",
    "Superclass",
    "Method",
    "FileBody",
    "StructBody",
    "EnumBody",
    "InterfaceBody",
    "ConstBody",
    "AnnotationBody",
    "NodeBody",
    "Node",
    "SourceInfoMember",
    "SourceInfo",
    "CapnpVersion",
    "Import",
    "RequestedFile",
    "CodeGeneratorRequest",
    "pointer_canonical_bytes",
    "detach_pointer",
]

#: ``Field.noDiscriminant``: the discriminant value of a field that is not in a union.
NO_DISCRIMINANT = 0xFFFF

#: The members of ``Type``'s union, in ordinal (= discriminant) order.
TYPE_KINDS: Tuple[str, ...] = (
    "void", "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float32", "float64", "text", "data", "list", "enum", "struct", "interface", "anyPointer",
)  # fmt: skip

#: The members of ``Value``'s union, in discriminant order (the same names as ``Type``'s).
VALUE_KINDS: Tuple[str, ...] = TYPE_KINDS

#: ``Type.anyPointer.unconstrained``'s members: AnyPointer, AnyStruct, AnyList, Capability.
UNCONSTRAINED_KINDS: Tuple[str, ...] = ("anyKind", "struct", "list", "capability")

#: ``Type.anyPointer``'s members.
ANY_POINTER_KINDS: Tuple[str, ...] = ("unconstrained", "parameter", "implicitMethodParameter")

#: The ``targets*`` flags of an annotation node, without the prefix, in ordinal order.
ANNOTATION_TARGET_NAMES: Tuple[str, ...] = (
    "file", "const", "enum", "enumerant", "struct", "field", "union", "group", "interface",
    "method", "param", "annotation",
)  # fmt: skip

_POINTER_KINDS = frozenset(("list", "struct", "anyPointer"))
# Constructor names that differ from the kind (Python names, or taken by a field).
_CONSTRUCTORS = {"bool": "bool_", "text": "text_", "data": "data_", "list": "list_",
                 "anyPointer": "any_pointer"}  # fmt: skip
_UNCONSTRAINED_CONSTRUCTORS = {"anyKind": "any_pointer", "struct": "any_struct",
                               "list": "any_list", "capability": "capability"}  # fmt: skip
_FLOAT32 = struct.Struct("<f")
_FLOAT64 = struct.Struct("<d")


# ---------------------------------------------------------------------------------------------
# Pointer content (the list/struct/anyPointer values)


def pointer_canonical_bytes(pointer: Optional[PointerReader]) -> bytes:
    """The canonical encoding of what ``pointer`` points to, as the single pointer of an
    otherwise empty struct (so any kind, list or struct, has one); ``b""`` for null."""
    if pointer is None or pointer.is_null():
        return b""
    holder = MessageBuilder()
    root = holder.init_root(0, 1)
    root.get_pointer(0).set(pointer)
    return canonicalize(root.as_reader())


def detach_pointer(pointer: Optional[PointerReader]) -> Optional[PointerReader]:
    """A copy of ``pointer``'s content in a message of its own (``None`` for null), so that a
    value read from a big message neither keeps it alive nor draws on its traversal budget."""
    if pointer is None or pointer.is_null():
        return None
    holder = MessageBuilder()
    holder.root_pointer().set(pointer)
    return holder.as_reader().root_pointer()


# ---------------------------------------------------------------------------------------------
# Brands and types


@dataclass
class Parameter:
    """``Node.Parameter``: a generic parameter's name."""

    name: str


@dataclass
class NestedNode:
    """``Node.NestedNode``: a name in a node's scope, and the id of the node it names."""

    name: str
    id: int


@dataclass
class Binding:
    """``Brand.Binding``: ``type`` bound to a parameter, or ``None`` for ``unbound``."""

    type: Optional[Type] = None

    @property
    def is_unbound(self) -> bool:
        return self.type is None

    @classmethod
    def unbound(cls) -> Binding:
        return cls(None)


@dataclass
class BrandScope:
    """``Brand.Scope``: the bindings of one generic scope's parameters.

    The union is ``bind`` (a list, possibly null: ``None``) unless ``inherit`` is true.
    """

    scope_id: int
    bind: Optional[List[Binding]] = None
    inherit: bool = False

    def __post_init__(self) -> None:
        if self.inherit and self.bind is not None:
            raise ValueError("a Brand.Scope is either bind or inherit, not both")


@dataclass
class Brand:
    """``Brand``: how the generic scopes of a reference are bound."""

    scopes: Optional[List[BrandScope]] = None


@dataclass
class Type:
    """``Type``: ``kind`` is the union member (one of :data:`TYPE_KINDS`).

    Only the attributes of the member in use matter (the others keep their defaults):
    ``element_type`` for list; ``type_id`` and ``brand`` for enum/struct/interface;
    ``any_pointer_kind`` (one of :data:`ANY_POINTER_KINDS`) for anyPointer, then
    ``unconstrained_kind`` (one of :data:`UNCONSTRAINED_KINDS`), or ``scope_id`` and
    ``parameter_index`` (parameter), or ``parameter_index`` (implicitMethodParameter).
    """

    kind: str = "void"
    element_type: Optional[Type] = None
    type_id: int = 0
    brand: Optional[Brand] = None
    any_pointer_kind: str = "unconstrained"
    unconstrained_kind: str = "anyKind"
    scope_id: int = 0
    parameter_index: int = 0

    def __post_init__(self) -> None:
        if self.kind not in TYPE_KINDS:
            raise ValueError(f"unknown Type kind {self.kind!r}")

    # Constructors, one per union member.
    @classmethod
    def void(cls) -> Type:
        return cls("void")

    @classmethod
    def bool_(cls) -> Type:
        return cls("bool")

    @classmethod
    def int8(cls) -> Type:
        return cls("int8")

    @classmethod
    def int16(cls) -> Type:
        return cls("int16")

    @classmethod
    def int32(cls) -> Type:
        return cls("int32")

    @classmethod
    def int64(cls) -> Type:
        return cls("int64")

    @classmethod
    def uint8(cls) -> Type:
        return cls("uint8")

    @classmethod
    def uint16(cls) -> Type:
        return cls("uint16")

    @classmethod
    def uint32(cls) -> Type:
        return cls("uint32")

    @classmethod
    def uint64(cls) -> Type:
        return cls("uint64")

    @classmethod
    def float32(cls) -> Type:
        return cls("float32")

    @classmethod
    def float64(cls) -> Type:
        return cls("float64")

    @classmethod
    def text(cls) -> Type:
        return cls("text")

    @classmethod
    def data(cls) -> Type:
        return cls("data")

    @classmethod
    def primitive(cls, kind: str) -> Type:
        """A type without parameters (void ... data) by name."""
        if TYPE_KINDS.index(kind) > TYPE_KINDS.index("data"):
            raise ValueError(f"{kind!r} is not a primitive type")
        return cls(kind)

    @classmethod
    def list_of(cls, element_type: Type) -> Type:
        return cls("list", element_type=element_type)

    @classmethod
    def enum(cls, type_id: int, brand: Optional[Brand] = None) -> Type:
        return cls("enum", type_id=type_id, brand=brand)

    @classmethod
    def struct(cls, type_id: int, brand: Optional[Brand] = None) -> Type:
        return cls("struct", type_id=type_id, brand=brand)

    @classmethod
    def interface(cls, type_id: int, brand: Optional[Brand] = None) -> Type:
        return cls("interface", type_id=type_id, brand=brand)

    @classmethod
    def any_pointer(cls, unconstrained_kind: str = "anyKind") -> Type:
        """``AnyPointer``, or ``AnyStruct``/``AnyList``/``Capability`` by ``unconstrained_kind``."""
        if unconstrained_kind not in UNCONSTRAINED_KINDS:
            raise ValueError(f"unknown unconstrained AnyPointer kind {unconstrained_kind!r}")
        return cls("anyPointer", unconstrained_kind=unconstrained_kind)

    @classmethod
    def any_struct(cls) -> Type:
        return cls.any_pointer("struct")

    @classmethod
    def any_list(cls) -> Type:
        return cls.any_pointer("list")

    @classmethod
    def capability(cls) -> Type:
        return cls.any_pointer("capability")

    @classmethod
    def parameter(cls, scope_id: int, parameter_index: int) -> Type:
        """A generic parameter of the scope ``scope_id``."""
        return cls(
            "anyPointer",
            any_pointer_kind="parameter",
            scope_id=scope_id,
            parameter_index=parameter_index,
        )

    @classmethod
    def implicit_method_parameter(cls, parameter_index: int) -> Type:
        return cls(
            "anyPointer",
            any_pointer_kind="implicitMethodParameter",
            parameter_index=parameter_index,
        )

    # Questions.
    @property
    def is_pointer(self) -> bool:
        """Whether a field of this type lives in the pointer section."""
        return TYPE_KINDS.index(self.kind) >= TYPE_KINDS.index("text") and self.kind != "enum"

    def _key(self) -> Tuple[object, ...]:
        # Equality looks only at the union member in use, so stray attributes never matter.
        k = self.kind
        if k == "list":
            return (k, self.element_type)
        if k in ("enum", "struct", "interface"):
            return (k, self.type_id, self.brand)
        if k == "anyPointer":
            a = self.any_pointer_kind
            if a == "unconstrained":
                return (k, a, self.unconstrained_kind)
            if a == "parameter":
                return (k, a, self.scope_id, self.parameter_index)
            return (k, a, self.parameter_index)
        return (k,)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Type):
            return NotImplemented
        return self._key() == other._key()

    def __repr__(self) -> str:
        # Written as the constructor call that makes this type (ids in hex, as capnp prints
        # them), so a difference report reads like code.
        k = self.kind
        if k == "list":
            return f"Type.list_of({self.element_type!r})"
        if k in ("enum", "struct", "interface"):
            brand = "" if self.brand is None else f", {self.brand!r}"
            return f"Type.{k}(0x{self.type_id:x}{brand})"
        if k == "anyPointer":
            a = self.any_pointer_kind
            if a == "parameter":
                return f"Type.parameter(0x{self.scope_id:x}, {self.parameter_index})"
            if a == "implicitMethodParameter":
                return f"Type.implicit_method_parameter({self.parameter_index})"
            return f"Type.{_UNCONSTRAINED_CONSTRUCTORS.get(self.unconstrained_kind, '?')}()"
        return "Type.bool_()" if k == "bool" else f"Type.{k}()"


# ---------------------------------------------------------------------------------------------
# Values


ScalarValue = Union[bool, int, float]


@dataclass(eq=False)
class Value:
    """``Value``: ``kind`` is the union member (one of :data:`VALUE_KINDS`).

    ``scalar`` holds bool/int*/uint*/float*/enum values; ``text`` (``None``: null) for text;
    ``data`` (``None``: null) for data; ``pointer`` (``None``: null) for list, struct and
    anyPointer.  void and interface carry nothing.
    """

    kind: str = "void"
    scalar: ScalarValue = 0
    text: Optional[str] = None
    data: Optional[bytes] = None
    pointer: Optional[PointerReader] = None

    def __post_init__(self) -> None:
        if self.kind not in VALUE_KINDS:
            raise ValueError(f"unknown Value kind {self.kind!r}")

    @classmethod
    def void(cls) -> Value:
        return cls("void")

    @classmethod
    def bool_(cls, value: bool) -> Value:
        return cls("bool", scalar=bool(value))

    @classmethod
    def int8(cls, value: int) -> Value:
        return cls("int8", scalar=value)

    @classmethod
    def int16(cls, value: int) -> Value:
        return cls("int16", scalar=value)

    @classmethod
    def int32(cls, value: int) -> Value:
        return cls("int32", scalar=value)

    @classmethod
    def int64(cls, value: int) -> Value:
        return cls("int64", scalar=value)

    @classmethod
    def uint8(cls, value: int) -> Value:
        return cls("uint8", scalar=value)

    @classmethod
    def uint16(cls, value: int) -> Value:
        return cls("uint16", scalar=value)

    @classmethod
    def uint32(cls, value: int) -> Value:
        return cls("uint32", scalar=value)

    @classmethod
    def uint64(cls, value: int) -> Value:
        return cls("uint64", scalar=value)

    @classmethod
    def float32(cls, value: float) -> Value:
        return cls("float32", scalar=float(value))

    @classmethod
    def float64(cls, value: float) -> Value:
        return cls("float64", scalar=float(value))

    @classmethod
    def text_(cls, value: Optional[str]) -> Value:
        return cls("text", text=value)

    @classmethod
    def data_(cls, value: Optional[bytes]) -> Value:
        return cls("data", data=None if value is None else bytes(value))

    @classmethod
    def enum(cls, value: int) -> Value:
        return cls("enum", scalar=value)

    @classmethod
    def interface(cls) -> Value:
        return cls("interface")

    @classmethod
    def list_(cls, pointer: Optional[PointerReader]) -> Value:
        return cls("list", pointer=pointer)

    @classmethod
    def struct(cls, pointer: Optional[PointerReader]) -> Value:
        return cls("struct", pointer=pointer)

    @classmethod
    def any_pointer(cls, pointer: Optional[PointerReader]) -> Value:
        return cls("anyPointer", pointer=pointer)

    @classmethod
    def default_for(cls, type_: Type) -> Value:
        """The value capnp gives a field without an explicit default (null for pointers;
        node-translator.c++ ``compileDefaultDefaultValue``)."""
        k = type_.kind
        if k in ("void", "interface", "text", "data", "list", "struct", "anyPointer"):
            return cls(k)
        if k == "bool":
            return cls(k, scalar=False)
        if k.startswith("float"):
            return cls(k, scalar=0.0)
        return cls(k, scalar=0)

    def _key(self) -> Tuple[object, ...]:
        k = self.kind
        if k in ("void", "interface"):
            return (k,)
        if k == "text":
            return (k, self.text)
        if k == "data":
            return (k, self.data)
        if k in _POINTER_KINDS:
            return (k, pointer_canonical_bytes(self.pointer))
        if k == "float32" or k == "float64":
            # Compare floats by their encoding: NaN equals NaN, 0.0 differs from -0.0.
            fmt = _FLOAT32 if k == "float32" else _FLOAT64
            return (k, fmt.pack(float(self.scalar)))
        if k == "bool":
            return (k, bool(self.scalar))
        return (k, int(self.scalar))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Value):
            return NotImplemented
        return self._key() == other._key()

    def __repr__(self) -> str:
        # The constructor call; pointer content is shown as its canonical encoding in hex.
        k = self.kind
        name = "Value." + _CONSTRUCTORS.get(k, k)
        if k in ("void", "interface"):
            return f"{name}()"
        if k == "text":
            return f"{name}({self.text!r})"
        if k == "data":
            return f"{name}({self.data!r})"
        if k in _POINTER_KINDS:
            if self.pointer is None or self.pointer.is_null():
                return f"{name}(None)"
            return f"{name}(<{pointer_canonical_bytes(self.pointer).hex()}>)"
        if isinstance(self.scalar, float) and (math.isnan(self.scalar) or math.isinf(self.scalar)):
            return f"{name}(float({str(self.scalar)!r}))"
        return f"{name}({self.scalar!r})"


@dataclass
class Annotation:
    """``Annotation``: an annotation applied to something; ``brand`` is ``None`` when null."""

    id: int
    value: Value = field(default_factory=Value)
    brand: Optional[Brand] = None


# ---------------------------------------------------------------------------------------------
# Members of nodes


@dataclass
class SlotField:
    """``Field.slot``: a field stored in the struct's data or pointer section.

    ``offset`` is in multiples of the field's size (bits for Bool, pointers for pointer types).
    """

    offset: int
    type: Type
    default_value: Value
    had_explicit_default: bool = False


@dataclass
class GroupField:
    """``Field.group``: a group, whose members are in the node ``type_id``."""

    type_id: int


@dataclass
class Field:
    """``Field``. ``ordinal`` is the explicit ``@N`` (``None`` for ``ordinal.implicit``, which
    groups and unions have)."""

    name: str
    code_order: int
    body: Union[SlotField, GroupField]
    annotations: Optional[List[Annotation]] = None
    discriminant_value: int = NO_DISCRIMINANT
    ordinal: Optional[int] = None

    @property
    def slot(self) -> SlotField:
        if not isinstance(self.body, SlotField):
            raise TypeError(f"field {self.name!r} is a group, not a slot")
        return self.body

    @property
    def group(self) -> GroupField:
        if not isinstance(self.body, GroupField):
            raise TypeError(f"field {self.name!r} is a slot, not a group")
        return self.body


@dataclass
class Enumerant:
    """``Enumerant``."""

    name: str
    code_order: int
    annotations: Optional[List[Annotation]] = None


@dataclass
class Superclass:
    """``Superclass``: an interface an interface extends."""

    id: int
    brand: Optional[Brand] = None


@dataclass
class Method:
    """``Method``."""

    name: str
    code_order: int
    param_struct_type: int
    result_struct_type: int
    implicit_parameters: Optional[List[Parameter]] = None
    param_brand: Optional[Brand] = None
    result_brand: Optional[Brand] = None
    annotations: Optional[List[Annotation]] = None


# ---------------------------------------------------------------------------------------------
# Node bodies: the members of Node's unnamed union


@dataclass
class FileBody:
    """``Node.file``."""


@dataclass
class StructBody:
    """``Node.struct``. ``preferred_list_encoding`` is an :class:`ElementSize`."""

    data_word_count: int = 0
    pointer_count: int = 0
    preferred_list_encoding: int = ElementSize.VOID
    is_group: bool = False
    discriminant_count: int = 0
    discriminant_offset: int = 0
    fields: Optional[List[Field]] = None


@dataclass
class EnumBody:
    """``Node.enum``."""

    enumerants: Optional[List[Enumerant]] = None


@dataclass
class InterfaceBody:
    """``Node.interface``."""

    methods: Optional[List[Method]] = None
    superclasses: Optional[List[Superclass]] = None


@dataclass
class ConstBody:
    """``Node.const``."""

    type: Type
    value: Value


@dataclass
class AnnotationBody:
    """``Node.annotation``: the annotation's type and where it may be applied."""

    type: Type
    targets_file: bool = False
    targets_const: bool = False
    targets_enum: bool = False
    targets_enumerant: bool = False
    targets_struct: bool = False
    targets_field: bool = False
    targets_union: bool = False
    targets_group: bool = False
    targets_interface: bool = False
    targets_method: bool = False
    targets_param: bool = False
    targets_annotation: bool = False

    def targets(self) -> Dict[str, bool]:
        """The flags by target name (``"file"``, ``"const"``, ...)."""
        return {name: bool(getattr(self, "targets_" + name)) for name in ANNOTATION_TARGET_NAMES}


_B = TypeVar("_B", FileBody, StructBody, EnumBody, InterfaceBody, ConstBody, AnnotationBody)

NodeBody = Union[FileBody, StructBody, EnumBody, InterfaceBody, ConstBody, AnnotationBody]

_BODY_NAMES: Dict[type, str] = {
    FileBody: "file",
    StructBody: "struct",
    EnumBody: "enum",
    InterfaceBody: "interface",
    ConstBody: "const",
    AnnotationBody: "annotation",
}


@dataclass
class Node:
    """``Node``: one file, struct (or group, or method parameter struct), enum, interface, const
    or annotation.  ``body`` is the member of the node's union."""

    id: int
    display_name: str
    display_name_prefix_length: int
    scope_id: int = 0
    body: NodeBody = field(default_factory=FileBody)
    parameters: Optional[List[Parameter]] = None
    is_generic: bool = False
    nested_nodes: Optional[List[NestedNode]] = None
    annotations: Optional[List[Annotation]] = None

    @property
    def which(self) -> str:
        """The union member in use: ``"file"``, ``"struct"``, ``"enum"``, ``"interface"``,
        ``"const"`` or ``"annotation"``."""
        return _BODY_NAMES[type(self.body)]

    @property
    def short_name(self) -> str:
        """The display name without its prefix (the node's own name)."""
        return self.display_name[self.display_name_prefix_length :]

    # Typed access to the body, for code that knows what kind of node it has.
    @property
    def struct(self) -> StructBody:
        return self._body(StructBody)

    @property
    def enum(self) -> EnumBody:
        return self._body(EnumBody)

    @property
    def interface(self) -> InterfaceBody:
        return self._body(InterfaceBody)

    @property
    def const(self) -> ConstBody:
        return self._body(ConstBody)

    @property
    def annotation(self) -> AnnotationBody:
        return self._body(AnnotationBody)

    def _body(self, cls: _ClassOf[_B]) -> _B:
        body = self.body
        if not isinstance(body, cls):
            raise TypeError(
                f"node {self.display_name!r} is a {self.which}, not a {_BODY_NAMES[cls]}"
            )
        return body


# ---------------------------------------------------------------------------------------------
# Source info and the request


@dataclass
class SourceInfoMember:
    """``Node.SourceInfo.Member``."""

    doc_comment: Optional[str] = None


@dataclass
class SourceInfo:
    """``Node.SourceInfo``: what a code generator may want that is not part of the schema
    proper.  ``members`` are the node's fields (in code order), enumerants or methods."""

    id: int
    doc_comment: Optional[str] = None
    members: Optional[List[SourceInfoMember]] = None


@dataclass
class CapnpVersion:
    """``CapnpVersion``."""

    major: int = 0
    minor: int = 0
    micro: int = 0


@dataclass
class Import:
    """``CodeGeneratorRequest.RequestedFile.Import``: an import as written in the file."""

    id: int
    name: str


@dataclass
class RequestedFile:
    """``CodeGeneratorRequest.RequestedFile``."""

    id: int
    filename: str
    imports: Optional[List[Import]] = None


@dataclass
class CodeGeneratorRequest:
    """``CodeGeneratorRequest``: what ``capnp compile`` sends a code generator."""

    nodes: Optional[List[Node]] = None
    requested_files: Optional[List[RequestedFile]] = None
    capnp_version: Optional[CapnpVersion] = None
    source_info: Optional[List[SourceInfo]] = None

    def node_map(self) -> Dict[int, Node]:
        """The nodes by id."""
        return {n.id: n for n in self.nodes or ()}
