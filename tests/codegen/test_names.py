"""The naming rules of generated code (purecap.codegen.names)."""

from __future__ import annotations

import keyword

import pytest

from purecap.codegen import names as N


@pytest.mark.parametrize(
    "schema, python",
    [("phoneNumbers", "phone_numbers"), ("id", "id"), ("uInt8Field", "u_int8_field"),
     ("httpURL", "http_u_r_l"), ("x2y", "x2y"), ("a", "a")],
)  # fmt: skip
def test_snake_case(schema: str, python: str) -> None:
    assert N.snake_case(schema) == python
    assert N.upper_snake_case(schema) == python.upper()


def test_case_conversion_is_reversible_for_schema_names() -> None:
    # Schema names have no underscores, so distinct names never collide.
    names = ["fooBar", "foobar", "fooBAR", "fOoBar", "foo1Bar"]
    assert len({N.snake_case(n) for n in names}) == len(names)


@pytest.mark.parametrize(
    "filename, module",
    [("addressbook.capnp", "addressbook_capnp"), ("/capnp/c++.capnp", "c___capnp"),
     ("a/b/test-import.capnp", "test_import_capnp"), ("9lives.capnp", "_9lives_capnp"),
     ("weird", "weird_capnp"), ("dir\\\\win.capnp", "win_capnp")],
)  # fmt: skip
def test_module_name(filename: str, module: str) -> None:
    assert N.module_name(filename) == module


def test_keywords_are_escaped() -> None:
    assert N.escape("return") == "return_"
    assert N.escape("None") == "None_"
    assert N.escape("match") == "match"  # a soft keyword is a valid name
    assert N.escape("which", {"which"}) == "which_"
    assert N.escape("x", {"x", "x_"}) == "x__"
    # Our fixed list covers every hard keyword of the running Python (but 3.9's easter egg
    # __peg_parser__, which no schema name can be: they never start with an underscore).
    assert {k for k in keyword.kwlist if not k.startswith("_")} <= N.KEYWORDS


def test_scope_claims_in_order() -> None:
    scope = N.Scope({"to_bytes"})
    assert [scope.claim(n) for n in ("to_bytes", "foo", "foo", "class")] == [
        "to_bytes_", "foo", "foo_", "class_"
    ]  # fmt: skip
    assert "foo_" in scope and "bar" not in scope


def test_capitalize() -> None:
    assert N.capitalize("employment") == "Employment"
    assert N.capitalize("") == ""
