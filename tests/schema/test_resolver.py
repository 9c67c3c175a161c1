"""Names, scopes, imports and brands (:mod:`purecap.schema.resolver`, :mod:`.loader`).

Lookups are checked through the compiler (a name either resolves to the node expected or gives
the reference's error); brands through the types they produce; the loader's file naming
directly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

from purecap.schema import ast, model
from purecap.schema.compiler import compile_files
from purecap.schema.errors import SchemaErrors
from purecap.schema.loader import ModuleLoader, normalize_relative
from purecap.schema.parser import parse_file
from purecap.schema.resolver import BUILTIN_NAMES, Kind, expression_string

FILE_ID = "@0xc5b7e6fd1e2a3b41;\n"


def _nodes(tmp_path: Path, text: str, name: str = "t.capnp") -> Dict[str, model.Node]:
    (tmp_path / name).write_text(FILE_ID + text)
    request = compile_files([name], cwd=str(tmp_path))
    return {n.display_name.split(":", 1)[-1]: n for n in request.nodes or ()}


def _field_type(nodes: Dict[str, model.Node], struct: str, field: str) -> model.Type:
    for f in nodes[struct].struct.fields or ():
        if f.name == field:
            return f.slot.type
    raise KeyError(field)


def _errors(tmp_path: Path, text: str) -> List[str]:
    (tmp_path / "t.capnp").write_text(FILE_ID + text)
    with pytest.raises(SchemaErrors) as info:
        compile_files(["t.capnp"], cwd=str(tmp_path))
    return [f"{e.line}:{e.col}: {e.message}" for e in info.value.errors]


# --- expression_string ---------------------------------------------------------------------------


def _expr(text: str) -> ast.Expr:
    tree = parse_file(FILE_ID + f"const x :Int32 = {text};\n", "x.capnp")
    decl = tree.nested_decls[0]
    assert isinstance(decl, ast.Const)
    return decl.value


@pytest.mark.parametrize(
    "text,expected",
    [
        ("123", "123"),
        ("-5", "-5"),
        ("1.5", "1.5"),
        ("Foo.bar", "Foo.bar"),
        (".Foo", ".Foo"),
        ("[1, 2]", "[ 1, 2 ]"),
        ("(a = 1, b = \"x\")", "( a = 1, b = \"x\" )"),
        ("Foo(Text, Data)", "Foo(( Text, Data ))"),  # sic: the reference doubles the parens
        ("import \"a.capnp\".B", "import \"a.capnp\".B"),
        ("\"q\\\"\\n\"", "\"q\\\"\\n\""),
        ("0x\"0a ff\"", "0x\"a0 ff\""),  # sic: the reference prints the low nibble first
    ],
)
def test_expression_string(text: str, expected: str) -> None:
    assert expression_string(_expr(text)) == expected


# --- lookups ---------------------------------------------------------------------------------------


def test_builtins() -> None:
    assert BUILTIN_NAMES["List"] is Kind.BUILTIN_LIST
    assert BUILTIN_NAMES["UInt64"] is Kind.BUILTIN_UINT64
    assert "Object" in BUILTIN_NAMES and "true" not in BUILTIN_NAMES


def test_lookup_order(tmp_path: Path) -> None:
    """Members of the innermost scope first, then outer scopes, then the built-ins; a struct
    may even shadow a built-in type name."""
    nodes = _nodes(
        tmp_path,
        "struct Text { x @0 :Int32; }\n"
        "struct Outer {\n  struct Inner {}\n  a @0 :Inner;\n  b @1 :Text;\n  c @2 :Data;\n"
        "  struct Deep { d @0 :Inner; e @1 :Outer.Inner; f @2 : .Outer; }\n}\n",
    )
    inner_id = nodes["Outer.Inner"].id
    assert _field_type(nodes, "Outer", "a") == model.Type.struct(inner_id)
    assert _field_type(nodes, "Outer", "b") == model.Type.struct(nodes["Text"].id)
    assert _field_type(nodes, "Outer", "c") == model.Type.data()
    assert _field_type(nodes, "Outer.Deep", "d") == model.Type.struct(inner_id)
    assert _field_type(nodes, "Outer.Deep", "e") == model.Type.struct(inner_id)
    assert _field_type(nodes, "Outer.Deep", "f") == model.Type.struct(nodes["Outer"].id)


def test_using_aliases(tmp_path: Path) -> None:
    (tmp_path / "lib.capnp").write_text("@0xc5b7e6fd1e2a3b42;\nstruct L { struct M {} }\n")
    nodes = _nodes(
        tmp_path,
        "using Lib = import \"lib.capnp\";\nusing Lib.L;\nusing M = L.M;\n"
        "struct S { a @0 :L; b @1 :M; c @2 :Lib.L.M; d @3 :Alias; using Alias = S; }\n",
    )
    l_id = nodes["lib.capnp"].id  # the imported file is in the request as a dependency's parent
    assert l_id == 0xC5B7E6FD1E2A3B42
    m = model.Type.struct(nodes["L.M"].id)
    assert _field_type(nodes, "S", "a") == model.Type.struct(nodes["L"].id)
    assert _field_type(nodes, "S", "b") == m
    assert _field_type(nodes, "S", "c") == m
    assert _field_type(nodes, "S", "d") == model.Type.struct(nodes["S"].id)


def test_lookup_errors(tmp_path: Path) -> None:
    assert _errors(
        tmp_path,
        "struct S {\n  a @0 :Nope;\n  b @1 :S.Nope;\n  c @2 : .Nope;\n"
        "  d @3 :import \"none.capnp\".X;\n  e @4 :Int32.X;\n  f @5 :List(x = Int32);\n}\n",
    ) == [
        "3:9: Not defined: Nope",
        "4:11: 'S' has no member named 'Nope'",
        "5:11: Not defined: Nope",
        "6:16: Import failed: none.capnp",
        "7:15: 'Int32' has no member named 'X'",
        "8:14: Named parameter not allowed here.",
    ]


# --- brands ----------------------------------------------------------------------------------------


def test_brands(tmp_path: Path) -> None:
    nodes = _nodes(
        tmp_path,
        "struct G(T) {\n  struct In(U) { u @0 :U; t @1 :T; }\n  self @0 :G(T);\n  in @1 :In(Data);\n}\n"
        "using GT = G(Text);\n"
        "struct S {\n  a @0 :GT.In(Data);\n  b @1 :G(List(Int32)).In;\n  c @2 :G.In(Text);\n}\n",
    )
    g, gin = nodes["G"].id, nodes["G.In"].id
    text, data = model.Type.text(), model.Type.data()

    def bind(scope: int, *types: model.Type) -> model.BrandScope:
        return model.BrandScope(scope, bind=[model.Binding(t) for t in types])

    # Inside G: its own parameter, and a nested generic bound here with G inherited.
    assert _field_type(nodes, "G", "self").brand == model.Brand(
        [bind(g, model.Type.parameter(g, 0))]
    )
    assert _field_type(nodes, "G", "in").brand == model.Brand(
        [bind(gin, data), model.BrandScope(g, inherit=True)]
    )
    assert _field_type(nodes, "G.In", "t") == model.Type.parameter(g, 0)
    # Through an alias that fixed G's parameter.
    assert _field_type(nodes, "S", "a").brand == model.Brand([bind(gin, data), bind(g, text)])
    # An inner scope left unbound is simply left out.
    assert _field_type(nodes, "S", "b").brand == model.Brand(
        [bind(g, model.Type.list_of(model.Type.int32()))]
    )
    assert _field_type(nodes, "S", "c").brand == model.Brand([bind(gin, text)])


def test_brand_errors(tmp_path: Path) -> None:
    assert _errors(
        tmp_path,
        "struct G(T, U) { x @0 :Int32; }\nstruct S {\n  a @0 :G(Text);\n  b @1 :G(Text, Int32);\n"
        "  c @2 :S(Text);\n  d @3 :G(Text, Text)(Text, Text);\n}\n",
    ) == [
        "4:9: Not enough generic parameters.",
        "5:17: Sorry, only pointer types can be used as generic parameters.",
        "6:9: Declaration does not accept generic parameters.",
        "7:9: Double-application of generic parameters.",
    ]


# --- the loader ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "base,path,expected",
    [
        (("a", "b"), "c.capnp", ("a", "b", "c.capnp")),
        (("a", "b"), "../c.capnp", ("a", "c.capnp")),
        (("a",), "./x/../y.capnp", ("a", "y.capnp")),
        (("a",), "/abs.capnp", ("abs.capnp",)),
        (("a",), "../../up.capnp", None),
        ((), "", None),
    ],
)
def test_normalize_relative(
    base: Tuple[str, ...], path: str, expected: Optional[Tuple[str, ...]]
) -> None:
    assert normalize_relative(base, path) == expected


def test_source_and_display_names(tmp_path: Path) -> None:
    (tmp_path / "src" / "sub").mkdir(parents=True)
    (tmp_path / "inc" / "capnp").mkdir(parents=True)
    (tmp_path / "src" / "sub" / "a.capnp").write_text(FILE_ID)
    (tmp_path / "inc" / "capnp" / "x.capnp").write_text(FILE_ID)
    loader = ModuleLoader(["inc"], standard_import=False, cwd=str(tmp_path))
    a = loader.load_source("src/sub/a.capnp")
    assert a is not None
    assert (a.source_name, a.display_name) == ("src/sub/a.capnp", "src/sub/a.capnp")
    x = loader.import_relative(a, "/capnp/x.capnp")
    assert x is not None
    assert (x.source_name, x.display_name) == ("capnp/x.capnp", "inc/capnp/x.capnp")
    assert loader.import_relative(a, "/capnp/none.capnp") is None
    assert loader.import_relative(a, "a.capnp") is a  # loaded once
    # A --src-prefix strips the prefix from the name.
    prefixed = ModuleLoader([], False, [str(tmp_path / "src")], cwd=str(tmp_path))
    b = prefixed.load_source(str(tmp_path / "src" / "sub" / "a.capnp"))
    assert b is not None
    assert b.source_name == "sub/a.capnp"
    assert b.display_name == str(tmp_path / "src") + "/sub/a.capnp"
    # Outside the current directory and every prefix: named from the root.
    outside = ModuleLoader([], False, cwd=str(tmp_path / "inc"))
    c = outside.load_source(str(tmp_path / "src" / "sub" / "a.capnp"))
    assert c is not None
    assert c.source_name == str(tmp_path / "src" / "sub" / "a.capnp").lstrip("/")
    assert c.display_name == str(tmp_path / "src" / "sub" / "a.capnp")


def test_embed_paths(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.capnp").write_text(FILE_ID)
    (tmp_path / "d" / "blob").write_bytes(b"\x00\x01")
    (tmp_path / "inc").mkdir()
    (tmp_path / "inc" / "g").write_bytes(b"global")
    loader = ModuleLoader([str(tmp_path / "inc")], standard_import=False, cwd=str(tmp_path))
    a = loader.load_source("d/a.capnp")
    assert a is not None
    assert loader.embed_relative(a, "blob") == b"\x00\x01"
    assert loader.embed_relative(a, "/g") == b"global"
    assert loader.embed_relative(a, "missing") is None


def test_same_file_by_two_paths_is_one_module(tmp_path: Path) -> None:
    (tmp_path / "inc" / "capnp").mkdir(parents=True)
    (tmp_path / "inc" / "capnp" / "c.capnp").write_text(
        "@0xc5b7e6fd1e2a3b43;\nstruct C {}\n"
    )
    (tmp_path / "inc" / "capnp" / "m.capnp").write_text(
        "@0xc5b7e6fd1e2a3b44;\nusing import \"/capnp/c.capnp\".C;\n"
        "struct M { a @0 :C; b @1 :import \"c.capnp\".C; }\n"
    )
    request = compile_files(
        ["inc/capnp/m.capnp"], import_paths=["inc"], standard_import=False, cwd=str(tmp_path)
    )
    c_nodes = [n for n in request.nodes or () if n.display_name.endswith(":C")]
    assert len(c_nodes) == 1  # no "Duplicate ID" either
