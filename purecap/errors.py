"""The root of every exception purecap raises on purpose.

Each layer defines its own family below :class:`PurecapError` (``purecap.wire.errors`` for
decoding and building messages, ``purecap.schema.errors`` for schema files), so a caller can catch
everything purecap signals with one ``except PurecapError``.
"""

from __future__ import annotations

__all__ = ["PurecapError"]


class PurecapError(Exception):
    """Base class of all purecap errors."""
