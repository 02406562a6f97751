"""Byte-compiling what an install added (`--compile`), with the target interpreter."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from satchel.install.transaction import Destination

__all__ = ["compile_installed"]


def compile_installed(destination: Destination) -> None:
    """compileall over the destination's library directories, run by its interpreter."""
    import subprocess

    directories = sorted({destination.scheme["purelib"], destination.scheme["platlib"]})
    subprocess.run(
        [destination.python, "-m", "compileall", "-q", *directories], check=False, stdout=subprocess.DEVNULL
    )
