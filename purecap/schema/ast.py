"""The syntax tree of a ``.capnp`` file, as produced by :func:`purecap.schema.parser.parse_file`.

The tree follows the reference compiler's own AST (``compiler/grammar.capnp`` of capnp 0.9.2) so
that later passes can mirror the reference's decisions, with one Python class per kind of node:

* **Expressions** (:class:`Expr` and subclasses).  As in the reference, types and values share one
  expression syntax: ``List(Int32)`` is an :class:`ApplicationExpr`, ``Foo.Bar`` a
  :class:`MemberExpr`, a struct literal ``(a = 1)`` a :class:`TupleExpr`, and a bare identifier a
  :class:`NameExpr` that may name a type, a constant, an enumerant, ``true``, ``inf``, ``void``
  and so on.  Which it is gets decided by the resolver, from context.
* **Declarations** (:class:`Decl` and subclasses), each with its nested declarations in source
  order, its annotations and its doc comment.
* The :class:`File` at the root.

Use the module qualified (``from purecap.schema import ast``, then ``ast.Union``, ``ast.Enum``):
some class names are the schema language's own words and shadow ``typing``/``enum`` names.

Positions: every node has a :class:`Span` with UTF-8 *byte* offsets and 1-based line and byte
column, the units the reference compiler reports errors in.  A declaration's span covers its
whole statement, from its first token to the end of its terminating ``;`` or ``}`` *including*
the doc comment after it (again as in the reference); ``name_span`` locates just its name.

Text: string literals, names and doc comments are ``str``.  The bytes of a string literal need
not be valid UTF-8 (``"\\xff"``); they are decoded with ``surrogateescape``, so
``value.encode("utf-8", "surrogateescape")`` gives back the exact bytes.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import List, NamedTuple, Optional

__all__ = [
    "ANNOTATION_TARGETS",
    "Span",
    "Node",
    "LocatedInt",
    "GenericParam",
    # expressions
    "Expr",
    "IntExpr",
    "FloatExpr",
    "StringExpr",
    "BinaryExpr",
    "NameExpr",
    "AbsoluteNameExpr",
    "ImportExpr",
    "EmbedExpr",
    "ListExpr",
    "TupleParam",
    "TupleExpr",
    "ApplicationExpr",
    "MemberExpr",
    # declarations
    "AnnotationApplication",
    "Decl",
    "Using",
    "Const",
    "Enum",
    "Enumerant",
    "Struct",
    "Field",
    "Union",
    "Group",
    "Interface",
    "Param",
    "InlineParams",
    "TypeParams",
    "StreamParams",
    "ParamList",
    "Method",
    "AnnotationDecl",
    "File",
]

#: What an annotation declaration may target, in the order of the reference's
#: ``targetsFile`` ... ``targetsAnnotation`` fields.  ``*`` in source means all of them.
ANNOTATION_TARGETS = (
    "file",
    "const",
    "enum",
    "enumerant",
    "struct",
    "field",
    "union",
    "group",
    "interface",
    "method",
    "param",
    "annotation",
)


class Span(NamedTuple):
    """Where a node is: byte offsets ``[start, end)`` into the UTF-8 source, plus line/column.

    ``line``/``col`` locate ``start`` and ``end_line``/``end_col`` locate ``end``; all 1-based,
    columns counted in bytes.  (The reference prints a range on one line as
    ``line:col-end_col``.)
    """

    start: int
    end: int
    line: int
    col: int
    end_line: int
    end_col: int


@dataclass
class Node:
    """Base of every tree node."""

    span: Span


@dataclass
class LocatedInt(Node):
    """An integer with its position: a declaration ``@0x...`` ID or a member ``@N`` ordinal.

    The span covers the number only, not the ``@`` (where the reference reports ID and ordinal
    errors).
    """

    value: int


@dataclass
class GenericParam(Node):
    """One generic parameter name: ``T`` in ``struct Foo(T)`` or in a method's ``[T]``."""

    name: str


# =================================================================================================
# Expressions


@dataclass
class Expr(Node):
    """Base of expressions (types and values share this syntax)."""


@dataclass
class IntExpr(Expr):
    """An integer literal, possibly negated: ``5``, ``0x1f``, ``017``, ``-3``.

    ``value`` is the signed value.  ``negative`` says a ``-`` was written, which ``value`` alone
    cannot tell for ``-0`` (a ``-0`` given to a float is ``-0.0``).
    """

    value: int
    negative: bool


@dataclass
class FloatExpr(Expr):
    """A float literal, possibly negated: ``1.5``, ``1e10``, ``-2.0``, ``-inf``.

    Plain ``inf`` and ``nan`` are not literals but :class:`NameExpr` (as in the reference); only
    the negated form ``-inf`` is parsed to a float here.
    """

    value: float


@dataclass
class StringExpr(Expr):
    """A string literal; adjacent literals ``"a" "b"`` are joined into one."""

    value: str


@dataclass
class BinaryExpr(Expr):
    """A binary literal ``0x"de ad be ef"``."""

    value: bytes


@dataclass
class NameExpr(Expr):
    """A bare identifier, looked up relative to the current scope: ``Foo``, ``true``, ``inf``."""

    name: str


@dataclass
class AbsoluteNameExpr(Expr):
    """An identifier looked up at the file's top level: ``.Foo``."""

    name: str
    name_span: Span


@dataclass
class ImportExpr(Expr):
    """``import "path.capnp"``: the root scope of another file."""

    path: str
    path_span: Span


@dataclass
class EmbedExpr(Expr):
    """``embed "path"``: a file's contents as a Text, Data or struct value."""

    path: str
    path_span: Span


@dataclass
class ListExpr(Expr):
    """A list value ``[a, b, c]``."""

    elements: List[Expr]


@dataclass
class TupleParam(Node):
    """One element of a parenthesised list: ``name = value`` or just ``value``.

    ``name``/``name_span`` are None for an unnamed element.
    """

    name: Optional[str]
    name_span: Optional[Span]
    value: Expr


@dataclass
class TupleExpr(Expr):
    """A parenthesised list: a struct value ``(a = 1, b = "x")`` or ``()``.

    A parenthesised list of exactly one unnamed element is just that element (a parenthesised
    expression) and never a TupleExpr, as in the reference.
    """

    params: List[TupleParam]


@dataclass
class ApplicationExpr(Expr):
    """``function(params)``: a generic brand (``List(Text)``, ``Map(Text, Foo)``).

    ``params_span`` locates the parenthesised part.
    """

    function: Expr
    params: List[TupleParam]
    params_span: Span


@dataclass
class MemberExpr(Expr):
    """``parent.name``: a member of a scope, e.g. ``Foo.Bar`` or ``import "x.capnp".Baz``."""

    parent: Expr
    name: str
    name_span: Span


# =================================================================================================
# Declarations


@dataclass
class AnnotationApplication(Node):
    """``$name`` or ``$name(value)`` attached to a declaration (or naked, to a file).

    ``name`` is an expression naming the annotation (``NameExpr``, ``MemberExpr``...).  ``value``
    is None when no parentheses were written (a Void annotation); ``$foo(5)`` has value ``5``,
    ``$foo(a = 1)`` and ``$foo()`` have a :class:`TupleExpr`.
    """

    name: Expr
    value: Optional[Expr]


@dataclass
class Decl(Node):
    """Base of declarations.

    ``nested_decls`` holds what the declaration's ``{ ... }`` block declares, in source order
    (fields, unions, groups and nested types of a struct; enumerants of an enum; methods and
    nested types of an interface); it is empty for declarations without a block.
    ``doc_comment`` is the ``#`` comment after the declaration (each line stripped of ``#`` and
    one space, joined with a ``\\n`` after every line), or None.
    """

    name: str
    name_span: Span
    doc_comment: Optional[str]
    annotations: List[AnnotationApplication]
    nested_decls: List[Decl]


@dataclass
class Using(Decl):
    """``using Name = target;`` or ``using target.Name;`` (then ``name`` is the last member).

    Never has annotations or nested declarations.
    """

    target: Expr


@dataclass
class Const(Decl):
    """``const name @0x... :type = value;``"""

    id: Optional[LocatedInt]
    type: Expr
    value: Expr


@dataclass
class Enum(Decl):
    """``enum Name @0x... { enumerants }``"""

    id: Optional[LocatedInt]

    @property
    def enumerants(self) -> List[Enumerant]:
        """The nested enumerants (the only thing an enum's block can declare)."""
        return [d for d in self.nested_decls if isinstance(d, Enumerant)]


@dataclass
class Enumerant(Decl):
    """``name @N;`` in an enum."""

    ordinal: LocatedInt


@dataclass
class Struct(Decl):
    """``struct Name @0x... (T, U) { members }``; ``generic_params`` empty if not generic."""

    id: Optional[LocatedInt]
    generic_params: List[GenericParam]


@dataclass
class Field(Decl):
    """``name @N :type = default;`` in a struct, group or union."""

    ordinal: LocatedInt
    type: Expr
    default: Optional[Expr]


@dataclass
class Union(Decl):
    """A union: ``name :union { ... }``, ``name @N! :union { ... }`` or unnamed ``union { ... }``.

    An unnamed union has ``name == ""``, ``name_span`` on the ``union`` keyword and never
    annotations.  ``ordinal`` is the retroactive-unionisation ordinal, if written.
    """

    ordinal: Optional[LocatedInt]

    @property
    def is_unnamed(self) -> bool:
        return self.name == ""


@dataclass
class Group(Decl):
    """``name :group { ... }``"""


@dataclass
class Interface(Decl):
    """``interface Name @0x... (T) extends(A, B) { members }``."""

    id: Optional[LocatedInt]
    generic_params: List[GenericParam]
    superclasses: List[Expr]


@dataclass
class Param(Node):
    """One parameter of an inline method parameter/result list: ``name :type = default $ann``."""

    name: str
    name_span: Span
    type: Expr
    default: Optional[Expr]
    annotations: List[AnnotationApplication]


@dataclass
class InlineParams(Node):
    """A method's parameters or results written inline: ``(a :Int32, b :Text)``."""

    params: List[Param]


@dataclass
class TypeParams(Node):
    """A method's parameters or results given as a struct type: ``foo @0 Params -> Results``."""

    type: Expr


@dataclass
class StreamParams(Node):
    """The keyword ``stream`` as a method's results (``foo @0 (...) -> stream``)."""


#: What a method's parameter or result list can be.
ParamList = typing.Union[InlineParams, TypeParams, StreamParams]


@dataclass
class Method(Decl):
    """``name @N [T] (params) -> (results) $ann;`` in an interface.

    ``implicit_params`` are the method's own generic parameters (``[T]``), empty if none.
    ``results`` is None when there is no ``->`` part.
    """

    ordinal: LocatedInt
    implicit_params: List[GenericParam]
    params: ParamList
    results: Optional[ParamList]


@dataclass
class AnnotationDecl(Decl):
    """``annotation name @0x... (targets) :type;``

    ``targets`` are names from :data:`ANNOTATION_TARGETS`, in that order, without duplicates
    (``*`` gives all of them).
    """

    id: Optional[LocatedInt]
    targets: List[str]
    type: Expr


@dataclass
class File(Node):
    """A whole schema file.

    ``id`` is the file's ``@0x...;`` (None if missing); ``doc_comment`` is the comment after it.
    ``annotations`` are the file-level ``$annotation;`` statements.  ``imports`` lists every
    ``import "..."`` expression anywhere in the file, in source order, so a loader can find
    dependencies without walking the tree.
    """

    filename: str
    id: Optional[LocatedInt]
    doc_comment: Optional[str]
    annotations: List[AnnotationApplication]
    nested_decls: List[Decl]
    imports: List[ImportExpr]

    @property
    def usings(self) -> List[Using]:
        """The file-level ``using`` declarations."""
        return [d for d in self.nested_decls if isinstance(d, Using)]
