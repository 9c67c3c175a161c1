"""The two read limits against hostile shapes: pointer cycles and deep nesting (the nesting
limit), and objects read many times over (the traversal limit).

Struct pointer fields: bits 0-1 ``A``=0, bits 2-31 ``B`` the signed offset in words from the end
of the pointer, bits 32-47 ``C`` data words, bits 48-63 ``D`` pointers. List pointer fields:
``A``=1, ``B`` offset, bits 32-34 ``C`` element size, bits 35-63 ``D`` element count.

The nesting limit counts pointers followed from the root: with the default of 64 the root struct
is at depth 1 and a struct at depth 65 cannot be reached (layout.c++ checks ``nestingLimit > 0``
before following a pointer and passes ``nestingLimit - 1`` to what it finds). Pointer cycles are
legal bytes and cannot be detected cheaply; the nesting limit is what ends them. ``total_size()``
and copying walk iteratively, so even with no nesting limit a deep message cannot exhaust the
Python stack; the traversal limit still bounds them.
"""

from __future__ import annotations

import struct
import sys
import time

import pytest

from purecap.wire.builder import MessageBuilder
from purecap.wire.errors import NestingLimitExceeded, TraversalLimitExceeded
from purecap.wire.limits import UNLIMITED, ReadLimits
from purecap.wire.pointers import ElementSize, list_pointer, struct_pointer
from purecap.wire.reader import MessageReader, StructReader

from tests.wire.hostile import NULL, message, raw, seg, w

_U64 = struct.Struct("<Q")


def _self_cycle(limits: ReadLimits) -> MessageReader:
    return message(
        seg(
            # word 0 (root): struct pointer A=0, B=0 (struct at word 1), C=0 data, D=1 pointer
            w(struct_pointer(0, 0, 1)),
            # word 1: the struct's pointer, struct pointer A=0, B=-1 (to word 1+1-1 = 1: the
            # struct itself), C=0, D=1
            w(struct_pointer(-1, 0, 1)),
        ),
        limits=limits,
    )


def test_struct_pointing_to_itself_is_stopped_by_the_nesting_limit() -> None:
    msg = _self_cycle(ReadLimits())
    node: StructReader = msg.get_root()
    depth = 1
    with pytest.raises(NestingLimitExceeded, match="pointer cycle"):
        while True:
            node = node.get_struct(0)
            depth += 1
    assert depth == 64
    with pytest.raises(NestingLimitExceeded, match="nesting limit"):
        msg.total_size()
    with pytest.raises(NestingLimitExceeded, match="nesting limit"):
        MessageBuilder().set_root(msg.get_root())


def test_struct_cycle_without_nesting_limit_is_stopped_by_the_traversal_limit() -> None:
    # With the nesting limit off, each trip round the cycle still costs a word of the budget.
    msg = _self_cycle(ReadLimits(traversal_limit_words=5000, nesting_limit=None))
    began = time.perf_counter()
    with pytest.raises(TraversalLimitExceeded, match="traversal limit"):
        msg.total_size()
    msg.reset_budget()
    with pytest.raises(TraversalLimitExceeded, match="traversal limit"):
        MessageBuilder().set_root(msg.get_root())
    assert time.perf_counter() - began < 1.0


def test_list_containing_itself_is_stopped_by_the_nesting_limit() -> None:
    msg = message(
        seg(
            # word 0 (root): list pointer A=1, B=0 (elements at word 1), C=6 (pointers), D=1
            w(list_pointer(0, ElementSize.POINTER, 1)),
            # word 1: element 0, list pointer A=1, B=-1 (to word 1: the list itself), C=6, D=1
            w(list_pointer(-1, ElementSize.POINTER, 1)),
        )
    )
    lst = msg.root_pointer().get_list(ElementSize.POINTER)
    with pytest.raises(NestingLimitExceeded, match="nesting limit"):
        for _ in range(1000):
            lst = lst.get_list(0, ElementSize.POINTER)
    with pytest.raises(NestingLimitExceeded, match="nesting limit"):
        msg.total_size()
    with pytest.raises(NestingLimitExceeded, match="nesting limit"):
        MessageBuilder().root_pointer().set(msg.root_pointer())


def _chain(depth: int) -> bytes:
    """A legitimate chain of ``depth`` structs, each of 0 data words and 1 pointer to the next."""
    words = [
        # word 0 (root): struct pointer A=0, B=0 (struct 1 at word 1), C=0, D=1
        w(struct_pointer(0, 0, 1)),
    ]
    for _ in range(depth - 1):
        # word k (the pointer section of struct k): struct pointer A=0, B=0 (struct k+1 at the
        # next word), C=0, D=1
        words.append(w(struct_pointer(0, 0, 1)))
    # the last struct's pointer: null
    words.append(NULL)
    return seg(*words)


def test_legit_100_deep_chain_exceeds_nesting_limit_64() -> None:
    msg = message(_chain(100))
    node = msg.get_root()
    depth = 1
    with pytest.raises(NestingLimitExceeded, match="nesting limit"):
        while True:
            node = node.get_struct(0)
            depth += 1
    assert depth == 64  # the root plus 63 levels below it
    with pytest.raises(NestingLimitExceeded, match="nesting limit"):
        msg.total_size()
    with pytest.raises(NestingLimitExceeded, match="nesting limit"):
        MessageBuilder().set_root(msg.get_root())
    # Raised, the limit lets the same message through, whole.
    deep = message(_chain(100), limits=ReadLimits(nesting_limit=100))
    assert deep.total_size() == (100, 0)
    copy = MessageBuilder()
    copy.set_root(deep.get_root())
    assert copy.to_segments() == [_chain(100)]


def test_nesting_limit_zero_refuses_even_the_root() -> None:
    msg = message(seg(w(struct_pointer(0, 1, 0)), raw(1)), limits=ReadLimits(nesting_limit=0))
    with pytest.raises(NestingLimitExceeded, match="nesting limit"):
        msg.get_root()
    # A null root is not followed, so it is not refused.
    assert message(seg(NULL), limits=ReadLimits(nesting_limit=0)).get_root().data_size == 0


def test_deep_chain_without_nesting_limit_does_not_exhaust_the_stack() -> None:
    # Deeper than Python's recursion limit: the walks must be iterative, not recursive.
    depth = sys.getrecursionlimit() + 500
    msg = message(_chain(depth), limits=UNLIMITED)
    assert msg.total_size() == (depth, 0)
    copy = MessageBuilder(first_segment_words=depth + 1)  # one segment, as the original
    copy.set_root(msg.get_root())
    assert copy.to_segments() == [_chain(depth)]


def test_shared_object_is_charged_on_every_read() -> None:
    # Eight pointers to one 100-word list: 800 words of reading from a 109-word message.
    words = [
        # word 0 (root): struct pointer A=0, B=0 (struct at word 1), C=0, D=8 pointers
        w(struct_pointer(0, 0, 8)),
    ]
    for i in range(8):
        # word 1+i: list pointer A=1, B=7-i (from word 2+i to word 9), C=5 (8 bytes), D=100
        words.append(w(list_pointer(7 - i, ElementSize.EIGHT_BYTES, 100)))
    # words 9-108: the list's 100 elements
    words.extend(raw(n) for n in range(100))
    limits = ReadLimits(traversal_limit_words=500)

    msg = message(seg(*words), limits=limits)
    root = msg.get_root()  # 8 words
    for i in range(4):  # 8 + 4 * 100 = 408 words
        assert root.get_list(i, ElementSize.EIGHT_BYTES).get_primitive(99, _U64) == 99
    with pytest.raises(TraversalLimitExceeded, match="traversal limit of 500 words"):
        root.get_list(4, ElementSize.EIGHT_BYTES)
    # total_size() and copying charge the same budget (C++ targetSize/copyPointer do).
    with pytest.raises(TraversalLimitExceeded, match="traversal limit"):
        message(seg(*words), limits=limits).total_size()
    with pytest.raises(TraversalLimitExceeded, match="traversal limit"):
        MessageBuilder().set_root(message(seg(*words), limits=limits).get_root())


def test_traversal_limit_boundary_is_exact() -> None:
    # A root struct of 3 data words costs exactly 3 words, plus 2 for the root pointer's word,
    # which C++ charges twice (MessageReader::getRootInternal and PointerReader::getRoot).
    body = seg(w(struct_pointer(0, 3, 0)), raw(1), raw(2), raw(3))
    assert message(body, limits=ReadLimits(traversal_limit_words=5)).get_root().data_size == 24
    with pytest.raises(TraversalLimitExceeded, match="traversal limit"):
        message(body, limits=ReadLimits(traversal_limit_words=4)).get_root()


def test_total_size_spends_the_readers_budget() -> None:
    body = seg(w(struct_pointer(0, 3, 0)), raw(1), raw(2), raw(3))
    msg = message(body, limits=ReadLimits(traversal_limit_words=7))
    assert msg.total_size() == (3, 0)  # 2 (root pointer) + 3 of 7 words spent
    with pytest.raises(TraversalLimitExceeded, match="traversal limit"):
        msg.get_root()  # 5 more would make 10
    msg.reset_budget()
    assert msg.get_root().data_size == 24
