"""Hostile far pointers: unknown segments, landing pads out of bounds, chains, loops, bad
double-far pads.

A far pointer (``A=2``) has bit 2 ``B`` (set: double-far), bits 3-31 ``C`` the landing pad's word
offset in its segment (unsigned) and bits 32-63 ``D`` the segment id. A single-far's one-word pad
is an ordinary struct or list pointer whose offset is counted from the pad. A double-far's
two-word pad is a far pointer to the object's first word, then a *tag* shaped like the object's
pointer (its offset unused).

The rules (layout.c++ ``followFars``): the segment must exist, the pad must lie inside it, a
single-far's pad must not be another far pointer and a double-far's first pad word must be one.
Following fars never loops: at most two hops are taken, whatever the words say, so chains and
loops are rejected rather than followed.

Struct and list pointer fields as in ``test_pointers.py``: bits 0-1 ``A`` kind, 2-31 ``B``
offset, then ``C``/``D`` sizes.
"""

from __future__ import annotations

import struct

import pytest

from purecap.wire.builder import MessageBuilder
from purecap.wire.errors import PointerOutOfBounds, WrongPointerKind
from purecap.wire.pointers import (
    ElementSize,
    PointerType,
    far_pointer,
    list_pointer,
    struct_pointer,
)
from purecap.wire.reader import MessageReader

from tests.wire.hostile import NULL, blob, message, raw, seg, w

_U64 = struct.Struct("<Q")


def _all_paths_raise(
    msg: MessageReader, exc: type, match: str, resolves_far: bool = True
) -> None:
    """Reading the root, sizing it and copying it must each reject the message the same way.

    Asking what the root *is* (``pointer_type``) follows the far pointer too, but looks no
    further than the kind: like C++ ``isStruct()``, it does not check the object's bounds.
    """
    with pytest.raises(exc, match=match):
        msg.get_root()
    if resolves_far:
        with pytest.raises(exc, match=match):
            msg.root_pointer().pointer_type()
    with pytest.raises(exc, match=match):
        msg.total_size()
    with pytest.raises(exc, match=match):
        MessageBuilder().root_pointer().set(msg.root_pointer())


# -- controls: well-formed far pointers are followed ----------------------------------------------


def test_single_far_pointer_is_followed() -> None:
    msg = message(
        # segment 0, word 0 (root): far pointer A=2, B=0 (single), C=0 (pad at word 0), D=1
        seg(w(far_pointer(False, 0, 1))),
        seg(
            # segment 1, word 0 (pad): struct pointer A=0, B=0 (struct at word 1), C=1, D=0
            w(struct_pointer(0, 1, 0)),
            # segment 1, word 1: the struct's data
            raw(0xC0FFEE),
        ),
    )
    assert msg.get_root().get_primitive(_U64, 0) == 0xC0FFEE
    assert msg.total_size() == (1, 0)  # far-pointer overhead is not counted


def test_double_far_pointer_is_followed() -> None:
    # The layout of the reference's own double-far fuzz test: root, "foo", pad in a third segment.
    msg = message(
        # segment 0, word 0 (root): far pointer A=2, B=1 (double-far), C=0, D=2
        seg(w(far_pointer(True, 0, 2))),
        # segment 1, word 0: "foo\0" and padding
        seg(blob(b"foo\0")),
        seg(
            # segment 2, word 0 (pad, first word): far pointer A=2, B=0, C=0 (object at word 0),
            # D=1 (in segment 1)
            w(far_pointer(False, 0, 1)),
            # segment 2, word 1 (pad, tag): list pointer A=1, B=0 (unused), C=2 (bytes), D=4
            w(list_pointer(0, ElementSize.BYTE, 4)),
        ),
    )
    assert msg.root_pointer().get_text() == "foo"
    assert msg.root_pointer().pointer_type() is PointerType.LIST


# -- unknown segments -----------------------------------------------------------------------------


def test_far_pointer_to_unknown_segment() -> None:
    msg = message(
        # word 0 (root): far pointer A=2, B=0, C=0, D=1: the message has only segment 0
        seg(w(far_pointer(False, 0, 1))),
    )
    _all_paths_raise(msg, PointerOutOfBounds, "names segment 1, but the message has 1")


def test_far_pointer_to_segment_id_0xffffffff() -> None:
    msg = message(
        # word 0 (root): far pointer A=2, B=0, C=0, D=0xFFFFFFFF (the largest segment id)
        seg(w(far_pointer(False, 0, 0xFFFFFFFF))),
        seg(NULL),
    )
    _all_paths_raise(msg, PointerOutOfBounds, "names segment 4294967295")


def test_double_far_pad_names_unknown_segment() -> None:
    msg = message(
        # segment 0, word 0 (root): far pointer A=2, B=1 (double), C=0, D=1
        seg(w(far_pointer(True, 0, 1))),
        seg(
            # segment 1, word 0 (pad): far pointer A=2, B=0, C=0, D=7: there is no segment 7
            w(far_pointer(False, 0, 7)),
            # segment 1, word 1 (tag): struct tag A=0, C=1 data word, D=0
            w(struct_pointer(0, 1, 0)),
        ),
    )
    _all_paths_raise(msg, PointerOutOfBounds, "double-far landing pad names segment 7")


# -- landing pads out of bounds -------------------------------------------------------------------


def test_far_landing_pad_out_of_bounds() -> None:
    msg = message(
        # segment 0, word 0 (root): far pointer A=2, B=0, C=1 (pad at word 1), D=1
        seg(w(far_pointer(False, 1, 1))),
        # segment 1, word 0: a well-formed pointer, but the pad was said to be at word 1
        seg(w(struct_pointer(-1, 0, 0))),
    )
    _all_paths_raise(msg, PointerOutOfBounds, "landing pad .word 1, 1 words. is outside")


def test_far_landing_pad_largest_offset() -> None:
    # In C++, segment start + 2**29-1 words could wrap a 32-bit address (CVE-2017-7892); here
    # the offset is simply compared with the segment's length.
    msg = message(
        # segment 0, word 0 (root): far pointer A=2, B=0, C=2**29-1 (largest pad offset), D=0
        seg(w(far_pointer(False, (1 << 29) - 1, 0))),
    )
    _all_paths_raise(msg, PointerOutOfBounds, "is outside segment 0")


def test_double_far_landing_pad_out_of_bounds() -> None:
    msg = message(
        # segment 0, word 0 (root): far pointer A=2, B=1 (double: two-word pad), C=0, D=1
        seg(w(far_pointer(True, 0, 1))),
        # segment 1, word 0: the pad's first word is there, its tag (word 1) is not
        seg(w(far_pointer(False, 0, 0))),
    )
    _all_paths_raise(msg, PointerOutOfBounds, "landing pad .word 0, 2 words. is outside")


def test_far_landing_pad_target_out_of_bounds() -> None:
    msg = message(
        # segment 0, word 0 (root): far pointer A=2, B=0, C=0, D=1
        seg(w(far_pointer(False, 0, 1))),
        # segment 1, word 0 (pad): struct pointer A=0, B=+5 (struct at word 6), C=1, D=0: the
        # pad is in bounds, what it points to is not
        seg(w(struct_pointer(5, 1, 0))),
    )
    _all_paths_raise(msg, PointerOutOfBounds, "outside its segment", resolves_far=False)


def test_far_landing_pad_target_before_segment_start() -> None:
    msg = message(
        # segment 0, word 0 (root): far pointer A=2, B=0, C=1 (pad at word 1), D=1
        seg(w(far_pointer(False, 1, 1))),
        seg(
            # segment 1, word 0: data
            raw(0x5EC2E7),
            # segment 1, word 1 (pad): struct pointer A=0, B=-3 (struct at word -1), C=1, D=0
            w(struct_pointer(-3, 1, 0)),
        ),
    )
    _all_paths_raise(msg, PointerOutOfBounds, "outside its segment", resolves_far=False)


def test_double_far_target_out_of_bounds() -> None:
    msg = message(
        # segment 0, word 0 (root): far pointer A=2, B=1 (double), C=0, D=2
        seg(w(far_pointer(True, 0, 2))),
        # segment 1, word 0: "foo\0", the only word of segment 1
        seg(blob(b"foo\0")),
        seg(
            # segment 2, word 0 (pad): far pointer A=2, B=0, C=1 (object at word 1), D=1:
            # segment 1 has no word 1
            w(far_pointer(False, 1, 1)),
            # segment 2, word 1 (tag): list pointer A=1, C=2 (bytes), D=4
            w(list_pointer(0, ElementSize.BYTE, 4)),
        ),
    )
    with pytest.raises(PointerOutOfBounds, match="text of 4 bytes at word 1"):
        msg.root_pointer().get_text()
    with pytest.raises(PointerOutOfBounds, match="outside its segment"):
        msg.total_size()
    with pytest.raises(PointerOutOfBounds, match="outside its segment"):
        MessageBuilder().root_pointer().set(msg.root_pointer())


# -- chains and loops -----------------------------------------------------------------------------


def test_far_pointer_chain_rejected() -> None:
    # Each hop is well-formed and the chain would end at a valid struct: it must still be
    # rejected, since a pad may not be a far pointer (this is what makes loops impossible).
    msg = message(
        # segment 0, word 0 (root): far pointer A=2, B=0, C=0, D=1
        seg(w(far_pointer(False, 0, 1))),
        # segment 1, word 0 (pad): far pointer A=2, B=0, C=0, D=2 - a second hop
        seg(w(far_pointer(False, 0, 2))),
        seg(
            # segment 2, word 0: struct pointer A=0, B=0, C=1, D=0
            w(struct_pointer(0, 1, 0)),
            # segment 2, word 1: data
            raw(1),
        ),
    )
    _all_paths_raise(msg, WrongPointerKind, "landing pad is itself a far pointer")


def test_far_pointer_loop_rejected() -> None:
    msg = message(
        # segment 0, word 0 (root): far pointer A=2, B=0, C=0, D=1
        seg(w(far_pointer(False, 0, 1))),
        # segment 1, word 0 (pad): far pointer A=2, B=0, C=0, D=1 - to this very word
        seg(w(far_pointer(False, 0, 1))),
    )
    _all_paths_raise(msg, WrongPointerKind, "itself a far pointer")


def test_far_pointer_to_itself_rejected() -> None:
    msg = message(
        # word 0 (root): far pointer A=2, B=0, C=0 (pad at word 0: the root itself), D=0
        seg(w(far_pointer(False, 0, 0))),
    )
    _all_paths_raise(msg, WrongPointerKind, "itself a far pointer")


def test_double_far_loop_rejected() -> None:
    # A double-far whose pad's far pointer names the pad itself, with a far "tag": two hops
    # at most are taken, so the tag is checked and rejected.
    msg = message(
        # segment 0, word 0 (root): far pointer A=2, B=1 (double), C=0, D=1
        seg(w(far_pointer(True, 0, 1))),
        seg(
            # segment 1, word 0 (pad): far pointer A=2, B=1, C=0, D=1 - back to this pad
            w(far_pointer(True, 0, 1)),
            # segment 1, word 1 (tag): far pointer A=2, B=1, C=0, D=1 - and again
            w(far_pointer(True, 0, 1)),
        ),
    )
    _all_paths_raise(msg, WrongPointerKind, "tag of a double-far landing pad is a far pointer")


# -- malformed double-far pads --------------------------------------------------------------------


def test_double_far_with_non_far_first_pad_word() -> None:
    msg = message(
        # segment 0, word 0 (root): far pointer A=2, B=1 (double), C=0, D=1
        seg(w(far_pointer(True, 0, 1))),
        seg(
            # segment 1, word 0 (pad): struct pointer A=0, B=+1, C=1, D=0 - should be a far
            w(struct_pointer(1, 1, 0)),
            # segment 1, word 1 (tag): struct tag A=0, C=1, D=0
            w(struct_pointer(0, 1, 0)),
            # segment 1, word 2: data the struct pointer would reach
            raw(3),
        ),
    )
    _all_paths_raise(msg, WrongPointerKind, "first word of a double-far landing pad must be a far")


def test_far_landing_pad_of_wrong_kind() -> None:
    msg = message(
        # segment 0, word 0 (root): far pointer A=2, B=0, C=0, D=1
        seg(w(far_pointer(False, 0, 1))),
        seg(
            # segment 1, word 0 (pad): list pointer A=1, B=0, C=2 (bytes), D=3, as the root
            # struct's landing pad
            w(list_pointer(0, ElementSize.BYTE, 3)),
            # segment 1, word 1: the bytes
            blob(b"abc"),
        ),
    )
    with pytest.raises(WrongPointerKind, match="expected a struct pointer, found a list"):
        msg.get_root()
    assert msg.root_pointer().get_data() == b"abc"  # as a list it is fine
