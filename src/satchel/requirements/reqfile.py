"""pip's requirements-file grammar, read into `ParsedRequirements`.

Owns the file-level steps, in pip's order: decode, split into physical lines, join `\\`
continuations (a comment line ends one), strip comments (`#` at the start or after
whitespace, so `#egg=` and `#sha256=` in URLs survive), expand `${VAR}`, split each logical line
into its requirement and its options, read the options as pip's optparse does (`--opt=value`,
`--opt value`, `-ivalue`, unique abbreviations of long options), follow `-r`/`-c` relative to the
including file (with cycle detection), and merge file-level options in reading order.
Files are read through an injected `reader(location) -> text`, so a later layer can plug in
URL fetching; the default reads local paths and file: URLs.

Import rule: imports only `satchel.requirements.model`, `satchel.requirements.errors`
(and so `satchel.errors`) and, through them, `packaging`.
"""

from __future__ import annotations

import codecs
import os
import re
import shlex
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from satchel.requirements.errors import RequirementsError
from satchel.requirements.model import (
    InstallRequest,
    Origin,
    ParsedRequirements,
    RequirementsOptions,
    request_from_text,
)

__all__ = ["Reader", "parse_requirements_file", "read_requirements_file"]

Reader = Callable[[str], str]

_COMMENT_RE = re.compile(r"(^|\s+)#.*$")
_ENV_VAR_RE = re.compile(r"\$\{([A-Z0-9_]+)\}")
_URL_FILE_RE = re.compile(r"^(http|https|file):", re.IGNORECASE)
_CODING_RE = re.compile(rb"coding[:=]\s*([-\w.]+)")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16-LE, which is its prefix
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)
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


def read_requirements_file(location: str) -> str:
    """The default reader: a local path or file: URL, decoded as pip decodes it (a BOM, else a
    PEP 263 `coding:` comment in the first two lines, else UTF-8, else the locale's encoding)."""
    scheme = urllib.parse.urlsplit(location).scheme.lower()
    if scheme == "file":
        from urllib.request import url2pathname  # http.client and more: only for file: URLs

        location = url2pathname(urllib.parse.urlsplit(location).path)
    elif scheme in ("http", "https"):
        raise OSError(f"fetching {location} needs the network, which this reader does not use")
    with open(location, "rb") as f:
        data = f.read()
    return _decode(data)


def _decode(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding)
    for line in data.split(b"\n")[:2]:
        match = _CODING_RE.search(line) if line.startswith(b"#") else None
        if match:
            return data.decode(match[1].decode("ascii"))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        import locale

        return data.decode(locale.getpreferredencoding(False))


@dataclass(frozen=True, slots=True)
class _Line:
    """A logical line: where it starts, as written (comments stripped), and `${VAR}`-expanded."""

    number: int
    written: str
    text: str


def _logical_lines(content: str, environ: Mapping[str, str]) -> Iterator[_Line]:
    for number, joined in _join_continuations(content.splitlines()):
        written = _COMMENT_RE.sub("", joined).strip()
        if written:
            yield _Line(number, written, _expand(written, environ))


def _join_continuations(lines: list[str]) -> Iterator[tuple[int, str]]:
    """Join lines ending in `\\` to the next; a comment line ends a continuation (and stays a
    comment); the result is numbered by its first physical line."""
    first = 0
    pending: list[str] = []
    for number, line in enumerate(lines, start=1):
        is_comment = _COMMENT_RE.match(line) is not None
        if line.endswith("\\") and not is_comment:
            first = first if pending else number
            pending.append(line.strip("\\"))
            continue
        if is_comment:
            line = " " + line  # so that stripping comments removes it from the joined text
        if pending:
            yield first, "".join([*pending, line])
            pending = []
        else:
            yield number, line
    if pending:
        yield first, "".join(pending)


def _expand(line: str, environ: Mapping[str, str]) -> str:
    return _ENV_VAR_RE.sub(lambda m: environ.get(m[1]) or m[0], line)


@dataclass(slots=True)
class _LineOptions:
    """The options found on one logical line, in pip's dests; values in order of appearance."""

    values: dict[str, list[str]] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    ordered: list[tuple[str, str]] = field(default_factory=list)  # (dest, value) for binary/release

    def first(self, dest: str) -> str | None:
        found = self.values.get(dest)
        return found[0] if found else None


class _LineReader:
    """Errors and option scanning for one logical line of one file."""

    def __init__(self, origin: Origin, line: _Line) -> None:
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

    def scan(self, tokens: list[str], column: int) -> _LineOptions:
        found = _LineOptions()
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

    def _long(self, token: str, rest: list[str], found: _LineOptions, at: int) -> None:
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

    def _short(self, token: str, rest: list[str], found: _LineOptions, at: int) -> None:
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

    def _store(self, option: str, dest: str, value: str, found: _LineOptions, at: int) -> None:
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


class _OptionsBuilder:
    """File-level options merged in reading order, with pip's finder rules."""

    def __init__(self) -> None:
        self.index_url: str | None = None
        self.extra_index_urls: list[str] = []
        self.find_links: list[str] = []
        self.flags: set[str] = set()
        self.sets: dict[str, set[str]] = {"no_binary": set(), "only_binary": set(), "all_releases": set(), "only_final": set()}
        self.trusted_hosts: list[str] = []
        self.use_feature: list[str] = []

    def apply_everywhere(self, found: _LineOptions) -> None:
        """--no-binary/--only-binary/--all-releases/--only-final: pip applies them from every
        line, a requirement's too, since they update one shared object as they are parsed."""
        others = {"no_binary": "only_binary", "only_binary": "no_binary", "all_releases": "only_final", "only_final": "all_releases"}
        for dest, value in found.ordered:
            self._exclusive(value, self.sets[dest], self.sets[others[dest]])

    @staticmethod
    def _exclusive(value: str, target: set[str], other: set[str]) -> None:
        from packaging.utils import canonicalize_name

        names = value.split(",")
        while ":all:" in names:
            other.clear()
            target.clear()
            target.add(":all:")
            names = names[names.index(":all:") + 1 :]
            if ":none:" not in names:
                return
        for name in names:
            if name == ":none:":
                target.clear()
            else:
                target.add(canonicalize_name(name))
                other.discard(canonicalize_name(name))

    def apply_option_line(self, found: _LineOptions, find_links_base: str | None, exists: Callable[[str], bool]) -> None:
        self.flags |= found.flags
        no_index = "no_index" in self.flags
        if no_index:
            self.index_url, self.extra_index_urls = None, []
        index_urls = found.values.get("index_url")
        if index_urls and not no_index:
            self.index_url, self.extra_index_urls = index_urls[-1], []
        if not no_index:
            self.extra_index_urls += found.values.get("extra_index_urls", [])
        link = found.first("find_links")  # pip takes the first -f of a line
        if link is not None:
            if find_links_base is not None and exists(os.path.join(find_links_base, link)):
                link = os.path.join(find_links_base, link)
            self.find_links.append(link)
        for target, dest in ((self.trusted_hosts, "trusted_hosts"), (self.use_feature, "use_feature")):
            target.extend(v for v in dict.fromkeys(found.values.get(dest, [])) if v not in target)

    def freeze(self) -> RequirementsOptions:
        return RequirementsOptions(
            index_url=self.index_url,
            extra_index_urls=tuple(self.extra_index_urls),
            no_index="no_index" in self.flags,
            find_links=tuple(self.find_links),
            pre="pre" in self.flags,
            prefer_binary="prefer_binary" in self.flags,
            only_binary=frozenset(self.sets["only_binary"]),
            no_binary=frozenset(self.sets["no_binary"]),
            all_releases=frozenset(self.sets["all_releases"]),
            only_final=frozenset(self.sets["only_final"]),
            require_hashes="require_hashes" in self.flags,
            no_require_hashes="no_require_hashes" in self.flags,
            trusted_hosts=tuple(self.trusted_hosts),
            use_feature=tuple(self.use_feature),
        )


@dataclass(slots=True)
class _Parse:
    """One call of parse_requirements_file: its inputs and what it has gathered so far."""

    reader: Reader
    environ: Mapping[str, str]
    cwd: str
    exists: Callable[[str], bool]
    isdir: Callable[[str], bool]
    requests: list[InstallRequest] = field(default_factory=list)
    options: _OptionsBuilder = field(default_factory=_OptionsBuilder)
    warnings: list[str] = field(default_factory=list)

    def read(
        self, display: str, key: str, constraint: bool, chain: tuple[str, ...], via: tuple[_LineReader, str] | None
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
        for logical in _logical_lines(content, self.environ):
            self.line(_LineReader(Origin(display, logical.number), logical), constraint, chain)

    def line(self, reader: _LineReader, constraint: bool, chain: tuple[str, ...]) -> None:
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

    def request(self, reader: _LineReader, text: str, editable: bool, constraint: bool, found: _LineOptions) -> None:
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
                hashes=None if editable else _hashes(found),
                config_settings=_config_settings(found),
                global_options=() if editable else found.values.get("global_options", []),
            )
        )

    def nested(self, reader: _LineReader, found: _LineOptions, chain: tuple[str, ...]) -> None:
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


def _hashes(found: _LineOptions) -> dict[str, list[str]]:
    hashes: dict[str, list[str]] = {}
    for value in found.values.get("hashes", []):
        algorithm, _, digest = value.partition(":")
        hashes.setdefault(algorithm, []).append(digest)
    return hashes


def _config_settings(found: _LineOptions) -> dict[str, str | list[str]]:
    settings: dict[str, str | list[str]] = {}
    for value in found.values.get("config_settings", []):
        key, _, item = value.partition("=")
        if key not in settings:
            settings[key] = item
        else:
            previous = settings[key]
            settings[key] = [*previous, item] if isinstance(previous, list) else [previous, item]
    return settings


def parse_requirements_file(
    path: str | os.PathLike[str],
    *,
    reader: Reader = read_requirements_file,
    constraint: bool = False,
    environ: Mapping[str, str] | None = None,
    cwd: str | None = None,
    exists: Callable[[str], bool] = os.path.exists,
    isdir: Callable[[str], bool] = os.path.isdir,
) -> ParsedRequirements:
    """Read the requirements file at `path` (or a constraints file, with `constraint`) and the
    files it names with -r/-c, as pip does.

    `reader(location)` returns a file's text (`location` is an absolute path or a URL);
    `environ` supplies `${VAR}` values (default: os.environ); `cwd` is what relative paths are
    relative to (default: the current directory); `exists` decides whether a relative
    `--find-links` is taken relative to the file (pip's rule: when it exists there) and `isdir`
    whether a path-like requirement is a local project (pip's rule; else it is read as a name).
    Raises RequirementsError naming `file:line` for any line pip would refuse.
    """
    parse = _Parse(reader, os.environ if environ is None else environ, os.getcwd() if cwd is None else cwd, exists, isdir)
    display = os.fspath(path)
    key = display if _URL_FILE_RE.match(display) else parse.absolute(display)
    parse.read(display, key, constraint, (key,), None)
    return ParsedRequirements(parse.requests, parse.options.freeze(), tuple(parse.warnings))
