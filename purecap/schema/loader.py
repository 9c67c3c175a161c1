"""Finding and reading schema files: the command line's files, ``import`` and ``embed``.

This mirrors ``compiler/module-loader.c++`` and the file handling of ``compiler/capnp.c++`` in
capnp 0.9.2, because file names are visible in the output: every node's ``displayName`` starts
with its file's *source name*, and ``CodeGeneratorRequest.requestedFiles[].filename`` is one too.

Directories and names
=====================

A file is always found *within a base directory* (:class:`BaseDir`) at a relative path:

* a file named on the command line is relative to the longest ``--src-prefix`` directory that
  contains it, else to the current directory if it is inside it, else to the file system root;
* ``import "/capnp/c++.capnp"`` (a leading slash) searches the ``-I`` directories, then the
  standard ones (``/usr/local/include``, ``/usr/include``) unless ``--no-standard-import``, in
  that order, for ``capnp/c++.capnp``;
* any other ``import "x.capnp"`` is relative to the importing file's own path, *within the same
  base directory* (so ``..`` cannot climb out of it).

The *source name* is that relative path (``capnp/c++.capnp``, ``usr/include/capnp/schema.capnp``
for a file found from the root).  Error messages instead name the file as the user would: the
base directory as it was spelled on the command line, then the relative path
(``inc/x/y.capnp``, ``/tmp/inc/x/y.capnp``, ``/usr/include/capnp/schema.capnp``).

The same file reached twice (through two import paths, or a command-line file that is also
imported) is loaded once, as in the reference, which compares the files themselves.
"""

from __future__ import annotations

import os
import stat
from typing import Dict, Iterable, List, Optional, Tuple

from purecap.schema import ast
from purecap.schema.errors import SchemaError
from purecap.schema.parser import parse_file_with_errors

__all__ = [
    "STANDARD_IMPORT_PATHS",
    "BaseDir",
    "SourceFile",
    "ModuleLoader",
    "normalize_relative",
]

STANDARD_IMPORT_PATHS: Tuple[str, ...] = ("/usr/local/include", "/usr/include")
"""Searched after the ``-I`` directories unless ``--no-standard-import`` (``capnp.c++``)."""


def normalize_relative(base: Tuple[str, ...], path: str) -> Optional[Tuple[str, ...]]:
    """``path`` evaluated relative to the components ``base`` (kj ``Path::eval``).

    A path starting with ``/`` starts over from the root of the base directory.  ``.`` and empty
    components vanish, ``..`` drops one; returns None when ``..`` would climb above the root (kj
    refuses that too) or the result is empty.
    """
    parts: List[str] = [] if path.startswith("/") else list(base)
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return tuple(parts) if parts else None


class BaseDir:
    """A directory that files are found in: the root, the current directory, a ``-I`` path or a
    ``--src-prefix``.

    ``path`` is absolute and normalised; ``display_prefix`` is what error messages put before a
    relative path in it (``""`` for the current directory, ``"/"`` for the root, otherwise the
    directory as the user spelled it, ending in ``/``).
    """

    __slots__ = ("path", "display_prefix", "is_source_prefix")

    def __init__(self, path: str, display_prefix: str, is_source_prefix: bool = False) -> None:
        self.path = path
        self.display_prefix = display_prefix
        self.is_source_prefix = is_source_prefix

    def file_path(self, parts: Tuple[str, ...]) -> str:
        return os.path.join(self.path, *parts)

    def __repr__(self) -> str:
        return f"BaseDir({self.path!r}, {self.display_prefix!r})"


class SourceFile:
    """One loaded schema file: where it is, its bytes and (once asked for) its syntax tree."""

    def __init__(self, base: BaseDir, parts: Tuple[str, ...], data: bytes) -> None:
        self.base = base
        self.parts = parts
        self.data = data
        self.source_name = "/".join(parts)
        """The name nodes and ``requestedFiles`` use: the path relative to the base directory."""
        self.display_name = base.display_prefix + self.source_name
        """The name error messages use."""
        self._parsed: Optional[ast.File] = None
        self._parse_errors: Optional[List[SchemaError]] = None

    def parse(self) -> Tuple[Optional[ast.File], List[SchemaError]]:
        """The syntax tree of what parsed (None if nothing did) and the parse errors; parsed
        once."""
        if self._parse_errors is None:
            # Statements with errors are dropped; the rest is still compiled (and checked), as
            # the reference does.
            self._parsed, self._parse_errors = parse_file_with_errors(self.data, self.display_name)
        return self._parsed, self._parse_errors

    def __repr__(self) -> str:
        return f"SourceFile({self.display_name!r})"


class ModuleLoader:
    """Loads each schema file once and resolves ``import``/``embed`` paths like the reference.

    ``import_paths`` are the ``-I`` directories (relative ones against ``cwd``), searched in order
    for imports starting with ``/``; the standard directories follow unless ``standard_import``
    is false.  Directories that do not exist are an error for ``-I`` (see
    :meth:`add_import_path`) but silently skipped among the standard ones.
    """

    def __init__(
        self,
        import_paths: Iterable[str] = (),
        standard_import: bool = True,
        src_prefixes: Iterable[str] = (),
        cwd: Optional[str] = None,
    ) -> None:
        self.cwd = os.path.abspath(cwd if cwd is not None else os.getcwd())
        self.root = BaseDir("/", "/")
        self.current = BaseDir(self.cwd, "")
        self._dirs: Dict[str, BaseDir] = {}
        self.search_path: List[BaseDir] = []
        self._by_location: Dict[Tuple[str, Tuple[str, ...]], SourceFile] = {}
        self._by_identity: Dict[Tuple[int, int], SourceFile] = {}
        for prefix in src_prefixes:
            if self.add_source_prefix(prefix) is None:
                raise FileNotFoundError(f"{prefix}: no such directory")
        for path in import_paths:
            if self.add_import_path(path) is None:
                raise FileNotFoundError(f"{path}: no such directory")
        if standard_import:
            for path in STANDARD_IMPORT_PATHS:
                self.add_import_path(path)

    # --- directories -----------------------------------------------------------------------------

    def _directory(self, spelled: str, is_source_prefix: bool) -> Optional[BaseDir]:
        """The base directory for a path given on the command line (``getSourceDirectory``)."""
        path = os.path.normpath(os.path.join(self.cwd, spelled))
        if path == "/":
            return self.root
        known = self._dirs.get(path)
        if known is not None:
            known.is_source_prefix = known.is_source_prefix or is_source_prefix
            return known
        if path == self.cwd:
            # The reference reuses its handle on the current directory: no display prefix.
            base = BaseDir(path, "", is_source_prefix)
        elif os.path.isdir(path):
            base = BaseDir(path, spelled if spelled.endswith("/") else spelled + "/",
                           is_source_prefix)
        else:
            return None
        self._dirs[path] = base
        return base

    def add_import_path(self, spelled: str) -> Optional[BaseDir]:
        """Append a directory to the search path; None if it does not exist."""
        base = self._directory(spelled, False)
        if base is not None:
            self.search_path.append(base)
        return base

    def add_source_prefix(self, spelled: str) -> Optional[BaseDir]:
        """Declare a ``--src-prefix``; None if it does not exist."""
        return self._directory(spelled, True)

    # --- loading ---------------------------------------------------------------------------------

    def load(self, base: BaseDir, parts: Tuple[str, ...]) -> Optional[SourceFile]:
        """The file at ``parts`` within ``base``, loaded once; None if it cannot be read."""
        key = (base.path, parts)
        known = self._by_location.get(key)
        if known is not None:
            return known
        full = base.file_path(parts)
        try:
            with open(full, "rb") as f:
                info = os.fstat(f.fileno())
                if not _is_regular(info.st_mode):
                    return None
                identity = (info.st_dev, info.st_ino)
                same = self._by_identity.get(identity)
                if same is not None:
                    # The same file by another path: the reference keeps the first one.
                    self._by_location[key] = same
                    return same
                data = f.read()
        except OSError:
            return None
        loaded = SourceFile(base, parts, data)
        self._by_location[key] = loaded
        self._by_identity[identity] = loaded
        return loaded

    def load_from_search_path(self, parts: Tuple[str, ...]) -> Optional[SourceFile]:
        for base in self.search_path:
            found = self.load(base, parts)
            if found is not None:
                return found
        return None

    def load_source(self, spelled: str) -> Optional[SourceFile]:
        """A file named on the command line (``interpretSourceFile`` then ``loadModule``)."""
        base, parts = self.interpret_source_file(spelled)
        if not parts:
            return None
        return self.load(base, parts)

    def interpret_source_file(self, spelled: str) -> Tuple[BaseDir, Tuple[str, ...]]:
        """Which base directory a command-line file belongs to, and its path within it."""
        full = os.path.normpath(os.path.join(self.cwd, spelled))
        parts = tuple(p for p in full.split("/") if p)
        # The longest --src-prefix containing the file wins.
        for i in range(len(parts) - 1, 0, -1):
            prefix = "/" + "/".join(parts[:i])
            base = self._dirs.get(prefix)
            if base is not None and base.is_source_prefix:
                return base, parts[i:]
        cwd_parts = tuple(p for p in self.cwd.split("/") if p)
        if parts[: len(cwd_parts)] == cwd_parts:
            return self.current, parts[len(cwd_parts):]
        return self.root, parts

    def import_relative(self, importer: SourceFile, path: str) -> Optional[SourceFile]:
        """Resolve ``import "path"`` written in ``importer``."""
        if path.startswith("/"):
            parts = normalize_relative((), path[1:])
            return None if parts is None else self.load_from_search_path(parts)
        parts = normalize_relative(importer.parts[:-1], path)
        return None if parts is None else self.load(importer.base, parts)

    def embed_relative(self, importer: SourceFile, path: str) -> Optional[bytes]:
        """The bytes of ``embed "path"`` written in ``importer``; None if unreadable."""
        if path.startswith("/"):
            parts = normalize_relative((), path[1:])
            if parts is None:
                return None
            for base in self.search_path:
                data = _read(base.file_path(parts))
                if data is not None:
                    return data
            return None
        parts = normalize_relative(importer.parts[:-1], path)
        return None if parts is None else _read(importer.base.file_path(parts))


def _is_regular(mode: int) -> bool:
    return stat.S_ISREG(mode)


def _read(full: str) -> Optional[bytes]:
    try:
        with open(full, "rb") as f:
            return f.read()
    except OSError:
        return None
