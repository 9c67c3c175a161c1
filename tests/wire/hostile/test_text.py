"""Hostile Text: missing NUL terminators, the zero-size text, invalid UTF-8, and blobs that are
not lists of bytes.

A Text is a list pointer (bits 0-1 ``A``=1, bits 2-31 ``B`` offset, bits 32-34 ``C``=2 for bytes,
bits 35-63 ``D`` the byte count) whose bytes end with a NUL that the count includes. A non-null
Text of zero bytes therefore cannot exist, and one whose last byte is not NUL is malformed
(layout.c++ ``readTextPointer``: "Message contains text that is not NUL-terminated"). The NUL must
be *inside* the count: the zero padding after a blob does not count. Text must also be UTF-8
(the spec says so; C++ leaves it to the application, Python's ``str`` cannot).
"""

from __future__ import annotations

import pytest

from purecap.wire.builder import MessageBuilder
from purecap.wire.errors import InvalidText, ListElementSizeMismatch
from purecap.wire.pointers import ElementSize, far_pointer, list_pointer, struct_pointer
from purecap.wire.reader import MessageReader

from tests.wire.hostile import blob, message, seg, w

BYTE = ElementSize.BYTE


def _root_text(pointer: bytes, *rest: bytes) -> MessageReader:
    """A root struct of 0 data words and 1 pointer (word 1), then ``rest`` from word 2 on."""
    return message(
        seg(
            # word 0 (root): struct pointer A=0, B=0 (struct at word 1), C=0 data, D=1 pointer
            w(struct_pointer(0, 0, 1)),
            # word 1: the Text pointer under test (its offsets count from word 2)
            pointer,
            *rest,
        )
    )


def test_text_without_nul_terminator() -> None:
    msg = _root_text(
        # word 1: list pointer A=1, B=0 (bytes at word 2), C=2 (bytes), D=3: "foo", no NUL
        w(list_pointer(0, BYTE, 3)),
        # word 2: "foo" and five bytes of zero padding
        blob(b"foo"),
    )
    root = msg.get_root()
    with pytest.raises(InvalidText, match="not NUL-terminated") as info:
        root.get_text(0)
    assert (info.value.segment, info.value.word_offset) == (0, 1)
    with pytest.raises(InvalidText, match="not NUL-terminated"):
        root.get_text_bytes(0)
    with pytest.raises(InvalidText, match="not NUL-terminated"):
        root.get_pointer(0).get_text()
    # As Data the same bytes are fine: Data has no terminator.
    assert root.get_data(0) == b"foo"


def test_text_nul_only_in_padding_after_its_bytes() -> None:
    # The byte after the text is zero (padding), but it is not part of the text.
    msg = _root_text(
        # word 1: list pointer A=1, B=0, C=2, D=7: "abcdefg", no NUL among the 7 bytes
        w(list_pointer(0, BYTE, 7)),
        # word 2: "abcdefg" then a zero byte of padding
        blob(b"abcdefg"),
    )
    with pytest.raises(InvalidText, match="not NUL-terminated"):
        msg.get_root().get_text(0)


def test_empty_text_with_size_zero() -> None:
    # Non-null and zero bytes long: not even room for the NUL (the input of CVE-2015-2311,
    # where a size of 0 minus the NUL became 2**32-1).
    msg = _root_text(
        # word 1: list pointer A=1, B=0, C=2 (bytes), D=0 - not null, since A=1
        w(list_pointer(0, BYTE, 0)),
    )
    with pytest.raises(InvalidText, match="not NUL-terminated"):
        msg.get_root().get_text(0)
    with pytest.raises(InvalidText, match="not NUL-terminated"):
        msg.get_root().get_text_bytes(0)
    # The empty *Text* is one NUL byte, and reads as "".
    ok = _root_text(w(list_pointer(0, BYTE, 1)), blob(b"\0"))
    assert ok.get_root().get_text(0) == ""


def test_text_without_nul_in_a_list_of_text() -> None:
    msg = message(
        seg(
            # word 0 (root): list pointer A=1, B=0, C=6 (pointers), D=2: a List(Text)
            w(list_pointer(0, ElementSize.POINTER, 2)),
            # word 1: element 0, list pointer A=1, B=+1 (bytes at word 3), C=2, D=3 ("ok\0")
            w(list_pointer(1, BYTE, 3)),
            # word 2: element 1, list pointer A=1, B=+1 (bytes at word 4), C=2, D=2 ("no")
            w(list_pointer(1, BYTE, 2)),
            # word 3: "ok\0"
            blob(b"ok\0"),
            # word 4: "no", unterminated
            blob(b"no"),
        )
    )
    texts = msg.root_pointer().get_list(ElementSize.POINTER)
    assert texts.get_text(0) == "ok"
    with pytest.raises(InvalidText, match="not NUL-terminated"):
        texts.get_text(1)


def test_text_without_nul_through_a_far_pointer() -> None:
    msg = message(
        # segment 0, word 0 (root): far pointer A=2, B=0 (single), C=0 (pad at word 0), D=1
        seg(w(far_pointer(False, 0, 1))),
        seg(
            # segment 1, word 0 (pad): list pointer A=1, B=0, C=2 (bytes), D=8
            w(list_pointer(0, BYTE, 8)),
            # segment 1, word 1: eight non-zero bytes
            blob(b"12345678"),
        ),
    )
    with pytest.raises(InvalidText, match="not NUL-terminated"):
        msg.root_pointer().get_text()


@pytest.mark.parametrize(
    "payload",
    [
        b"\x80",  # a continuation byte with no lead byte
        b"ab\xe2\x82",  # a three-byte sequence cut short
        b"\xc0\xaf",  # an overlong encoding of "/"
        b"\xed\xa0\x80",  # a UTF-16 surrogate (U+D800), not a scalar value
        b"\xf4\x90\x80\x80",  # past U+10FFFF
        b"\xff",  # never valid in UTF-8
    ],
    ids=["lone-continuation", "truncated", "overlong", "surrogate", "too-large", "ff"],
)
def test_text_invalid_utf8(payload: bytes) -> None:
    text = payload + b"\0"
    msg = _root_text(
        # word 1: list pointer A=1, B=0, C=2 (bytes), D=len(payload)+1 (with the NUL)
        w(list_pointer(0, BYTE, len(text))),
        # word 2: the bytes and their NUL
        blob(text),
    )
    root = msg.get_root()
    with pytest.raises(InvalidText, match="not valid UTF-8"):
        root.get_text(0)
    with pytest.raises(InvalidText, match="not valid UTF-8"):
        root.get_pointer(0).get_text()
    # The undecoded bytes remain available to a caller that wants them.
    assert root.get_text_bytes(0) == payload


def test_text_from_list_of_wrong_element_size() -> None:
    for size in (ElementSize.VOID, ElementSize.BIT, ElementSize.TWO_BYTES,
                 ElementSize.FOUR_BYTES, ElementSize.EIGHT_BYTES, ElementSize.POINTER):
        msg = _root_text(
            # word 1: list pointer A=1, B=0, C=size (not 2), D=1
            w(list_pointer(0, size, 1)),
            # word 2: one word, enough for any one element
            blob(b"x\0"),
        )
        with pytest.raises(ListElementSizeMismatch, match="expected text .a list of bytes."):
            msg.get_root().get_text(0)
        with pytest.raises(ListElementSizeMismatch, match="expected data .a list of bytes."):
            msg.get_root().get_data(0)


def test_text_from_struct_list() -> None:
    msg = _root_text(
        # word 1: list pointer A=1, B=0, C=7 (inline composite), D=1 word
        w(list_pointer(0, ElementSize.INLINE_COMPOSITE, 1)),
        # word 2 (tag): A=0, count 1, C=1 data word, D=0
        w(struct_pointer(1, 1, 0)),
        # word 3: the element, which happens to hold "x\0"
        blob(b"x\0"),
    )
    with pytest.raises(ListElementSizeMismatch, match="INLINE_COMPOSITE"):
        msg.get_root().get_text(0)


def test_text_without_nul_survives_copy_but_not_reading() -> None:
    # Copying moves the bytes as a byte list; the copy must be rejected when read as Text just
    # as the original is - also when read back from the builder.
    msg = _root_text(
        # word 1: list pointer A=1, B=0, C=2, D=3: "bad", no NUL
        w(list_pointer(0, BYTE, 3)),
        # word 2: "bad"
        blob(b"bad"),
    )
    copy = MessageBuilder()
    copy.set_root(msg.get_root())
    with pytest.raises(InvalidText, match="not NUL-terminated"):
        copy.get_root(0, 1).get_text(0)
    with pytest.raises(InvalidText, match="not NUL-terminated"):
        copy.as_reader().get_root().get_text(0)
