"""purecap: Cap'n Proto - wire format, schema language and RPC - in pure, typed Python."""

from __future__ import annotations

from purecap.errors import PurecapError

__version__ = "0.1.0"

__all__ = ["PurecapError", "__version__"]
