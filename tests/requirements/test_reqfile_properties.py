"""Properties of the requirements-file grammar (hypothesis): continuations don't change what a
file says, comments never eat URL fragments, and random files read the same as with pip."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from satchel.requirements import ParsedRequirements, RequirementsError, parse_requirements_file

names = st.from_regex(r"\A[A-Za-z][A-Za-z0-9._-]{0,6}[A-Za-z0-9]\Z")
versions = st.from_regex(r"\A[0-9]{1,2}(\.[0-9]{1,2}){0,2}\Z")
specifiers = st.builds(lambda op, v: f"{op}{v}", st.sampled_from(["==", ">=", "<", "!="]), versions)
hex_digests = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
spaces = st.text(alphabet=" \t", min_size=1, max_size=3)


def from_text(content: str, **kw: Any) -> ParsedRequirements:
    return parse_requirements_file("r.txt", reader=lambda _: content, cwd="/w", environ={}, **kw)


def summary(parsed: ParsedRequirements) -> list[tuple[str, dict[str, list[str]], str | None]]:
    return [(str(q.requirement), q.hashes, q.url) for q in parsed.requests]


@st.composite
def requirement_lines(draw: st.DrawFn) -> list[str]:
    """One requirement line as tokens: `name<spec>` then some --hash options."""
    tokens = [draw(names) + draw(st.sampled_from(["", ""]) | specifiers)]
    tokens += [f"--hash=sha256:{d}" for d in draw(st.lists(hex_digests, max_size=3))]
    return tokens


@given(st.lists(requirement_lines(), min_size=1, max_size=5), st.data())
def test_continuations_preserve_requirements(lines: list[list[str]], data: st.DataObject) -> None:
    flat = "\n".join(" ".join(tokens) for tokens in lines) + "\n"
    continued_lines = []
    for tokens in lines:
        breaks = data.draw(st.lists(st.booleans(), min_size=len(tokens) - 1, max_size=len(tokens) - 1))
        text = tokens[0]
        for token, brk in zip(tokens[1:], breaks):
            text += " \\\n    " + token if brk else " " + token
        continued_lines.append(text)
    continued = "\n".join(continued_lines) + data.draw(st.sampled_from(["\n", "", " \\\n", " \\"]))
    assert summary(from_text(continued)) == summary(from_text(flat))


@given(
    st.sampled_from(["https://example.com/pkg-1.0.tar.gz", "git+https://example.com/r.git@v1", "file:///srv/p-1.0.zip"]),
    st.sampled_from(["egg", "sha256", "subdirectory"]),
    names,
    st.one_of(st.just(""), st.builds(lambda s, c: f"{s}# {c}", spaces, st.text(alphabet=string.printable.strip(), max_size=20))),
)
def test_comments_never_eat_url_fragments(url: str, key: str, value: str, comment: str) -> None:
    full = f"{url}#{key}={value}"
    if key == "egg" or url.startswith("git+"):
        full = f"{url}#egg={value}&subdirectory=sub" if key != "egg" else full
    (request,) = from_text(full + comment + "\n").requests
    assert request.url == full


# ------------------------------------------------------------- random files, satchel vs pip

pip_view = pytest.importorskip("test_reqfile").pip_view
satchel_view = pytest.importorskip("test_reqfile").satchel_view

pieces = st.one_of(
    st.builds(lambda n, s: n + s, names, st.just("") | specifiers),
    st.builds(lambda n, e, s: f"{n}[{e}]{s}", names, names, specifiers),
    st.builds(lambda n, m: f'{n} ; python_version {m} "3.8"', names, st.sampled_from(["<", ">=", "=="])),
    st.builds(lambda n: f"https://example.com/{n}-1.0.tar.gz#egg={n}", names),
    st.builds(lambda n: f"{n} @ https://example.com/{n}-1.0.zip", names),
    st.builds(lambda d: f"--hash=sha256:{d}", hex_digests),
    st.builds(lambda k, v: f"-C {k}={v}", names, names),
    st.sampled_from(
        [
            "--pre", "--prefer-binary", "--no-index", "--require-hashes",
            "-i https://index.example.com/simple", "--extra-index-url=http://127.0.0.1:8080/simple",
            "--only-binary :all:", "--no-binary :none:", "--no-binary=a,b", "--only-binary b",
            "--trusted-host 127.0.0.1", "-f https://example.com/links/", "# a comment", "#", "",
            "-e git+https://example.com/r.git#egg=r", "--bogus", "-i", "--hash=md5:00", "\\",
        ]
    ),
)  # fmt: skip


@st.composite
def random_files(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        words = draw(st.lists(pieces, min_size=1, max_size=3))
        sep = draw(st.sampled_from([" ", "  ", " \\\n  "]))
        lines.append(sep.join(words))
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\r\n"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=random_files())
def test_random_files_read_as_pip_reads_them(content: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "requirements.txt").write_text(content, encoding="utf-8")
    try:
        ours: Any = satchel_view(parse_requirements_file("requirements.txt"))
    except RequirementsError as exc:
        ours = exc
    try:
        pips: Any = pip_view(tmp_path / "requirements.txt")
    except Exception as exc:  # noqa: BLE001 -- pip raises several kinds; any refusal counts
        pips = exc
    if isinstance(ours, RequirementsError) or isinstance(pips, Exception):
        assert isinstance(ours, RequirementsError) and isinstance(pips, Exception), (ours, pips)
    else:
        assert ours == pips
