"""`python -m satchel`: the same as the `satchel` command."""

import sys

from satchel.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
