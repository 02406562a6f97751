"""Run one satchel transaction on an environment from a subprocess (so tests can kill it):

    python txdriver.py ENV_PYTHON [--add WHEEL]... [--remove NAME]... [--recover-only]
"""

from __future__ import annotations

import argparse
import os
import sys


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("python")
    parser.add_argument("--add", action="append", default=[])
    parser.add_argument("--remove", action="append", default=[])
    parser.add_argument("--recover-only", action="store_true")
    args = parser.parse_args()

    from satchel.cache.layout import Cache
    from satchel.environment.scan import scan
    from satchel.fetch.unpack import unpacked
    from satchel.install.lock import environment_lock
    from satchel.install.transaction import Destination, apply_changes, recover, state_dir
    from satchel.install.uninstall import removal_paths
    from satchel.interpreters.probe import probe

    cache = Cache.from_variables(os.environ)
    assert cache is not None
    info = probe(args.python, cache)
    target = Destination.of(info)
    wheels = [unpacked(cache, path) for path in args.add]
    with environment_lock(state_dir(info.prefix), say=lambda _text: print("waiting", file=sys.stderr)):
        for note in recover(info.prefix):
            print(note)
        if args.recover_only:
            return 0
        installed = scan(info.sys_path)
        remove = [dist for name in args.remove if (dist := installed.get(name)) is not None]
        print("applying", flush=True)
        apply_changes(target, wheels, remove, removal_paths=removal_paths)
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
