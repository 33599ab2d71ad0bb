"""The `hginv` command line: parses options, calls the library, prints.

One module per command group; heavy modules (pandas, openpyxl) are imported inside the
commands so that `hginv --help` stays fast.
"""

from hginventory.cli import batch, factors, inventory, trend  # noqa: F401  (registers the commands)
from hginventory.cli.common import main

__all__ = ["main"]

if __name__ == "__main__":  # pragma: no cover
    main()
