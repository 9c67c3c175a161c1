"""The test messages of the conformance suite, as values (see :mod:`conformance.wiretest`).

``TEXT_CORPUS`` holds what the text format can say (everything but AnyPointer), so each message
can be encoded by ``capnp encode``; ``BUILD_CORPUS`` adds messages that only a builder can write.
Each entry is ``name -> (struct type, value)``. Values list fields in the order builders set
them, which decides allocation order (and so the bytes written).
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

__all__ = ["TEXT_CORPUS", "BUILD_CORPUS", "deep_tree"]

Message = Tuple[str, Dict[str, Any]]

INF = float("inf")
NAN = float("nan")

INNER: Dict[str, Any] = {
    "id": 4000000000,
    "name": "inner \u00e9",
    "flag": True,
    "color": "green",
    "tags": ["x", "", "a longer tag that takes several words"],
    "score": 2.5,
}

ALL_TYPES: Dict[str, Any] = {
    "voidField": None,
    "boolField": True,
    "int8Field": -128,
    "int16Field": 32767,
    "int32Field": -2147483648,
    "int64Field": -9223372036854775808,
    "uInt8Field": 255,
    "uInt16Field": 65535,
    "uInt32Field": 4294967295,
    "uInt64Field": 18446744073709551615,
    "float32Field": 1.1,
    "float64Field": -1.5e-300,
    "textField": 'h\u00e9llo "w\u00f6rld"\n\t\\ \x01 \u20ac \U0001d11e',
    "dataField": b"\x00\xff\x80bin\x00ary\x7f",
    "structField": INNER,
    "enumField": "ultraviolet",
    "emptyField": {},
    "dataOnlyField": {"a": -7, "b": True, "c": 1 << 63},
    "voidList": [None] * 5,
    "boolList": [i % 3 == 0 or i == 69 for i in range(70)],
    "int8List": [-128, 0, 127, 5, -1],
    "int16List": [-32768, 32767, 0, 12345],
    "int32List": [1, -1, 2147483647, -2147483648, 0, 42, 7],
    "int64List": [-9223372036854775808, 9223372036854775807, 0],
    "uInt8List": [0, 1, 254, 255, 128, 7, 8, 9, 10],
    "uInt16List": [0, 65535, 256],
    "uInt32List": [4294967295, 0, 65536],
    "uInt64List": [18446744073709551615, 1],
    "float32List": [0.0, -0.0, 1.5, INF, -INF, NAN, 3.4028234663852886e38, 1e-45, 0.1],
    "float64List": [0.0, -0.0, 1e308, 5e-324, INF, -INF, NAN, 0.1],
    "textList": ["", "a", "\u00fc\u00f1\u00ee", "x" * 100],
    "dataList": [b"", b"\x00", b"abc\x00def", bytes(range(40))],
    "structList": [INNER, {}, {"id": 3, "tags": [], "color": "blue"}],
    "enumList": ["red", "blue", "green", "ultraviolet", "red"],
    "int32ListList": [[1, 2, 3], [], [-1], [2147483647] * 9],
    "textListList": [["a", "b"], [], [""], ["\u20ac" * 3]],
    "structListList": [[{"id": 1}], [], [INNER, {"name": "n"}]],
    "ptrOnlyList": [{"text": "p", "ints": [1, 2]}, {}, {"ints": [-1]}],
    "dataOnlyList": [{"a": 1}, {"b": True, "c": 5}, {}],
    "emptyList": [{}, {}, {}],
    "bool2": False,
    "bool3": True,
    "unionStruct": {"id": 99, "name": "in a union"},
    "group": {
        "gInt8": -1,
        "gText": "grouped",
        "gFloat32": 0.25,
        "inner": {"innerGroup": {"x": -5, "y": True}},
    },
    "choice": {"colors": ["blue", "red"]},
}

# Every union member, a few messages at a time.
UNIONS: List[Dict[str, Any]] = [
    {"unionVoid": None, "group": {"inner": {"innerA": 65535}}, "choice": {"nothing": None}},
    {"unionInt32": -1, "group": {"inner": {"innerB": b"\x01\x02"}}, "choice": {"number": -0.0}},
    {"unionText": "t", "group": {"inner": {"innerGroup": {"x": 1}}}, "choice": {"word": "w"}},
    {"unionBool": True, "bool2": True, "choice": {"colors": []}},
    {"unionList": [0, 18446744073709551615, 3], "choice": {"number": NAN}},
]

DEFAULTS_SET: Dict[str, Any] = {
    "boolField": False,
    "int8Field": 1,
    "int16Field": 2,
    "int32Field": 3,
    "int64Field": 4,
    "uInt8Field": 5,
    "uInt16Field": 6,
    "uInt32Field": 7,
    "uInt64Field": 8,
    "float32Field": -2.0,
    "float64Field": 0.5,
    "textField": "not foo",
    "dataField": b"not bar",
    "structField": {"id": 8, "name": "eight"},
    "enumField": "red",
    "int32List": [9],
    "boolList": [False],
    "textList": ["p", "q", "r"],
    "structList": [{"id": 3, "tags": ["t"]}],
    "int32ListList": [[4, 5], [6]],
    "float32Nan": 1.0,
    "float64Inf": 2.0,
    "float64NegInf": -3.0,
    "float64NegZero": 0.0,
    "bool2": True,
    "bool3": False,
    "defaultText": "the other member",
}

# Explicit zeros and empties where the defaults are not: stored as XOR with the default, and
# non-null empty pointers (which read as empty, not as the default).
DEFAULTS_ZERO: Dict[str, Any] = {
    "boolField": False,
    "int8Field": 0,
    "int32Field": 0,
    "uInt64Field": 0,
    "float32Field": 0.0,
    "float64Field": 0.0,
    "textField": "",
    "dataField": b"",
    "structField": {},
    "enumField": "red",
    "int32List": [],
    "boolList": [],
    "textList": [],
    "structList": [],
    "int32ListList": [],
    "float32Nan": 0.0,
    "float64NegZero": -0.0,
    "bool3": False,
    "defaultInt": 0,
}


def deep_tree(depth: int, with_children: bool = True) -> Dict[str, Any]:
    """A chain of ``depth`` Trees below the root (through ``next``), each with a few children."""
    node: Dict[str, Any] = {"value": depth, "label": f"leaf {depth}"}
    for level in range(depth - 1, -1, -1):
        parent: Dict[str, Any] = {"value": level, "label": f"level {level}"}
        if with_children and level % 3 == 0:
            parent["children"] = [{"value": -level, "label": "child"}, {"value": 0}]
        parent["next"] = node
        node = parent
    return node


WIDE_TREE: Dict[str, Any] = {
    "value": 1,
    "label": "root",
    "children": [
        {"value": i, "children": [{"value": i * 10 + j, "label": str(j)} for j in range(i)]}
        for i in range(6)
    ],
}

BIG: Dict[str, Any] = {
    "textField": "big " * 2500,
    "int64List": list(range(-1500, 1500)),
    "structList": [{"id": i, "name": f"element {i}", "tags": ["t"] * (i % 4)} for i in range(120)],
    "boolList": [bool(i & 4) for i in range(5000)],
    "dataField": bytes(range(256)) * 20,
}

TEXT_CORPUS: Dict[str, Message] = {
    "all_types": ("AllTypes", ALL_TYPES),
    "empty": ("AllTypes", {}),
    **{f"unions_{i}": ("AllTypes", value) for i, value in enumerate(UNIONS)},
    "defaults_unset": ("Defaults", {}),
    "defaults_set": ("Defaults", DEFAULTS_SET),
    "defaults_zero": ("Defaults", DEFAULTS_ZERO),
    "tree_deep": ("Tree", deep_tree(40)),
    "tree_wide": ("Tree", WIDE_TREE),
    "big": ("AllTypes", BIG),
}

BUILD_CORPUS: Dict[str, Message] = {
    **TEXT_CORPUS,
    "any_pointer": ("AllTypes", {"int32Field": 5, "anyField": INNER, "textField": "after any"}),
    "any_pointer_empty": ("AllTypes", {"anyField": {}}),
}
