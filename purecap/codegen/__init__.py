"""Typed code generation: one Python module per schema file, fast and ``mypy --strict`` clean.

Generate with :func:`purecap.codegen.generate` (request -> ``{file name: source}``) or as a plugin
of the reference tool (``capnp compile -opurecap``, the ``capnpc-purecap`` entry point
:func:`purecap.codegen.plugin.main`). ``addressbook.capnp`` becomes ``addressbook_capnp.py``.

What a generated module holds, for ``struct Person`` (``Person.Reader`` and ``Person.Builder``
are the types to annotate with)::

    Person.new_message() -> Person.Builder               # a new message, this struct its root
    Person.from_bytes(data, traversal_limit_in_words=..., nesting_limit=...) -> Person.Reader
    Person.from_bytes_packed(data), Person.from_flat_bytes(data), Person.read(message_reader)
    Person.init_root(message_builder) / get_root(message_builder) -> Person.Builder

    reader.name -> str            reader.age -> int          reader.employed -> bool
    reader.phones -> StructList[Person.PhoneNumber.Reader]   (a Sequence)
    reader.has_phones() -> bool   reader.which() -> Person.Which   (an IntEnum; unions only)
    reader.to_bytes(), reader.as_builder()

    builder.name = "Alice"        builder.age = 7            (property setters)
    builder.init_phones(2) -> StructListBuilder[Person.PhoneNumber.Builder]
    builder.init_address() -> Address.Builder    builder.set_address(reader_or_builder)
    builder.set_tags(["a", "b"]) (lists of numbers, enums, Bool, Text, Data from any iterable)
    builder.employment -> Person.Employment.Builder; builder.init_employment() (clears it)
    builder.to_bytes(), builder.to_bytes_packed(), builder.as_reader()

* Names: fields and methods snake_case, enumerants and constants UPPER_SNAKE, Python keywords
  and clashing names get ``_`` appended (``return`` -> ``return_``); see :mod:`.names`.
* Classes are module-level (``Person_Reader``) and aliased in a namespace class per type
  (``Person.Reader``, ``Person.PhoneNumber``, ``Person.Employment`` for a group).
* Enums are :class:`~purecap.codegen.runtime.Enum` (an ``IntEnum``); an unknown enumerant reads
  as a pseudo-member ``UNKNOWN_<n>`` instead of failing.
* Generic structs are ``Generic`` over their parameters (reader side and builder side): a field
  ``:Box(Text)`` reads as ``Box.Reader[str]``; entry points of a generic struct read its
  parameters as :class:`~purecap.codegen.runtime.AnyPointer`.
* Interfaces: ``Calc.Client`` (``<method>_request() -> Request[Params.Builder, Results.Reader]``;
  ``send()`` waits for the RPC layer), ``Calc.Server`` (override ``<method>(params, results)``),
  ``Calc.Methods`` (the ordinals), ``Calc.EvalParams``/``Calc.EvalResults``.
* Constants: module or class attributes of their Python type.
"""

from __future__ import annotations

from purecap.codegen.emitter import GENERATOR_VERSION, GeneratorError, generate_module
from purecap.codegen.plugin import generate, generate_from_bytes, main

__all__ = [
    "GENERATOR_VERSION",
    "GeneratorError",
    "generate",
    "generate_from_bytes",
    "generate_module",
    "main",
]
