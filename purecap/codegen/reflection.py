"""Reflection for generated code: the schema a generated module embeds, read on first use.

A generated module ends with ``_SCHEMA``, a :class:`~purecap.codegen.runtime.ModuleSchema`: the
schema nodes of its file in their wire encoding (a packed ``CodeGeneratorRequest`` in base64),
as the C++ generator embeds ``capnp::schemas::s_<id>`` behind ``capnp::Schema::from<T>()``. This
module decodes them the first time a program asks, never at import:

* ``Person.schema`` - on any struct, group, enum or interface class - is a :class:`StructSchema`,
  :class:`EnumSchema` or :class:`InterfaceSchema`: fields (enumerants, methods) with their Python
  names, types and annotations; ``node``, the schema node as the compiler models it
  (:class:`purecap.schema.model.Node`); and ``dynamic``, the dynamic API's type for the same node
  (:mod:`purecap.dynamic`), which can do everything the types of ``purecap.load()`` do;
* ``annotations`` (of a node, field, enumerant or method) is an :class:`Annotations` mapping,
  annotation name -> value, the values decoded as the dynamic API decodes constants;
* ``str(reader)``, ``reader.to_dict()`` and ``reader.to_json()`` view the reader's wire struct
  through that dynamic type (:func:`dynamic_view`, no copy) and print it with the dynamic API's
  text format, dict and JSON writers; ``Person.from_dict(d)`` and ``Person.from_json(text)``
  make a new message and fill the same view of its root with the dynamic API's dict and JSON
  readers (:func:`fill_from_dict`, :func:`fill_from_json`), handing back the generated builder.

A module embeds only the nodes of its own file (and of annotations it uses from files it does not
import, with their types); the nodes of the types it uses from other files come from those
files' generated modules, which it imports. Node display names are written relative to their
file's directory (``schema.capnp:Node``, not ``capnp/schema.capnp:Node``), so that a module does
not depend on where it was compiled from.
"""

from __future__ import annotations

import base64
import binascii
import sys
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from purecap.codegen.emitter import enumerant_names, field_names
from purecap.codegen.runtime import GroupBuilderBase, GroupReaderBase, ModuleSchema
from purecap.dynamic.schema import DynType, FieldInfo, InterfaceType, MethodInfo, Registry
from purecap.dynamic.schema import type_name as _type_name
from purecap.dynamic.structs import StructType
from purecap.dynamic.values import constant_value
from purecap.errors import PurecapError
from purecap.schema import model
from purecap.schema.nodes import read_request
from purecap.wire.errors import DecodeError, NestingLimitExceeded
from purecap.wire.message import read_packed_message

__all__ = [
    "Annotation",
    "Annotations",
    "EnumSchema",
    "EnumerantSchema",
    "FieldSchema",
    "InterfaceSchema",
    "MethodSchema",
    "NoSchema",
    "NodeSchema",
    "StructSchema",
    "dynamic_view",
    "file_schema",
    "fill_from_dict",
    "fill_from_json",
    "schema_of",
]


class NoSchema(PurecapError, AttributeError):
    """A class or module without an embedded schema node (an AttributeError: ``hasattr(cls,
    "schema")`` is false for a ``Which`` enum, say)."""


# ---------------------------------------------------------------------------------------------
# Decoding a module's nodes


class _Loaded:
    """One module's decoded nodes, the registry of them and its imports' (made when a schema is
    first asked for), and the schema objects made so far, by node id."""

    def __init__(self, module_schema: ModuleSchema) -> None:
        self.module_schema = module_schema
        self.nodes: Dict[int, model.Node] = {n.id: n for n in _decode(module_schema)}
        self._registry: Optional[Registry] = None
        self.schemas: Dict[int, NodeSchema] = {}

    @property
    def registry(self) -> Registry:
        registry = self._registry
        if registry is None:
            nodes: Dict[int, model.Node] = {}
            for loaded in _with_imports(self):
                nodes.update(loaded.nodes)
            registry = self._registry = Registry(nodes)
        return registry

    def schema(self, node_id: int) -> NodeSchema:
        found = self.schemas.get(node_id)
        if found is None:
            node = self.registry.nodes.get(node_id)
            if node is None:
                raise NoSchema(f"no embedded schema holds node 0x{node_id:016x}")
            body = node.body
            if isinstance(body, model.StructBody):
                found = StructSchema(self, node)
            elif isinstance(body, model.EnumBody):
                found = EnumSchema(self, node)
            elif isinstance(body, model.InterfaceBody):
                found = InterfaceSchema(self, node)
            else:
                found = NodeSchema(self, node)
            self.schemas[node_id] = found
        return found


def _decode(module_schema: ModuleSchema) -> List[model.Node]:
    try:
        data = base64.b64decode("".join(module_schema.data.split()), validate=True)
    except (binascii.Error, ValueError):
        raise DecodeError("a generated module's embedded schema is not base64") from None
    return read_request(read_packed_message(data)).nodes or []


def _loaded(module_schema: ModuleSchema) -> _Loaded:
    state = module_schema.state
    if not isinstance(state, _Loaded):
        state = module_schema.state = _Loaded(module_schema)
    return state


def _module_schema(module: Any, name: str) -> ModuleSchema:
    found = getattr(module, "_SCHEMA", None)
    if not isinstance(found, ModuleSchema):
        raise NoSchema(
            f"module {name} embeds no schema (made by an older purecap.codegen? regenerate it)"
        )
    return found


def _with_imports(first: _Loaded) -> Iterator[_Loaded]:
    """``first``'s imports, theirs, ... and ``first`` last (its own nodes win)."""
    order: List[_Loaded] = []
    seen = {id(first.module_schema)}
    stack = [first]
    while stack:
        loaded = stack.pop()
        order.append(loaded)
        for module in loaded.module_schema.imports:
            ms = _module_schema(module, getattr(module, "__name__", "?"))
            if id(ms) not in seen:
                seen.add(id(ms))
                stack.append(_loaded(ms))
    return reversed(order)


# ---------------------------------------------------------------------------------------------
# From generated classes to schemas and dynamic views

_BY_CLASS: Dict[type, Any] = {}
_DYNAMIC_BY_CLASS: Dict[type, StructType] = {}


def schema_of(cls: type) -> Any:
    """The schema object of a generated namespace or enum class (what ``cls.schema`` is)."""
    found = _BY_CLASS.get(cls)
    if found is None:
        node_id = getattr(cls, "type_id", None)
        if not node_id:
            raise NoSchema(f"{cls.__qualname__} stands for no schema node")
        module = sys.modules.get(cls.__module__)
        found = _loaded(_module_schema(module, cls.__module__)).schema(node_id)
        _BY_CLASS[cls] = found
    return found


def _namespace_of(cls: type) -> type:
    """``Person`` for ``Person_Reader`` or ``Person_Builder``: generated modules name a type's
    classes after its module-level namespace class."""
    name = cls.__name__
    for suffix in ("_Reader", "_Builder"):
        if name.endswith(suffix):
            ns = getattr(sys.modules.get(cls.__module__), name[: -len(suffix)], None)
            if isinstance(ns, type):
                return ns
    raise NoSchema(f"{cls.__qualname__} is not a generated reader or builder class")


def dynamic_view(value: object) -> Any:
    """The dynamic API's reader (or builder) of the wire struct a generated reader (or builder)
    holds: the same bytes, seen through the dynamic type of the same schema node. A generic
    struct's own reader is seen with its parameters unbound (AnyPointer)."""
    cls = type(value)
    st = _DYNAMIC_BY_CLASS.get(cls)
    if st is None:
        schema = schema_of(_namespace_of(cls))
        assert isinstance(schema, StructSchema)
        st = _DYNAMIC_BY_CLASS[cls] = schema.dynamic
    if isinstance(value, GroupReaderBase):
        return st.wrap_reader(value._r)
    if isinstance(value, GroupBuilderBase):
        return st.wrap_builder(value._b)
    raise NoSchema(f"{cls.__qualname__} is not a generated reader or builder class")


def fill_from_dict(builder: object, value: Mapping[str, Any]) -> None:
    """Set the fields of a generated builder from plain data, through its dynamic view: the
    dynamic API's ``from_dict`` (its rules, its errors), writing into the builder's own struct.
    The dynamic API takes a ``dict``; any other mapping is copied into one first. Data nested
    deeper than the interpreter's recursion limit is a NestingLimitExceeded, as for
    ``to_dict()`` (the JSON reader refuses more than 64 levels, as the reference's does)."""
    if isinstance(value, Mapping) and not isinstance(value, dict):
        value = dict(value)
    try:
        dynamic_view(builder).from_dict(value)
    except RecursionError:
        raise NestingLimitExceeded("the value is nested too deeply to build") from None


def fill_from_json(builder: object, text: Union[str, bytes]) -> None:
    """Set the fields of a generated builder from JSON, through its dynamic view, as the
    reference's JSON codec reads it (:func:`purecap.formats.json.decode_into`)."""
    from purecap.formats.json import decode_into  # (only for JSON: it is not small)

    decode_into(text, dynamic_view(builder))


def file_schema(module: Any) -> NodeSchema:
    """The schema of a generated module's file (its ``annotations``, its ``node``)."""
    name = getattr(module, "__name__", "?")
    ms = _module_schema(module, name)
    return _loaded(ms).schema(ms.file_id)


# ---------------------------------------------------------------------------------------------
# Annotations


class Annotation:
    """One annotation applied to a declaration: which one (``id``, ``name``, ``display_name``
    and ``node``, its declaration) and the ``value`` given (decoded as the dynamic API decodes
    constants: numbers, ``str``, ``bytes``, ``None`` for Void, enumerants, and dynamic readers of
    struct and list values). ``proto`` is the compiler's :class:`~purecap.schema.model.Annotation`.
    """

    __slots__ = ("id", "name", "qualified_name", "display_name", "value", "node", "proto")

    def __init__(
        self,
        proto: model.Annotation,
        node: Optional[model.Node],
        value: Any,
    ) -> None:
        self.id = proto.id
        self.proto = proto
        self.node = node
        self.value = value
        if node is not None:
            self.name = node.short_name
            self.display_name = node.display_name
            self.qualified_name = _qualified(node)
        else:  # a declaration no embedded schema holds: known by its id only
            self.name = self.qualified_name = self.display_name = f"0x{proto.id:016x}"

    def __repr__(self) -> str:
        return f"<annotation {self.qualified_name} = {self.value!r}>"


class Annotations(Mapping[str, Any]):
    """The annotations of one declaration, as a mapping of annotation name to value, in the
    order of the schema: ``Person.schema.annotations["namespace"]``.

    A key is the annotation's name; where two annotations of one declaration share a name (say
    ``$Cxx.name`` and ``$Json.name``), each is keyed by its display name (``c++.capnp:name``)
    instead. Lookups also take the qualified name (``TestGenerics.ann``), the display name and
    the annotation's id. ``entries`` holds the :class:`Annotation` records.
    """

    def __init__(self, entries: Sequence[Annotation]) -> None:
        self.entries: Tuple[Annotation, ...] = tuple(entries)
        names: Dict[str, int] = {}
        for a in self.entries:
            names[a.name] = names.get(a.name, 0) + 1
        self._keys: Dict[str, Annotation] = {}
        self._lookup: Dict[Union[str, int], Annotation] = {}
        self._ambiguous = {name for name, count in names.items() if count > 1}
        for a in self.entries:
            key = a.display_name if a.name in self._ambiguous else a.name
            self._keys.setdefault(key, a)
            for alias in (a.name, a.qualified_name, a.display_name, a.id):
                if alias not in self._ambiguous:
                    self._lookup.setdefault(alias, a)

    def entry(self, key: Union[str, int]) -> Annotation:
        """The :class:`Annotation` named (or with the id) ``key``."""
        found = self._lookup.get(key)
        if found is None:
            if key in self._ambiguous:
                raise KeyError(
                    f"{key!r} names several annotations here: use a display name "
                    f"({', '.join(a.display_name for a in self.entries if a.name == key)}) or id"
                )
            raise KeyError(key)
        return found

    def __getitem__(self, key: Union[str, int]) -> Any:
        return self.entry(key).value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, (str, int)) and key in self._lookup

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        items = ", ".join(f"{k!r}: {a.value!r}" for k, a in self._keys.items())
        return f"Annotations({{{items}}})"


def _qualified(node: model.Node) -> str:
    name = node.display_name
    colon = name.find(":")
    return name[colon + 1 :] if colon >= 0 else name


def _raw_value(value: model.Value) -> Any:
    """An annotation's value when its declaration is unknown: what the node itself says."""
    k = value.kind
    if k == "void":
        return None
    if k == "text":
        return value.text or ""
    if k == "data":
        return value.data or b""
    if k in ("struct", "list", "anyPointer"):
        return value.pointer
    return value.scalar


def _annotations(loaded: _Loaded, items: Optional[List[model.Annotation]]) -> Annotations:
    registry = loaded.registry
    entries: List[Annotation] = []
    for a in items or ():
        decl = registry.nodes.get(a.id)
        if decl is None or not isinstance(decl.body, model.AnnotationBody):
            entries.append(Annotation(a, None, _raw_value(a.value)))
            continue
        try:
            # A generic annotation (``$TestGenerics(Text, Data).ann("foo")``) binds its scope's
            # parameters through the application's brand.
            t = registry.resolve(decl.body.type, registry.brand_bindings(a.brand, {}))
            value = constant_value(registry, t, a.value)
        except PurecapError:  # its type's nodes are not all here: what the node itself says
            value = _raw_value(a.value)
        entries.append(Annotation(a, decl, value))
    return Annotations(entries)


# ---------------------------------------------------------------------------------------------
# Schemas


class NodeSchema:
    """What every schema object has: ``node`` (the compiler's model of the schema node, as
    ``capnp compile -o-`` hands it to a plugin), ``id``, ``name`` (``Person.PhoneNumber``),
    ``display_name`` (``addressbook.capnp:Person.PhoneNumber``) and ``annotations``."""

    def __init__(self, loaded: _Loaded, node: model.Node) -> None:
        self._loaded = loaded
        self.node = node
        self.id = node.id
        self.display_name = node.display_name
        self.name = _qualified(node)
        self._annotations: Optional[Annotations] = None

    @property
    def annotations(self) -> Annotations:
        found = self._annotations
        if found is None:
            found = self._annotations = _annotations(self._loaded, self.node.annotations)
        return found

    @property
    def nested(self) -> Dict[str, NodeSchema]:
        """The declarations nested in this one - types, constants, annotations - by schema
        name (those the embedded schemas hold: all of a generated module's own file)."""
        loaded = self._loaded
        return {
            n.name: loaded.schema(n.id)
            for n in self.node.nested_nodes or ()
            if n.id in loaded.registry.nodes
        }

    def get_proto(self) -> model.Node:
        """The schema node (pycapnp's name)."""
        return self.node

    def __repr__(self) -> str:
        return f"<{self.node.which} schema {self.name}>"


class FieldSchema:
    """One field of a struct or group.

    ``name`` is the schema's, ``python_name`` the generated reader's and builder's attribute;
    ``index`` (declaration order, as in the node), ``code_order``, ``ordinal`` (``@n``; ``None``
    for a group), ``discriminant`` (its value in the union, ``None`` outside any); ``type`` is
    the dynamic API's :class:`~purecap.dynamic.schema.DynType`, ``type_name`` it as the schema
    writes it; ``group`` the :class:`StructSchema` of a group field; ``default`` the default
    value; ``proto`` the compiler's :class:`~purecap.schema.model.Field`; ``info`` the dynamic
    API's field table entry (offsets, accessors).
    """

    def __init__(
        self, struct: StructSchema, info: FieldInfo, python_name: str
    ) -> None:
        self._struct = struct
        self.info = info
        self.proto: model.Field = info.model
        self.name = info.name
        self.python_name = python_name
        self.index = info.index
        self.code_order = info.code_order
        self.ordinal = info.ordinal
        self.discriminant = info.discriminant
        self.type: DynType = info.type
        self.type_name = "group" if info.slot_kind == "group" else _type_name(info.type)
        self._annotations: Optional[Annotations] = None

    @property
    def is_group(self) -> bool:
        return isinstance(self.proto.body, model.GroupField)

    @property
    def annotations(self) -> Annotations:
        found = self._annotations
        if found is None:
            found = self._annotations = _annotations(self._struct._loaded, self.proto.annotations)
        return found

    @property
    def group(self) -> Optional[StructSchema]:
        body = self.proto.body
        if not isinstance(body, model.GroupField):
            return None
        schema = self._struct._loaded.schema(body.type_id)
        assert isinstance(schema, StructSchema)
        return schema

    @property
    def default(self) -> Any:
        """The default value (``None`` for a group, Void, or an interface)."""
        body = self.proto.body
        if isinstance(body, model.GroupField):
            return None
        return constant_value(self._struct._loaded.registry, self.type, body.default_value)

    def __repr__(self) -> str:
        return f"<field {self._struct.name}.{self.name} :{self.type_name}>"


class StructSchema(NodeSchema):
    """A struct (or group): its fields and their annotations, its layout, and ``dynamic``, the
    dynamic API's :class:`~purecap.dynamic.structs.StructType` of it (``new_message(**fields)``,
    ``from_dict``, ``from_bytes``..., returning dynamic readers and builders).

    The field collections have pycapnp's names: ``fields`` (schema name -> :class:`FieldSchema`,
    in declaration order), ``fields_list``, ``fieldnames``, ``union_fields``,
    ``non_union_fields``. ``field(name)`` takes the schema or the Python name.
    """

    def __init__(self, loaded: _Loaded, node: model.Node) -> None:
        super().__init__(loaded, node)
        body = node.struct
        self.is_group = body.is_group
        self.data_words = body.data_word_count
        self.pointer_count = body.pointer_count
        self.discriminant_count = body.discriminant_count
        self.dynamic: StructType = loaded.registry.struct_type(node.id)
        python = field_names(node)
        self.fields_list: Tuple[FieldSchema, ...] = tuple(
            FieldSchema(self, info, python[info.name])
            for info in self.dynamic.schema.fields_list
        )
        self.fields: Dict[str, FieldSchema] = {f.name: f for f in self.fields_list}
        self.fieldnames: Tuple[str, ...] = tuple(self.fields)
        self.union_fields: Tuple[str, ...] = tuple(
            f.name for f in self.fields_list if f.discriminant is not None
        )
        self.non_union_fields: Tuple[str, ...] = tuple(
            f.name for f in self.fields_list if f.discriminant is None
        )
        self._by_python = {f.python_name: f for f in self.fields_list}

    def field(self, name: str) -> FieldSchema:
        """The field with this schema name (``phoneNumbers``) or Python name
        (``phone_numbers``)."""
        found = self.fields.get(name) or self._by_python.get(name)
        if found is None:
            raise KeyError(f"{self.name} has no field {name!r}")
        return found


class EnumerantSchema:
    """One enumerant: ``name`` (the schema's), ``python_name`` (the generated member's),
    ``value``, ``code_order``, ``annotations`` and ``proto`` (the compiler's
    :class:`~purecap.schema.model.Enumerant`)."""

    def __init__(
        self, enum: EnumSchema, value: int, proto: model.Enumerant, python_name: str
    ) -> None:
        self._enum = enum
        self.name = proto.name
        self.python_name = python_name
        self.value = value
        self.code_order = proto.code_order
        self.proto = proto
        self._annotations: Optional[Annotations] = None

    @property
    def annotations(self) -> Annotations:
        found = self._annotations
        if found is None:
            found = self._annotations = _annotations(self._enum._loaded, self.proto.annotations)
        return found

    def __repr__(self) -> str:
        return f"<enumerant {self._enum.name}.{self.name} = {self.value}>"


class EnumSchema(NodeSchema):
    """An enum: ``enumerants`` (schema name -> :class:`EnumerantSchema`, by number), and
    ``dynamic``, the dynamic API's enum class for it. ``enumerant(key)`` takes a number (or
    a member of the generated enum), a schema name or a Python name."""

    def __init__(self, loaded: _Loaded, node: model.Node) -> None:
        super().__init__(loaded, node)
        python = enumerant_names(node)
        self.enumerants: Dict[str, EnumerantSchema] = {
            e.name: EnumerantSchema(self, i, e, python[i])
            for i, e in enumerate(node.enum.enumerants or ())
        }
        self._by_value = list(self.enumerants.values())
        self._by_python = {e.python_name: e for e in self._by_value}
        self.dynamic: Any = loaded.registry.enum_class(node.id)  # its enumerants: attributes

    def enumerant(self, key: Union[int, str]) -> EnumerantSchema:
        if isinstance(key, int):
            if 0 <= key < len(self._by_value):
                return self._by_value[int(key)]
        else:
            found = self.enumerants.get(key) or self._by_python.get(key)
            if found is not None:
                return found
        raise KeyError(f"{self.name} has no enumerant {key!r}")


class MethodSchema:
    """One method of an interface: ``name``, ``ordinal``, ``code_order``, ``annotations``,
    ``params`` and ``results`` (the :class:`StructSchema` of its parameter and result structs,
    whose fields carry the parameters' annotations), ``proto`` (the compiler's
    :class:`~purecap.schema.model.Method`) and ``dynamic`` (the dynamic API's
    :class:`~purecap.dynamic.schema.MethodInfo`)."""

    def __init__(self, interface: InterfaceSchema, ordinal: int, proto: model.Method) -> None:
        self._interface = interface
        self.name = proto.name
        self.ordinal = ordinal
        self.code_order = proto.code_order
        self.proto = proto
        self._annotations: Optional[Annotations] = None

    @property
    def annotations(self) -> Annotations:
        found = self._annotations
        if found is None:
            found = self._annotations = _annotations(
                self._interface._loaded, self.proto.annotations
            )
        return found

    def _struct(self, node_id: int) -> StructSchema:
        schema = self._interface._loaded.schema(node_id)
        assert isinstance(schema, StructSchema)
        return schema

    @property
    def params(self) -> StructSchema:
        return self._struct(self.proto.param_struct_type)

    @property
    def results(self) -> StructSchema:
        return self._struct(self.proto.result_struct_type)

    @property
    def dynamic(self) -> MethodInfo:
        return self._interface.dynamic.methods[self.name]

    def __repr__(self) -> str:
        return f"<method {self._interface.name}.{self.name} @{self.ordinal}>"


class InterfaceSchema(NodeSchema):
    """An interface: ``methods`` (name -> :class:`MethodSchema`, by ordinal; its own, not its
    superclasses'), ``method_names``, ``superclasses`` (their :class:`InterfaceSchema` s) and
    ``dynamic``, the dynamic API's :class:`~purecap.dynamic.schema.InterfaceType`."""

    def __init__(self, loaded: _Loaded, node: model.Node) -> None:
        super().__init__(loaded, node)
        body = node.interface
        self.methods: Dict[str, MethodSchema] = {
            m.name: MethodSchema(self, i, m) for i, m in enumerate(body.methods or ())
        }
        self.method_names: Tuple[str, ...] = tuple(self.methods)
        self.dynamic: InterfaceType = loaded.registry.interface_type(node.id)

    @property
    def superclasses(self) -> List[InterfaceSchema]:
        out: List[InterfaceSchema] = []
        for s in self.node.interface.superclasses or ():
            schema = self._loaded.schema(s.id)
            assert isinstance(schema, InterfaceSchema)
            out.append(schema)
        return out
