"""`satchel check`: installed packages with missing or conflicting requirements, or built for
another platform, in pip check's order and words."""

from __future__ import annotations


from satchel.commands.target import Selection, add_target_arguments, installed_in_target, variables_cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser, selection=False)


def run(args: argparse.Namespace) -> int:
    """Print the problems (exit 1), or "No broken requirements found." (exit 0)."""
    from satchel.environment.check import check_report
    from satchel.interpreters.tags import supported_tags

    info, installed = installed_in_target(Selection(args), variables_cache(), args.console)
    report = check_report(
        installed, info.markers, supported_tags(info), venv_prefix=info.prefix if info.is_venv else None,
    )
    for warning in report.warnings:
        args.console.err(f"WARNING: {warning}\n")
    if report.lines:
        args.console.out("\n".join(report.lines) + "\n")
    return 1 if report.failed else 0
