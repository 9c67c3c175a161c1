"""The reference implementations the conformance suite checks purecap against.

* the ``capnp`` tool of the C++ reference implementation (Debian's ``capnproto``, 0.9.2 here):
  ``encode``/``decode`` between the text format and binary, ``convert`` between the binary
  encodings, ``compile -ocapnp`` for the field layout;
* ``pycapnp``, Python bindings over the C++ library (which it bundles).

Finding them is :mod:`conformance.conftest`'s business (a missing peer skips, or fails under CI).
"""

from __future__ import annotations

import importlib
import resource
import shutil
import subprocess
from pathlib import Path
from types import ModuleType
from typing import List, Optional, Sequence

__all__ = [
    "SCHEMA",
    "CapnpTool",
    "CapnpToolError",
    "CapnpToolTimeout",
    "find_capnp",
    "import_pycapnp",
]

SCHEMA = Path(__file__).resolve().parent / "schemas" / "wiretest.capnp"


class CapnpToolError(RuntimeError):
    """The capnp tool refused its input (its message says why)."""


class CapnpToolTimeout(CapnpToolError):
    """The capnp tool did not finish in time (damaged input can make it work very hard: the tool
    lifts C++'s read limits for conversions). ``stderr`` is what it had said by then."""

    def __init__(self, message: str, stderr: str) -> None:
        super().__init__(message)
        self.stderr = stderr


# The tool's address space is capped, so that a damaged message that makes it allocate without
# bound fails the call instead of the machine.
_MEMORY_LIMIT = 4 << 30


def _limit_memory() -> None:  # pragma: no cover - runs in the child process
    resource.setrlimit(resource.RLIMIT_AS, (_MEMORY_LIMIT, _MEMORY_LIMIT))


def find_capnp() -> str:
    """The path of the ``capnp`` executable; raises ``LookupError`` saying why it is unusable."""
    exe = shutil.which("capnp")
    if exe is None:
        raise LookupError("the capnp tool is not on PATH (Debian: apt-get install capnproto)")
    if not SCHEMA.exists():  # pragma: no cover - part of the repository
        raise LookupError(f"{SCHEMA} is missing")
    try:
        version = subprocess.run(
            [exe, "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError) as e:
        raise LookupError(f"{exe} --version failed: {e}") from None
    if "Cap'n Proto" not in version:
        raise LookupError(f"{exe} is not the Cap'n Proto tool: {version!r}")
    return exe


def import_pycapnp() -> ModuleType:
    """The ``capnp`` module of pycapnp; raises ``LookupError`` saying why it is unusable.

    Imported by name at run time, so that mypy (which has no stubs for it) sees it as a module of
    unknown attributes and the suite's own code stays checked.
    """
    try:
        module = importlib.import_module("capnp")
    except ImportError as e:
        raise LookupError(f"pycapnp cannot be imported ({e}); pip install pycapnp") from None
    if not hasattr(module, "load"):
        raise LookupError(f"the capnp module at {getattr(module, '__file__', '?')} is not pycapnp")
    return module


class CapnpTool:
    """Runs the ``capnp`` tool on bytes (each call is one short subprocess)."""

    def __init__(self, exe: str, schema: Path = SCHEMA) -> None:
        self.exe = exe
        self.schema = schema

    def run(self, args: Sequence[str], data: bytes, timeout: float = 60) -> bytes:
        try:
            proc = subprocess.run(
                [self.exe, *args], input=data, capture_output=True, timeout=timeout,
                check=False, preexec_fn=_limit_memory,
            )
        except subprocess.TimeoutExpired as e:
            said = (e.stderr or b"").decode("utf-8", "replace")
            raise CapnpToolTimeout(
                f"capnp {' '.join(args)} took more than {timeout} s", said
            ) from None
        # The tool reports some conversion errors on stdout and still exits 0 (it prints the
        # messages it could convert), so look at both.
        if proc.returncode != 0 or b"*** ERROR" in proc.stdout or proc.stderr.strip():
            raise CapnpToolError(
                f"capnp {' '.join(args)} failed (exit {proc.returncode}):\n"
                + (proc.stderr + proc.stdout[-2000:]).decode("utf-8", "replace")
            )
        return proc.stdout

    @staticmethod
    def _options(
        packed: bool = False, flat: bool = False, segment_size: Optional[int] = None
    ) -> List[str]:
        opts = []
        if packed:
            opts.append("--packed")
        if flat:
            opts.append("--flat")
        if segment_size is not None:
            opts.append(f"--segment-size={segment_size}")
        return opts

    def encode(
        self,
        type_name: str,
        text: str,
        *,
        packed: bool = False,
        flat: bool = False,
        segment_size: Optional[int] = None,
    ) -> bytes:
        """``capnp encode``: the text-format value(s) ``text`` as binary message(s)."""
        args = ["encode", *self._options(packed, flat, segment_size), str(self.schema), type_name]
        return self.run(args, text.encode("utf-8"))

    def decode(
        self, type_name: str, data: bytes, *, packed: bool = False, flat: bool = False
    ) -> str:
        """``capnp decode --short``: the message(s) in ``data`` in the text format, one a line."""
        # --quiet: the tool's guess at the format (a warning on stderr) is not wanted here.
        args = ["decode", "--short", "--quiet", *self._options(packed, flat)]
        args += [str(self.schema), type_name]
        return self.run(args, data).decode("utf-8")

    def convert(
        self,
        data: bytes,
        source: str,
        target: str,
        *,
        segment_size: Optional[int] = None,
        timeout: float = 60,
    ) -> bytes:
        """``capnp convert source:target`` between binary encodings (``binary``, ``packed``,
        ``flat``, ``flat-packed``, ``canonical``)."""
        args = ["convert", "--quiet", f"{source}:{target}"]
        args += self._options(segment_size=segment_size)
        return self.run(args, data, timeout)

    def listing(self) -> str:
        """``capnp compile -ocapnp``: the schema printed back with every field's position."""
        return self.run(["compile", "-ocapnp", str(self.schema)], b"").decode("utf-8")
