"""purecap: Cap'n Proto - wire format, schema language and RPC - in pure, typed Python."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from purecap.errors import PurecapError

if TYPE_CHECKING:
    from purecap.dynamic.loader import (
        add_import_hook as add_import_hook,
        load as load,
        load_request as load_request,
        remove_import_hook as remove_import_hook,
    )

__version__ = "0.1.0"

__all__ = [
    "PurecapError",
    "__version__",
    "load",
    "load_request",
    "add_import_hook",
    "remove_import_hook",
]

# The dynamic API is imported on first use (PEP 562), so that `import purecap` stays cheap for
# code that only needs the wire layer.
_LAZY = frozenset(("load", "load_request", "add_import_hook", "remove_import_hook"))


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from purecap.dynamic import loader

        return getattr(loader, name)
    raise AttributeError(f"module 'purecap' has no attribute {name!r}")
