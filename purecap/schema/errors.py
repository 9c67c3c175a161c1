"""Errors found in schema (``.capnp``) source text.

Every error names a place in a file the way the reference compiler does, ``file:line:col``, with
1-based lines and 1-based *byte* columns (capnp counts bytes of UTF-8, not characters).  A pass
that finds several problems raises one :class:`SchemaErrors` holding all of them, so a user sees
every mistake of a file at once instead of fixing them one per run.
"""

from __future__ import annotations

from typing import Iterable, List, Optional, Tuple

from purecap.errors import PurecapError

__all__ = ["SchemaError", "SchemaErrors"]


class SchemaError(PurecapError):
    """One error at one place of a schema file.

    ``str()`` gives ``file:line:col: error: message``, the reference compiler's format.  The
    optional ``end_line``/``end_col`` say where the offending text ends (exclusive), when known;
    they are informational and not part of ``str()``.
    """

    file: str
    line: int
    col: int
    message: str
    end_line: Optional[int]
    end_col: Optional[int]

    def __init__(
        self,
        file: str,
        line: int,
        col: int,
        message: str,
        end_line: Optional[int] = None,
        end_col: Optional[int] = None,
    ) -> None:
        # Passing every argument on keeps the exception picklable (pickle re-calls cls(*args)).
        super().__init__(file, line, col, message, end_line, end_col)
        self.file = file
        self.line = line
        self.col = col
        self.message = message
        self.end_line = end_line
        self.end_col = end_col

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: error: {self.message}"


class SchemaErrors(SchemaError):
    """All the errors found in a file (at least one), printed one per line.

    Its own ``file``/``line``/``col``/``message`` are those of the first error, so code that only
    cares about one error can treat it as a plain :class:`SchemaError`.
    """

    errors: List[SchemaError]

    def __init__(self, errors: Iterable[SchemaError]) -> None:
        errs = list(errors)
        if not errs:
            raise ValueError("SchemaErrors needs at least one error")
        first = errs[0]
        super().__init__(
            first.file, first.line, first.col, first.message, first.end_line, first.end_col
        )
        self.args = (errs,)
        self.errors = errs

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)

    def __reduce__(self) -> Tuple[type, Tuple[List[SchemaError]]]:
        return (type(self), (self.errors,))
