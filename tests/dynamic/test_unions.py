"""Unions and groups: which(), switching members, groups in unions and unions in groups."""

from __future__ import annotations

import struct
from typing import Any, Dict

import pytest

from purecap.dynamic import InactiveUnionMember, NotAUnion, UnionTag, text_format

_U16 = struct.Struct("<H")


def test_which_is_a_callable_str_with_the_discriminant(t: Any) -> None:
    s = t.Shape.new_message()
    w = s.which
    assert isinstance(w, UnionTag) and isinstance(w, str)
    assert w == "circle" and w() == "circle" and s.which() == "circle"
    number: Any = 0
    assert w.raw == 0 and w != "empty" and w != number  # a str: numbers are in raw
    assert str(w) == "circle" and repr(w) == "<which 'circle' (0)>"
    assert s._which() == "circle" and s._which_str() == "circle"
    by_tag: Dict[Any, int] = {w: 1}
    assert by_tag["circle"] == 1  # hashes as its name
    s.empty = None
    assert s.which == "empty" and s.which.raw == 3
    assert s.as_reader().which == "empty"


def test_setting_a_member_switches_the_union(t: Any) -> None:
    s = t.Shape.new_message()
    s.circle = 2.0
    assert s.which == "circle" and s.circle == 2.0
    s.tag = "t"
    assert s.which == "tag" and s.tag == "t"
    with pytest.raises(InactiveUnionMember, match="active member is 'tag'"):
        s.circle
    with pytest.raises(InactiveUnionMember):
        s.as_reader().polygon
    assert not s.has("circle") and s.has("tag")


def test_switching_away_nulls_the_old_members_pointers(t: Any) -> None:
    s = t.Shape.new_message(name="n")
    s.init("polygon", 3)[0].label = "corner"
    assert s._s.has_pointer(1)
    s.circle = 1.0
    assert not s._s.has_pointer(1)  # the polygon no longer hangs off the struct
    assert s.name == "n"  # pointers outside the union are untouched
    before = s.total_size
    s.polygon = [{"x": 1}]
    s.tag = "shares the pointer slot"  # replaces the list in place
    assert s.tag == "shares the pointer slot"
    assert s.total_size.word_count <= before.word_count + 4
    r = t.Shape.from_bytes(s.to_bytes())
    assert r.which == "tag" and r.tag == "shares the pointer slot"


def test_groups_in_the_union(t: Any) -> None:
    s = t.Shape.new_message()
    s.circle = 9.0
    rect = s.init("rectangle")
    assert s.which == "rectangle"
    assert rect.width == 0.0  # init cleared the bits the circle used
    rect.width = 2.0
    rect.height = 3.0
    assert (s.rectangle.width, s.rectangle.height) == (2.0, 3.0)
    r = s.as_reader()
    assert r.rectangle.height == 3.0 and r.to_dict()["rectangle"] == {"width": 2.0, "height": 3.0}
    s.circle = 1.0
    with pytest.raises(InactiveUnionMember):
        s.rectangle
    s.rectangle = {"width": 5.0}
    assert s.which == "rectangle" and s.rectangle.width == 5.0 and s.rectangle.height == 0.0


def test_named_unions_and_unions_in_groups(t: Any) -> None:
    s = t.Shape.new_message()
    assert s.color.which == "named" and s.color.named == "red"
    s.color.rgb = 0x123456
    assert s.color.which == "rgb" and s.color.which.raw == 1
    s.style.thickness = 4
    assert s.style.pattern.which == "solid"
    s.style.pattern.custom = "zz"
    assert s.style.pattern.which == "custom"
    r = t.Shape.from_bytes(s.to_bytes())
    assert r.color.rgb == 0x123456 and r.style.pattern.custom == "zz" and r.style.thickness == 4
    assert r.style.to_dict() == {"thickness": 4, "pattern": {"custom": "zz"}}
    s.style.pattern.dashed = 2
    assert not s._s.has_pointer(2)  # custom's text was dropped


def test_groups_from_dicts_and_readers(t: Any) -> None:
    s = t.Shape.new_message()
    s.style = {"thickness": 9, "pattern": {"dashed": 7}}
    assert s.style.thickness == 9 and s.style.pattern.dashed == 7
    s.style = {"pattern": {"custom": "c"}}  # assigning a group resets the rest of it
    assert s.style.thickness == 1 and s.style.pattern.custom == "c"
    other = t.Shape.new_message()
    other.style = s.style.as_reader()
    assert other.style.pattern.custom == "c" and other.style == s.style
    other.init("style")
    assert other.style.thickness == 1 and other.style.pattern.which == "solid"
    assert not other._s.has_pointer(2)


def test_clear_switches_to_the_member(t: Any) -> None:
    s = t.Shape.new_message()
    s.tag = "x"
    s.clear("polygon")
    assert s.which == "polygon" and len(s.polygon) == 0
    s.style.pattern.custom = "c"
    s.clear("style")
    assert s.style.pattern.which == "solid" and s.style.thickness == 1


def test_which_without_a_union(t: Any) -> None:
    p = t.Point.new_message()
    with pytest.raises(NotAUnion, match="Point has no unnamed union"):
        p.which
    with pytest.raises(TypeError):
        p.as_reader().which()


def test_an_unknown_discriminant_from_a_newer_schema(t: Any) -> None:
    s = t.Shape.new_message(name="future")
    s.tag = "x"
    _U16.pack_into(s._s.segment, s._s.data_offset + 8, 42)  # the discriminant, at bits [64, 80)
    r = t.Shape.from_bytes(s.to_bytes())
    assert r.which == "" and r.which.raw == 42
    with pytest.raises(InactiveUnionMember):
        r.circle
    assert "tag" not in r.to_dict() and "circle" not in r.to_dict()
    assert text_format(r) == (
        '(name = "future", color = (named = red), style = (thickness = 1, '
        "pattern = (solid = void)), depth = 0)"
    )


def test_union_text_follows_the_reference_rules(t: Any) -> None:
    s = t.Shape.new_message()
    assert text_format(s).startswith("(circle = 0, ")  # the first member is shown when not null
    s.polygon = []
    assert text_format(s).startswith("(polygon = [], ")
    s.clear("tag")
    assert text_format(s).startswith('(tag = "", ')  # not the first member: shown though null
