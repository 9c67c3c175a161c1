"""``purecap convert FROM:TO``: re-encode a stream of messages, like ``capnp convert``.

Schema-less formats: ``binary`` (framed), ``packed``, ``flat`` (one segment, no table),
``flat-packed`` and ``canonical``. Output is byte-identical to the reference tool's, which means
copying each message the way C++ does (``MallocMessageBuilder`` with the same segment sizes, or a
single segment of exactly the message's size for flat output).

Binary and packed inputs may hold several messages one after another; flat, flat-packed and
canonical inputs are one message each (they have no framing to tell where one ends).

With a schema file and a root struct type (``convert FROM:TO SCHEMA TYPE``) two more formats are
available: ``text`` (the schema language's struct literals, as ``capnp decode`` prints them) and
``json`` (the reference's JSON codec, ``compat/json.c++``). Both are written pretty, or on one line
with ``--short``, each message followed by a newline. Text input may hold several messages: one
ends where a ``(`` opens at depth 0 after a ``)`` closed it (the reference's ``readOneText``); JSON
input likewise with braces.
"""

from __future__ import annotations

import argparse
import sys
from typing import IO, Any, Iterator, Sequence

from purecap.errors import PurecapError
from purecap.wire import framing, packing
from purecap.wire.builder import SUGGESTED_FIRST_SEGMENT_WORDS, MAX_SEGMENT_WORDS, MessageBuilder
from purecap.wire.canonical import canonicalize, flatten
from purecap.wire.errors import NotCanonical, TraversalLimitExceeded
from purecap.wire.limits import DEFAULT_TRAVERSAL_LIMIT_WORDS, ReadLimits
from purecap.wire.reader import MessageReader, StructReader

__all__ = ["add_parser", "convert", "FORMATS"]

FORMATS = ("binary", "packed", "flat", "flat-packed", "canonical")
SCHEMA_FORMATS = ("text", "json")


def add_parser(commands: Any) -> None:
    p = commands.add_parser(
        "convert",
        help="convert messages between encodings",
        description="Reads messages from stdin in the FROM format and writes them to stdout in "
        "the TO format. Formats: " + ", ".join(FORMATS + SCHEMA_FORMATS) + " (text and json "
        "need SCHEMA and TYPE).",
    )
    p.add_argument("formats", metavar="FROM:TO")
    _add_options(p)
    # SCHEMA and TYPE, and options placed after them: argparse cannot mix optional positionals
    # with options that follow them, so the rest is parsed on its own (see _rest).
    p.add_argument("rest", nargs=argparse.REMAINDER, help="SCHEMA TYPE (for text and json)")
    p.set_defaults(run=_run)


def _add_options(p: argparse.ArgumentParser, suppress: bool = False) -> None:
    default: Any = argparse.SUPPRESS if suppress else None
    p.add_argument(
        "--segment-size",
        type=int,
        default=default if suppress else 0,
        metavar="N",
        help="for binary and packed output, the size in words of each segment (default: the "
        "reference's 1024-word first segment, growing)",
    )
    p.add_argument(
        "-I",
        "--import-path",
        action="append",
        default=default if suppress else [],
        metavar="DIR",
        help="search DIR for imports that start with '/'",
    )
    p.add_argument(
        "--short",
        action="store_true",
        default=default if suppress else False,
        help="write text or JSON on one line per message",
    )


def _rest(args: argparse.Namespace) -> None:
    """Parse what follows FROM:TO (SCHEMA, TYPE and options in any order) into ``args``."""
    p = argparse.ArgumentParser(prog="purecap convert", add_help=False)
    _add_options(p, suppress=True)
    p.add_argument("schema", nargs="?", default=None)
    p.add_argument("type", nargs="?", default=None)
    try:
        rest, unknown = p.parse_known_intermixed_args(args.rest)
    except SystemExit:
        raise _UsageError("bad arguments: " + " ".join(args.rest)) from None
    if unknown:
        raise _UsageError("unrecognized arguments: " + " ".join(unknown))
    args.schema = rest.schema
    args.type = rest.type
    args.short = args.short or getattr(rest, "short", False)
    args.import_path = args.import_path + getattr(rest, "import_path", [])
    args.segment_size = getattr(rest, "segment_size", args.segment_size)


def _run(args: argparse.Namespace) -> int:
    try:
        _rest(args)
        source, _, target = args.formats.partition(":")
        for name in (source, target):
            if name not in FORMATS and name not in SCHEMA_FORMATS:
                raise _UsageError(
                    f"unknown format {name!r} (formats: {', '.join(FORMATS + SCHEMA_FORMATS)})"
                )
        if not 0 <= args.segment_size <= MAX_SEGMENT_WORDS:
            raise _UsageError(f"--segment-size must be between 1 and {MAX_SEGMENT_WORDS}")
        root_type = None
        if args.schema is not None:
            if args.type is None:
                raise _UsageError("a schema file needs a root TYPE too")
            root_type = load_root_type(args.schema, args.type, args.import_path)
        for name in (source, target):
            if name in SCHEMA_FORMATS and root_type is None:
                raise _UsageError(f"format requires schema: {name}")
        convert(
            sys.stdin.buffer,
            sys.stdout.buffer,
            source,
            target,
            args.segment_size,
            root_type=root_type,
            pretty=not args.short,
        )
    except _UsageError as e:
        print(f"purecap convert: {e}", file=sys.stderr)
        return 2
    except PurecapError as e:
        sys.stdout.flush()
        print(f"purecap convert: error: {e}", file=sys.stderr)
        return 1
    except MemoryError:
        print("purecap convert: error: out of memory", file=sys.stderr)
        return 1
    return 0


class _UsageError(Exception):
    pass


def load_root_type(schema: str, type_name: str, import_path: Sequence[str] = ()) -> Any:
    """The struct type ``type_name`` (dotted for nested ones) of the schema file ``schema``."""
    import os

    from purecap.dynamic import StructType, load

    for path in import_path:
        if not os.path.isdir(path):
            raise _UsageError(f"-I {path}: no such directory")
    if not os.path.isfile(schema):
        raise _UsageError(f"{schema}: no such file")
    found: Any = load(schema, imports=import_path)
    for part in type_name.split("."):
        found = vars(found).get(part) if hasattr(found, "__dict__") else None
        if found is None:
            raise _UsageError(f"no such type: {type_name}")
    if not isinstance(found, StructType):
        raise _UsageError(f"not a struct type: {type_name}")
    return found


def _limits_for(size_bytes: int) -> ReadLimits:
    """The reference tool lifts every read limit for convert (it is a debugging tool). We keep
    a traversal limit proportional to the input, so that hostile input cannot make a small file
    cost unbounded work, yet any honest message (which reads each word once) passes."""
    return ReadLimits(max(DEFAULT_TRAVERSAL_LIMIT_WORDS, 16 * (size_bytes >> 3)), None)


def _messages(data: bytes, source: str) -> Iterator[StructReader]:
    limits = _limits_for(len(data))
    limit = limits.traversal_limit_words
    if source in ("binary", "packed"):
        offset = 0
        while offset < len(data):
            segments: Sequence[Any]
            if source == "packed":
                # Unpack one message at a time, only as much as its table announces.
                segments, offset = framing.segments_from_packed_buffer(data, offset, limit)
            else:
                segments, offset = framing.segments_from_buffer(data, offset, limit)
            yield MessageReader(segments, limits).get_root()
        return
    if source == "flat-packed":
        words = packing.compute_unpacked_size_words(data)
        if limit is not None and words > limit:
            raise TraversalLimitExceeded(
                f"flat packed input unpacks to {words} words, more than the limit of {limit}"
            )
        data = packing.unpack(data)
    message = MessageReader(framing.flat_segments(data), limits)
    if source == "canonical" and not message.is_canonical():
        raise NotCanonical("the input is not in canonical form")
    yield message.get_root()


def convert(
    stdin: IO[bytes],
    stdout: IO[bytes],
    source: str,
    target: str,
    segment_size: int = 0,
    root_type: Any = None,
    pretty: bool = True,
) -> None:
    """Read every message of ``stdin`` in ``source`` format, write each in ``target``.
    ``root_type`` (a dynamic struct type) is needed for the ``text`` and ``json`` formats."""
    data = stdin.read()
    roots = _schema_messages(data, source, root_type) if source in SCHEMA_FORMATS else _messages(
        data, source
    )
    for root in roots:
        if target in SCHEMA_FORMATS:
            stdout.write(_encode_schema(root, target, root_type, pretty))
        else:
            stdout.write(_encode(root, target, segment_size))
        stdout.flush()


def _schema_messages(data: bytes, source: str, root_type: Any) -> Iterator[StructReader]:
    """The roots of the text or JSON messages of ``data``, each built in a message of its own
    (the reference builds each in a fresh ``MallocMessageBuilder``, then copies it out)."""
    if not data:
        return
    if source == "text":
        from purecap.formats.textparse import parse_into, split_messages

        for chunk in split_messages(data):
            builder = root_type.new_message()
            parse_into(chunk, builder)
            yield builder._s.as_reader()
    else:
        from purecap.formats.json import decode_into, split_json_messages

        for chunk in split_json_messages(data):
            builder = root_type.new_message()
            decode_into(chunk, builder)
            yield builder._s.as_reader()


def _encode_schema(root: StructReader, target: str, root_type: Any, pretty: bool) -> bytes:
    reader = root_type.wrap_reader(root)
    if target == "text":
        from purecap.dynamic.textformat import text_format

        text = text_format(reader, pretty)
    else:
        from purecap.formats.json import to_json

        text = to_json(reader, pretty)
    return text.encode("utf-8", "surrogateescape") + b"\n"


def _encode(root: StructReader, target: str, segment_size: int) -> bytes:
    if target in ("binary", "packed"):
        if segment_size:
            builder = MessageBuilder(segment_size, fixed_size=True)
        else:
            builder = MessageBuilder(SUGGESTED_FIRST_SEGMENT_WORDS)
        builder.set_root(root)
        segments = builder.segments_for_output()
        if target == "packed":
            return framing.frame_segments_packed(segments)
        return framing.frame_segments(segments)
    if target == "canonical":
        return canonicalize(root)
    flat = flatten(root)
    return packing.pack(flat) if target == "flat-packed" else flat
