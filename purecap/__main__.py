"""``python -m purecap``: the command line (see :mod:`purecap.cli`)."""

from __future__ import annotations

import sys

from purecap.cli import main

if __name__ == "__main__":
    sys.exit(main())
