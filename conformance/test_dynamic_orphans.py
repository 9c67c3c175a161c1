"""Orphans against pycapnp (the C++ library's ``Orphan``/``Orphanage`` under it): the same
disowns and adoptions, in the same order, give byte-identical messages.

Each scenario is one program written against either library through a small adapter (pycapnp
makes orphans with ``message.new_orphan``, we with ``builder.get_orphanage().new_orphan``; an
orphan pycapnp drops is zeroed by its C++ destructor, which is our ``discard()``). Across
segments, a filler Data field leaves a chosen number of free words in the first segment, so that
adopting an object of the first segment from a pointer of the second needs a landing pad in the
first (one word free) or a double-far (none free), as C++ ``transferPointer`` decides. Seeded
random programs (writes that spill into new segments, moves between struct list elements, new
and dropped orphans) cover the combinations.
"""

from __future__ import annotations

import random
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, List, Tuple

import pytest

import purecap

SCHEMAS = Path(__file__).resolve().parents[1] / "tests" / "dynamic" / "schemas"
SCHEMA = SCHEMAS / "dyntest.capnp"

# (root builder, new_orphan(Type), drop(orphan))
Start = Callable[[str], Tuple[Any, Callable[[Any], Any], Callable[[Any], None]]]


@pytest.fixture(scope="module")
def ours() -> Any:
    return purecap.load(SCHEMA, imports=[SCHEMAS])


@pytest.fixture(scope="module")
def theirs(pycapnp: ModuleType) -> Any:
    return pycapnp.load(str(SCHEMA), imports=[str(SCHEMAS)])


def _our_start(mod: Any) -> Start:
    def start(name: str) -> Tuple[Any, Callable[[Any], Any], Callable[[Any], None]]:
        root = getattr(mod, name).new_message()
        return root, root.get_orphanage().new_orphan, lambda orphan: orphan.discard()

    return start


def _their_start(pycapnp: ModuleType, mod: Any) -> Start:
    def start(name: str) -> Tuple[Any, Callable[[Any], Any], Callable[[Any], None]]:
        message = pycapnp._MallocMessageBuilder()
        root = message.init_root(getattr(mod, name))
        # Dropping the last reference destroys the C++ orphan (CPython frees it at once).
        return root, message.new_orphan, lambda orphan: None

    return start


def _one_segment(mod: Any, start: Start) -> bytes:
    a, new_orphan, drop = start("AllTypes")
    inner = a.init("structField")
    inner.int32Field = 7
    inner.textField = "inner"
    deep = inner.init("structField")
    deep.textField = "deep"
    deep.int16List = [1, 2, 3]
    lst = a.init("structList", 2)
    o = inner.disown("structField")  # a struct with children: moved, not copied
    lst[1].adopt("structField", o)
    o = inner.disown("textField")
    a.adopt("textField", o)
    o = lst[1].structField.disown("int16List")
    a.adopt("int16List", o)
    n = new_orphan(mod.AllTypes)
    n.get().int8Field = 5
    n.get().textField = "new"
    a.adopt("structField", n)  # replaces inner, which is zeroed
    a.textList = ["x", "y", "z"]
    o = a.textList.disown(0)
    a.textList.adopt(2, o)  # "z" zeroed, "x" moved
    o = lst.disown(1)  # a struct element: its content moves to a new orphan
    lst.adopt(0, o)  # and into element 0; the orphan is zeroed
    a.int32Field = 9
    o = a.disown("int32Field")  # a number: the orphan holds the value
    a.adopt("int64Field", o)
    p = new_orphan(mod.Point)
    p.get().x = 3
    a.adopt("anyField", p)
    o = a.disown("structField")
    drop(o)  # zeroed, as C++'s destructor does
    o = None
    out: bytes = a.to_bytes()
    return out


def _groups(mod: Any, start: Start) -> bytes:
    s, new_orphan, drop = start("Shape")
    s.name = "s"
    s.style.thickness = 3
    s.style.pattern.custom = "dots"
    g = s.disown("style")  # a group: its fields move into a new struct orphan
    s.depth = 4
    s.adopt("style", g)
    rectangle = s.init("rectangle")
    rectangle.width = 2.5
    rectangle.height = 1.5
    g = s.disown("rectangle")  # a group in the union
    s.adopt("rectangle", g)
    s.color.rgb = 0x123456
    out: bytes = s.to_bytes()
    return out


def _filler(mod: Any, free_words: int) -> int:
    """Bytes of Data that leave ``free_words`` free in the first segment after the prefix of
    :func:`_two_segments` (the allocation is C++'s, so our own message tells)."""
    a = mod.AllTypes.new_message()
    _prefix(a)
    message = a._s.message
    filler: int = (message.capacity_words[0] - message.used_words[0] - free_words) * 8
    return filler


def _prefix(a: Any) -> Any:
    inner = a.init("structField")
    inner.textField = "inner"
    inner.int32List = [1, 2]
    return inner


def _two_segments(mod: Any, start: Start, filler: int) -> bytes:
    a, new_orphan, drop = start("AllTypes")
    _prefix(a)
    a.dataField = bytes(filler)  # the first segment is full (but for a word or two)
    lst = a.init("structList", 1)  # in the second segment, through a far pointer
    o = a.disown("structField")  # in the first segment
    lst[0].adopt("structField", o)  # from the second: a landing pad in the first, or double-far
    lst[0].textField = "far"
    o = lst[0].disown("textField")
    a.adopt("textField", o)  # from the first to the second: a pad next to the text
    o = a.disown("structList")  # reached through a far pointer: the orphan keeps it
    n = new_orphan(mod.AllTypes)  # in the second segment
    n.get().adopt("structList", o)  # the far pointer copied as it is
    a.adopt("anyField", n)
    o = a.disown("textField")
    drop(o)  # zeroed with its landing pad
    o = None
    m = new_orphan(mod.AllTypes)
    m.get().int16Field = 2
    a.anyField.as_struct(mod.AllTypes).structList[0].structField.adopt("structField", m)
    out: bytes = a.to_bytes()
    return out


def test_one_segment(ours: Any, theirs: Any, pycapnp: ModuleType) -> None:
    mine = _one_segment(ours, _our_start(ours))
    assert mine == _one_segment(theirs, _their_start(pycapnp, theirs))
    r = ours.AllTypes.from_bytes(mine)
    assert r.structList[0].structField.textField == "deep"
    assert list(r.textList) == ["", "y", "x"] and r.int64Field == 9 and not r.has("structField")


def test_groups(ours: Any, theirs: Any, pycapnp: ModuleType) -> None:
    mine = _groups(ours, _our_start(ours))
    assert mine == _groups(theirs, _their_start(pycapnp, theirs))
    r = ours.Shape.from_bytes(mine)
    assert r.style.pattern.custom == "dots" and r.rectangle.height == 1.5


@pytest.mark.parametrize("free_words", [0, 1, 2])
def test_two_segments(ours: Any, theirs: Any, pycapnp: ModuleType, free_words: int) -> None:
    filler = _filler(ours, free_words)
    mine = _two_segments(ours, _our_start(ours), filler)
    assert mine == _two_segments(theirs, _their_start(pycapnp, theirs), filler)
    r = ours.AllTypes.from_bytes(mine)
    moved = r.anyField.as_struct(ours.AllTypes).structList[0]
    assert moved.structField.textField == "inner" and list(moved.structField.int32List) == [1, 2]
    assert moved.structField.structField.int16Field == 2 and not r.has("textField")


def _operations(seed: int, count: int) -> List[Tuple[Any, ...]]:
    """A seeded program of field writes, moves between elements, new and dropped orphans."""
    rng = random.Random(seed)
    ops: List[Tuple[Any, ...]] = []
    for _ in range(count):
        i, j = rng.randrange(_ELEMENTS), rng.randrange(_ELEMENTS)
        field = rng.choice(_MOVABLE)
        kind = rng.choice(["set", "set", "move", "move", "new", "drop", "element"])
        if kind == "set":
            size = rng.choice([0, 1, 7, 8, 9, 64, 700])  # some spill into new segments
            ops.append(("set", i, field, size, rng.randrange(256)))
        else:
            ops.append((kind, i, j, field, rng.randrange(128)))
    return ops


_ELEMENTS = 5
_MOVABLE = ["structField", "textField", "dataField", "int32List", "structList"]


def _run_program(mod: Any, start: Start, ops: List[Tuple[Any, ...]]) -> bytes:
    a, new_orphan, drop = start("AllTypes")
    lst = a.init("structList", _ELEMENTS)
    for op in ops:
        if op[0] == "set":
            _, i, field, size, byte = op
            e = lst[i]
            if field == "structField":
                e.init("structField").int64Field = size * 1000 + byte
            elif field == "textField":
                e.textField = chr(97 + byte % 26) * size
            elif field == "dataField":
                e.dataField = bytes([byte]) * size
            elif field == "int32List":
                e.int32List = list(range(size))
            else:
                e.init("structList", min(size, 9))
            continue
        kind, i, j, field, value = op
        if kind == "move":
            o = lst[i].disown(field)
            lst[j].adopt(field, o)
        elif kind == "new":
            n = new_orphan(mod.AllTypes)
            n.get().int8Field = value
            lst[j].adopt("structField", n)
        elif kind == "drop":
            o = lst[i].disown(field)
            drop(o)
        else:
            o = lst.disown(i)
            lst.adopt(j, o)
        o = n = None  # pycapnp's orphans are destroyed here, whatever state they are in
    out: bytes = a.to_bytes()
    return out


@pytest.mark.parametrize("seed", range(6))
def test_random_programs(ours: Any, theirs: Any, pycapnp: ModuleType, seed: int) -> None:
    ops = _operations(seed, 80)
    mine = _run_program(ours, _our_start(ours), ops)
    assert mine == _run_program(theirs, _their_start(pycapnp, theirs), ops)
    assert str(ours.AllTypes.from_bytes(mine))  # and it reads back whole
