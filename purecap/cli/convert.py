"""``purecap convert FROM:TO``: re-encode a stream of messages, like ``capnp convert``.

Schema-less formats: ``binary`` (framed), ``packed``, ``flat`` (one segment, no table),
``flat-packed`` and ``canonical``. Output is byte-identical to the reference tool's, which means
copying each message the way C++ does (``MallocMessageBuilder`` with the same segment sizes, or a
single segment of exactly the message's size for flat output).

Binary and packed inputs may hold several messages one after another; flat, flat-packed and
canonical inputs are one message each (they have no framing to tell where one ends).
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


def add_parser(commands: Any) -> None:
    p = commands.add_parser(
        "convert",
        help="convert messages between encodings",
        description="Reads messages from stdin in the FROM format and writes them to stdout in "
        "the TO format. Formats: " + ", ".join(FORMATS) + ".",
    )
    p.add_argument("formats", metavar="FROM:TO")
    p.add_argument(
        "--segment-size",
        type=int,
        default=0,
        metavar="N",
        help="for binary and packed output, the size in words of each segment (default: the "
        "reference's 1024-word first segment, growing)",
    )
    p.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    try:
        source, _, target = args.formats.partition(":")
        for name in (source, target):
            if name not in FORMATS:
                raise _UsageError(
                    f"unknown format {name!r} (schema-less formats: {', '.join(FORMATS)})"
                )
        if not 0 <= args.segment_size <= MAX_SEGMENT_WORDS:
            raise _UsageError(f"--segment-size must be between 1 and {MAX_SEGMENT_WORDS}")
        convert(sys.stdin.buffer, sys.stdout.buffer, source, target, args.segment_size)
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
    stdin: IO[bytes], stdout: IO[bytes], source: str, target: str, segment_size: int = 0
) -> None:
    """Read every message of ``stdin`` in ``source`` format, write each in ``target``."""
    data = stdin.read()
    for root in _messages(data, source):
        stdout.write(_encode(root, target, segment_size))


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
