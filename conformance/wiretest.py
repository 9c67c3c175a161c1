"""The schema of the conformance suite as tables, and the values of its test messages.

There is no purecap schema compiler to lean on here (and the wire layer must stand without one), so
the suite reads and writes every field at the position the *reference* compiler assigns to it.
Those positions are written down below, in :data:`LAYOUTS`. They were obtained with::

    capnp compile -ocapnp conformance/schemas/wiretest.capnp

which prints every struct's size and, after every field, ``bits[from, to)`` (data fields) or
``ptr[i]`` (pointer fields) and ``union tag = n``; :func:`conformance.layout_listing.parse_listing`
reads that listing and ``python -m conformance.wiretest`` prints it in the form below.
``test_capnp_tool.py::test_layout_table_matches_the_compiler`` re-derives the table from the live
tool and compares, so it cannot rot.

On top of the tables, a tiny dynamic layer, all of it test code:

* a message value is a ``dict`` of field name to value (groups are nested dicts; of a union,
  only the member that is set is present); :func:`complete` fills in what a reader sees for the
  fields that are absent (defaults, empty lists, ...);
* :func:`to_text` writes a value for ``capnp encode``; :func:`from_text` types what ``capnp decode``
  prints;
* :func:`build` writes a value with purecap's wire builder, :func:`read` reads one with purecap's
  wire reader, both at the table's offsets (data fields XORed with their defaults, as the encoding
  spec says);
* :func:`py_build` and :func:`py_read` do the same with pycapnp's dynamic API.

Field values: Void ``None``, Bool ``bool``, integers ``int``, floats ``float`` (Float32 values are
rounded to single precision by :func:`complete`), Text ``str``, Data ``bytes``, enums the
enumerant's name, structs and groups ``dict`` (a null struct pointer without a default: ``None``),
lists ``list``. ``AllTypes.anyField`` (AnyPointer)
holds an ``Inner`` in our messages (see :data:`ANY_POINTER_TYPES`).
"""

from __future__ import annotations

import math
import struct
from typing import Any, Dict, List, Optional, Tuple

from conformance import textformat
from conformance.layout_listing import F, StructLayout
from purecap.wire.builder import ListBuilder, PointerBuilder, StructBuilder
from purecap.wire.pointers import ElementSize
from purecap.wire.reader import ListReader, StructReader

__all__ = [
    "ENUMS",
    "LAYOUTS",
    "ANY_POINTER_TYPES",
    "complete",
    "normalize",
    "to_text",
    "from_text",
    "build",
    "read",
    "py_build",
    "py_read",
]

# -- the tables (regenerate with `python -m conformance.wiretest`) --------------------------------
ENUMS: Dict[str, List[str]] = {
    "Color": ["red", "green", "blue", "ultraviolet"],
}

LAYOUTS: Dict[str, StructLayout] = {
    "Empty": StructLayout(0, 0, {
    }),
    "Inner": StructLayout(2, 2, {
        "id": F("UInt32", 0),
        "name": F("Text", 0),
        "flag": F("Bool", 32),
        "color": F("Color", 48),
        "tags": F("List(Text)", 1),
        "score": F("Float64", 64),
    }),
    "PtrOnly": StructLayout(0, 2, {
        "text": F("Text", 0),
        "ints": F("List(Int16)", 1),
    }),
    "DataOnly": StructLayout(2, 0, {
        "a": F("Int16", 0),
        "b": F("Bool", 16),
        "c": F("UInt64", 64),
    }),
    "AllTypes": StructLayout(10, 32, {
        "voidField": F("Void", 0),
        "boolField": F("Bool", 0),
        "int8Field": F("Int8", 8),
        "int16Field": F("Int16", 16),
        "int32Field": F("Int32", 32),
        "int64Field": F("Int64", 64),
        "uInt8Field": F("UInt8", 128),
        "uInt16Field": F("UInt16", 144),
        "uInt32Field": F("UInt32", 160),
        "uInt64Field": F("UInt64", 192),
        "float32Field": F("Float32", 256),
        "float64Field": F("Float64", 320),
        "textField": F("Text", 0),
        "dataField": F("Data", 1),
        "structField": F("Inner", 2),
        "enumField": F("Color", 288),
        "anyField": F("AnyPointer", 3),
        "emptyField": F("Empty", 4),
        "dataOnlyField": F("DataOnly", 5),
        "voidList": F("List(Void)", 6),
        "boolList": F("List(Bool)", 7),
        "int8List": F("List(Int8)", 8),
        "int16List": F("List(Int16)", 9),
        "int32List": F("List(Int32)", 10),
        "int64List": F("List(Int64)", 11),
        "uInt8List": F("List(UInt8)", 12),
        "uInt16List": F("List(UInt16)", 13),
        "uInt32List": F("List(UInt32)", 14),
        "uInt64List": F("List(UInt64)", 15),
        "float32List": F("List(Float32)", 16),
        "float64List": F("List(Float64)", 17),
        "textList": F("List(Text)", 18),
        "dataList": F("List(Data)", 19),
        "structList": F("List(Inner)", 20),
        "enumList": F("List(Color)", 21),
        "int32ListList": F("List(List(Int32))", 22),
        "textListList": F("List(List(Text))", 23),
        "structListList": F("List(List(Inner))", 24),
        "ptrOnlyList": F("List(PtrOnly)", 25),
        "dataOnlyList": F("List(DataOnly)", 26),
        "emptyList": F("List(Empty)", 27),
        "bool2": F("Bool", 1),
        "bool3": F("Bool", 2),
        "union": F("union", 304),
        "unionVoid": F("Void", 0, tag=0),
        "unionInt32": F("Int32", 384, tag=1),
        "unionText": F("Text", 28, tag=2),
        "unionStruct": F("Inner", 28, tag=3),
        "unionBool": F("Bool", 384, tag=4),
        "unionList": F("List(UInt64)", 28, tag=5),
        "group": F("group", 0),
        "group.gInt8": F("Int8", 136),
        "group.gText": F("Text", 29),
        "group.gFloat32": F("Float32", 416),
        "group.inner": F("group", 0),
        "group.inner.union": F("union", 464),
        "group.inner.innerA": F("UInt16", 448, tag=0),
        "group.inner.innerB": F("Data", 30, tag=1),
        "group.inner.innerGroup": F("group", 0, tag=2),
        "group.inner.innerGroup.x": F("Int64", 512),
        "group.inner.innerGroup.y": F("Bool", 448),
        "choice": F("group", 0),
        "choice.union": F("union", 480),
        "choice.nothing": F("Void", 0, tag=0),
        "choice.number": F("Float64", 576, tag=1),
        "choice.word": F("Text", 31, tag=2),
        "choice.colors": F("List(Color)", 31, tag=3),
    }),
    "Defaults": StructLayout(10, 9, {
        "voidField": F("Void", 0),
        "boolField": F("Bool", 0, default="true"),
        "int8Field": F("Int8", 8, default="-123"),
        "int16Field": F("Int16", 16, default="-12345"),
        "int32Field": F("Int32", 32, default="-12345678"),
        "int64Field": F("Int64", 64, default="-123456789012345"),
        "uInt8Field": F("UInt8", 128, default="234"),
        "uInt16Field": F("UInt16", 144, default="45678"),
        "uInt32Field": F("UInt32", 160, default="3456789012"),
        "uInt64Field": F("UInt64", 192, default="12345678901234567890"),
        "float32Field": F("Float32", 256, default="1234.5"),
        "float64Field": F("Float64", 320, default="-1.25e47"),
        "textField": F("Text", 0, default='"foo"'),
        "dataField": F("Data", 1, default='"bar"'),
        "structField": F("Inner", 2, default='(id = 7, name = "seven", flag = true, color = red, tags = ["a", "b"], score = 0.5)'),
        "enumField": F("Color", 288, default="blue"),
        "int32List": F("List(Int32)", 3, default="[1, -2, 3]"),
        "boolList": F("List(Bool)", 4, default="[true, false, true, true]"),
        "textList": F("List(Text)", 5, default='["x", "yz"]'),
        "structList": F("List(Inner)", 6, default='[(id = 1, flag = false, color = red, score = 0), (id = 2, name = "two", flag = false, color = green, score = 0)]'),
        "int32ListList": F("List(List(Int32))", 7, default="[[1], [], [2, 3]]"),
        "float32Nan": F("Float32", 384, default="nan"),
        "float64Inf": F("Float64", 448, default="inf"),
        "float64NegInf": F("Float64", 512, default="-inf"),
        "float64NegZero": F("Float64", 576),
        "bool2": F("Bool", 1),
        "bool3": F("Bool", 2, default="true"),
        "union": F("union", 304),
        "defaultInt": F("Int32", 416, tag=0, default="42"),
        "defaultText": F("Text", 8, tag=1, default='"union"'),
    }),
    "Tree": StructLayout(1, 3, {
        "value": F("Int64", 0),
        "label": F("Text", 0),
        "children": F("List(Tree)", 1),
        "next": F("Tree", 2),
    }),
}

# AnyPointer fields, and the struct type our messages keep in them.
ANY_POINTER_TYPES: Dict[Tuple[str, str], str] = {("AllTypes", "anyField"): "Inner"}

# Defaults the listing does not show: `capnp compile -ocapnp` prints no default for a float that
# compares equal to zero, but the compiler keeps the sign of -0.0 (pycapnp reads -0.0 from an empty
# Defaults; test_pycapnp.py checks it).
HIDDEN_DEFAULTS: Dict[Tuple[str, str], Any] = {("Defaults", "float64NegZero"): -0.0}


# -- types ----------------------------------------------------------------------------------------

_FORMATS = {
    "Int8": "<b", "Int16": "<h", "Int32": "<i", "Int64": "<q",
    "UInt8": "<B", "UInt16": "<H", "UInt32": "<I", "UInt64": "<Q",
    "Float32": "<f", "Float64": "<d",
}
_UNSIGNED = {1: struct.Struct("<B"), 2: struct.Struct("<H"), 4: struct.Struct("<I"),
             8: struct.Struct("<Q")}
_ELEMENT_SIZES = {
    "Void": ElementSize.VOID, "Bool": ElementSize.BIT,
    "Int8": ElementSize.BYTE, "UInt8": ElementSize.BYTE,
    "Int16": ElementSize.TWO_BYTES, "UInt16": ElementSize.TWO_BYTES,
    "Int32": ElementSize.FOUR_BYTES, "UInt32": ElementSize.FOUR_BYTES,
    "Float32": ElementSize.FOUR_BYTES,
    "Int64": ElementSize.EIGHT_BYTES, "UInt64": ElementSize.EIGHT_BYTES,
    "Float64": ElementSize.EIGHT_BYTES,
    "Text": ElementSize.POINTER, "Data": ElementSize.POINTER, "AnyPointer": ElementSize.POINTER,
}
_POINTER_TYPES = ("Text", "Data", "AnyPointer")


def element_type(type_: str) -> Optional[str]:
    """``X`` for ``List(X)``, else ``None``."""
    if type_.startswith("List(") and type_.endswith(")"):
        return type_[5:-1]
    return None


def is_pointer(type_: str) -> bool:
    return type_ in _POINTER_TYPES or type_ in LAYOUTS or element_type(type_) is not None


def element_size(type_: str) -> int:
    """The list element size a list of ``type_`` is encoded with."""
    if type_ in _ELEMENT_SIZES:
        return _ELEMENT_SIZES[type_]
    if type_ in ENUMS:
        return ElementSize.TWO_BYTES
    if type_ in LAYOUTS:
        return ElementSize.INLINE_COMPOSITE
    return ElementSize.POINTER  # lists of lists


def _format(type_: str) -> struct.Struct:
    return struct.Struct("<H" if type_ in ENUMS else _FORMATS[type_])


def _children(layout: StructLayout, prefix: str) -> List[Tuple[str, str, F]]:
    """(short name, path, field) of the direct members of the group at ``prefix`` (``""`` for the
    struct itself), in declaration order; union tags are skipped."""
    out = []
    for path, f in layout.fields.items():
        if not path.startswith(prefix) or f.type == "union":
            continue
        short = path[len(prefix):]
        if "." not in short:
            out.append((short, path, f))
    return out


def _union_tag(layout: StructLayout, prefix: str) -> Optional[F]:
    return layout.fields.get(prefix + "union")


# -- values ---------------------------------------------------------------------------------------


def typed(type_: str, value: Any) -> Any:
    """A value of ``type_`` from what :func:`textformat.parse` returns, or from a value we wrote
    (so that e.g. a Float32 written as 1.1 compares equal to the single-precision 1.1 read back)."""
    if type_ == "Void":
        return None
    if type_ == "Bool":
        return bool(value)
    if type_ in ("Float32", "Float64"):
        f = float(value)
        if type_ == "Float32" and not math.isnan(f):
            f = struct.unpack("<f", struct.pack("<f", f))[0]
        return f
    if type_ in _FORMATS:
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{type_} value {value!r} is not an integer")
        return value
    if type_ == "Text":
        return value.decode("utf-8") if isinstance(value, bytes) else str(value)
    if type_ == "Data":
        return bytes(value)
    if type_ in ENUMS:
        return str(value) if isinstance(value, str) else ENUMS[type_][value]
    if type_ in LAYOUTS:
        if value is None:  # a null pointer
            return value
        return complete(type_, value)
    elem = element_type(type_)
    if elem is not None:
        return [typed(elem, v) for v in value]
    raise TypeError(f"unknown type {type_}")


def _parsed_default(struct_name: str, path: str, f: F) -> Any:
    """The value a reader returns for the field when it is not set (zero, or its default)."""
    if (struct_name, path) in HIDDEN_DEFAULTS:
        return HIDDEN_DEFAULTS[(struct_name, path)]
    if f.default is not None:
        return typed(f.type, textformat.parse(f.default))
    if f.type == "Void":
        return None
    if f.type == "Bool":
        return False
    if f.type in ("Float32", "Float64"):
        return 0.0
    if f.type in _FORMATS:
        return 0
    if f.type == "Text":
        return ""
    if f.type == "Data":
        return b""
    if f.type in ENUMS:
        return ENUMS[f.type][0]
    if f.type in LAYOUTS:
        # A null struct pointer reads as the struct's defaults; we keep it as None, which both
        # ends recursive types (Tree.next) and tells null from an explicit empty struct.
        return None
    if f.type == "AnyPointer":
        return None
    return []  # a list


def complete(struct_name: str, value: Dict[str, Any]) -> Dict[str, Any]:
    """What a reader of ``struct_name`` sees in a message holding ``value``: every field that is
    not an inactive union member, with defaults for those ``value`` does not set."""
    return _complete(struct_name, LAYOUTS[struct_name], "", value)


def _complete(
    struct_name: str, layout: StructLayout, prefix: str, value: Dict[str, Any]
) -> Dict[str, Any]:
    unknown = set(value) - {short for short, _, _ in _children(layout, prefix)}
    if unknown:
        raise KeyError(f"{struct_name}.{prefix}: no fields {sorted(unknown)}")
    members = [short for short, _, f in _children(layout, prefix) if f.tag is not None]
    active = [m for m in members if m in value]
    if len(active) > 1:
        raise ValueError(f"{struct_name}.{prefix}: several union members set: {active}")
    out: Dict[str, Any] = {}
    for short, path, f in _children(layout, prefix):
        if f.tag is not None:
            if active and short != active[0]:
                continue
            if not active and f.tag != 0:
                continue
        if f.type == "group":
            out[short] = _complete(struct_name, layout, path + ".", value.get(short, {}))
        elif short in value:
            if f.type == "AnyPointer":
                any_type = ANY_POINTER_TYPES[(struct_name, path)]
                v = value[short]
                if v is None or v is textformat.OPAQUE:  # OPAQUE: as capnp decode prints it
                    out[short] = v
                else:
                    out[short] = complete(any_type, v)
            else:
                out[short] = typed(f.type, value[short])
        else:
            out[short] = _parsed_default(struct_name, path, f)
    return out


def normalize(value: Any) -> Any:
    """``value`` with floats as their hex spelling, so that NaN equals NaN and -0.0 differs from
    0.0 when values are compared with ``==``."""
    if isinstance(value, float):
        return "nan" if math.isnan(value) else value.hex()
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    return value


def text_view(struct_name: str, value: Dict[str, Any]) -> Dict[str, Any]:
    """A complete value as ``capnp decode`` shows it: AnyPointers only as ``<opaque pointer>``."""
    return _text_view(struct_name, LAYOUTS[struct_name], "", value)


def _text_view(
    struct_name: str, layout: StructLayout, prefix: str, value: Dict[str, Any]
) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for short, v in value.items():
        path = prefix + short
        f = layout.fields[path]
        if f.type == "group":
            out[short] = _text_view(struct_name, layout, path + ".", v)
        elif f.type == "AnyPointer":
            out[short] = None if v is None else textformat.OPAQUE
        else:
            out[short] = _text_view_of(f.type, v)
    return out


def _text_view_of(type_: str, v: Any) -> Any:
    if type_ in LAYOUTS:
        return None if v is None else text_view(type_, v)
    elem = element_type(type_)
    if elem is not None:
        return [_text_view_of(elem, e) for e in v]
    return v


# -- the text format ------------------------------------------------------------------------------


def to_text(struct_name: str, value: Dict[str, Any]) -> str:
    """``value`` as a struct literal for ``capnp encode`` (fields in the order ``value`` has)."""
    return _group_text(LAYOUTS[struct_name], "", value)


def _group_text(layout: StructLayout, prefix: str, value: Dict[str, Any]) -> str:
    parts = []
    for short, v in value.items():
        path = prefix + short
        f = layout.fields[path]
        if f.type == "group":
            parts.append(f"{short} = {_group_text(layout, path + '.', v)}")
        elif f.type == "AnyPointer":
            raise ValueError("the text format cannot hold an AnyPointer")
        else:
            parts.append(f"{short} = {_value_text(f.type, v)}")
    return "(" + ", ".join(parts) + ")"


def _value_text(type_: str, v: Any) -> str:
    if type_ == "Void":
        return "void"
    if type_ == "Bool":
        return "true" if v else "false"
    if type_ in ("Float32", "Float64"):
        return textformat.format_float(v)
    if type_ in _FORMATS:
        return str(v)
    if type_ == "Text":
        return textformat.quote_text(v)
    if type_ == "Data":
        return textformat.quote_data(v)
    if type_ in ENUMS:
        return str(v)
    if type_ in LAYOUTS:
        return to_text(type_, v)
    elem = element_type(type_)
    if elem is not None:
        return "[" + ", ".join(_value_text(elem, e) for e in v) + "]"
    raise TypeError(f"unknown type {type_}")


def from_text(struct_name: str, text: str) -> Dict[str, Any]:
    """What ``capnp decode`` printed for one message, typed and completed."""
    return _from_parsed(struct_name, textformat.parse(text))


def _from_parsed(struct_name: str, parsed: Dict[str, Any]) -> Dict[str, Any]:
    layout = LAYOUTS[struct_name]
    return complete(struct_name, _untext(struct_name, layout, "", parsed))


def _untext(
    struct_name: str, layout: StructLayout, prefix: str, parsed: Dict[str, Any]
) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for short, v in parsed.items():
        path = prefix + short
        f = layout.fields[path]
        if f.type == "group":
            out[short] = _untext(struct_name, layout, path + ".", v)
        elif f.type == "AnyPointer":
            out[short] = v  # OPAQUE
        else:
            out[short] = _untext_value(f.type, v)
    return out


def _untext_value(type_: str, v: Any) -> Any:
    if type_ in LAYOUTS:
        return _untext(type_, LAYOUTS[type_], "", v)
    elem = element_type(type_)
    if elem is not None:
        return [_untext_value(elem, e) for e in v]
    return typed(type_, v)


# -- purecap: building ----------------------------------------------------------------------------


def _raw_default(struct_name: str, path: str, f: F) -> int:
    """The bits a data field's default XORs its stored value with (0 without a default)."""
    if f.type == "Bool":
        return 1 if _parsed_default(struct_name, path, f) else 0
    if f.type == "Void":
        return 0
    default = _parsed_default(struct_name, path, f)
    return _to_raw(f.type, default)


def _to_raw(type_: str, v: Any) -> int:
    fmt = _format(type_)
    if type_ in ENUMS:
        v = ENUMS[type_].index(v) if isinstance(v, str) else v
    raw: int = _UNSIGNED[fmt.size].unpack(fmt.pack(v))[0]
    return raw


def _from_raw(type_: str, raw: int) -> Any:
    fmt = _format(type_)
    v = fmt.unpack(_UNSIGNED[fmt.size].pack(raw))[0]
    if type_ in ENUMS:
        names = ENUMS[type_]
        return names[v] if v < len(names) else v
    return v


def build(struct_name: str, builder: StructBuilder, value: Dict[str, Any]) -> None:
    """Write ``value`` into ``builder`` (a struct of type ``struct_name``), field by field in the
    order ``value`` lists them, allocating as C++ setters would."""
    _build_group(struct_name, LAYOUTS[struct_name], "", builder, value)


def _build_group(
    struct_name: str, layout: StructLayout, prefix: str, sb: StructBuilder, value: Dict[str, Any]
) -> None:
    for short, v in value.items():
        path = prefix + short
        f = layout.fields[path]
        if f.tag is not None:
            tag = layout.fields[prefix + "union"]
            sb.set_primitive(_UNSIGNED[2], tag.offset >> 3, f.tag)
        if f.type == "group":
            _build_group(struct_name, layout, path + ".", sb, v)
        elif f.type == "Void":
            pass
        elif f.type == "Bool":
            sb.set_bool(f.offset, bool(v) != bool(_raw_default(struct_name, path, f)))
        elif not is_pointer(f.type):
            raw = _to_raw(f.type, v) ^ _raw_default(struct_name, path, f)
            sb.set_primitive(_UNSIGNED[_format(f.type).size], f.offset >> 3, raw)
        elif f.type == "AnyPointer":
            any_type = ANY_POINTER_TYPES[(struct_name, path)]
            if v is not None:
                _build_value(sb.get_pointer(f.offset), any_type, v)
        else:
            _build_value(sb.get_pointer(f.offset), f.type, v)


def _build_value(pb: PointerBuilder, type_: str, v: Any) -> None:
    if type_ == "Text":
        pb.set_text(v)
    elif type_ == "Data":
        pb.set_data(v)
    elif type_ in LAYOUTS:
        layout = LAYOUTS[type_]
        build(type_, pb.init_struct(layout.data_words, layout.pointers), v)
    else:
        elem = element_type(type_)
        assert elem is not None, type_
        _build_list(pb, elem, v)


def _build_list(pb: PointerBuilder, elem: str, items: List[Any]) -> None:
    n = len(items)
    if elem in LAYOUTS:
        layout = LAYOUTS[elem]
        structs = pb.init_struct_list(n, layout.data_words, layout.pointers)
        for i, item in enumerate(items):
            build(elem, structs.get_struct(i), item)
        return
    lb: ListBuilder = pb.init_list(element_size(elem), n)
    if elem == "Void":
        return
    if elem == "Bool":
        for i, item in enumerate(items):
            lb.set_bool(i, bool(item))
    elif not is_pointer(elem):
        fmt = _format(elem)
        for i, item in enumerate(items):
            lb.set_primitive(i, fmt, ENUMS[elem].index(item) if elem in ENUMS else item)
    else:
        for i, item in enumerate(items):
            _build_value(lb.get_pointer(i), elem, item)


# -- purecap: reading -----------------------------------------------------------------------------


def read(struct_name: str, reader: StructReader) -> Dict[str, Any]:
    """Every field of the struct (as :func:`complete` lists them), read with purecap."""
    return _read_group(struct_name, LAYOUTS[struct_name], "", reader)


def _read_group(
    struct_name: str, layout: StructLayout, prefix: str, sr: StructReader
) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    tag_field = _union_tag(layout, prefix)
    which = sr.get_primitive(_UNSIGNED[2], tag_field.offset >> 3) if tag_field else None
    for short, path, f in _children(layout, prefix):
        if f.tag is not None and f.tag != which:
            continue
        if f.type == "group":
            out[short] = _read_group(struct_name, layout, path + ".", sr)
        elif f.type == "Void":
            out[short] = None
        elif f.type == "Bool":
            out[short] = sr.get_bool(f.offset) != bool(_raw_default(struct_name, path, f))
        elif not is_pointer(f.type):
            size = _format(f.type).size
            raw = sr.get_primitive(_UNSIGNED[size], f.offset >> 3)
            out[short] = _from_raw(f.type, raw ^ _raw_default(struct_name, path, f))
        elif not sr.has_pointer(f.offset):
            out[short] = _parsed_default(struct_name, path, f)
        elif f.type == "AnyPointer":
            any_type = ANY_POINTER_TYPES[(struct_name, path)]
            out[short] = read(any_type, sr.get_pointer(f.offset).get_struct())
        elif f.type == "Text":
            out[short] = sr.get_text(f.offset)
        elif f.type == "Data":
            out[short] = sr.get_data(f.offset)
        elif f.type in LAYOUTS:
            out[short] = read(f.type, sr.get_struct(f.offset))
        else:
            elem = element_type(f.type)
            assert elem is not None
            out[short] = _read_list(sr.get_list(f.offset, element_size(elem)), elem)
    return out


def _read_list(lr: ListReader, elem: str) -> List[Any]:
    n = len(lr)
    if elem == "Void":
        return [None] * n
    if elem == "Bool":
        return [lr.get_bool(i) for i in range(n)]
    if elem in ENUMS:
        names = ENUMS[elem]
        return [names[v] if v < len(names) else v for v in lr.primitives(_format(elem))]
    if elem in _FORMATS:
        return lr.primitives(_format(elem))
    if elem == "Text":
        return [lr.get_text(i) for i in range(n)]
    if elem == "Data":
        return [lr.get_data(i) for i in range(n)]
    if elem in LAYOUTS:
        return [read(elem, lr.get_struct(i)) for i in range(n)]
    inner = element_type(elem)
    assert inner is not None, elem
    return [_read_list(lr.get_list(i, element_size(inner)), inner) for i in range(n)]


# -- pycapnp --------------------------------------------------------------------------------------
# pycapnp's objects are untyped here (Any): its stubs are not part of what we check.


def py_build(schema: Any, struct_name: str, builder: Any, value: Dict[str, Any]) -> None:
    """Write ``value`` with pycapnp's dynamic API, in the same order as :func:`build` (so that
    the C++ underneath allocates the same words in the same order)."""
    _py_build_group(schema, struct_name, LAYOUTS[struct_name], "", builder, value)


def _py_build_group(
    schema: Any, struct_name: str, layout: StructLayout, prefix: str, obj: Any,
    value: Dict[str, Any],
) -> None:
    for short, v in value.items():
        path = prefix + short
        f = layout.fields[path]
        if f.type == "group":
            group = obj.init(short) if f.tag is not None else getattr(obj, short)
            _py_build_group(schema, struct_name, layout, path + ".", group, v)
        elif f.type in LAYOUTS:
            py_build(schema, f.type, obj.init(short), v)
        elif f.type == "AnyPointer":
            any_type = ANY_POINTER_TYPES[(struct_name, path)]
            if v is not None:
                target = getattr(obj, short).as_struct(getattr(schema, any_type))
                py_build(schema, any_type, target, v)
        elif element_type(f.type) is not None:
            elem = element_type(f.type)
            assert elem is not None
            _py_fill_list(schema, obj.init(short, len(v)), elem, v)
        else:
            setattr(obj, short, v)


def _py_fill_list(schema: Any, lst: Any, elem: str, items: List[Any]) -> None:
    for i, item in enumerate(items):
        if elem in LAYOUTS:
            py_build(schema, elem, lst[i], item)
        elif element_type(elem) is not None:
            inner = element_type(elem)
            assert inner is not None
            _py_fill_list(schema, lst.init(i, len(item)), inner, item)
        elif elem != "Void":
            lst[i] = item


def py_read(schema: Any, struct_name: str, reader: Any) -> Dict[str, Any]:
    """Every field of the struct (as :func:`complete` lists them), read with pycapnp."""
    return _py_read_group(schema, struct_name, LAYOUTS[struct_name], "", reader)


def _py_read_group(
    schema: Any, struct_name: str, layout: StructLayout, prefix: str, obj: Any
) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    which = str(obj.which()) if _union_tag(layout, prefix) is not None else None
    for short, path, f in _children(layout, prefix):
        if f.tag is not None and short != which:
            continue
        if f.type == "group":
            group = getattr(obj, short)
            out[short] = _py_read_group(schema, struct_name, layout, path + ".", group)
        elif is_pointer(f.type) and not obj._has(short):
            out[short] = _parsed_default(struct_name, path, f)
        elif f.type == "AnyPointer":
            any_type = ANY_POINTER_TYPES[(struct_name, path)]
            target = getattr(obj, short).as_struct(getattr(schema, any_type))
            out[short] = py_read(schema, any_type, target)
        else:
            out[short] = _py_value(schema, f.type, getattr(obj, short))
    return out


def _py_value(schema: Any, type_: str, v: Any) -> Any:
    if type_ in LAYOUTS:
        return py_read(schema, type_, v)
    elem = element_type(type_)
    if elem is not None:
        return [_py_value(schema, elem, e) for e in v]
    if type_ in ENUMS:
        return str(v)
    if type_ == "Float32":
        return typed(type_, v)
    if type_ == "Void":
        return None
    return bytes(v) if type_ == "Data" else v


if __name__ == "__main__":  # pragma: no cover - regenerates the tables above
    import subprocess
    import sys
    from pathlib import Path

    from conformance.layout_listing import format_table, parse_listing

    schema_path = Path(__file__).parent / "schemas" / "wiretest.capnp"
    listing = subprocess.run(
        ["capnp", "compile", "-ocapnp", str(schema_path)],
        check=True, capture_output=True, text=True,
    ).stdout
    sys.stdout.write(format_table(*parse_listing(listing)) + "\n")
