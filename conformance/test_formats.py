"""Text and JSON against the live capnp tool: ``capnp convert`` between binary, text and JSON
(pretty and ``--short``) and ``capnp eval``, over the schema of ``tests/formats/data`` and seeded
random struct literals of it.
"""

from __future__ import annotations

import io
import pathlib
import random
import subprocess
from typing import Any, Callable, List

import pytest

import purecap
from conformance.peers import CapnpTool
from purecap.cli.convert import convert

SCHEMA = pathlib.Path(__file__).resolve().parent.parent / "tests" / "formats" / "data" / "all.capnp"

_INTS = {"i8": 8, "i16": 16, "i32": 32, "i64": 64}
_UINTS = {"u8": 8, "u16": 16, "u32": 32, "u64": 64}


def _text(rng: random.Random) -> str:
    chars = "ab \\\"\n\t\x01é€"
    return '"' + "".join(rng.choice(chars) for _ in range(rng.randint(0, 8))).replace(
        "\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t").replace(
        "\x01", "\\x01") + '"'  # fmt: skip


def _float(rng: random.Random) -> str:
    return rng.choice(["nan", "inf", "-inf", "0", "-0.5", "1e300", "3.25", "1e-40",
                       repr(rng.uniform(-1e6, 1e6)), str(rng.randint(-100, 100))])  # fmt: skip


def _inner(rng: random.Random) -> str:
    parts = []
    if rng.random() < 0.6:
        parts.append(f"x = {rng.randint(-(1 << 31), (1 << 31) - 1)}")
    if rng.random() < 0.6:
        parts.append(f"s = {_text(rng)}")
    return "(" + ", ".join(parts) + ")"


def random_literal(seed: int) -> str:
    """A random struct literal of ``All``."""
    rng = random.Random(seed)
    parts: List[str] = []
    for name, bits in _INTS.items():
        if rng.random() < 0.7:
            parts.append(f"{name} = {rng.randint(-(1 << (bits - 1)), (1 << (bits - 1)) - 1)}")
    for name, bits in _UINTS.items():
        if rng.random() < 0.7:
            parts.append(f"{name} = {rng.randint(0, (1 << bits) - 1)}")
    options: List[Callable[[], str]] = [
        lambda: f"b = {rng.choice(['true', 'false'])}",
        lambda: f"f32 = {_float(rng)}",
        lambda: f"f64 = {_float(rng)}",
        lambda: f"t = {_text(rng)}",
        lambda: "d = 0x\"" + bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 6))).hex() + '"',
        lambda: f"e = {rng.choice(['red', 'green', 'blue'])}",
        lambda: f"inner = {_inner(rng)}",
        lambda: "li = [" + ", ".join(str(rng.randint(-99, 99)) for _ in range(rng.randint(0, 5))) + "]",
        lambda: "lt = [" + ", ".join(_text(rng) for _ in range(rng.randint(0, 3))) + "]",
        lambda: "ls = [" + ", ".join(_inner(rng) for _ in range(rng.randint(0, 3))) + "]",
        lambda: "ll = [" + ", ".join("[" + ", ".join(str(rng.randint(0, 255)) for _ in range(rng.randint(0, 3))) + "]" for _ in range(rng.randint(0, 3))) + "]",
        lambda: "le = [" + ", ".join(rng.choice(["red", "blue"]) for _ in range(rng.randint(0, 3))) + "]",
        lambda: "lb = [" + ", ".join(rng.choice(["true", "false"]) for _ in range(rng.randint(0, 9))) + "]",
        lambda: "lf = [" + ", ".join(_float(rng) for _ in range(rng.randint(0, 4))) + "]",
        lambda: "ld = [" + ", ".join(_text(rng) for _ in range(rng.randint(0, 3))) + "]",
        lambda: rng.choice(["none = void", f"num = {rng.randint(-5, 5)}", f"str = {_text(rng)}",
                            f"grp = (a = {rng.randint(0, 255)}, b = {_text(rng)})", "grp = ()"]),
        lambda: f"g = (p = {rng.randint(-9, 9)}, q = {_float(rng)}, u = ({rng.choice(['m = void', 'n = true'])}))",
        lambda: f"dflt = {rng.randint(-9, 99)}",
    ]  # fmt: skip
    for option in options:
        if rng.random() < 0.5:
            parts.append(option())
    rng.shuffle(parts)
    return "(" + ", ".join(parts) + ")"


CORPUS = [random_literal(seed) for seed in range(40)]


@pytest.fixture(scope="module")
def mod() -> Any:
    return purecap.load(str(SCHEMA))


def _ours(mod: Any, data: bytes, source: str, target: str, pretty: bool = True) -> bytes:
    out = io.BytesIO()
    convert(io.BytesIO(data), out, source, target, root_type=mod.All, pretty=pretty)
    return out.getvalue()


def _theirs(tool: CapnpTool, data: bytes, source: str, target: str, pretty: bool = True) -> bytes:
    args = ["convert", f"{source}:{target}", str(SCHEMA), "All"] + ([] if pretty else ["--short"])
    return tool.run(args, data)


@pytest.mark.parametrize("seed", range(len(CORPUS)))
def test_text_and_json_like_capnp(capnp_tool: CapnpTool, mod: Any, seed: int) -> None:
    literal = CORPUS[seed].encode()
    binary = _theirs(capnp_tool, literal, "text", "binary")
    assert _ours(mod, literal, "text", "binary") == binary, CORPUS[seed]
    for pretty in (True, False):
        for target in ("text", "json"):
            assert _ours(mod, binary, "binary", target, pretty) == _theirs(
                capnp_tool, binary, "binary", target, pretty
            ), (CORPUS[seed], target, pretty)
        json_text = _theirs(capnp_tool, binary, "binary", "json", pretty)
        assert _ours(mod, json_text, "json", "binary") == _theirs(
            capnp_tool, json_text, "json", "binary"
        ), (CORPUS[seed], pretty)


def test_a_stream_of_text_messages(capnp_tool: CapnpTool, mod: Any) -> None:
    stream = "\n# a comment (with parens)\n".join(CORPUS[:10]).encode()
    assert _ours(mod, stream, "text", "packed") == _theirs(capnp_tool, stream, "text", "packed")


@pytest.mark.parametrize("name", ["c1", "c2", "c3", "c4", "c5", "c1.ls", "c1.ls[1]", "c1.g",
                                  "All.dflt", "All.e", "c1.ls[1].s"])  # fmt: skip
@pytest.mark.parametrize("short", [False, True])
def test_eval_like_capnp(capnp_tool: CapnpTool, name: str, short: bool) -> None:
    flag = ["--short"] if short else []
    theirs = capnp_tool.run(["eval", *flag, str(SCHEMA), name], b"")
    import sys

    ours = subprocess.run(
        [sys.executable, "-m", "purecap", "eval", *flag, str(SCHEMA), name],
        capture_output=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    assert ours == theirs

