"""``purecap eval FILE NAME``: print the value of a constant, like ``capnp eval``.

``NAME`` is a path (capnp.c++ ``evalConst``): declarations first (``Outer.Inner.someConst``),
then fields and list subscripts into the value (``someConst.list[4].field``). A path that
reaches a struct type and goes on reads that struct's default value, so ``MyType.someField``
prints the field's default. The value is printed in the text format (pretty, or one line with
``--short``); ``-o binary|packed|flat|flat-packed|canonical|json`` (or ``-b``, ``-p``,
``--flat``) encode it instead, which needs a struct.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Any, List, Optional, Tuple

from purecap.cli.convert import FORMATS, SCHEMA_FORMATS, _encode, _encode_schema
from purecap.errors import PurecapError

__all__ = ["add_parser", "evaluate", "format_value"]

_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[[0-9]+\])*)(?:\.(?=.)|$)")


class EvalError(PurecapError):
    """A name that does not lead to a value (the reference's messages)."""


def add_parser(commands: Any) -> None:
    p = commands.add_parser(
        "eval",
        help="print the value of a constant",
        description="Prints (or encodes) the value of NAME, defined in the schema FILE: a const, "
        "a field of a struct type (its default), or a field or list element within a value.",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("name", metavar="NAME")
    p.add_argument("-o", "--output", default=None, metavar="FORMAT", help="output format")
    p.add_argument("-b", "--binary", action="store_true", help="same as -obinary")
    p.add_argument("-p", "--packed", action="store_true", help="same as -opacked")
    p.add_argument("--flat", action="store_true", help="same as -oflat")
    p.add_argument("--short", action="store_true", help="text or JSON on one line")
    p.add_argument(
        "-I", "--import-path", action="append", default=[], metavar="DIR",
        help="search DIR for imports that start with '/'",
    )  # fmt: skip
    p.set_defaults(run=_run)


def _split(name: str) -> List[Tuple[str, List[int]]]:
    parts: List[Tuple[str, List[int]]] = []
    pos = 0
    while pos < len(name):
        m = _PART.match(name, pos)
        if m is None:
            raise EvalError("invalid syntax")
        subscripts = [int(x) for x in re.findall(r"\[([0-9]+)\]", m.group(2))]
        parts.append((m.group(1), subscripts))
        pos = m.end()
    if not parts:
        raise EvalError("invalid syntax")
    return parts


def evaluate(module: Any, name: str) -> Tuple[Any, Any]:
    """The value of ``name`` in the loaded schema ``module`` and its ``DynType``."""
    from purecap.dynamic.values import constant_value
    from purecap.schema import model
    from purecap.wire.reader import EMPTY_STRUCT

    registry = module._registry
    node = module._node
    parts = _split(name)
    i = 0
    stopped_at_subscript = False
    while i < len(parts):
        part, subscripts = parts[i]
        child = next((n for n in node.nested_nodes or () if n.name == part), None)
        found = registry.nodes.get(child.id) if child is not None else None
        if found is None:
            break
        node = found
        i += 1
        if subscripts:
            stopped_at_subscript = True
            break
    body = node.body
    short = node.display_name[node.display_name_prefix_length :]
    value: Any
    t: Any
    if isinstance(body, model.ConstBody):
        t = registry.resolve(body.type, {})
        value = constant_value(registry, t, body.value)
    elif isinstance(body, model.StructBody):
        if i == len(parts):
            raise EvalError(f"'{short}' cannot be evaluated.")
        st = registry.struct_type(node.id)
        t = st.dyn_type
        value = st.wrap_reader(EMPTY_STRUCT)
    elif stopped_at_subscript:
        raise EvalError(f"'{short}' is not a list.")
    elif i < len(parts):
        raise EvalError(f"'{parts[i][0]}' is not defined.")
    else:
        raise EvalError(f"'{short}' cannot be evaluated.")
    if stopped_at_subscript:
        i -= 1  # its subscripts are still to apply
    while i < len(parts):
        part, subscripts = parts[i]
        if not stopped_at_subscript:
            if t.kind != "struct":
                raise EvalError(f"'{parts[i - 1][0]}' is not a struct.")
            info = t.struct.schema.fields.get(part)
            if info is None:
                raise EvalError(f"'{parts[i - 1][0]}' has no member '{part}'.")
            value = info.get_r(value)
            t = info.type
        for n, subscript in enumerate(subscripts):
            if t.kind != "list":
                if n > 0:
                    shown = "][".join(str(s) for s in subscripts[:n])
                    raise EvalError(f"'{part}[{shown}]' is not a list.")
                raise EvalError(f"'{part}' is not a list.")
            if subscript >= len(value):
                shown = "][".join(str(s) for s in subscripts[: n + 1])
                raise EvalError(f"'{part}[{shown}]' is out-of-bounds.")
            value = value[subscript]
            t = t.element
        stopped_at_subscript = False
        i += 1
    return value, t


def format_value(value: Any, t: Any, pretty: bool) -> str:
    """A value of any type as ``capnp eval`` prints it (``kj::str(DynamicValue)``)."""
    from purecap.dynamic.textformat import c_escape, format_float32, format_float64, text_format

    k = t.kind
    if k in ("struct", "list"):
        return text_format(value, pretty)
    if k == "void":
        return "void"
    if k == "bool":
        return "true" if value else "false"
    if k == "float32":
        return format_float32(value)
    if k == "float64":
        return format_float64(value)
    if k == "text":
        raw = value.encode("utf-8", "surrogateescape") if isinstance(value, str) else bytes(value)
        return '"' + c_escape(raw, False) + '"'
    if k == "data":
        return '"' + c_escape(bytes(value), True) + '"'
    if k == "enum":
        return str(value.name) if value.name is not None else f"({int(value)})"
    if k == "interface":
        return "<external capability>"
    if k == "anyPointer":
        return "<opaque pointer>"
    return str(int(value))


def _run(args: argparse.Namespace) -> int:
    from purecap.dynamic import load

    target = args.output or "text"
    if args.flat:
        target = "flat-packed" if args.packed else "flat"
    elif args.packed:
        target = "packed"
    elif args.binary:
        target = "binary"
    if target not in FORMATS and target not in SCHEMA_FORMATS:
        print(f"purecap eval: unknown format: {target}", file=sys.stderr)
        return 2
    if not os.path.isfile(args.file):
        print(f"purecap eval: {args.file}: no such file", file=sys.stderr)
        return 2
    try:
        module = load(args.file, imports=args.import_path)
        value, t = evaluate(module, args.name)
        out: Optional[bytes]
        if target == "text":
            out = (format_value(value, t, not args.short) + "\n").encode("utf-8", "surrogateescape")
        else:
            if t.kind != "struct":
                raise EvalError("not a struct; binary output is only available on structs")
            root = value._s
            if target == "json":
                out = _encode_schema(root, "json", t.struct, not args.short)
            else:
                out = _encode(root, target, 0)
        sys.stdout.buffer.write(out)
        sys.stdout.flush()
    except PurecapError as e:
        print(f"purecap eval: error: {e}", file=sys.stderr)
        return 1
    return 0
