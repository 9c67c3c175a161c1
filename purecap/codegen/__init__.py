"""Typed code generation: one Python module per schema file, fast and ``mypy --strict`` clean.

Generate with :func:`generate` (a :class:`~purecap.schema.model.CodeGeneratorRequest` in,
``{file name: source}`` out), or as a plugin of the reference tool: ``capnp compile -opurecap``
runs ``capnpc-purecap`` (the console script for :func:`purecap.codegen.plugin.main`), which
writes the modules into the current directory. ``addressbook.capnp`` becomes
``addressbook_capnp.py``; a module imports the modules of the schema files it uses as siblings
(``from . import other_capnp``; see :func:`generate` for the other import styles). Generated
modules need only purecap at run time.

What a module holds, for ``struct Person`` (annotate with ``Person.Reader``/``Person.Builder``)::

    Person.new_message() -> Person.Builder               # a new message, this struct its root
    Person.from_bytes(data, traversal_limit_in_words=..., nesting_limit=...) -> Person.Reader
    Person.from_bytes_packed(data), Person.from_flat_bytes(data), Person.read(message_reader)
    Person.init_root(message_builder), Person.get_root(message_builder) -> Person.Builder

    reader.name -> str    reader.age -> int    reader.employed -> bool   reader.height -> float
    reader.phones -> StructList[Person.PhoneNumber.Reader]   (a Sequence: len, [i], slices, iter)
    reader.tags -> TextList, reader.scores -> PrimitiveList[int], reader.kind -> Person.Kind
    reader.has_phones() -> bool   reader.which() -> Person.Which   (an IntEnum; unions only)
    reader.to_bytes(), reader.to_bytes_packed(), reader.as_builder(), reader.total_size()

    builder.name = "Alice"        builder.age = 7            (data, Text, Data: property setters)
    builder.init_phones(2) -> StructListBuilder[Person.PhoneNumber.Builder]
    builder.init_address() -> Address.Builder      builder.set_address(reader_or_builder)
    builder.set_tags(["a", "b"])  (lists of numbers, enums, Bools, Text, Data from any iterable)
    builder.employment -> Person.Employment.Builder; builder.init_employment() clears the group
    builder.employment.unemployed = None           (a Void union member: sets the tag)
    builder.to_bytes(), builder.to_bytes_packed(), builder.as_reader()

* Accessors are the fast path: each is a ``struct.unpack_from`` at an offset baked into the
  source, with the XOR default and the bounds check that makes an older, smaller struct read as
  defaults; readers and builders hold one wire-level struct in ``__slots__``.
* Names: fields and methods snake_case, enumerants and constants UPPER_SNAKE, types as in the
  schema; Python keywords and clashing names get ``_`` appended (``type`` -> ``type_``); see
  :mod:`purecap.codegen.names`.
* Classes are module-level (``Person_Reader``) and aliased in one namespace class per type
  (``Person.Reader``, ``Person.PhoneNumber``, ``Person.Employment`` for a group), which is what
  code should name.
* Enums are :class:`~purecap.codegen.runtime.Enum` (an ``IntEnum``); an enumerant a newer schema
  added reads as a pseudo-member ``UNKNOWN_<n>`` instead of failing.
* Generic structs are ``Generic`` over their parameters (reader side and builder side): a field
  ``:Box(Text)`` reads as ``Box.Reader[str]``, ``:Box(Person)`` as
  ``Box.Reader[Person.Reader]``; unbound parameters, and the entry points of a generic struct,
  read as :class:`~purecap.codegen.runtime.AnyPointer`.
* Interfaces: ``Calc.Client`` (``<method>_request() -> Request[Params.Builder, Results.Reader]``,
  whose ``send()`` waits for the RPC layer), ``Calc.Server`` (override ``<method>(params,
  results)``; ``dispatch_call`` routes by ids), ``Calc.Methods`` (the ordinals),
  ``Calc.EvalParams``/``Calc.EvalResults`` (the parameter structs), ``Calc.type_id``.
* Constants: module or class attributes of their Python type (struct and list constants are
  readers of messages embedded in the module).
* Reflection: each module embeds its file's schema nodes (as C++ generated code does), decoded
  on first use: ``Person.schema`` (fields, annotations, the node; see
  :mod:`purecap.codegen.reflection`), ``str(reader)`` in the text format, ``to_dict()``,
  ``to_json()`` and their inverses ``Person.from_dict(d)`` and ``Person.from_json(text)`` (a new
  message, returned as a ``Person.Builder``; the dynamic API's dict rules, the reference's JSON
  codec); readers and builders pickle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from purecap.codegen.emitter import (
        GENERATOR_VERSION,
        GeneratorError,
        generate,
        generate_from_bytes,
        generate_module,
    )

__all__ = [
    "GENERATOR_VERSION",
    "GeneratorError",
    "generate",
    "generate_from_bytes",
    "generate_module",
]


def __getattr__(name: str) -> Any:
    # The generator is imported on first use (PEP 562), not with the package: every generated
    # module imports purecap.codegen.runtime, and should not pay for the generator and the
    # schema model it needs (half the import time of a small generated module).
    if name in __all__:
        from purecap.codegen import emitter

        return getattr(emitter, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
