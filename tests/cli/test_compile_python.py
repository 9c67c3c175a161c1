"""``purecap compile -opython[:DIR]``: the built-in code generator, no plugin process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCHEMA = """@0x9eb32e19f86ee174;
struct Point { x @0 :Int32; y @1 :Int32; label @2 :Text; }
"""


def test_opython_writes_an_importable_typed_module(tmp_path: Path) -> None:
    (tmp_path / "points.capnp").write_text(SCHEMA)
    out = tmp_path / "out"
    out.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "purecap", "compile", "-opython:out", "points.capnp"],
        cwd=tmp_path, capture_output=True, timeout=120,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[2]), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    module = out / "points_capnp.py"
    assert module.exists()
    check = subprocess.run(
        [sys.executable, "-c",
         "import points_capnp as p\n"
         "b = p.Point.new_message(); b.x = 3; b.label = 'here'\n"
         "r = p.Point.from_bytes(b.to_bytes())\n"
         "print(r.x, r.y, r.label)"],
        cwd=out, capture_output=True, timeout=120,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[2]), "PATH": "/usr/bin:/bin"},
    )
    assert check.stdout.decode().split() == ["3", "0", "here"], check.stderr
