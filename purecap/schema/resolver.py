"""Names and generics: what an expression like ``Map(Text, Foo.Bar)`` refers to, and with which
brand (binding of generic parameters).

This is a re-statement of ``compiler/generics.c++`` and the lookup half of ``compiler.c++`` in
capnp 0.9.2, because the brands it computes are part of the compiled nodes and must come out
identical.

Scopes and lookups
==================

Every declaration that can be named (file, struct, enum, interface, const, annotation) is a
:class:`Resolver`: a scope that answers :meth:`~Resolver.resolve` (a bare name: the scope's
members, then its generic parameters, then the enclosing scope, and at the top the built-in
types such as ``Int32`` and ``List``) and :meth:`~Resolver.resolve_member` (``Foo.name``: members
only).  ``using`` aliases are members too; they are resolved lazily, in the scope where they are
written.  Built-in types are resolvers with no members.

Brands
======

A reference to a declaration nested in generic scopes carries a *brand*: for each enclosing
generic scope, either its parameters' bindings (``bind``) or ``inherit`` (the scope is the one the
reference is written in, so the parameters stay the same).  :class:`BrandScope` is a chain of
such scopes from a declaration outwards; :class:`BrandedDecl` is a resolved declaration with its
BrandScope.  The rules, as in the reference:

* a name found in an enclosing scope inherits that scope's (unbound) parameters;
* ``Foo(A, B)`` binds Foo's parameters (``setParams``), only pointer types may be bound, and
  only once;
* a member of a bound declaration keeps the binding (``Outer(Text).Inner``);
* a scope with no bindings and no inherited parameters is left out of the brand, and a brand
  with no scopes at all is written as a *null* pointer.
"""

from __future__ import annotations

import abc
import enum
import math
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple, Union

from purecap.schema import ast
from purecap.schema import model
from purecap.schema.errors import SchemaError

__all__ = [
    "Kind",
    "BUILTIN_NAMES",
    "ErrorReporter",
    "ResolvedDecl",
    "ResolvedParameter",
    "ResolveResult",
    "Resolver",
    "BuiltinResolver",
    "ImplicitParams",
    "BrandedDecl",
    "BrandScope",
    "expression_string",
]


class Kind(enum.Enum):
    """What a name refers to (the reference's ``Declaration::Which``)."""

    FILE = "file"
    USING = "using"
    CONST = "const"
    ENUM = "enum"
    ENUMERANT = "enumerant"
    STRUCT = "struct"
    FIELD = "field"
    UNION = "union"
    GROUP = "group"
    INTERFACE = "interface"
    METHOD = "method"
    ANNOTATION = "annotation"
    BUILTIN_VOID = "Void"
    BUILTIN_BOOL = "Bool"
    BUILTIN_INT8 = "Int8"
    BUILTIN_INT16 = "Int16"
    BUILTIN_INT32 = "Int32"
    BUILTIN_INT64 = "Int64"
    BUILTIN_UINT8 = "UInt8"
    BUILTIN_UINT16 = "UInt16"
    BUILTIN_UINT32 = "UInt32"
    BUILTIN_UINT64 = "UInt64"
    BUILTIN_FLOAT32 = "Float32"
    BUILTIN_FLOAT64 = "Float64"
    BUILTIN_TEXT = "Text"
    BUILTIN_DATA = "Data"
    BUILTIN_LIST = "List"
    BUILTIN_OBJECT = "Object"
    BUILTIN_ANY_POINTER = "AnyPointer"
    BUILTIN_ANY_STRUCT = "AnyStruct"
    BUILTIN_ANY_LIST = "AnyList"
    BUILTIN_CAPABILITY = "Capability"


#: The built-in declarations visible in every file's outermost scope, by name.
BUILTIN_NAMES: Dict[str, Kind] = {k.value: k for k in Kind if k.value[0].isupper()}

#: The ``Type`` kind each primitive built-in compiles to.
_PRIMITIVE_TYPE: Dict[Kind, str] = {
    Kind.BUILTIN_VOID: "void",
    Kind.BUILTIN_BOOL: "bool",
    Kind.BUILTIN_INT8: "int8",
    Kind.BUILTIN_INT16: "int16",
    Kind.BUILTIN_INT32: "int32",
    Kind.BUILTIN_INT64: "int64",
    Kind.BUILTIN_UINT8: "uint8",
    Kind.BUILTIN_UINT16: "uint16",
    Kind.BUILTIN_UINT32: "uint32",
    Kind.BUILTIN_UINT64: "uint64",
    Kind.BUILTIN_FLOAT32: "float32",
    Kind.BUILTIN_FLOAT64: "float64",
    Kind.BUILTIN_TEXT: "text",
    Kind.BUILTIN_DATA: "data",
}

#: What may be bound to a generic parameter (``setParams`` in generics.c++).
_POINTER_KINDS = frozenset(
    (
        Kind.BUILTIN_LIST,
        Kind.BUILTIN_TEXT,
        Kind.BUILTIN_DATA,
        Kind.BUILTIN_ANY_POINTER,
        Kind.STRUCT,
        Kind.INTERFACE,
    )
)

_TYPE_KIND_TO_BUILTIN: Dict[str, Kind] = {v: k for k, v in _PRIMITIVE_TYPE.items()}


class ErrorReporter:
    """Collects errors of one file into a list shared by the whole compilation, in the order
    they are found (the reference prints them as it finds them)."""

    def __init__(self, filename: str, sink: List[SchemaError]) -> None:
        self.filename = filename
        self.sink = sink
        self.count = 0

    def error(self, span: ast.Span, message: str) -> None:
        self.count += 1
        self.sink.append(
            SchemaError(self.filename, span.line, span.col, message, span.end_line, span.end_col)
        )

    def had_errors(self) -> bool:
        return bool(self.sink)


class ResolvedDecl:
    """A name resolved to a declaration (``Resolver::ResolvedDecl``).

    ``scope_id`` is the scope the declaration was found in (where a brand of the reference
    starts), ``resolver`` the declaration itself, to look up its members.  ``brand`` is set when
    the declaration was reached through a ``using`` alias that already fixed some bindings.
    """

    __slots__ = ("id", "generic_param_count", "scope_id", "kind", "resolver", "brand")

    def __init__(
        self,
        id: int,
        generic_param_count: int,
        scope_id: int,
        kind: Kind,
        resolver: Resolver,
        brand: Optional[model.Brand] = None,
    ) -> None:
        self.id = id
        self.generic_param_count = generic_param_count
        self.scope_id = scope_id
        self.kind = kind
        self.resolver = resolver
        self.brand = brand

    def copy(self) -> ResolvedDecl:
        return ResolvedDecl(
            self.id, self.generic_param_count, self.scope_id, self.kind, self.resolver, self.brand
        )


class ResolvedParameter:
    """A name resolved to a generic parameter: parameter ``index`` of the scope ``id``; ``id``
    0 means a method's implicit parameter."""

    __slots__ = ("id", "index")

    def __init__(self, id: int, index: int) -> None:
        self.id = id
        self.index = index


ResolveResult = Union[ResolvedDecl, ResolvedParameter]


class Resolver(abc.ABC):
    """A named scope (``compiler/resolver.h``), implemented by the compiler's declaration nodes
    and by the built-in types."""

    @abc.abstractmethod
    def resolve(self, name: str) -> Optional[ResolveResult]:
        """A bare name as seen from inside this scope."""

    @abc.abstractmethod
    def resolve_member(self, name: str) -> Optional[ResolveResult]:
        """A member of this scope (``scope.name``)."""

    @abc.abstractmethod
    def resolve_builtin(self, kind: Kind) -> ResolvedDecl:
        """A built-in type, e.g. to stand in for an unbound parameter (AnyPointer)."""

    @abc.abstractmethod
    def resolve_id(self, id: int) -> ResolvedDecl:
        """A declaration known by ID (while reading a brand back into declarations)."""

    @abc.abstractmethod
    def get_parent(self) -> Optional[ResolvedDecl]:
        """The enclosing scope, None at a file's top (or for a built-in)."""

    @abc.abstractmethod
    def get_top_scope(self) -> ResolvedDecl:
        """The file this scope is in (for ``.absoluteName``)."""

    @abc.abstractmethod
    def resolve_import(self, name: str) -> Optional[ResolvedDecl]:
        """The file an ``import "name"`` written here refers to; None if it cannot be loaded."""


class BuiltinResolver(Resolver):
    """A built-in type such as ``Int32`` or ``List``: no members, no parent."""

    def __init__(self, kind: Kind, id: int, generic_param_count: int) -> None:
        self.kind = kind
        self.id = id
        self.generic_param_count = generic_param_count

    def decl(self) -> ResolvedDecl:
        return ResolvedDecl(self.id, self.generic_param_count, 0, self.kind, self)

    def resolve(self, name: str) -> Optional[ResolveResult]:
        return None

    def resolve_member(self, name: str) -> Optional[ResolveResult]:
        return None

    def resolve_builtin(self, kind: Kind) -> ResolvedDecl:
        raise AssertionError("built-in types resolve nothing")

    def resolve_id(self, id: int) -> ResolvedDecl:
        raise AssertionError("built-in types resolve nothing")

    def get_parent(self) -> Optional[ResolvedDecl]:
        return None

    def get_top_scope(self) -> ResolvedDecl:
        raise AssertionError("built-in types have no file")

    def resolve_import(self, name: str) -> Optional[ResolvedDecl]:
        return None


class ImplicitParams(NamedTuple):
    """A method's own generic parameters ``[T]`` while compiling its parameter types.

    ``scope_id`` is the implicit parameter struct's ID, or 0 when the names are to become
    ``implicitMethodParameter`` types.
    """

    scope_id: int
    params: Sequence[ast.GenericParam]


NO_IMPLICIT_PARAMS = ImplicitParams(0, ())


# =================================================================================================
# expressionString (parser.c++): how error messages quote an expression


def expression_string(expr: Optional[ast.Expr]) -> str:
    """The expression as the reference prints it in error messages (``expressionString``)."""
    if expr is None:
        return "<parse error>"
    if isinstance(expr, ast.IntExpr):
        return ("-" if expr.negative else "") + str(abs(expr.value))
    if isinstance(expr, ast.FloatExpr):
        return _format_double(expr.value)
    if isinstance(expr, ast.StringExpr):
        return _string_literal(expr.value.encode("utf-8", "surrogateescape"))
    if isinstance(expr, ast.BinaryExpr):
        # The reference prints each byte's low hex digit first (sic).
        digits = "0123456789abcdef"
        return '0x"' + " ".join(digits[b % 16] + digits[b // 16] for b in expr.value) + '"'
    if isinstance(expr, ast.NameExpr):
        return expr.name
    if isinstance(expr, ast.AbsoluteNameExpr):
        return "." + expr.name
    if isinstance(expr, ast.ImportExpr):
        return "import " + _string_literal(expr.path.encode("utf-8", "surrogateescape"))
    if isinstance(expr, ast.EmbedExpr):
        return "embed " + _string_literal(expr.path.encode("utf-8", "surrogateescape"))
    if isinstance(expr, ast.ListExpr):
        return "[ " + ", ".join(expression_string(e) for e in expr.elements) + " ]"
    if isinstance(expr, ast.TupleExpr):
        return _tuple_string(expr.params)
    if isinstance(expr, ast.ApplicationExpr):
        return expression_string(expr.function) + "(" + _tuple_string(expr.params) + ")"
    if isinstance(expr, ast.MemberExpr):
        return expression_string(expr.parent) + "." + expr.name
    return "<parse error>"


def _tuple_string(params: Sequence[ast.TupleParam]) -> str:
    parts = []
    for p in params:
        part = expression_string(p.value)
        if p.name is not None:
            part = p.name + " = " + part
        parts.append(part)
    return "( " + ", ".join(parts) + " )"


def _string_literal(raw: bytes) -> str:
    """``kj::encodeCEscape`` in quotes."""
    out = []
    for b in raw:
        c = chr(b)
        if c == "\a":
            out.append("\\a")
        elif c == "\b":
            out.append("\\b")
        elif c == "\f":
            out.append("\\f")
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif c == "\v":
            out.append("\\v")
        elif c in "'\"\\":
            out.append("\\" + c)
        elif b < 0x20 or b == 0x7F:
            out.append("\\x%02x" % b)
        else:
            out.append(c if b < 0x80 else chr(0xDC00 + b))
    return '"' + "".join(out).encode("utf-8", "surrogateescape").decode("utf-8", "replace") + '"'


def _format_double(value: float) -> str:
    """kj's double formatting: shortest of ``%.15g``/``%.17g`` that round-trips."""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if math.isnan(value):
        return "nan"
    text = "%.15g" % value
    if float(text) != value:
        text = "%.17g" % value
    return text


# =================================================================================================
# BrandedDecl and BrandScope (generics.c++)


class BrandedDecl:
    """A resolved name with its brand: a declaration and the bindings in force, or a generic
    parameter that is not (yet) bound."""

    __slots__ = ("body", "brand", "source")

    def __init__(
        self,
        body: ResolveResult,
        brand: Optional[BrandScope],
        source: Optional[ast.Expr],
    ) -> None:
        self.body = body
        self.brand = brand  # None iff body is a parameter
        self.source = source

    @staticmethod
    def implicit_method_param(index: int) -> BrandedDecl:
        return BrandedDecl(ResolvedParameter(0, index), None, None)

    def copy(self) -> BrandedDecl:
        return BrandedDecl(self.body, self.brand, self.source)

    def apply_params(
        self, params: List[BrandedDecl], sub_source: Optional[ast.Expr]
    ) -> Optional[BrandedDecl]:
        body = self.body
        if not isinstance(body, ResolvedDecl):
            return None
        assert self.brand is not None
        scope = self.brand.set_params(params, body.kind, sub_source)
        if scope is None:
            return None
        return BrandedDecl(body, scope, sub_source)

    def get_member(self, name: str, sub_source: Optional[ast.Expr]) -> Optional[BrandedDecl]:
        body = self.body
        if not isinstance(body, ResolvedDecl):
            return None
        found = body.resolver.resolve_member(name)
        if found is None:
            return None
        assert self.brand is not None
        return self.brand.interpret_resolve(body.resolver, found, sub_source)

    def get_kind(self) -> Optional[Kind]:
        body = self.body
        return body.kind if isinstance(body, ResolvedDecl) else None

    def get_id_and_brand(self) -> Tuple[int, Optional[model.Brand]]:
        """The declaration's ID and its compiled brand (None: no generic scope involved)."""
        body = self.body
        assert isinstance(body, ResolvedDecl) and self.brand is not None
        return body.id, self.brand.compile()

    def get_list_param(self) -> Optional[BrandedDecl]:
        body = self.body
        assert isinstance(body, ResolvedDecl) and body.kind is Kind.BUILTIN_LIST
        assert self.brand is not None
        params = self.brand.get_params(body.id)
        if params is None or len(params) != 1:
            return None
        return params[0]

    def add_error(self, errors: ErrorReporter, message: str) -> None:
        if self.source is not None:
            errors.error(self.source.span, message)

    def to_string(self) -> str:
        return expression_string(self.source)

    def compile_as_type(self, errors: ErrorReporter) -> Tuple[bool, model.Type]:
        """The type this names (``compileAsType``): (ok, type).  On failure the type is what the
        reference leaves behind (often Void), and an error has been reported."""
        body = self.body
        if isinstance(body, ResolvedParameter):
            if body.id == 0:
                return True, model.Type.implicit_method_parameter(body.index)
            return True, model.Type.parameter(body.id, body.index)
        kind = body.kind
        if kind is Kind.ENUM or kind is Kind.STRUCT or kind is Kind.INTERFACE:
            type_id, brand = self.get_id_and_brand()
            return True, model.Type(kind.value, type_id=type_id, brand=brand)
        if kind is Kind.BUILTIN_LIST:
            param = self.get_list_param()
            if param is None:
                self.add_error(errors, "'List' requires exactly one parameter.")
                return False, model.Type.list_of(model.Type.void())
            ok, element = param.compile_as_type(errors)
            if not ok:
                return False, model.Type.list_of(element)
            if element.kind == "anyPointer":
                # The reference reads ``anyPointer.unconstrained``'s tag even when the element is
                # a generic parameter; that tag shares its bits with ``parameterIndex``, so
                # List(T) of a first or second parameter is refused too (capnp 0.9.2 quirk).
                if element.any_pointer_kind == "unconstrained":
                    tag = model.UNCONSTRAINED_KINDS.index(element.unconstrained_kind)
                else:
                    tag = element.parameter_index
                if tag == 0:
                    self.add_error(errors, "'List(AnyPointer)' is not supported.")
                    return False, model.Type.list_of(model.Type.void())
                if tag == 1:
                    self.add_error(errors, "'List(AnyStruct)' is not supported.")
                    return False, model.Type.list_of(model.Type.void())
            return True, model.Type.list_of(element)
        primitive = _PRIMITIVE_TYPE.get(kind)
        if primitive is not None:
            return True, model.Type(primitive)
        if kind is Kind.BUILTIN_OBJECT:
            self.add_error(
                errors,
                "As of Cap'n Proto 0.4, 'Object' has been renamed to 'AnyPointer'.  Sorry for the "
                "inconvenience, and thanks for being an early adopter.  :)",
            )
            return True, model.Type.any_pointer()
        if kind is Kind.BUILTIN_ANY_POINTER:
            return True, model.Type.any_pointer()
        if kind is Kind.BUILTIN_ANY_STRUCT:
            return True, model.Type.any_struct()
        if kind is Kind.BUILTIN_ANY_LIST:
            return True, model.Type.any_list()
        if kind is Kind.BUILTIN_CAPABILITY:
            return True, model.Type.capability()
        self.add_error(errors, f"'{self.to_string()}' is not a type.")
        return False, model.Type.void()

    def as_resolve_result(self, scope_id: int) -> ResolveResult:
        """What a ``using`` alias resolves to: the target, found in the alias's scope, with the
        bindings the alias fixed (``asResolveResult``)."""
        body = self.body
        if isinstance(body, ResolvedParameter):
            return body
        result = body.copy()
        result.scope_id = scope_id
        assert self.brand is not None
        brand = self.brand.compile()
        if brand is not None:
            result.brand = brand
        return result


class BrandScope:
    """One level of a brand chain (``BrandScope`` in generics.c++).

    ``leaf_id`` is the scope's declaration (0: none), ``params`` its bound parameters (empty:
    unbound), ``inherited`` whether the parameters are those of the scope the reference is
    written in.
    """

    __slots__ = ("errors", "parent", "leaf_id", "leaf_param_count", "inherited", "params")

    def __init__(
        self,
        errors: ErrorReporter,
        parent: Optional[BrandScope],
        leaf_id: int,
        leaf_param_count: int,
        inherited: bool,
        params: Optional[List[BrandedDecl]] = None,
    ) -> None:
        self.errors = errors
        self.parent = parent
        self.leaf_id = leaf_id
        self.leaf_param_count = leaf_param_count
        self.inherited = inherited
        self.params: List[BrandedDecl] = params if params is not None else []

    @classmethod
    def for_scope(
        cls, errors: ErrorReporter, scope_id: int, param_count: int, resolver: Resolver
    ) -> BrandScope:
        """The scope of code written inside declaration ``scope_id``: it and every enclosing
        scope inherit their own parameters."""
        parent_decl = resolver.get_parent()
        parent = None
        if parent_decl is not None:
            parent = cls.for_scope(
                errors, parent_decl.id, parent_decl.generic_param_count, parent_decl.resolver
            )
        return cls(errors, parent, scope_id, param_count, True)

    @classmethod
    def _bare(cls, errors: ErrorReporter, scope_id: int) -> BrandScope:
        return cls(errors, None, scope_id, 0, False)

    def is_generic(self) -> bool:
        scope: Optional[BrandScope] = self
        while scope is not None:
            if scope.leaf_param_count > 0:
                return True
            scope = scope.parent
        return False

    def push(self, type_id: int, param_count: int) -> BrandScope:
        return BrandScope(self.errors, self, type_id, param_count, False)

    def set_params(
        self, params: List[BrandedDecl], generic_kind: Kind, source: Optional[ast.Expr]
    ) -> Optional[BrandScope]:
        def error(message: str) -> None:
            if source is not None:
                self.errors.error(source.span, message)

        if self.params:
            error("Double-application of generic parameters.")
            return None
        if len(params) > self.leaf_param_count:
            if self.leaf_param_count == 0:
                error("Declaration does not accept generic parameters.")
            else:
                error("Too many generic parameters.")
            return None
        if len(params) < self.leaf_param_count:
            error("Not enough generic parameters.")
            return None
        if generic_kind is not Kind.BUILTIN_LIST:
            for param in params:
                kind = param.get_kind()
                if kind is not None and kind not in _POINTER_KINDS:
                    param.add_error(
                        self.errors, "Sorry, only pointer types can be used as generic parameters."
                    )
        return BrandScope(
            self.errors, self.parent, self.leaf_id, self.leaf_param_count, False, list(params)
        )

    def pop(self, new_leaf_id: int) -> BrandScope:
        scope: Optional[BrandScope] = self
        while scope is not None:
            if scope.leaf_id == new_leaf_id:
                return scope
            scope = scope.parent
        # Moving into a whole other top-level scope.
        return BrandScope._bare(self.errors, new_leaf_id)

    def lookup_parameter(
        self, resolver: Resolver, scope_id: int, index: int
    ) -> Optional[BrandedDecl]:
        """The binding of a parameter; None when it is inherited from the referring scope."""
        scope: Optional[BrandScope] = self
        while scope is not None:
            if scope.leaf_id == scope_id:
                if index < len(scope.params):
                    return scope.params[index]
                if scope.inherited:
                    return None
                # Unbound and not inherited: AnyPointer.
                decl = resolver.resolve_builtin(Kind.BUILTIN_ANY_POINTER)
                return BrandedDecl(decl, self.evaluate_brand(resolver, decl, None), None)
            scope = scope.parent
        raise AssertionError("scope is not a parent")

    def get_params(self, scope_id: int) -> Optional[List[BrandedDecl]]:
        scope: Optional[BrandScope] = self
        while scope is not None:
            if scope.leaf_id == scope_id:
                return None if scope.inherited else scope.params
            scope = scope.parent
        raise AssertionError("scope is not a parent")

    def compile(self) -> Optional[model.Brand]:
        """The brand as written in a schema node: one entry per scope that binds or inherits
        parameters, innermost first; None when there are none."""
        levels: List[BrandScope] = []
        scope: Optional[BrandScope] = self
        while scope is not None:
            if scope.params or (scope.inherited and scope.leaf_param_count > 0):
                levels.append(scope)
            scope = scope.parent
        if not levels:
            return None
        scopes = []
        for level in levels:
            if level.inherited:
                scopes.append(model.BrandScope(level.leaf_id, inherit=True))
            else:
                bindings = []
                for param in level.params:
                    _, bound = param.compile_as_type(self.errors)
                    bindings.append(model.Binding(bound))
                scopes.append(model.BrandScope(level.leaf_id, bind=bindings))
        return model.Brand(scopes)

    def interpret_resolve(
        self, resolver: Resolver, result: ResolveResult, source: Optional[ast.Expr]
    ) -> BrandedDecl:
        if isinstance(result, ResolvedDecl):
            scope = self.pop(result.scope_id)
            if result.brand is not None:
                scope = scope.evaluate_brand(resolver, result, result.brand.scopes)
            else:
                scope = scope.push(result.id, result.generic_param_count)
            return BrandedDecl(result, scope, source)
        bound = self.lookup_parameter(resolver, result.id, result.index)
        if bound is not None:
            return bound
        return BrandedDecl(result, None, source)

    def evaluate_brand(
        self,
        resolver: Resolver,
        decl: ResolvedDecl,
        brand: Optional[Sequence[model.BrandScope]],
        index: int = 0,
    ) -> BrandScope:
        """Turn a compiled brand back into a BrandScope chain for ``decl``."""
        result = BrandScope._bare(self.errors, decl.id)
        result.leaf_param_count = decl.generic_param_count
        if brand is not None and index < len(brand):
            next_scope = brand[index]
            if decl.id == next_scope.scope_id:
                if not next_scope.inherit:
                    params = []
                    for binding in next_scope.bind or ():
                        if binding.type is None:
                            any_decl = resolver.resolve_builtin(Kind.BUILTIN_ANY_POINTER)
                            params.append(
                                BrandedDecl(
                                    any_decl,
                                    BrandScope._bare(self.errors, any_decl.scope_id),
                                    None,
                                )
                            )
                        else:
                            params.append(self.decompile_type(resolver, binding.type))
                    result.params = params
                else:
                    inherited = self.get_params(decl.id)
                    if inherited is not None:
                        result.params = list(inherited)
                    else:
                        result.inherited = True
                index += 1
        parent = decl.resolver.get_parent()
        if parent is not None:
            result.parent = self.evaluate_brand(resolver, parent, brand, index)
        return result

    def decompile_type(self, resolver: Resolver, type_: model.Type) -> BrandedDecl:
        """A compiled type back into a BrandedDecl (for bindings fixed by an alias)."""

        def builtin(kind: Kind) -> BrandedDecl:
            decl = resolver.resolve_builtin(kind)
            return BrandedDecl(decl, self.evaluate_brand(resolver, decl, None), None)

        k = type_.kind
        if k in _TYPE_KIND_TO_BUILTIN:
            return builtin(_TYPE_KIND_TO_BUILTIN[k])
        if k in ("enum", "struct", "interface"):
            decl = resolver.resolve_id(type_.type_id)
            scopes = type_.brand.scopes if type_.brand is not None else None
            return BrandedDecl(decl, self.evaluate_brand(resolver, decl, scopes), None)
        if k == "list":
            assert type_.element_type is not None
            element = self.decompile_type(resolver, type_.element_type)
            applied = builtin(Kind.BUILTIN_LIST).apply_params([element], None)
            assert applied is not None
            return applied
        # anyPointer
        if type_.any_pointer_kind == "unconstrained":
            return builtin(Kind.BUILTIN_ANY_POINTER)
        if type_.any_pointer_kind == "parameter":
            bound = self.lookup_parameter(resolver, type_.scope_id, type_.parameter_index)
            if bound is not None:
                return bound
            return BrandedDecl(ResolvedParameter(type_.scope_id, type_.parameter_index), None, None)
        raise AssertionError("alias pointed to an implicit method type parameter")

    def compile_decl_expression(
        self, source: ast.Expr, resolver: Resolver, implicit: ImplicitParams
    ) -> Optional[BrandedDecl]:
        """Resolve a name expression (``compileDeclExpression``); errors are reported."""
        errors = self.errors
        if isinstance(source, ast.NameExpr):
            name = source.name
            for i, param in enumerate(implicit.params):
                if param.name == name:
                    if implicit.scope_id == 0:
                        return BrandedDecl.implicit_method_param(i)
                    return BrandedDecl(ResolvedParameter(implicit.scope_id, i), None, None)
            found = resolver.resolve(name)
            if found is None:
                errors.error(source.span, f"Not defined: {name}")
                return None
            return self.interpret_resolve(resolver, found, source)
        if isinstance(source, ast.AbsoluteNameExpr):
            found = resolver.get_top_scope().resolver.resolve_member(source.name)
            if found is None:
                errors.error(source.name_span, f"Not defined: {source.name}")
                return None
            return self.interpret_resolve(resolver, found, source)
        if isinstance(source, ast.ImportExpr):
            decl = resolver.resolve_import(source.path)
            if decl is None:
                errors.error(source.path_span, f"Import failed: {source.path}")
                return None
            # An import is always a root scope: a fresh BrandScope.
            return BrandedDecl(
                decl,
                BrandScope.for_scope(errors, decl.id, decl.generic_param_count, decl.resolver),
                source,
            )
        if isinstance(source, ast.ApplicationExpr):
            decl_ = self.compile_decl_expression(source.function, resolver, implicit)
            if decl_ is None:
                return None
            compiled: List[BrandedDecl] = []
            failed = False
            for tuple_param in source.params:
                if tuple_param.name is not None and tuple_param.name_span is not None:
                    errors.error(tuple_param.name_span, "Named parameter not allowed here.")
                d = self.compile_decl_expression(tuple_param.value, resolver, implicit)
                if d is None:
                    failed = True
                else:
                    compiled.append(d)
            if failed:
                return decl_
            applied = decl_.apply_params(compiled, source)
            return applied if applied is not None else decl_
        if isinstance(source, ast.MemberExpr):
            parent = self.compile_decl_expression(source.parent, resolver, implicit)
            if parent is None:
                return None
            member = parent.get_member(source.name, source)
            if member is None:
                errors.error(
                    source.name_span,
                    f"'{expression_string(source.parent)}' has no member named '{source.name}'",
                )
                return None
            return member
        # Literals of any kind are not names.
        errors.error(source.span, "Expected name.")
        return None


