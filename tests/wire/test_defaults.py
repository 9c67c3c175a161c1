"""Defaults are XORed on the wire (encoding.html "Default values")."""

from __future__ import annotations

import math
import struct

from purecap.wire import defaults
from purecap.wire.builder import MessageBuilder
from purecap.wire.reader import MessageReader

_I32 = struct.Struct("<i")
_U16 = struct.Struct("<H")


def test_zeroed_struct_reads_as_defaults() -> None:
    root = MessageBuilder().init_root(2, 0)
    assert defaults.read_int(root, _I32, 0, -123) == -123
    assert defaults.read_float64(root, 8, defaults.float64_bits(1.5)) == 1.5
    assert defaults.read_bool(root, 33, True) is True


def test_values_are_stored_xored_with_the_default() -> None:
    message = MessageBuilder()
    root = message.init_root(2, 0)
    defaults.write_int(root, _I32, 0, 7, -123)
    defaults.write_float32(root, 4, -0.0, defaults.float32_bits(2.0))
    defaults.write_bool(root, 64, False, True)
    assert root.get_primitive(_I32, 0) == 7 ^ -123
    reader = MessageReader(message.to_segments()).get_root()
    assert defaults.read_int(reader, _I32, 0, -123) == 7
    value = defaults.read_float32(reader, 4, defaults.float32_bits(2.0))
    assert value == 0.0 and math.copysign(1.0, value) == -1.0
    assert defaults.read_bool(reader, 64, True) is False


def test_field_past_an_old_schemas_data_section_reads_its_default() -> None:
    message = MessageBuilder()
    message.init_root(0, 0)  # written by a schema that had no data fields
    reader = MessageReader(message.to_segments()).get_root()
    assert defaults.read_int(reader, _U16, 6, 0xBEEF) == 0xBEEF
    assert defaults.read_float64(reader, 0, defaults.float64_bits(math.inf)) == math.inf
