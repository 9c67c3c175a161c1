"""The address book example of Cap'n Proto, with purecap's generated code.

``schemas/addressbook.capnp`` compiled by ``capnp compile -opurecap`` (or purecap's own compiler)
gives ``generated/addressbook_capnp.py``; this program writes an address book to bytes and reads
it back, fully typed: ``mypy --strict`` checks every field access below against the schema.

    PYTHONPATH=. python -m tests.codegen.example_addressbook
"""

from __future__ import annotations

import sys
from typing import List

from tests.codegen.generated.addressbook_capnp import AddressBook, Person


def write_address_book() -> bytes:
    """Build a message the way the C++ sample does, and serialise it (packed)."""
    book = AddressBook.new_message()
    people = book.init_people(2)

    alice = people[0]
    alice.id = 123
    alice.name = "Alice"
    alice.email = "alice@example.com"
    alice_phones = alice.init_phones(1)
    alice_phones[0].number = "555-1212"
    alice_phones[0].type_ = Person.PhoneNumber.Type.MOBILE  # `type` is a builtin: `type_`
    alice.employment.school = "MIT"  # setting a union member sets the union's tag

    bob = people[1]
    bob.id = 456
    bob.name = "Bob"
    bob.email = "bob@example.com"
    bob_phones = bob.init_phones(2)
    bob_phones[0].number = "555-4567"
    bob_phones[0].type_ = Person.PhoneNumber.Type.HOME
    bob_phones[1].number = "555-7654"
    bob_phones[1].type_ = Person.PhoneNumber.Type.WORK
    bob.employment.unemployed = None  # a Void member: there is nothing but the tag to set

    return book.to_bytes_packed()


def describe(person: Person.Reader) -> List[str]:
    """What the C++ sample prints for one person."""
    lines = [f"{person.name}: {person.email}"]
    for phone in person.phones:
        kind = phone.type_.name.lower()
        lines.append(f"  {kind} phone: {phone.number}")
    employment = person.employment
    which = employment.which()
    if which is Person.Employment.Which.UNEMPLOYED:
        lines.append("  unemployed")
    elif which is Person.Employment.Which.EMPLOYER:
        lines.append(f"  employer: {employment.employer}")
    elif which is Person.Employment.Which.SCHOOL:
        lines.append(f"  student at: {employment.school}")
    elif which is Person.Employment.Which.SELF_EMPLOYED:
        lines.append("  self-employed")
    return lines


def print_address_book(data: bytes) -> List[str]:
    """Read the message back (zero-copy: readers are views of ``data``)."""
    book = AddressBook.from_bytes_packed(data)
    lines: List[str] = []
    for person in book.people:
        lines.extend(describe(person))
    return lines


def main() -> int:
    for line in print_address_book(write_address_book()):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
