"""Python names for schema names: the naming rules of generated modules.

Cap'n Proto names are camelCase and never contain underscores (the compiler refuses them), types
start with a capital letter and everything else with a lower-case one. Generated code follows
Python's conventions instead, the way capnpc-c++ follows C++'s:

* types keep their name (``Person``); a nested type is an attribute of its parent's class
  (``Person.PhoneNumber``); a group is a class named after its field, capitalised
  (``Person.Employment`` for ``employment :group``);
* fields, methods and parameters become snake_case (``phoneNumbers`` -> ``phone_numbers``);
* enumerants, union tags and constants become UPPER_SNAKE (``phoneNumbers`` -> ``PHONE_NUMBERS``);
* a module is named after its file: ``addressbook.capnp`` -> ``addressbook_capnp``.

The case conversion is capnpc-c++'s ``toUpperCase``: an underscore before *every* capital. Because
schema names have no underscores, it is reversible, so two schema names never become one Python
name (``httpURL`` is ``http_u_r_l``; the style guide asks for ``httpUrl`` anyway).

What remains are clashes with Python itself (keywords, the builtins generated code names in
annotations and class bodies) and with the names generated classes define themselves (``which``,
``to_bytes``, ``has_<field>``...). Those are resolved by appending ``_``: ``return`` ->
``return_``, a field ``bool`` -> ``bool_``. :class:`Scope` applies this in a fixed order, so the
same schema always gives the same names.
"""

from __future__ import annotations

import os
import re
from typing import Iterable, Set

__all__ = [
    "KEYWORDS",
    "RESERVED_BUILTINS",
    "snake_case",
    "upper_snake_case",
    "capitalize",
    "module_name",
    "escape",
    "Scope",
]

#: Python's keywords, fixed here (not ``keyword.kwlist``) so that output does not depend on the
#: Python version that runs the generator. Soft keywords (``match``, ``case``, ``type``, ``_``)
#: are valid names and not listed.
KEYWORDS = frozenset(
    """False None True and as assert async await break class continue def del elif else except
    finally for from global if import in is lambda nonlocal not or pass raise return try while
    with yield""".split()
)

#: Builtins that generated code uses where a class attribute or module global of the same name
#: would shadow them: in annotations (``-> int``, which mypy resolves in the class first), in
#: class bodies (``@property``) and in module-level code.
RESERVED_BUILTINS = frozenset(
    """bool bytes float int str object property staticmethod classmethod tuple len range super
    isinstance memoryview type NotImplementedError""".split()
)

_UPPER = re.compile(r"[A-Z]")


def snake_case(name: str) -> str:
    """``phoneNumbers`` -> ``phone_numbers`` (an underscore before each capital)."""
    return _UPPER.sub(lambda m: "_" + m.group(0).lower(), name).lstrip("_") or name


def upper_snake_case(name: str) -> str:
    """``phoneNumbers`` -> ``PHONE_NUMBERS`` (capnpc-c++ ``toUpperCase``)."""
    return snake_case(name).upper()


def capitalize(name: str) -> str:
    """``employment`` -> ``Employment`` (the class of a group, the params of a method)."""
    return name[:1].upper() + name[1:]


def module_name(filename: str) -> str:
    """The Python module generated for a schema file: its base name without ``.capnp``, every
    character that cannot be in a Python name replaced by ``_``, then ``_capnp``:
    ``/capnp/c++.capnp`` -> ``c___capnp``, ``test-import.capnp`` -> ``test_import_capnp``."""
    base = os.path.basename(filename.replace("\\", "/"))
    if base.endswith(".capnp"):
        base = base[: -len(".capnp")]
    base = re.sub(r"[^A-Za-z0-9_]", "_", base) or "_"
    if base[0].isdigit():
        base = "_" + base
    return base + "_capnp"


def escape(name: str, reserved: Iterable[str] = ()) -> str:
    """``name``, with ``_`` appended while it is a keyword or in ``reserved``."""
    taken = set(reserved)
    while name in KEYWORDS or name in taken:
        name += "_"
    return name


class Scope:
    """The names already used in one Python namespace (a class or a module).

    ``claim(name)`` returns ``name``, or ``name_``, ``name__``... the first that is not a
    keyword, not reserved and not claimed before, and claims it.
    """

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self.used: Set[str] = set(reserved)

    def claim(self, name: str) -> str:
        name = escape(name, self.used)
        self.used.add(name)
        return name

    def __contains__(self, name: str) -> bool:
        return name in self.used
