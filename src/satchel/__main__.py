"""`python -m satchel`: the same as the `satchel` command."""

import sys

if __name__ == "__main__":
    try:
        from satchel.cli.main import main

        code = main()
    except KeyboardInterrupt:  # also while still importing: no traceback for a Ctrl-C
        sys.stderr.write("\nInterrupted; nothing was left half-done.\n")
        code = 130
    sys.exit(code)
