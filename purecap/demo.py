"""The demo (``make demo``): build a real message, write it framed and packed, read it back.

The message is an address book laid out exactly as the reference compiler lays out this schema
(offsets from ``capnp compile -ocapnp``)::

    struct Person {
      id @0 :UInt32;        # data bytes 0..3
      name @1 :Text;        # pointer 0
      email @2 :Text;       # pointer 1
      phones @3 :List(PhoneNumber);  # pointer 2
      employed @4 :Bool;    # data bit 32
    }
    struct PhoneNumber {
      number @0 :Text;      # pointer 0
      type @1 :Type;        # data bytes 0..1 (enum: mobile, home, work)
    }
    struct AddressBook { people @0 :List(Person); }   # pointer 0

This layer knows no schemas, so the offsets are spelled out here; generated code does the same.
"""

from __future__ import annotations

import struct

from purecap.wire.builder import MessageBuilder
from purecap.wire.message import read_message, read_packed_message, write_message, write_packed_message

_U32 = struct.Struct("<I")
_U16 = struct.Struct("<H")
PHONE_TYPES = ("mobile", "home", "work")

PEOPLE = [
    (123, "Alice", "alice@example.com", [("555-1212", 0)], True),
    (456, "Bob", "bob@example.com", [("555-4567", 1), ("555-7654", 2)], False),
]


def build() -> MessageBuilder:
    message = MessageBuilder()
    book = message.init_root(0, 1)
    people = book.init_struct_list(0, len(PEOPLE), 1, 3)
    for i, (pid, name, email, phones, employed) in enumerate(PEOPLE):
        person = people.get_struct(i)
        person.set_primitive(_U32, 0, pid)
        person.set_text(0, name)
        person.set_text(1, email)
        phone_list = person.init_struct_list(2, len(phones), 1, 1)
        for j, (number, kind) in enumerate(phones):
            phone = phone_list.get_struct(j)
            phone.set_text(0, number)
            phone.set_primitive(_U16, 0, kind)
        person.set_bool(32, employed)
    return message


def main() -> None:
    message = build()
    framed = write_message(message)
    packed = write_packed_message(message)
    print(f"framed: {len(framed)} bytes, packed: {len(packed)} bytes")
    for label, reader in (("framed", read_message(framed)), ("packed", read_packed_message(packed))):
        print(f"-- read back from the {label} encoding:")
        people = reader.get_root().get_list(0, 7)
        for person in people.structs():
            phones = ", ".join(
                f"{p.get_text(0)} ({PHONE_TYPES[p.get_primitive(_U16, 0)]})"
                for p in person.get_list(2, 7).structs()
            )
            status = "employed" if person.get_bool(32) else "unemployed"
            print(
                f"  #{person.get_primitive(_U32, 0)} {person.get_text(0)} "
                f"<{person.get_text(1)}> {status}; phones: {phones}"
            )
    words, caps = read_message(framed).total_size()
    print(f"message: {words} words of content, {caps} capabilities")


if __name__ == "__main__":
    main()
