"""Loading schemas at run time: ``load()``, ``load_request()`` and the import hook.

``load("addressbook.capnp")`` compiles the file with purecap's own schema compiler (what
``capnp compile`` would produce) and returns a module whose attributes are the file's top-level
declarations: struct types, enum classes, interface types, constants' values. Nested
declarations are attributes of their parents (``addressbook.Person.PhoneNumber``).

``load_request`` does the same from a ``CodeGeneratorRequest`` compiled elsewhere (``capnp compile
-o-``), and :func:`add_import_hook` lets ``import addressbook_capnp`` find ``addressbook.capnp``
on ``sys.path``, as pycapnp's hook does.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types
import weakref
from typing import IO, TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Sequence, Union

from purecap.dynamic.errors import SchemaUsageError, UnknownField, did_you_mean
from purecap.dynamic.schema import BindingsKey, Registry
from purecap.schema import model

if TYPE_CHECKING:
    from purecap.dynamic.structs import StructType

__all__ = [
    "SchemaModule",
    "load",
    "load_request",
    "module_from_request",
    "find_struct_type",
    "add_import_hook",
    "remove_import_hook",
]

PathLike = Union[str, "os.PathLike[str]"]


class SchemaModule(types.ModuleType):
    """The module of one schema file: its declarations as attributes."""

    _node: model.Node
    _registry: Registry
    _request: model.CodeGeneratorRequest

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name.startswith("_"):
            raise AttributeError(name)
        raise UnknownField(
            f"schema {self.__name__!r} declares no {name!r}"
            + did_you_mean(name, [k for k in vars(self) if not k.startswith("_")])
        )


def _module_name(filename: str) -> str:
    base = os.path.basename(filename)
    if base.endswith(".capnp"):
        base = base[: -len(".capnp")]
    return base.replace("-", "_") + "_capnp"


def _populate(target: Any, node: model.Node, registry: Registry) -> None:
    """Set the declarations nested in ``node`` as attributes of ``target`` (recursively)."""
    from purecap.dynamic.values import constant_value

    for nested in node.nested_nodes or ():
        child = registry.nodes.get(nested.id)
        if child is None:  # an imported file's unused declaration: not in the request
            continue
        body = child.body
        value: Any
        if isinstance(body, model.StructBody):
            value = registry.struct_type(child.id)
            _populate(value, child, registry)
        elif isinstance(body, model.EnumBody):
            value = registry.enum_class(child.id)
        elif isinstance(body, model.InterfaceBody):
            value = registry.interface_type(child.id)
            _populate(value, child, registry)
        elif isinstance(body, model.ConstBody):
            value = constant_value(registry, registry.resolve(body.type, {}), body.value)
        else:  # annotation declarations: their node, for introspection
            value = child
        # Never hide an attribute of a struct or interface type (a nested `Reader`, `schema`...).
        if isinstance(target, types.ModuleType) or not hasattr(target, nested.name):
            setattr(target, nested.name, value)


def module_from_request(
    request: model.CodeGeneratorRequest, filename: Optional[str] = None
) -> SchemaModule:
    """The module of one requested file of ``request`` (the only one, or the one named
    ``filename``; a name matches the requested file's name or its end)."""
    files = request.requested_files or []
    if not files:
        raise SchemaUsageError("the CodeGeneratorRequest names no requested file")
    if filename is None:
        if len(files) > 1:
            raise SchemaUsageError(
                "the request holds several files ("
                + ", ".join(f.filename for f in files)
                + "): say which with filename="
            )
        chosen = files[0]
    else:
        matches = [
            f for f in files if f.filename == filename or f.filename.endswith("/" + filename)
        ]
        if not matches:
            raise SchemaUsageError(
                f"the request has no file {filename!r}"
                + did_you_mean(filename, [f.filename for f in files])
            )
        chosen = matches[0]
    registry = Registry(request.node_map())
    _remember(registry)
    node = registry.node(chosen.id)
    module = SchemaModule(_module_name(chosen.filename))
    module.__file__ = chosen.filename
    module._node = node
    module._registry = registry
    module._request = request
    _populate(module, node, registry)
    return module


# Struct node id -> the registry that loaded it last, for unpickling (pycapnp's
# ``_global_schema_parser.modules_by_id``). Weak: a schema nobody uses any more is freed.
_LOADED: "weakref.WeakValueDictionary[int, Registry]" = weakref.WeakValueDictionary()


def _remember(registry: Registry) -> None:
    for node_id, node in registry.nodes.items():
        if isinstance(node.body, model.StructBody):
            _LOADED[node_id] = registry


def find_struct_type(
    node_id: int, brand: BindingsKey, import_name: Optional[str] = None
) -> StructType:
    """The struct type of node ``node_id`` with the brand ``brand`` (a :func:`bindings_key`),
    from the schema loaded last that has it, else from the module ``import_name`` if that can
    be imported (by the import hook). What unpickling uses to find a value's type again."""
    registry = _LOADED.get(node_id)
    if registry is None and import_name is not None:
        try:
            module = importlib.import_module(import_name)
        except ImportError:
            module = None
        candidate = getattr(module, "_registry", None)
        if isinstance(candidate, Registry) and node_id in candidate.nodes:
            registry = candidate
    if registry is None:
        hint = (
            f" or make the module {import_name!r} importable (add_import_hook())"
            if import_name is not None
            else ""
        )
        raise SchemaUsageError(
            f"no loaded schema has the struct node 0x{node_id:016x}: purecap.load() its schema "
            f"first{hint}"
        )
    st = registry.struct_type(node_id, registry.bindings_from_key(brand))
    st.schema  # finish it before its values are made
    return st


def load(
    path: PathLike,
    display_name: Optional[str] = None,
    imports: Iterable[PathLike] = (),
    standard_import: bool = True,
) -> SchemaModule:
    """Compile the schema file at ``path`` and return its module (pycapnp's signature).

    ``display_name`` names the module (default: ``name_capnp`` for ``name.capnp``);
    ``imports`` are the directories searched for ``import "/..."`` (``capnp compile -I``);
    ``/usr/local/include`` and ``/usr/include`` follow unless ``standard_import`` is false.
    Compile errors raise :class:`purecap.schema.errors.SchemaErrors`.
    """
    from purecap.schema.compiler import compile_files

    source = os.fspath(path)
    request = compile_files(
        [source], import_paths=[os.fspath(p) for p in imports], standard_import=standard_import
    )
    module = module_from_request(request)
    module.__file__ = os.path.abspath(source)
    if display_name is not None:
        module.__name__ = display_name
    return module


def load_request(
    request: Union[bytes, bytearray, memoryview, IO[bytes], model.CodeGeneratorRequest],
    filename: Optional[str] = None,
) -> SchemaModule:
    """The module of a ``CodeGeneratorRequest`` compiled elsewhere: its bytes (what ``capnp
    compile -o-`` writes), a binary file holding them, or a request object."""
    from purecap.schema.nodes import request_from_bytes

    if isinstance(request, model.CodeGeneratorRequest):
        req = request
    elif isinstance(request, (bytes, bytearray, memoryview)):
        req = request_from_bytes(bytes(request))
    elif hasattr(request, "read"):
        req = request_from_bytes(request.read())
    else:
        raise SchemaUsageError(
            f"load_request takes the request's bytes or a binary file, not {type(request).__name__}"
        )
    return module_from_request(req, filename)


# ---------------------------------------------------------------------------------------------
# The import hook


class _CapnpLoader(importlib.abc.Loader):
    def __init__(self, path: str) -> None:
        self.path = path

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Optional[types.ModuleType]:
        imports = [p for p in sys.path if p and os.path.isdir(p)]
        module = load(self.path, imports=imports)
        module.__name__ = spec.name
        module._registry.import_name = spec.name
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        return None


class _CapnpFinder(importlib.abc.MetaPathFinder):
    """Finds ``name_capnp`` as ``name.capnp`` (or ``name-with-dashes.capnp``) on the path."""

    def find_spec(
        self,
        fullname: str,
        path: Optional[Sequence[Union[bytes, str]]],
        target: Optional[types.ModuleType] = None,
    ) -> Optional[importlib.machinery.ModuleSpec]:
        last = fullname.rpartition(".")[2]
        if not last.endswith("_capnp") or len(last) == len("_capnp"):
            return None
        base = last[: -len("_capnp")]
        names = [base + ".capnp"]
        if "_" in base:
            names.append(base.replace("_", "-") + ".capnp")
        directories: List[str] = [
            os.fsdecode(p) for p in (path if path is not None else sys.path)
        ]
        for directory in directories:
            for name in names:
                candidate = os.path.join(directory or os.curdir, name)
                if os.path.isfile(candidate):
                    return importlib.util.spec_from_loader(
                        fullname, _CapnpLoader(candidate), origin=candidate
                    )
        return None


_HOOK: Dict[str, _CapnpFinder] = {}


def add_import_hook() -> None:
    """Let ``import foo_capnp`` load ``foo.capnp`` from ``sys.path`` (idempotent)."""
    if "finder" not in _HOOK:
        _HOOK["finder"] = _CapnpFinder()
    finder = _HOOK["finder"]
    if finder not in sys.meta_path:
        sys.meta_path.append(finder)


def remove_import_hook() -> None:
    """Undo :func:`add_import_hook` (modules already imported stay in ``sys.modules``)."""
    finder = _HOOK.get("finder")
    if finder is not None and finder in sys.meta_path:
        sys.meta_path.remove(finder)
