"""Compare two ``CodeGeneratorRequest`` s node by node: is purecap's compiler output the same as
``capnp compile -o-``'s?

Two nodes are the same when their canonical encodings are (encoding.html, "Canonicalization"):
that ignores where objects sit in the message and how wide each struct was written, and nothing
else.  When they differ, a structural diff of the two :mod:`~purecap.schema.model` nodes says
where, one line per difference::

    node 0x9aad50a41f4af45f (capnp/schema.capnp:Field) struct.fields[3 'discriminantValue']
        .slot.offset: ours 2, theirs 1

(one line, broken here to fit).

Nodes are matched by id (their order in the request is the compiler's business, compared only
with ``order=True``); source info by id; requested files by id.

Command line (exit status 0: same, 1: different, 2: unreadable input)::

    python -m purecap.schema.compare ours.bin theirs.bin [--no-source-info] [--no-version]
        [--no-requested-files] [--order]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from purecap.errors import PurecapError
from purecap.schema import model
from purecap.schema import schema_capnp as sc
from purecap.schema.nodes import read_request, write_node
from purecap.wire.canonical import canonicalize
from purecap.wire.message import read_message
from purecap.wire.reader import MessageReader

__all__ = [
    "canonical_node",
    "node_differences",
    "compare_requests",
    "compare_messages",
    "compare_files",
    "main",
]

_MAX_REPR = 160


def canonical_node(node: model.Node) -> bytes:
    """The canonical encoding of ``node`` as a ``Node`` struct."""
    message = write_node(node)
    return canonicalize(message.get_root(sc.Node.data_words, sc.Node.pointer_count).as_reader())


# ---------------------------------------------------------------------------------------------
# The structural diff


_ID_FIELDS = ("id", "scope_id", "type_id", "param_struct_type", "result_struct_type")


def _show(value: object, path: str = "") -> str:
    if isinstance(value, int) and not isinstance(value, bool) and path.endswith(_ID_FIELDS):
        text = f"0x{value:x}"  # ids read better in hex, as capnp writes them
    elif isinstance(value, (list, tuple)) and not value:
        text = "[]"
    else:
        text = repr(value)
    if len(text) > _MAX_REPR:
        text = text[: _MAX_REPR - 3] + "..."
    return text


def _label(item: object) -> str:
    """How an element of a list is named in a path: its name (or id) when it has one."""
    name = getattr(item, "name", None)
    if isinstance(name, str):
        return f" {name!r}"
    ident = getattr(item, "id", None)
    if isinstance(ident, int):
        return f" 0x{ident:x}"
    return ""


def _body_name(body: object) -> str:
    if isinstance(body, model.SlotField):
        return "slot"
    if isinstance(body, model.GroupField):
        return "group"
    return {
        model.FileBody: "file",
        model.StructBody: "struct",
        model.EnumBody: "enum",
        model.InterfaceBody: "interface",
        model.ConstBody: "const",
        model.AnnotationBody: "annotation",
    }.get(type(body), type(body).__name__)


def _diff(path: str, ours: object, theirs: object, out: List[Tuple[str, str, str]]) -> None:
    """Append ``(path, ours, theirs)`` for each difference between two model objects."""
    if isinstance(ours, (model.Type, model.Value)) or isinstance(theirs, (model.Type, model.Value)):
        # Compared whole (their equality knows which union member matters); shown whole.
        if ours != theirs:
            out.append((path, _show(ours), _show(theirs)))
        return
    if type(ours) is not type(theirs):  # e.g. a list where the other has None (null)
        out.append((path, _show(ours), _show(theirs)))
        return
    if isinstance(ours, list) and isinstance(theirs, list):
        _diff_lists(path, ours, theirs, out)
        return
    if dataclasses.is_dataclass(ours) and not isinstance(ours, type):
        for f in dataclasses.fields(ours):
            a = getattr(ours, f.name)
            b = getattr(theirs, f.name)
            if f.name == "body":
                # A union: name the path after the member, as the schema does.
                if type(a) is not type(b):
                    out.append((_join(path, "which"), _body_name(a), _body_name(b)))
                    continue
                name = _body_name(a)
            else:
                name = f.name
            _diff(_join(path, name), a, b, out)
        return
    if ours != theirs:
        out.append((path, _show(ours, path), _show(theirs, path)))


def _diff_lists(
    path: str, ours: List[object], theirs: List[object], out: List[Tuple[str, str, str]]
) -> None:
    ours_labels = [_label(x) for x in ours]
    theirs_labels = [_label(x) for x in theirs]
    keyed = (
        all(ours_labels)
        and all(theirs_labels)
        and len(set(ours_labels)) == len(ours_labels)
        and len(set(theirs_labels)) == len(theirs_labels)
    )
    if not keyed:
        # Unnamed items (brand scopes, bindings, doc comments): compare position by position.
        if len(ours) != len(theirs):
            out.append((path + " length", str(len(ours)), str(len(theirs))))
        for i, (a, b) in enumerate(zip(ours, theirs)):
            _diff(f"{path}[{i}]", a, b, out)
        return
    # Named items (fields, enumerants, methods, nested nodes...): match them by name, so that
    # one missing field is one difference, not a shift of every field after it.
    only_ours = [n.strip() for n in ours_labels if n not in theirs_labels]
    only_theirs = [n.strip() for n in theirs_labels if n not in ours_labels]
    if only_ours or only_theirs:
        out.append(
            (
                path,
                f"{len(ours)} items (only ours: {', '.join(only_ours) or '-'})",
                f"{len(theirs)} items (only theirs: {', '.join(only_theirs) or '-'})",
            )
        )
    common_ours = [n for n in ours_labels if n in theirs_labels]
    common_theirs = [n for n in theirs_labels if n in ours_labels]
    if common_ours != common_theirs:
        # Show where the orders part, not the whole lists.
        at = next(i for i, (a, b) in enumerate(zip(common_ours, common_theirs)) if a != b)
        window = slice(at, at + 4)
        more = "..." if len(common_ours) > at + 4 else ""
        out.append(
            (
                f"{path} order from position {at}",
                ",".join(common_ours[window]).strip() + more,
                ",".join(common_theirs[window]).strip() + more,
            )
        )
    by_label = dict(zip(ours_labels, ours))
    for i, (label, b) in enumerate(zip(theirs_labels, theirs)):
        if label in by_label:
            _diff(f"{path}[{i}{label}]", by_label[label], b, out)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _node_title(node_id: int, node: Optional[model.Node]) -> str:
    name = node.display_name if node is not None else "?"
    return f"node 0x{node_id:016x} ({name})"


def node_differences(ours: model.Node, theirs: model.Node) -> List[str]:
    """One line per difference between two nodes (empty if they are equal)."""
    found: List[Tuple[str, str, str]] = []
    _diff("", ours, theirs, found)
    title = _node_title(theirs.id, theirs)
    return [f"{title} {path}: ours {a}, theirs {b}" for path, a, b in found]


# ---------------------------------------------------------------------------------------------
# Whole requests


def _by_id(items: Iterable[model.Node]) -> Tuple[Dict[int, model.Node], List[int]]:
    table: Dict[int, model.Node] = {}
    duplicates: List[int] = []
    for item in items:
        if item.id in table:
            duplicates.append(item.id)
        table[item.id] = item
    return table, duplicates


def _compare_nodes(
    ours: Sequence[model.Node],
    theirs: Sequence[model.Node],
    ours_canonical: Dict[int, bytes],
    theirs_canonical: Dict[int, bytes],
) -> List[str]:
    report: List[str] = []
    ours_map, ours_dups = _by_id(ours)
    theirs_map, theirs_dups = _by_id(theirs)
    for node_id in ours_dups:
        report.append(f"{_node_title(node_id, ours_map[node_id])}: appears more than once in ours")
    for node_id in theirs_dups:
        report.append(
            f"{_node_title(node_id, theirs_map[node_id])}: appears more than once in theirs"
        )
    # Report in display-name order: related nodes end up together.
    every = sorted(
        set(ours_map) | set(theirs_map),
        key=lambda i: ((theirs_map.get(i) or ours_map[i]).display_name, i),
    )
    # Nodes whose ids differ but whose display names match are the same declaration with a
    # wrong id: compare them as a pair rather than report two unrelated nodes.
    unmatched_theirs = {
        theirs_map[i].display_name: i for i in theirs_map if i not in ours_map
    }
    paired: Dict[int, int] = {}  # our id -> their id
    for node_id in ours_map:
        if node_id not in theirs_map:
            other = unmatched_theirs.get(ours_map[node_id].display_name)
            if other is not None:
                paired[node_id] = other
    paired_theirs = set(paired.values())
    for node_id in every:
        a = ours_map.get(node_id)
        b = theirs_map.get(node_id)
        if b is None and node_id in paired:
            report.extend(node_differences(ours_map[node_id], theirs_map[paired[node_id]]))
        elif b is None:
            report.append(f"{_node_title(node_id, a)}: only in ours")
        elif a is None:
            if node_id not in paired_theirs:
                report.append(f"{_node_title(node_id, b)}: only in theirs")
        elif ours_canonical[node_id] != theirs_canonical[node_id]:
            lines = node_differences(a, b)
            if not lines:  # possible only for messages, e.g. a null name versus an empty one
                lines = [
                    f"{_node_title(node_id, b)}: canonical encodings differ "
                    f"({len(ours_canonical[node_id])} bytes ours, "
                    f"{len(theirs_canonical[node_id])} theirs) in something the model "
                    "does not keep"
                ]
            report.extend(lines)
    return report


def _compare_rest(
    ours: model.CodeGeneratorRequest,
    theirs: model.CodeGeneratorRequest,
    source_info: bool,
    version: bool,
    requested_files: bool,
    order: bool,
) -> List[str]:
    report: List[str] = []
    if version and ours.capnp_version != theirs.capnp_version:
        report.append(
            f"capnpVersion: ours {_show(ours.capnp_version)}, theirs {_show(theirs.capnp_version)}"
        )
    names = {n.id: n for n in theirs.nodes or ()}
    names.update({n.id: n for n in ours.nodes or () if n.id not in names})
    if source_info:
        a_infos = {s.id: s for s in ours.source_info or ()}
        b_infos = {s.id: s for s in theirs.source_info or ()}
        for info_id in sorted(set(a_infos) | set(b_infos)):
            title = f"sourceInfo of {_node_title(info_id, names.get(info_id))}"
            a = a_infos.get(info_id)
            b = b_infos.get(info_id)
            if a is None or b is None:
                report.append(f"{title}: only in {'theirs' if a is None else 'ours'}")
                continue
            found: List[Tuple[str, str, str]] = []
            _diff("", a, b, found)
            report.extend(f"{title} {path}: ours {x}, theirs {y}" for path, x, y in found)
    if requested_files:
        a_files = {f.id: f for f in ours.requested_files or ()}
        b_files = {f.id: f for f in theirs.requested_files or ()}
        for file_id in sorted(set(a_files) | set(b_files)):
            fa = a_files.get(file_id)
            fb = b_files.get(file_id)
            some = fb if fb is not None else fa
            title = f"requestedFile 0x{file_id:016x} ({some.filename if some else '?'})"
            if fa is None or fb is None:
                report.append(f"{title}: only in {'theirs' if fa is None else 'ours'}")
                continue
            found = []
            _diff("", fa, fb, found)
            report.extend(f"{title} {path}: ours {x}, theirs {y}" for path, x, y in found)
    if order:
        sequences = [
            ("nodes", [n.id for n in ours.nodes or ()], [n.id for n in theirs.nodes or ()])
        ]
        if source_info:
            sequences.append(
                (
                    "sourceInfo",
                    [s.id for s in ours.source_info or ()],
                    [s.id for s in theirs.source_info or ()],
                )
            )
        if requested_files:
            sequences.append(
                (
                    "requestedFiles",
                    [f.id for f in ours.requested_files or ()],
                    [f.id for f in theirs.requested_files or ()],
                )
            )
        for what, a_ids, b_ids in sequences:
            # Only the order of what both have: missing items are reported above.
            common = set(a_ids) & set(b_ids)
            a_seq = [i for i in a_ids if i in common]
            b_seq = [i for i in b_ids if i in common]
            if a_seq != b_seq:
                at = next(i for i, (x, y) in enumerate(zip(a_seq, b_seq)) if x != y)
                ours_item = _node_title(a_seq[at], names.get(a_seq[at]))
                theirs_item = _node_title(b_seq[at], names.get(b_seq[at]))
                report.append(
                    f"{what} order from position {at}: ours {ours_item}, theirs {theirs_item}"
                )
    return report


def compare_requests(
    ours: model.CodeGeneratorRequest,
    theirs: model.CodeGeneratorRequest,
    *,
    source_info: bool = True,
    version: bool = True,
    requested_files: bool = True,
    order: bool = False,
) -> List[str]:
    """The differences between two requests (empty if they are the same), one line each.

    ``source_info``, ``version`` and ``requested_files`` say whether to compare those parts
    besides the nodes.  ``order`` also compares the order of the nodes, source infos and
    requested files (needed for byte-identical output; capnp's node and source-info orders are
    those of its hash tables).
    """
    ours_nodes = ours.nodes or []
    theirs_nodes = theirs.nodes or []
    report = _compare_nodes(
        ours_nodes,
        theirs_nodes,
        {n.id: canonical_node(n) for n in ours_nodes},
        {n.id: canonical_node(n) for n in theirs_nodes},
    )
    return report + _compare_rest(ours, theirs, source_info, version, requested_files, order)


def _canonical_by_id(message: MessageReader) -> Dict[int, bytes]:
    out: Dict[int, bytes] = {}
    for node in sc.CodeGeneratorRequest.read(message).nodes:
        out.setdefault(node.id, canonicalize(node._r))  # (the wire struct it views)
    return out


def compare_messages(
    ours: MessageReader,
    theirs: MessageReader,
    *,
    source_info: bool = True,
    version: bool = True,
    requested_files: bool = True,
    order: bool = False,
) -> List[str]:
    """As :func:`compare_requests`, for two messages; nodes are compared by the canonical form
    of the node structs as found in the messages (not as rewritten from the model)."""
    ours_request = read_request(ours)
    theirs_request = read_request(theirs)
    report = _compare_nodes(
        ours_request.nodes or [],
        theirs_request.nodes or [],
        _canonical_by_id(ours),
        _canonical_by_id(theirs),
    )
    return report + _compare_rest(
        ours_request, theirs_request, source_info, version, requested_files, order
    )


def _read_file(path: str) -> MessageReader:
    with open(path, "rb") as f:
        data = f.read()
    # Traversal: enough to read the request a few times over (once to decode, once more to
    # canonicalize each node), never unbounded.
    limit = max(8 * 1024 * 1024, 8 * (len(data) // 8))
    return read_message(data, traversal_limit_words=limit)


def compare_files(
    ours_path: str,
    theirs_path: str,
    *,
    source_info: bool = True,
    version: bool = True,
    requested_files: bool = True,
    order: bool = False,
) -> List[str]:
    """As :func:`compare_messages`, for two files holding a framed request each (the output
    of ``capnp compile -o-``)."""
    return compare_messages(
        _read_file(ours_path),
        _read_file(theirs_path),
        source_info=source_info,
        version=version,
        requested_files=requested_files,
        order=order,
    )


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m purecap.schema.compare",
        description="Compare two CodeGeneratorRequests (capnp compile -o- output) node by node.",
    )
    parser.add_argument("ours", help="our request (a framed message)")
    parser.add_argument("theirs", help="the reference request (a framed message)")
    parser.add_argument(
        "--no-source-info", action="store_true", help="do not compare doc comments"
    )
    parser.add_argument(
        "--no-version", action="store_true", help="do not compare capnpVersion"
    )
    parser.add_argument(
        "--no-requested-files", action="store_true", help="do not compare requestedFiles"
    )
    parser.add_argument(
        "--order",
        action="store_true",
        help="also compare the order of nodes, sourceInfo and requestedFiles",
    )
    args = parser.parse_args(argv)
    try:
        report = compare_files(
            args.ours,
            args.theirs,
            source_info=not args.no_source_info,
            version=not args.no_version,
            requested_files=not args.no_requested_files,
            order=args.order,
        )
    except (OSError, PurecapError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for line in report:
        print(line)
    if report:
        print(f"{len(report)} difference{'s' if len(report) != 1 else ''}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
