"""satchel: virtual environments and pip's installs in one fast, safe tool.

This module holds the version only and imports nothing: `satchel --version` must stay fast.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
