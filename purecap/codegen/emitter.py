"""The code generator: schema nodes in, the source of one typed Python module per schema file out.

:func:`generate_module` writes the module of one requested file of a
:class:`~purecap.schema.model.CodeGeneratorRequest`. The shape of what it writes is documented in
:mod:`purecap.codegen`; this module is about how.

Every accessor is written out with its layout baked in: the byte offset, the precompiled
``struct.Struct`` (a module global, so one dictionary lookup), the XOR default, the bounds check
that makes a struct written by an older (smaller) schema read as defaults. Nothing about the schema
is looked up at read time. The layout comes straight from the nodes: slot offsets are in units of
the field's size (bits for Bool, 2 bytes for 16-bit fields...), a union's discriminant offset in
16-bit units (schema.capnp, ``Field.slot.offset`` and ``Node.struct.discriminantOffset``).

Output is deterministic: everything is emitted in node, code and list order, floats through
``repr`` (shortest round-trip since Python 3.1), strings through our own escaper (``repr`` of a
``str`` depends on the Unicode tables of the Python that runs it).

The module ends with the file's schema nodes in their wire encoding (``_SCHEMA``, see
:meth:`_ModuleGenerator.embedded_nodes`), as the C++ generator embeds ``capnp::schemas::s_<id>``:
what :mod:`purecap.codegen.reflection` reads, on first use, for ``Person.schema``,
``str(reader)``, ``to_dict()`` and ``to_json()``.
"""

from __future__ import annotations

import base64
import dataclasses
import math
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Set, Tuple

from purecap.codegen import names as N
from purecap.codegen.runtime import encode_default, float32_bits, float64_bits
from purecap.errors import PurecapError
from purecap.schema import model
from purecap.schema.nodes import request_from_bytes, write_request
from purecap.wire.message import write_packed_message

__all__ = [
    "GENERATOR_VERSION",
    "GeneratorError",
    "enumerant_names",
    "field_names",
    "generate",
    "generate_from_bytes",
    "generate_module",
    "member_names",
    "module_file_name",
    "type_path",
]

#: Bumped when the output changes shape (written into every module's header).
GENERATOR_VERSION = 2


class GeneratorError(PurecapError):
    """The request cannot be turned into Python (a node is missing, names cannot be made
    unique...)."""


# ---------------------------------------------------------------------------------------------
# Types and their layout

# kind -> (struct format, size in bytes, Python type, schema name)
_PRIMITIVES: Dict[str, Tuple[str, int, str, str]] = {
    "int8": ("_I8", 1, "int", "Int8"),
    "int16": ("_I16", 2, "int", "Int16"),
    "int32": ("_I32", 4, "int", "Int32"),
    "int64": ("_I64", 8, "int", "Int64"),
    "uint8": ("_U8", 1, "int", "UInt8"),
    "uint16": ("_U16", 2, "int", "UInt16"),
    "uint32": ("_U32", 4, "int", "UInt32"),
    "uint64": ("_U64", 8, "int", "UInt64"),
    "float32": ("_F32", 4, "float", "Float32"),
    "float64": ("_F64", 8, "float", "Float64"),
}
_FORMATS = ("_I8", "_U8", "_I16", "_U16", "_I32", "_U32", "_I64", "_U64", "_F32", "_F64")

# ElementSize of a list whose elements have this type (what a reader expects).
_ELEMENT_SIZE = {
    "void": 0, "bool": 1, "int8": 2, "uint8": 2, "int16": 3, "uint16": 3, "enum": 3,
    "int32": 4, "uint32": 4, "float32": 4, "int64": 5, "uint64": 5, "float64": 5,
    "text": 6, "data": 6, "list": 6, "interface": 6, "anyPointer": 6, "struct": 7,
}  # fmt: skip

_SCHEMA_NAMES = {
    "void": "Void", "bool": "Bool", "text": "Text", "data": "Data", "anyPointer": "AnyPointer",
    **{k: v[3] for k, v in _PRIMITIVES.items()},
}  # fmt: skip

# What the struct namespace class (``Person``), the reader/builder classes and the interface
# classes define themselves: schema names that would clash get an ``_`` appended.
_STRUCT_NS_RESERVED = frozenset(
    """Reader Builder Which type_id data_words pointer_count new_message init_root get_root read
    from_bytes from_bytes_packed from_flat_bytes from_segments schema""".split()
) | N.RESERVED_BUILTINS
_INTERFACE_NS_RESERVED = frozenset(
    "Client Server Methods type_id schema".split()
) | N.RESERVED_BUILTINS
_MODULE_RESERVED = frozenset(["GENERATOR_VERSION", "FILE_ID"]) | N.RESERVED_BUILTINS
_MEMBER_RESERVED = frozenset(
    "which to_bytes to_bytes_packed total_size as_reader as_builder to_dict to_json".split()
) | N.RESERVED_BUILTINS
_CLIENT_RESERVED = frozenset(["hook"]) | N.RESERVED_BUILTINS
_SERVER_RESERVED = frozenset(["dispatch_call"]) | N.RESERVED_BUILTINS


def module_file_name(filename: str) -> str:
    """The file a schema file's module is written to (flat: generated modules import each other
    as siblings)."""
    return N.module_name(filename) + ".py"


# ---------------------------------------------------------------------------------------------
# Literals


def _str_literal(text: str) -> str:
    """A double-quoted Python literal for ``text``: printable ASCII as is, the rest escaped."""
    out = ['"']
    for ch in text:
        o = ord(ch)
        if ch == "\\" or ch == '"':
            out.append("\\" + ch)
        elif 0x20 <= o < 0x7F:
            out.append(ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif o <= 0xFF:
            out.append(f"\\x{o:02x}")
        elif o <= 0xFFFF:
            out.append(f"\\u{o:04x}")
        else:
            out.append(f"\\U{o:08x}")
    out.append('"')
    return "".join(out)


def _bytes_literal(data: bytes, indent: str) -> str:
    """``b"..."``, split over lines of 20 bytes when long (deterministic: our own escaping)."""
    def chunk(part: bytes) -> str:
        return 'b"' + "".join(f"\\x{b:02x}" for b in part) + '"'

    if len(data) <= 12:
        return chunk(data)
    lines = [chunk(data[i : i + 20]) for i in range(0, len(data), 20)]
    inner = indent + "    "
    return "(\n" + "".join(f"{inner}{line}\n" for line in lines) + indent + ")"


def _float_literal(value: float, bits: int, kind: str) -> str:
    """A float constant; non-finite values through their exact bit pattern (NaN payloads)."""
    if math.isfinite(value):
        return repr(float(value))
    if math.isinf(value):
        return 'float("inf")' if value > 0 else 'float("-inf")'
    return f"_rt.float{'32' if kind == 'float32' else '64'}_from_bits(0x{bits:x})"


def _doc_text(text: str) -> str:
    """A doc comment as the body of a triple-quoted docstring."""
    text = text.strip("\n").rstrip()
    out = []
    for ch in text:
        o = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\n" or ch == "\t" or (o >= 0x20 and o != 0x7F and not 0xD800 <= o <= 0xDFFF):
            out.append(ch)
        else:
            out.append(f"\\x{o:02x}" if o <= 0xFF else f"\\u{o:04x}")
    s = "".join(out).replace('"""', '\\"\\"\\"')
    if s.endswith('"'):
        s += " "
    return s


# ---------------------------------------------------------------------------------------------
# Source writer


class _Writer:
    def __init__(self) -> None:
        self.lines: List[str] = []
        self.level = 0

    def line(self, text: str = "") -> None:
        if not text:
            self.lines.append("")
            return
        self.lines.extend(_wrap("    " * self.level, text))

    def guarded(self, target: str, value: str, condition: str, default: str) -> None:
        """``target value if condition else default`` (``target`` is ``return`` or ``v =``),
        as an ``if`` statement when that does not fit on a line."""
        one = f"{target} {value} if {condition} else {default}"
        if len("    " * self.level + one) <= _WIDTH:
            self.line(one)
        elif target == "return":
            self.line(f"if {condition}:")
            self.line(f"    return {value}")
            self.line(f"return {default}")
        else:
            self.line(f"{target} {default}")
            self.line(f"if {condition}:")
            self.line(f"    {target} {value}")

    def indent(self) -> None:
        self.level += 1

    def dedent(self) -> None:
        self.level -= 1

    def blank(self, n: int = 1) -> None:
        # Never more than ``n`` blank lines in a row.
        count = 0
        for existing in reversed(self.lines):
            if existing:
                break
            count += 1
        self.lines.extend([""] * max(0, n - count))

    def docstring(self, text: Optional[str]) -> None:
        if not text:
            return
        body = _doc_text(text)
        if "\n" in body:
            self.line('"""' + body.split("\n")[0])
            for rest in body.split("\n")[1:]:
                self.line(rest.rstrip())
            self.line('"""')
        else:
            self.line(f'"""{body}"""')

    def text(self) -> str:
        while self.lines and not self.lines[-1]:
            self.lines.pop()
        return "\n".join(self.lines) + "\n"


_WIDTH = 99  # generated lines are wrapped to this width where Python allows
_BASE64_LINE = 96  # characters of base64 a line of the embedded schema (whole 3-byte groups)
_SCHEMA_COMMENT = """\
# This file's schema nodes, with their annotations, as the C++ generator embeds them: a
# CodeGeneratorRequest holding only nodes, packed, in base64 (`print(_SCHEMA_NODES)` piped to
# `base64 -d | capnp decode --packed schema.capnp CodeGeneratorRequest` shows it). Read on first
# use of reflection (Person.schema, str(reader), to_dict(), to_json()); the modules _SCHEMA
# names hold the nodes of the types used from the files this one imports.""".split("\n")


def _brackets(text: str) -> Dict[int, int]:
    """Matching ``(``/``[`` -> ``)``/``]`` positions of ``text``, outside string literals."""
    pairs: Dict[int, int] = {}
    stack: List[int] = []
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "([":
            stack.append(i)
        elif ch in ")]" and stack:
            pairs[stack.pop()] = i
        i += 1
    return pairs


def _top_level_commas(text: str) -> List[int]:
    pairs = _brackets(text)
    commas: List[int] = []
    depth_ends: List[int] = []
    quote = ""
    in_lambda = False
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif i in pairs:
            depth_ends.append(pairs[i])
        elif depth_ends and i == depth_ends[-1]:
            depth_ends.pop()
        elif not depth_ends and text.startswith("lambda", i) and (i == 0 or not (
            text[i - 1].isalnum() or text[i - 1] == "_"
        )):  # fmt: skip
            in_lambda = True  # its parameters' commas are no place to break a line
        elif ch == ":" and not depth_ends:
            in_lambda = False
        elif ch == "," and not depth_ends and not in_lambda:
            commas.append(i)
        i += 1
    return commas


def _wrap(indent: str, text: str, width: int = _WIDTH) -> List[str]:
    """``text`` at ``indent``, split inside its last bracket pair when it is too long (inside
    brackets a line may break at any token, so this never changes the meaning)."""
    line = indent + text
    if len(line) <= width or text.startswith("#") or '"""' in text or "\n" in text:
        return [line]
    if text.endswith(","):  # an item of an enclosing split: wrap it, keep its comma
        out = _wrap(indent, text[:-1], width - 1)
        out[-1] += ","
        return out
    pairs = _brackets(text)
    for open_at, close_at in sorted(pairs.items()):
        tail = text[close_at:]
        if tail in (")", "]", "):", ")]", "]:", ") from None") or (
            tail.startswith(") -> ") and tail.endswith(":")
        ):
            head, inner = text[: open_at + 1], text[open_at + 1 : close_at]
            if not inner.strip():
                continue
            out = [indent + head]
            inner_indent = indent + "    "
            if len(inner_indent + inner) <= _WIDTH:
                out.append(inner_indent + inner)
            else:
                start = 0
                for comma in _top_level_commas(inner) + [len(inner)]:
                    part = inner[start : comma + 1].strip()
                    if part:
                        out.extend(_wrap(inner_indent, part))
                    start = comma + 1
            out.extend(_wrap(indent, tail))
            return out
    return [line]


# ---------------------------------------------------------------------------------------------
# Generic parameters in scope


@dataclass
class _Param:
    scope_id: int
    index: int
    name: str
    reader_var: str  # the TypeVar of the reader side
    builder_var: str  # the TypeVar of the builder side
    slot: int  # codec slot ``_c<slot>`` in reader/builder instances


@dataclass
class _Ctx:
    """Where code is being written: the generic parameters whose codecs ``self`` holds."""

    params: Dict[Tuple[int, int], _Param] = field(default_factory=dict)

    def lookup(self, scope_id: int, index: int) -> Optional[_Param]:
        return self.params.get((scope_id, index))


_NO_CTX = _Ctx()


@dataclass
class _PType:
    """A pointer type resolved in a context: its Python reader and builder types, and the codec
    expression that reads and builds it (used to bind generic parameters)."""

    rtype: str
    btype: str
    codec: str


_ANY = _PType("_rt.AnyPointer", "_rt.AnyPointerBuilder", "_rt.ANY_POINTER")


# ---------------------------------------------------------------------------------------------
# The generator


class _ModuleGenerator:
    def __init__(
        self,
        request: model.CodeGeneratorRequest,
        file_id: int,
        package: Optional[str],
    ) -> None:
        self.request = request
        self.nodes: Dict[int, model.Node] = request.node_map()
        if file_id not in self.nodes:
            raise GeneratorError(f"the request has no node for file 0x{file_id:016x}")
        self.file = self.nodes[file_id]
        self.file_id = file_id
        self.package = package
        self.docs: Dict[int, model.SourceInfo] = {s.id: s for s in request.source_info or ()}
        # Method parameter structs have scope 0 in the request: their parent is the interface.
        self.parent: Dict[int, int] = {}
        self.param_struct_names: Dict[int, Tuple[int, str]] = {}
        for node in self.nodes.values():
            if isinstance(node.body, model.InterfaceBody):
                for m in node.body.methods or ():
                    for sid, suffix in ((m.param_struct_type, "Params"),
                                        (m.result_struct_type, "Results")):  # fmt: skip
                        n = self.nodes.get(sid)
                        if n is not None and n.scope_id == 0 and not isinstance(n.body, model.FileBody):
                            self.parent[sid] = node.id
                            self.param_struct_names.setdefault(
                                sid, (node.id, N.capitalize(m.name) + suffix)
                            )
        self._scope_names: Dict[int, Dict[int, str]] = {}
        self._paths: Dict[int, List[str]] = {}
        self._member_names: Dict[int, Dict[str, str]] = {}
        self.imports: Dict[str, str] = {}  # module name -> alias
        self.imported_files: Set[int] = set()  # the files of the modules imported
        self.formats_used: Set[str] = set()
        self.out = _Writer()
        self.prelude = _Writer()  # module-level defaults, emitted before the classes
        self.public: List[str] = []
        self.codecs: Dict[str, str] = {}  # codec expression -> module constant
        self.defaults: Set[str] = set()  # names of the pointer defaults emitted

    # -- the tree of nodes -------------------------------------------------------------------

    def node(self, node_id: int) -> model.Node:
        n = self.nodes.get(node_id)
        if n is None:
            raise GeneratorError(f"the request has no node 0x{node_id:016x}")
        return n

    def parent_of(self, node: model.Node) -> int:
        return self.parent.get(node.id, node.scope_id)

    def file_of(self, node: model.Node) -> model.Node:
        seen = 0
        while not isinstance(node.body, model.FileBody):
            node = self.node(self.parent_of(node))
            seen += 1
            if seen > 10_000:
                raise GeneratorError("node scopes form a cycle")
        return node

    def scope_names(self, scope: model.Node) -> Dict[int, str]:
        """The Python names of the types and constants declared in ``scope`` (by node id)."""
        cached = self._scope_names.get(scope.id)
        if cached is not None:
            return cached
        body = scope.body
        if isinstance(body, model.FileBody):
            reserved: frozenset[str] = _MODULE_RESERVED
        elif isinstance(body, model.InterfaceBody):
            reserved = _INTERFACE_NS_RESERVED
        else:
            reserved = _STRUCT_NS_RESERVED
        scope_ns = N.Scope(reserved)
        result: Dict[int, str] = {}
        # Every name of the scope is claimed, whether or not its node is in the request, so that
        # names do not depend on which nodes a request happens to include. The kind follows the
        # schema's naming rule: types are capitalised, constants and annotations are not.
        for nested in scope.nested_nodes or ():
            name = nested.name
            python = name if name[:1].isupper() else N.upper_snake_case(name)
            result[nested.id] = scope_ns.claim(python)
        if isinstance(body, model.StructBody):
            for f in sorted(body.fields or (), key=lambda f: f.code_order):
                if isinstance(f.body, model.GroupField):
                    result[f.body.type_id] = scope_ns.claim(N.capitalize(f.name))
        if isinstance(body, model.InterfaceBody):
            for m in sorted(body.methods or (), key=lambda m: m.code_order):
                for sid in (m.param_struct_type, m.result_struct_type):
                    entry = self.param_struct_names.get(sid)
                    if entry is not None and entry[0] == scope.id and sid not in result:
                        result[sid] = scope_ns.claim(entry[1])
        self._scope_names[scope.id] = result
        return result

    def path(self, node: model.Node) -> List[str]:
        """The Python path of a type node: ``["Person", "PhoneNumber"]``."""
        cached = self._paths.get(node.id)
        if cached is not None:
            return cached
        parent = self.node(self.parent_of(node))
        names = self.scope_names(parent)
        if node.id not in names:
            raise GeneratorError(
                f"{node.display_name} is not among the names of its scope {parent.display_name}"
            )
        prefix = [] if isinstance(parent.body, model.FileBody) else self.path(parent)
        result = prefix + [names[node.id]]
        self._paths[node.id] = result
        return result

    def flat(self, node: model.Node) -> str:
        """The module-level name of a type (``Person_PhoneNumber``)."""
        return "_".join(self.path(node))

    def ref(self, node: model.Node, suffix: str = "", private: bool = False) -> str:
        """How this module names ``flat(node) + suffix``: bare when the node is ours, through the
        imported module otherwise (``_other_capnp.Person_Reader``)."""
        name = ("_" if private else "") + self.flat(node) + suffix
        f = self.file_of(node)
        if f.id == self.file_id:
            return name
        module = N.module_name(f.display_name)
        alias = "_" + module
        self.imports[module] = alias
        self.imported_files.add(f.id)
        return f"{alias}.{name}"

    def display(self, node: model.Node) -> str:
        """The schema name of a node without its file (``Person.PhoneNumber``)."""
        name = node.display_name
        return name.split(":", 1)[1] if ":" in name else node.short_name

    def doc(self, node_id: int) -> Optional[str]:
        info = self.docs.get(node_id)
        return info.doc_comment if info is not None else None

    def member_doc(self, node_id: int, index: int) -> Optional[str]:
        info = self.docs.get(node_id)
        if info is None or info.members is None or index >= len(info.members):
            return None
        return info.members[index].doc_comment

    # -- generics ----------------------------------------------------------------------------

    def generic_params(self, node: model.Node) -> List[_Param]:
        """The parameters of every generic scope enclosing ``node`` (itself included),
        outermost first: a reader of ``node`` holds one codec for each."""
        chain: List[model.Node] = []
        n: Optional[model.Node] = node
        seen = 0
        while n is not None and not isinstance(n.body, model.FileBody):
            chain.append(n)
            parent_id = self.parent_of(n)
            n = self.nodes.get(parent_id)
            seen += 1
            if seen > 10_000:
                raise GeneratorError("node scopes form a cycle")
        result: List[_Param] = []
        for scope in reversed(chain):
            for i, p in enumerate(scope.parameters or ()):
                base = f"_{self.flat(scope)}_{p.name}"
                result.append(_Param(scope.id, i, p.name, base, base + "_B", len(result)))
        return result

    def ctx_for(self, node: model.Node) -> _Ctx:
        return _Ctx({(p.scope_id, p.index): p for p in self.generic_params(node)})

    def bindings(
        self, target: model.Node, brand: Optional[model.Brand], ctx: _Ctx
    ) -> List[_PType]:
        """How ``target``'s generic parameters are bound by ``brand``, seen from ``ctx``."""
        params = self.generic_params(target)
        if not params:
            return []
        scopes = {s.scope_id: s for s in (brand.scopes or ())} if brand is not None else {}
        out: List[_PType] = []
        for p in params:
            scope = scopes.get(p.scope_id)
            if scope is None:
                out.append(_ANY)  # not bound: AnyPointer (as in C++)
            elif scope.inherit:
                own = ctx.lookup(p.scope_id, p.index)
                out.append(self.param_ptype(own))
            else:
                binds = scope.bind or []
                if p.index < len(binds) and binds[p.index].type is not None:
                    t = binds[p.index].type
                    assert t is not None
                    out.append(self.ptype(t, ctx))
                else:
                    out.append(_ANY)
        return out

    def hoist(self, codec: str) -> str:
        """A codec that does not depend on ``self`` becomes a module constant (made once, at
        the end of the module when every class it names exists)."""
        if "self." in codec or not codec.startswith("_rt.") or "(" not in codec:
            return codec
        name = self.codecs.get(codec)
        if name is None:
            name = self.codecs[codec] = f"_codec_{len(self.codecs)}"
        return name

    @staticmethod
    def param_ptype(p: Optional[_Param]) -> _PType:
        if p is None:
            return _ANY
        return _PType(p.reader_var, p.builder_var, f"self._c{p.slot}")

    # -- resolving types -----------------------------------------------------------------------

    def struct_classes(
        self, t: model.Type, ctx: _Ctx
    ) -> Tuple[model.Node, str, str, List[_PType]]:
        """A struct type: (node, reader type, builder type, bindings)."""
        node = self.node(t.type_id)
        if not isinstance(node.body, model.StructBody):
            raise GeneratorError(f"type 0x{t.type_id:016x} is not a struct")
        binds = self.bindings(node, t.brand, ctx)
        r = self.ref(node, "_Reader")
        b = self.ref(node, "_Builder")
        if binds:
            r += "[" + ", ".join(x.rtype for x in binds) + "]"
            b += "[" + ", ".join(x.btype for x in binds) + "]"
        return node, r, b, binds

    def struct_wrap(self, node: model.Node, binds: List[_PType], builder: bool) -> str:
        """A callable that wraps a wire-level struct as this struct's reader (or builder)."""
        cls = self.ref(node, "_Builder" if builder else "_Reader")
        if not binds:
            return cls
        var = "b" if builder else "r"
        return f"lambda {var}: {cls}({var}, {', '.join(x.codec for x in binds)})"

    def struct_new(self, node: model.Node, binds: List[_PType], builder: bool, arg: str) -> str:
        cls = self.ref(node, "_Builder" if builder else "_Reader")
        if not binds:
            return f"{cls}({arg})"
        return f"{cls}({arg}, {', '.join(x.codec for x in binds)})"

    def enum_refs(self, t: model.Type) -> Tuple[str, str, int]:
        node = self.node(t.type_id)
        if not isinstance(node.body, model.EnumBody):
            raise GeneratorError(f"type 0x{t.type_id:016x} is not an enum")
        return self.ref(node), self.ref(node, "_members", private=True), len(
            node.body.enumerants or ()
        )

    def client_ref(self, t: model.Type) -> str:
        node = self.node(t.type_id)
        if not isinstance(node.body, model.InterfaceBody):
            raise GeneratorError(f"type 0x{t.type_id:016x} is not an interface")
        return self.ref(node, "_Client")

    def any_ptype(self, t: model.Type, ctx: _Ctx) -> _PType:
        if t.any_pointer_kind == "parameter":
            return self.param_ptype(ctx.lookup(t.scope_id, t.parameter_index))
        if t.any_pointer_kind == "implicitMethodParameter":
            return _ANY
        k = t.unconstrained_kind
        if k == "struct":
            return _PType("_rt.AnyStruct", "_rt.AnyStructBuilder", "_rt.ANY_STRUCT")
        if k == "list":
            return _PType("_rt.AnyList", "_rt.AnyListBuilder", "_rt.ANY_LIST")
        if k == "capability":
            return _PType("_rt.Client", "_rt.Client", "_rt.CAPABILITY")
        return _ANY

    def ptype(self, t: model.Type, ctx: _Ctx) -> _PType:
        """A pointer type as a binding of a generic parameter."""
        k = t.kind
        if k == "text":
            return _PType("str", "str", "_rt.TEXT")
        if k == "data":
            return _PType("bytes", "bytes", "_rt.DATA")
        if k == "struct":
            node, r, b, binds = self.struct_classes(t, ctx)
            body = node.struct
            return _PType(
                r,
                b,
                self.hoist(
                    f"_rt.struct_codec({self.struct_wrap(node, binds, False)}, "
                    f"{self.struct_wrap(node, binds, True)}, {body.data_word_count}, "
                    f"{body.pointer_count})"
                ),
            )
        if k == "list":
            assert t.element_type is not None
            r, rt = self.list_reader("l", t.element_type, ctx, 1)
            g, bt = self.list_builder_get("p.", "", t.element_type, ctx, None, 1)
            i, _ = self.list_builder_init("p.", "", t.element_type, ctx, "n", 1)
            es = _ELEMENT_SIZE[t.element_type.kind]
            return _PType(
                rt,
                bt,
                self.hoist(
                    f"_rt.list_codec(lambda l: {r}, lambda p: {g}, lambda p, n: {i}, {es})"
                ),
            )
        if k == "interface":
            c = self.client_ref(t)
            return _PType(c, c, self.hoist(f"_rt.capability_codec({c})"))
        if k == "anyPointer":
            return self.any_ptype(t, ctx)
        raise GeneratorError(f"a {k} cannot bind a generic parameter")

    # -- lists ---------------------------------------------------------------------------------

    def list_reader(self, lst: str, elem: model.Type, ctx: _Ctx, depth: int) -> Tuple[str, str]:
        """(expression wrapping the wire ListReader ``lst``, its Python type)."""
        k = elem.kind
        if k == "void":
            return f"_rt.VoidList({lst})", "_rt.VoidList"
        if k == "bool":
            return f"_rt.BoolList({lst})", "_rt.BoolList"
        if k in _PRIMITIVES:
            fmt, _, py, _ = _PRIMITIVES[k]
            self.formats_used.add(fmt)
            return f"_rt.PrimitiveList({lst}, {fmt})", f"_rt.PrimitiveList[{py}]"
        if k == "enum":
            e, members, _ = self.enum_refs(elem)
            return f"_rt.EnumList({lst}, {members}, {e})", f"_rt.EnumList[{e}]"
        if k == "text":
            return f"_rt.TextList({lst})", "_rt.TextList"
        if k == "data":
            return f"_rt.DataList({lst})", "_rt.DataList"
        if k == "struct":
            node, r, _, binds = self.struct_classes(elem, ctx)
            return f"_rt.StructList({lst}, {self.struct_wrap(node, binds, False)})", (
                f"_rt.StructList[{r}]"
            )
        if k == "list":
            assert elem.element_type is not None
            inner = f"l{depth}"
            expr, typ = self.list_reader(inner, elem.element_type, ctx, depth + 1)
            es = _ELEMENT_SIZE[elem.element_type.kind]
            return f"_rt.ListList({lst}, lambda {inner}: {expr}, {es})", f"_rt.ListList[{typ}]"
        if k == "interface":
            c = self.client_ref(elem)
            return f"_rt.CapabilityList({lst}, {c})", f"_rt.CapabilityList[{c}]"
        pt = self.ptype(elem, ctx)
        return f"_rt.CodecList({lst}, {pt.codec})", f"_rt.CodecList[{pt.rtype}]"

    def list_builder_wrap(
        self, lst: str, elem: model.Type, ctx: _Ctx, depth: int
    ) -> Tuple[str, str]:
        """(expression wrapping the wire ListBuilder ``lst``, its Python type)."""
        k = elem.kind
        if k == "void":
            return f"_rt.VoidListBuilder({lst})", "_rt.VoidListBuilder"
        if k == "bool":
            return f"_rt.BoolListBuilder({lst})", "_rt.BoolListBuilder"
        if k in _PRIMITIVES:
            fmt, _, py, _ = _PRIMITIVES[k]
            self.formats_used.add(fmt)
            return f"_rt.PrimitiveListBuilder({lst}, {fmt})", f"_rt.PrimitiveListBuilder[{py}]"
        if k == "enum":
            e, members, _ = self.enum_refs(elem)
            return f"_rt.EnumListBuilder({lst}, {members}, {e})", f"_rt.EnumListBuilder[{e}]"
        if k == "text":
            return f"_rt.TextListBuilder({lst})", "_rt.TextListBuilder"
        if k == "data":
            return f"_rt.DataListBuilder({lst})", "_rt.DataListBuilder"
        if k == "struct":
            node, _, b, binds = self.struct_classes(elem, ctx)
            return (
                f"_rt.StructListBuilder({lst}, {self.struct_wrap(node, binds, True)}, "
                f"{self.struct_wrap(node, binds, False)})",
                f"_rt.StructListBuilder[{b}]",
            )
        if k == "list":
            assert elem.element_type is not None
            p = f"p{depth}"
            g, typ = self.list_builder_get(p + ".", "", elem.element_type, ctx, None, depth + 1)
            i, _ = self.list_builder_init(p + ".", "", elem.element_type, ctx, "n", depth + 1)
            return (
                f"_rt.ListListBuilder({lst}, lambda {p}: {g}, lambda {p}, n: {i})",
                f"_rt.ListListBuilder[{typ}]",
            )
        if k == "interface":
            c = self.client_ref(elem)
            return f"_rt.CapabilityListBuilder({lst}, {c})", f"_rt.CapabilityListBuilder[{c}]"
        pt = self.ptype(elem, ctx)
        return f"_rt.CodecListBuilder({lst}, {pt.codec})", f"_rt.CodecListBuilder[{pt.btype}]"

    def list_builder_get(
        self,
        target: str,
        index: str,
        elem: model.Type,
        ctx: _Ctx,
        default: Optional[str],
        depth: int,
    ) -> Tuple[str, str]:
        """Get the list at ``target`` (``self._b.`` with ``index`` ``"3, "``, or ``p.`` with
        ``""``) for writing, wrapped."""
        d = f", {default}" if default else ""
        if elem.kind == "struct":
            node = self.node(elem.type_id)
            body = node.struct
            raw = (
                f"{target}get_struct_list({index}{body.data_word_count}, "
                f"{body.pointer_count}{d})"
            )
        else:
            raw = f"{target}get_list({index}{_ELEMENT_SIZE[elem.kind]}{d})"
        return self.list_builder_wrap(raw, elem, ctx, depth)

    def list_builder_init(
        self, target: str, index: str, elem: model.Type, ctx: _Ctx, size: str, depth: int
    ) -> Tuple[str, str]:
        if elem.kind == "struct":
            body = self.node(elem.type_id).struct
            raw = (
                f"{target}init_struct_list({index}{size}, {body.data_word_count}, "
                f"{body.pointer_count})"
            )
        else:
            raw = f"{target}init_list({index}{_ELEMENT_SIZE[elem.kind]}, {size})"
        return self.list_builder_wrap(raw, elem, ctx, depth)

    # -- type names for comments -------------------------------------------------------------

    def schema_type(self, t: model.Type) -> str:
        k = t.kind
        if k in _SCHEMA_NAMES and k != "anyPointer":
            return _SCHEMA_NAMES[k]
        if k == "list":
            assert t.element_type is not None
            return f"List({self.schema_type(t.element_type)})"
        if k in ("struct", "enum", "interface"):
            n = self.nodes.get(t.type_id)
            if n is None:
                return f"0x{t.type_id:016x}"
            return self.display(n) + self.brand_text(n, t.brand)
        if t.any_pointer_kind == "parameter":
            scope = self.nodes.get(t.scope_id)
            if scope is not None and t.parameter_index < len(scope.parameters or ()):
                return (scope.parameters or [])[t.parameter_index].name
            return "AnyPointer"
        return {"struct": "AnyStruct", "list": "AnyList", "capability": "Capability"}.get(
            t.unconstrained_kind, "AnyPointer"
        )

    def brand_text(self, node: model.Node, brand: Optional[model.Brand]) -> str:
        """``(Text, Data)``: the bindings of ``node``'s own parameters, as in the schema."""
        if brand is None or not node.parameters:
            return ""
        for scope in brand.scopes or ():
            if scope.scope_id == node.id and scope.bind is not None:
                bound = [
                    "AnyPointer" if b.type is None else self.schema_type(b.type)
                    for b in scope.bind
                ]
                return "(" + ", ".join(bound) + ")"
        return ""

    # -- defaults --------------------------------------------------------------------------------

    def pointer_default(self, owner: str, value: model.Value, kind: str) -> Optional[str]:
        """The module-level name of a struct/list default (None when the default is null)."""
        blob = encode_default(value.pointer)
        if not blob:
            return None
        name = f"_D_{owner}"
        if name in self.defaults:  # (the reader and the builder share it)
            return name
        self.defaults.add(name)
        if kind == "struct":
            self.prelude.line(f"{name} = _rt.struct_default({_bytes_literal(blob, '')})")
        else:
            self.prelude.line(f"{name} = _rt.list_default({_bytes_literal(blob, '')})")
        return name

    # -- module ----------------------------------------------------------------------------------

    def generate(self) -> str:
        file_node = self.file
        filename = self.requested_filename()
        # Walk the file's declarations: enums first (they have no dependencies), then
        # reader/builder/client/server classes, then namespace classes children-first.
        types: List[model.Node] = []
        self.collect(file_node, types)
        body = _Writer()
        self.out = body

        for node in types:
            if isinstance(node.body, model.EnumBody):
                self.emit_enum(node)
        for node in types:
            if isinstance(node.body, model.StructBody):
                self.emit_which_enum(node)
            elif isinstance(node.body, model.InterfaceBody):
                self.emit_methods_enum(node)
        self.emit_type_vars(types)
        for node in types:
            if isinstance(node.body, model.StructBody):
                self.emit_struct_classes(node)
        for node in self.interfaces_in_order(types):
            self.emit_interface_classes(node)
        # Namespaces and constants run code at import time that may use the codecs of generic
        # bindings, which must come after the classes they name: collect, then assemble.
        classes = body
        body = self.out = _Writer()
        for node in self.post_order(file_node):
            self.emit_namespace(node)
        self.emit_constants(file_node, 0)
        if self.codecs:
            classes.blank(2)
            classes.line("# Bindings of generic parameters: how each bound type is read and built.")
            for expr, name in self.codecs.items():
                classes.line(f"{name} = {expr}")
        classes.blank(2)
        rest = body.lines
        while rest and not rest[0]:
            rest = rest[1:]
        classes.lines.extend(rest)
        body = classes
        self.emit_schema(body)  # last: every import the module makes is known by now

        head = _Writer()
        head.line(f'"""Generated by purecap.codegen from {_doc_text(filename)} (file id '
                  f'0x{file_node.id:016x}).')  # fmt: skip
        head.line()
        head.line("Do not edit: regenerate with ``capnp compile -opurecap`` (or")
        head.line("``purecap compile -opython``). See purecap.codegen for the API.")
        doc = self.doc(file_node.id)
        if doc:
            head.line()
            for line in _doc_text(doc).split("\n"):
                head.line(line.rstrip())
        head.line('"""')
        head.line()
        head.line("from __future__ import annotations")
        head.line()
        head.line("import typing as _t")
        head.line()
        head.line("from purecap.codegen import runtime as _rt")
        head.line("from purecap.wire.builder import StructBuilder as _StructBuilder")
        head.line("from purecap.wire.reader import StructReader as _StructReader")
        for module in sorted(self.imports):
            alias = self.imports[module]
            if self.package is None:
                head.line(f"from . import {module} as {alias}")
            elif self.package == "":
                head.line(f"import {module} as {alias}")
            else:
                head.line(f"from {self.package} import {module} as {alias}")
        head.line()
        head.line("if _t.TYPE_CHECKING:")
        head.line("    from typing_extensions import TypeAlias as _TypeAlias")
        head.line()
        head.line(f"GENERATOR_VERSION = {GENERATOR_VERSION}")
        head.line(f"FILE_ID = 0x{file_node.id:016x}")
        head.line()
        head.line("__all__ = [")
        for name in self.public:
            head.line(f"    {_str_literal(name)},")
        head.line("]")
        head.line()
        for fmt in _FORMATS:
            if fmt in self.formats_used:
                head.line(f"{fmt} = _rt.{fmt[1:]}")
        head.line("_pack_errors = _rt.PACK_ERRORS")
        if self.prelude.lines:
            head.line()
            head.line("# Default values of pointer fields: canonical encodings, read in place.")
            head.lines.extend(self.prelude.lines)
        return head.text() + "\n\n" + body.text().lstrip("\n")

    # -- the embedded schema ---------------------------------------------------------------------

    def emit_schema(self, w: _Writer) -> None:
        """``_SCHEMA``: the nodes :meth:`embedded_nodes` picks, as a ``CodeGeneratorRequest``
        holding only ``nodes``, packed, in base64 lines (a string constant costs an import
        nothing; reflection decodes it on first use)."""
        request = model.CodeGeneratorRequest(nodes=self.embedded_nodes())
        data = base64.b64encode(write_packed_message(write_request(request))).decode("ascii")
        imports = ", ".join(self.imports[m] for m in sorted(self.imports))
        if len(self.imports) == 1:
            imports += ","
        w.blank(2)
        w.lines.extend(_SCHEMA_COMMENT)
        w.lines.append('_SCHEMA_NODES = """')
        for i in range(0, len(data), _BASE64_LINE):
            w.lines.append(data[i : i + _BASE64_LINE])
        w.lines.append('"""')
        w.line(f"_SCHEMA = _rt.ModuleSchema(FILE_ID, ({imports}), _SCHEMA_NODES)")

    def embedded_nodes(self) -> List[model.Node]:
        """The nodes a module carries, by id: every node of its file, and the annotations its
        nodes use from files whose modules it does not import (``$Cxx.namespace`` needs no
        import of ``c++.capnp``'s module) with the nodes those need - their types, and the
        annotations on those, transitively. Display names are made relative to their file's
        directory, so that the module does not depend on where it was compiled from."""
        own = self.file_id
        files: Dict[int, Optional[int]] = {}

        def file_id(n: model.Node) -> Optional[int]:
            if n.id not in files:
                chain: List[int] = []
                found: Optional[int] = None
                node: Optional[model.Node] = n
                while node is not None and len(chain) < 10_000:
                    if node.id in files:
                        found = files[node.id]
                        break
                    chain.append(node.id)
                    if isinstance(node.body, model.FileBody):
                        found = node.id
                        break
                    node = self.nodes.get(self.parent_of(node))
                for i in chain:
                    files[i] = found
            return files[n.id]

        chosen: Dict[int, model.Node] = {}
        stack: List[model.Node] = []

        def want(node_id: int) -> None:
            n = self.nodes.get(node_id)
            if n is None or n.id in chosen or isinstance(n.body, model.FileBody) and n.id != own:
                return
            f = file_id(n)
            if f is not None and f != own and f in self.imported_files:
                return  # the imported module carries it
            chosen[n.id] = n
            stack.append(n)

        def want_type(t: Optional[model.Type]) -> None:
            while t is not None:
                if t.kind in ("struct", "enum", "interface"):
                    want(t.type_id)
                    want_brand(t.brand)
                t = t.element_type if t.kind == "list" else None

        def want_brand(brand: Optional[model.Brand]) -> None:
            for scope in (brand.scopes if brand is not None else None) or ():
                for b in scope.bind or ():
                    want_type(b.type)

        def want_annotations(items: Optional[List[model.Annotation]]) -> None:
            for a in items or ():
                want(a.id)
                want_brand(a.brand)

        for n in self.nodes.values():
            if file_id(n) == own:
                want(n.id)
        while stack:
            n = stack.pop()
            want_annotations(n.annotations)
            body = n.body
            if isinstance(body, model.StructBody):
                for f in body.fields or ():
                    want_annotations(f.annotations)
                    if isinstance(f.body, model.GroupField):
                        want(f.body.type_id)
                    else:
                        want_type(f.body.type)
            elif isinstance(body, model.EnumBody):
                for e in body.enumerants or ():
                    want_annotations(e.annotations)
            elif isinstance(body, model.InterfaceBody):
                for s in body.superclasses or ():
                    want(s.id)
                    want_brand(s.brand)
                for m in body.methods or ():
                    want_annotations(m.annotations)
                    for sid, brand in ((m.param_struct_type, m.param_brand),
                                       (m.result_struct_type, m.result_brand)):  # fmt: skip
                        want(sid)
                        want_brand(brand)
            elif isinstance(body, (model.ConstBody, model.AnnotationBody)):
                want_type(body.type)
        out = []
        for node_id in sorted(chosen):
            n = chosen[node_id]
            fid = file_id(n)
            prefix = self.nodes[fid].display_name if fid is not None and fid in self.nodes else (
                n.display_name.split(":", 1)[0]
            )
            if n.display_name.startswith(prefix):
                base = prefix.rsplit("/", 1)[-1]
                cut = len(prefix) - len(base)
                n = dataclasses.replace(
                    n,
                    display_name=n.display_name[cut:],
                    display_name_prefix_length=max(0, n.display_name_prefix_length - cut),
                )
            out.append(n)
        return out

    def requested_filename(self) -> str:
        for rf in self.request.requested_files or ():
            if rf.id == self.file_id:
                return rf.filename
        return self.file.display_name

    def collect(self, scope: model.Node, out: List[model.Node]) -> None:
        """Every type node declared in ``scope`` (recursively: nested types, groups, method
        parameter structs), parents before children, in declaration order."""
        for child_id in self.scope_names(scope):
            child = self.nodes.get(child_id)
            if child is None or isinstance(
                child.body, (model.ConstBody, model.AnnotationBody, model.FileBody)
            ):
                continue
            out.append(child)
            self.collect(child, out)

    def post_order(self, scope: model.Node) -> List[model.Node]:
        out: List[model.Node] = []
        for child_id in self.scope_names(scope):
            child = self.nodes.get(child_id)
            if child is None or isinstance(
                child.body, (model.ConstBody, model.AnnotationBody, model.FileBody)
            ):
                continue
            out.extend(self.post_order(child))
            out.append(child)
        return out

    def interfaces_in_order(self, types: List[model.Node]) -> List[model.Node]:
        """Interfaces with their superclasses (of this file) first: Python needs base classes
        defined before the classes that derive from them."""
        ours = {n.id: n for n in types if isinstance(n.body, model.InterfaceBody)}
        done: Set[int] = set()
        out: List[model.Node] = []

        def visit(n: model.Node, stack: Set[int]) -> None:
            if n.id in done or n.id in stack:
                return
            stack.add(n.id)
            for sc in n.interface.superclasses or ():
                if sc.id in ours:
                    visit(ours[sc.id], stack)
            done.add(n.id)
            out.append(n)

        for n in ours.values():
            visit(n, set())
        return out

    def emit_type_vars(self, types: List[model.Node]) -> None:
        """A TypeVar for each generic parameter, reader side and builder side."""
        first = True
        for node in types:
            for p in self.generic_params(node):
                if p.scope_id != node.id:
                    continue
                if first:
                    self.out.blank(2)
                    self.out.line("# Generic parameters: the types a brand binds, as readers and builders.")
                    first = False
                self.out.line(f'{p.reader_var} = _t.TypeVar("{p.reader_var}")')
                self.out.line(f'{p.builder_var} = _t.TypeVar("{p.builder_var}")')

    # -- enums -----------------------------------------------------------------------------------

    def emit_enum(self, node: model.Node) -> None:
        w = self.out
        name = self.flat(node)
        enumerants = node.enum.enumerants or []
        w.blank(2)
        w.line(f"class {name}(_rt.Enum):")
        w.indent()
        w.docstring(self.doc(node.id) or f"enum {self.display(node)}")
        w.line()
        names = enumerant_names(node)
        if not enumerants:
            w.line("pass")
        for i in range(len(enumerants)):
            w.line(f"{names[i]} = {i}")
            d = self.member_doc(node.id, i)
            if d:
                w.docstring(d)
        w.dedent()
        w.blank(2)
        w.line(f"_{name}_members = tuple({name})")
        w.line(f"{name}.type_id = 0x{node.id:016x}")
        self.maybe_public(node)

    def maybe_public(self, node: model.Node) -> None:
        if self.parent_of(node) == self.file_id:
            self.public.append(self.flat(node))

    def union_fields(self, node: model.Node) -> List[model.Field]:
        return [
            f
            for f in node.struct.fields or ()
            if f.discriminant_value != model.NO_DISCRIMINANT
        ]

    def emit_which_enum(self, node: model.Node) -> None:
        body = node.struct
        if body.discriminant_count == 0:
            return
        w = self.out
        name = self.flat(node) + "_Which"
        members = sorted(self.union_fields(node), key=lambda f: f.discriminant_value)
        w.blank(2)
        w.line(f"class {name}(_rt.Enum):")
        w.indent()
        w.docstring(f"The members of {self.display(node)}'s union (what ``which()`` returns).")
        w.line()
        scope = N.Scope()
        for f in members:
            w.line(f"{scope.claim(N.upper_snake_case(f.name))} = {f.discriminant_value}")
        w.dedent()
        w.blank(2)
        w.line(f"_{name}_members = tuple({name})")

    def emit_methods_enum(self, node: model.Node) -> None:
        w = self.out
        name = self.flat(node) + "_Methods"
        methods = node.interface.methods or []
        w.blank(2)
        w.line(f"class {name}(_rt.Enum):")
        w.indent()
        w.docstring(f"The method ordinals of interface {self.display(node)}.")
        w.line()
        scope = N.Scope()
        if not methods:
            w.line("pass")
        for i, m in enumerate(methods):
            w.line(f"{scope.claim(N.upper_snake_case(m.name))} = {i}")
        w.dedent()

    # -- structs -----------------------------------------------------------------------------

    def member_names(self, node: model.Node) -> Dict[str, str]:
        cached = self._member_names.get(node.id)
        if cached is None:
            cached = self._member_names[node.id] = member_names(node)
        return cached

    def emit_struct_classes(self, node: model.Node) -> None:
        ctx = self.ctx_for(node)
        params = self.generic_params(node)
        flat = self.flat(node)
        body = node.struct
        is_group = body.is_group
        w = self.out
        fields = sorted(body.fields or (), key=lambda f: f.code_order)
        index_of = {id(f): i for i, f in enumerate(body.fields or ())}
        names = self.member_names(node)
        what = "group" if is_group else "struct"
        layout = (
            f"{_count(body.data_word_count, 'data word')}, "
            f"{_count(body.pointer_count, 'pointer')}"
            if not is_group
            else "a view of its struct's sections"
        )
        for builder in (False, True):
            cls = flat + ("_Builder" if builder else "_Reader")
            if is_group:
                base = "_rt.GroupBuilderBase" if builder else "_rt.GroupReaderBase"
            else:
                base = "_rt.StructBuilderBase" if builder else "_rt.StructReaderBase"
            if params:
                tv = ", ".join(p.builder_var if builder else p.reader_var for p in params)
                base += f", _t.Generic[{tv}]"
            w.blank(2)
            w.line(f"class {cls}({base}):")
            w.indent()
            title = f"{what} {self.display(node)} ({'builder' if builder else 'reader'}): {layout}."
            doc = self.doc(node.id)
            w.docstring(title + ("\n\n" + doc.strip("\n") if doc else ""))
            w.line()
            if params:
                w.line(f"__slots__ = {_tuple([f'_c{p.slot}' for p in params])}")
                w.line()
                var = "b" if builder else "r"
                wire = "_StructBuilder" if builder else "_StructReader"
                args = ", ".join(
                    f"c{p.slot}: _rt.PointerCodec["
                    + (f"_t.Any, {p.builder_var}]" if builder else f"{p.reader_var}, _t.Any]")
                    for p in params
                )
                w.line(f"def __init__(self, {var}: {wire}, {args}) -> None:")
                w.indent()
                w.line(f"self._{var} = {var}")
                for p in params:
                    w.line(f"self._c{p.slot} = c{p.slot}")
                w.dedent()
            else:
                w.line("__slots__ = ()")
            if body.discriminant_count:
                self.emit_which(node, builder)
            for f in fields:
                doc = self.member_doc(node.id, index_of[id(f)])
                self.emit_field(node, f, names, ctx, builder, doc)
            if not is_group:
                self.emit_conversion(node, params, builder)
            w.dedent()

    def emit_conversion(self, node: model.Node, params: List[_Param], builder: bool) -> None:
        """``as_reader()`` on builders, ``as_builder()`` on readers (a copy in a new message)."""
        w = self.out
        flat = self.flat(node)
        body = node.struct
        w.line()
        if builder:
            if params:
                targs = ", ".join("_t.Any" for _ in params)
                codecs = ", ".join(f"self._c{p.slot}" for p in params)
                w.line(f"def as_reader(self) -> {flat}_Reader[{targs}]:")
                w.indent()
                w.line('"""A reader of this struct (no copy; it sees later changes)."""')
                w.line(f"return {flat}_Reader(self._b.as_reader(), {codecs})")
            else:
                w.line(f"def as_reader(self) -> {flat}_Reader:")
                w.indent()
                w.line('"""A reader of this struct (no copy; it sees later changes)."""')
                w.line(f"return {flat}_Reader(self._b.as_reader())")
            w.dedent()
        else:
            if params:
                targs = ", ".join("_t.Any" for _ in params)
                codecs = ", ".join(f"self._c{p.slot}" for p in params)
                w.line(f"def as_builder(self) -> {flat}_Builder[{targs}]:")
                w.indent()
                w.line('"""A copy of this struct as the root of a new message."""')
                w.line(f"b = _rt.copy_message(self._r).get_root({body.data_word_count}, "
                       f"{body.pointer_count})")  # fmt: skip
                w.line(f"return {flat}_Builder(b, {codecs})")
            else:
                w.line(f"def as_builder(self) -> {flat}_Builder:")
                w.indent()
                w.line('"""A copy of this struct as the root of a new message."""')
                w.line(f"b = _rt.copy_message(self._r).get_root({body.data_word_count}, "
                       f"{body.pointer_count})")  # fmt: skip
                w.line(f"return {flat}_Builder(b)")
            w.dedent()

    def emit_which(self, node: model.Node, builder: bool) -> None:
        w = self.out
        body = node.struct
        name = self.flat(node) + "_Which"
        off = body.discriminant_offset * 2
        count = len(self.union_fields(node))
        self.formats_used.add("_U16")
        w.line()
        w.line(f"def which(self) -> {name}:")
        w.indent()
        w.line(f'"""The union member that is set (tag at bits [{off * 8}, {off * 8 + 16}))."""')
        if builder:
            w.line("b = self._b")
            w.line(f"d = _U16.unpack_from(b.segment, b.data_offset{_plus(off)})[0]")
        else:
            w.line("r = self._r")
            w.guarded(
                "d =", f"_U16.unpack_from(r.segment, r.data_offset{_plus(off)})[0]",
                f"{off + 2} <= r.data_size", "0",
            )  # fmt: skip
        w.guarded("return", f"_{name}_members[d]", f"d < {count}", f"{name}(d)")
        w.dedent()

    def emit_field(
        self,
        node: model.Node,
        f: model.Field,
        names: Dict[str, str],
        ctx: _Ctx,
        builder: bool,
        doc: Optional[str],
    ) -> None:
        w = self.out
        name = names["f:" + f.name]
        in_union = f.discriminant_value != model.NO_DISCRIMINANT
        disc = None
        if in_union:
            disc = (node.struct.discriminant_offset * 2, f.discriminant_value)
            self.formats_used.add("_U16")
        qual = f"{self.display(node)}.{f.name}"
        w.line()
        if isinstance(f.body, model.GroupField):
            group = self.node(f.body.type_id)
            binds = [self.param_ptype(p) for p in self.generic_params(group)]
            comment = f"# {f.name} :group"
            if in_union:
                comment += f" (union tag {f.discriminant_value})"
            w.line(comment)
            cls_r = self.flat(group) + "_Reader"
            cls_b = self.flat(group) + "_Builder"
            if binds:
                cls_r += "[" + ", ".join(b.rtype for b in binds) + "]"
                cls_b += "[" + ", ".join(b.btype for b in binds) + "]"
            w.line("@property")
            if not builder:
                w.line(f"def {name}(self) -> {cls_r}:")
                w.indent()
                w.docstring(doc)
                w.line(f"return {self.struct_new(group, binds, False, 'self._r')}")
                w.dedent()
                return
            w.line(f"def {name}(self) -> {cls_b}:")
            w.indent()
            w.docstring(doc)
            w.line(f"return {self.struct_new(group, binds, True, 'self._b')}")
            w.dedent()
            w.line()
            w.line(f"def {names['init:' + f.name]}(self) -> {cls_b}:")
            w.indent()
            w.line(f'"""Clear the group{" and make it the union member that is set" if disc else ""}; its builder."""')
            w.line("b = self._b")
            if disc:
                w.line(f"_U16.pack_into(b.segment, b.data_offset{_plus(disc[0])}, {disc[1]})")
            ranges, bits, pointers = self.group_layout(group)
            w.line(f"_rt.clear_fields(b, {_tuple(ranges)}, {_tuple(bits)}, {_tuple(pointers)})")
            w.line(f"return {self.struct_new(group, binds, True, 'b')}")
            w.dedent()
            return

        slot = f.body
        t = slot.type
        k = t.kind
        decl = f"# {f.name} @{f.ordinal} :{self.schema_type(t)}"
        if slot.had_explicit_default:
            decl += " (explicit default)"
        if k in _PRIMITIVES or k in ("bool", "enum"):
            if k == "bool":
                decl += f"; bit {slot.offset}"
            else:
                size = 2 if k == "enum" else _PRIMITIVES[k][1]
                start = slot.offset * size * 8
                decl += f"; bits [{start}, {start + size * 8})"
        elif k != "void":
            decl += f"; ptr[{slot.offset}]"
        if disc:
            decl += f"; union tag {disc[1]}"
        w.line(decl)
        if k == "void":
            self.emit_void(name, disc, builder, doc)
        elif k == "bool":
            self.emit_bool(name, slot, disc, builder, doc)
        elif k in _PRIMITIVES or k == "enum":
            self.emit_number(name, qual, slot, disc, builder, doc)
        else:
            self.emit_pointer(node, f, name, names, qual, slot, disc, ctx, builder, doc)

    def emit_void(
        self, name: str, disc: Optional[Tuple[int, int]], builder: bool, doc: Optional[str]
    ) -> None:
        w = self.out
        w.line("@property")
        w.line(f"def {name}(self) -> None:")
        w.indent()
        w.docstring(doc)
        w.line("return None")
        w.dedent()
        if builder:
            w.line()
            w.line(f"@{name}.setter")
            w.line(f"def {name}(self, value: None) -> None:")
            w.indent()
            if disc:
                w.line("b = self._b")
                w.line(f"_U16.pack_into(b.segment, b.data_offset{_plus(disc[0])}, {disc[1]})")
            else:
                w.line("pass")
            w.dedent()

    def emit_bool(
        self,
        name: str,
        slot: model.SlotField,
        disc: Optional[Tuple[int, int]],
        builder: bool,
        doc: Optional[str],
    ) -> None:
        w = self.out
        byte, bit = slot.offset >> 3, slot.offset & 7
        mask = 1 << bit
        default = bool(slot.default_value.scalar) if slot.default_value.kind == "bool" else False
        w.line("@property")
        w.line(f"def {name}(self) -> bool:")
        w.indent()
        w.docstring(doc)
        if builder:
            w.line("b = self._b")
            test = f"b.segment[b.data_offset{_plus(byte)}] & {mask}"
            w.line(f"return not ({test})" if default else f"return bool({test})")
        else:
            w.line("r = self._r")
            test = f"r.segment[r.data_offset{_plus(byte)}] & {mask}"
            if default:
                w.guarded("return", f"not ({test})", f"{byte} < r.data_size", "True")
            else:
                w.guarded("return", f"bool({test})", f"{byte} < r.data_size", "False")
        w.dedent()
        if not builder:
            return
        w.line()
        w.line(f"@{name}.setter")
        w.line(f"def {name}(self, value: bool) -> None:")
        w.indent()
        w.line("b = self._b")
        if disc:
            w.line(f"_U16.pack_into(b.segment, b.data_offset{_plus(disc[0])}, {disc[1]})")
        w.line(f"if {'not ' if default else ''}value:")
        w.line(f"    b.segment[b.data_offset{_plus(byte)}] |= {mask}")
        w.line("else:")
        w.line(f"    b.segment[b.data_offset{_plus(byte)}] &= {~mask & 0xFF}")
        w.dedent()

    def emit_number(
        self,
        name: str,
        qual: str,
        slot: model.SlotField,
        disc: Optional[Tuple[int, int]],
        builder: bool,
        doc: Optional[str],
    ) -> None:
        w = self.out
        t = slot.type
        k = t.kind
        dv = slot.default_value
        enum_info: Optional[Tuple[str, str, int]] = None
        if k == "enum":
            fmt, size, py, schema_name = "_U16", 2, "", "enum"
            enum_info = self.enum_refs(t)
            py = enum_info[0]
            default_int = int(dv.scalar) if dv.kind == "enum" else 0
            xor = default_int
            plain_default = str(default_int)
        else:
            fmt, size, py, schema_name = _PRIMITIVES[k]
            if py == "float":
                value = float(dv.scalar) if dv.kind == k else 0.0
                bits = float32_bits(value) if k == "float32" else float64_bits(value)
                if bits:
                    xor = bits
                    fmt = "_U32" if k == "float32" else "_U64"
                else:
                    xor = 0
                plain_default = _float_literal(value, bits, k)
            else:
                default_int = int(dv.scalar) if dv.kind == k else 0
                xor = default_int
                plain_default = str(default_int)
        self.formats_used.add(fmt)
        off = slot.offset * size
        end = off + size
        float_bits = py == "float" and xor != 0
        from_bits = "_rt.float32_from_bits" if k == "float32" else "_rt.float64_from_bits"
        # The read, for readers (bounds-checked) and builders (always in bounds).
        v = "b" if builder else "r"
        raw = f"{fmt}.unpack_from({v}.segment, {v}.data_offset{_plus(off)})[0]"
        if xor:
            raw = f"{raw} ^ {f'0x{xor:x}' if float_bits else xor}"
        if float_bits:
            raw = f"{from_bits}({raw})"
        w.line("@property")
        w.line(f"def {name}(self) -> {py}:")
        w.indent()
        w.docstring(doc)
        w.line(f"{v} = self._{v}")
        if enum_info is not None:
            e, members, count = enum_info
            if builder:
                w.line(f"v = {raw}")
            else:
                w.guarded("v =", raw, f"{end} <= r.data_size", plain_default)
            w.guarded("return", f"{members}[v]", f"v < {count}", f"{e}(v)")
        elif builder:
            w.line(f"return {raw}")
        else:
            w.guarded("return", raw, f"{end} <= r.data_size", plain_default)
        w.dedent()
        if not builder:
            return
        w.line()
        w.line(f"@{name}.setter")
        w.line(f"def {name}(self, value: {py}) -> None:")
        w.indent()
        w.line("b = self._b")
        if disc:
            w.line(f"_U16.pack_into(b.segment, b.data_offset{_plus(disc[0])}, {disc[1]})")
        if float_bits:
            to_bits = "_rt.float32_bits" if k == "float32" else "_rt.float64_bits"
            stored = f"{to_bits}(value) ^ 0x{xor:x}"
        elif xor:
            stored = f"value ^ {xor}"
        else:
            stored = "value"
        w.line("try:")
        w.line(f"    {fmt}.pack_into(b.segment, b.data_offset{_plus(off)}, {stored})")
        w.line("except _pack_errors:")
        w.line(
            f"    raise _rt.field_error({_str_literal(qual)}, "
            f"{_str_literal(schema_name if k != 'enum' else 'enum (UInt16)')}, value) from None"
        )
        w.dedent()

    def emit_pointer(
        self,
        node: model.Node,
        f: model.Field,
        name: str,
        names: Dict[str, str],
        qual: str,
        slot: model.SlotField,
        disc: Optional[Tuple[int, int]],
        ctx: _Ctx,
        builder: bool,
        doc: Optional[str],
    ) -> None:
        w = self.out
        t = slot.type
        k = t.kind
        i = slot.offset
        dv = slot.default_value
        v = "self._b" if builder else "self._r"
        owner = f"{self.flat(node)}_{name}"

        def disc_line() -> None:
            if disc:
                w.line(f"_U16.pack_into(self._b.segment, self._b.data_offset{_plus(disc[0])}, "
                       f"{disc[1]})")  # fmt: skip

        def has() -> None:
            w.line()
            w.line(f"def {names['has:' + f.name]}(self) -> bool:")
            w.indent()
            if disc:
                w.line(f"if self.which() != {disc[1]}:")
                w.line("    return False")
            w.line(f"return {v}.has_pointer({i})")
            w.dedent()

        if k in ("text", "data"):
            py = "str" if k == "text" else "bytes"
            default = ""
            if k == "text" and dv.kind == "text" and dv.text:
                default = f", {_str_literal(dv.text)}"
            elif k == "data" and dv.kind == "data" and dv.data:
                default = f", {_bytes_literal(dv.data, '        ')}"
            w.line("@property")
            w.line(f"def {name}(self) -> {py}:")
            w.indent()
            w.docstring(doc)
            w.line(f"return {v}.get_{k}({i}{default})")
            w.dedent()
            if builder:
                w.line()
                w.line(f"@{name}.setter")
                w.line(f"def {name}(self, value: {py}) -> None:")
                w.indent()
                disc_line()
                w.line(f"self._b.set_{k}({i}, value)")
                w.dedent()
                if k == "data":
                    w.line()
                    w.line(f"def {names['init:' + f.name]}(self, size: int) -> memoryview:")
                    w.indent()
                    w.line('"""A new Data of ``size`` zero bytes, as a writable view."""')
                    disc_line()
                    w.line(f"return self._b.init_data({i}, size)")
                    w.dedent()
            has()
            return

        if k == "struct":
            target, r, b, binds = self.struct_classes(t, ctx)
            body = target.struct
            d = None
            if slot.had_explicit_default or (dv.pointer is not None and not dv.pointer.is_null()):
                d = self.pointer_default(owner, dv, "struct")
            dflt = f", {d}" if d else ""
            w.line("@property")
            if not builder:
                w.line(f"def {name}(self) -> {r}:")
                w.indent()
                w.docstring(doc)
                w.line(f"return {self.struct_new(target, binds, False, f'self._r.get_struct({i}{dflt})')}")
                w.dedent()
                has()
                return
            size = f"{body.data_word_count}, {body.pointer_count}"
            w.line(f"def {name}(self) -> {b}:")
            w.indent()
            w.docstring(doc)
            w.line(f"return {self.struct_new(target, binds, True, f'self._b.get_struct({i}, {size}{dflt})')}")
            w.dedent()
            w.line()
            w.line(f"def {names['init:' + f.name]}(self) -> {b}:")
            w.indent()
            w.line('"""Point the field at a new struct (defaults everywhere); its builder."""')
            disc_line()
            w.line(f"return {self.struct_new(target, binds, True, f'self._b.init_struct({i}, {size})')}")
            w.dedent()
            w.line()
            w.line(f"def {names['set:' + f.name]}(self, value: _t.Union[{r}, {b}]) -> None:")
            w.indent()
            w.line('"""Make the field a deep copy of ``value``."""')
            disc_line()
            w.line(f"_rt.set_pointer(self._b.get_pointer({i}), value)")
            w.dedent()
            has()
            return

        if k == "list":
            elem = t.element_type
            assert elem is not None
            d = None
            if dv.pointer is not None and not dv.pointer.is_null():
                d = self.pointer_default(owner, dv, "list")
            es = _ELEMENT_SIZE[elem.kind]
            w.line("@property")
            if not builder:
                dflt = f", {d}" if d else ""
                expr, typ = self.list_reader(f"self._r.get_list({i}, {es}{dflt})", elem, ctx, 1)
                w.line(f"def {name}(self) -> {typ}:")
                w.indent()
                w.docstring(doc)
                w.line(f"return {expr}")
                w.dedent()
                has()
                return
            expr, typ = self.list_builder_get("self._b.", f"{i}, ", elem, ctx, d, 1)
            w.line(f"def {name}(self) -> {typ}:")
            w.indent()
            w.docstring(doc)
            w.line(f"return {expr}")
            w.dedent()
            w.line()
            init, _ = self.list_builder_init("self._b.", f"{i}, ", elem, ctx, "size", 1)
            w.line(f"def {names['init:' + f.name]}(self, size: int) -> {typ}:")
            w.indent()
            w.line('"""Point the field at a new list of ``size`` elements; its builder."""')
            disc_line()
            w.line(f"return {init}")
            w.dedent()
            w.line()
            rtype = self.list_reader("l", elem, ctx, 1)[1]
            ek = elem.kind
            if ek in _PRIMITIVES or ek in ("bool", "enum", "text", "data"):
                if ek in _PRIMITIVES:
                    pe = _PRIMITIVES[ek][2]
                    fmt_arg = f"_rt.{_PRIMITIVES[ek][0][1:]}"
                elif ek == "enum":
                    pe = self.enum_refs(elem)[0]
                    fmt_arg = "_rt.U16"
                else:
                    pe = {"bool": "bool", "text": "str", "data": "bytes"}[ek]
                    fmt_arg = "None"
                w.line(
                    f"def {names['set:' + f.name]}(self, value: _t.Iterable[{pe}]) -> None:"
                )
                w.indent()
                w.line('"""Make the field a new list holding ``value`` (a typed list: a deep '
                       'copy)."""')  # fmt: skip
                disc_line()
                w.line(f"_rt.set_sequence(self._b.get_pointer({i}), {es}, value, {fmt_arg})")
                w.dedent()
            else:
                w.line(f"def {names['set:' + f.name]}(self, value: _t.Union[{rtype}, {typ}]) -> None:")
                w.indent()
                w.line('"""Make the field a deep copy of the list ``value``."""')
                disc_line()
                w.line(f"_rt.set_pointer(self._b.get_pointer({i}), value)")
                w.dedent()
            has()
            return

        if k == "interface":
            c = self.client_ref(t)
            w.line("@property")
            w.line(f"def {name}(self) -> {c}:")
            w.indent()
            w.docstring(doc)
            if builder:
                w.line("b = self._b")
                w.line(f"return {c}(_rt.capability_hook(b.get_pointer({i}).get_capability(), "
                       "b.message.cap_table))")  # fmt: skip
            else:
                w.line("r = self._r")
                w.line(f"return {c}(_rt.capability_hook(r.get_capability({i}), r.arena.cap_table))")
            w.dedent()
            if builder:
                w.line()
                w.line(f"@{name}.setter")
                w.line(f"def {name}(self, value: {c}) -> None:")
                w.indent()
                disc_line()
                w.line(f"_rt.set_client(self._b.get_pointer({i}), value)")
                w.dedent()
            has()
            return

        # AnyPointer, AnyStruct, AnyList, Capability, or a generic parameter.
        pt = self.any_ptype(t, ctx)
        w.line("@property")
        if not builder:
            w.line(f"def {name}(self) -> {pt.rtype}:")
            w.indent()
            w.docstring(doc)
            w.line(f"return {pt.codec}.read(self._r.get_pointer({i}))")
            w.dedent()
            has()
            return
        w.line(f"def {name}(self) -> {pt.btype}:")
        w.indent()
        w.docstring(doc)
        w.line(f"return {pt.codec}.get(self._b.get_pointer({i}))")
        w.dedent()
        w.line()
        w.line(f"def {names['init:' + f.name]}(self, size: int = 0) -> {pt.btype}:")
        w.indent()
        w.line('"""Clear the field (for a list or blob binding: a new one of ``size``); its '
               'builder."""')  # fmt: skip
        disc_line()
        w.line(f"p = self._b.get_pointer({i})")
        w.line("p.clear()")
        w.line(f"return {pt.codec}.init(p, size)")
        w.dedent()
        w.line()
        w.line(f"def {names['set:' + f.name]}(self, value: object) -> None:")
        w.indent()
        w.line('"""Make the field a deep copy of ``value`` (a reader, builder, list, str...)."""')
        disc_line()
        w.line(f"_rt.set_pointer(self._b.get_pointer({i}), value)")
        w.dedent()
        has()

    def group_layout(
        self, group: model.Node
    ) -> Tuple[List[Tuple[int, int]], List[Tuple[int, int]], List[int]]:
        """What ``init_<group>()`` zeroes: data ranges, Bool bits, pointers (nested groups and
        the group's own union tag included)."""
        ranges: List[Tuple[int, int]] = []
        bits: List[Tuple[int, int]] = []
        pointers: List[int] = []

        def walk(n: model.Node, depth: int) -> None:
            if depth > 1000:
                raise GeneratorError("groups nest too deeply")
            body = n.struct
            if body.discriminant_count:
                ranges.append((body.discriminant_offset * 2, 2))
            for f in body.fields or ():
                if isinstance(f.body, model.GroupField):
                    walk(self.node(f.body.type_id), depth + 1)
                    continue
                t = f.body.type
                k = t.kind
                if k == "void":
                    continue
                if k == "bool":
                    bits.append((f.body.offset >> 3, 1 << (f.body.offset & 7)))
                elif k in _PRIMITIVES or k == "enum":
                    size = 2 if k == "enum" else _PRIMITIVES[k][1]
                    ranges.append((f.body.offset * size, size))
                else:
                    pointers.append(f.body.offset)

        walk(group, 0)
        return sorted(set(ranges)), sorted(set(bits)), sorted(set(pointers))

    # -- interfaces --------------------------------------------------------------------------

    def method_types(
        self, m: model.Method
    ) -> Tuple[model.Node, List[_PType], model.Node, List[_PType]]:
        p = self.node(m.param_struct_type)
        r = self.node(m.result_struct_type)
        return (
            p,
            self.bindings(p, m.param_brand, _NO_CTX),
            r,
            self.bindings(r, m.result_brand, _NO_CTX),
        )

    def typed(self, node: model.Node, suffix: str, binds: List[_PType], builder: bool) -> str:
        s = self.ref(node, suffix)
        if binds:
            s += "[" + ", ".join(b.btype if builder else b.rtype for b in binds) + "]"
        return s

    def emit_interface_classes(self, node: model.Node) -> None:
        w = self.out
        flat = self.flat(node)
        body = node.interface
        methods = body.methods or []
        supers = [self.node(s.id) for s in body.superclasses or ()]
        # Client
        bases = ", ".join(self.ref(s, "_Client") for s in supers) or "_rt.Client"
        w.blank(2)
        w.line(f"class {flat}_Client({bases}):")
        w.indent()
        doc = self.doc(node.id)
        w.docstring(
            f"A client of interface {self.display(node)}: ``<method>_request()`` prepares a call."
            + ("\n\n" + doc.strip("\n") if doc else "")
        )
        w.line()
        w.line("__slots__ = ()")
        scope = N.Scope(_CLIENT_RESERVED)
        for i, m in enumerate(methods):
            p, pb, r, rb = self.method_types(m)
            name = scope.claim(N.snake_case(m.name) + "_request")
            pt = self.typed(p, "_Builder", pb, True)
            rt = self.typed(r, "_Reader", rb, False)
            w.line()
            w.line(f"def {name}(self) -> _rt.Request[{pt}, {rt}]:")
            w.indent()
            w.docstring(self.member_doc(node.id, i) or f"Prepare a call of {m.name} (method {i}).")
            w.line(
                f"return self._new_request({self.struct_wrap(p, pb, True)}, "
                f"{p.struct.data_word_count}, {p.struct.pointer_count}, "
                f"{self.struct_wrap(r, rb, False)}, 0x{node.id:016x}, {i}, "
                f"{_str_literal(m.name)})"
            )
            w.dedent()
        w.dedent()
        # Server
        bases = ", ".join(self.ref(s, "_Server") for s in supers) or "_rt.Server"
        w.blank(2)
        w.line(f"class {flat}_Server({bases}):")
        w.indent()
        w.docstring(
            f"Implement interface {self.display(node)}: subclass and override its methods."
        )
        w.line()
        w.line("__slots__ = ()")
        scope = N.Scope(_SERVER_RESERVED)
        entries: List[str] = []
        for i, m in enumerate(methods):
            p, pb, r, rb = self.method_types(m)
            name = scope.claim(N.snake_case(m.name))
            pt = self.typed(p, "_Reader", pb, False)
            rt = self.typed(r, "_Builder", rb, True)
            w.line()
            w.line(
                f"def {name}(self, params: {pt}, results: {rt}) -> "
                "_t.Optional[_t.Awaitable[None]]:"
            )
            w.indent()
            w.docstring(self.member_doc(node.id, i) or f"Method {m.name} (ordinal {i}).")
            w.line(
                f"raise NotImplementedError({_str_literal(f'{self.display(node)}.{m.name} is not implemented')})"
            )
            w.dedent()
            entries.append(
                f"(0x{node.id:016x}, {i}): ({_str_literal(name)}, "
                f"{self.struct_wrap(p, pb, False)}, {self.struct_wrap(r, rb, True)}),"
            )
        w.line()
        w.line("_methods: _t.ClassVar[_t.Dict[_t.Tuple[int, int], _rt.MethodEntry]] = {")
        w.indent()
        for s in supers:
            w.line(f"**{self.ref(s, '_Server')}._methods,")
        for e in entries:
            w.line(e)
        w.dedent()
        w.line("}")
        w.dedent()

    # -- namespaces ----------------------------------------------------------------------------

    def emit_namespace(self, node: model.Node) -> None:
        w = self.out
        flat = self.flat(node)
        display = self.display(node)
        children = [
            (cid, name) for cid, name in self.scope_names(node).items() if cid in self.nodes
        ]
        body = node.body
        w.blank(2)
        if isinstance(body, model.EnumBody):
            return  # the enum class itself is the namespace
        if isinstance(body, model.StructBody):
            params = self.generic_params(node)
            if body.is_group:
                codecs = "".join(", _rt.ANY_POINTER" for _ in params)
                rt = f"{flat}_Reader" + (
                    f"[{', '.join('_rt.AnyPointer' for _ in params)}]" if params else ""
                )
                bt = f"{flat}_Builder" + (
                    f"[{', '.join('_rt.AnyPointerBuilder' for _ in params)}]" if params else ""
                )
                w.line(f"class {flat}(_rt.GroupType):")
                w.indent()
                w.docstring(f"group {display}: its ``Reader`` and ``Builder``.")
                w.line()
                w.line("__slots__ = ()")
                w.line()
                w.line(f"type_id = 0x{node.id:016x}")
                if params:  # (GroupType's own make the classes of a group of a plain struct)
                    w.line()
                    w.line("@classmethod")
                    w.line(f"def _reader(cls, r: _StructReader) -> {rt}:")
                    w.line(f"    return {flat}_Reader(r{codecs})")
                    w.line()
                    w.line("@classmethod")
                    w.line(f"def _builder(cls, b: _StructBuilder) -> {bt}:")
                    w.line(f"    return {flat}_Builder(b{codecs})")
                w.line()
            else:
                if params:
                    rt = f"{flat}_Reader[{', '.join('_rt.AnyPointer' for _ in params)}]"
                    bt = f"{flat}_Builder[{', '.join('_rt.AnyPointerBuilder' for _ in params)}]"
                else:
                    rt, bt = f"{flat}_Reader", f"{flat}_Builder"
                w.line(f"class {flat}(_rt.StructType[{rt}, {bt}]):")
                w.indent()
                doc = self.doc(node.id)
                title = f"struct {display}: its ``Reader``, ``Builder`` and entry points."
                if params:
                    title += (" Generic: entry points read its parameters as AnyPointer; a "
                              "field of a branded type binds them.")  # fmt: skip
                w.docstring(title + ("\n\n" + doc.strip("\n") if doc else ""))
                w.line()
                w.line("__slots__ = ()")
                w.line()
                w.line(f"type_id = 0x{node.id:016x}")
                w.line(f"data_words = {body.data_word_count}")
                w.line(f"pointer_count = {body.pointer_count}")
                anys = "".join(", _rt.ANY_POINTER" for _ in params)
                w.line()
                w.line("@classmethod")
                w.line(f"def _reader(cls, r: _StructReader) -> {rt}:")
                w.line(f"    return {flat}_Reader(r{anys})")
                w.line()
                w.line("@classmethod")
                w.line(f"def _builder(cls, b: _StructBuilder) -> {bt}:")
                w.line(f"    return {flat}_Builder(b{anys})")
                w.line()
            w.line(f"Reader: _TypeAlias = {flat}_Reader")
            w.line(f"Builder: _TypeAlias = {flat}_Builder")
            if body.discriminant_count:
                w.line(f"Which: _TypeAlias = {flat}_Which")
        elif isinstance(body, model.InterfaceBody):
            w.line(f"class {flat}(_rt.InterfaceType):")
            w.indent()
            doc = self.doc(node.id)
            w.docstring(
                f"interface {display}: its ``Client``, ``Server``, ``Methods`` and parameter "
                "structs." + ("\n\n" + doc.strip("\n") if doc else "")
            )
            w.line()
            w.line("__slots__ = ()")
            w.line()
            w.line(f"type_id = 0x{node.id:016x}")
            w.line(f"Client: _TypeAlias = {flat}_Client")
            w.line(f"Server: _TypeAlias = {flat}_Server")
            w.line(f"Methods: _TypeAlias = {flat}_Methods")
        else:
            return
        for cid, name in children:
            child = self.nodes[cid]
            if isinstance(child.body, (model.StructBody, model.EnumBody, model.InterfaceBody)):
                w.line(f"{name}: _TypeAlias = {self.flat(child)}")
        self.emit_constants(node, 1)
        w.dedent()
        self.maybe_public(node)

    # -- constants -----------------------------------------------------------------------------

    def emit_constants(self, scope: model.Node, level: int) -> None:
        w = self.out
        for cid, name in self.scope_names(scope).items():
            node = self.nodes.get(cid)
            if node is None or not isinstance(node.body, model.ConstBody):
                continue
            t, value = node.body.type, node.body.value
            owner = f"{self.flat(scope)}_{name}" if level else name
            expr, typ = self.const_value(owner, t, value)
            if level == 0:
                w.blank(1)
            else:
                w.line()
            w.line(f"# const {self.display(node)} :{self.schema_type(t)}")
            w.line(f"{name}: {typ} = {expr}")
            doc = self.doc(node.id)
            if doc:
                w.docstring(doc)
            if level == 0:
                self.public.append(name)

    def const_value(self, owner: str, t: model.Type, value: model.Value) -> Tuple[str, str]:
        k = t.kind
        if k == "void":
            return "None", "None"
        if k == "bool":
            return ("True" if value.scalar else "False"), "bool"
        if k in _PRIMITIVES:
            py = _PRIMITIVES[k][2]
            if py == "float":
                v = float(value.scalar)
                bits = float32_bits(v) if k == "float32" else float64_bits(v)
                return _float_literal(v, bits, k), "float"
            return str(int(value.scalar)), "int"
        if k == "enum":
            e, members, count = self.enum_refs(t)
            n = int(value.scalar)
            return (f"{members}[{n}]" if n < count else f"{e}({n})"), e
        if k == "text":
            return _str_literal(value.text or ""), "str"
        if k == "data":
            return _bytes_literal(value.data or b"", ""), "bytes"
        if k == "struct":
            target, r, _, binds = self.struct_classes(t, _NO_CTX)
            blob = encode_default(value.pointer)
            return self.struct_new(
                target, binds, False, f"_rt.struct_default({_bytes_literal(blob, '')})"
            ), r
        if k == "list":
            assert t.element_type is not None
            blob = encode_default(value.pointer)
            es = _ELEMENT_SIZE[t.element_type.kind]
            return self.list_reader(
                f"_rt.list_default({_bytes_literal(blob, '')}, {es})", t.element_type, _NO_CTX, 1
            )
        if k == "interface":
            c = self.client_ref(t)
            return f"{c}()", c
        blob = encode_default(value.pointer)
        return f"_rt.AnyPointer(_rt.pointer_default({_bytes_literal(blob, '')}))", "_rt.AnyPointer"


def member_names(node: model.Node) -> Dict[str, str]:
    """Python names of a struct's (or group's) members, by schema field name: ``"f:<name>"``
    the accessor, ``"has:<name>"``, ``"init:<name>"``, ``"set:<name>"`` the helpers.

    Accessors are claimed first, in code order, then the helpers (``has_`` + the accessor's
    snake_case name), so a field ``hasFoo`` keeps ``has_foo`` and ``foo``'s helper becomes
    ``has_foo_``.
    """
    scope = N.Scope(_MEMBER_RESERVED)
    fields = sorted(node.struct.fields or (), key=lambda f: f.code_order)
    out: Dict[str, str] = {}
    for f in fields:
        out["f:" + f.name] = scope.claim(N.snake_case(f.name))
    for f in fields:
        base = N.snake_case(f.name)
        for prefix in ("has", "init", "set"):
            out[f"{prefix}:{f.name}"] = scope.claim(f"{prefix}_{base}")
    return out


def field_names(node: model.Node) -> Dict[str, str]:
    """Schema field name -> Python attribute of the generated reader and builder."""
    return {k[2:]: v for k, v in member_names(node).items() if k.startswith("f:")}


def enumerant_names(node: model.Node) -> List[str]:
    """The Python member names of an enum's enumerants, by ordinal."""
    enumerants = node.enum.enumerants or []
    scope = N.Scope()
    names: Dict[int, str] = {}
    for i in sorted(range(len(enumerants)), key=lambda i: enumerants[i].code_order):
        names[i] = scope.claim(N.upper_snake_case(enumerants[i].name))
    return [names[i] for i in range(len(enumerants))]


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")


def _plus(offset: int) -> str:
    return f" + {offset}" if offset else ""


def _tuple(items: Sequence[object]) -> str:
    """A tuple literal (of ints, tuples of ints and strings)."""
    def lit(x: object) -> str:
        if isinstance(x, str):
            return _str_literal(x)
        if isinstance(x, tuple):
            return _tuple(x)
        return repr(x)

    if not items:
        return "()"
    if len(items) == 1:
        return f"({lit(items[0])},)"
    return "(" + ", ".join(lit(x) for x in items) + ")"


def type_path(request: model.CodeGeneratorRequest, node_id: int) -> List[str]:
    """Where the generated module of its file puts a type: ``["Person", "PhoneNumber"]`` for
    ``Person.PhoneNumber`` (``getattr`` these, in order, on the module); ``[]`` for a file."""
    nodes = request.node_map()
    node = nodes.get(node_id)
    if node is None:
        raise GeneratorError(f"the request has no node 0x{node_id:016x}")
    if isinstance(node.body, model.FileBody):
        return []
    any_file = next(n.id for n in nodes.values() if isinstance(n.body, model.FileBody))
    return _ModuleGenerator(request, any_file, None).path(node)


def generate_module(
    request: model.CodeGeneratorRequest, file_id: int, package: Optional[str] = None
) -> str:
    """The source of the module for the requested file ``file_id``.

    ``package`` says how generated modules import each other: ``None`` (the default) with
    relative imports (``from . import other_capnp``: the modules live in one package); ``""``
    as top-level modules (``import other_capnp``); ``"a.b"`` from that package.
    """
    return _ModuleGenerator(request, file_id, package).generate()


def generate(
    request: model.CodeGeneratorRequest, package: Optional[str] = None
) -> Dict[str, str]:
    """The generated modules of the request's requested files: output file name (flat, e.g.
    ``addressbook_capnp.py``) -> Python source. ``package``: see :func:`generate_module`."""
    out: Dict[str, str] = {}
    sources: Dict[str, str] = {}
    for requested in request.requested_files or ():
        name = module_file_name(requested.filename)
        if name in out:
            raise GeneratorError(
                f"{requested.filename} and {sources[name]} would both be generated as {name}"
            )
        sources[name] = requested.filename
        out[name] = generate_module(request, requested.id, package)
    return out


def generate_from_bytes(data: bytes, package: Optional[str] = None) -> Dict[str, str]:
    """:func:`generate` for a request in its wire encoding (what ``capnp compile -o-`` writes)."""
    return generate(request_from_bytes(data), package)
