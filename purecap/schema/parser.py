"""Parser for ``.capnp`` schema files: source text to :mod:`purecap.schema.ast`.

It accepts the language of the reference compiler 0.9.2 (``compiler/parser.c++``) and works in
the same two steps:

1. **Statements.**  The token stream is cut into statements, each ending in ``;`` or in a
   ``{ ... }`` block holding more statements.  Brackets must balance inside a statement.
2. **Declarations.**  Each statement is parsed on its own, by the grammar of the scope it is in
   (file, struct/group/union, enum, interface), and must use all of its tokens.

A statement with an error is reported and skipped, and parsing goes on with the next one, so one
run reports every independent mistake of a file.  :func:`parse_file` raises them all together as
:class:`~purecap.schema.errors.SchemaErrors` and never raises anything else.

Grammar (``$ann`` stands for any number of annotations ``$ expr``)::

    file        = ( "@" INT ";"  |  "$" expr ";"  |  decl )*
    decl        = using | const | annotation | enum | struct | interface
    using       = "using" [ IDENT "=" ] expr ";"
    const       = "const" IDENT [uid] ":" expr "=" expr $ann ";"
    annotation  = "annotation" IDENT [uid] "(" target,* ")" ":" expr $ann ";"
    enum        = "enum" IDENT [uid] $ann "{" ( IDENT ordinal $ann ";" )* "}"
    struct      = "struct" IDENT [uid] [ "(" IDENT,* ")" ] $ann "{" member* "}"
    member      = IDENT ordinal ":" expr [ "=" expr ] $ann ";"                   (field)
                | IDENT ( ordinal ["!"] [":"] | ":" ) "union" $ann "{" member* "}"
                | "union" "{" member* "}"                                         (unnamed)
                | IDENT ":" "group" $ann "{" member* "}"
                | decl
    interface   = "interface" IDENT [uid] [ "(" IDENT,* ")" ] [ "extends" "(" expr,* ")" ] $ann
                  "{" ( method | decl )* "}"
    method      = IDENT ordinal [ "[" IDENT,* "]" ] params [ "->" params ] $ann ";"
    params      = "(" ( IDENT ":" expr [ "=" expr ] $ann ),* ")" | "stream" | expr
    expr        = base ( "." IDENT | "(" ( [ IDENT "=" ] expr ),* ")" )*
    base        = INT | "-" INT | FLOAT | "-" FLOAT | "-" "inf" | STRING+ | BINARY
                | "[" expr,* "]" | "(" ( [ IDENT "=" ] expr ),* ")"
                | "import" STRING | "embed" STRING | "." IDENT | IDENT
    uid         = "@" INT          ordinal = "@" INT

Lists allow one trailing comma.  ``(x)`` is just ``x``.  Keywords are ordinary identifiers, so a
field may be called ``struct``; where a statement could be read two ways the reference's order
of preference is kept (a member with an ordinal is a union only if ``union`` ends it).

Deliberate differences from the reference: error messages say what was expected instead of just
"Parse error." (and may point at a slightly different token); a bad token costs only its own
statement instead of the whole file; integer literals beyond 64 bits are errors instead of
wrapping around; nesting is limited to :data:`MAX_NESTING`.
"""

from __future__ import annotations

import enum
import secrets
from typing import Callable, Dict, List, Optional, Set, Tuple, TypeVar, Union

from purecap.schema import ast
from purecap.schema.errors import SchemaError, SchemaErrors
from purecap.schema.lexer import LexResult, Token, TokenKind, lex

__all__ = ["parse_file", "parse_file_with_errors", "MAX_NESTING"]

#: How deeply blocks may nest, and separately brackets within one statement.  Real schemas stay
#: far below; the limit keeps hostile input from exhausting Python's stack.
MAX_NESTING = 64

_T = TypeVar("_T")

_IDENT = TokenKind.IDENT
_OP = TokenKind.OP
_INT = TokenKind.INT
_FLOAT = TokenKind.FLOAT
_STRING = TokenKind.STRING
_LPAREN = TokenKind.LPAREN
_RPAREN = TokenKind.RPAREN
_LBRACKET = TokenKind.LBRACKET
_RBRACKET = TokenKind.RBRACKET
_LBRACE = TokenKind.LBRACE
_RBRACE = TokenKind.RBRACE
_COMMA = TokenKind.COMMA
_SEMI = TokenKind.SEMI

_DECL_KEYWORDS = frozenset(("using", "const", "annotation", "enum", "struct", "interface"))

# The reference's wording, kept so users can search for it.
_MSG_UNION_EXCLAMATION = (
    "As of Cap'n Proto v0.3, it is no longer necessary to assign numbers to unions. However, "
    "removing the number will break binary compatibility. If this is an old protocol and you "
    "need to retain compatibility, please add an exclamation point after the number to indicate "
    "that it is really needed, e.g. `foo @1! :union {`. If this is a new protocol or "
    "compatibility doesn't matter, just remove the @n entirely. Sorry for the inconvenience, "
    "and thanks for being an early adopter!  :)"
)
_MSG_UNION_COLON = (
    "As of Cap'n Proto v0.3, the 'union' keyword should be prefixed with a colon for named "
    "unions, e.g. `foo :union {`."
)
_MSG_USING_NO_NAME = (
    "'using' declaration without '=' must specify a named declaration from a different scope."
)
_MSG_INVALID_ID = "Invalid ID.  Please generate a new one with 'capnpc -i'."


class _Scope(enum.Enum):
    """Which grammar a statement is parsed with: that of the block it appears in."""

    FILE = 1
    STRUCT = 2  # also groups and unions
    ENUM = 3
    INTERFACE = 4


# The grammar of the block of each kind of declaration; kinds missing here take no block.
_BLOCK_SCOPE: Dict[type, _Scope] = {
    ast.Struct: _Scope.STRUCT,
    ast.Group: _Scope.STRUCT,
    ast.Union: _Scope.STRUCT,
    ast.Enum: _Scope.ENUM,
    ast.Interface: _Scope.INTERFACE,
}


class _Stmt:
    """A statement: tokens ``[first, stop)`` of the file, then ``term`` (``;`` or ``{``).

    ``block`` holds the statements of a ``{ ... }`` block.  ``start``/``end`` are the byte range
    the reference gives the declaration: first token to the end of the terminator's doc comment.
    ``bad`` marks a statement whose error is already reported, to be skipped.
    """

    __slots__ = ("first", "stop", "term", "block", "doc", "start", "end", "bad")

    def __init__(
        self,
        first: int,
        stop: int,
        term: Token,
        block: Optional[List[_Stmt]],
        doc: Optional[str],
        start: int,
        end: int,
        bad: bool,
    ) -> None:
        self.first = first
        self.stop = stop
        self.term = term
        self.block = block
        self.doc = doc
        self.start = start
        self.end = end
        self.bad = bad


class _Fail(Exception):
    """A syntax error that ends the current statement."""

    def __init__(self, start: int, end: int, message: str) -> None:
        super().__init__(message)
        self.start = start
        self.end = end
        self.message = message


class _TooDeep(Exception):
    """Blocks nest beyond :data:`MAX_NESTING`; the file is not parsed further."""


_Parsed = Union[ast.Decl, ast.LocatedInt, ast.AnnotationApplication]


def parse_file(
    source: Union[str, bytes], filename: str, *, require_id: bool = True
) -> ast.File:
    """Parse a whole schema file.

    ``source`` is the file's text (or its raw bytes, to get the reference's handling of
    non-UTF-8 input).  ``filename`` is only used in error messages.  Raises
    :class:`SchemaErrors` listing every error found, in source order.  With ``require_id`` (the
    default) a file without an ``@0x...;`` ID is an error, as in the reference, whose message
    suggests a fresh random ID.
    """
    lexed = lex(source, filename)
    if lexed.fatal:
        raise SchemaErrors(lexed.errors)
    return _Parser(lexed, filename).run(require_id)


def parse_file_with_errors(
    source: Union[str, bytes], filename: str, *, require_id: bool = True
) -> Tuple[Optional[ast.File], List[SchemaError]]:
    """Like :func:`parse_file`, but returns the tree of everything that did parse together with
    the errors (sorted by position), as the reference compiler does before it goes on to compile
    the good statements.  The tree is None only when nothing could be parsed at all."""
    lexed = lex(source, filename)
    if lexed.fatal:
        return None, list(lexed.errors)
    parser = _Parser(lexed, filename)
    try:
        return parser.run(require_id), []
    except SchemaErrors as e:
        return parser.partial, list(e.errors)


class _Parser:
    def __init__(self, lexed: LexResult, filename: str) -> None:
        self.data = lexed.data
        self.toks = lexed.tokens
        self.lines = lexed.line_map
        self.filename = filename
        self.errors: List[SchemaError] = list(lexed.errors)
        self.imports: List[ast.ImportExpr] = []
        self.partial: Optional[ast.File] = None  # what parsed, even if there were errors
        # The statement being parsed: tokens [pos, stop), terminator at toks[stop].
        self.pos = 0
        self.stop = 0

    # ---------------------------------------------------------------------------------------------
    # Errors and positions

    def _report(self, start: int, end: int, message: str) -> None:
        span = self.lines.span(start, end)
        self.errors.append(
            SchemaError(
                self.filename, span.line, span.col, message, span.end_line, span.end_col
            )
        )

    def _raise_errors(self) -> None:
        if self.errors:
            self.errors.sort(key=lambda e: (e.line, e.col))
            raise SchemaErrors(self.errors)

    def _span(self, first: int, stop: int) -> ast.Span:
        """The span of tokens ``[first, stop)`` (non-empty)."""
        return self.lines.span(self.toks[first].start, self.toks[stop - 1].end)

    def _tok_span(self, tok: Token) -> ast.Span:
        return self.lines.span(tok.start, tok.end)

    def _describe(self, i: int) -> str:
        if i >= self.stop:
            return "end of declaration"
        tok = self.toks[i]
        kind = tok.kind
        if kind is _IDENT:
            return f"'{tok.value!s}'"
        if kind is _OP:
            return f"operator '{tok.value!s}'"
        if kind is _INT or kind is _FLOAT:
            return f"number {self.data[tok.start:tok.end].decode('ascii')}"
        return kind.value

    def _fail(self, expected: str) -> _Fail:
        """The error for finding something other than ``expected`` at the current token."""
        tok = self.toks[min(self.pos, self.stop)]
        found = self._describe(self.pos)
        if tok.kind is _OP and len(str(tok.value)) > 1 and self.pos < self.stop:
            # Operators are maximal runs of operator characters, so `=-1` is `=-` then `1`.
            found += " (separate operators with spaces)"
        return _Fail(tok.start, tok.end, f"Parse error: expected {expected}, found {found}.")

    # ---------------------------------------------------------------------------------------------
    # Token helpers.  Past the end of the statement they see its terminator, which no rule accepts.

    def _peek(self, ahead: int = 0) -> Token:
        i = self.pos + ahead
        return self.toks[i if i < self.stop else self.stop]

    def _at_op(self, text: str, ahead: int = 0) -> bool:
        tok = self._peek(ahead)
        return tok.kind is _OP and tok.value == text

    def _at_keyword(self, word: str, ahead: int = 0) -> bool:
        tok = self._peek(ahead)
        return tok.kind is _IDENT and tok.value == word

    def _expect_op(self, text: str, expected: str) -> None:
        if not self._at_op(text):
            raise self._fail(expected)
        self.pos += 1

    def _ident(self, expected: str) -> Tuple[str, ast.Span]:
        tok = self._peek()
        if tok.kind is not _IDENT:
            raise self._fail(expected)
        self.pos += 1
        return str(tok.value), self._tok_span(tok)

    def _end(self, expected: str) -> None:
        if self.pos < self.stop:
            raise self._fail(expected)

    # ---------------------------------------------------------------------------------------------
    # Step 1: statements

    def _statements(self) -> List[_Stmt]:
        """Cut the tokens into a tree of statements, reporting unbalanced brackets and braces."""
        toks = self.toks
        top: List[_Stmt] = []
        current = top
        # Per open block: (enclosing statement list, index of '{', first token, bad).
        blocks: List[Tuple[List[_Stmt], int, int, bool]] = []
        opens: List[int] = []  # indices of unclosed '(' and '['
        first = 0
        bad = False
        for i, tok in enumerate(toks):
            kind = tok.kind
            if kind is _LPAREN or kind is _LBRACKET:
                opens.append(i)
                if len(opens) > MAX_NESTING and not bad:
                    self._report(
                        tok.start,
                        tok.end,
                        f"Parse error: brackets nested too deeply (the limit is {MAX_NESTING}).",
                    )
                    bad = True
            elif kind is _RPAREN or kind is _RBRACKET:
                opener = _LPAREN if kind is _RPAREN else _LBRACKET
                if opens and toks[opens[-1]].kind is opener:
                    opens.pop()
                else:
                    if not bad:
                        self._report(tok.start, tok.end, f"Parse error: unmatched {kind.value}.")
                    bad = True
            elif kind is TokenKind.ERROR:
                bad = True  # reported by the lexer
            elif kind is _SEMI or kind is _LBRACE or kind is _RBRACE or kind is TokenKind.EOF:
                if opens:
                    if not bad:
                        tok_open = toks[opens[-1]]
                        self._report(
                            tok_open.start,
                            tok_open.end,
                            f"Parse error: unmatched {tok_open.kind.value}.",
                        )
                    bad = True
                    opens.clear()
                start = toks[first].start if first < i else tok.start
                if kind is _SEMI:
                    current.append(_Stmt(first, i, tok, None, tok.doc, start, tok.doc_end, bad))
                elif kind is _LBRACE:
                    if len(blocks) >= MAX_NESTING:
                        self._report(
                            tok.start,
                            tok.end,
                            f"Parse error: blocks nested too deeply (the limit is {MAX_NESTING}).",
                        )
                        raise _TooDeep()
                    blocks.append((current, i, first, bad))
                    current = []
                else:
                    if first < i and not bad:
                        end = toks[i - 1].end
                        self._report(
                            end, end, "Parse error: expected ';' or '{' to end the declaration."
                        )
                    if kind is _RBRACE:
                        if blocks:
                            current = self._close_block(blocks.pop(), current, tok)
                        else:
                            self._report(tok.start, tok.end, "Parse error: unmatched '}'.")
                    elif blocks:
                        brace = toks[blocks[-1][1]]
                        self._report(
                            brace.start, brace.end, "Parse error: this '{' is never closed."
                        )
                        while blocks:
                            current = self._close_block(blocks.pop(), current, tok)
                first = i + 1
                bad = False
        return top

    def _close_block(
        self, opened: Tuple[List[_Stmt], int, int, bool], body: List[_Stmt], close: Token
    ) -> List[_Stmt]:
        """Add the block statement that ``close`` ends to its enclosing list, and return that."""
        outer, brace_index, first, bad = opened
        brace = self.toks[brace_index]
        # The comment after '{' documents the declaration; failing that, the one after '}'.
        doc = brace.doc if brace.doc is not None else close.doc
        start = self.toks[first].start if first < brace_index else brace.start
        outer.append(_Stmt(first, brace_index, brace, body, doc, start, close.doc_end, bad))
        return outer

    # ---------------------------------------------------------------------------------------------
    # Step 2: declarations

    def run(self, require_id: bool) -> ast.File:
        try:
            statements = self._statements()
        except _TooDeep:
            raise SchemaErrors(sorted(self.errors, key=lambda e: (e.line, e.col))) from None
        file_id: Optional[ast.LocatedInt] = None
        doc: Optional[str] = None
        annotations: List[ast.AnnotationApplication] = []
        decls: List[ast.Decl] = []
        for stmt in statements:
            parsed = self._statement(stmt, _Scope.FILE)
            if isinstance(parsed, ast.LocatedInt):
                if file_id is not None:
                    self._report(stmt.start, stmt.end, "File can only have one ID.")
                else:
                    file_id = parsed
                    doc = stmt.doc
            elif isinstance(parsed, ast.AnnotationApplication):
                annotations.append(parsed)
            elif parsed is not None:
                decls.append(parsed)
        if file_id is None and require_id and not self.errors:
            # As the reference does, but only when nothing else is wrong: a syntax error often
            # hides the ID that is really there.
            new_id = secrets.randbits(64) | (1 << 63)
            self._report(
                0,
                0,
                "File does not declare an ID.  I've generated one for you.  Add this line to "
                f"your file: @0x{new_id:x};",
            )
        self.partial = ast.File(
            span=self.lines.span(0, len(self.data)),
            filename=self.filename,
            id=file_id,
            doc_comment=doc,
            annotations=annotations,
            nested_decls=decls,
            imports=self.imports,
        )
        self._raise_errors()
        return self.partial

    def _block(self, statements: List[_Stmt], scope: _Scope) -> List[ast.Decl]:
        decls: List[ast.Decl] = []
        for stmt in statements:
            parsed = self._statement(stmt, scope)
            if isinstance(parsed, ast.Decl):
                decls.append(parsed)
        return decls

    def _statement(self, stmt: _Stmt, scope: _Scope) -> Optional[_Parsed]:
        """Parse one statement (and its block), or report why not and return None."""
        if stmt.bad:
            return None
        self.pos = stmt.first
        self.stop = stmt.stop
        try:
            if stmt.first == stmt.stop and stmt.term.kind is _SEMI:
                raise _Fail(
                    stmt.term.start,
                    stmt.term.end,
                    "Parse error: empty declaration (no ';' is needed after '}').",
                )
            if scope is _Scope.FILE:
                parsed = self._file_statement(stmt)
            elif scope is _Scope.STRUCT:
                parsed = self._struct_member(stmt)
            elif scope is _Scope.ENUM:
                parsed = self._enumerant(stmt)
            else:
                parsed = self._interface_member(stmt)
        except _Fail as e:
            self._report(e.start, e.end, e.message)
            return None
        block_scope = _BLOCK_SCOPE.get(type(parsed)) if isinstance(parsed, ast.Decl) else None
        if stmt.block is None:
            if block_scope is not None:
                self._report(
                    stmt.start, stmt.end, "This statement should end with a block, not a semicolon."
                )
        elif block_scope is None:
            self._report(
                stmt.start, stmt.end, "This statement should end with a semicolon, not a block."
            )
        elif isinstance(parsed, ast.Decl):
            parsed.nested_decls = self._block(stmt.block, block_scope)
        return parsed

    # --- what each scope allows

    def _file_statement(self, stmt: _Stmt) -> _Parsed:
        if self._at_op("@"):
            uid = self._uid()
            self._end("';' after the file ID")
            return uid
        if self._at_op("$"):
            annotation = self._annotation()
            self._end("';' after the file annotation")
            return annotation
        if self._peek().kind is _IDENT and self._peek().value in _DECL_KEYWORDS:
            return self._decl(stmt)
        raise self._fail("a declaration (struct, enum, interface, const, annotation or using)")

    def _struct_member(self, stmt: _Stmt) -> ast.Decl:
        tok = self._peek()
        if tok.kind is _IDENT:
            if self._at_op("@", 1):
                return self._field_or_union(stmt)
            if self._at_op(":", 1):
                return self._union_or_group(stmt)
            if tok.value == "union" and self.stop - self.pos == 1:
                self.pos += 1
                return ast.Union(
                    span=self.lines.span(stmt.start, stmt.end),
                    name="",
                    name_span=self._tok_span(tok),
                    doc_comment=stmt.doc,
                    annotations=[],
                    nested_decls=[],
                    ordinal=None,
                )
            if tok.value in _DECL_KEYWORDS:
                return self._decl(stmt)
            self.pos += 1
            if tok.value == "union":
                raise self._fail("'{' (an unnamed union takes no ordinal or annotations)")
            raise self._fail("an ordinal ('@N') or ':' after the member name")
        raise self._fail("a field, union, group or nested declaration")

    def _enumerant(self, stmt: _Stmt) -> ast.Decl:
        if self._peek().kind is not _IDENT or not self._at_op("@", 1):
            if self._peek().kind is _IDENT:
                self.pos += 1
                raise self._fail("an ordinal ('@N') after the enumerant name")
            raise self._fail("an enumerant ('name @N;')")
        name, name_span = self._ident("an enumerant name")
        ordinal = self._ordinal()
        annotations = self._annotations()
        self._end("an annotation or ';'")
        return ast.Enumerant(
            span=self.lines.span(stmt.start, stmt.end),
            name=name,
            name_span=name_span,
            doc_comment=stmt.doc,
            annotations=annotations,
            nested_decls=[],
            ordinal=ordinal,
        )

    def _interface_member(self, stmt: _Stmt) -> ast.Decl:
        tok = self._peek()
        if tok.kind is _IDENT:
            if self._at_op("@", 1):
                return self._method(stmt)
            if tok.value in _DECL_KEYWORDS:
                return self._decl(stmt)
            self.pos += 1
            raise self._fail("an ordinal ('@N') after the method name")
        raise self._fail("a method or nested declaration")

    # --- declarations allowed in every scope

    def _decl(self, stmt: _Stmt) -> ast.Decl:
        keyword = self._peek().value
        self.pos += 1
        if keyword == "using":
            return self._using(stmt)
        if keyword == "const":
            return self._const(stmt)
        if keyword == "annotation":
            return self._annotation_decl(stmt)
        if keyword == "enum":
            return self._enum(stmt)
        if keyword == "struct":
            return self._struct(stmt)
        return self._interface(stmt)

    def _using(self, stmt: _Stmt) -> ast.Decl:
        name: Optional[str] = None
        name_span: Optional[ast.Span] = None
        if self._peek().kind is _IDENT and self._at_op("=", 1):
            name, name_span = self._ident("a name")
            self.pos += 1
        target = self._expr()
        self._end("';' after the 'using' target")
        if name is None or name_span is None:
            if isinstance(target, ast.MemberExpr):
                name, name_span = target.name, target.name_span
            else:
                self._report(target.span.start, target.span.end, _MSG_USING_NO_NAME)
                name, name_span = "", target.span
        return ast.Using(
            span=self.lines.span(stmt.start, stmt.end),
            name=name,
            name_span=name_span,
            doc_comment=stmt.doc,
            annotations=[],
            nested_decls=[],
            target=target,
        )

    def _const(self, stmt: _Stmt) -> ast.Decl:
        name, name_span = self._ident("the constant's name")
        uid = self._uid() if self._at_op("@") else None
        self._expect_op(":", "':' and the constant's type")
        type_ = self._expr()
        self._expect_op("=", "'=' and the constant's value")
        value = self._expr()
        annotations = self._annotations()
        self._end("an annotation or ';'")
        return ast.Const(
            span=self.lines.span(stmt.start, stmt.end),
            name=name,
            name_span=name_span,
            doc_comment=stmt.doc,
            annotations=annotations,
            nested_decls=[],
            id=uid,
            type=type_,
            value=value,
        )

    def _annotation_decl(self, stmt: _Stmt) -> ast.Decl:
        name, name_span = self._ident("the annotation's name")
        uid = self._uid() if self._at_op("@") else None
        if self._peek().kind is not _LPAREN:
            raise self._fail("'(' and the annotation's targets")
        raw_targets = self._comma_list(_RPAREN, self._annotation_target)
        targets = self._check_targets(raw_targets)
        self._expect_op(":", "':' and the annotation's type")
        type_ = self._expr()
        annotations = self._annotations()
        self._end("an annotation or ';'")
        return ast.AnnotationDecl(
            span=self.lines.span(stmt.start, stmt.end),
            name=name,
            name_span=name_span,
            doc_comment=stmt.doc,
            annotations=annotations,
            nested_decls=[],
            id=uid,
            targets=targets,
            type=type_,
        )

    def _annotation_target(self) -> Tuple[str, ast.Span]:
        if self._at_op("*"):
            tok = self._peek()
            self.pos += 1
            return "*", self._tok_span(tok)
        return self._ident("an annotation target (e.g. 'struct', 'field' or '*')")

    def _check_targets(self, raw: List[Tuple[str, ast.Span]]) -> List[str]:
        chosen: Set[str] = set()
        for target, span in raw:
            if target == "*":
                if len(raw) > 1:
                    self._report(
                        span.start,
                        span.end,
                        "Wildcard should not be specified together with other targets.",
                    )
                chosen.update(ast.ANNOTATION_TARGETS)
            elif target not in ast.ANNOTATION_TARGETS:
                self._report(span.start, span.end, "Not a valid annotation target.")
            elif target in chosen:
                self._report(span.start, span.end, "Duplicate target specification.")
            else:
                chosen.add(target)
        return [t for t in ast.ANNOTATION_TARGETS if t in chosen]

    def _enum(self, stmt: _Stmt) -> ast.Decl:
        name, name_span = self._ident("the enum's name")
        uid = self._uid() if self._at_op("@") else None
        annotations = self._annotations()
        self._end("an annotation or '{'")
        return ast.Enum(
            span=self.lines.span(stmt.start, stmt.end),
            name=name,
            name_span=name_span,
            doc_comment=stmt.doc,
            annotations=annotations,
            nested_decls=[],
            id=uid,
        )

    def _struct(self, stmt: _Stmt) -> ast.Decl:
        name, name_span = self._ident("the struct's name")
        uid = self._uid() if self._at_op("@") else None
        params = self._generic_params(_RPAREN) if self._peek().kind is _LPAREN else []
        annotations = self._annotations()
        self._end("an annotation or '{'")
        return ast.Struct(
            span=self.lines.span(stmt.start, stmt.end),
            name=name,
            name_span=name_span,
            doc_comment=stmt.doc,
            annotations=annotations,
            nested_decls=[],
            id=uid,
            generic_params=params,
        )

    def _interface(self, stmt: _Stmt) -> ast.Decl:
        name, name_span = self._ident("the interface's name")
        uid = self._uid() if self._at_op("@") else None
        params = self._generic_params(_RPAREN) if self._peek().kind is _LPAREN else []
        superclasses: List[ast.Expr] = []
        if self._at_keyword("extends"):
            self.pos += 1
            if self._peek().kind is not _LPAREN:
                raise self._fail("'(' and the superclasses after 'extends'")
            superclasses = self._comma_list(_RPAREN, self._expr)
        annotations = self._annotations()
        self._end("an annotation or '{'")
        return ast.Interface(
            span=self.lines.span(stmt.start, stmt.end),
            name=name,
            name_span=name_span,
            doc_comment=stmt.doc,
            annotations=annotations,
            nested_decls=[],
            id=uid,
            generic_params=params,
            superclasses=superclasses,
        )

    # --- struct members

    def _field_or_union(self, stmt: _Stmt) -> ast.Decl:
        """``name @N ...``: a field, or a union with a retroactive ordinal."""
        name, name_span = self._ident("a member name")
        ordinal = self._ordinal()
        bang = self.pos if self._at_op("!") else -1
        if bang >= 0:
            self.pos += 1
        colon = self._at_op(":")
        if colon:
            self.pos += 1
        # A union only if `union` ends the statement but for annotations; else `union` is a type.
        if self._at_keyword("union") and (self.pos + 1 == self.stop or self._at_op("$", 1)):
            o = ordinal.span
            if bang < 0:
                self._report(o.start, o.end, _MSG_UNION_EXCLAMATION)
            if not colon:
                self._report(o.start, o.end, _MSG_UNION_COLON)
            self.pos += 1
            annotations = self._annotations()
            self._end("an annotation or '{'")
            return ast.Union(
                span=self.lines.span(stmt.start, stmt.end),
                name=name,
                name_span=name_span,
                doc_comment=stmt.doc,
                annotations=annotations,
                nested_decls=[],
                ordinal=ordinal,
            )
        if bang >= 0:
            tok = self.toks[bang]
            raise _Fail(
                tok.start, tok.end, "Parse error: '!' may only follow the ordinal of a union."
            )
        if not colon:
            raise self._fail("':' and the field's type")
        type_ = self._expr()
        default: Optional[ast.Expr] = None
        if self._at_op("="):
            self.pos += 1
            default = self._expr()
        annotations = self._annotations()
        self._end("'=', an annotation or ';'" if default is None else "an annotation or ';'")
        return ast.Field(
            span=self.lines.span(stmt.start, stmt.end),
            name=name,
            name_span=name_span,
            doc_comment=stmt.doc,
            annotations=annotations,
            nested_decls=[],
            ordinal=ordinal,
            type=type_,
            default=default,
        )

    def _union_or_group(self, stmt: _Stmt) -> ast.Decl:
        """``name :union ...`` or ``name :group ...``."""
        name, name_span = self._ident("a member name")
        self.pos += 1  # ':'
        is_union = self._at_keyword("union")
        if not is_union and not self._at_keyword("group"):
            raise self._fail("'union' or 'group' (a field needs an ordinal: 'name @N :Type')")
        self.pos += 1
        annotations = self._annotations()
        self._end("an annotation or '{'")
        span = self.lines.span(stmt.start, stmt.end)
        if is_union:
            return ast.Union(
                span=span,
                name=name,
                name_span=name_span,
                doc_comment=stmt.doc,
                annotations=annotations,
                nested_decls=[],
                ordinal=None,
            )
        return ast.Group(
            span=span,
            name=name,
            name_span=name_span,
            doc_comment=stmt.doc,
            annotations=annotations,
            nested_decls=[],
        )

    # --- interface members

    def _method(self, stmt: _Stmt) -> ast.Decl:
        name, name_span = self._ident("a method name")
        ordinal = self._ordinal()
        implicit = self._generic_params(_RBRACKET) if self._peek().kind is _LBRACKET else []
        params = self._param_list("the parameters: '(...)', a struct type or 'stream'")
        results: Optional[ast.ParamList] = None
        if self._at_op("->"):
            self.pos += 1
            results = self._param_list("the results: '(...)', a struct type or 'stream'")
        annotations = self._annotations()
        self._end("'->', an annotation or ';'" if results is None else "an annotation or ';'")
        return ast.Method(
            span=self.lines.span(stmt.start, stmt.end),
            name=name,
            name_span=name_span,
            doc_comment=stmt.doc,
            annotations=annotations,
            nested_decls=[],
            ordinal=ordinal,
            implicit_params=implicit,
            params=params,
            results=results,
        )

    def _param_list(self, expected: str) -> ast.ParamList:
        first = self.pos
        tok = self._peek()
        if tok.kind is _LPAREN:
            params = self._comma_list(_RPAREN, self._param)
            return ast.InlineParams(span=self._span(first, self.pos), params=params)
        if tok.kind is _IDENT and tok.value == "stream":
            self.pos += 1
            return ast.StreamParams(span=self._tok_span(tok))
        if self.pos >= self.stop:
            raise self._fail(expected)
        type_ = self._expr()
        return ast.TypeParams(span=type_.span, type=type_)

    def _param(self) -> ast.Param:
        first = self.pos
        name, name_span = self._ident("a parameter name")
        self._expect_op(":", "':' and the parameter's type")
        type_ = self._expr()
        default: Optional[ast.Expr] = None
        if self._at_op("="):
            self.pos += 1
            default = self._expr()
        annotations = self._annotations()
        return ast.Param(
            span=self._span(first, self.pos),
            name=name,
            name_span=name_span,
            type=type_,
            default=default,
            annotations=annotations,
        )

    # --- pieces

    def _uid(self) -> ast.LocatedInt:
        value = self._at_sign_int("a 64-bit ID after '@' (e.g. @0xdbb9ad1f14bf0b36)")
        if value.value < (1 << 63):
            self._report(value.span.start, value.span.end, _MSG_INVALID_ID)
        return value

    def _ordinal(self) -> ast.LocatedInt:
        value = self._at_sign_int("an ordinal number after '@'")
        if value.value >= 65536:
            self._report(
                value.span.start, value.span.end, "Ordinals cannot be greater than 65535."
            )
        return value

    def _at_sign_int(self, expected: str) -> ast.LocatedInt:
        self._expect_op("@", expected)
        tok = self._peek()
        if tok.kind is not _INT:
            raise self._fail(expected)
        self.pos += 1
        assert isinstance(tok.value, int)
        return ast.LocatedInt(span=self._tok_span(tok), value=tok.value)

    def _generic_params(self, close: TokenKind) -> List[ast.GenericParam]:
        def param() -> ast.GenericParam:
            name, span = self._ident("a generic parameter name")
            return ast.GenericParam(span=span, name=name)

        return self._comma_list(close, param)

    def _annotations(self) -> List[ast.AnnotationApplication]:
        annotations = []
        while self._at_op("$"):
            annotations.append(self._annotation())
        return annotations

    def _annotation(self) -> ast.AnnotationApplication:
        """``$ expr``, where a trailing ``(...)`` of the expression is the value."""
        first = self.pos
        self.pos += 1  # '$'
        expr = self._expr()
        name: ast.Expr = expr
        value: Optional[ast.Expr] = None
        if isinstance(expr, ast.ApplicationExpr):
            name = expr.function
            params = expr.params
            if len(params) == 1 and params[0].name is None:
                value = params[0].value
            else:
                value = ast.TupleExpr(span=expr.params_span, params=params)
        return ast.AnnotationApplication(span=self._span(first, self.pos), name=name, value=value)

    def _comma_list(self, close: TokenKind, item: Callable[[], _T]) -> List[_T]:
        """Items between the bracket at the current token and its partner ``close``.

        One trailing comma is allowed; empty items are not.  (Brackets are known to balance.)
        """
        self.pos += 1
        items: List[_T] = []
        if self._peek().kind is close:
            self.pos += 1
            return items
        while True:
            kind = self._peek().kind
            if kind is _COMMA or kind is close:
                raise self._fail("a list item")
            items.append(item())
            kind = self._peek().kind
            if kind is _COMMA:
                self.pos += 1
                if self._peek().kind is close:
                    self.pos += 1
                    return items
            elif kind is close:
                self.pos += 1
                return items
            else:
                raise self._fail(f"',' or {close.value}")

    # ---------------------------------------------------------------------------------------------
    # Expressions

    def _expr(self) -> ast.Expr:
        first = self.pos
        expr = self._base_expr()
        toks = self.toks
        while self.pos < self.stop:
            tok = toks[self.pos]
            if tok.kind is _OP and tok.value == ".":
                self.pos += 1
                name, name_span = self._ident("a member name after '.'")
                expr = ast.MemberExpr(
                    span=self._span(first, self.pos), parent=expr, name=name, name_span=name_span
                )
            elif tok.kind is _LPAREN:
                params_first = self.pos
                params = self._comma_list(_RPAREN, self._tuple_param)
                expr = ast.ApplicationExpr(
                    span=self._span(first, self.pos),
                    function=expr,
                    params=params,
                    params_span=self._span(params_first, self.pos),
                )
            else:
                break
        return expr

    def _base_expr(self) -> ast.Expr:
        tok = self._peek()
        kind = tok.kind
        first = self.pos
        if self.pos >= self.stop:
            raise self._fail("an expression")
        if kind is _INT:
            self.pos += 1
            assert isinstance(tok.value, int)
            return ast.IntExpr(span=self._tok_span(tok), value=tok.value, negative=False)
        if kind is _FLOAT:
            self.pos += 1
            assert isinstance(tok.value, float)
            return ast.FloatExpr(span=self._tok_span(tok), value=tok.value)
        if kind is _STRING:
            parts = []
            while self._peek().kind is _STRING:
                parts.append(str(self.toks[self.pos].value))
                self.pos += 1
            return ast.StringExpr(span=self._span(first, self.pos), value="".join(parts))
        if kind is TokenKind.BINARY:
            self.pos += 1
            assert isinstance(tok.value, bytes)
            return ast.BinaryExpr(span=self._tok_span(tok), value=tok.value)
        if kind is _LBRACKET:
            elements = self._comma_list(_RBRACKET, self._expr)
            return ast.ListExpr(span=self._span(first, self.pos), elements=elements)
        if kind is _LPAREN:
            params = self._comma_list(_RPAREN, self._tuple_param)
            if len(params) == 1 and params[0].name is None:
                return params[0].value  # just a parenthesised expression
            return ast.TupleExpr(span=self._span(first, self.pos), params=params)
        if kind is _OP:
            if tok.value == "-":
                return self._negative()
            if tok.value == ".":
                self.pos += 1
                name, name_span = self._ident("a name after '.'")
                return ast.AbsoluteNameExpr(
                    span=self._span(first, self.pos), name=name, name_span=name_span
                )
        if kind is _IDENT:
            self.pos += 1
            nxt = self._peek()
            if (tok.value == "import" or tok.value == "embed") and nxt.kind is _STRING:
                self.pos += 1
                span = self._span(first, self.pos)
                path = str(nxt.value)
                if tok.value == "embed":
                    return ast.EmbedExpr(span=span, path=path, path_span=self._tok_span(nxt))
                imported = ast.ImportExpr(span=span, path=path, path_span=self._tok_span(nxt))
                self.imports.append(imported)
                return imported
            return ast.NameExpr(span=self._tok_span(tok), name=str(tok.value))
        raise self._fail("an expression")

    def _negative(self) -> ast.Expr:
        first = self.pos
        self.pos += 1  # '-'
        tok = self._peek()
        if self.pos < self.stop:
            if tok.kind is _INT:
                self.pos += 1
                assert isinstance(tok.value, int)
                return ast.IntExpr(span=self._span(first, self.pos), value=-tok.value, negative=True)
            if tok.kind is _FLOAT:
                self.pos += 1
                assert isinstance(tok.value, float)
                return ast.FloatExpr(span=self._span(first, self.pos), value=-tok.value)
            if tok.kind is _IDENT and tok.value == "inf":
                self.pos += 1
                return ast.FloatExpr(span=self._span(first, self.pos), value=float("-inf"))
        raise self._fail("a number or 'inf' after '-'")

    def _tuple_param(self) -> ast.TupleParam:
        first = self.pos
        name: Optional[str] = None
        name_span: Optional[ast.Span] = None
        if self._peek().kind is _IDENT and self._at_op("=", 1):
            name, name_span = self._ident("a name")
            self.pos += 1
        value = self._expr()
        return ast.TupleParam(
            span=self._span(first, self.pos), name=name, name_span=name_span, value=value
        )
