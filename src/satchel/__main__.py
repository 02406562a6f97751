"""`python -m satchel`: the same as the `satchel` command (`satchel.cli.entry`); this module
writes nothing."""

import sys

if __name__ == "__main__":
    from satchel.cli import entry

    sys.exit(entry())
