"""Tests of the .capnp parser (purecap.schema.parser) and the AST it builds.

What is accepted and rejected follows capnp 0.9.2 (compiler/parser.c++).  The snippets in
ACCEPTED/REJECTED were checked against the reference compiler; when ``capnp`` is installed,
``test_snippets_agree_with_reference_compiler`` checks them again.
"""

from __future__ import annotations

import glob
import math
import os
import pathlib
import random
import shutil
import subprocess
import time
from typing import List, Optional, Type, TypeVar

import pytest

from purecap.schema import ast
from purecap.schema.errors import SchemaErrors
from purecap.schema.parser import MAX_NESTING, parse_file

DATA = os.path.join(os.path.dirname(__file__), "data")
REFERENCE_FILES = sorted(glob.glob(os.path.join(DATA, "capnp", "**", "*.capnp"), recursive=True))
INSTALLED_FILES = sorted(glob.glob("/usr/include/capnp/**/*.capnp", recursive=True))

FILE_ID = "@0xbf5147cbbecf40c1;\n"

D = TypeVar("D", bound=ast.Node)


def parse(body: str) -> ast.File:
    """Parse ``body`` as a file that starts with an ID line (so ``body`` starts on line 2)."""
    return parse_file(FILE_ID + body, "t.capnp")


def only(decls: List[ast.Decl], cls: Type[D]) -> D:
    assert len(decls) == 1, decls
    decl = decls[0]
    assert isinstance(decl, cls), decl
    return decl


def errors(body: str, with_id: bool = True) -> List[str]:
    """The error lines of parsing ``body`` ("line:col: message", file name left out)."""
    source = FILE_ID + body if with_id else body
    with pytest.raises(SchemaErrors) as info:
        parse_file(source, "t.capnp")
    return [f"{e.line}:{e.col}: {e.message}" for e in info.value.errors]


def expr_of(text: str) -> ast.Expr:
    return only(parse(f"const x :T = {text};").nested_decls, ast.Const).value


def read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


# =================================================================================================
# Whole files


@pytest.mark.parametrize("path", REFERENCE_FILES, ids=lambda p: os.path.relpath(p, DATA))
def test_reference_distribution_files_parse(path: str) -> None:
    result = parse_file(read(path), path)
    assert result.id is not None
    assert result.nested_decls


@pytest.mark.skipif(not INSTALLED_FILES, reason="libcapnp-dev is not installed")
@pytest.mark.parametrize("path", INSTALLED_FILES)
def test_installed_capnp_files_parse(path: str) -> None:
    parse_file(read(path), path)


def test_str_and_bytes_input_agree() -> None:
    path = os.path.join(DATA, "capnp", "schema.capnp")
    assert parse_file(read(path), "s") == parse_file(read(path).decode("utf-8"), "s")


def test_errors_capnp_gives_the_reference_parse_errors() -> None:
    # The parse-phase lines of the reference's testdata/errors.txt (the rest are later passes).
    path = os.path.join(DATA, "capnp", "testdata", "errors.capnp.nobuild")
    with pytest.raises(SchemaErrors) as info:
        parse_file(read(path), "file")
    got = [(e.line, e.col, e.end_col, e.message[:40]) for e in info.value.errors]
    assert got == [
        (74, 30, 32, "As of Cap'n Proto v0.3, it is no longer "),
        (74, 30, 32, "As of Cap'n Proto v0.3, the 'union' keyw"),
        (79, 23, 25, "As of Cap'n Proto v0.3, it is no longer "),
        (84, 17, 19, "As of Cap'n Proto v0.3, the 'union' keyw"),
        (133, 7, 10, "'using' declaration without '=' must spe"),
    ]


def test_schema_capnp_structure() -> None:
    f = parse_file(read(os.path.join(DATA, "capnp", "schema.capnp")), "schema.capnp")
    assert f.id is not None and f.id.value == 0xA93FC509624C72D9
    assert [str(i.path) for i in f.imports] == ["/capnp/c++.capnp"]
    assert [u.name for u in f.usings] == ["Cxx", "Id"]
    (namespace,) = f.annotations
    assert isinstance(namespace.name, ast.MemberExpr) and namespace.name.name == "namespace"
    assert isinstance(namespace.value, ast.StringExpr) and namespace.value.value == "capnp::schema"

    node = next(d for d in f.nested_decls if d.name == "Node")
    assert isinstance(node, ast.Struct)
    assert node.doc_comment is None
    id_field = node.nested_decls[0]
    assert isinstance(id_field, ast.Field)
    assert (id_field.name, id_field.ordinal.value) == ("id", 0)
    assert isinstance(id_field.type, ast.NameExpr) and id_field.type.name == "Id"
    unions = [d for d in node.nested_decls if isinstance(d, ast.Union)]
    assert len(unions) == 1 and unions[0].is_unnamed
    struct_group = next(d for d in unions[0].nested_decls if d.name == "struct")
    assert isinstance(struct_group, ast.Group)
    assert [d.name for d in node.nested_decls if isinstance(d, ast.Struct)] == [
        "Parameter",
        "NestedNode",
        "SourceInfo",
    ]

    value = next(d for d in f.nested_decls if d.name == "Value")
    assert isinstance(value, ast.Struct)
    names = [d.name for d in value.nested_decls[0].nested_decls]
    assert names[:3] == ["void", "bool", "int8"]


def test_rpc_capnp_methods_and_generics() -> None:
    f = parse_file(read(os.path.join(DATA, "capnp", "persistent.capnp")), "persistent.capnp")
    persistent = next(d for d in f.nested_decls if d.name == "Persistent")
    assert isinstance(persistent, ast.Interface)
    assert [p.name for p in persistent.generic_params] == ["SturdyRef", "Owner"]
    save = next(d for d in persistent.nested_decls if isinstance(d, ast.Method))
    assert save.name == "save" and save.ordinal.value == 0
    assert isinstance(save.params, ast.TypeParams)
    assert isinstance(save.results, ast.TypeParams)
    assert isinstance(save.params.type, ast.NameExpr) and save.params.type.name == "SaveParams"


def test_performance_schema_and_rpc() -> None:
    sources = [read(os.path.join(DATA, "capnp", n)) for n in ("schema.capnp", "rpc.capnp")]
    parse_file(sources[0], "warm-up")
    start = time.perf_counter()
    for source in sources:
        parse_file(source, "x.capnp")
    # Typically ~10 ms on CPython; the bound only catches pathological slowdowns.
    assert time.perf_counter() - start < 1.0


# =================================================================================================
# Declarations


def test_file_id_and_doc_comment() -> None:
    f = parse_file("# not doc\n@0xbf5147cbbecf40c1;  # file doc\n# more\n\nstruct A {}\n", "t")
    assert f.id is not None
    assert f.id.value == 0xBF5147CBBECF40C1
    assert (f.id.span.line, f.id.span.col) == (2, 2)  # the number, not the '@'
    assert f.doc_comment == "file doc\nmore\n"
    assert f.filename == "t"


def test_using() -> None:
    f = parse('using Foo = import "foo.capnp";\nusing import "bar.capnp".Bar;\nusing T = Foo.Baz;')
    a, b, c = f.nested_decls
    assert isinstance(a, ast.Using) and a.name == "Foo"
    assert isinstance(a.target, ast.ImportExpr) and a.target.path == "foo.capnp"
    assert isinstance(b, ast.Using) and b.name == "Bar"
    assert isinstance(b.target, ast.MemberExpr)
    assert (b.name_span.line, b.name_span.col) == (3, 26)
    assert isinstance(c, ast.Using) and isinstance(c.target, ast.MemberExpr)
    assert [i.path for i in f.imports] == ["foo.capnp", "bar.capnp"]


def test_const() -> None:
    c = only(parse("const foo @0xf000000000000001 :List(Int32) = [1, -2] $ann;").nested_decls, ast.Const)
    assert c.name == "foo"
    assert c.id is not None and c.id.value == 0xF000000000000001
    assert isinstance(c.type, ast.ApplicationExpr)
    assert isinstance(c.value, ast.ListExpr)
    assert [e.value for e in c.value.elements if isinstance(e, ast.IntExpr)] == [1, -2]
    assert len(c.annotations) == 1


def test_enum() -> None:
    e = only(
        parse("enum E @0xf000000000000002 $a {\n  x @0;  # doc x\n  struct @1 $b(1);\n}").nested_decls,
        ast.Enum,
    )
    assert e.id is not None
    assert [(x.name, x.ordinal.value, x.doc_comment) for x in e.enumerants] == [
        ("x", 0, "doc x\n"),
        ("struct", 1, None),
    ]
    assert len(e.enumerants[1].annotations) == 1


def test_struct_members() -> None:
    s = only(
        parse(
            """struct S @0xf000000000000003 (T, U) $a {
  f @0 :Int32 = -5 $b;
  g :group { h @1 :Text; }
  u :union { v @2 :Void; w @3 :T; }
  union { x @4 :Bool; y @5 :U; }
  old @6! :union { p @7 :Void; q @8 :Void; }
  struct Inner {}
  enum E {}
  interface I {}
  const c :Int32 = 1;
  annotation a (*) :Void;
  using X = Inner;
  struct @9 :Text;
  union @10 :Text;
  group :group {}
  x2 @11 :union.Foo;
}"""
        ).nested_decls,
        ast.Struct,
    )
    assert [p.name for p in s.generic_params] == ["T", "U"]
    kinds = [(type(d).__name__, d.name) for d in s.nested_decls]
    assert kinds == [
        ("Field", "f"),
        ("Group", "g"),
        ("Union", "u"),
        ("Union", ""),
        ("Union", "old"),
        ("Struct", "Inner"),
        ("Enum", "E"),
        ("Interface", "I"),
        ("Const", "c"),
        ("AnnotationDecl", "a"),
        ("Using", "X"),
        ("Field", "struct"),  # keywords are names where a name is expected
        ("Field", "union"),
        ("Group", "group"),
        ("Field", "x2"),  # `union.Foo` is a type, so this is no union
    ]
    f = s.nested_decls[0]
    assert isinstance(f, ast.Field) and isinstance(f.default, ast.IntExpr)
    assert f.default.value == -5 and f.default.negative
    old = s.nested_decls[4]
    assert isinstance(old, ast.Union) and old.ordinal is not None and old.ordinal.value == 6
    named = s.nested_decls[2]
    assert isinstance(named, ast.Union) and named.ordinal is None and not named.is_unnamed
    assert [d.name for d in named.nested_decls] == ["v", "w"]


def test_interface_and_methods() -> None:
    i = only(
        parse(
            """interface I @0xf000000000000004 (T) extends(Base, Other(Text)) $a {
  m0 @0 ();
  m1 @1 (a :Int32, b :Text = "x" $p) -> (c :T) $m;
  m2 @2 [W, X] (w :W) -> stream;
  m3 @3 Foo(Text) -> .Bar.Baz;
  m4 @4 stream;
  struct @5 ();
  struct Nested {}
}"""
        ).nested_decls,
        ast.Interface,
    )
    assert [p.name for p in i.generic_params] == ["T"]
    assert len(i.superclasses) == 2 and isinstance(i.superclasses[1], ast.ApplicationExpr)
    methods = [d for d in i.nested_decls if isinstance(d, ast.Method)]
    m0, m1, m2, m3, m4, m5 = methods
    assert isinstance(m0.params, ast.InlineParams) and m0.params.params == [] and m0.results is None
    assert isinstance(m1.params, ast.InlineParams)
    a, b = m1.params.params
    assert (a.name, b.name) == ("a", "b")
    assert isinstance(b.default, ast.StringExpr) and len(b.annotations) == 1
    assert isinstance(m1.results, ast.InlineParams) and m1.results.params[0].name == "c"
    assert [p.name for p in m2.implicit_params] == ["W", "X"]
    assert isinstance(m2.results, ast.StreamParams)
    assert isinstance(m3.params, ast.TypeParams) and isinstance(m3.params.type, ast.ApplicationExpr)
    assert isinstance(m3.results, ast.TypeParams)
    assert isinstance(m3.results.type, ast.MemberExpr)
    assert isinstance(m4.params, ast.StreamParams)
    assert m5.name == "struct"
    assert isinstance(i.nested_decls[-1], ast.Struct)


def test_annotation_declarations() -> None:
    f = parse(
        "annotation a @0xf000000000000005 (*) :Text;\n"
        "annotation b (file, struct) :Foo $c;\n"
        "annotation c () :Void;\n"
    )
    a, b, c = f.nested_decls
    assert isinstance(a, ast.AnnotationDecl) and a.targets == list(ast.ANNOTATION_TARGETS)
    assert isinstance(b, ast.AnnotationDecl) and b.targets == ["file", "struct"]
    assert len(b.annotations) == 1
    assert isinstance(c, ast.AnnotationDecl) and c.targets == []


def test_annotation_target_errors() -> None:
    assert errors("annotation a (struct, *) :Void;\nannotation b (bogus, field, field, Struct) :T;") == [
        "2:23: Wildcard should not be specified together with other targets.",
        "3:15: Not a valid annotation target.",
        "3:29: Duplicate target specification.",
        "3:36: Not a valid annotation target.",
    ]


def test_annotation_applications() -> None:
    f = parse(
        '$file;\n$Cxx.namespace("a");\n$p(a = 1, b = 2);\n$e();\n$g(Text)(5);\n$x(5).y;\n'
    )
    plain, member, tuple_, empty, generic, weird = f.annotations
    assert isinstance(plain.name, ast.NameExpr) and plain.value is None
    assert isinstance(member.name, ast.MemberExpr) and isinstance(member.value, ast.StringExpr)
    assert isinstance(tuple_.value, ast.TupleExpr) and [p.name for p in tuple_.value.params] == [
        "a",
        "b",
    ]
    assert (tuple_.value.span.line, tuple_.value.span.col) == (4, 3)
    assert isinstance(empty.value, ast.TupleExpr) and empty.value.params == []
    # Only the last parenthesised part is the value (the rest is for the resolver to judge).
    assert isinstance(generic.name, ast.ApplicationExpr) and isinstance(generic.value, ast.IntExpr)
    assert isinstance(weird.name, ast.MemberExpr) and weird.value is None
    assert (plain.span.line, plain.span.col, plain.span.end_col) == (2, 1, 6)


# =================================================================================================
# Expressions


def test_number_expressions() -> None:
    e = expr_of("-0")
    assert isinstance(e, ast.IntExpr) and e.value == 0 and e.negative
    e = expr_of("0x10")
    assert isinstance(e, ast.IntExpr) and e.value == 16 and not e.negative
    e = expr_of("-18446744073709551615")
    assert isinstance(e, ast.IntExpr) and e.value == -((1 << 64) - 1)
    e = expr_of("-1.5")
    assert isinstance(e, ast.FloatExpr) and e.value == -1.5
    e = expr_of("- inf")
    assert isinstance(e, ast.FloatExpr) and e.value == -math.inf
    assert (e.span.col, e.span.end_col) == (14, 19)  # includes the '-'
    for name in ("inf", "nan", "true", "false", "void"):
        e = expr_of(name)
        assert isinstance(e, ast.NameExpr) and e.name == name


def test_string_binary_and_embed_expressions() -> None:
    e = expr_of('"ab" "c"\n  "d"')
    assert isinstance(e, ast.StringExpr) and e.value == "abcd"
    assert (e.span.line, e.span.end_line) == (2, 3)
    e = expr_of('0x"01 02"')
    assert isinstance(e, ast.BinaryExpr) and e.value == b"\x01\x02"
    e = expr_of('embed "data.bin"')
    assert isinstance(e, ast.EmbedExpr) and e.path == "data.bin"


def test_list_and_tuple_expressions() -> None:
    e = expr_of("[1, [2], (a = 3), ]")
    assert isinstance(e, ast.ListExpr) and len(e.elements) == 3
    assert isinstance(e.elements[1], ast.ListExpr)
    assert isinstance(e.elements[2], ast.TupleExpr)
    e = expr_of("[]")
    assert isinstance(e, ast.ListExpr) and e.elements == []
    e = expr_of("(5)")  # one unnamed element is just a parenthesised value
    assert isinstance(e, ast.IntExpr)
    e = expr_of("(5,)")
    assert isinstance(e, ast.IntExpr)
    e = expr_of("()")
    assert isinstance(e, ast.TupleExpr) and e.params == []
    e = expr_of('(a = 1, b = (c = "x"), 7)')
    assert isinstance(e, ast.TupleExpr)
    assert [p.name for p in e.params] == ["a", "b", None]
    assert e.params[0].name_span is not None and e.params[2].name_span is None


def test_name_member_and_application_expressions() -> None:
    e = only(parse("const x :Foo(Text, List(Int32)).Bar = .a.b;").nested_decls, ast.Const)
    t = e.type
    assert isinstance(t, ast.MemberExpr) and t.name == "Bar"
    app = t.parent
    assert isinstance(app, ast.ApplicationExpr)
    assert isinstance(app.function, ast.NameExpr) and app.function.name == "Foo"
    assert [type(p.value).__name__ for p in app.params] == ["NameExpr", "ApplicationExpr"]
    assert (app.span.col, app.span.end_col) == (10, 32)
    assert (app.params_span.col, app.params_span.end_col) == (13, 32)
    assert (t.span.col, t.span.end_col, t.name_span.col) == (10, 36, 33)
    v = e.value
    assert isinstance(v, ast.MemberExpr) and v.name == "b"
    assert isinstance(v.parent, ast.AbsoluteNameExpr) and v.parent.name == "a"
    assert (v.parent.span.col, v.parent.name_span.col) == (39, 40)


def test_import_expression_with_member() -> None:
    c = only(parse('const x :import "a.capnp".Foo = import "b.capnp";').nested_decls, ast.Const)
    assert isinstance(c.type, ast.MemberExpr) and isinstance(c.type.parent, ast.ImportExpr)
    assert isinstance(c.value, ast.ImportExpr) and c.value.path == "b.capnp"
    assert (c.value.path_span.col, c.value.path_span.end_col) == (40, 49)


def test_import_without_string_is_a_name() -> None:
    c = only(parse("const x :import = embed;").nested_decls, ast.Const)
    assert isinstance(c.type, ast.NameExpr) and c.type.name == "import"
    assert isinstance(c.value, ast.NameExpr) and c.value.name == "embed"


# =================================================================================================
# Doc comments and spans


def test_doc_comments_on_declarations() -> None:
    f = parse(
        """struct A {  # A early
  # A more
  f @0 :Text;  # f doc
  g @1 :Text;
  # g doc

  # not a doc comment
  h :group {
    i @2 :Int32;
  }  # h late doc
}
struct B {
}  # B late doc
enum E { x @0; }  # E doc
interface I {
  m @0 () -> ();  # m doc
}
const c :Int32 = 5; # c doc
annotation a (*) :Void; # a doc
using U = A; # U doc
"""
    )
    a, b, e, i, c, an, u = f.nested_decls
    assert a.doc_comment == "A early\nA more\n"
    assert [(d.name, d.doc_comment) for d in a.nested_decls] == [
        ("f", "f doc\n"),
        ("g", "g doc\n"),
        ("h", "h late doc\n"),
    ]
    assert b.doc_comment == "B late doc\n"
    assert e.doc_comment == "E doc\n"
    assert i.nested_decls[0].doc_comment == "m doc\n"
    assert (c.doc_comment, an.doc_comment, u.doc_comment) == ("c doc\n", "a doc\n", "U doc\n")


def test_early_doc_comment_wins_over_late() -> None:
    s = only(parse("struct A { # early\n} # late\n").nested_decls, ast.Struct)
    assert s.doc_comment == "early\n"


def test_declaration_spans() -> None:
    f = parse("struct A {\n  f @12 :Text;  # doc\n}\n")
    s = only(f.nested_decls, ast.Struct)
    assert (s.span.line, s.span.col, s.span.end_line, s.span.end_col) == (2, 1, 4, 2)
    assert (s.name_span.line, s.name_span.col, s.name_span.end_col) == (2, 8, 9)
    field = only(s.nested_decls, ast.Field)
    # The statement runs to the end of its doc comment, as in the reference.
    assert (field.span.line, field.span.col, field.span.end_line, field.span.end_col) == (3, 3, 4, 1)
    assert (field.ordinal.span.col, field.ordinal.span.end_col) == (6, 8)  # without the '@'
    assert (field.type.span.col, field.type.span.end_col) == (10, 14)
    source = (FILE_ID + "struct A {\n  f @12 :Text;  # doc\n}\n").encode()
    assert source[field.span.start : field.span.end] == b"f @12 :Text;  # doc\n"
    assert source[s.span.start : s.span.end] == source[len(FILE_ID) : -1]


# =================================================================================================
# Errors


def test_missing_file_id() -> None:
    (message,) = errors("struct A {}", with_id=False)
    assert message.startswith("1:1: File does not declare an ID.  I've generated one for you.")
    new_id = int(message.rsplit("@", 1)[1].rstrip(";"), 16)
    assert new_id >= 1 << 63
    f = parse_file("struct A {}", "t", require_id=False)
    assert f.id is None


def test_missing_id_not_reported_with_other_errors() -> None:
    assert errors("struct A { x }", with_id=False) == [
        "1:13: Parse error: expected ';' or '{' to end the declaration."
    ]


def test_id_errors() -> None:
    assert errors("@0xbf5147cbbecf40c2;\nstruct A @0x1234 {}\n") == [
        "2:1: File can only have one ID.",
        "3:11: Invalid ID.  Please generate a new one with 'capnpc -i'.",
    ]


def test_ordinal_too_large() -> None:
    assert errors("struct A { a @65536 :Int32; b @65535 :Int32; }") == [
        "2:15: Ordinals cannot be greater than 65535."
    ]


def test_block_and_semicolon_mismatch() -> None:
    assert errors("struct A;\nconst c :Int32 = 1 { }\nstruct B { f @0 :Int32 {} }") == [
        "2:1: This statement should end with a block, not a semicolon.",
        "3:1: This statement should end with a semicolon, not a block.",
        "4:12: This statement should end with a semicolon, not a block.",
    ]


def test_semicolon_after_block() -> None:
    assert errors("struct A {};") == [
        "2:12: Parse error: empty declaration (no ';' is needed after '}')."
    ]


def test_union_ordinal_errors() -> None:
    assert errors("struct A {\n  u @1 union { a @0 :Void; b @2 :Void; }\n}") == [
        "3:6: " + "As of Cap'n Proto v0.3, it is no longer necessary to assign numbers to unions. "
        "However, removing the number will break binary compatibility. If this is an old protocol "
        "and you need to retain compatibility, please add an exclamation point after the number "
        "to indicate that it is really needed, e.g. `foo @1! :union {`. If this is a new protocol "
        "or compatibility doesn't matter, just remove the @n entirely. Sorry for the "
        "inconvenience, and thanks for being an early adopter!  :)",
        "3:6: As of Cap'n Proto v0.3, the 'union' keyword should be prefixed with a colon for "
        "named unions, e.g. `foo :union {`.",
    ]


def test_using_without_name() -> None:
    assert errors("using Foo;") == [
        "2:7: 'using' declaration without '=' must specify a named declaration from a "
        "different scope."
    ]


def test_all_independent_errors_are_reported_in_order() -> None:
    got = errors(
        """struct A {
  a @0 Int32;
  b @1 :Int32 = ;
  c @2 :Int32;
  d :Text;
  e @3! :Text;
}
enum E { x; y @1; }
interface I { m @0 (a) -> (); n; }
const k :Int32 =-1;
struct B(T, ) { }
struct C(T,,U) { }
garbage here;
"""
    )
    assert got == [
        "3:8: Parse error: expected ':' and the field's type, found 'Int32'.",
        "4:17: Parse error: expected an expression, found end of declaration.",
        "6:6: Parse error: expected 'union' or 'group' (a field needs an ordinal: 'name @N :Type'), "
        "found 'Text'.",
        "7:7: Parse error: '!' may only follow the ordinal of a union.",
        "9:11: Parse error: expected an ordinal ('@N') after the enumerant name, found end of "
        "declaration.",
        "10:22: Parse error: expected ':' and the parameter's type, found ')'.",
        "10:32: Parse error: expected an ordinal ('@N') after the method name, found end of "
        "declaration.",
        "11:16: Parse error: expected '=' and the constant's value, found operator '=-' "
        "(separate operators with spaces).",
        "13:12: Parse error: expected a list item, found ','.",
        "14:1: Parse error: expected a declaration (struct, enum, interface, const, annotation or "
        "using), found 'garbage'.",
    ]


def test_bracket_and_brace_errors() -> None:
    assert errors("const a :List(Int32 = 1;\nconst b :T = [1, 2));\nstruct C {\n") == [
        "2:14: Parse error: unmatched '('.",
        "3:19: Parse error: unmatched ')'.",
        "4:10: Parse error: this '{' is never closed.",
    ]
    assert errors("}\nstruct A {}") == ["2:1: Parse error: unmatched '}'."]
    assert errors("struct A { a @0 :Text }") == [
        "2:22: Parse error: expected ';' or '{' to end the declaration."
    ]


def test_lexer_errors_skip_their_statement_only() -> None:
    # The bad literal's statement is skipped without a second error; the next one is parsed.
    assert errors('const a :Text = "abc\\q";\nconst b :Int32 = 08;\nstruct C { x }') == [
        "2:21: Invalid escape sequence in string literal.",
        "3:18: Invalid octal literal (a leading 0 makes a number octal).",
        "4:13: Parse error: expected ';' or '{' to end the declaration.",
    ]


def test_non_utf8_file() -> None:
    with pytest.raises(SchemaErrors) as info:
        parse_file(b"\xff\xfe@\x000\x00x\x00", "utf16.capnp")
    assert str(info.value) == (
        "utf16.capnp:1:1: error: Non-UTF-8 input detected. Cap'n Proto schema files must be "
        "UTF-8 text."
    )


@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 5000])
def test_deep_nesting_is_an_error_not_a_crash(depth: int) -> None:
    with pytest.raises(SchemaErrors, match="nested too deeply"):
        parse("const x :T = " + "(" * depth + "1" + ")" * depth + ";")
    with pytest.raises(SchemaErrors, match="nested too deeply"):
        parse("struct A {" * depth + "}" * depth)


def test_maximum_nesting_is_accepted() -> None:
    inner = "(a = " * MAX_NESTING + "1" + ")" * MAX_NESTING
    body = "struct A {" * (MAX_NESTING - 1) + f"const x :T = {inner};" + "}" * (MAX_NESTING - 1)
    f = parse(body)
    assert f.nested_decls


def test_garbage_never_raises_anything_else() -> None:
    rng = random.Random(1234)
    alphabet = ' \n;{}()[],=:@$.-!*#"\\0x5aA_\xe9\tunion group struct 0x"->'
    base = read(os.path.join(DATA, "capnp", "test.capnp")).decode("utf-8")
    for i in range(300):
        if i % 2:
            source = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        else:
            chars = list(base)
            for _ in range(rng.randint(1, 5)):
                at = rng.randrange(len(chars))
                chars[at : at + rng.randint(0, 3)] = rng.choice(alphabet)
            source = "".join(chars)
        try:
            parse_file(source, "fuzz.capnp")
        except SchemaErrors as e:
            assert str(e)


# =================================================================================================
# Agreement with the reference compiler on small cases

ACCEPTED = [
    "struct A { a @0 :Int32 = -1; }",
    "struct A { a @0 :Float64 = - inf; }",
    "struct A { a @0 :Text = \"x\" \"y\"; }",
    "struct A { u @0! :union { a @1 :Void; b @2 :Void; } }",
    "struct A { union { a @0 :Void; b @1 :Void; } }",
    "struct A { struct @0 :Int32; enum @1 :Int32; }",
    "struct A(T) { a @0 :T; }",
    "struct A @0xf000000000000001 (T) {}",
    "struct A { a @0 :List(Int32) = [1, 2, ]; }",
    "const a :Int32 = (5);",
    "interface I { m @0 [T] (a :T) -> stream; }",
    "interface I extends() {}",
    "annotation a () :Void;",
    "enum E { struct @0; }",
    "$foo(a = 1);",
    "using import \"x.capnp\".Foo;",
    "struct A {}  # doc\n",
]

REJECTED = [
    "struct A { a @0 :Int32 =-1; }",
    "struct A { a @0 :.Foo; }",
    "struct A(T) @0xf000000000000001 {}",
    "struct A {};",
    "struct A { a @0 :Int32 }",
    "struct A { union $x { a @0 :Void; } }",
    "struct A { a @0! :Int32; }",
    "struct A { a :Int32; }",
    "struct A { a @0 :Float64 = -nan; }",
    "const a :Int32 = 1e;",
    "const a :Int32 = 08;",
    "const a :Data = 0x\"\";",
    "const a :List(Int32) = [1,,2];",
    "const a :List(Int32) = [,];",
    "annotation a (struct, *) :Void;",
    "annotation a (bogus) :Void;",
    "struct A { a @0 :Text = \"\\q\"; }",
    "$a $b;",
    "enum E { a; }",
    "struct A",
    "using Foo;",
]


@pytest.mark.parametrize("body", ACCEPTED)
def test_accepted_snippets(body: str) -> None:
    parse(body)


@pytest.mark.parametrize("body", REJECTED)
def test_rejected_snippets(body: str) -> None:
    with pytest.raises(SchemaErrors):
        parse(body)


def _capnp() -> Optional[str]:
    return shutil.which("capnp")


# Messages the reference emits while parsing (as opposed to later passes).
_REFERENCE_PARSE_MESSAGES = (
    "Parse error",
    "As of Cap'n Proto v0.3",
    "'using' declaration without",
    "Invalid ID",
    "Ordinals cannot be greater",
    "This statement should end with",
    "Wildcard should not",
    "Not a valid annotation target",
    "Duplicate target specification",
    "String does not contain valid floating number",
)


@pytest.mark.skipif(_capnp() is None, reason="the capnp tool is not installed")
def test_snippets_agree_with_reference_compiler(tmp_path: pathlib.Path) -> None:
    capnp = _capnp()
    assert capnp is not None
    for expect_ok, bodies in ((True, ACCEPTED), (False, REJECTED)):
        for body in bodies:
            path = os.path.join(str(tmp_path), "t.capnp")
            with open(path, "w") as f:
                f.write(FILE_ID + body)
            result = subprocess.run(
                [capnp, "compile", "-o-", "t.capnp"],
                cwd=str(tmp_path),
                capture_output=True,
                check=False,
            )
            stderr = result.stderr.decode("utf-8", "replace")
            parse_failed = any(m in stderr for m in _REFERENCE_PARSE_MESSAGES)
            assert parse_failed != expect_ok, (body, stderr)
