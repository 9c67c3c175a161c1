"""The schema compiler: ``.capnp`` files in, a :class:`~purecap.schema.model.CodeGeneratorRequest`
out -- the request ``capnp compile -o-`` (capnp 0.9.2) produces: the same nodes, in the same
order, so that :func:`purecap.schema.nodes.write_request` reproduces the reference's output byte
for byte.

Use :func:`compile_files`.  It raises :class:`~purecap.schema.errors.SchemaErrors` with every
error found (in the order the reference reports them, as far as we follow it), or
:class:`CompileError` for problems outside any schema file (a file that cannot be read).

How it works (``compiler/compiler.c++``): every named declaration becomes a :class:`Node`, created
when its parent is first *expanded* (looked into), and compiled lazily, in two phases (see
:mod:`purecap.schema.translator`), when something needs it.  A file named on the command line is
compiled in full; then every node it depends on (field types, method parameter types, annotation
types ... and their dependencies in turn) is compiled too, with all their enclosing scopes, and
those are the nodes of the request.  Nodes of imported files that nothing uses are never compiled,
so errors in them go unreported, as in the reference.
"""

from __future__ import annotations

import enum
import sys
import threading
from typing import Callable, Dict, Iterable, List, Optional, Set, Tuple, TypeVar, Union

from purecap.errors import PurecapError
from purecap.schema import ast
from purecap.schema import model
from purecap.schema.errors import SchemaError, SchemaErrors
from purecap.schema.ids import ID_HIGH_BIT, child_id, generate_random_id
from purecap.schema.loader import ModuleLoader, SourceFile
from purecap.schema.resolver import (
    BUILTIN_NAMES,
    NO_IMPLICIT_PARAMS,
    BrandScope,
    BuiltinResolver,
    ErrorReporter,
    Kind,
    ResolvedDecl,
    ResolvedParameter,
    ResolveResult,
)
from purecap.schema.translator import NodeSet, NodeTranslator, TranslatorContext

__all__ = [
    "CAPNP_VERSION",
    "CompileError",
    "Compiler",
    "compile_files",
]

#: The version the request claims (the reference we follow).
CAPNP_VERSION = (0, 9, 2)

# Eagerness flags (``Compiler::Eagerness``).
NODE = 1
PARENTS = 2
CHILDREN = 4
DEPENDENCIES = NODE << 15
DEPENDENCY_PARENTS = PARENTS * DEPENDENCIES
#: What ``capnp compile`` asks for: the files in full, plus everything they depend on (and
#: transitively), with the enclosing scopes of all of it.
COMPILE_EAGERNESS = NODE | CHILDREN | DEPENDENCIES | DEPENDENCY_PARENTS


class CompileError(PurecapError):
    """A problem outside the schemas themselves, e.g. a file named on the command line that
    cannot be read (the message is the reference's: ``file: no such file``)."""


class _State(enum.IntEnum):
    STUB = 0
    EXPANDED = 1
    BOOTSTRAP = 2
    FINISHED = 3


_NODE_KINDS: Dict[type, Kind] = {
    ast.Const: Kind.CONST,
    ast.AnnotationDecl: Kind.ANNOTATION,
    ast.Enum: Kind.ENUM,
    ast.Struct: Kind.STRUCT,
    ast.Interface: Kind.INTERFACE,
}


class _Alias:
    """A ``using`` declaration, resolved (once) on first use (``Compiler::Alias``)."""

    def __init__(self, module: CompiledModule, parent: Node, target: ast.Expr) -> None:
        self.module = module
        self.parent = parent
        self.target_expr = target
        self.initialized = False
        self.target: Optional[ResolveResult] = None

    def compile(self) -> Optional[ResolveResult]:
        if not self.initialized:
            self.initialized = True
            parent = self.parent
            scope = BrandScope.for_scope(
                self.module.errors, parent.id, parent.generic_param_count, parent
            )
            decl = scope.compile_decl_expression(self.target_expr, parent, NO_IMPLICIT_PARAMS)
            if decl is not None:
                self.target = decl.as_resolve_result(scope.leaf_id)
        return self.target


class Node(TranslatorContext):
    """One named declaration: a file, struct, enum, interface, const or annotation
    (``Compiler::Node``).  Implements name lookup for code written inside it."""

    def __init__(
        self, module: CompiledModule, parent: Optional[Node], decl: Union[ast.File, ast.Decl]
    ) -> None:
        self.module = module
        self.compiler = module.compiler
        self.parent = parent
        self.id: int = 0
        self.decl = decl
        if isinstance(decl, ast.File):
            self.kind = Kind.FILE
            self.name = ""
            declared_id = decl.id
            self.display_name = module.source.source_name
            self.error_span = decl.span
            self.generic_params: List[ast.GenericParam] = []
            desired = declared_id.value if declared_id is not None else generate_random_id()
        else:
            assert parent is not None
            self.kind = _NODE_KINDS[type(decl)]
            self.name = decl.name
            self.error_span = decl.name_span if decl.name else decl.span
            uid = getattr(decl, "id", None)
            desired = uid.value if isinstance(uid, ast.LocatedInt) else child_id(parent.id, decl.name)
            separator = ":" if parent.parent is None else "."
            self.display_name = parent.display_name + separator + decl.name
            params = getattr(decl, "generic_params", None)
            self.generic_params = list(params) if params else []
        self.generic_param_count = len(self.generic_params)
        self.id = self.compiler.add_node(desired, self)

        self.state = _State.STUB
        self.in_get_content = False
        self.nested: Dict[str, Node] = {}
        self.ordered_nested: List[Node] = []
        self.aliases: Dict[str, _Alias] = {}
        self.translator: Optional[NodeTranslator] = None
        self.final: Optional[NodeSet] = None
        self.loaded_final = False

    def add_error(self, message: str) -> None:
        self.module.errors.error(self.error_span, message)

    def __repr__(self) -> str:
        return f"Node({self.display_name!r})"

    # --- states -----------------------------------------------------------------------------

    def get_content(self, minimum: _State) -> bool:
        """Advance to at least ``minimum``; False when that would recurse into itself (then
        the declaration depends on itself, which is reported)."""
        if self.state >= minimum:
            return True
        if self.in_get_content:
            self.add_error("Declaration recursively depends on itself.")
            return False
        self.in_get_content = True
        try:
            if self.state is _State.STUB:
                self._expand()
                self.state = _State.EXPANDED
            if minimum <= self.state:
                return True
            if self.state is _State.EXPANDED:
                self._bootstrap()
                self.state = _State.BOOTSTRAP
            if minimum <= self.state:
                return True
            assert self.translator is not None
            self.final = self.translator.finish()
            self.state = _State.FINISHED
            return True
        finally:
            self.in_get_content = False

    def _expand(self) -> None:
        for nested in self.decl.nested_decls:
            kind = _NODE_KINDS.get(type(nested))
            if kind is not None:
                sub = Node(self.module, self, nested)
                self.ordered_nested.append(sub)
                self.nested.setdefault(nested.name, sub)
            elif isinstance(nested, ast.Using):
                self.aliases.setdefault(
                    nested.name, _Alias(self.module, self, nested.target)
                )

    def _bootstrap(self) -> None:
        display = self.display_name
        prefix = display.rfind(".") + 1
        colon = display.rfind(":")
        if colon >= 0 and colon + 1 > prefix:
            prefix = colon + 1
        node = model.Node(
            id=self.id,
            display_name=display,
            display_name_prefix_length=prefix,
            scope_id=self.parent.id if self.parent is not None else 0,
            nested_nodes=[model.NestedNode(n.name, n.id) for n in self.ordered_nested],
        )
        self.translator = NodeTranslator(
            self, self.module.errors, self.decl, self.kind, node, True
        )
        node_set = self.translator.bootstrap_node_set()
        for aux in node_set.aux_nodes:
            self.compiler.aux_nodes.setdefault(aux.id, aux)
        if not self.compiler.errors:
            # The reference validates every node it builds (schema-loader.c++) and reports a
            # failure -- only when nothing else has gone wrong -- as its own bug.
            problem = _validation_problem([node_set.node] + node_set.aux_nodes)
            if problem is not None:
                self.add_error(
                    "Internal compiler bug: Bootstrap schema failed validation: " + problem
                )

    def bootstrap_schema(self) -> Optional[model.Node]:
        if not self.get_content(_State.BOOTSTRAP):
            return None
        assert self.translator is not None
        return self.translator.node

    def final_schema(self) -> Optional[NodeSet]:
        if not self.get_content(_State.FINISHED):
            return None
        return self.final

    # --- Resolver ---------------------------------------------------------------------------

    def _decl(self) -> ResolvedDecl:
        scope_id = self.parent.id if self.parent is not None else 0
        return ResolvedDecl(self.id, self.generic_param_count, scope_id, self.kind, self)

    def resolve(self, name: str) -> Optional[ResolveResult]:
        node: Optional[Node] = self
        while node is not None:
            member = node.resolve_member(name)
            if member is not None:
                return member
            for i, param in enumerate(node.generic_params):
                if param.name == name:
                    return ResolvedParameter(node.id, i)
            node = node.parent
        builtin = self.compiler.builtins.get(name)
        return builtin.decl() if builtin is not None else None

    def resolve_member(self, name: str) -> Optional[ResolveResult]:
        if not self.get_content(_State.EXPANDED):
            return None
        sub = self.nested.get(name)
        if sub is not None:
            return ResolvedDecl(sub.id, sub.generic_param_count, self.id, sub.kind, sub)
        alias = self.aliases.get(name)
        if alias is not None:
            return alias.compile()
        return None

    def resolve_builtin(self, kind: Kind) -> ResolvedDecl:
        return self.compiler.builtins[kind.value].decl()

    def resolve_id(self, id: int) -> ResolvedDecl:
        node = self.compiler.nodes_by_id[id]
        return node._decl()

    def get_parent(self) -> Optional[ResolvedDecl]:
        return self.parent._decl() if self.parent is not None else None

    def get_top_scope(self) -> ResolvedDecl:
        root = self.module.root
        return ResolvedDecl(root.id, 0, 0, root.kind, root)

    def resolve_import(self, name: str) -> Optional[ResolvedDecl]:
        module = self.module.import_relative(name)
        if module is None:
            return None
        root = module.root
        return ResolvedDecl(root.id, 0, 0, root.kind, root)

    # --- TranslatorContext ------------------------------------------------------------------

    def bootstrap_node(self, id: int) -> Optional[model.Node]:
        node = self.compiler.nodes_by_id.get(id)
        if node is not None:
            return node.bootstrap_schema()
        return self.compiler.aux_nodes.get(id)

    def final_node(self, id: int) -> Optional[model.Node]:
        node = self.compiler.nodes_by_id.get(id)
        if node is not None:
            final = node.final_schema()
            return final.node if final is not None else None
        return self.compiler.aux_nodes.get(id)

    def node_short_name(self, id: int) -> str:
        node = self.compiler.nodes_by_id.get(id)
        if node is not None:
            return node.name
        aux = self.compiler.aux_nodes.get(id)
        return aux.short_name if aux is not None else f"@0x{id:x}"

    def read_embed(self, name: str) -> Optional[bytes]:
        return self.compiler.loader.embed_relative(self.module.source, name)

    # --- traversal (what goes into the request) ---------------------------------------------

    def traverse(self, eagerness: int, seen: Dict[int, int]) -> None:
        compiler = self.compiler
        slot = seen.get(id(self), 0)
        if slot & eagerness == eagerness:
            return
        seen[id(self)] = slot | eagerness
        final = self.final_schema()
        if final is not None:
            compiler.load_final(final)
            if eagerness // DEPENDENCIES != 0:
                # Dependencies are traversed with the flags shifted down.
                new = (eagerness & ~(DEPENDENCIES - 1)) | (eagerness // DEPENDENCIES)
                self._traverse_node_dependencies(final.node, new, seen)
                for aux in final.aux_nodes:
                    self._traverse_node_dependencies(aux, new, seen)
            for info in final.source_info:
                compiler.source_info.setdefault(info.id, info)
        if eagerness & PARENTS and self.parent is not None:
            self.parent.traverse(eagerness, seen)
        if eagerness & CHILDREN and self.get_content(_State.EXPANDED):
            for child in self.ordered_nested:
                child.traverse(eagerness, seen)
            for alias in self.aliases.values():
                alias.compile()

    def _traverse_node_dependencies(
        self, node: model.Node, eagerness: int, seen: Dict[int, int]
    ) -> None:
        body = node.body
        if isinstance(body, model.StructBody):
            for field in body.fields or ():
                if isinstance(field.body, model.SlotField):
                    self._traverse_type(field.body.type, eagerness, seen)
                self._traverse_annotations(field.annotations, eagerness, seen)
        elif isinstance(body, model.EnumBody):
            for enumerant in body.enumerants or ():
                self._traverse_annotations(enumerant.annotations, eagerness, seen)
        elif isinstance(body, model.InterfaceBody):
            for superclass in body.superclasses or ():
                if superclass.id != 0:
                    self._traverse_dependency(superclass.id, eagerness, seen)
                self._traverse_brand(superclass.brand, eagerness, seen)
            for method in body.methods or ():
                self._traverse_dependency(method.param_struct_type, eagerness, seen)
                self._traverse_brand(method.param_brand, eagerness, seen)
                self._traverse_dependency(method.result_struct_type, eagerness, seen)
                self._traverse_brand(method.result_brand, eagerness, seen)
                self._traverse_annotations(method.annotations, eagerness, seen)
        elif isinstance(body, model.ConstBody):
            self._traverse_type(body.type, eagerness, seen)
        elif isinstance(body, model.AnnotationBody):
            self._traverse_type(body.type, eagerness, seen)
        self._traverse_annotations(node.annotations, eagerness, seen)

    def _traverse_type(self, type_: model.Type, eagerness: int, seen: Dict[int, int]) -> None:
        while type_.kind == "list" and type_.element_type is not None:
            type_ = type_.element_type
        if type_.kind in ("struct", "enum", "interface"):
            self._traverse_dependency(type_.type_id, eagerness, seen)
            self._traverse_brand(type_.brand, eagerness, seen)

    def _traverse_brand(
        self, brand: Optional[model.Brand], eagerness: int, seen: Dict[int, int]
    ) -> None:
        if brand is None:
            return
        for scope in brand.scopes or ():
            if not scope.inherit:
                for binding in scope.bind or ():
                    if binding.type is not None:
                        self._traverse_type(binding.type, eagerness, seen)

    def _traverse_dependency(self, dep_id: int, eagerness: int, seen: Dict[int, int]) -> None:
        node = self.compiler.nodes_by_id.get(dep_id)
        if node is not None:
            node.traverse(eagerness, seen)

    def _traverse_annotations(
        self,
        annotations: Optional[List[model.Annotation]],
        eagerness: int,
        seen: Dict[int, int],
    ) -> None:
        for annotation in annotations or ():
            node = self.compiler.nodes_by_id.get(annotation.id)
            if node is not None:
                node.traverse(eagerness, seen)


_PLACEHOLDER = model.Node(0, "(placeholder)", 0)


def _referenced_ids(node: model.Node) -> List[int]:
    """The node IDs the reference's validator looks up for ``node``, in its order."""
    out: List[int] = []

    def type_ids(type_: model.Type) -> None:
        while type_.kind == "list" and type_.element_type is not None:
            type_ = type_.element_type
        if type_.kind in ("struct", "enum", "interface"):
            out.append(type_.type_id)
            brand_ids(type_.brand)

    def brand_ids(brand: Optional[model.Brand]) -> None:
        for scope in (brand.scopes or ()) if brand is not None else ():
            for binding in scope.bind or ():
                if binding.type is not None:
                    type_ids(binding.type)

    body = node.body
    if isinstance(body, model.StructBody):
        for field in body.fields or ():
            if isinstance(field.body, model.SlotField):
                type_ids(field.body.type)
            else:
                out.append(field.body.type_id)
        if body.is_group:
            out.append(node.scope_id)
    elif isinstance(body, model.InterfaceBody):
        for superclass in body.superclasses or ():
            out.append(superclass.id)
            brand_ids(superclass.brand)
        for method in body.methods or ():
            out.append(method.param_struct_type)
            brand_ids(method.param_brand)
            out.append(method.result_struct_type)
            brand_ids(method.result_brand)
    elif isinstance(body, (model.ConstBody, model.AnnotationBody)):
        type_ids(body.type)
    return out


def _validation_problem(nodes: List[model.Node]) -> Optional[str]:
    """What ``SchemaLoader``'s validator would reject in a compiled node, if anything.

    Only one check can fail for a schema that compiled without errors: a union ordinal written
    after its members' makes the ``fields`` list leave ordinal order (see
    :mod:`purecap.schema.layout`).
    """
    for node in nodes:
        if not isinstance(node.body, model.StructBody):
            continue
        next_ordinal = 0
        for field in node.body.fields or ():
            if field.ordinal is not None:
                if field.ordinal < next_ordinal:
                    return (
                        f"fields were not ordered by ordinal ({node.display_name}, field "
                        f"'{field.name}': @{field.ordinal} after @{next_ordinal - 1})"
                    )
                next_ordinal = field.ordinal + 1
    return None


class CompiledModule:
    """One schema file being compiled (``Compiler::CompiledModule``)."""

    def __init__(self, compiler: Compiler, source: SourceFile) -> None:
        self.compiler = compiler
        self.source = source
        self.errors = ErrorReporter(source.display_name, compiler.errors)
        parsed, parse_errors = source.parse()
        compiler.errors.extend(parse_errors)
        if parsed is None:
            # Nothing to compile; the parse errors say why.  A stand-in keeps imports working.
            span = ast.Span(0, 0, 1, 1, 1, 1)
            parsed = ast.File(span, source.display_name, None, None, [], [], [])
        self.ast = parsed
        self.root = Node(self, None, parsed)

    def import_relative(self, path: str) -> Optional[CompiledModule]:
        found = self.compiler.loader.import_relative(self.source, path)
        return self.compiler.add_module(found) if found is not None else None

    def import_table(self) -> List[model.Import]:
        """``RequestedFile.imports``: the files whose *types* this file uses, by name."""
        names: Set[str] = set()
        _find_imports_in_decls(self.ast.nested_decls, names)
        for application in self.ast.annotations:
            _find_imports(application.name, names)
        result = []
        for name in sorted(names, key=lambda n: n.encode("utf-8", "surrogateescape")):
            module = self.import_relative(name)
            if module is not None:
                result.append(model.Import(module.root.id, name))
        return result


def _find_imports(expr: ast.Expr, out: Set[str]) -> None:
    if isinstance(expr, ast.ImportExpr):
        out.add(expr.path)
    elif isinstance(expr, ast.ListExpr):
        for element in expr.elements:
            _find_imports(element, out)
    elif isinstance(expr, ast.TupleExpr):
        for param in expr.params:
            _find_imports(param.value, out)
    elif isinstance(expr, ast.ApplicationExpr):
        _find_imports(expr.function, out)
        for param in expr.params:
            _find_imports(param.value, out)
    elif isinstance(expr, ast.MemberExpr):
        _find_imports(expr.parent, out)


def _find_imports_in_params(params: Optional[ast.ParamList], out: Set[str]) -> None:
    if isinstance(params, ast.InlineParams):
        for param in params.params:
            _find_imports(param.type, out)
            for application in param.annotations:
                _find_imports(application.name, out)
    elif isinstance(params, ast.TypeParams):
        _find_imports(params.type, out)
    elif isinstance(params, ast.StreamParams):
        out.add("/capnp/stream.capnp")


def _find_imports_in_decls(decls: Iterable[ast.Decl], out: Set[str]) -> None:
    for decl in decls:
        if isinstance(decl, ast.Using):
            _find_imports(decl.target, out)
        elif isinstance(decl, ast.Const):
            _find_imports(decl.type, out)
        elif isinstance(decl, ast.Field):
            _find_imports(decl.type, out)
        elif isinstance(decl, ast.Interface):
            for superclass in decl.superclasses:
                _find_imports(superclass, out)
        elif isinstance(decl, ast.Method):
            _find_imports_in_params(decl.params, out)
            _find_imports_in_params(decl.results, out)
        for application in decl.annotations:
            _find_imports(application.name, out)
        _find_imports_in_decls(decl.nested_decls, out)


class Compiler:
    """Compiles schema files into a :class:`~purecap.schema.model.CodeGeneratorRequest`."""

    def __init__(self, loader: ModuleLoader) -> None:
        self.loader = loader
        self.errors: List[SchemaError] = []
        self.modules: Dict[int, CompiledModule] = {}
        self.nodes_by_id: Dict[int, Node] = {}
        self.aux_nodes: Dict[int, model.Node] = {}
        self.next_bogus_id = 1000
        self.builtins: Dict[str, BuiltinResolver] = {
            name: BuiltinResolver(kind, 1000 + i, 1 if kind is Kind.BUILTIN_LIST else 0)
            for i, (name, kind) in enumerate(BUILTIN_NAMES.items())
        }
        # What the request will hold, in the order it was finished.
        self.final_nodes: Dict[int, model.Node] = {}
        self.source_info: Dict[int, model.SourceInfo] = {}
        self.requested: List[Tuple[CompiledModule, SourceFile]] = []

    def add_module(self, source: SourceFile) -> CompiledModule:
        module = self.modules.get(id(source))
        if module is None:
            module = CompiledModule(self, source)
            self.modules[id(source)] = module
        return module

    def add_node(self, desired: int, node: Node) -> int:
        """Register a node under its ID, reporting duplicates (``addNode``)."""
        while True:
            existing = self.nodes_by_id.get(desired)
            if existing is None:
                self.nodes_by_id[desired] = node
                return desired
            # Only IDs from the source have the top bit; others were invented to paper over an
            # earlier error.
            if desired & ID_HIGH_BIT:
                node.add_error(f"Duplicate ID @0x{desired:x}.")
                existing.add_error(f"ID @0x{desired:x} originally used here.")
            desired = self.next_bogus_id
            self.next_bogus_id += 1

    def load_final(self, final: NodeSet) -> None:
        """Add a finished node and its auxiliary nodes to the request.

        The request lists nodes in the order the reference's ``SchemaLoader`` first heard of
        them: validating a node reserves a place for every node it refers to that is not loaded
        yet (a placeholder), which the node takes when it is loaded later.  Placeholders never
        filled are not part of the request.
        """
        for node in final.aux_nodes + [final.node]:
            if node.id in self.final_nodes and self.final_nodes[node.id] is not _PLACEHOLDER:
                continue
            for ref in _referenced_ids(node):
                self.final_nodes.setdefault(ref, _PLACEHOLDER)
            self.final_nodes[node.id] = node

    def add_source(self, source: SourceFile) -> CompiledModule:
        """Compile a file named on the command line, with everything it depends on."""
        module = self.add_module(source)
        module.root.traverse(COMPILE_EAGERNESS, {})
        self.requested.append((module, source))
        return module

    def request(self) -> model.CodeGeneratorRequest:
        """The request for everything added so far (call when there were no errors)."""
        return model.CodeGeneratorRequest(
            nodes=[n for n in self.final_nodes.values() if n is not _PLACEHOLDER],
            requested_files=[
                model.RequestedFile(module.root.id, source.source_name, module.import_table())
                for module, source in self.requested
            ],
            capnp_version=model.CapnpVersion(*CAPNP_VERSION),
            source_info=[self.source_info[i] for i in unordered_map_order(self.source_info)],
        )


# --- the order of sourceInfo ---------------------------------------------------------------------
#
# The reference collects source info in a ``std::unordered_map<uint64_t, ...>`` and writes it out
# in that map's iteration order.  With GCC's libstdc++ (which Debian's capnp uses) that order is
# a deterministic function of the insertion order, so we reproduce it, and with it the exact bytes
# of ``capnp compile -o-``.  The facts used: ``std::hash<uint64_t>`` is the identity; a bucket is
# ``key % bucket_count``; the table starts with 13 buckets and, when the element count would pass
# the bucket count (max load factor 1), grows to the first prime of libstdc++'s list that is at
# least twice as big; a new key goes at the front of its bucket, or of the whole list when its
# bucket is empty; rehashing walks the list and re-inserts each node the same way.

_PRIMES = (
    13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 103, 109,
    113, 127, 137, 139, 149, 157, 167, 179, 193, 199, 211, 227, 241, 257, 277, 293, 313, 337,
    359, 383, 409, 439, 467, 503, 541, 577, 619, 661, 709, 761, 823, 887, 953, 1031, 1109, 1193,
    1289, 1381, 1493, 1613, 1741, 1879, 2029, 2179, 2357, 2549, 2753, 2971, 3209, 3469, 3739,
    4027, 4349, 4703, 5087, 5503, 5953, 6427, 6949, 7517, 8123, 8783, 9497, 10273, 11113, 12011,
    12983, 14033, 15173, 16411, 17749, 19183, 20753, 22447, 24281, 26267, 28411, 30727, 33223,
    35933, 38873, 42043, 45481, 49201, 53201, 57557, 62233, 67307, 72817, 78779, 85229, 92203,
    99733, 107897, 116731, 126271, 136607, 147793, 159871, 172933, 187091, 202409, 218971,
    236897, 256279, 277261, 299951, 324503, 351061, 379787, 410857, 444487, 480881, 520241,
    562841, 608903, 658753, 712697, 771049, 834181, 902483, 976369, 1056323, 1142821, 1236397,
    1337629, 1447153, 1565659,
)  # fmt: skip


def unordered_map_order(keys: Iterable[int]) -> List[int]:
    """The iteration order of a libstdc++ ``unordered_map`` after inserting ``keys`` in order
    (duplicates ignored)."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return []
    if len(keys) > _PRIMES[-1]:
        return keys  # beyond the table we know; no schema gets near
    buckets = 13
    # The list as "next" links; None ends it.  ``first_of`` maps a bucket to the node *before*
    # its first element (_BEFORE_BEGIN for the list head).
    head: Optional[int] = None
    nxt: Dict[int, Optional[int]] = {}
    before: Dict[int, int] = {}

    def insert(key: int) -> None:
        nonlocal head
        bucket = key % buckets
        prev = before.get(bucket)
        if prev is None:
            nxt[key] = head
            if head is not None:
                before[head % buckets] = key
            head = key
            before[bucket] = _BEFORE_BEGIN
        elif prev == _BEFORE_BEGIN:
            nxt[key] = head
            head = key
        else:
            nxt[key] = nxt[prev]
            nxt[prev] = key

    def walk() -> List[int]:
        out = []
        node = head
        while node is not None:
            out.append(node)
            node = nxt[node]
        return out

    for count, key in enumerate(keys):
        if count + 1 > buckets:
            target = 2 * buckets
            buckets = next(p for p in _PRIMES if p >= target)
            old = walk()
            head = None
            nxt.clear()
            before.clear()
            for node in old:
                insert(node)
        insert(key)
    return walk()


_BEFORE_BEGIN = -1


def compile_files(
    paths: Iterable[str],
    import_paths: Iterable[str] = (),
    standard_import: bool = True,
    src_prefixes: Iterable[str] = (),
    cwd: Optional[str] = None,
) -> model.CodeGeneratorRequest:
    """Compile schema files as ``capnp compile -o-`` does and return the request it would send.

    ``import_paths`` are the ``-I`` directories; ``standard_import`` adds ``/usr/local/include``
    and ``/usr/include`` after them; ``src_prefixes`` are ``--src-prefix`` directories (they
    decide the files' names).  Raises :class:`SchemaErrors` listing every error, or
    :class:`CompileError` when a file or directory cannot be found.
    """
    paths = list(paths)
    import_paths = list(import_paths)
    src_prefixes = list(src_prefixes)

    def work() -> model.CodeGeneratorRequest:
        try:
            loader = ModuleLoader(import_paths, standard_import, src_prefixes, cwd)
        except FileNotFoundError as e:
            raise CompileError(str(e)) from None
        compiler = Compiler(loader)
        for path in paths:
            source = loader.load_source(path)
            if source is None:
                raise CompileError(f"{path}: no such file")
            compiler.add_source(source)
        if compiler.errors:
            raise SchemaErrors(compiler.errors)
        return compiler.request()

    return _with_deep_stack(work)


#: Python stack depth and thread stack size for compiling.  Chains of declarations (a constant
#: defined by another constant, by another...; aliases of aliases; struct defaults nesting other
#: structs' defaults) are followed recursively, as in the reference, which has a C++ stack.
_STACKS = ((512 * 1024 * 1024, 60_000), (64 * 1024 * 1024, 7_000))

_T = TypeVar("_T")


def _with_deep_stack(work: Callable[[], _T]) -> _T:
    """Run ``work`` on a thread with a big stack and a high recursion limit; a schema that still
    recurses too deeply is refused with a :class:`CompileError`, never a RecursionError."""
    result: List[_T] = []
    failure: List[BaseException] = []

    def run() -> None:
        try:
            result.append(work())
        except RecursionError:
            failure.append(
                CompileError("declarations depend on each other too deeply to compile")
            )
        except BaseException as e:  # re-raised in the caller's thread
            failure.append(e)

    old_limit = sys.getrecursionlimit()
    for stack_bytes, limit in _STACKS:
        try:
            old_size = threading.stack_size(stack_bytes)
        except (ValueError, RuntimeError):  # a platform that cannot set stack sizes
            break
        try:
            thread = threading.Thread(target=run, name="purecap-compile")
            sys.setrecursionlimit(max(old_limit, limit))
            try:
                thread.start()
            except RuntimeError:  # no memory for such a stack: try a smaller one
                continue
            thread.join()
            break
        finally:
            sys.setrecursionlimit(old_limit)
            threading.stack_size(old_size)
    if not result and not failure:
        run()  # no thread could be had: here, within the usual limits
    if failure:
        raise failure[0]
    return result[0]


