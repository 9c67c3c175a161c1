"""Seeded random struct declarations, as layout trees and as .capnp source text.

Used by the layout conformance test (compare :func:`purecap.schema.layout.compute_struct_layout`
with the reference ``capnp`` tool) and meant for the full-compiler conformance test too: every
generated struct is a :class:`~purecap.schema.layout.StructDecl` that the layout helper accepts
directly, and :func:`schema_file_text` writes the same structs as a schema file the reference
compiles.

The second half drives the reference tool: :func:`compile_with_reference` runs
``capnp compile -o-`` on a file and decodes the ``CodeGeneratorRequest`` with ``capnp decode``
into plain dicts (:func:`parse_text_format`).  (``capnp convert binary:json`` would be simpler,
but 0.9.2's JSON codec cannot encode the AnyPointer default values the request contains.)

The generator aims at the corners of the layout algorithm: every primitive size mixed, Void and
Bool fields, pointers of every kind, groups, named and unnamed unions, unions nested in groups
nested in unions, union ordinals (``u @5! :union``), and ordinals shuffled against declaration
order.  Every tree it returns is valid for the reference compiler (unless asked not to repair union
ordinals), except that some trip the reference's "issue 344" refusal (the layout helper raises
``Issue344Error`` for exactly those).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from purecap.schema.layout import (
    POINTER,
    VOID,
    FieldDecl,
    GroupDecl,
    MemberDecl,
    StructDecl,
    UnionDecl,
)

__all__ = [
    "FIELD_TYPES",
    "PRELUDE",
    "random_struct",
    "random_structs",
    "struct_text",
    "schema_file_text",
    "CAPNP",
    "SCHEMA_CAPNP",
    "ReferenceResult",
    "compile_with_reference",
    "parse_text_format",
]

FIELD_TYPES: Tuple[Tuple[str, int], ...] = (
    ("Void", VOID),
    ("Bool", 0),
    ("Int8", 3),
    ("UInt8", 3),
    ("Int16", 4),
    ("UInt16", 4),
    ("Color", 4),  # an enum: 16 bits
    ("Int32", 5),
    ("UInt32", 5),
    ("Float32", 5),
    ("Int64", 6),
    ("UInt64", 6),
    ("Float64", 6),
    ("Text", POINTER),
    ("Data", POINTER),
    ("List(Int32)", POINTER),
    ("AnyPointer", POINTER),
    ("Other", POINTER),  # a struct
    ("Iface", POINTER),  # an interface
)
"""Type names a generated field may have, with their layout size codes."""

PRELUDE = "enum Color { red @0; green @1; }\nstruct Other {}\ninterface Iface {}\n"
"""Declarations of the non-builtin types of :data:`FIELD_TYPES`; a schema file needs them."""

# Data sizes appear more often than Void and pointers: they are what the hole logic is about.
_TYPE_WEIGHTS = [3 if size >= 0 else 2 for _, size in FIELD_TYPES]


@dataclass(eq=False)
class _Draft:
    """A member being generated; ordinals are assigned once the whole struct exists."""

    kind: str  # "field", "group", "union" (named), "unnamed" (unnamed union)
    name: str
    type_name: str = ""
    size: int = 0
    has_ordinal: bool = False  # fields always; named unions sometimes
    members: List[_Draft] = field(default_factory=list)


class _Generator:
    def __init__(self, rng: random.Random, max_depth: int) -> None:
        self.rng = rng
        self.max_depth = max_depth
        self.counter = 0

    def _name(self, prefix: str) -> str:
        # Globally unique names keep every scope free of clashes (unnamed union members share
        # their enclosing scope's namespace).
        self.counter += 1
        return f"{prefix}{self.counter}"

    def field(self) -> _Draft:
        type_name, size = self.rng.choices(FIELD_TYPES, weights=_TYPE_WEIGHTS)[0]
        return _Draft("field", self._name("f"), type_name, size, has_ordinal=True)

    def scope_members(self, depth: int, count: int) -> List[_Draft]:
        """Members of a struct or group: fields, groups, named unions, one unnamed union."""
        result: List[_Draft] = []
        has_unnamed = False
        for _ in range(count):
            roll = self.rng.random()
            if depth < self.max_depth and roll < 0.12:
                result.append(self.group(depth + 1))
            elif depth < self.max_depth and roll < 0.24:
                result.append(self.union(depth + 1, named=True))
            elif depth < self.max_depth and roll < 0.34 and not has_unnamed:
                has_unnamed = True
                result.append(self.union(depth + 1, named=False))
            else:
                result.append(self.field())
        return result

    def group(self, depth: int) -> _Draft:
        members = self.scope_members(depth, self.rng.randint(1, 4))
        return _Draft("group", self._name("g"), members=members)

    def union(self, depth: int, named: bool) -> _Draft:
        members: List[_Draft] = []
        for _ in range(self.rng.randint(2, 5)):
            roll = self.rng.random()
            if depth < self.max_depth and roll < 0.2:
                members.append(self.group(depth + 1))
            elif depth < self.max_depth and roll < 0.35:
                members.append(self.union(depth + 1, named=True))  # unions can't nest unnamed
            else:
                members.append(self.field())
        if not named:
            return _Draft("unnamed", "", members=members)
        return _Draft(
            "union", self._name("u"), members=members, has_ordinal=self.rng.random() < 0.3
        )


def _slots(draft: _Draft) -> List[_Draft]:
    """The members under (and including) ``draft`` that take an ordinal."""
    own = [draft] if draft.has_ordinal else []
    return own + [slot for member in draft.members for slot in _slots(member)]


def _unions_post_order(drafts: Sequence[_Draft]) -> List[_Draft]:
    result: List[_Draft] = []
    for draft in drafts:
        result.extend(_unions_post_order(draft.members))
        if draft.kind == "union" and draft.has_ordinal:
            result.append(draft)
    return result


def _assign_ordinals(rng: random.Random, members: List[_Draft], repair: bool) -> Dict[int, int]:
    """Shuffle ordinals; returns ``id(draft) -> ordinal``.

    A shuffle is fine for fields, but the reference accepts a union ordinal only if (1) at most
    one member of the union has an ordinal below it (one field may be "retroactively
    unionized"), and (2) the node lists stay sorted by ordinal: a union is registered in its
    parent's ``fields`` when its first member is, so no explicit-ordinal sibling may be
    registered between that member and the union's own ordinal.  With ``repair`` each union
    ordinal is moved right before or right after the first ordinal inside the union, which
    satisfies both; the innermost unions go first, and a later move only lands next to a slot
    of its own union, never between a sibling union and its first member.
    """
    order = [slot for member in members for slot in _slots(member)]
    rng.shuffle(order)
    if repair:
        for union in _unions_post_order(members):
            order.remove(union)
            position = {id(slot): i for i, slot in enumerate(order)}
            first = min(position[id(slot)] for member in union.members for slot in _slots(member))
            order.insert(first + rng.randint(0, 1), union)
    return {id(slot): ordinal for ordinal, slot in enumerate(order)}


def _freeze(draft: _Draft, ordinals: Dict[int, int]) -> MemberDecl:
    if draft.kind == "field":
        return FieldDecl(draft.name, ordinals[id(draft)], draft.size, draft.type_name)
    members = tuple(_freeze(member, ordinals) for member in draft.members)
    if draft.kind == "group":
        return GroupDecl(draft.name, members)
    return UnionDecl(draft.name, members, ordinals.get(id(draft)))


def random_struct(
    rng: random.Random,
    name: str,
    max_members: int = 8,
    max_depth: int = 3,
    repair_union_ordinals: bool = True,
) -> StructDecl:
    """One random struct named ``name`` with 1..max_members top-level members.

    With ``repair_union_ordinals=False`` union ordinals stay where the shuffle put them, which
    often makes a struct the reference rejects (to test that we reject the same ones).
    """
    generator = _Generator(rng, max_depth)
    members = generator.scope_members(0, rng.randint(1, max_members))
    ordinals = _assign_ordinals(rng, members, repair_union_ordinals)
    return StructDecl(name, tuple(_freeze(member, ordinals) for member in members))


def random_structs(
    seed: int, count: int, max_members: int = 8, repair_union_ordinals: bool = True
) -> List[StructDecl]:
    """``count`` random structs ``S0``, ``S1``, ... from one seed (same seed, same structs)."""
    rng = random.Random(seed)
    return [
        random_struct(rng, f"S{i}", max_members, repair_union_ordinals=repair_union_ordinals)
        for i in range(count)
    ]


_DEFAULT_TYPE_OF_SIZE: Dict[int, str] = {
    VOID: "Void", POINTER: "Text", 0: "Bool", 3: "UInt8", 4: "UInt16", 5: "UInt32", 6: "UInt64"
}


def _member_lines(member: MemberDecl, indent: str) -> List[str]:
    if isinstance(member, FieldDecl):
        type_name = member.type_name
        if type_name is None:
            type_name = _DEFAULT_TYPE_OF_SIZE[member.size]
        return [f"{indent}{member.name} @{member.ordinal} :{type_name};"]
    if isinstance(member, GroupDecl):
        head = f"{indent}{member.name} :group {{"
    elif member.name == "":
        head = f"{indent}union {{"
    elif member.ordinal is not None:
        # The reference insists on the "!": union ordinals only exist for old protocols.
        head = f"{indent}{member.name} @{member.ordinal}! :union {{"
    else:
        head = f"{indent}{member.name} :union {{"
    lines = [head]
    for sub in member.members:
        lines.extend(_member_lines(sub, indent + "  "))
    lines.append(f"{indent}}}")
    return lines


def struct_text(struct: StructDecl) -> str:
    """The struct as .capnp source (field types from ``type_name``, else a type of that size)."""
    lines = [f"struct {struct.name} {{"]
    for member in struct.members:
        lines.extend(_member_lines(member, "  "))
    lines.append("}")
    return "\n".join(lines) + "\n"


def schema_file_text(
    file_id: int, structs: Sequence[StructDecl], prelude: Optional[str] = None
) -> str:
    """A whole schema file: the ID line, the :data:`PRELUDE` types and the structs."""
    parts = [f"@0x{file_id:x};\n", PRELUDE if prelude is None else prelude]
    parts.extend(struct_text(struct) for struct in structs)
    return "".join(parts)


# --- asking the reference compiler ---------------------------------------------------------------

CAPNP: Optional[str] = shutil.which("capnp")
"""The reference ``capnp`` tool, if installed."""


def _find_schema_capnp() -> Optional[str]:
    candidates = ["/usr/include/capnp/schema.capnp", "/usr/local/include/capnp/schema.capnp"]
    if CAPNP is not None:  # <prefix>/bin/capnp -> <prefix>/include/capnp/schema.capnp
        prefix = os.path.dirname(os.path.dirname(os.path.realpath(CAPNP)))
        candidates.insert(0, os.path.join(prefix, "include", "capnp", "schema.capnp"))
    return next((path for path in candidates if os.path.exists(path)), None)


SCHEMA_CAPNP: Optional[str] = _find_schema_capnp()
"""``schema.capnp`` as installed with the tool (needed to decode a CodeGeneratorRequest)."""


@dataclass(frozen=True)
class ReferenceResult:
    """What ``capnp compile`` said about one file."""

    ok: bool
    errors: str  # the compiler's stderr
    nodes: Mapping[str, Any]  # displayName -> node (dicts as parse_text_format makes them)


def compile_with_reference(path: str, ignore_issue_344: bool = False) -> ReferenceResult:
    """Compile the schema file ``path`` with ``capnp`` and decode every node it produced.

    ``path`` should be relative to the current directory, or display names will be absolute.
    ``ignore_issue_344`` sets ``CAPNP_IGNORE_ISSUE_344`` (see purecap.schema.layout).
    """
    if CAPNP is None or SCHEMA_CAPNP is None:
        raise RuntimeError("the capnp tool and its schema.capnp are needed")
    env = dict(os.environ)
    env.pop("CAPNP_IGNORE_ISSUE_344", None)
    if ignore_issue_344:
        env["CAPNP_IGNORE_ISSUE_344"] = "1"
    compiled = subprocess.run(
        [CAPNP, "compile", "-o-", path], capture_output=True, env=env, check=False
    )
    errors = compiled.stderr.decode("utf-8", "replace")
    if compiled.returncode != 0:
        return ReferenceResult(False, errors, {})
    decoded = subprocess.run(
        [CAPNP, "decode", SCHEMA_CAPNP, "CodeGeneratorRequest"],
        input=compiled.stdout, capture_output=True, check=True,
    )
    request = parse_text_format(decoded.stdout.decode("utf-8"))
    nodes = {node["displayName"]: node for node in request["nodes"]}
    return ReferenceResult(True, errors, nodes)


_TOKEN = re.compile(
    r"""\s*(?:("(?:[^"\\]|\\.)*")|(<[^>]*>)|([()\[\],=])|([^\s()\[\],="<]+))"""
)


def parse_text_format(text: str) -> Any:
    """Parse the Cap'n Proto text format ``capnp decode`` prints into dicts, lists and atoms.

    Structs become dicts, lists lists, integers ints, strings (still escaped) str without
    quotes, and every other atom (``void``, ``true``, enumerants, ``<opaque pointer>``, floats)
    its text.  Only as much of the format as the compiler's output needs.
    """
    tokens: List[Tuple[str, str]] = []  # (kind, text); kind is "str", "punct" or "atom"
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ValueError(f"cannot parse text format at {text[position:position + 40]!r}")
        position = match.end()
        quoted, opaque, punct, atom = match.groups()
        if quoted is not None:
            tokens.append(("str", quoted[1:-1]))
        elif punct is not None:
            tokens.append(("punct", punct))
        else:
            tokens.append(("atom", opaque if opaque is not None else atom))
    value, end = _parse_value(tokens, 0)
    if end != len(tokens):
        raise ValueError("trailing tokens after the value")
    return value


def _parse_value(tokens: List[Tuple[str, str]], i: int) -> Tuple[Any, int]:
    kind, text = tokens[i]
    if kind == "punct" and text == "(":
        struct: Dict[str, Any] = {}
        i += 1
        while tokens[i] != ("punct", ")"):
            name = tokens[i][1]
            if tokens[i + 1] != ("punct", "="):
                raise ValueError(f"expected '=' after {name!r}")
            struct[name], i = _parse_value(tokens, i + 2)
            if tokens[i] == ("punct", ","):
                i += 1
        return struct, i + 1
    if kind == "punct" and text == "[":
        items: List[Any] = []
        i += 1
        while tokens[i] != ("punct", "]"):
            item, i = _parse_value(tokens, i)
            items.append(item)
            if tokens[i] == ("punct", ","):
                i += 1
        return items, i + 1
    if kind == "atom" and re.fullmatch(r"-?[0-9]+", text):
        return int(text), i + 1
    return text, i + 1
