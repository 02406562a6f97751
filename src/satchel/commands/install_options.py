"""pip install's options, with pip's names and aliases, for `satchel install` (and later
download/wheel), read once into a typed `InstallOptions`; plus the PEP 668 guard for installs
outside a virtual environment."""

from __future__ import annotations

import os
from dataclasses import dataclass

from satchel.commands.target import add_target_arguments
from satchel.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from collections.abc import Sequence

    from satchel.interpreters.info import InterpreterInfo
    from satchel.requirements.model import RequirementsOptions
    from satchel.resolve.model import ResolveOptions
    from satchel.settings.model import Settings

__all__ = [
    "InstallOptions", "add_install_arguments", "cli_settings", "config_settings", "refuse_system", "resolver_options",
]  # fmt: skip


@dataclass(frozen=True)
class InstallOptions:
    """What `satchel install` was asked, typed: the command's own options; `settings` holds
    those that merge with config files and variables (None where the command line was silent)."""

    argv: tuple[str, ...]
    packages: tuple[str, ...]
    requirement: tuple[str, ...]
    constraint: tuple[str, ...]
    editable: tuple[str, ...]
    python: str | None
    system: bool
    upgrade: bool
    force_reinstall: bool
    ignore_installed: bool
    no_deps: bool
    src: str | None
    dry_run: bool
    report: str | None
    compile: bool
    json: bool
    quiet: int
    verbose: int
    settings: dict[str, object]

    @classmethod
    def from_namespace(cls, args: argparse.Namespace) -> InstallOptions:
        return cls(
            argv=tuple(args._argv), packages=tuple(args.packages), requirement=tuple(args.requirement),
            constraint=tuple(args.constraint), editable=tuple(args.editable), python=args.python,
            system=args.system, upgrade=args.upgrade, force_reinstall=args.force_reinstall,
            ignore_installed=args.ignore_installed, no_deps=args.no_deps, src=args.src, dry_run=args.dry_run,
            report=args.report, compile=args.compile, json=args.json, quiet=args.quiet, verbose=args.verbose,
            settings=cli_settings(args),
        )  # fmt: skip

    @property
    def keeps_installed(self) -> bool:
        """Whether what is installed may stay as it is (no -U, --force-reinstall or -I)."""
        return not (self.upgrade or self.force_reinstall or self.ignore_installed)


def add_install_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("packages", nargs="*", metavar="REQUIREMENT", help="requirements, wheel files or URLs")
    add = parser.add_argument
    add("-r", "--requirement", action="append", default=[], metavar="FILE", help="install from this requirements file")
    add("-c", "--constraint", action="append", default=[], metavar="FILE", help="constrain versions with this file")
    add("-e", "--editable", action="append", default=[], metavar="PATH", help="install a project in editable mode")
    add("-U", "--upgrade", action="store_true", help="upgrade the named packages to the newest versions")
    add("--upgrade-strategy", choices=("only-if-needed", "eager"), default=None,
        help="with -U: upgrade dependencies only when needed (default) or always (eager)")
    add("--force-reinstall", action="store_true", help="reinstall even when up to date")
    add("-I", "--ignore-installed", action="store_true", help="ignore what is installed (replace it)")
    add("--no-deps", action="store_true", help="don't install dependencies")
    add("--pre", action="store_true", default=None, help="allow pre-releases and development versions")
    add("-i", "--index-url", metavar="URL", help="the package index (PEP 503/691)")
    add("--extra-index-url", action="append", default=None, metavar="URL", help="another index (repeatable)")
    add("--no-index", action="store_true", default=None, help="use no index, only --find-links")
    add("-f", "--find-links", action="append", default=None, metavar="URL", help="a directory or page of links")
    add("--index-strategy", choices=("first-index", "unsafe-best-match"), default=None,
        help="first-index (default): a project comes from the first index that has it")
    add("--only-binary", action="append", default=None, metavar="PACKAGES", help="only wheels (:all:, :none:, names)")
    add("--no-binary", action="append", default=None, metavar="PACKAGES", help="no wheels: build from source (:all:, :none:, names)")
    add("--prefer-binary", action="store_true", default=None, help="prefer older wheels over newer sources")
    add("--no-build-isolation", dest="build_isolation", action="store_false", default=None,
        help="build with what the target environment has installed, not in a fresh build environment")
    add("--check-build-dependencies", action="store_true", default=None,
        help="with --no-build-isolation: fail when the build requirements are not installed")
    add("-C", "--config-settings", action="append", default=None, metavar="KEY=VALUE",
        help="settings for the build backends (PEP 517 config_settings; repeatable)")
    add("--use-pep517", action="store_true", default=None, help=argparse_suppress())
    add("--src", metavar="DIR", help="where editable VCS checkouts go (default: <env>/src)")
    add("--require-hashes", action="store_true", default=None, help="require a hash for every requirement")
    add("--trusted-host", action="append", default=None, metavar="HOST", help="allow http/unverified TLS for HOST")
    add("--cert", metavar="PATH", help="CA bundle for TLS")
    add("--client-cert", metavar="PATH", help="client certificate for TLS")
    add("--timeout", type=float, default=None, metavar="SECONDS", help="network timeout (default 15)")
    add("--retries", type=int, default=None, help="retries on network errors (default 5)")
    add("--proxy", metavar="URL", help="proxy for HTTP(S)")
    add("--cache-dir", metavar="DIR", help="the cache directory")
    add("--no-cache-dir", dest="no_cache", action="store_true", default=None, help="don't read or write the cache")
    add("--dry-run", action="store_true", help="resolve and report, change nothing")
    add("--report", metavar="FILE", help="write pip's installation report (JSON) to FILE ('-': stdout)")
    add("--compile", action="store_true", help="compile .py files to bytecode after installing")
    add("--no-compile", dest="compile", action="store_false", help="don't compile (the default)")
    add("--break-system-packages", action="store_true", default=None,
        help="allow installing into an externally managed interpreter (PEP 668)")
    add("--json", action="store_true", help="print what was done as JSON on stdout")
    add("-q", "--quiet", action="count", default=0, help="print less")
    add_target_arguments(parser, selection=False)


def cli_settings(args: argparse.Namespace) -> dict[str, object]:
    """The settings the command line gave (None where it was silent), for `load_settings`."""
    names = (
        "index_url", "no_index", "pre", "prefer_binary", "require_hashes", "cert", "client_cert", "timeout",
        "retries", "proxy", "cache_dir", "no_cache", "upgrade_strategy", "index_strategy", "break_system_packages",
    )  # fmt: skip
    values: dict[str, object] = {name: getattr(args, name) for name in names}
    values["extra_index_urls"] = args.extra_index_url
    values["find_links"] = args.find_links
    values["trusted_hosts"] = args.trusted_host
    values["only_binary"] = args.only_binary
    values["no_binary"] = args.no_binary
    values["build_isolation"] = args.build_isolation
    values["check_build_dependencies"] = args.check_build_dependencies
    values["config_settings"] = args.config_settings
    values["verbose"] = args.verbose or None
    values["quiet"] = args.quiet or None
    return values


def resolver_options(
    options: InstallOptions, settings: Settings, file_options: Sequence[RequirementsOptions]
) -> ResolveOptions:
    """What the resolver is told: the command's own options, the merged settings, and the
    requirements files' --all-releases / --only-final (pip's release control, by project)."""
    from satchel.resolve.model import ResolveOptions

    return ResolveOptions(
        pre=settings.pre, upgrade=options.upgrade, upgrade_strategy=settings.upgrade_strategy,
        force_reinstall=options.force_reinstall, ignore_installed=options.ignore_installed, no_deps=options.no_deps,
        only_binary=settings.only_binary, no_binary=settings.no_binary, prefer_binary=settings.prefer_binary,
        ignore_requires_python=False,
        all_releases=frozenset().union(*(o.all_releases for o in file_options)),
        only_final=frozenset().union(*(o.only_final for o in file_options)),
    )  # fmt: skip


def argparse_suppress() -> str:
    import argparse

    return argparse.SUPPRESS  # accepted as pip does (PEP 517 is the only way satchel builds)


def config_settings(values: tuple[str, ...]) -> dict[str, str | list[str]]:
    """`-C key=value` pairs as pip passes them: a key given twice becomes a list."""
    settings: dict[str, str | list[str]] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageError(
                f"--config-settings {item!r}: expected KEY=VALUE.", input=item, hint="e.g. -C editable_mode=compat"
            )
        if key in settings:
            before = settings[key]
            settings[key] = [*before, value] if isinstance(before, list) else [before, value]
        else:
            settings[key] = value
    return settings


def refuse_system(info: InterpreterInfo, options: InstallOptions) -> None:
    """PEP 668: an interpreter marked EXTERNALLY-MANAGED is its OS's, not ours."""
    if options.settings.get("break_system_packages"):
        return
    stdlib = os.path.dirname(os.__file__) if info.executable == "" else None
    marker_dirs = [p for p in info.sys_path if p.endswith(("lib/python%d.%d" % info.version[:2], "Lib"))]
    for directory in marker_dirs + ([stdlib] if stdlib else []):
        if os.path.isfile(os.path.join(directory, "EXTERNALLY-MANAGED")):
            raise UsageError(
                f"{info.describe()} is managed by your operating system (it is marked EXTERNALLY-MANAGED, PEP 668).",
                input=info.executable,
                hint="make a virtual environment with `satchel venv` and install there, "
                "or pass --break-system-packages if you really mean it.",
            )
