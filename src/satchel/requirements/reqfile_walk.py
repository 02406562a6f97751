"""One reading of a requirements file and the files it names with `-r`/`-c`: each file read
through the injected reader, its logical lines sorted into requirements (and `-e` ones),
nested files and option lines, a nested path taken relative to the file that names it (a URL
relative to a URL), and a file that includes one already being read refused as a cycle.

Import rule: the standard library, `satchel.requirements.errors`, `satchel.requirements.model`
and the other `reqfile_*` modules; never `satchel.requirements.reqfile`, which imports this.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from satchel.requirements.errors import RequirementsError
from satchel.requirements.model import InstallRequest, Origin, request_from_text
from satchel.requirements.reqfile_lines import logical_lines
from satchel.requirements.reqfile_merge import OptionsBuilder
from satchel.requirements.reqfile_options import LineOptions, LineReader, config_settings_of, hashes_of

__all__ = ["Walk"]

_URL_FILE_RE = re.compile(r"^(http|https|file):", re.IGNORECASE)


@dataclass(slots=True)
class Walk:
    """One call of parse_requirements_file: its inputs and what it has gathered so far."""

    reader: Callable[[str], str]
    environ: Mapping[str, str]
    cwd: str
    exists: Callable[[str], bool]
    isdir: Callable[[str], bool]
    requests: list[InstallRequest] = field(default_factory=list)
    options: OptionsBuilder = field(default_factory=OptionsBuilder)
    warnings: list[str] = field(default_factory=list)

    def start(self, display: str, constraint: bool) -> None:
        """Read the file the caller named (a path relative to `cwd`, or a URL)."""
        key = display if _URL_FILE_RE.match(display) else self.absolute(display)
        self.read(display, key, constraint, (key,), None)

    def read(
        self, display: str, key: str, constraint: bool, chain: tuple[str, ...], via: tuple[LineReader, str] | None
    ) -> None:
        try:
            content = self.reader(key)
        except (OSError, UnicodeDecodeError, LookupError) as exc:
            kind = "constraints" if constraint else "requirements"
            description = f"could not open {kind} file {display}: {exc}"
            if via is None:
                raise RequirementsError(description, file=display, line_number=None, line="",
                                        hint="check the path given to -r/-c") from exc  # fmt: skip
            line, value = via
            hint = "a nested -r/-c path is relative to the file that names it"
            raise line.error(description, line.span_of(value, 0), hint=hint) from exc
        for logical in logical_lines(content, self.environ):
            self.line(LineReader(Origin(display, logical.number), logical), constraint, chain)

    def line(self, reader: LineReader, constraint: bool, chain: tuple[str, ...]) -> None:
        args, tokens, column = reader.split()
        found = reader.scan(tokens, column)
        self.options.apply_everywhere(found)
        editable = found.first("editables")
        if args and editable is not None:
            raise reader.error("a line holds one requirement: either a requirement or -e, not both",
                               hint="put the -e requirement on a line of its own")  # fmt: skip
        if args or editable is not None:
            self.request(reader, args or editable or "", editable is not None, constraint, found)
        elif found.values.get("requirements") or found.values.get("constraints"):
            self.nested(reader, found, chain)
        else:
            if found.values.get("hashes"):
                self.warnings.append(f"{reader.origin}: --hash without a requirement is ignored")
            base = None if _URL_FILE_RE.match(reader.origin.file) else os.path.dirname(self.absolute(reader.origin.file))
            self.options.apply_option_line(found, base, self.exists)

    def request(self, reader: LineReader, text: str, editable: bool, constraint: bool, found: LineOptions) -> None:
        column = reader.span_of(text, 0)[0] if editable else 0
        if editable and found.values.get("hashes"):
            self.warnings.append(f"{reader.origin}: --hash on an editable requirement is ignored")
        self.requests.append(
            request_from_text(
                text,
                origin=reader.origin,
                line=reader.line.text,
                column=column,
                source_text=reader.line.written,
                editable=editable,
                constraint=constraint,
                cwd=self.cwd,
                isdir=self.isdir,
                hashes=None if editable else hashes_of(found),
                config_settings=config_settings_of(found),
                global_options=() if editable else found.values.get("global_options", []),
            )
        )

    def nested(self, reader: LineReader, found: LineOptions, chain: tuple[str, ...]) -> None:
        # `-r` wins over `-c` on one line; `-r` inside a constraints file reads requirements, as in pip
        value = found.first("requirements")
        constraint = value is None
        value = value if value is not None else found.first("constraints") or ""
        parent = reader.origin.file
        if _URL_FILE_RE.match(parent):
            display = key = urllib.parse.urljoin(parent, value)
        elif _URL_FILE_RE.match(value):
            display = key = value
        else:
            display = os.path.normpath(os.path.join(os.path.dirname(parent), value))
            key = self.absolute(display)
        if key in chain:
            cycle = " -> ".join([*chain[chain.index(key) :], key])
            raise reader.error(f"{value} includes a file that is already being read ({cycle})",
                               reader.span_of(value, 0), hint="remove the -r/-c line that closes the cycle")  # fmt: skip
        self.read(display, key, constraint, (*chain, key), (reader, value))

    def absolute(self, path: str) -> str:
        return os.path.normpath(os.path.join(self.cwd, path))
