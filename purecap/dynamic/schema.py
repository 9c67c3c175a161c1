"""Schemas at run time: resolved types, the registry of loaded nodes, and per-struct field tables.

A :class:`Registry` holds the nodes of one compiled request and makes, on demand and once each,
the run-time objects for them: a :class:`~purecap.dynamic.structs.StructType` per struct *and
brand* (``Map(Text, Int32)`` and ``Map(Text, Data)`` are two types), an enum class per enum, an
:class:`InterfaceType` per interface and brand.

Field types are resolved against the brand once, into :class:`DynType` objects: a generic
parameter becomes the type bound to it, or AnyPointer when unbound (the reference's rule,
schema-loader.c++ ``makeBranded``: an unbound parameter is "any pointer").

A :class:`StructSchema` is the field table of one struct type: for each field a
:class:`FieldInfo` with everything reading or writing it needs - byte or bit offset, pointer
index, precompiled :class:`struct.Struct`, the default's bits for the XOR - and the small accessor
functions built from those (:mod:`purecap.dynamic.accessors`), so that reading a field walks no
schema.
"""

from __future__ import annotations

import keyword
import struct
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    FrozenSet,
    List,
    Mapping,
    Optional,
    Tuple,
)

from purecap.dynamic.enums import EnumSchema, UnionTag, make_enum_class
from purecap.dynamic.errors import SchemaUsageError, UnknownField, WrongValueType, did_you_mean
from purecap.schema import model
from purecap.wire.pointers import ElementSize

if TYPE_CHECKING:
    from purecap.dynamic.lists import ListType
    from purecap.dynamic.structs import StructType

__all__ = [
    "DynType",
    "PRIMITIVES",
    "ANY_POINTER",
    "Registry",
    "FieldInfo",
    "StructSchema",
    "InterfaceType",
    "MethodInfo",
    "type_name",
]

# Bytes per value of each data type (0: Void, Bool counts in bits).
DATA_SIZES: Dict[str, int] = {
    "void": 0, "int8": 1, "uint8": 1, "int16": 2, "uint16": 2, "enum": 2, "int32": 4,
    "uint32": 4, "float32": 4, "int64": 8, "uint64": 8, "float64": 8,
}  # fmt: skip

# The struct format of each data type, as stored (floats as their unsigned bit patterns are in
# FLOAT_BITS_FORMATS: defaults XOR the bits).
FORMATS: Dict[str, struct.Struct] = {
    "int8": struct.Struct("<b"), "uint8": struct.Struct("<B"),
    "int16": struct.Struct("<h"), "uint16": struct.Struct("<H"), "enum": struct.Struct("<H"),
    "int32": struct.Struct("<i"), "uint32": struct.Struct("<I"),
    "int64": struct.Struct("<q"), "uint64": struct.Struct("<Q"),
    "float32": struct.Struct("<f"), "float64": struct.Struct("<d"),
}  # fmt: skip
FLOAT_BITS_FORMATS: Dict[str, struct.Struct] = {
    "float32": struct.Struct("<I"), "float64": struct.Struct("<Q"),
}  # fmt: skip

# Inclusive ranges of the integer types.
INT_RANGES: Dict[str, Tuple[int, int]] = {
    "int8": (-(1 << 7), (1 << 7) - 1), "uint8": (0, (1 << 8) - 1),
    "int16": (-(1 << 15), (1 << 15) - 1), "uint16": (0, (1 << 16) - 1),
    "int32": (-(1 << 31), (1 << 31) - 1), "uint32": (0, (1 << 32) - 1),
    "int64": (-(1 << 63), (1 << 63) - 1), "uint64": (0, (1 << 64) - 1),
}  # fmt: skip

# The element size a list of each type has on the wire (encoding spec, "Lists").
_ELEMENT_SIZES: Dict[str, int] = {
    "void": ElementSize.VOID, "bool": ElementSize.BIT,
    "int8": ElementSize.BYTE, "uint8": ElementSize.BYTE,
    "int16": ElementSize.TWO_BYTES, "uint16": ElementSize.TWO_BYTES,
    "enum": ElementSize.TWO_BYTES,
    "int32": ElementSize.FOUR_BYTES, "uint32": ElementSize.FOUR_BYTES,
    "float32": ElementSize.FOUR_BYTES,
    "int64": ElementSize.EIGHT_BYTES, "uint64": ElementSize.EIGHT_BYTES,
    "float64": ElementSize.EIGHT_BYTES,
    "text": ElementSize.POINTER, "data": ElementSize.POINTER, "list": ElementSize.POINTER,
    "interface": ElementSize.POINTER, "anyPointer": ElementSize.POINTER,
    "struct": ElementSize.INLINE_COMPOSITE,
}  # fmt: skip

# The names capnp's schema language gives the built-in types (for messages and type_name).
_SCHEMA_NAMES: Dict[str, str] = {
    "void": "Void", "bool": "Bool", "int8": "Int8", "int16": "Int16", "int32": "Int32",
    "int64": "Int64", "uint8": "UInt8", "uint16": "UInt16", "uint32": "UInt32",
    "uint64": "UInt64", "float32": "Float32", "float64": "Float64", "text": "Text",
    "data": "Data",
}  # fmt: skip
_ANY_NAMES = {"anyKind": "AnyPointer", "struct": "AnyStruct", "list": "AnyList",
              "capability": "Capability"}  # fmt: skip

#: Per-scope bindings of generic parameters: scope id -> the types bound, by parameter index.
Bindings = Mapping[int, Tuple["DynType", ...]]
BindingsKey = Tuple[Tuple[int, Tuple[Any, ...]], ...]


class DynType:
    """A schema type with its brand resolved: what a field, list element or constant holds.

    ``kind`` is the ``Type`` union member name (``"int32"``, ``"text"``, ``"list"``,
    ``"struct"``, ``"anyPointer"``...). ``element`` is set for lists, ``struct`` for structs and
    groups, ``enum`` (the enum class) for enums, ``interface`` for interfaces, ``any_kind``
    (``"anyKind"``, ``"struct"``, ``"list"``, ``"capability"``) for AnyPointer.
    """

    __slots__ = ("kind", "element", "struct", "enum", "interface", "any_kind", "key",
                 "element_size", "_list_type", "_list_of")  # fmt: skip

    def __init__(
        self,
        kind: str,
        *,
        element: Optional[DynType] = None,
        struct: Optional[StructType] = None,
        enum: Optional[type] = None,
        interface: Optional[InterfaceType] = None,
        any_kind: str = "anyKind",
        key: Any = None,
    ) -> None:
        self.kind = kind
        self.element = element
        self.struct = struct
        self.enum = enum
        self.interface = interface
        self.any_kind = any_kind
        self.key: Any = key if key is not None else kind
        #: The element size of a list whose elements have this type.
        self.element_size: int = _ELEMENT_SIZES[kind]
        self._list_type: Optional[ListType] = None
        self._list_of: Optional[DynType] = None  # List(this type), made by list_of

    @property
    def is_pointer(self) -> bool:
        return self.element_size >= ElementSize.POINTER

    def list_type(self) -> ListType:
        """The list machinery for lists whose elements are of this type (made once)."""
        lt = self._list_type
        if lt is None:
            from purecap.dynamic.lists import ListType

            lt = self._list_type = ListType(self)
        return lt

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DynType) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"<type {type_name(self)}>"


def type_name(t: DynType) -> str:
    """The type as the schema language writes it: ``List(Int32)``, ``Person``, ``AnyPointer``."""
    k = t.kind
    if k in _SCHEMA_NAMES:
        return _SCHEMA_NAMES[k]
    if k == "list":
        assert t.element is not None
        return f"List({type_name(t.element)})"
    if k == "struct":
        assert t.struct is not None
        return t.struct.name
    if k == "enum":
        assert t.enum is not None
        return t.enum.__name__
    if k == "interface":
        assert t.interface is not None
        return t.interface.name
    return _ANY_NAMES.get(t.any_kind, "AnyPointer")


PRIMITIVES: Dict[str, DynType] = {k: DynType(k) for k in _SCHEMA_NAMES}
ANY_POINTER = DynType("anyPointer", key=("anyPointer", "anyKind"))
_ANY_VARIANTS: Dict[str, DynType] = {
    k: (ANY_POINTER if k == "anyKind" else DynType("anyPointer", any_kind=k, key=("anyPointer", k)))
    for k in _ANY_NAMES
}


def list_of(element: DynType) -> DynType:
    """``List(element)``: one object per element type, kept by the element type itself. (Not
    in a table by key: the types of two loaded schemas can have equal keys, and a global table
    would keep every schema that ever made a list alive.)"""
    t = element._list_of
    if t is None:
        t = element._list_of = DynType("list", element=element, key=("list", element.key))
    return t


def bindings_key(bindings: Bindings) -> BindingsKey:
    return tuple(sorted((scope, tuple(t.key for t in types)) for scope, types in bindings.items()))


# ---------------------------------------------------------------------------------------------
# The registry


class Registry:
    """The nodes of one loaded schema request and the run-time types made from them."""

    def __init__(self, nodes: Mapping[int, model.Node]) -> None:
        self.nodes: Dict[int, model.Node] = dict(nodes)
        self._structs: Dict[Tuple[int, BindingsKey], StructType] = {}
        self._interfaces: Dict[Tuple[int, BindingsKey], InterfaceType] = {}
        self._enums: Dict[int, type] = {}
        #: The module name under which ``import`` finds this schema (set by the import hook),
        #: so that a pickled value can name where its schema comes from.
        self.import_name: Optional[str] = None

    def node(self, node_id: int) -> model.Node:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise SchemaUsageError(
                f"schema node 0x{node_id:016x} is not part of the loaded schema"
            ) from None

    # -- types by node -------------------------------------------------------------------------

    def struct_type(self, node_id: int, bindings: Optional[Bindings] = None) -> StructType:
        """The struct type of node ``node_id`` under ``bindings`` (made once per brand)."""
        bindings = _normalize(bindings or {})
        key = (node_id, bindings_key(bindings))
        st = self._structs.get(key)
        if st is None:
            from purecap.dynamic.structs import StructType

            node = self.node(node_id)
            if not isinstance(node.body, model.StructBody):
                raise SchemaUsageError(f"{node.display_name} is a {node.which}, not a struct")
            st = StructType(self, node, bindings, key)
            self._structs[key] = st
        return st

    def interface_type(self, node_id: int, bindings: Optional[Bindings] = None) -> InterfaceType:
        bindings = _normalize(bindings or {})
        key = (node_id, bindings_key(bindings))
        it = self._interfaces.get(key)
        if it is None:
            node = self.node(node_id)
            if not isinstance(node.body, model.InterfaceBody):
                raise SchemaUsageError(f"{node.display_name} is a {node.which}, not an interface")
            it = InterfaceType(self, node, bindings, key)
            self._interfaces[key] = it
        return it

    def enum_class(self, node_id: int) -> type:
        cls = self._enums.get(node_id)
        if cls is None:
            node = self.node(node_id)
            body = node.enum
            # Enumerants are listed in ordinal order, and an enumerant's value is its ordinal.
            names = [e.name for e in body.enumerants or ()]
            cls = make_enum_class(node.short_name, _qualname(node), names)
            setattr(cls, "schema", EnumSchema(node, names))
            setattr(cls, "dyn_type", DynType("enum", enum=cls, key=("enum", node_id)))
            self._enums[node_id] = cls
        return cls

    def type_from_key(self, key: Any) -> DynType:
        """The type whose :attr:`DynType.key` is ``key`` (made of kind names and node ids, so
        it survives pickling), resolved in this registry: the inverse of ``DynType.key``."""
        try:
            if isinstance(key, str):
                return PRIMITIVES[key]
            kind, rest = key
            if kind == "list":
                return list_of(self.type_from_key(rest))
            if kind == "enum":
                enum_type: DynType = getattr(self.enum_class(rest), "dyn_type")
                return enum_type
            if kind == "anyPointer":
                return _ANY_VARIANTS[rest]
            node_id, brand = rest
            if kind == "struct":
                return self.struct_type(node_id, self.bindings_from_key(brand)).dyn_type
            if kind == "interface":
                return self.interface_type(node_id, self.bindings_from_key(brand)).dyn_type
        except (KeyError, TypeError, ValueError):
            pass
        raise SchemaUsageError(f"{key!r} describes no type")

    def bindings_from_key(self, key: BindingsKey) -> Dict[int, Tuple[DynType, ...]]:
        """The bindings whose :func:`bindings_key` is ``key`` (see :meth:`type_from_key`)."""
        return {scope: tuple(self.type_from_key(k) for k in keys) for scope, keys in key}

    # -- resolving types -----------------------------------------------------------------------

    def resolve(self, t: model.Type, bindings: Bindings) -> DynType:
        """``t`` as it is in a scope whose generic parameters are bound by ``bindings``."""
        k = t.kind
        prim = PRIMITIVES.get(k)
        if prim is not None:
            return prim
        if k == "list":
            assert t.element_type is not None
            return list_of(self.resolve(t.element_type, bindings))
        if k == "enum":
            enum_type: DynType = getattr(self.enum_class(t.type_id), "dyn_type")
            return enum_type
        if k == "struct":
            st = self.struct_type(t.type_id, self.brand_bindings(t.brand, bindings))
            return st.dyn_type
        if k == "interface":
            it = self.interface_type(t.type_id, self.brand_bindings(t.brand, bindings))
            return it.dyn_type
        # AnyPointer: a generic parameter takes what its scope binds (unbound: AnyPointer).
        if t.any_pointer_kind == "parameter":
            bound = bindings.get(t.scope_id)
            if bound is not None and t.parameter_index < len(bound):
                return bound[t.parameter_index]
            return ANY_POINTER
        if t.any_pointer_kind == "implicitMethodParameter":
            return ANY_POINTER
        return _ANY_VARIANTS.get(t.unconstrained_kind, ANY_POINTER)

    def brand_bindings(
        self, brand: Optional[model.Brand], context: Bindings
    ) -> Dict[int, Tuple[DynType, ...]]:
        """The bindings a reference's brand gives the referenced node's scopes. ``inherit``
        takes the enclosing scope's bindings (a reference from inside a generic struct to its own
        nested types); parameters in bound types are resolved in ``context``."""
        out: Dict[int, Tuple[DynType, ...]] = {}
        for scope in (brand.scopes if brand is not None else None) or ():
            if scope.inherit:
                inherited = context.get(scope.scope_id)
                if inherited is not None:
                    out[scope.scope_id] = inherited
            else:
                out[scope.scope_id] = tuple(
                    ANY_POINTER if b.type is None else self.resolve(b.type, context)
                    for b in scope.bind or ()
                )
        return out


def _normalize(bindings: Bindings) -> Dict[int, Tuple[DynType, ...]]:
    # A scope bound to nothing but AnyPointer is the same as an unbound one: one type, one key.
    return {s: ts for s, ts in bindings.items() if any(t is not ANY_POINTER for t in ts)}


def _qualname(node: model.Node) -> str:
    """``Outer.Inner``: the display name after the file name."""
    name = node.display_name
    colon = name.rfind(":")
    return name[colon + 1 :] if colon >= 0 else node.short_name


# ---------------------------------------------------------------------------------------------
# Field tables

#: How a field is stored: in the data section (``"data"``, ``"bool"``, ``"void"``), the pointer
#: section (``"pointer"``) or as a group sharing its parent's sections (``"group"``).
SLOT_KINDS = ("data", "bool", "void", "pointer", "group")

Getter = Callable[[Any], Any]
Setter = Callable[[Any, Any], None]


def _no_setter(obj: Any, value: Any) -> None:  # pragma: no cover - replaced by accessors
    raise SchemaUsageError("field accessors were not built")


class FieldInfo:
    """One field of a struct type, with its precomputed layout and accessors.

    ``byte_offset`` (data fields), ``bit_offset`` (Bool) or ``pointer`` (pointer fields) locate
    it; ``fmt`` is its precompiled struct format; ``default`` is what the XOR uses for data fields
    (the default's bits) or, for pointer fields, the default value itself (a ``str``, ``bytes``,
    or a wire reader of a struct or list in a message of its own), ``None`` when null.
    ``discriminant`` is its value in the union, ``None`` outside any union.
    """

    __slots__ = (
        "name", "index", "code_order", "discriminant", "slot_kind", "type", "byte_offset",
        "bit_offset", "pointer", "fmt", "default", "model", "pointer_slots", "get_r", "get_b",
        "set_b", "set_checked", "init_b", "ordinal",
    )  # fmt: skip

    def __init__(self, name: str, index: int, field: model.Field, type_: DynType) -> None:
        self.name = name
        self.index = index
        self.code_order = field.code_order
        self.ordinal = field.ordinal
        self.discriminant: Optional[int] = (
            None if field.discriminant_value == model.NO_DISCRIMINANT else field.discriminant_value
        )
        self.type = type_
        self.model = field
        self.slot_kind = "group"
        self.byte_offset = 0
        self.bit_offset = 0
        self.pointer = -1
        self.fmt: Optional[struct.Struct] = None
        self.default: Any = None
        #: The pointer slots this field occupies (all of a group's): cleared when a union switches.
        self.pointer_slots: FrozenSet[int] = frozenset()
        self.get_r: Getter = _no_getter
        self.get_b: Getter = _no_getter
        #: The fast setter: for numbers it lets struct.pack_into check the value, so a bad one
        #: raises struct.error, OverflowError or TypeError; callers then use ``set_checked``,
        #: which stores what is valid and raises the precise error for the rest.
        self.set_b: Setter = _no_setter
        self.set_checked: Setter = _no_setter
        self.init_b: Callable[[Any, Optional[int]], Any] = _no_init

    @property
    def is_pointer(self) -> bool:
        return self.slot_kind == "pointer"

    def __repr__(self) -> str:
        return f"<field {self.name} :{type_name(self.type)}>"


def _no_getter(obj: Any) -> Any:  # pragma: no cover - replaced by accessors
    raise SchemaUsageError("field accessors were not built")


def _no_init(obj: Any, size: Optional[int]) -> Any:  # pragma: no cover - replaced by accessors
    raise SchemaUsageError("field accessors were not built")


class StructSchema:
    """The field table of one struct type (or group), built once."""

    def __init__(self, struct_type: StructType) -> None:
        from purecap.dynamic import accessors

        self.struct_type = struct_type
        node = struct_type.node
        body = node.struct
        self.node = node
        self.data_words = body.data_word_count
        self.pointer_count = body.pointer_count
        self.is_group = body.is_group
        #: Byte offset of the union's discriminant, -1 when the struct has no unnamed union.
        self.discriminant_offset = body.discriminant_offset * 2 if body.discriminant_count else -1
        registry = struct_type.registry
        bindings = struct_type.bindings
        fields: List[FieldInfo] = []
        for index, f in enumerate(body.fields or ()):
            if isinstance(f.body, model.GroupField):
                group = registry.struct_type(f.body.type_id, bindings)
                info = FieldInfo(f.name, index, f, group.dyn_type)
            else:
                info = FieldInfo(f.name, index, f, registry.resolve(f.body.type, bindings))
                _layout(info, f.body)
            fields.append(info)
        # pycapnp's names: fields (by name), fields_list, fieldnames, union_fields and
        # non_union_fields (names); and the FieldInfo tuples the accessors walk.
        self.fields_list: Tuple[FieldInfo, ...] = tuple(fields)
        self.fields: Dict[str, FieldInfo] = {f.name: f for f in fields}
        self.fieldnames: Tuple[str, ...] = tuple(f.name for f in fields)
        self.union_members: Tuple[FieldInfo, ...] = tuple(
            f for f in fields if f.discriminant is not None
        )
        self.non_union_members: Tuple[FieldInfo, ...] = tuple(
            f for f in fields if f.discriminant is None
        )
        self.union_fields: Tuple[str, ...] = tuple(f.name for f in self.union_members)
        self.non_union_fields: Tuple[str, ...] = tuple(f.name for f in self.non_union_members)
        by_discriminant: List[Optional[FieldInfo]] = [None] * len(self.union_members)
        for member in self.union_members:
            assert member.discriminant is not None
            if member.discriminant < len(by_discriminant):
                by_discriminant[member.discriminant] = member
        self.union_by_discriminant: Tuple[Optional[FieldInfo], ...] = tuple(by_discriminant)
        #: ``which()`` results, by discriminant.
        self.tags: Tuple[UnionTag, ...] = tuple(
            UnionTag(m.name if m is not None else "", d) for d, m in enumerate(by_discriminant)
        )
        self._unknown_tags: Dict[int, UnionTag] = {}
        for info in fields:
            accessors.build(info, self)

    # -- groups and unions -----------------------------------------------------------------------

    def finish_pointer_slots(self) -> None:
        """Each field's pointer slots (a group's are its members', recursively)."""
        for f in self.fields_list:
            f.pointer_slots = _pointer_slots(f)

    def tag(self, discriminant: int) -> UnionTag:
        tags = self.tags
        if discriminant < len(tags):
            return tags[discriminant]
        tag = self._unknown_tags.get(discriminant)
        if tag is None:
            tag = self._unknown_tags[discriminant] = UnionTag("", discriminant)
        return tag

    def field(self, name: str) -> FieldInfo:
        """The field called ``name`` (a trailing ``_`` is dropped: ``from_`` is ``from``)."""
        f = self.fields.get(name)
        if f is None:
            if not isinstance(name, str):
                raise WrongValueType(f"field names are str, not {type(name).__name__}")
            if name.endswith("_") and name[:-1] in self.fields:
                return self.fields[name[:-1]]
            raise UnknownField(
                f"{self.struct_type.name} has no field {name!r}"
                + did_you_mean(name, self.fieldnames)
            )
        return f

    def get_proto(self) -> model.Node:
        """The schema node (pycapnp's name)."""
        return self.node

    def __repr__(self) -> str:
        return f"<schema of {self.struct_type.name}: {', '.join(self.fieldnames)}>"


def _pointer_slots(f: FieldInfo) -> FrozenSet[int]:
    if f.slot_kind == "pointer":
        return frozenset((f.pointer,))
    if f.slot_kind != "group":
        return frozenset()
    assert f.type.struct is not None
    out: FrozenSet[int] = frozenset()
    for member in f.type.struct.schema.fields_list:
        out |= _pointer_slots(member)
    return out


def _layout(info: FieldInfo, slot: model.SlotField) -> None:
    """Fill in where a slot field lives and what its default is (offsets as in schema.capnp:
    in units of the field's own size)."""
    from purecap.dynamic.values import pointer_default
    from purecap.wire.defaults import float32_bits, float64_bits

    t = info.type
    k = t.kind
    value = slot.default_value
    if k == "void":
        info.slot_kind = "void"
    elif k == "bool":
        info.slot_kind = "bool"
        info.bit_offset = slot.offset
        info.default = bool(value.scalar) if value.kind == "bool" else False
    elif k in DATA_SIZES:
        info.slot_kind = "data"
        info.byte_offset = slot.offset * DATA_SIZES[k]
        if k in FLOAT_BITS_FORMATS:
            number = float(value.scalar) if value.kind == k else 0.0
            info.default = float32_bits(number) if k == "float32" else float64_bits(number)
            info.fmt = FORMATS[k] if info.default == 0 else FLOAT_BITS_FORMATS[k]
        else:
            info.fmt = FORMATS[k]
            info.default = int(value.scalar) if value.kind == k else 0
    else:
        info.slot_kind = "pointer"
        info.pointer = slot.offset
        info.default = pointer_default(t, value)


# ---------------------------------------------------------------------------------------------
# Interfaces (declared only: calling methods is the RPC layer's business)


class MethodInfo:
    """One method of an interface: its name, ordinal and parameter and result struct types."""

    def __init__(
        self, interface: InterfaceType, ordinal: int, method: model.Method
    ) -> None:
        self.interface = interface
        self.name = method.name
        self.ordinal = ordinal
        self.model = method
        registry = interface.registry
        self.param_type = registry.struct_type(
            method.param_struct_type,
            registry.brand_bindings(method.param_brand, interface.bindings),
        )
        self.result_type = registry.struct_type(
            method.result_struct_type,
            registry.brand_bindings(method.result_brand, interface.bindings),
        )

    def __repr__(self) -> str:
        return (
            f"<method {self.interface.name}.{self.name} @{self.ordinal} "
            f"({self.param_type.name}) -> ({self.result_type.name})>"
        )


class InterfaceType:
    """An interface: its methods (``methods[name]``, with their parameter and result struct
    types), superclasses and nested declarations (as attributes)."""

    def __init__(
        self,
        registry: Registry,
        node: model.Node,
        bindings: Dict[int, Tuple[DynType, ...]],
        key: Tuple[int, BindingsKey],
    ) -> None:
        self.registry = registry
        self.node = node
        self.schema = node
        self.bindings = bindings
        self.name = _qualname(node)
        self.key = key
        self.dyn_type = DynType("interface", interface=self, key=("interface", key))
        self._methods: Optional[Dict[str, MethodInfo]] = None

    @property
    def id(self) -> int:
        return self.node.id

    @property
    def methods(self) -> Dict[str, MethodInfo]:
        """The methods by name, in ordinal order (resolved on first use)."""
        if self._methods is None:
            body = self.node.interface
            self._methods = {
                m.name: MethodInfo(self, i, m) for i, m in enumerate(body.methods or ())
            }
        return self._methods

    @property
    def superclasses(self) -> List[InterfaceType]:
        body = self.node.interface
        return [
            self.registry.interface_type(
                s.id, self.registry.brand_bindings(s.brand, self.bindings)
            )
            for s in body.superclasses or ()
        ]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise UnknownField(
            f"interface {self.name} has no nested declaration or attribute {name!r}"
            + did_you_mean(name, [k for k in vars(self) if not k.startswith("_")])
        )

    def __repr__(self) -> str:
        return f"<interface {self.name}>"


def python_name(name: str) -> str:
    """A field or declaration name usable as a Python attribute (``from`` becomes ``from_``)."""
    return name + "_" if keyword.iskeyword(name) else name
