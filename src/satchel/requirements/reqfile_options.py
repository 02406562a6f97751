"""One logical line of a requirements file split into its requirement and its options, and the
options read as pip's optparse reads them: `--opt=value`, `--opt value`, `-ivalue`, `-i value`,
unique abbreviations of long options, `--` ending them; values checked where pip checks them
(`--hash` wants `<algorithm>:<digest>`, `-C` wants KEY=VALUE). Errors name the file and line
and underline the option.

Import rule: the standard library (shlex), `satchel.requirements.errors` and, for types,
`satchel.requirements.model` and `satchel.requirements.reqfile_lines`. Pure.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from satchel.requirements.errors import RequirementsError

if TYPE_CHECKING:
    from satchel.requirements.model import Origin
    from satchel.requirements.reqfile_lines import Line

__all__ = ["LineOptions", "LineReader", "config_settings_of", "hashes_of"]

_HASH_ALGORITHMS = ("sha256", "sha384", "sha512")

# option -> (dest, takes a value). Long names are matched by unique prefix, as optparse does.
_LONG: dict[str, tuple[str, bool]] = {
    "--index-url": ("index_url", True),
    "--pypi-url": ("index_url", True),
    "--extra-index-url": ("extra_index_urls", True),
    "--no-index": ("no_index", False),
    "--constraint": ("constraints", True),
    "--requirement": ("requirements", True),
    "--editable": ("editables", True),
    "--find-links": ("find_links", True),
    "--no-binary": ("no_binary", True),
    "--only-binary": ("only_binary", True),
    "--prefer-binary": ("prefer_binary", False),
    "--require-hashes": ("require_hashes", False),
    "--no-require-hashes": ("no_require_hashes", False),
    "--pre": ("pre", False),
    "--all-releases": ("all_releases", True),
    "--only-final": ("only_final", True),
    "--trusted-host": ("trusted_hosts", True),
    "--use-feature": ("use_feature", True),
    "--hash": ("hashes", True),
    "--config-settings": ("config_settings", True),
    "--global-option": ("global_options", True),
}
_SHORT = {"-i": "--index-url", "-c": "--constraint", "-r": "--requirement", "-e": "--editable",
          "-f": "--find-links", "-C": "--config-settings"}  # fmt: skip


@dataclass(slots=True)
class LineOptions:
    """The options found on one logical line, in pip's dests; values in order of appearance."""

    values: dict[str, list[str]] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    ordered: list[tuple[str, str]] = field(default_factory=list)  # (dest, value) for binary/release

    def first(self, dest: str) -> str | None:
        found = self.values.get(dest)
        return found[0] if found else None


class LineReader:
    """Errors and option scanning for one logical line of one file."""

    def __init__(self, origin: Origin, line: Line) -> None:
        self.origin = origin
        self.line = line

    def error(self, description: str, span: tuple[int, int] | None = None, hint: str | None = None) -> RequirementsError:
        return RequirementsError(
            description, file=self.origin.file, line_number=self.origin.line, line=self.line.text, span=span, hint=hint
        )

    def span_of(self, token: str, start: int) -> tuple[int, int]:
        at = self.line.text.find(token, start)
        return (at, at + len(token)) if at >= 0 else (start, len(self.line.text))

    def split(self) -> tuple[str, list[str], int]:
        """(requirement text, option tokens, column where options start): the requirement is
        every space-separated token before the first one starting with '-'."""
        tokens = self.line.text.split(" ")
        cut = next((i for i, t in enumerate(tokens) if t.startswith("-")), len(tokens))
        args, options = " ".join(tokens[:cut]), " ".join(tokens[cut:])
        column = len(args) + 1 if cut else 0
        try:
            return args, shlex.split(options), column
        except ValueError as exc:
            hint = "quote option values with matching ' or \" quotes"
            raise self.error(f"can't split the options: {exc}", (column, len(self.line.text)), hint=hint) from None

    def scan(self, tokens: list[str], column: int) -> LineOptions:
        found = LineOptions()
        rest, position = list(tokens), column
        while rest:
            token = rest.pop(0)
            at = self.span_of(token, position)[0] if token else position
            position = at + 1
            if token == "--":
                break
            if token.startswith("--"):
                self._long(token, rest, found, at)
            elif token.startswith("-") and len(token) > 1:
                self._short(token, rest, found, at)
            # else: a stray argument, which pip ignores too
        return found

    def _long(self, token: str, rest: list[str], found: LineOptions, at: int) -> None:
        name, eq, explicit = token.partition("=")
        option = self._match_long(name, at)
        dest, takes_value = _LONG[option]
        if takes_value:
            if eq:
                value = explicit
            elif rest:
                value = rest.pop(0)
            else:
                raise self.error(f"{option} needs a value", self.span_of(token, at), hint=f"write {option}=VALUE")
            self._store(option, dest, value, found, at)
        elif eq:
            raise self.error(f"{option} takes no value", self.span_of(token, at), hint=f"write {option} alone")
        else:
            found.flags.add(dest)

    def _short(self, token: str, rest: list[str], found: LineOptions, at: int) -> None:
        option = _SHORT.get(token[:2])
        if option is None:
            raise self._unknown(token[:2], at)
        value = token[2:] or (rest.pop(0) if rest else None)
        if value is None:
            raise self.error(f"{token} needs a value", self.span_of(token, at), hint=f"write {token} VALUE")
        self._store(token[:2], _LONG[option][0], value, found, at)

    def _match_long(self, name: str, at: int) -> str:
        if name in _LONG:
            return name
        matches = sorted(o for o in _LONG if o.startswith(name))
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise self.error(
                f"ambiguous option {name} (could be {', '.join(matches)})",
                self.span_of(name, at),
                hint="spell the option out in full",
            )
        raise self._unknown(name, at)

    def _unknown(self, name: str, at: int) -> RequirementsError:
        return self.error(
            f"unknown option {name} in a requirements file",
            self.span_of(name, at),
            hint="requirements files accept pip's per-file options (-r, -c, -e, -i, --extra-index-url, "
            "-f, --no-index, --pre, --only-binary, --no-binary, --prefer-binary, --require-hashes, "
            "--trusted-host, --use-feature) and, after a requirement, --hash, -C/--config-settings, "
            "--global-option",
        )

    def _store(self, option: str, dest: str, value: str, found: LineOptions, at: int) -> None:
        if dest == "hashes":
            algorithm, colon, digest = value.partition(":")
            if not colon or algorithm not in _HASH_ALGORITHMS:
                raise self.error(
                    f"{option} wants <algorithm>:<digest> with an algorithm of {', '.join(_HASH_ALGORITHMS)}",
                    self.span_of(value, at),
                    hint="for example --hash=sha256:<64 hex digits>",
                )
        elif dest == "config_settings" and "=" not in value:
            raise self.error(f"{option} wants KEY=VALUE", self.span_of(value, at), hint=f"for example {option} editable_mode=compat")
        elif dest in ("no_binary", "only_binary", "all_releases", "only_final"):
            if value.startswith("-"):
                raise self.error(
                    f"{option} needs a value", self.span_of(value, at), hint="give project names separated by commas, :all: or :none:"
                )
            found.ordered.append((dest, value))
        found.values.setdefault(dest, []).append(value)


def hashes_of(found: LineOptions) -> dict[str, list[str]]:
    """A requirement's `--hash` values as {algorithm: [digest, ...]}."""
    hashes: dict[str, list[str]] = {}
    for value in found.values.get("hashes", []):
        algorithm, _, digest = value.partition(":")
        hashes.setdefault(algorithm, []).append(digest)
    return hashes


def config_settings_of(found: LineOptions) -> dict[str, str | list[str]]:
    """A requirement's `-C KEY=VALUE` values, a repeated key collecting a list (pip's rule)."""
    settings: dict[str, str | list[str]] = {}
    for value in found.values.get("config_settings", []):
        key, _, item = value.partition("=")
        if key not in settings:
            settings[key] = item
        else:
            previous = settings[key]
            settings[key] = [*previous, item] if isinstance(previous, list) else [previous, item]
    return settings
