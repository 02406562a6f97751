"""Test support shared by every test directory: distributions built byte by byte in the test
(`wheels`), a real loopback package index serving them (`index_server`), and the pytest fixtures
that put the two together (`fixtures`, loaded by tests/conftest.py through `pytest_plugins`).

Nothing here talks to the network beyond 127.0.0.1, and nothing here imports satchel: the
support code is a neutral party that satchel and real pip are both measured against.
"""

from __future__ import annotations

__all__: list[str] = []
