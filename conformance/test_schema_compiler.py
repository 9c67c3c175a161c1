"""The schema compiler against ``capnp compile`` (capnp 0.9.2), live.

Every schema is compiled by both compilers and the two ``CodeGeneratorRequest`` s are compared
node by node (:mod:`purecap.schema.compare`: canonical bytes of each node, source info, requested
files), then byte for byte.  The corpus: the reference's own schemas (``schema.capnp``, ``rpc.capnp``, ...,
``test.capnp``), our tricky cases (``tests/schema/data/compiler_cases``), and a few hundred
seeded random structs (:mod:`tests.schema.random_schemas`).  Schemas with errors must fail in
both, with the same messages at the same places.  The command line is checked too: ``-o-``
output, and ``-oPLUGIN:DIR`` feeding the same request to a plugin.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import pytest

from conformance.peers import CapnpTool
from purecap.schema.compare import compare_messages, compare_requests
from purecap.schema.compiler import compile_files
from purecap.schema.errors import SchemaErrors
from purecap.schema.layout import Issue344Error
from purecap.schema.nodes import request_from_bytes
from purecap.wire.message import read_message
from tests.schema.random_schemas import random_structs, schema_file_text

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "schema" / "data"
CASES = DATA / "compiler_cases"

# (directory to run in, files) -- imports of /capnp/... resolve inside tests/schema/data.
CORPUS: List[Tuple[Path, Tuple[str, ...]]] = [
    (DATA, ("capnp/schema.capnp",)),
    (DATA, ("capnp/rpc.capnp",)),
    (DATA, ("capnp/rpc-twoparty.capnp",)),
    (DATA, ("capnp/persistent.capnp",)),
    (DATA, ("capnp/stream.capnp",)),
    (DATA, ("capnp/c++.capnp",)),
    (DATA, ("capnp/compat/json.capnp",)),
    (DATA, ("capnp/test.capnp",)),
    (DATA, ("capnp/test-import.capnp", "capnp/test-import2.capnp")),
    (DATA, ("capnp/schema.capnp", "capnp/rpc.capnp", "capnp/compat/json.capnp")),
    (DATA, ("requests/features.capnp",)),
    (DATA, ("capnp/compiler/grammar.capnp", "capnp/compiler/lexer.capnp")),
    (CASES, ("values.capnp",)),
    (CASES, ("generics.capnp",)),
    (CASES, ("values.capnp", "generics.capnp", "imported.capnp")),
]

RANDOM_SEEDS = range(4)
RANDOM_FILES_PER_SEED = 60  # x 4 structs each


def _reference(
    exe: str, cwd: Path, args: Sequence[str]
) -> "subprocess.CompletedProcess[bytes]":
    return subprocess.run(
        [exe, "compile", "-o-", *args], cwd=cwd, capture_output=True, timeout=120, check=False
    )


def _ours(
    cwd: Path, files: Sequence[str], import_paths: Sequence[str], standard: bool = False
) -> Tuple[Optional[bytes], List[str]]:
    """Our request (as the model) or our error lines."""
    try:
        request = compile_files(files, list(import_paths), standard, cwd=str(cwd))
    except SchemaErrors as e:
        return None, [str(error) for error in e.errors]
    from purecap.schema.nodes import request_to_bytes

    return request_to_bytes(request), []


def _reference_errors(stderr: bytes) -> List[str]:
    """capnp's error lines in our format: ``file:line:col: error: message`` (the reference adds
    ``-endcol`` to a one-line range and drops the column of a multi-line one)."""
    out = []
    for line in stderr.decode("utf-8", "replace").splitlines():
        m = re.match(r"^(.*?):(\d+)(?::(\d+)(?:-\d+)?)?: error: (.*)$", line)
        if m:
            out.append((m.group(1), int(m.group(2)), m.group(3), m.group(4)))
    return [f"{f}:{ln}:{col or '*'}: error: {msg}" for f, ln, col, msg in out]




def _errors_match(ours: List[str], theirs: List[str]) -> bool:
    if len(ours) != len(theirs):
        return False
    for a, b in zip(ours, theirs):
        if "*:" in b:  # multi-line range: the reference gives no column
            pattern = re.escape(b).replace(r"\*", r"\d+")
            if not re.fullmatch(pattern, a):
                return False
        elif a != b:
            return False
    return True


@pytest.mark.parametrize(
    "cwd,files", CORPUS, ids=[" ".join(files) for _, files in CORPUS]
)
def test_corpus_matches_capnp(capnp_tool: CapnpTool, cwd: Path, files: Tuple[str, ...]) -> None:
    ref = _reference(capnp_tool.exe, cwd, ["--no-standard-import", f"-I{DATA}", *files])
    assert ref.returncode == 0, ref.stderr.decode()
    ours, errors = _ours(cwd, files, (str(DATA),))
    assert ours is not None, "\n".join(errors)
    report = compare_messages(read_message(ours), read_message(ref.stdout))
    assert report == [], "\n".join(report[:40])
    # Not only the same nodes: the same bytes (node order, source info order, layout).
    assert ours == ref.stdout


def test_standard_import_paths_match_capnp(capnp_tool: CapnpTool, tmp_path: Path) -> None:
    """Files from /usr/include by their root-relative names; imports found on the standard
    search path."""
    ref = subprocess.run(
        [capnp_tool.exe, "compile", "-o-", "/usr/include/capnp/rpc.capnp"],
        cwd=tmp_path, capture_output=True, timeout=120, check=False,
    )
    if ref.returncode != 0:
        pytest.skip(f"!!! capnp cannot compile /usr/include/capnp/rpc.capnp: {ref.stderr!r}")
    ours = compile_files(["/usr/include/capnp/rpc.capnp"], cwd=str(tmp_path))
    report = compare_requests(ours, request_from_bytes(ref.stdout))
    assert report == [], "\n".join(report[:40])


@pytest.mark.parametrize("seed", RANDOM_SEEDS)
def test_random_structs_match_capnp(capnp_tool: CapnpTool, tmp_path: Path, seed: int) -> None:
    checked = 0
    for i in range(RANDOM_FILES_PER_SEED):
        structs = random_structs(seed * 100_003 + i, 4)
        name = f"r{i}.capnp"
        text = schema_file_text((1 << 63) | (seed << 32) | (i << 8) | 0x5A, structs)
        (tmp_path / name).write_text(text)
        ref = _reference(capnp_tool.exe, tmp_path, [name])
        try:
            ours, errors = _ours(tmp_path, [name], ())
        except Issue344Error:
            ours, errors = None, ["issue 344"]
        if ref.returncode != 0:
            # Only the reference's issue-344 refusal is expected among generated schemas.
            assert ours is None, f"{name}: capnp failed, we did not:\n{ref.stderr.decode()}"
            continue
        assert ours is not None, f"{name}:\n" + "\n".join(errors)
        report = compare_messages(read_message(ours), read_message(ref.stdout))
        assert report == [], f"{name}:\n{text}\n" + "\n".join(report[:40])
        assert ours == ref.stdout, name
        checked += 1
    assert checked > RANDOM_FILES_PER_SEED // 2


# --- random schemas with default values and constants --------------------------------------------

_PRIMITIVES = (
    "Void", "Bool", "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
    "Float32", "Float64", "Text", "Data", "Color",
)  # fmt: skip
_INT_RANGES = {
    "Int8": (-(2**7), 2**7 - 1),
    "Int16": (-(2**15), 2**15 - 1),
    "Int32": (-(2**31), 2**31 - 1),
    "Int64": (-(2**63), 2**63 - 1),
    "UInt8": (0, 2**8 - 1),
    "UInt16": (0, 2**16 - 1),
    "UInt32": (0, 2**32 - 1),
    "UInt64": (0, 2**64 - 1),
}
_FLOATS = (
    "inf", "-inf", "nan", "0.0", "-0.0", "1.5", "-2.25e10", "3.4028235e38", "1e-40", "0.1",
    "1e39", "123456789012345678", "-7",
)  # fmt: skip
_TEXT_PIECES = ("a", "b", " ", "\\n", "\\t", "\\\"", "\\x01", "\u00e9", "\\xff", "z")


class _ValueSchema:
    """A random schema: a few structs (unions, lists, references to earlier structs) with random
    explicit defaults, and constants of random types."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fields: Dict[str, List[Tuple[str, str]]] = {}

    def type_name(self, depth: int, structs: Sequence[str]) -> str:
        r = self.rng.random()
        if r < 0.55 or depth > 2:
            return self.rng.choice(_PRIMITIVES)
        if r < 0.8:
            inner = self.type_name(depth + 1, structs)
            return f"List({'Int8' if inner == 'Void' else inner})"
        return self.rng.choice(structs) if structs else "Int32"

    def value(self, type_name: str, depth: int = 0) -> str:
        rng = self.rng
        if type_name == "Void":
            return "void"
        if type_name == "Bool":
            return rng.choice(["true", "false"])
        if type_name in _INT_RANGES:
            lo, hi = _INT_RANGES[type_name]
            return str(rng.choice([lo, hi, 0, rng.randint(lo, hi)]))
        if type_name in ("Float32", "Float64"):
            return rng.choice(_FLOATS)
        if type_name in ("Text", "Data"):
            if type_name == "Data" and rng.random() < 0.3:
                return '0x"00 ff 10"'
            return '"' + "".join(rng.choice(_TEXT_PIECES) for _ in range(rng.randint(0, 6))) + '"'
        if type_name == "Color":
            return rng.choice(["red", "green", "blue"])
        if type_name.startswith("List("):
            inner = type_name[5:-1]
            return "[" + ", ".join(self.value(inner, depth + 1) for _ in range(rng.randint(0, 4))) + "]"
        members = self.fields[type_name]
        chosen = rng.sample(members, min(len(members), rng.randint(0, 4)))
        return "(" + ", ".join(
            f"{name} = {self.value(t, depth + 1)}"
            for name, t in chosen
            if depth <= 3 or t in _PRIMITIVES
        ) + ")"

    def text(self, file_id: int) -> str:
        rng = self.rng
        out = [f"@0x{file_id:x};", "enum Color { red @0; green @1; blue @2; }"]
        structs: List[str] = []
        for index in range(rng.randint(2, 4)):
            name = f"S{index}"
            members: List[Tuple[str, str]] = []
            self.fields[name] = members
            lines = []
            ordinal = 0
            count = rng.randint(1, 7)
            union_at = rng.randint(0, count) if rng.random() < 0.5 else -1
            for i in range(count):
                if i == union_at:
                    a, b = self.type_name(0, structs), self.type_name(0, structs)
                    lines.append(f"  union {{ ua{i} @{ordinal} :{a}; ub{i} @{ordinal + 1} :{b}; }}")
                    members += [(f"ua{i}", a), (f"ub{i}", b)]
                    ordinal += 2
                    continue
                t = self.type_name(0, structs)
                default = f" = {self.value(t)}" if rng.random() < 0.6 else ""
                members.append((f"f{i}", t))
                lines.append(f"  f{i} @{ordinal} :{t}{default};")
                ordinal += 1
            out += [f"struct {name} {{", *lines, "}"]
            structs.append(name)
        for index in range(rng.randint(0, 4)):
            t = self.type_name(0, structs)
            if t != "Void":
                out.append(f"const c{index} :{t} = {self.value(t)};")
        return "\n".join(out) + "\n"


@pytest.mark.parametrize("seed", range(3))
def test_random_values_match_capnp(capnp_tool: CapnpTool, tmp_path: Path, seed: int) -> None:
    for i in range(40):
        name = f"v{i}.capnp"
        text = _ValueSchema(seed * 1009 + i).text((1 << 63) | (seed << 24) | (i << 4) | 0x3)
        (tmp_path / name).write_text(text)
        ref = _reference(capnp_tool.exe, tmp_path, [name])
        ours, errors = _ours(tmp_path, [name], ())
        if ref.returncode != 0:
            assert _errors_match(errors, _reference_errors(ref.stderr)), (
                f"{name}:\n{text}\nours:\n" + "\n".join(errors) + "\ntheirs:\n"
                + ref.stderr.decode()
            )
            continue
        assert ours is not None, f"{name}:\n{text}\n" + "\n".join(errors)
        report = compare_messages(read_message(ours), read_message(ref.stdout))
        assert report == [], f"{name}:\n{text}\n" + "\n".join(report[:40])
        assert ours == ref.stdout, f"{name}: same nodes, different bytes"


ERROR_FILES = [
    (DATA / "capnp" / "testdata", "errors.capnp.nobuild"),
]


@pytest.mark.parametrize("cwd,name", ERROR_FILES, ids=[n for _, n in ERROR_FILES])
def test_error_files_match_capnp(capnp_tool: CapnpTool, cwd: Path, name: str) -> None:
    ref = _reference(capnp_tool.exe, cwd, [name])
    assert ref.returncode != 0
    ours, errors = _ours(cwd, [name], (), standard=True)
    assert ours is None
    theirs = _reference_errors(ref.stderr)
    assert _errors_match(errors, theirs), "\n".join(
        ["ours:"] + errors + ["theirs:"] + theirs
    )


ERROR_SNIPPETS = [
    "struct S { a @0 :Int32 = \"x\"; }",
    "struct S { a @0 :Int32; b @0 :Int32; c @3 :Text; }",
    "struct S { a @0 :NoSuch; b @1 :S.Nope; c @2 :List; d @3 :List(Int32, Int32); }",
    "struct S { a @0 :UInt8 = 256; b @1 :Int8 = -129; c @2 :Float32 = \"x\"; d @3 :Bool = 1; }",
    "struct S { a @0 :List(Int32) = [1, \"x\", 3.5]; b @1 :S = (nope = 1); c @2 :S = (a = 1, 2); }",
    "annotation a(field) :Int32;\nstruct S $a(1) { x @0 :Int32 $a; y @1 :Int32 $a(\"s\"); }",
    "const a :Int32 = .b;\nconst b :Int32 = .a;",
    "const c :Int32 = x;\nconst x :Int32 = 1;",
    "enum E { a @0; b @0; c @2; }\nstruct S { e @0 :E = d; }",
    "interface I { m @0 (a :Int32) -> (b :Bool); m2 @0 (); m3 @3 () -> (); }",
    "struct G(T) { x @0 :T; }\nstruct S { a @0 :G; b @1 :G(Int32); c @2 :G(Text, Text); d @3 :G(Text)(Text); }",
    "struct S { u :union { a @0 :Int32; } g :group {} }",
    "struct s { A @0 :Int32; b_c @1 :Int32; }",
    "struct S { x @0 :Int32; }\nstruct S { y @0 :Int32; }",
    "interface I extends(S) {}\nstruct S {}",
    "struct S { x @0 :Int32 = 5; y @1 :Text = embed \"missing.txt\"; z @2 :Int32 = embed \"x\"; }",
    "const e :Color = red;\nenum Color { red @0; }\nconst f :Color = .e;",
    "struct S { a @0 :Float64 = -0x8000000000000001; b @1 :Float64 = 1e400; }",
]


@pytest.mark.parametrize("index", range(len(ERROR_SNIPPETS)))
def test_error_messages_match_capnp(capnp_tool: CapnpTool, tmp_path: Path, index: int) -> None:
    text = f"@0xc5b7e6fd1e2a3b4{index % 10};\n" + ERROR_SNIPPETS[index] + "\n"
    (tmp_path / "e.capnp").write_text(text)
    ref = _reference(capnp_tool.exe, tmp_path, ["e.capnp"])
    ours, errors = _ours(tmp_path, ["e.capnp"], (), standard=True)
    if ref.returncode == 0:
        assert ours is not None, "\n".join(errors)
        report = compare_messages(read_message(ours), read_message(ref.stdout))
        assert report == [], "\n".join(report)
        return
    theirs = _reference_errors(ref.stderr)
    assert _errors_match(errors, theirs), "\n".join(
        [text, "ours:"] + errors + ["theirs:"] + theirs
    )


def _purecap(args: Sequence[str], cwd: Path) -> "subprocess.CompletedProcess[bytes]":
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "purecap", "compile", *args],
        cwd=cwd, capture_output=True, timeout=120, check=False, env=env,
    )


def test_cli_stdout_request_matches_capnp(capnp_tool: CapnpTool) -> None:
    args = ["--no-standard-import", "-I.", "-o-", "capnp/rpc.capnp"]
    ref = subprocess.run(
        [capnp_tool.exe, "compile", *args], cwd=DATA, capture_output=True, timeout=120,
        check=False,
    )
    ours = _purecap(args, DATA)
    assert ours.returncode == 0, ours.stderr.decode()
    assert compare_messages(read_message(ours.stdout), read_message(ref.stdout)) == []
    assert ours.stdout == ref.stdout


def test_cli_errors_match_capnp(capnp_tool: CapnpTool, tmp_path: Path) -> None:
    (tmp_path / "bad.capnp").write_text(
        "@0xc5b7e6fd1e2a3b41;\nstruct S { a @0 :Int32 = \"x\"; b @2 :Nope; }\n"
    )
    ref = subprocess.run(
        [capnp_tool.exe, "compile", "-o-", "bad.capnp"], cwd=tmp_path, capture_output=True,
        timeout=60, check=False,
    )
    ours = _purecap(["-o-", "bad.capnp"], tmp_path)
    assert ours.returncode == ref.returncode == 1
    assert ours.stdout == b""
    lines = ours.stderr.decode().splitlines()
    assert _errors_match(lines, _reference_errors(ref.stderr)), ours.stderr.decode()
    assert "Traceback" not in ours.stderr.decode()


def test_cli_plugin_gets_the_same_request(capnp_tool: CapnpTool, tmp_path: Path) -> None:
    """``-oPLUGIN:DIR`` runs the plugin in DIR with the request on stdin, as capnp does."""
    plugin = tmp_path / "capture-plugin"
    plugin.write_text(
        "#!/bin/sh\ncat > request.bin\necho \"$PWD\" > pwd.txt\n"
    )
    plugin.chmod(0o755)
    for name in ("ref", "ours"):
        (tmp_path / name).mkdir()
    schema = DATA / "capnp" / "persistent.capnp"
    common = ["--no-standard-import", f"-I{DATA}", f"--src-prefix={DATA}", str(schema)]
    ref = subprocess.run(
        [capnp_tool.exe, "compile", f"-o{plugin}:{tmp_path / 'ref'}", *common],
        cwd=tmp_path, capture_output=True, timeout=60, check=False,
    )
    assert ref.returncode == 0, ref.stderr.decode()
    ours = _purecap([f"-o./capture-plugin:{tmp_path / 'ours'}", *common], tmp_path)
    assert ours.returncode == 0, ours.stderr.decode()
    report = compare_messages(
        read_message((tmp_path / "ours" / "request.bin").read_bytes()),
        read_message((tmp_path / "ref" / "request.bin").read_bytes()),
    )
    assert report == []
    assert (tmp_path / "ours" / "pwd.txt").read_text().strip() == str(tmp_path / "ours")
