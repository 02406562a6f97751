"""Git requirements: pip's URL forms, revisions resolved to commits as cheaply as possible, and
checkouts made from a clone cache, against real local repositories built here with git."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import own_cache
from satchel.errors import OperationError, UsageError
from satchel.fetch import git as git_runner
from satchel.fetch.git import git_available
from satchel.fetch.vcs import checkout, resolve_commit
from satchel.fetch.vcs_url import VcsUrl, parse_vcs_url

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

FILE_ALLOW = ("-c", "protocol.file.allow=always")
SECRET = "s3cr3tT0KEN"


def git_environ(home: Path) -> dict[str, str]:
    """Git isolated from this machine's configuration, with a fixed author."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    home.mkdir(parents=True, exist_ok=True)
    config = home / "gitconfig"
    config.touch()
    env.update(
        GIT_CONFIG_GLOBAL=str(config),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Test",
        GIT_AUTHOR_EMAIL="test@example.com",
        GIT_COMMITTER_NAME="Test",
        GIT_COMMITTER_EMAIL="test@example.com",
    )
    return env


def git(env: dict[str, str], cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def commit(env: dict[str, str], repo: Path, files: dict[str, str], message: str) -> str:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(env, repo, "add", "-A")
    git(env, repo, "commit", "-q", "-m", message)
    return git(env, repo, "rev-parse", "HEAD")


def new_repo(env: dict[str, str], path: Path) -> Path:
    path.mkdir(parents=True)
    git(env, path, "init", "-q", "-b", "main")
    return path


@dataclass
class Origin:
    """A repository with history: c1 (tag v0.1, lightweight) -> c2 (tag v1.0, annotated) -> c4 on
    main (adds submodule libs/sub, which has its own submodule deep); c3 on branch feature."""

    path: Path
    url: str
    env: dict[str, str]
    c1: str
    c2: str
    c3: str
    c4: str
    tag_object: str


def build_origin(base: Path) -> Origin:
    env = git_environ(base)
    deep = new_repo(env, base / "deep")
    commit(env, deep, {"deep.txt": "deep\n"}, "deep")
    sub = new_repo(env, base / "sub")
    commit(env, sub, {"sub.txt": "sub\n"}, "sub")
    git(env, sub, *FILE_ALLOW, "submodule", "add", "-q", (base / "deep").as_uri(), "deep")
    commit(env, sub, {}, "add deep")

    repo = new_repo(env, base / "origin")
    project = {"pkg/pyproject.toml": "[project]\nname = 'demo'\n", "README": "readme\n"}
    c1 = commit(env, repo, {**project, "pkg/version.txt": "1\n"}, "one")
    git(env, repo, "tag", "v0.1")
    c2 = commit(env, repo, {"pkg/version.txt": "2\n"}, "two")
    git(env, repo, "tag", "-a", "v1.0", "-m", "release 1.0")
    git(env, repo, "checkout", "-q", "-b", "feature")
    c3 = commit(env, repo, {"feature.txt": "feature\n"}, "three")
    git(env, repo, "checkout", "-q", "main")
    git(env, repo, *FILE_ALLOW, "submodule", "add", "-q", sub.as_uri(), "libs/sub")
    c4 = commit(env, repo, {"pkg/version.txt": "4\n"}, "four")
    tag_object = git(env, repo, "rev-parse", "v1.0")
    return Origin(repo, repo.as_uri(), env, c1, c2, c3, c4, tag_object)


@pytest.fixture(scope="module")
def shared_origin(tmp_path_factory: pytest.TempPathFactory) -> Origin:
    """Built once for the tests that only read it."""
    return build_origin(tmp_path_factory.mktemp("git-shared"))


@pytest.fixture
def origin(tmp_path: Path) -> Origin:
    """A fresh one for the tests that change or move it."""
    return build_origin(tmp_path / "repos")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache of this test's own, and git without the machine's configuration."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("SATCHEL_CACHE_DIR", str(cache))
    (tmp_path / "gitconfig").touch()
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("LC_ALL", "C")  # git's messages in English, for the assertions on them
    return cache


def mirror_dir(cache: Path, repo: str) -> Path:
    import hashlib

    return cache / "vcs-v1" / "git" / hashlib.sha256(repo.encode()).hexdigest()[:32]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---- parsing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "repo", "rev", "subdirectory"),
    [
        ("git+file:///srv/repo", "file:///srv/repo", None, None),
        ("git+file:///srv/repo@v1.0", "file:///srv/repo", "v1.0", None),
        (
            "git+https://user:tok@host/x.git@v1#subdirectory=a&egg=b",
            "https://user:tok@host/x.git",
            "v1",
            "a",
        ),
        ("git+https://host/x.git#egg=b&subdirectory=a/b/", "https://host/x.git", None, "a/b"),
        ("git+ssh://git@host/x.git@main", "ssh://git@host/x.git", "main", None),
        ("git+ssh://git@host/x.git", "ssh://git@host/x.git", None, None),  # '@' only in the netloc
        ("git+https://host/org/x.git@refs/pull/1/head", "https://host/org/x.git", "refs/pull/1/head", None),
        ("git+https://host/a@b/x.git@v2", "https://host/a@b/x.git", "v2", None),  # the last '@' of the path
        ("git+git@github.com:org/x.git@v3", "git@github.com:org/x.git", "v3", None),  # scp-like
        ("git://host/x.git@abc1234", "git://host/x.git", "abc1234", None),
        ("GIT+HTTPS://host/x.git", "https://host/x.git", None, None),
        ("git+https://host/x.git#subdirectory=.", "https://host/x.git", None, None),
    ],
)
def test_parse_pip_forms(url: str, repo: str, rev: str | None, subdirectory: str | None) -> None:
    assert parse_vcs_url(url) == VcsUrl("git", repo, rev, subdirectory)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("git+", "names no repository"),
        ("git+https://host", "names no repository"),
        ("git+https://host/x.git@", "empty revision"),
        ("git+ftp://host/x.git", "unsupported git URL scheme 'git+ftp'"),
        ("https://host/x.git", "not a git URL"),
        ("git+https://host/x.git#subdirectory=../up", "must be a path inside the repository"),
        ("git+https://host/x.git#subdirectory=a/../../up", "must be a path inside the repository"),
        ("git+https://host/x.git#subdirectory=/abs", "must be a path inside the repository"),
        ("git+https://host/x.git@--upload-pack=evil", "not a valid git revision"),
        ("git+https://host/x.git@HEAD~1", "not a valid git revision"),
        ("hg+https://host/repo", "satchel supports git only; hg+https://host/repo is a Mercurial URL"),
        ("svn+ssh://host/repo", "is a Subversion URL"),
        ("bzr+https://host/repo", "is a Bazaar URL"),
    ],
)
def test_parse_rejects(url: str, expected: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_vcs_url(url)
    assert expected in info.value.message


def test_display_redacts_credentials() -> None:
    url = parse_vcs_url(f"git+https://user:{SECRET}@host/x.git@v1#subdirectory=a&egg=b")
    assert url.repo == f"https://user:{SECRET}@host/x.git"  # git needs them
    assert url.display() == "git+https://user:****@host/x.git@v1#subdirectory=a"
    assert parse_vcs_url(f"git+https://{SECRET}@host/x.git").display() == "git+https://****@host/x.git"
    assert parse_vcs_url("git+ssh://git@host/x.git@main").display() == "git+ssh://git@host/x.git@main"
    assert parse_vcs_url("git+ssh://me:pw@host/x.git").display() == "git+ssh://me:****@host/x.git"
    with pytest.raises(UsageError) as info:
        parse_vcs_url(f"hg+https://user:{SECRET}@host/repo")
    assert SECRET not in info.value.message and "user:****@host" in info.value.message


# ---- resolving revisions ----------------------------------------------------------------------


def resolve(origin: Origin, rev: str | None) -> str:
    return resolve_commit(parse_vcs_url(f"git+{origin.url}" + (f"@{rev}" if rev else "")), _mirrors())


def test_resolve_branch_tags_and_head(shared_origin: Origin) -> None:
    o = shared_origin
    assert resolve(o, "feature") == o.c3
    assert resolve(o, "v0.1") == o.c1  # lightweight tag
    assert resolve(o, "v1.0") == o.c2  # annotated tag: the commit, not the tag object
    assert o.tag_object != o.c2
    assert resolve(o, None) == o.c4  # the remote's HEAD
    assert resolve(o, "HEAD") == o.c4
    assert resolve(o, "refs/heads/feature") == o.c3  # an exact ref


def test_resolve_branch_before_lightweight_tag(origin: Origin) -> None:
    git(origin.env, origin.path, "tag", "dup", origin.c1)
    git(origin.env, origin.path, "branch", "dup", origin.c3)
    assert resolve(origin, "dup") == origin.c3


def test_resolve_full_sha_without_contacting_the_remote(tmp_path: Path) -> None:
    sha = "0123456789ABCDEF0123456789abcdef01234567"
    url = parse_vcs_url(f"git+{(tmp_path / 'does-not-exist').as_uri()}@{sha}")
    assert resolve_commit(url, _mirrors()) == sha.lower()


def test_resolve_abbreviated_sha(shared_origin: Origin, isolated: Path) -> None:
    o = shared_origin
    assert resolve(o, o.c2[:7]) == o.c2
    assert mirror_dir(isolated, o.url).is_dir()  # it needed a clone, kept for the checkout
    assert resolve(o, o.c3[:10].upper()) == o.c3


def test_resolve_unknown_rev(shared_origin: Origin) -> None:
    for rev in ("no-such-branch", "abcdef1"):
        with pytest.raises(UsageError) as info:
            resolve(shared_origin, rev)
        assert info.value.message == f"git repository {shared_origin.url} has no branch, tag or commit '{rev}'"
        assert info.value.hint


def test_resolve_missing_repository(tmp_path: Path) -> None:
    url = parse_vcs_url(f"git+{(tmp_path / 'nowhere').as_uri()}@main")
    with pytest.raises(OperationError) as info:
        resolve_commit(url, _mirrors())
    assert "does not appear to be a git repository" in info.value.message
    assert info.value.hint


# ---- checking out -----------------------------------------------------------------------------


def test_checkout_tree_is_the_commit(shared_origin: Origin, tmp_path: Path) -> None:
    o = shared_origin
    url = parse_vcs_url(f"git+{o.url}@v0.1#subdirectory=pkg")
    dest = tmp_path / "co"
    project = checkout(url, resolve_commit(url, _mirrors()), str(dest), _mirrors())
    assert project == str(dest / "pkg")
    assert (dest / "pkg" / "version.txt").read_text() == "1\n"  # not a later commit's
    assert not (dest / "feature.txt").exists() and not (dest / "libs").exists()
    assert git(o.env, dest, "rev-parse", "HEAD") == o.c1
    assert git(o.env, dest, "status", "--porcelain") == ""


def test_checkout_branch_and_submodules(shared_origin: Origin, tmp_path: Path, isolated: Path) -> None:
    o = shared_origin
    url = parse_vcs_url(f"git+{o.url}")
    dest = tmp_path / "co"
    assert checkout(url, resolve_commit(url, _mirrors()), str(dest), _mirrors()) == str(dest)
    assert (dest / "pkg" / "version.txt").read_text() == "4\n"
    assert (dest / "libs" / "sub" / "sub.txt").read_text() == "sub\n"
    assert (dest / "libs" / "sub" / "deep" / "deep.txt").read_text() == "deep\n"  # recursively
    assert git(o.env, dest, "remote", "get-url", "origin") == o.url
    # independent of the cache: no alternates, and it still works once the cache is gone
    assert not (dest / ".git" / "objects" / "info" / "alternates").exists()
    shutil.rmtree(isolated)
    assert git(o.env, dest, "log", "--format=%H", "-1") == o.c4

    feature = tmp_path / "feature"
    checkout(url, o.c3, str(feature), _mirrors())
    assert (feature / "feature.txt").read_text() == "feature\n"


def test_second_checkout_uses_the_mirror(origin: Origin, tmp_path: Path, isolated: Path) -> None:
    url = parse_vcs_url(f"git+{origin.url}@v1.0")
    checkout(url, resolve_commit(url, _mirrors()), str(tmp_path / "first"), _mirrors())
    assert mirror_dir(isolated, origin.url).is_dir()
    assert [p.name for p in mirror_dir(isolated, origin.url).parent.iterdir()] == [
        mirror_dir(isolated, origin.url).name
    ]

    c5 = commit(origin.env, origin.path, {"pkg/version.txt": "5\n"}, "five")  # not in the mirror yet
    checkout(url, c5, str(tmp_path / "fetched"), _mirrors())
    assert (tmp_path / "fetched" / "pkg" / "version.txt").read_text() == "5\n"

    origin.path.rename(origin.path.with_name("gone"))  # the remote is unreachable now
    checkout(url, origin.c2, str(tmp_path / "second"), _mirrors())
    assert (tmp_path / "second" / "pkg" / "version.txt").read_text() == "2\n"
    with pytest.raises(OperationError):  # a commit the mirror lacks needs the remote
        checkout(url, "f" * 40, str(tmp_path / "third"), _mirrors())
    assert not (tmp_path / "third").exists()


def test_checkout_unknown_commit(shared_origin: Origin, tmp_path: Path) -> None:
    url = parse_vcs_url(f"git+{shared_origin.url}@{'e' * 40}")
    with pytest.raises(UsageError) as info:
        checkout(url, resolve_commit(url, _mirrors()), str(tmp_path / "co"), _mirrors())
    assert "has no branch, tag or commit 'eeeeeee" in info.value.message
    assert not (tmp_path / "co").exists()


def test_checkout_missing_subdirectory(shared_origin: Origin, tmp_path: Path) -> None:
    url = parse_vcs_url(f"git+{shared_origin.url}@feature#subdirectory=nope/pkg")
    with pytest.raises(UsageError) as info:
        checkout(url, shared_origin.c3, str(tmp_path / "co"), _mirrors())
    assert "'nope/pkg'" in info.value.message
    assert not (tmp_path / "co").exists()  # nothing half-made left behind


def test_checkout_subdirectory_that_is_a_file(shared_origin: Origin, tmp_path: Path) -> None:
    url = parse_vcs_url(f"git+{shared_origin.url}#subdirectory=README")
    with pytest.raises(UsageError, match="no directory 'README'"):
        checkout(url, shared_origin.c4, str(tmp_path / "co"), _mirrors())


def test_checkout_dest_must_not_exist(shared_origin: Origin, tmp_path: Path) -> None:
    (tmp_path / "co").mkdir()
    with pytest.raises(UsageError, match="already exists"):
        checkout(parse_vcs_url(f"git+{shared_origin.url}"), shared_origin.c1, str(tmp_path / "co"), _mirrors())


def test_checkout_missing_repository(tmp_path: Path) -> None:
    url = parse_vcs_url(f"git+{(tmp_path / 'nowhere').as_uri()}")
    with pytest.raises(OperationError, match="can't clone git repository"):
        checkout(url, "a" * 40, str(tmp_path / "co"), _mirrors())
    assert not (tmp_path / "co").exists()


def test_mirror_race_lost_uses_the_winner(
    shared_origin: Origin, tmp_path: Path, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another satchel renames its mirror into place between our clone and our rename."""
    real_rename = os.rename

    def rename_after_winner(src: str, dst: str) -> None:
        shutil.copytree(src, dst)
        real_rename(src, dst)  # fails: dst exists and isn't empty

    monkeypatch.setattr(os, "rename", rename_after_winner)
    url = parse_vcs_url(f"git+{shared_origin.url}@v0.1")
    checkout(url, shared_origin.c1, str(tmp_path / "co"), _mirrors())
    monkeypatch.undo()
    mirror = mirror_dir(isolated, shared_origin.url)
    assert os.listdir(mirror.parent) == [mirror.name]  # our temporary clone was removed
    assert (tmp_path / "co" / "pkg" / "version.txt").read_text() == "1\n"


def test_concurrent_checkouts(shared_origin: Origin, tmp_path: Path, isolated: Path) -> None:
    url = parse_vcs_url(f"git+{shared_origin.url}@v1.0")
    with ThreadPoolExecutor(4) as pool:
        done = list(pool.map(lambda i: checkout(url, shared_origin.c2, str(tmp_path / f"co{i}"), _mirrors()), range(4)))
    assert all((Path(d) / "pkg" / "version.txt").read_text() == "2\n" for d in done)
    mirror = mirror_dir(isolated, shared_origin.url)
    assert os.listdir(mirror.parent) == [mirror.name]


# ---- credentials and missing git --------------------------------------------------------------


def test_credentials_never_shown_for_unreachable_host(tmp_path: Path) -> None:
    url = parse_vcs_url(f"git+https://user:{SECRET}@127.0.0.1:{closed_port()}/x.git@main")
    for action in (lambda: resolve_commit(url, _mirrors()), lambda: checkout(url, "a" * 40, str(tmp_path / "co"), _mirrors())):
        with pytest.raises(OperationError) as info:
            action()
        error = info.value
        shown = " ".join(str(part) for part in (error.message, error.input, error.context, error.hint))
        assert SECRET not in shown
        assert "user:****@127.0.0.1" in error.message


def test_credentials_never_shown_for_bad_rev(monkeypatch: pytest.MonkeyPatch) -> None:
    """A reachable repository (faked: its ls-remote lists nothing) without the rev asked for."""

    def no_refs(args: list[str], url: VcsUrl, **kwargs: object) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(["git", *args], 0, "", "")

    monkeypatch.setattr(git_runner, "run", no_refs)
    url = parse_vcs_url(f"git+https://{SECRET}@host/x.git@nope")
    with pytest.raises(UsageError) as info:
        resolve_commit(url, _mirrors())
    error = info.value
    assert error.message == "git repository https://****@host/x.git has no branch, tag or commit 'nope'"
    assert SECRET not in f"{error.input} {error.hint} {error.context}"


def test_git_not_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert not git_available()
    with pytest.raises(OperationError) as info:
        resolve_commit(parse_vcs_url("git+https://host/x.git@main"), _mirrors())
    assert "git is not installed" in info.value.message
    assert info.value.hint and "install git" in info.value.hint


def test_git_environment_of_a_hook_is_ignored(
    shared_origin: Origin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run from a git hook (GIT_DIR, GIT_WORK_TREE set), git still works on the repositories named."""
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "elsewhere" / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(tmp_path / "elsewhere"))
    url = parse_vcs_url(f"git+{shared_origin.url}@v1.0")
    assert resolve_commit(url, _mirrors()) == shared_origin.c2
    assert checkout(url, shared_origin.c2, str(tmp_path / "co"), _mirrors()) == str(tmp_path / "co")
    assert git_runner.git_env()["GIT_TERMINAL_PROMPT"] == "0"


def test_git_available() -> None:
    assert git_available()


def _mirrors() -> str:
    """Where the test's cache keeps git's cached clones."""
    return own_cache().part("vcs", "git")
