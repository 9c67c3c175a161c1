"""Reading the field layout the reference compiler assigns, from ``capnp compile -ocapnp``.

``capnp compile -ocapnp schema.capnp`` prints the schema back with each struct's size and, after
each field, where the compiler put it::

    struct Inner @0x80243ab91813d0fd {  # 16 bytes, 2 ptrs
      id @0 :UInt32;  # bits[0, 32)
      name @1 :Text;  # ptr[0]
      ...
      union {  # tag bits [304, 320)
        unionInt32 @44 :Int32;  # bits[384, 416), union tag = 1
      inner :group {
        innerGroup :group {  # union tag = 2

Named unions print as a group holding an unnamed union. :func:`parse_listing` turns that listing
into the same :class:`StructLayout` table that :mod:`conformance.wiretest` writes down by hand, so a
test can check the hand-written table against the live compiler.
"""

from __future__ import annotations

import re
from typing import Dict, List, NamedTuple, Optional, Tuple

__all__ = ["F", "StructLayout", "parse_listing", "format_table"]


class F(NamedTuple):
    """Where one field (or group, or union tag) of a struct lives.

    ``type`` is the type as the schema spells it (``Int32``, ``List(Text)``, ``Inner``) or
    ``group`` / ``union``. ``offset`` is, for data fields and union tags, the offset in *bits* from
    the start of the data section; for pointer fields, the index in the pointer section; 0 for
    groups. ``tag`` is the discriminant value when the field is a union member. ``default`` is the
    default value as the listing prints it (``None`` when it prints none).
    """

    type: str
    offset: int
    tag: Optional[int] = None
    default: Optional[str] = None


class StructLayout(NamedTuple):
    data_words: int
    pointers: int
    # Field paths ("group.inner.innerA"; a union's tag is "<group path>.union", or "union" at the
    # top) in declaration order.
    fields: Dict[str, F]


_STRUCT = re.compile(r"^struct (\w+) @0x[0-9a-f]+ \{  # (\d+) bytes, (\d+) ptrs$")
_ENUM = re.compile(r"^enum (\w+) @0x[0-9a-f]+ \{$")
_ENUMERANT = re.compile(r"^(\w+) @(\d+);$")
_GROUP = re.compile(r"^(\w+) :group \{(?:  # union tag = (\d+))?$")
_UNION = re.compile(r"^union \{  # tag bits \[(\d+), (\d+)\)$")
_FIELD = re.compile(r"^(\w+) @\d+ :(\S+?)(?: = (.*))?;  # (.*)$")
_WHERE = re.compile(r"^(?:bits\[(\d+), \d+\)|ptr\[(\d+)\])(?:, union tag = (\d+))?$")

_PRIMITIVE_TYPES = (
    "Void Bool Int8 Int16 Int32 Int64 UInt8 UInt16 UInt32 UInt64 Float32 Float64 Text Data "
    "AnyPointer"
).split()


def parse_listing(text: str) -> Tuple[Dict[str, StructLayout], Dict[str, List[str]]]:
    """The struct layouts and enums of a ``capnp compile -ocapnp`` listing (top-level types only,
    which is all our schema has)."""
    structs: Dict[str, StructLayout] = {}
    enums: Dict[str, List[str]] = {}
    current: Optional[StructLayout] = None
    enum: Optional[List[str]] = None
    prefix: List[str] = []  # path prefixes of the enclosing groups ("" for the struct)
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or line.startswith("@0x"):
            continue
        if current is None and enum is None:
            m = _STRUCT.match(line)
            if m:
                current = StructLayout(int(m.group(2)) // 8, int(m.group(3)), {})
                structs[m.group(1)] = current
                prefix = [""]
                continue
            m = _ENUM.match(line)
            if m:
                enum = enums.setdefault(m.group(1), [])
                continue
            raise ValueError(f"unexpected line outside a type: {raw!r}")
        if enum is not None:
            if line == "}":
                enum = None
                continue
            m = _ENUMERANT.match(line)
            if not m or int(m.group(2)) != len(enum):
                raise ValueError(f"unexpected enumerant line: {raw!r}")
            enum.append(m.group(1))
            continue
        assert current is not None
        if line == "}":
            prefix.pop()
            if not prefix:
                current = None
            continue
        m = _GROUP.match(line)
        if m:
            path = prefix[-1] + m.group(1)
            tag = int(m.group(2)) if m.group(2) is not None else None
            current.fields[path] = F("group", 0, tag)
            prefix.append(path + ".")
            continue
        m = _UNION.match(line)
        if m:
            current.fields[prefix[-1] + "union"] = F("union", int(m.group(1)))
            prefix.append(prefix[-1])  # union members are named in the enclosing scope
            continue
        m = _FIELD.match(line)
        if m:
            name, type_, default, where = m.groups()
            w = _WHERE.match(where)
            if not w:
                raise ValueError(f"cannot read the field's position: {raw!r}")
            offset = int(w.group(1) if w.group(1) is not None else w.group(2))
            tag = int(w.group(3)) if w.group(3) is not None else None
            current.fields[prefix[-1] + name] = F(type_, offset, tag, default)
            continue
        raise ValueError(f"unexpected line in a struct: {raw!r}")
    return structs, enums


def _q(text: str) -> str:
    """A Python string literal, double-quoted unless the text holds a double quote."""
    if '"' in text or "\\" in text:
        return repr(text)
    return '"' + text + '"'


def format_table(structs: Dict[str, StructLayout], enums: Dict[str, List[str]]) -> str:
    """Python source for the tables of :mod:`conformance.wiretest` (to regenerate them)."""
    out = ["ENUMS: Dict[str, List[str]] = {"]
    for name, values in enums.items():
        out.append(f"    {_q(name)}: [{', '.join(_q(v) for v in values)}],")
    out.append("}")
    out.append("")
    out.append("LAYOUTS: Dict[str, StructLayout] = {")
    for name, layout in structs.items():
        out.append(f"    {_q(name)}: StructLayout({layout.data_words}, {layout.pointers}, {{")
        for path, f in layout.fields.items():
            args = [_q(f.type), str(f.offset)]
            if f.tag is not None:
                args.append(f"tag={f.tag}")
            if f.default is not None:
                args.append(f"default={_q(f.default)}")
            out.append(f"        {_q(path)}: F({', '.join(args)}),")
        out.append("    }),")
    out.append("}")
    return "\n".join(out)
