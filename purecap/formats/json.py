"""JSON, as the reference's JSON codec (``compat/json.c++``, ``capnp convert binary:json``)
writes and reads it.

Writing (``JsonCodec::encode``), value by value:

* Void is ``null``; Bool ``true``/``false``; the 8- to 32-bit integers are numbers; Int64 and
  UInt64 are *strings* (a JSON number is a double, which would lose digits); floats are numbers,
  printed as kj prints a double (``%.15g``, else ``%.17g``), except ``"Infinity"``,
  ``"-Infinity"`` and ``"NaN"`` as strings; a Float32 is first widened to a double;
* Text is a string, escaping only ``"``, ``\\`` and control characters; Data is an array of
  byte numbers; an enum is its enumerant's name (its number when unknown);
* a struct is an object of every non-union field (pointer fields only when non-null) in field
  order, then the active union member - always, its default when it is a null pointer, unless it
  is Void under a discriminator (``AnnotatedHandler``, which ``capnp convert`` uses for every
  struct: it calls ``handleByAnnotation(rootType)``);
* the ``compat/json.capnp`` annotations: ``$Json.name`` renames fields and enumerants,
  ``$Json.flatten(prefix)`` inlines a group's or struct's fields into its parent (names
  prefixed), ``$Json.discriminator(name, valueName)`` writes a union's member name as a field of
  its own (and its value under ``valueName``), ``$Json.base64``/``$Json.hex`` write Data as a
  string; a ``Json.Value`` field is raw JSON;
* capabilities and AnyPointers cannot be written (the reference refuses them too).

Pretty printing (``encodeRaw``/``encodeList``): an array or object with more than one item goes
one item a line when an item is itself multi-line or longer than 50 bytes; otherwise items are
separated by ``", "``; ``--short`` output has no whitespace at all.

Reading (``JsonCodec::decode``): the reference's own small parser (numbers always doubles,
nesting at most 64 deep), then field by field by name (unknown names ignored); integers may be
given as numbers or decimal strings, floats as numbers, strings (``"NaN"``...) or ``null``;
enums by (annotated) name or by number; a discriminated union's members wait for its
discriminator wherever it comes; base64 and hex are decoded leniently, as kj does (errors
ignored).
"""

from __future__ import annotations

import base64
import math
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple, Union

from purecap.dynamic.textformat import format_float64
from purecap.errors import PurecapError

__all__ = ["JsonError", "to_json", "from_json", "decode_into", "split_json_messages"]

MAX_NESTING_DEPTH = 64  # JsonCodec::Impl::maxNestingDepth

# The JSON value tree between the message and the text: None (null), bool, float (number),
# str (string; bytes that are not UTF-8 kept as surrogate escapes), list (array) and
# _Object (an object: its (name, value) pairs in order).


class _Object(List[Tuple[str, Any]]):
    pass


class JsonError(PurecapError):
    """JSON input that does not parse or does not fit the schema, or a value JSON cannot hold."""


# ---------------------------------------------------------------------------------------------
# Encoding: message -> value tree


def _u16(s: Any, off: int) -> int:
    if off + 2 > s.data_size:
        return 0
    return int(s.segment[s.data_offset + off]) | (int(s.segment[s.data_offset + off + 1]) << 8)


def _encode_value(value: Any, t: Any) -> Any:
    k = t.kind
    if k == "void":
        return None
    if k == "bool":
        return bool(value)
    if k in ("int8", "int16", "int32", "uint8", "uint16", "uint32"):
        return float(value)
    if k in ("int64", "uint64"):
        return str(int(value))
    if k in ("float32", "float64"):
        v = float(value)
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    if k == "text":
        return value if isinstance(value, str) else bytes(value).decode("utf-8", "surrogateescape")
    if k == "data":
        return [float(b) for b in bytes(value)]
    if k == "interface":
        raise JsonError(
            "don't know how to JSON-encode capabilities; please register a JsonCodec::Handler "
            "for this"
        )
    raise JsonError(
        "don't know how to JSON-encode AnyPointer; please register a JsonCodec::Handler for this"
    )


# ---------------------------------------------------------------------------------------------
# The json.capnp annotations (``JsonCodec::handleByAnnotation``)
#
# ``capnp convert`` always calls ``handleByAnnotation(rootType)``: every struct, group and enum
# reachable from the root is then written and read by an annotation-driven handler
# (``AnnotatedHandler``, ``AnnotatedEnumHandler``), annotated or not, and ``Json.Value`` fields
# are raw JSON (``JsonValueHandler``). So that is the only path here.

JSON_NAME_ID = 0xFA5B1FD61C2E7C3D
JSON_FLATTEN_ID = 0x82D3E852AF0336BF
JSON_DISCRIMINATOR_ID = 0xCFA794E8D19A0162
JSON_BASE64_ID = 0xD7D879450A253E4B
JSON_HEX_ID = 0xF061E22F0AE5C7B5
JSON_VALUE_ID = 0xA3FA7845F919DD83  # Json.Value: a field of this type holds raw JSON

# Kinds of names in an object (``FieldNameInfo``).
_NORMAL, _FLATTENED, _UNION_TAG, _FLATTENED_FROM_UNION, _UNION_VALUE = range(5)


class _Call:
    """A ``Json.Value.call`` (``name(params...)``), which the writer prints but never parses."""

    def __init__(self, function: str, params: List[Any]) -> None:
        self.function = function
        self.params = params


def _annotation_struct(a: Any) -> Any:
    """The wire reader of a struct-valued annotation (``None`` when the value is a default)."""
    pointer = a.value.pointer
    if pointer is None or pointer.is_null():
        return None
    return pointer.get_struct()


def _struct_text(s: Any, index: int) -> Optional[str]:
    """Pointer ``index`` of a struct as text, ``None`` when null (``hasName()`` is false)."""
    if s is None or not s.has_pointer(index):
        return None
    return bytes(s.get_text_bytes(index)).decode("utf-8", "surrogateescape")


class _FieldInfo:
    """``AnnotatedHandler::FieldInfo``: how one field of a struct is written."""

    __slots__ = ("field", "name", "name_for_discriminant", "flatten", "prefix", "encoding")

    def __init__(self, field: Any) -> None:
        self.field = field
        self.name: str = field.name
        self.name_for_discriminant: str = field.name
        self.flatten: Optional[_StructCodec] = None
        self.prefix = ""
        self.encoding: Optional[str] = None  # "base64" or "hex" (a field handler for Data)


class _StructCodec:
    """``AnnotatedHandler``: the JSON shape of one struct or group type."""

    def __init__(
        self,
        codec: _Codec,
        struct_type: Any,
        discriminator: Any,
        union_decl_name: Optional[str],
        dependencies: List[Any],
    ) -> None:
        schema = struct_type.schema
        self.schema = schema
        self.struct_type = struct_type
        node = struct_type.node
        type_name = node.display_name
        # A named union is annotated on its group field (the caller passes that); the unnamed
        # union of a struct on the struct itself.
        if discriminator is None:
            for a in node.annotations or ():
                if a.id == JSON_DISCRIMINATOR_ID:
                    discriminator = _annotation_struct(a) or _EMPTY_OPTIONS
        self.by_name: Dict[str, Tuple[int, int, int]] = {}  # name -> (kind, index, prefix length)
        self.tag_values: Dict[str, Any] = {}  # discriminator value -> union member
        self.tag_name: Optional[str] = None
        value_name: Optional[str] = None
        if discriminator is not None:
            self.tag_name = _struct_text(discriminator, 0)
            if self.tag_name is None:
                self.tag_name = union_decl_name
            if self.tag_name is not None:
                self.by_name[self.tag_name] = (_UNION_TAG, 0, 0)
            value_name = _struct_text(discriminator, 1)
            if value_name is not None:
                self._insert(value_name, (_UNION_VALUE, 0, 0), type_name)
        # The identity of a union instance (the C++ hack: the discriminant's address).
        self.discriminant_offset = node.struct.discriminant_offset * 2
        self.fields: List[_FieldInfo] = []
        for f in schema.fields_list:
            self.fields.append(self._field(codec, f, discriminator, value_name, dependencies))

    def _insert(self, name: str, entry: Tuple[int, int, int], type_name: str) -> None:
        if name in self.by_name:  # kj::HashMap::insert refuses a duplicate key
            raise JsonError(f"{type_name}: two JSON fields are named {name!r}")
        self.by_name[name] = entry

    def _field(
        self,
        codec: _Codec,
        f: Any,
        discriminator: Any,
        value_name: Optional[str],
        dependencies: List[Any],
    ) -> _FieldInfo:
        type_name = self.struct_type.node.display_name
        info = _FieldInfo(f)
        t = f.type
        is_group = f.slot_kind == "group"
        sub_discriminator = None
        flattened = False
        for a in f.model.annotations or ():
            if a.id == JSON_NAME_ID:
                info.name = a.value.text or ""
            elif a.id == JSON_FLATTEN_ID:
                if t.kind != "struct":
                    raise JsonError(f"only struct types can be flattened: {f.name} of {type_name}")
                flattened = True
                info.prefix = _struct_text(_annotation_struct(a), 0) or ""
            elif a.id == JSON_DISCRIMINATOR_ID:
                if not is_group:
                    raise JsonError(f"only unions can have discriminator: {f.name} of {type_name}")
                sub_discriminator = _annotation_struct(a) or _EMPTY_OPTIONS
            elif a.id in (JSON_BASE64_ID, JSON_HEX_ID):
                encoding = "base64" if a.id == JSON_BASE64_ID else "hex"
                if t.kind != "data":
                    raise JsonError(f"only Data can be marked for {encoding} encoding")
                info.encoding = encoding
        if is_group:
            # Every group gets its handler now (flattened or not), so its discriminator is seen;
            # a flattened group's own name may serve as its discriminator's name.
            sub = codec.struct_codec(
                t.struct, sub_discriminator, f.name if flattened else None, dependencies
            )
            if flattened:
                info.flatten = sub
        elif t.kind == "struct" and flattened:
            info.flatten = codec.struct_codec(t.struct, None, None, dependencies)
        is_member = f.discriminant is not None
        if info.flatten is not None:
            kind = _FLATTENED_FROM_UNION if is_member else _FLATTENED
            for name in info.flatten.by_name:
                key = info.prefix + name
                existing = self.by_name.get(key)
                if existing is None:
                    self.by_name[key] = (kind, f.index, len(info.prefix))
                elif not (existing[0] == kind == _FLATTENED_FROM_UNION):
                    raise JsonError(
                        f"flattened members have the same name and are not mutually exclusive: "
                        f"{key!r} in {type_name}"
                    )
        info.name_for_discriminant = info.name
        if not flattened:
            if is_member and value_name is not None:
                info.name = value_name
            else:
                self._insert(info.name, (_NORMAL, f.index, 0), type_name)
        if is_member:
            self.tag_values.setdefault(info.name_for_discriminant, f)
        while t.kind == "list":
            t = t.element
        if t.kind in ("struct", "enum"):
            dependencies.append(t)
        return info

    # -- writing -----------------------------------------------------------------------------

    def encode(self, codec: _Codec, r: Any) -> _Object:
        out = _Object()
        self.gather(codec, r, "", "", out)
        return out

    def gather(self, codec: _Codec, r: Any, prefix: str, more_prefix: str, out: _Object) -> None:
        """``gatherForEncode``: the (name, value) pairs of ``r``, flattened ones inlined."""
        prefix += more_prefix
        s = r._s
        fields = self.fields
        for f in self.schema.non_union_members:
            info = fields[f.index]
            if f.slot_kind == "pointer" and not s.has_pointer(f.pointer):
                continue  # HasMode::NON_NULL
            if info.flatten is not None:
                info.flatten.gather(codec, f.get_r(r), prefix, info.prefix, out)
            else:
                out.append((prefix + info.name, codec.encode_field(r, info)))
        if self.schema.discriminant_offset < 0:
            return
        d = _u16(s, self.schema.discriminant_offset)
        members = self.schema.union_by_discriminant
        member = members[d] if d < len(members) else None
        if member is None:
            return  # an unknown member (a newer schema): which() is null, nothing is written
        info = fields[member.index]
        if self.tag_name is not None:
            out.append((prefix + self.tag_name, info.name_for_discriminant))
        if info.flatten is not None:
            info.flatten.gather(codec, member.get_r(r), prefix, info.prefix, out)
        elif member.type.kind == "void" and self.tag_name is not None:
            pass  # the discriminator says it all
        else:
            # Written even when it is a null pointer: its default is what get() returns.
            out.append((prefix + info.name, codec.encode_field(r, info)))

    # -- reading -----------------------------------------------------------------------------

    def decode(self, codec: _Codec, value: Any, b: Any) -> None:
        if not isinstance(value, _Object):
            raise JsonError("Expected object value")
        seen: Set[Tuple[int, int]] = set()
        retries = [pair for pair in value if not self.decode_field(codec, pair[0], pair[1], b, seen)]
        # A member of a discriminated union waits for its discriminator, wherever it is.
        while retries:
            again = [p for p in retries if not self.decode_field(codec, p[0], p[1], b, seen)]
            if len(again) == len(retries):
                break  # no progress: the rest is ignored
            retries = again

    def _union_id(self, b: Any) -> Tuple[int, int]:
        s = b._s
        return (s.segment_index, s.data_offset + self.discriminant_offset)

    def decode_field(
        self, codec: _Codec, name: str, value: Any, b: Any, seen: Set[Tuple[int, int]]
    ) -> bool:
        entry = self.by_name.get(name)
        if entry is None:
            return True  # unknown names are ignored (rejectUnknownFields is off)
        kind, index, prefix_length = entry
        fields = self.fields
        if kind == _NORMAL:
            codec.decode_field(b, fields[index], value)
            return True
        if kind == _FLATTENED:
            sub = fields[index].flatten
            assert sub is not None
            inner = fields[index].field.get_b(b)
            return sub.decode_field(codec, name[prefix_length:], value, inner, seen)
        if kind == _UNION_TAG:
            if not isinstance(value, str):
                raise JsonError(f"{name}: Expected string value.")
            member = self.tag_values.get(value)
            if member is not None:
                b.clear(member.name)  # activates the member without allocating anything
                seen.add(self._union_id(b))
            return True
        if self._union_id(b) not in seen:
            return False  # the discriminator has not been read yet: try again later
        d = _u16(b._s, self.schema.discriminant_offset)
        member = self.schema.union_by_discriminant[d]
        info = fields[member.index]
        if kind == _FLATTENED_FROM_UNION:
            if info.flatten is None:
                raise JsonError(f"{name}: the selected union member is not flattened")
            inner = member.get_b(b)
            done: bool = info.flatten.decode_field(codec, name[prefix_length:], value, inner, seen)
            return done
        codec.decode_field(b, info, value)  # _UNION_VALUE
        return True


class _EmptyOptions:
    """A struct annotation value left at its defaults (every pointer null)."""

    def has_pointer(self, index: int) -> bool:
        return False


_EMPTY_OPTIONS = _EmptyOptions()


class _EnumCodec:
    """``AnnotatedEnumHandler``: enumerant names, ``$Json.name`` applied."""

    def __init__(self, enum: Any) -> None:
        self.enum = enum
        self.names: List[str] = []
        for e in enum.schema.node.enum.enumerants or ():
            name = e.name
            for a in e.annotations or ():
                if a.id == JSON_NAME_ID:
                    name = a.value.text or ""
            self.names.append(name)
        self.by_name: Dict[str, int] = {}
        for i, name in enumerate(self.names):
            self.by_name.setdefault(name, i)

    def encode(self, value: int) -> Any:
        i = int(value)
        return self.names[i] if i < len(self.names) else float(i)

    def decode(self, value: Any, name: str) -> Any:
        if isinstance(value, float):
            # static_cast<uint16_t>(double): numbers are accepted, unknown ones included.
            if not math.isfinite(value) or not -(2**63) <= value < 2**64:
                raise JsonError(f"{name}: enum number out of range: {value!r}")
            return self.enum.lookup(int(value) & 0xFFFF)
        if not isinstance(value, str):
            raise JsonError(f"{name}: Expected enum value")
        i = self.by_name.get(value)
        if i is None:
            raise JsonError(f"{name}: invalid enum value: {value!r}")
        return self.enum.lookup(i)


def _decode_base64(text: str) -> bytes:
    """``kj::decodeBase64`` as the handler uses it (errors ignored): characters outside the
    alphabet are skipped, a last partial group keeps its whole bytes."""
    alphabet = [c for c in text.encode("utf-8", "surrogateescape") if c in _B64_VALUES]
    out = bytearray()
    for i in range(0, len(alphabet) - 1, 4):
        group = alphabet[i : i + 4]
        bits = 0
        for c in group:
            bits = (bits << 6) | _B64_VALUES[c]
        bits <<= 6 * (4 - len(group))
        out += bits.to_bytes(3, "big")[: len(group) - 1]
    return bytes(out)


_B64_VALUES = {
    c: i
    for i, c in enumerate(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
}


def _decode_hex(text: str) -> bytes:
    """``kj::decodeHex``, errors ignored: a bad digit counts as 0, an odd last one is dropped."""
    raw = text.encode("utf-8", "surrogateescape")
    out = bytearray(len(raw) // 2)
    for i in range(len(out)):
        out[i] = (_HEX_VALUES.get(raw[2 * i], 0) << 4) | _HEX_VALUES.get(raw[2 * i + 1], 0)
    return bytes(out)


_HEX_VALUES = {c: int(chr(c), 16) for c in b"0123456789abcdefABCDEF"}


class _Codec:
    """A ``JsonCodec`` after ``handleByAnnotation(root)``: the handlers, made on first use (and
    kept for the next value of the same root type, see :func:`_codec_for`)."""

    def __init__(self) -> None:
        self.structs: Dict[Any, Optional[_StructCodec]] = {}
        self.enums: Dict[Any, _EnumCodec] = {}

    def struct_codec(
        self,
        struct_type: Any,
        discriminator: Any = None,
        union_decl_name: Optional[str] = None,
        dependencies: Optional[List[Any]] = None,
    ) -> _StructCodec:
        key = struct_type.key
        if key in self.structs:
            existing = self.structs[key]
            if existing is None:
                raise JsonError(
                    f"cyclic JSON flattening detected: {struct_type.node.display_name}"
                )
            return existing
        self.structs[key] = None  # under construction
        deps: List[Any] = [] if dependencies is None else dependencies
        handler = _StructCodec(self, struct_type, discriminator, union_decl_name, deps)
        self.structs[key] = handler
        if dependencies is None:
            # handleByAnnotation: the types this one reaches get their handlers too, so that
            # an error in an annotation anywhere shows up before anything is written.
            for t in deps:
                if t.kind == "struct" and t.struct.node.id != JSON_VALUE_ID:
                    if t.struct.key not in self.structs:
                        self.struct_codec(t.struct)
        return handler

    def enum_codec(self, enum: Any) -> _EnumCodec:
        handler = self.enums.get(enum)
        if handler is None:
            handler = self.enums[enum] = _EnumCodec(enum)
        return handler

    # -- writing -----------------------------------------------------------------------------

    def encode_field(self, r: Any, info: _FieldInfo) -> Any:
        f = info.field
        if info.encoding is not None:
            data = bytes(f.get_r(r))
            if info.encoding == "base64":
                return base64.b64encode(data).decode("ascii")
            return data.hex()
        if f.type.kind == "text":
            return _field_text(r, f)
        return self.encode(f.get_r(r), f.type)

    def encode(self, value: Any, t: Any) -> Any:
        k = t.kind
        if k == "struct":
            if t.struct.node.id == JSON_VALUE_ID:
                return _raw_json(value)
            return self.struct_codec(t.struct).encode(self, value)
        if k == "enum":
            return self.enum_codec(t.enum).encode(value)
        if k == "list":
            element = t.element
            return [self.encode(v, element) for v in value]
        return _encode_value(value, t)

    # -- reading -----------------------------------------------------------------------------

    def decode_field(self, b: Any, info: _FieldInfo, value: Any) -> None:
        """``JsonCodec::decodeField``: the field's value replaced by ``value`` (a union member
        becomes the active one)."""
        f = info.field
        name = f.name
        t = f.type
        k = t.kind
        if info.encoding is not None:
            if not isinstance(value, str):
                raise JsonError(f"{name}: Expected string value")
            data = _decode_base64(value) if info.encoding == "base64" else _decode_hex(value)
            b._set(name, data)
        elif k == "struct":
            self.decode_struct(value, t, b.init(name))
        elif k == "list":
            if not isinstance(value, list):
                raise JsonError(f"{name}: Expected list value")
            self.decode_list(b.init(name, len(value)), value, t.element, name)
        elif k == "enum":
            b._set(name, self.enum_codec(t.enum).decode(value, name))
        else:
            b._set(name, _scalar(value, t, name))

    def decode_struct(self, value: Any, t: Any, b: Any) -> None:
        if t.struct.node.id == JSON_VALUE_ID:
            _build_raw_json(value, b)
        else:
            self.struct_codec(t.struct).decode(self, value, b)

    def decode_list(self, lst: Any, values: List[Any], element: Any, name: str) -> None:
        k = element.kind
        for i, v in enumerate(values):
            if k == "struct":
                self.decode_struct(v, element, lst[i])
            elif k == "list":
                if not isinstance(v, list):
                    raise JsonError(f"{name}: Expected list value")
                self.decode_list(lst.init(i, len(v)), v, element.element, name)
            elif k == "enum":
                lst[i] = self.enum_codec(element.enum).decode(v, name)
            else:
                x = _scalar(v, element, name)
                if k != "void":
                    lst[i] = x


def _field_text(r: Any, f: Any) -> str:
    default = f.default.encode("utf-8", "surrogateescape") if f.default else b""
    return bytes(r._s.get_text_bytes(f.pointer, default)).decode("utf-8", "surrogateescape")


def _raw_json(r: Any) -> Any:
    """A ``Json.Value`` struct as the JSON it stands for (``JsonValueHandler``)."""
    which = r.which()
    if which == "null":
        return None
    if which == "boolean":
        return bool(r.boolean)
    if which == "number":
        return float(r.number)
    if which == "string":
        return _field_text(r, r._type.schema.fields["string"])
    if which == "array":
        return [_raw_json(v) for v in r.array]
    if which == "object":
        out = _Object()
        for field in r.object:
            name = _field_text(field, field._type.schema.fields["name"])
            out.append((name, _raw_json(field.value)))
        return out
    if which == "call":
        call = r.call
        function = _field_text(call, call._type.schema.fields["function"])
        return _Call(function, [_raw_json(v) for v in call.params])
    raise JsonError(f"unknown JsonValue type: {which.raw}")


def _build_raw_json(value: Any, b: Any) -> None:
    """Store a parsed JSON value into a ``Json.Value`` builder."""
    if value is None:
        b._set("null", None)
    elif isinstance(value, bool):
        b._set("boolean", value)
    elif isinstance(value, float):
        b._set("number", value)
    elif isinstance(value, str):
        b._set("string", value.encode("utf-8", "surrogateescape"))
    elif isinstance(value, _Object):
        fields = b.init("object", len(value))
        for i, (name, v) in enumerate(value):
            fields[i]._set("name", name.encode("utf-8", "surrogateescape"))
            _build_raw_json(v, fields[i].init("value"))
    else:
        items = b.init("array", len(value))
        for i, v in enumerate(value):
            _build_raw_json(v, items[i])


# ---------------------------------------------------------------------------------------------
# Encoding: value tree -> text


def _encode_string(value: str) -> str:
    out = ['"']
    for c in value:
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c < " ":
            out.append(_CONTROL[ord(c)])
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


_CONTROL = ["\\u%04x" % i for i in range(32)]
_CONTROL[8], _CONTROL[12], _CONTROL[10], _CONTROL[13], _CONTROL[9] = "\\b", "\\f", "\\n", "\\r", "\\t"


def _size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogateescape"))


class _Writer:
    def __init__(self, pretty: bool) -> None:
        self.pretty = pretty

    def raw(self, value: Any, indent: int, has_prefix: bool) -> Tuple[str, bool]:
        """The text of ``value`` and whether it made its list multi-line (``encodeRaw``)."""
        if value is None:
            return "null", False
        if value is True:
            return "true", False
        if value is False:
            return "false", False
        if isinstance(value, float):
            return format_float64(value), False
        if isinstance(value, str):
            return _encode_string(value), False
        if isinstance(value, _Object):
            sub = indent + (len(value) > 1)
            colon = ": " if self.pretty else ":"
            items = []
            child_multi = False
            for name, v in value:
                text, multi = self.raw(v, sub, True)
                child_multi = child_multi or multi
                items.append(_encode_string(name) + colon + text)
            body, multi = self.join(items, child_multi, indent, has_prefix)
            return "{" + body + "}", multi
        if isinstance(value, _Call):
            sub = indent + (len(value.params) > 1)
            items = []
            child_multi = False
            for v in value.params:
                text, multi = self.raw(v, sub, False)
                child_multi = child_multi or multi
                items.append(text)
            # The function name is written as it is, and the list always as if prefixed.
            body, multi = self.join(items, child_multi, indent, True)
            return value.function + "(" + body + ")", multi
        sub = indent + (len(value) > 1)
        items = []
        child_multi = False
        for v in value:
            text, multi = self.raw(v, sub, False)
            child_multi = child_multi or multi
            items.append(text)
        body, multi = self.join(items, child_multi, indent, has_prefix)
        return "[" + body + "]", multi

    def join(
        self, items: List[str], child_multi: bool, indent: int, has_prefix: bool
    ) -> Tuple[str, bool]:
        if not self.pretty:
            return ",".join(items), False
        if len(items) > 1 and (child_multi or max(_size(i) for i in items) > 50):
            spaces = " " * ((indent + 1) * 2)
            prefix = "\n" + spaces if has_prefix else " "
            return prefix + (",\n" + spaces).join(items) + " ", True
        return ", ".join(items), False


def _codec_for(struct_type: Any) -> Tuple[_Codec, _StructCodec]:
    """The codec of ``handleByAnnotation(struct_type)`` and the type's handler, made once per
    struct type (and brand: each is a type of its own) and kept on the type, so they live as
    long as the loaded schema does. Only a complete codec is kept: one whose making failed (an
    annotation error) is made, and fails, again on the next call. Codecs differ by root type
    only in what a group written as the root looks like (no discriminator from its parent)."""
    cached: Optional[Tuple[_Codec, _StructCodec]] = struct_type.caches.get("json")
    if cached is None:
        codec = _Codec()
        cached = (codec, codec.struct_codec(struct_type))
        struct_type.caches["json"] = cached
    return cached


def to_json(value: Any, pretty: bool = True) -> str:
    """A struct (dynamic reader or builder) as JSON, as ``capnp convert binary:json`` writes it
    (without the newline it adds); ``pretty=False`` is ``--short``."""
    from purecap.wire.errors import NestingLimitExceeded

    reader = value._walk_reader()
    try:
        codec, handler = _codec_for(reader._type)
        tree = handler.encode(codec, reader)
        return _Writer(pretty).raw(tree, 0, False)[0]
    except RecursionError:
        raise NestingLimitExceeded("the value is nested too deeply to write as JSON") from None


# ---------------------------------------------------------------------------------------------
# Decoding: text -> value tree (the reference's parser, quirks included)

_WS = b" \n\r\t"
_DIGITS = b"0123456789"


class _Parser:
    def __init__(self, data: bytes) -> None:
        # The reference reads up to a NUL (the terminator readOneJson adds).
        end = data.find(b"\0")
        self.data = data if end < 0 else data[:end]
        self.pos = 0
        self.depth = 0

    def fail(self, message: str) -> JsonError:
        return JsonError(f"{message} (at byte {self.pos})")

    def ws(self) -> None:
        data = self.data
        n = len(data)
        while self.pos < n and data[self.pos] in _WS:
            self.pos += 1

    def peek(self) -> int:
        if self.pos >= len(self.data):
            raise self.fail("JSON message ends prematurely.")
        return self.data[self.pos]

    def expect(self, text: bytes) -> None:
        if not self.data.startswith(text, self.pos):
            if len(self.data) - self.pos < len(text):
                raise self.fail("JSON message ends prematurely.")
            raise self.fail("Unexpected input in JSON message.")
        self.pos += len(text)

    def value(self) -> Any:
        self.ws()
        c = self.peek()
        result: Any
        if c == 0x6E:
            self.expect(b"null")
            result = None
        elif c == 0x66:
            self.expect(b"false")
            result = False
        elif c == 0x74:
            self.expect(b"true")
            result = True
        elif c == 0x22:
            result = self.string()
        elif c == 0x5B:
            result = self.array()
        elif c == 0x7B:
            result = self.object()
        elif c == 0x2D or c in _DIGITS:
            result = self.number()
        else:
            raise self.fail("Unexpected input in JSON message.")
        self.ws()
        return result

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING_DEPTH:
            raise self.fail("JSON message nested too deeply.")

    def array(self) -> List[Any]:
        self.pos += 1
        self.enter()
        items: List[Any] = []
        while True:
            self.ws()
            if self.peek() == 0x5D:
                break
            if items:
                self.expect(b",")
            items.append(self.value())
        self.pos += 1
        self.depth -= 1
        return items

    def object(self) -> _Object:
        self.pos += 1
        self.enter()
        items = _Object()
        while True:
            self.ws()
            if self.peek() == 0x7D:
                break
            if items:
                self.expect(b",")
                self.ws()
            if self.peek() != 0x22:
                raise self.fail("Unexpected input in JSON message.")
            name = self.string()
            self.ws()
            self.expect(b":")
            items.append((name, self.value()))
        self.pos += 1
        self.depth -= 1
        return items

    def number(self) -> float:
        data = self.data
        start = self.pos
        n = len(data)
        i = start
        if i < n and data[i] == 0x2D:
            i += 1
        if i < n and data[i] == 0x30:
            i += 1
        else:
            if i >= n:
                self.pos = i
                raise self.fail("JSON message ends prematurely.")
            if not 0x31 <= data[i] <= 0x39:
                self.pos = i
                raise self.fail("Unexpected input in JSON message.")
            while i < n and data[i] in _DIGITS:
                i += 1
        if i < n and data[i] == 0x2E:
            i += 1
            while i < n and data[i] in _DIGITS:
                i += 1
        if i < n and data[i] in b"eE":
            i += 1
            if i < n and data[i] in b"+-":
                i += 1
            while i < n and data[i] in _DIGITS:
                i += 1
        self.pos = i
        text = data[start:i].decode("ascii")
        try:
            return float(text)
        except ValueError:
            # strtod reads the longest valid prefix ("1e" is 1) and kj then refuses leftovers.
            raise self.fail(f"not a number: {text}") from None

    def string(self) -> str:
        self.pos += 1
        data = self.data
        out = bytearray()
        while True:
            i = self.pos
            n = len(data)
            j = i
            while j < n and data[j] != 0x22 and data[j] != 0x5C:
                j += 1
            out += data[i:j]
            self.pos = j
            c = self.peek()
            if c == 0x5C:
                self.pos += 1
                e = self.peek()
                simple = _JSON_ESCAPES.get(e)
                if simple is not None:
                    out += simple
                    self.pos += 1
                elif e == 0x75:
                    self.pos += 1
                    hex4 = data[self.pos : self.pos + 4]
                    if len(hex4) < 4:
                        raise self.fail("JSON message ends prematurely.")
                    self.pos += 4
                    out += _unescape_u(hex4, self)
                else:
                    raise self.fail("Invalid escape in JSON string.")
            if self.peek() == 0x22:
                self.pos += 1
                return out.decode("utf-8", "surrogateescape")


_JSON_ESCAPES = {
    0x22: b'"', 0x5C: b"\\", 0x2F: b"/", 0x62: b"\b", 0x66: b"\f", 0x6E: b"\n", 0x72: b"\r",
    0x74: b"\t",
}  # fmt: skip


def _unescape_u(hex4: bytes, parser: _Parser) -> bytes:
    code = 0
    for c in hex4:
        code <<= 4
        if 0x30 <= c <= 0x39:
            code |= c - 0x30
        # The 0.9.2 reference reads a-f and A-F as 0-5 (it forgets the +10); we do the same,
        # since the point is to decode what it decodes.
        elif 0x61 <= c <= 0x66:
            code |= c - 0x61
        elif 0x41 <= c <= 0x46:
            code |= c - 0x41
        else:
            raise parser.fail("Invalid hex digit in unicode escape.")
    if code < 0x80:
        return bytes((code,))
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd".encode("utf-8")  # a lone surrogate: kj's decodeUtf16 replaces it
    return chr(code).encode("utf-8")


def parse_json(text: Union[str, bytes]) -> Any:
    """The value tree of a JSON text (``JsonCodec::decodeRaw``)."""
    data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else bytes(text)
    parser = _Parser(data)
    value = parser.value()
    if parser.pos < len(parser.data):
        raise parser.fail("Input remains after parsing JSON.")
    return value


# ---------------------------------------------------------------------------------------------
# Decoding: value tree -> builder

_INT_RANGES = {
    "int8": (-(1 << 7), (1 << 7) - 1), "int16": (-(1 << 15), (1 << 15) - 1),
    "int32": (-(1 << 31), (1 << 31) - 1), "int64": (-(1 << 63), (1 << 63) - 1),
    "uint8": (0, (1 << 8) - 1), "uint16": (0, (1 << 16) - 1), "uint32": (0, (1 << 32) - 1),
    "uint64": (0, (1 << 64) - 1),
}  # fmt: skip


def _scalar(value: Any, t: Any, name: str) -> Any:
    k = t.kind
    if k == "void":
        return None
    if k == "bool":
        if isinstance(value, bool):
            return value
        raise JsonError(f"{name}: Expected boolean value")
    bounds = _INT_RANGES.get(k)
    if bounds is not None:
        if isinstance(value, float) and not isinstance(value, bool):
            if not value.is_integer():
                raise JsonError(f"{name}: value is not an integer: {value!r}")
            number = int(value)
        elif isinstance(value, str):
            number = _parse_int(value, name, k.startswith("u"))
        else:
            raise JsonError(f"{name}: Expected integer value")
        if not bounds[0] <= number <= bounds[1]:
            raise JsonError(f"{name}: Value out-of-range for requested type: {number}")
        return number
    if k in ("float32", "float64"):
        if value is None:
            f = math.nan
        elif isinstance(value, float):
            f = value
        elif isinstance(value, str):
            try:
                f = float(value) if value.strip() == value and value else math.nan
            except ValueError:
                raise JsonError(f"{name}: not a number: {value!r}") from None
            if not value:
                raise JsonError(f"{name}: not a number: ''")
        else:
            raise JsonError(f"{name}: Expected float value")
        if k == "float32":
            from purecap.schema.translator import to_float32

            f = to_float32(f)
        return f
    if k == "text":
        if isinstance(value, str):
            return value.encode("utf-8", "surrogateescape")
        raise JsonError(f"{name}: Expected text value")
    if k == "data":
        if isinstance(value, list):
            out = bytearray()
            for x in value:
                if not isinstance(x, float) or not (0 <= x <= 255) or not x.is_integer():
                    raise JsonError(f"{name}: Number in byte array is not an integer in [0, 255]")
                out.append(int(x))
            return bytes(out)
        raise JsonError(f"{name}: Expected data value")
    if k == "enum":
        if isinstance(value, str):
            for member in t.enum:
                if member.name == value:
                    return member
            raise JsonError(f"{name}: enum has no such enumerant: {value!r}")
        raise JsonError(f"{name}: Expected enum value")
    raise JsonError(f"{name}: don't know how to JSON-decode {k}")


def _parse_int(text: str, name: str, unsigned: bool) -> int:
    # kj parseAs<int64_t>/<uint64_t>: strtoll/strtoull of the whole string, base 10.
    body = text[1:] if text[:1] in "+-" else text
    if not body.isdigit() or not body.isascii() or (unsigned and text.startswith("-")):
        raise JsonError(f"{name}: not an integer: {text!r}")
    return int(text)


def decode_into(text: Union[str, bytes], builder: Any) -> None:
    """Fill the struct ``builder`` (a dynamic struct builder) from the JSON ``text``."""
    codec, handler = _codec_for(builder._type)
    try:
        handler.decode(codec, parse_json(text), builder)
    except RecursionError:
        from purecap.wire.errors import NestingLimitExceeded

        raise NestingLimitExceeded("the JSON value is nested too deeply") from None


def from_json(struct_type: Any, text: Union[str, bytes]) -> Any:
    """A new message of ``struct_type`` filled from the JSON ``text``; returns its root builder."""
    builder = struct_type.new_message()
    decode_into(text, builder)
    return builder


def split_json_messages(data: bytes) -> Iterator[bytes]:
    """Cut a stream of JSON messages where the reference's ``readOneJson`` does: at a ``{`` at
    depth 0 once a ``}`` has closed depth 0, skipping ``#`` and ``//`` comments. (Like the
    reference, it does not look into strings: its quote states are never entered.)"""
    start = 0
    depth = 0
    saw_close = False
    comment = False
    slash = False
    for i, c in enumerate(data):
        if comment:
            if c == 0x0A:
                comment = False
            continue
        if slash and c == 0x2F:
            comment = True
            slash = False
            continue
        slash = False
        if c == 0x23:
            comment = True
        elif c == 0x2F:
            slash = True
        elif c == 0x7B:
            if depth == 0 and saw_close:
                yield data[start:i]
                start = i
                saw_close = False
            depth += 1
        elif c == 0x7D and depth > 0:
            depth -= 1
            if depth == 0:
                saw_close = True
    yield data[start:]
