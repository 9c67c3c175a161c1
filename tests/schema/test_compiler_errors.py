"""Error messages of the schema compiler: wording and position as capnp 0.9.2 reports them.

Every expectation here was checked against the reference (``capnp compile``): same line, same
column, same message, same order (the live comparison is ``conformance/test_schema_compiler.py``).
Each case is a small file; all of its errors must be reported in one run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from purecap.cli import main as cli_main
from purecap.schema.compiler import CompileError, compile_files
from purecap.schema.errors import SchemaErrors

REPO = Path(__file__).resolve().parent.parent.parent
TESTDATA = REPO / "tests" / "schema" / "data" / "capnp" / "testdata"

FILE_ID = "@0xc5b7e6fd1e2a3b41;\n"

SNIPPETS: Dict[str, str] = {
 "unknown_names": "struct S {\n  a @0 :NoSuch;\n  b @1 :S.Nope;\n  c @2 : .Missing;\n  d @3 :import \"nothere.capnp\".X;\n}",
 "duplicate_ordinals": "struct S {\n  a @0 :Int32;\n  b @0 :Int32;\n  c @1 :Int32;\n}",
 "ordinal_gap": "struct S {\n  a @0 :Int32;\n  b @2 :Int32;\n}",
 "enum_ordinals": "enum E {\n  a @0;\n  b @0;\n  c @2;\n}",
 "method_ordinals": "interface I {\n  m @0 ();\n  n @2 ();\n}",
 "bad_defaults": "struct S {\n  a @0 :UInt8 = 256;\n  b @1 :Int8 = -129;\n  c @2 :Int64 = -0x8000000000000001;\n  d @3 :Bool = 1;\n  e @4 :Float32 = \"x\";\n  f @5 :Text = 5;\n  g @6 :Data = [1];\n  h @7 :List(Int32) = [1, \"x\"];\n  i @8 :S = (nope = 1);\n  j @9 :S = (a = 1, 2);\n}",
 "type_mismatches": "enum E { red @0; }\nstruct S {\n  a @0 :E = blue;\n  b @1 :Int32 = 1.5;\n  c @2 :Text = 0x\"00\";\n  d @3 :S = [1];\n  e @4 :List(Int32) = (a = 1);\n  g :group { x @5 :Int32; }\n  h @6 :S = (g = 5);\n}",
 "constants": "const a :Int32 = 5;\nconst b :Int32 = a;\nconst c :Int32 = .S;\nconst d :E = .e;\nconst e :E = x;\nenum E { x @0; }\nstruct S {}",
 "recursive_constants": "const a :Int32 = .b;\nconst b :Int32 = .a;",
 "annotations": "annotation onField(field) :Int32;\nannotation onStruct(struct) :Void;\nstruct S $onField(1) {\n  a @0 :Int32 $onField;\n  b @1 :Int32 $onStruct;\n  c @2 :Int32 $S;\n  d @3 :Int32 $onField(\"x\");\n}",
 "generics": "struct G(T) {\n  x @0 :T;\n}\nstruct S {\n  a @0 :G(Text, Text);\n  b @1 :G(Text)(Text);\n  c @2 :G(Int32);\n  d @3 :S(Text);\n  e @4 :List;\n  f @5 :List(AnyPointer);\n  g @6 :Int32(Text);\n}",
 "not_types": "const k :Int32 = 1;\nstruct S {\n  a @0 :k;\n  b @1 :Object;\n}\ninterface I extends(S) {}\ninterface J extends(k) {}",
 "names": "struct s {\n  A @0 :Int32;\n  b_c @1 :Int32;\n  d @2 :Int32;\n  d @3 :Int32;\n}\nusing x = S2;\nstruct S2 {}",
 "unions_and_groups": "struct S {\n  u :union {\n    a @0 :Int32;\n  }\n  g :group {\n  }\n  union {\n    b @1 :Int32;\n    c @2 :Int32;\n  }\n  union {\n    d @3 :Int32;\n    e @4 :Int32;\n  }\n}",
 "retro_union": "struct S {\n  u @2! :union {\n    a @0 :Int32;\n    b @1 :Int32;\n  }\n}",
 "embeds": "const a :Text = embed \"missing.txt\";\nconst b :Int32 = embed \"e.capnp\";",
 "params": "interface I {\n  m @0 (a :Int32 = null, b :Text = null);\n  n @1 stream -> ();\n  o @2 Int32 -> ();\n}",
 "duplicate_ids": "struct A @0xd000000000000001 {}\nstruct B @0xd000000000000001 {}",
 "misplaced": "struct S {\n  g :group {\n    x @0 :Int32;\n    struct Inner {}\n  }\n}",
}

EXPECTED: Dict[str, List[Tuple[int, int, str]]] = {
'unknown_names': [
    (3, 9, 'Not defined: NoSuch'),
    (4, 11, "'S' has no member named 'Nope'"),
    (5, 11, 'Not defined: Missing'),
    (6, 16, 'Import failed: nothere.capnp'),
],
'duplicate_ordinals': [
    (4, 6, 'Duplicate ordinal number.'),
    (3, 6, 'Ordinal @0 originally used here.'),
],
'ordinal_gap': [
    (4, 6, 'Skipped ordinal @1.  Ordinals must be sequential with no holes.'),
],
'enum_ordinals': [
    (4, 6, 'Duplicate ordinal number.'),
    (3, 6, 'Ordinal @0 originally used here.'),
    (5, 6, 'Skipped ordinal @1.  Ordinals must be sequential with no holes.'),
],
'method_ordinals': [
    (4, 6, 'Skipped ordinal @1.  Ordinals must be sequential with no holes.'),
],
'bad_defaults': [
    (3, 17, 'Integer value out of range.'),
    (4, 17, 'Integer value out of range.'),
    (5, 18, 'Integer is too big to be negative.'),
    (6, 16, 'Type mismatch; expected Bool.'),
    (7, 19, 'Type mismatch; expected Float32.'),
    (8, 16, 'Type mismatch; expected Text.'),
    (9, 16, 'Type mismatch; expected Data.'),
    (10, 27, 'Type mismatch; expected Int32.'),
    (11, 14, "Struct has no field named 'nope'."),
    (12, 21, 'Missing field name.'),
],
'type_mismatches': [
    (4, 13, 'Not defined: blue'),
    (5, 17, 'Type mismatch; expected Int32.'),
    (6, 16, 'Type mismatch; expected Text.'),
    (7, 13, 'Type mismatch; expected S.'),
    (8, 23, 'Type mismatch; expected List(Int32).'),
    (10, 18, 'Type mismatch; expected group.'),
],
'constants': [
    (3, 18, "Constant names must be qualified to avoid confusion.  Please replace 'a' with '.a', if that's what you intended."),
    (4, 18, "'.S' does not refer to a constant."),
    (5, 14, 'Type mismatch; expected E.'),
],
'recursive_constants': [
    (2, 7, 'Declaration recursively depends on itself.'),
],
'annotations': [
    (5, 16, "'onField' requires a value."),
    (6, 16, "'onStruct' cannot be applied to this kind of declaration."),
    (7, 16, "'S' is not an annotation."),
    (8, 24, 'Type mismatch; expected Int32.'),
    (4, 11, "'onField' cannot be applied to this kind of declaration."),
],
'generics': [
    (6, 9, 'Too many generic parameters.'),
    (7, 9, 'Double-application of generic parameters.'),
    (8, 11, 'Sorry, only pointer types can be used as generic parameters.'),
    (9, 9, 'Declaration does not accept generic parameters.'),
    (10, 9, "'List' requires exactly one parameter."),
    (11, 9, "'List(AnyPointer)' is not supported."),
    (12, 9, 'Declaration does not accept generic parameters.'),
],
'not_types': [
    (4, 9, "'k' is not a type."),
    (5, 9, "As of Cap'n Proto 0.4, 'Object' has been renamed to 'AnyPointer'.  Sorry for the inconvenience, and thanks for being an early adopter.  :)"),
    (7, 21, "'S' is not an interface."),
    (8, 21, "'k' is not an interface."),
],
'names': [
    (2, 8, 'Type names must begin with a capital letter.'),
    (8, 7, 'Type names must begin with a capital letter.'),
    (3, 3, 'Non-type names must begin with a lower-case letter.'),
    (4, 3, "Cap'n Proto declaration names should use camelCase and must not contain underscores. (Code generators may convert names to the appropriate style for the target language.)"),
    (6, 3, "'d' is already defined in this scope."),
    (5, 3, "'d' previously defined here."),
],
'unions_and_groups': [
    (12, 3, 'An unnamed union is already defined in this scope.'),
    (8, 3, 'Previously defined here.'),
    (3, 3, 'Union must have at least two members.'),
    (6, 3, 'Group must have at least one member.'),
],
'retro_union': [
    (3, 6, 'Union ordinal, if specified, must be greater than no more than one of its member ordinals (i.e. there can only be one field retroactively unionized).'),
],
'embeds': [
    (2, 23, "Couldn't read file for embed: missing.txt"),
    (3, 18, 'Embeds can only be used when Text, Data, or a struct is expected.'),
],
'params': [
    (3, 20, "Only pointer parameters can declare their default as 'null'."),
    (4, 8, "'stream' can only appear after '->', not before."),
    (5, 8, "'Int32' is not a struct type."),
],
'duplicate_ids': [
    (3, 8, 'Duplicate ID @0xd000000000000001.'),
    (2, 8, 'ID @0xd000000000000001 originally used here.'),
],
'misplaced': [
    (5, 5, "This kind of declaration doesn't belong here."),
],
}

ERRORS_CAPNP_NOBUILD: List[Tuple[int, int, str]] = [
    (74, 30, "As of Cap'n Proto v0.3, it is no longer necessary to assign numbers to unions. However, removing the number will break binary compatibility. If this is an old protocol and you need to retain compatibility, please add an exclamation point after the number to indicate that it is really needed, e.g. `foo @1! :union {`. If this is a new protocol or compatibility doesn't matter, just remove the @n entirely. Sorry for the inconvenience, and thanks for being an early adopter!  :)"),
    (74, 30, "As of Cap'n Proto v0.3, the 'union' keyword should be prefixed with a colon for named unions, e.g. `foo :union {`."),
    (79, 23, "As of Cap'n Proto v0.3, it is no longer necessary to assign numbers to unions. However, removing the number will break binary compatibility. If this is an old protocol and you need to retain compatibility, please add an exclamation point after the number to indicate that it is really needed, e.g. `foo @1! :union {`. If this is a new protocol or compatibility doesn't matter, just remove the @n entirely. Sorry for the inconvenience, and thanks for being an early adopter!  :)"),
    (84, 17, "As of Cap'n Proto v0.3, the 'union' keyword should be prefixed with a colon for named unions, e.g. `foo :union {`."),
    (133, 7, "'using' declaration without '=' must specify a named declaration from a different scope."),
    (37, 3, "'dupName' is already defined in this scope."),
    (36, 3, "'dupName' previously defined here."),
    (52, 5, "'dupName' is already defined in this scope."),
    (36, 3, "'dupName' previously defined here."),
    (55, 3, 'An unnamed union is already defined in this scope.'),
    (51, 3, 'Previously defined here.'),
    (60, 10, 'Type names must begin with a capital letter.'),
    (61, 3, 'Non-type names must begin with a lower-case letter.'),
    (62, 3, "Cap'n Proto declaration names should use camelCase and must not contain underscores. (Code generators may convert names to the appropriate style for the target language.)"),
    (66, 5, "This kind of declaration doesn't belong here."),
    (44, 3, 'Union must have at least two members.'),
    (45, 3, 'Group must have at least one member.'),
    (47, 3, 'Union must have at least two members.'),
    (92, 5, 'Unions cannot contain unnamed unions.'),
    (39, 15, 'Duplicate ordinal number.'),
    (38, 15, 'Ordinal @2 originally used here.'),
    (41, 18, 'Skipped ordinal @3.  Ordinals must be sequential with no holes.'),
    (69, 15, 'Union ordinal, if specified, must be greater than no more than one of its member ordinals (i.e. there can only be one field retroactively unionized).'),
    (117, 31, 'Import failed: noshuchfile.capnp'),
    (119, 26, 'Not defined: NoSuch'),
    (120, 28, "'Foo' has no member named 'NoSuch'"),
    (97, 25, "'List' requires exactly one parameter."),
    (98, 30, 'Too many generic parameters.'),
    (98, 30, "'List' requires exactly one parameter."),
    (99, 23, "'List(AnyPointer)' is not supported."),
    (101, 17, "'notType' is not a type."),
    (102, 17, 'Declaration does not accept generic parameters.'),
    (104, 34, 'Integer value out of range.'),
    (105, 37, 'Integer value out of range.'),
    (106, 32, 'Type mismatch; expected Text.'),
    (107, 33, 'Type mismatch; expected Text.'),
    (108, 33, 'Type mismatch; expected Text.'),
    (109, 43, 'Integer is too big to be negative.'),
    (110, 35, "'.Foo' does not refer to a constant."),
    (111, 44, "Constant names must be qualified to avoid confusion.  Please replace 'notType' with '.notType', if that's what you intended."),
    (118, 28, 'Not defined: NoSuch'),
    (100, 22, "'List(AnyStruct)' is not supported."),
    (113, 29, "'Foo' is not an annotation."),
    (114, 29, "'notFieldAnnotation' cannot be applied to this kind of declaration."),
    (115, 33, "'fieldAnnotation' requires a value."),
    (127, 35, "Struct has no field named 'nosuchfield'."),
    (128, 49, 'Type mismatch; expected group.'),
    (126, 52, 'Missing field name.'),
    (137, 3, "'dupName' is already defined in this scope."),
    (136, 3, "'dupName' previously defined here."),
    (139, 15, 'Duplicate ordinal number.'),
    (138, 15, 'Ordinal @2 originally used here.'),
    (142, 7, 'Declaration recursively depends on itself.'),
    (145, 19, "'T' is not an annotation."),
    (149, 14, 'Not enough generic parameters.'),
    (150, 15, 'Too many generic parameters.'),
    (151, 18, 'Double-application of generic parameters.'),
    (152, 38, 'Sorry, only pointer types can be used as generic parameters.'),
    (155, 30, 'Embeds can only be used when Text, Data, or a struct is expected.'),
    (156, 37, "Couldn't read file for embed: no-such-file"),
    (162, 23, "Only pointer parameters can declare their default as 'null'."),
    (163, 10, "'stream' can only appear after '->', not before."),
    (158, 20, 'Import failed: nosuchfile-unused.capnp'),
]


def _errors(tmp_path: Path, text: str, name: str = "e.capnp") -> List[Tuple[int, int, str]]:
    (tmp_path / name).write_text(text)
    with pytest.raises(SchemaErrors) as info:
        compile_files([name], cwd=str(tmp_path))
    for error in info.value.errors:
        assert error.file == name
    return [(e.line, e.col, e.message) for e in info.value.errors]


@pytest.mark.parametrize("case", sorted(SNIPPETS))
def test_error_cases(tmp_path: Path, case: str) -> None:
    assert _errors(tmp_path, FILE_ID + SNIPPETS[case] + "\n") == EXPECTED[case]


def test_reference_errors_file() -> None:
    """The reference's own ``testdata/errors.capnp.nobuild``: all 63 errors, in its order."""
    with pytest.raises(SchemaErrors) as info:
        compile_files(["errors.capnp.nobuild"], cwd=str(TESTDATA))
    got = [(e.line, e.col, e.message) for e in info.value.errors]
    assert got == ERRORS_CAPNP_NOBUILD


def test_error_format(tmp_path: Path) -> None:
    (tmp_path / "e.capnp").write_text(FILE_ID + "struct S { a @0 :Int32 = \"x\"; }\n")
    with pytest.raises(SchemaErrors) as info:
        compile_files(["e.capnp"], cwd=str(tmp_path))
    assert str(info.value) == "e.capnp:2:26: error: Type mismatch; expected Int32."
    error = info.value.errors[0]
    assert (error.end_line, error.end_col) == (2, 29)


def test_cyclic_imports_are_fine(tmp_path: Path) -> None:
    """Files may import each other (the reference allows it); only values may not cycle."""
    (tmp_path / "a.capnp").write_text(
        "@0xc5b7e6fd1e2a3b42;\nusing B = import \"b.capnp\";\n"
        "struct A { b @0 :B.B; }\nconst x :Int32 = B.y;\n"
    )
    (tmp_path / "b.capnp").write_text(
        "@0xc5b7e6fd1e2a3b43;\nusing A = import \"a.capnp\";\n"
        "struct B { a @0 :A.A; }\nconst y :Int32 = 5;\n"
    )
    request = compile_files(["a.capnp"], cwd=str(tmp_path))
    names = {n.display_name for n in request.nodes or ()}
    assert {"a.capnp:A", "b.capnp:B", "a.capnp:x"} <= names
    assert request.node_map()[next(n.id for n in request.nodes or () if
                                   n.display_name == "a.capnp:x")].const.value.scalar == 5


def test_cyclic_values_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.capnp").write_text(
        "@0xc5b7e6fd1e2a3b42;\nusing B = import \"b.capnp\";\nconst x :Int32 = B.y;\n"
    )
    (tmp_path / "b.capnp").write_text(
        "@0xc5b7e6fd1e2a3b43;\nusing A = import \"a.capnp\";\nconst y :Int32 = A.x;\n"
    )
    with pytest.raises(SchemaErrors) as info:
        compile_files(["a.capnp"], cwd=str(tmp_path))
    assert [str(e) for e in info.value.errors] == [
        "a.capnp:3:7: error: Declaration recursively depends on itself."
    ]


def test_errors_of_imported_file_named_by_its_path(tmp_path: Path) -> None:
    (tmp_path / "inc" / "x").mkdir(parents=True)
    (tmp_path / "inc" / "x" / "y.capnp").write_text(
        "@0xc5b7e6fd1e2a3b44;\nstruct Y { q @0 :Zork; }\n"
    )
    (tmp_path / "b.capnp").write_text(
        "@0xc5b7e6fd1e2a3b45;\nusing import \"/x/y.capnp\".Y;\nstruct S { a @0 :Y; b @1 :NoSuch; }\n"
    )
    with pytest.raises(SchemaErrors) as info:
        compile_files(["b.capnp"], import_paths=["inc"], standard_import=False,
                      cwd=str(tmp_path))
    assert [str(e) for e in info.value.errors] == [
        "b.capnp:3:27: error: Not defined: NoSuch",
        "inc/x/y.capnp:2:18: error: Not defined: Zork",
    ]


def test_unused_imported_errors_are_not_reported(tmp_path: Path) -> None:
    """Declarations nothing uses are never compiled, so their errors go unseen (as in capnp)."""
    (tmp_path / "lib.capnp").write_text(
        "@0xc5b7e6fd1e2a3b46;\nstruct Used {}\nstruct Broken { x @0 :Nope; }\n"
    )
    (tmp_path / "main.capnp").write_text(
        "@0xc5b7e6fd1e2a3b47;\nstruct S { u @0 :import \"lib.capnp\".Used; }\n"
    )
    request = compile_files(["main.capnp"], cwd=str(tmp_path))
    names = {n.display_name for n in request.nodes or ()}
    assert "lib.capnp:Used" in names and "lib.capnp" in names
    assert "lib.capnp:Broken" not in names


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(CompileError, match="nosuch.capnp: no such file"):
        compile_files(["nosuch.capnp"], cwd=str(tmp_path))
    with pytest.raises(CompileError, match="no such directory"):
        compile_files(["x.capnp"], import_paths=[str(tmp_path / "none")])


def test_missing_file_id(tmp_path: Path) -> None:
    errors = _errors(tmp_path, "struct S {}\n")
    assert len(errors) == 1
    assert errors[0][2].startswith("File does not declare an ID.  I've generated one for you.")


def test_cli_reports_every_error_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bad.capnp").write_text(
        FILE_ID + "struct S { a @0 :Int32 = \"x\"; b @2 :Nope; }\n"
    )
    monkeypatch.chdir(tmp_path)
    assert cli_main(["compile", "-o-", "bad.capnp"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        "bad.capnp:2:26: error: Type mismatch; expected Int32.",
        "bad.capnp:2:34: error: Skipped ordinal @1.  Ordinals must be sequential with no holes.",
        "bad.capnp:2:37: error: Not defined: Nope",
    ]


@pytest.mark.parametrize(
    "args,message",
    [
        (["-o-", "nosuch.capnp"], "purecap compile: nosuch.capnp: no such file"),
        (["ok.capnp"], "purecap compile: no outputs specified"),
        (["-I", "nodir", "-o-", "ok.capnp"], "purecap compile: -I nodir: no such directory"),
        (["-o-:nodir", "ok.capnp"],
         "purecap compile: -o -:nodir: output location is inaccessible or is not a directory"),
        (["-onosuchlang", "ok.capnp"],
         "nosuchlang: no such plugin (executable should be 'capnpc-nosuchlang')"),
    ],
)
def test_cli_usage_errors(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: List[str],
    message: str,
) -> None:
    (tmp_path / "ok.capnp").write_text(FILE_ID + "struct S {}\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert cli_main(["compile", *args]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines()[0] == message


def test_cli_never_prints_a_traceback(tmp_path: Path) -> None:
    """Garbage in, one-line errors out (run as a real process, as users do)."""
    (tmp_path / "junk.capnp").write_bytes(b"\xff\xfe\x00garbage {{{ ;;; @@@\n")
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, "-m", "purecap", "compile", "-o-", "junk.capnp"],
        cwd=tmp_path, capture_output=True, timeout=60, check=False, env=env,
    )
    assert proc.returncode == 1
    assert b"Traceback" not in proc.stderr
    assert proc.stderr.startswith(b"junk.capnp:1:")


def test_long_chains_compile(tmp_path: Path) -> None:
    """Constants defined by constants, 250 deep, are followed like the reference does (no
    RecursionError). 250 because CPython 3.12 caps C-level recursion at a fixed depth that no
    stack size lifts; other versions manage thousands."""
    depth = 250
    lines = [FILE_ID] + [f"const c{i} :Int32 = .c{i + 1};\n" for i in range(depth)]
    (tmp_path / "chain.capnp").write_text("".join(lines) + f"const c{depth} :Int32 = 5;\n")
    request = compile_files(["chain.capnp"], cwd=str(tmp_path))
    values = {n.display_name: n.const.value.scalar for n in request.nodes or ()
              if n.which == "const"}
    assert values["chain.capnp:c0"] == 5


def test_absurdly_long_chains_are_refused_cleanly(tmp_path: Path) -> None:
    """Past what the interpreter can recurse, a clean CompileError, never a RecursionError."""
    depth = 50000
    lines = [FILE_ID] + [f"const c{i} :Int32 = .c{i + 1};\n" for i in range(depth)]
    (tmp_path / "chain.capnp").write_text("".join(lines) + f"const c{depth} :Int32 = 5;\n")
    with pytest.raises(CompileError, match="too deeply"):
        compile_files(["chain.capnp"], cwd=str(tmp_path))


def test_malformed_embedded_message(tmp_path: Path) -> None:
    (tmp_path / "msg.bin").write_bytes(b"\x00\x00\x00\x00\x05\x00\x00\x00" + b"\xff" * 16)
    (tmp_path / "odd.bin").write_bytes(b"123")
    errors = _errors(
        tmp_path,
        FILE_ID + "struct S { x @0 :Int32; }\nconst a :S = embed \"msg.bin\";\n"
        "const b :S = embed \"odd.bin\";\n",
    )
    assert [(line, col) for line, col, _ in errors] == [(3, 14), (4, 14)]
    assert errors[0][2].startswith("Embedded file is not a valid Cap'n Proto message")
    assert errors[1][2] == "Embedded file is not a valid Cap'n Proto message."


def test_union_ordinal_after_members_fails_validation(tmp_path: Path) -> None:
    errors = _errors(
        tmp_path,
        FILE_ID + "struct S { a @0 :Int32; u @3! :union { b @1 :Int32; c @4 :Int32; } "
        "d @2 :Int32; }\n",
    )
    assert len(errors) == 1
    assert errors[0][:2] == (2, 8)
    assert errors[0][2].startswith(
        "Internal compiler bug: Bootstrap schema failed validation: fields were not ordered "
        "by ordinal"
    )


def test_cli_runs_plugin_in_output_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``-oPLUGIN:DIR``: the plugin runs in DIR with the request on stdin; ``-o-`` alongside
    writes the same bytes to stdout; a failing plugin makes the exit status 1."""
    from purecap.schema.nodes import request_to_bytes

    (tmp_path / "s.capnp").write_text(FILE_ID + "struct S { x @0 :Int32 = 5; }\n")
    plugin = tmp_path / "capnpc-save"
    plugin.write_text(
        f"#!{sys.executable}\nimport os, sys\n"
        "open('request.bin', 'wb').write(sys.stdin.buffer.read())\n"
        "open('pwd.txt', 'w').write(os.environ['PWD'])\n"
    )
    plugin.chmod(0o755)
    (tmp_path / "out").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path) + os.pathsep + os.environ.get("PATH", ""))
    assert cli_main(["compile", "-osave:out", "s.capnp"]) == 0
    expected = request_to_bytes(compile_files(["s.capnp"], cwd=str(tmp_path)))
    assert (tmp_path / "out" / "request.bin").read_bytes() == expected
    assert (tmp_path / "out" / "pwd.txt").read_text() == str(tmp_path / "out")

    failing = tmp_path / "fail"
    failing.write_text("#!/bin/sh\nexit 3\n")
    failing.chmod(0o755)
    capsys.readouterr()
    assert cli_main(["compile", "-o./fail", "s.capnp"]) == 1
    assert capsys.readouterr().err.splitlines() == ["./fail: plugin failed: exit code 3"]
