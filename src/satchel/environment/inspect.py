"""The entry points of `show` and `check`, kept at this path for their callers.

`show_report`/`ShowReport` live in `satchel.environment.show` (pip show's view),
`check_report`/`CheckReport` in `satchel.environment.check` (pip check's view); both read
metadata directories through `satchel.environment.dist_info`. New code imports those modules.

Import rule: `satchel.environment.show` and `satchel.environment.check` only.
"""

from __future__ import annotations

from satchel.environment.check import CheckReport, check_report
from satchel.environment.show import ShowReport, show_report

__all__ = ["CheckReport", "ShowReport", "check_report", "show_report"]
