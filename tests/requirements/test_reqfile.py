"""satchel.requirements.reqfile against pip's own parser.

Every corpus file is parsed twice: by satchel, and by pip's `parse_requirements` (with a real
PackageFinder and PipSession, so file-level options land where pip puts them) followed by pip's
`install_req_from_parsed_requirement`. The two must agree on every request (where it came from,
editable/constraint flags, hashes, config settings, name, specifier, URL or path, markers,
extras) and on the merged options. Where satchel deliberately differs, the test says so.
"""

from __future__ import annotations

import optparse
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from satchel.errors import UsageError
from satchel.requirements import (
    InstallRequest,
    ParsedRequirements,
    RequirementsError,
    parse_requirements_file,
)

pip_req_file = pytest.importorskip("pip._internal.req.req_file")

from pip._internal.cli import cmdoptions  # noqa: E402
from pip._internal.index.collector import LinkCollector  # noqa: E402
from pip._internal.index.package_finder import PackageFinder  # noqa: E402
from pip._internal.models.format_control import FormatControl  # noqa: E402
from pip._internal.models.release_control import ReleaseControl  # noqa: E402
from pip._internal.models.search_scope import SearchScope  # noqa: E402
from pip._internal.models.selection_prefs import SelectionPreferences  # noqa: E402
from pip._internal.network.session import PipSession  # noqa: E402
from pip._internal.req.constructors import install_req_from_parsed_requirement  # noqa: E402
from pip._internal.utils.urls import path_to_url  # noqa: E402

HASH_A = "a" * 64
HASH_B = "b" * 64
ENVIRON = {
    "SATCHEL_TEST_USER": "alice",
    "SATCHEL_TEST_TOKEN": "s3cret",
    "SATCHEL_TEST_VERSION": "1.2.3",
    "SATCHEL_TEST_NAME": "fromenv",
    "SATCHEL_TEST_UNSET": "",
}
_COMES_FROM = re.compile(r"^-[rc] (?P<file>.*) \(line (?P<line>\d+)\)$")


# ---------------------------------------------------------------- the two parsers, as views


def pip_view(path: Path) -> dict[str, Any]:
    # pip's --use-feature default list is one object shared by every parser pip builds (harmless
    # in one pip run, but it leaks between the runs of this test process): empty it first
    cmdoptions.use_new_feature.keywords["default"].clear()
    session = PipSession()
    scope = SearchScope.create(find_links=[], index_urls=[], no_index=False)
    prefs = SelectionPreferences(allow_yanked=True, format_control=FormatControl(set(), set()), release_control=ReleaseControl())
    finder = PackageFinder.create(LinkCollector(session, scope), prefs)
    options = optparse.Values({"require_hashes": False, "no_require_hashes": False, "features_enabled": []})
    requests = []
    for parsed in pip_req_file.parse_requirements(str(path), session, finder=finder, options=options):
        ireq = install_req_from_parsed_requirement(parsed)
        where = _COMES_FROM.match(parsed.comes_from)
        assert where is not None
        is_wheel = ireq.link is not None and ireq.link.is_wheel
        requests.append(
            {
                "where": (Path(where["file"]).name, int(where["line"])),
                "editable": parsed.is_editable,
                "constraint": parsed.constraint,
                "hashes": (parsed.options or {}).get("hashes", {}),
                "config_settings": (parsed.options or {}).get("config_settings", {}),
                "name": ireq.req.name.lower() if ireq.req else None,
                "specifier": "" if is_wheel or ireq.req is None else str(ireq.req.specifier),
                "url": ireq.link.url if ireq.link else None,
                "markers": str(ireq.markers) if ireq.markers else None,
                "extras": sorted(ireq.extras),
            }
        )
    release = finder.release_control
    return {
        "requests": requests,
        "index_urls": list(finder.index_urls),
        "no_index": finder.search_scope.no_index,
        "find_links": list(finder.find_links),
        "no_binary": set(finder.format_control.no_binary),
        "only_binary": set(finder.format_control.only_binary),
        "all_releases": set(release.all_releases) if release else set(),
        "prefer_binary": finder.prefer_binary,
        "require_hashes": options.require_hashes,
        "features": list(options.features_enabled),
        "trusted_hosts": [f"{h}:{p}" if p else h for h, p in session.pip_trusted_origins if h != "localhost"],
    }


def satchel_request_view(q: InstallRequest) -> dict[str, Any]:
    return {
        "where": (Path(q.origin.file).name, q.origin.line),
        "editable": q.editable,
        "constraint": q.constraint,
        "hashes": q.hashes,
        "config_settings": q.config_settings,
        "name": q.name.lower() if q.name else None,
        "specifier": str(q.requirement.specifier) if q.requirement is not None else "",
        "url": q.url if q.url is not None else path_to_url(q.path) if q.path is not None else None,
        "markers": str(q.markers) if q.markers else None,
        "extras": sorted(q.extras),
    }


def satchel_view(parsed: ParsedRequirements) -> dict[str, Any]:
    o = parsed.options
    return {
        "requests": [satchel_request_view(q) for q in parsed.requests],
        "index_urls": ([o.index_url] if o.index_url else []) + list(o.extra_index_urls),
        "no_index": o.no_index,
        "find_links": list(o.find_links),
        "no_binary": set(o.no_binary),
        "only_binary": set(o.only_binary),
        # pip 26 turns --pre into `--all-releases :all:` on the finder; satchel keeps `pre`
        "all_releases": set(o.all_releases) | ({":all:"} if o.pre else set()),
        "prefer_binary": o.prefer_binary,
        "require_hashes": o.require_hashes,
        "features": list(o.use_feature),
        "trusted_hosts": list(o.trusted_hosts),
    }


def write_tree(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working directory with installable local projects and archives, as cwd."""
    write_tree(
        tmp_path,
        {
            "local/pkg/pyproject.toml": "[project]\nname='pkg'\nversion='1'\n",
            "local/other/setup.py": "",
            "dist/name-1.0-py3-none-any.whl": b"",
            "dist/sdist-1.0.tar.gz": b"",
            "links/.keep": "",
        },
    )
    monkeypatch.chdir(tmp_path)
    for name, value in ENVIRON.items():
        monkeypatch.setenv(name, value)
    yield tmp_path


def both(root: Path, files: dict[str, str | bytes], main: str = "requirements.txt") -> tuple[dict[str, Any], dict[str, Any]]:
    write_tree(root, files)
    return satchel_view(parse_requirements_file(main)), pip_view(root / main)


# ---------------------------------------------------------------- the differential corpus

CORPUS: dict[str, dict[str, str | bytes]] = {
    "specifiers, extras, markers and comments": {
        "requirements.txt": (
            "# a comment line\n"
            "\n"
            "requests>=2.0,<3  # trailing comment\n"
            "Django[argon2,bcrypt] ~= 4.2\n"
            'tomli ; python_version < "3.11"\n'
            'colorama>=0.4;sys_platform=="win32"\n'
            "   indented==1.0\n"
            "\t# an indented comment\n"
            "x.y_z===1.0.post1\n"
        )
    },
    "continuations": {
        "requirements.txt": (
            f"foo==1.0 \\\n    --hash=sha256:{HASH_A} \\\n    --hash sha256:{HASH_B}\n"
            "bar\\\n>=2\n"
            "baz \\\n# a comment ends the continuation\n"
            "qux==1 # a comment before a backslash continues \\\n"
            "eaten-by-the-comment\n"
            "last \\\n"
            "  \\\n"
            "==3 \\"
        )
    },
    "hashes and per-requirement options": {
        "requirements.txt": (
            f"foo==1.0 --hash=sha256:{HASH_A} --hash=sha512:{'c' * 128}\n"
            f"bar==2 --hash sha256:{HASH_A} --hash=sha256:{HASH_B}\n"
            "built -C key=a -C key=b --config-settings other=1\n"
            "mixed==1 --pre --index-url https://ignored.example.com/simple\n"
        )
    },
    "file-level options, long, short and = forms": {
        "requirements.txt": (
            "-i https://index.example.com/simple\n"
            "--extra-index-url=http://127.0.0.1:8080/simple\n"
            "--extra-index-url http://127.0.0.1:8081/simple\n"
            "-f links\n"
            "--find-links=https://example.com/links/\n"
            "-fhttps://example.com/more-links/\n"
            "--prefer-binary\n"
            "--pre\n"
            "--require-hashes\n"
            "--trusted-host 127.0.0.1:8080 --trusted-host index.example.com\n"
            "--use-feature fast-deps\n"
            "--use-feature=fast-deps\n"
            "--extra-index http://127.0.0.1:8082/simple\n"
            "foo\n"
        )
    },
    "index-url replaces earlier extra indexes; no-index drops all": {
        "requirements.txt": (
            "--extra-index-url http://127.0.0.1:8080/simple\n"
            "--index-url https://index.example.com/simple\n"
            "--extra-index-url http://127.0.0.1:8081/simple\n"
        ),
        "no-index.txt": "-i https://index.example.com/simple\n--no-index\n-i https://later.example.com/simple\n",
    },
    "binary controls with :all: and :none:": {
        "requirements.txt": (
            "--no-binary :all:\n"
            "--only-binary Foo_Bar,baz\n"
            "--no-binary=:none:,qux\n"
            "--only-binary :all: --no-binary Foo_Bar\n"
            "req --no-binary late\n"
        )
    },
    "editables": {
        "requirements.txt": (
            "-e ./local/pkg\n"
            "-e local/other[Test]\n"
            "--editable=git+https://example.com/repo.git@v1#egg=repo&subdirectory=sub\n"
            "-e git://example.com/old.git#egg=old\n"
            '-e "named @ git+https://example.com/named.git"\n'
            "-e ./local/pkg -C editable_mode=compat\n"
            f"-e ./local/other --hash=sha256:{HASH_A}\n"
            "-egit+https://example.com/short.git#egg=short\n"
        )
    },
    "local paths and archives (relative to the working directory, as pip)": {
        "requirements.txt": (
            "./local/pkg\n"
            "./local/pkg[Extra1, extra2]\n"
            'local/other ; python_version >= "3"\n'
            "./dist/name-1.0-py3-none-any.whl\n"
            "dist/sdist-1.0.tar.gz\n"
        ),
    },
    "URLs, fragments and direct references": {
        "requirements.txt": (
            "https://example.com/pkg-1.0.tar.gz#egg=pkg\n"
            f"https://example.com/pkg-2.0.tar.gz#sha256={HASH_A}\n"
            "https://example.com/dist/name-1.0-py3-none-any.whl\n"
            "git+https://example.com/repo.git@v1#egg=repo&subdirectory=sub\n"
            'named[extra] @ https://example.com/a-1.0.zip ; python_version >= "3"\n'
            'https://example.com/pkg-3.0.tar.gz#egg=pkg3; python_version >= "3"\n'
            "direct @ file:///srv/pkgs/direct-1.0.tar.gz\n"
        )
    },
    "nested files relative to the including file": {
        "requirements.txt": "top\n-r sub/a.txt\n--requirement=sub/b.txt\n-c sub/cons.txt\n",
        "sub/a.txt": "from-a\n-r ../shared.txt\n",
        "sub/b.txt": "from-b\n-r ../shared.txt\n",  # the same file twice (not a cycle): pip reads it twice
        "shared.txt": "shared==1\n",
        "sub/cons.txt": "pinned==1\n-c more-cons.txt\n-r ../from-constraints.txt\n",
        "sub/more-cons.txt": "pinned2<2\n",
        # pip: `-r` inside a constraints file reads *requirements*, not constraints
        "from-constraints.txt": "promoted\n",
    },
    "environment variables": {
        "requirements.txt": (
            "--index-url https://${SATCHEL_TEST_USER}:${SATCHEL_TEST_TOKEN}@index.example.com/simple\n"
            "pkg==${SATCHEL_TEST_VERSION}\n"
            "unset-var ; python_version >= '${SATCHEL_TEST_UNSET}'\n"
            "${SATCHEL_TEST_NAME}>=1\n"
        )
    },
    "encodings: BOM, CRLF, PEP 263": {
        "requirements.txt": b"\xef\xbb\xbfbom-first\r\ncrlf==1\r\n-r latin.txt\r\n",
        "latin.txt": "# -*- coding: latin-1 -*-\nlatin  # caf\xe9\n".encode("latin-1"),
    },
}


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_corpus_matches_pip(case: str, project: Path) -> None:
    ours, pips = both(project, CORPUS[case])
    assert ours["requests"] == pips["requests"]
    assert ours == pips
    if "no-index.txt" in CORPUS[case]:
        assert satchel_view(parse_requirements_file("no-index.txt")) == pip_view(project / "no-index.txt")


def test_corpus_is_not_trivial(project: Path) -> None:
    """The corpus exercises every request kind, both flags and hashes (guards the differential)."""
    kinds, flags = set(), set()
    for case in CORPUS.values():
        write_tree(project, case)
        for q in parse_requirements_file("requirements.txt").requests:
            kinds.add(q.kind)
            flags |= {f for f in ("editable", "constraint") if getattr(q, f)} | ({"hashes"} if q.hashes else set())
    assert kinds == {"requirement", "url", "path"}
    assert flags == {"editable", "constraint", "hashes"}


# ---------------------------------------------------------------- behaviours pinned by hand


def test_line_numbers_are_where_the_logical_line_starts(project: Path) -> None:
    write_tree(project, {"requirements.txt": "# c\n\nfoo \\\n  >=1 \\\n  ,<2\nbar\n"})
    parsed = parse_requirements_file("requirements.txt")
    assert [(q.origin.line, str(q.requirement)) for q in parsed.requests] == [(3, "foo<2,>=1"), (6, "bar")]


def test_text_keeps_variables_unexpanded(project: Path) -> None:
    write_tree(project, {"requirements.txt": "pkg @ https://${TOKEN}@example.com/pkg-1.0.tar.gz\n"})
    (q,) = parse_requirements_file("requirements.txt", environ={"TOKEN": "secret"}).requests
    assert q.url == "https://secret@example.com/pkg-1.0.tar.gz"
    assert q.text == "pkg @ https://${TOKEN}@example.com/pkg-1.0.tar.gz"


def test_only_braced_upper_case_variables_expand(project: Path) -> None:
    env = {"X": "-ok", "x": "no", "EMPTY": ""}
    write_tree(project, {"requirements.txt": "a${X}b\n"})
    assert [str(q.requirement) for q in parse_requirements_file("requirements.txt", environ=env).requests] == ["a-okb"]
    for line in ("$X", "${x}", "${EMPTY}"):  # left as written, so not a valid name
        write_tree(project, {"requirements.txt": f"ok\n{line}\n"})
        with pytest.raises(RequirementsError, match=r"requirements.txt:2: Expected package name"):
            parse_requirements_file("requirements.txt", environ=env)


def test_reader_is_injected_and_urls_join(project: Path) -> None:
    files = {
        "https://example.com/reqs/main.txt": "-r extra.txt\n-c https://example.com/cons.txt\nmain\n",
        "https://example.com/reqs/extra.txt": "extra\n",
        "https://example.com/cons.txt": "main<2\n",
    }
    seen: list[str] = []

    def reader(location: str) -> str:
        seen.append(location)
        return files[location]

    parsed = parse_requirements_file("https://example.com/reqs/main.txt", reader=reader)
    assert seen == list(files)
    assert [(q.name, q.constraint, q.origin.file) for q in parsed.requests] == [
        ("extra", False, "https://example.com/reqs/extra.txt"),
        ("main", True, "https://example.com/cons.txt"),
        ("main", False, "https://example.com/reqs/main.txt"),
    ]


def test_default_reader_refuses_http_without_network(project: Path) -> None:
    write_tree(project, {"requirements.txt": "-r https://example.com/more.txt\n"})
    with pytest.raises(RequirementsError, match=r"requirements.txt:1: could not open requirements file"):
        parse_requirements_file("requirements.txt")


def test_constraint_flag_applies_to_the_whole_file(project: Path) -> None:
    write_tree(project, {"c.txt": "a==1\n-c more.txt\n", "more.txt": "b==2\n"})
    parsed = parse_requirements_file("c.txt", constraint=True)
    assert [(q.name, q.constraint) for q in parsed.requests] == [("a", True), ("b", True)]


def test_paths_use_the_given_cwd_not_the_file_directory(tmp_path: Path) -> None:
    write_tree(tmp_path, {"reqs/dev.txt": "-e .\n./sub\n"})
    parsed = parse_requirements_file(tmp_path / "reqs/dev.txt", cwd="/work/project", isdir=lambda p: True)
    assert [q.path for q in parsed.requests] == ["/work/project", "/work/project/sub"]


def test_find_links_relative_to_the_file_when_it_exists_there(tmp_path: Path) -> None:
    write_tree(tmp_path, {"reqs/r.txt": "-f wheels\n-f elsewhere\n", "reqs/wheels/.keep": ""})
    parsed = parse_requirements_file(tmp_path / "reqs/r.txt", cwd=str(tmp_path))
    assert parsed.options.find_links == (str(tmp_path / "reqs/wheels"), "elsewhere")


def test_hash_without_requirement_is_a_warning(project: Path) -> None:
    write_tree(project, {"requirements.txt": f"--hash=sha256:{HASH_A}\n"})
    parsed = parse_requirements_file("requirements.txt")
    assert parsed.requests == [] and parsed.warnings == ("requirements.txt:1: --hash without a requirement is ignored",)


def test_global_option_is_accepted_and_kept(project: Path) -> None:
    """pip up to 25 accepted --global-option per requirement; pip 26 rejects it. satchel keeps it."""
    write_tree(project, {"requirements.txt": "legacy --global-option=--no-user-cfg --global-option -q\n"})
    (q,) = parse_requirements_file("requirements.txt").requests
    assert q.global_options == ("--no-user-cfg", "-q")


def test_all_releases_and_only_final_exclude_each_other(project: Path) -> None:
    write_tree(project, {"requirements.txt": "--all-releases Foo,bar\n--only-final foo\n--only-final :all:\n--all-releases baz\n"})
    options = parse_requirements_file("requirements.txt").options
    assert (options.all_releases, options.only_final) == ({"baz"}, {":all:"})


# ---------------------------------------------------------------- errors (pip refuses these too)

ERRORS = {
    "unknown option": ("ok\n--frobnicate yes\n", 2, "unknown option --frobnicate", "--frobnicate"),
    "unknown short option": ("-x foo\n", 1, "unknown option -x", "-x"),
    "ambiguous abbreviation": ("--no\n", 1, "ambiguous option --no", "--no"),
    "flag given a value": ("--pre=yes\n", 1, "--pre takes no value", "--pre=yes"),
    "missing value": ("ok\n\n-r\n", 3, "-r needs a value", "-r"),
    "bad hash algorithm": ("foo --hash=md5:abc\n", 1, "--hash wants <algorithm>:<digest>", "md5:abc"),
    "config setting without =": ("foo -C novalue\n", 1, "-C wants KEY=VALUE", "novalue"),
    "bad specifier, continued": ("ok\nfoo >= 1.0 \\\n  bar\n", 2, "Expected comma", ">= 1.0"),
    "bad marker": ("pkg ; python_version <\n", 1, "Expected a marker variable", None),
    "unbalanced quote": ("--index-url 'https://x\n", 1, "can't split the options", None),
    "bad egg fragment": ("https://example.com/x.tar.gz#egg=not/valid\n", 1, "is not a project name", "not/valid"),
    "path that is not a directory": ("./missing/pkg\n", 1, "Expected package name", None),
    "editable path that is not a directory": ("-e ./missing\n", 1, "not a valid editable requirement", "./missing"),
    "unnamed VCS editable": ("-e git+https://example.com/r.git\n", 1, "can't tell the project name", None),
    "editable plain URL": ("-e https://example.com/x.tar.gz\n", 1, "not a valid editable requirement", None),
    "bad wheel name": ("https://example.com/not-a-wheel.whl\n", 1, "invalid wheel file name", None),
    "missing nested file": ("ok\n-r missing.txt\n", 2, "could not open requirements file missing.txt", "missing.txt"),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors_point_at_the_line(case: str, project: Path) -> None:
    content, line, description, underlined = ERRORS[case]
    write_tree(project, {"requirements.txt": content})
    with pytest.raises(RequirementsError) as info:
        parse_requirements_file("requirements.txt")
    error = info.value
    assert isinstance(error, UsageError) and error.exit_code == 2
    assert error.input == f"requirements.txt:{line}" and error.line_number == line
    message = str(error)
    assert message.startswith(f"requirements.txt:{line}: ") and description in message
    quoted, drawing = message.split("\n")[1:3]
    assert quoted == "    " + error.line and error.line in content.replace("\\\n", "")
    assert "^" in drawing
    if underlined is not None:
        assert underlined in error.line[error.span[0] : error.span[1] + len(underlined)]
        if "~" not in drawing or drawing.strip().startswith("^"):
            assert drawing[4:].index("^") == error.span[0] and error.line[error.span[0] :].startswith(underlined)
    assert error.hint
    with pytest.raises(Exception):  # noqa: B017 -- pip refuses the same file
        pip_view(project / "requirements.txt")


def test_packaging_caret_drawing_is_reused(project: Path) -> None:
    write_tree(project, {"requirements.txt": "foo >= 1.0 bar --hash=sha256:" + HASH_A + "\n"})
    with pytest.raises(RequirementsError) as info:
        parse_requirements_file("requirements.txt")
    assert str(info.value).split("\n")[1:] == [f"    foo >= 1.0 bar --hash=sha256:{HASH_A}", "        ~~~~~~~^"]


def test_cycles_are_errors_not_recursion(project: Path) -> None:
    write_tree(project, {"requirements.txt": "a\n-r sub/b.txt\n", "sub/b.txt": "b\n-r ../requirements.txt\n"})
    with pytest.raises(RequirementsError) as info:
        parse_requirements_file("requirements.txt")
    assert info.value.input == "sub/b.txt:2"
    assert "already being read" in str(info.value) and "^~~" in str(info.value)
    with pytest.raises(Exception, match="recursively references itself"):
        pip_view(project / "requirements.txt")


def test_self_include_is_an_error(project: Path) -> None:
    write_tree(project, {"requirements.txt": "-r ./requirements.txt\n"})
    with pytest.raises(RequirementsError, match="requirements.txt:1: ./requirements.txt includes a file"):
        parse_requirements_file("requirements.txt")


def test_editable_constraint_is_an_error(project: Path) -> None:
    """pip refuses it when it builds the requirement; satchel names the line."""
    write_tree(project, {"c.txt": "ok==1\n-e ./local/pkg\n"})
    with pytest.raises(RequirementsError, match=r"c.txt:2: an editable requirement can't be a constraint"):
        parse_requirements_file("c.txt", constraint=True)


def test_requirement_and_editable_on_one_line_is_an_error(project: Path) -> None:
    """Deliberate difference: pip marks `foo` editable here (and ignores ./local/pkg)."""
    write_tree(project, {"requirements.txt": "foo -e ./local/pkg\n"})
    with pytest.raises(RequirementsError, match="either a requirement or -e"):
        parse_requirements_file("requirements.txt")


def test_credentials_are_masked_in_errors(project: Path) -> None:
    write_tree(project, {"requirements.txt": "pkg @ https://user:hunter2@example.com/p.tar.gz bogus\n"})
    with pytest.raises(RequirementsError) as info:
        parse_requirements_file("requirements.txt")
    assert "hunter2" not in str(info.value) and "user:*******@" in str(info.value)


def test_missing_top_level_file(tmp_path: Path) -> None:
    with pytest.raises(RequirementsError, match=r"could not open constraints file .*nope.txt") as info:
        parse_requirements_file(tmp_path / "nope.txt", constraint=True)
    assert info.value.exit_code == 2


def test_no_packaging_import_before_parsing() -> None:
    import subprocess
    import sys

    from conftest import SRC

    code = "import sys, satchel.requirements as r; print('packaging' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(SRC)}, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
