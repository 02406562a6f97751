"""`python -m satchel`: the same as the `satchel` command. A Ctrl-C is reported by `cli` even
while `cli.main` is still being imported (no traceback for it); this module writes nothing."""

import sys

if __name__ == "__main__":
    from satchel.cli import interrupted

    try:
        from satchel.cli.main import main

        code = main()
    except KeyboardInterrupt:
        code = interrupted()
    sys.exit(code)
