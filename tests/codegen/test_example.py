"""example_addressbook.py runs (and, being under tests/, is checked by mypy --strict)."""

from __future__ import annotations

import pytest

from tests.codegen import example_addressbook
from tests.codegen.generated.addressbook_capnp import AddressBook


def test_example_prints_the_address_book(capsys: pytest.CaptureFixture[str]) -> None:
    assert example_addressbook.main() == 0
    assert capsys.readouterr().out.splitlines() == [
        "Alice: alice@example.com",
        "  mobile phone: 555-1212",
        "  student at: MIT",
        "Bob: bob@example.com",
        "  home phone: 555-4567",
        "  work phone: 555-7654",
        "  unemployed",
    ]


def test_example_message() -> None:
    book = AddressBook.from_bytes_packed(example_addressbook.write_address_book())
    alice, bob = book.people
    assert (alice.id, bob.id) == (123, 456)
    assert [p.number for p in bob.phones] == ["555-4567", "555-7654"]
