"""satchel.urls: each redaction rule by example (pip's own where pip has one), hypothesis
properties (no rule leaves a password in its output; path -> URL -> path round trips), the
file: URL rules, and that the module imports nothing heavy when it is loaded."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SRC
from satchel.urls import (
    direct_url_form,
    file_url_to_path,
    is_file_url,
    is_vcs_url,
    local_path,
    mask_credentials,
    path_to_url,
    redact_git_remote,
    redact_text,
    redact_url,
    redact_vcs_url,
    url_basename,
    without_credentials,
)

SECRET = "s3cr3t-t0ken-value"

# ---------------------------------------------------------------- one URL


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:pass@index.example.com/simple/", "https://user:****@index.example.com/simple/"),
        ("https://token@index.example.com/simple/", "https://****@index.example.com/simple/"),
        ("https://user:@index.example.com/x", "https://user:****@index.example.com/x"),
        ("https://us%40er:p%3Ass@host:8080/x?q=1#f", "https://us%40er:****@host:8080/x?q=1#f"),
        ("https://a@b:c@host/x", "https://a@b:****@host/x"),
        ("https://index.example.com/simple/", "https://index.example.com/simple/"),
        ("file:///tmp/wheels/x-1.0.tar.gz", "file:///tmp/wheels/x-1.0.tar.gz"),
        ("https://host/p@q", "https://host/p@q"),
        ("git@host:org/repo.git", "git@host:org/repo.git"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


@pytest.mark.parametrize(
    "url",
    [
        "https://user:pass@index.example.com/simple/",
        "https://token@index.example.com/simple/",
        "https://us%40er:p%3Ass@host:8080/x?q=1#f",
        "https://index.example.com/simple/",
    ],
)
def test_redact_url_matches_pip(url: str) -> None:
    misc = pytest.importorskip("pip._internal.utils.misc")
    assert redact_url(url) == misc.redact_auth_from_url(url)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:pw@host/x.git", "https://user:****@host/x.git"),
        ("https://token@host/x.git", "https://****@host/x.git"),
        ("ssh://git@host/x.git", "ssh://git@host/x.git"),  # an ssh login is no secret
        ("git+ssh://bob@host/x.git", "git+ssh://bob@host/x.git"),
        ("ssh://bob:pw@host/x.git", "ssh://bob:****@host/x.git"),
        ("git@host:org/x.git", "git@host:org/x.git"),  # scp-like: not a URL
        ("file:///srv/repo", "file:///srv/repo"),
    ],
)
def test_redact_vcs_url(url: str, shown: str) -> None:
    assert redact_vcs_url(url) == shown


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://git@host/x.git", "https://git@host/x.git"),
        ("ssh://git@host/x.git", "ssh://git@host/x.git"),
        ("ssh://bob@host/x.git", "ssh://****@host/x.git"),
        ("https://user:pw@host/x.git", "https://user:****@host/x.git"),
        ("https://host/x.git", "https://host/x.git"),
    ],
)
def test_redact_git_remote(url: str, shown: str) -> None:
    assert redact_git_remote(url) == shown


@pytest.mark.parametrize(
    ("url", "recorded"),
    [
        ("https://user:pw@host/x.tar.gz", "https://host/x.tar.gz"),
        ("https://token@host/x.tar.gz", "https://host/x.tar.gz"),
        ("ssh://git@host/x.git", "ssh://git@host/x.git"),
        ("https://${TOKEN}@host/x.git", "https://${TOKEN}@host/x.git"),
        ("https://${USER}:${PASSWORD}@host/x.git", "https://${USER}:${PASSWORD}@host/x.git"),
        ("file:///tmp/x.tar.gz", "file:///tmp/x.tar.gz"),
    ],
)
def test_direct_url_form(url: str, recorded: str) -> None:
    assert direct_url_form(url) == recorded


# ---------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("x @ https://user:pass@host/x.whl", "x @ https://user:****@host/x.whl"),
        ("https://tok@host/a https://u:pw@h2/b", "https://***@host/a https://u:**@h2/b"),
        ("name@example and plain text", "name@example and plain text"),
    ],
)
def test_mask_credentials_keeps_the_length(text: str, masked: str) -> None:
    assert mask_credentials(text) == masked
    assert len(mask_credentials(text)) == len(text)


def test_redact_text_masks_the_secret_of_the_url_wherever_it_is() -> None:
    stderr = f"fatal: unable to access 'https://user:{SECRET}@host/x.git/': 403 for {SECRET}\n"
    redacted = redact_text(stderr, url=f"https://user:{SECRET}@host/x.git")
    assert SECRET not in redacted and "user:****@host" in redacted
    quoted = urllib.parse.quote(SECRET + "/+", safe="")
    assert SECRET not in redact_text(f"for {SECRET}/+ at", url=f"https://user:{quoted}@host/x.git")


def test_redact_text_masks_every_url_in_it() -> None:
    other = redact_text("cloning https://bob:hunter2@elsewhere/sub.git", url="file:///srv/repo")
    assert other == "cloning https://bob:****@elsewhere/sub.git"  # a submodule's URL too
    assert redact_text("from ssh://git@host/x and https://tok@h/y") == "from ssh://git@host/x and https://****@h/y"
    assert redact_text("no secret: ok", url="ssh://git@host/x") == "no secret: ok"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("-i https://alice:pw@h/simple/ --trusted-host h", "-i https://****@h/simple/ --trusted-host h"),
        ("PIP_EXTRA_INDEX_URL='https://tok@h:1/s'", "PIP_EXTRA_INDEX_URL='https://****@h:1/s'"),
        ("https://a@b@host/x?q=u@v#f@g", "https://****@host/x?q=u@v#f@g"),
        ("ssh://git@host/x.git", "ssh://****@host/x.git"),  # a key hides even a login
        ("mail me@example.org, or ://@", "mail me@example.org, or ://****@"),
        ("", ""),
    ],
)
def test_without_credentials(text: str, masked: str) -> None:
    assert without_credentials(text) == masked


# ---------------------------------------------------------------- properties

# upper case, digits and URL punctuation: never a part of the lower-case rest of the URL or text
_SECRETS = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789!$&()*+,;=%:@/", min_size=6, max_size=24)
_NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10)
_SCHEMES = st.sampled_from(["https", "http", "git+https", "ssh", "git+ssh"])


def _quoted(text: str) -> str:
    return urllib.parse.quote(text, safe="")


def _free_of(secret: str, text: str) -> bool:
    """Whether `secret` is absent from `text`, in its plain and its percent-encoded form."""
    return secret not in text and _quoted(secret) not in text


@settings(max_examples=300, deadline=None)
@given(scheme=_SCHEMES, user=_NAMES, password=_SECRETS, host=_NAMES, path=_NAMES)
def test_no_rule_leaves_a_password_in_a_url(scheme: str, user: str, password: str, host: str, path: str) -> None:
    url = f"{scheme}://{user}:{_quoted(password)}@{host}.test/{path}"
    for rule in (redact_url, redact_vcs_url, redact_git_remote, direct_url_form):
        shown = rule(url)
        assert _free_of(password, shown), (rule.__name__, shown)
        assert shown.endswith(f"@{host}.test/{path}") or shown == f"{scheme}://{host}.test/{path}"
    for rule in (mask_credentials, without_credentials, redact_text):
        text = f"cloning {url} failed\n'{url}': 403"
        assert _free_of(password, rule(text)), (rule.__name__, rule(text))


@settings(max_examples=300, deadline=None)
@given(scheme=_SCHEMES, token=_SECRETS.filter(lambda t: ":" not in t), host=_NAMES, path=_NAMES)
def test_a_lone_token_is_never_shown_except_an_ssh_login(scheme: str, token: str, host: str, path: str) -> None:
    url = f"{scheme}://{_quoted(token)}@{host}.test/{path}"
    assert _free_of(token, redact_url(url))
    assert _free_of(token, redact_git_remote(url))
    assert _free_of(token, direct_url_form(url))
    assert _free_of(token, mask_credentials(url))
    assert _free_of(token, without_credentials(url))
    if "ssh" not in scheme:
        assert _free_of(token, redact_vcs_url(url))
        assert _free_of(token, redact_text(f"at {url}", url=url))


@settings(max_examples=200, deadline=None)
@given(password=_SECRETS)
def test_redact_text_masks_a_long_secret_even_out_of_its_url(password: str) -> None:
    url = f"https://user:{_quoted(password)}@host/x.git"
    for shown in (password, _quoted(password)):
        assert _free_of(password, redact_text(f"error for {shown} at {url}", url=url))


_SEGMENTS = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="/\0"), min_size=1, max_size=12
).filter(lambda s: s not in (".", ".."))


@settings(max_examples=300, deadline=None)
@given(st.lists(_SEGMENTS, min_size=1, max_size=5))
def test_path_to_url_to_path_round_trips(segments: list[str]) -> None:
    path = "/" + "/".join(segments)
    url = path_to_url(path)
    assert url.startswith("file:///") and is_file_url(url)
    assert file_url_to_path(url) == path
    assert local_path(url) == path
    assert path_to_url(file_url_to_path(url)) == url


def test_path_to_url_makes_the_path_absolute_and_normal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert path_to_url("wheels") == (tmp_path / "wheels").as_uri()
    assert path_to_url(str(tmp_path / "a" / ".." / "b")) == (tmp_path / "b").as_uri()
    assert path_to_url(str(tmp_path / "with space#%")).endswith("/with%20space%23%25")


# ---------------------------------------------------------------- file: URLs, VCS URLs


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("file:///tmp/wheels/x-1.0.tar.gz", "/tmp/wheels/x-1.0.tar.gz"),
        ("file:///tmp/with%20space/%23x", "/tmp/with space/#x"),
        ("file:/tmp/one-slash", "/tmp/one-slash"),
        ("file://localhost/tmp/x", "/tmp/x"),
        ("FILE:///tmp/X", "/tmp/X"),
    ],
)
def test_file_url_to_path(url: str, path: str) -> None:
    assert is_file_url(url)
    assert file_url_to_path(url) == path
    assert local_path(url) == path


@pytest.mark.parametrize("url", ["https://host/x.whl", "git+file:///srv/repo", "/tmp/x", "fil:/x", ""])
def test_other_urls_are_no_file_urls(url: str) -> None:
    assert not is_file_url(url)
    assert local_path(url) is None


@pytest.mark.parametrize(
    ("url", "vcs"),
    [
        ("git+https://host/x.git@v1", True),
        ("git+file:///srv/repo", True),
        ("hg+https://host/x", True),
        ("svn+ssh://host/x", True),
        ("bzr+http://host/x", True),
        ("https://host/x.tar.gz", False),
        ("git://host/x.git", False),  # pip's plain git:// is read by fetch.vcs, not named here
        ("file:///srv/git+x", False),
    ],
)
def test_is_vcs_url(url: str, vcs: bool) -> None:
    assert is_vcs_url(url) is vcs


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://h/a/x%2B1-1.0.whl?q=1#sha256=0", "x+1-1.0.whl"),
        ("file:///tmp/wheels/", ""),
        ("https://h", ""),
        ("https://u:p@h/p/demo-1.0.tar.gz", "demo-1.0.tar.gz"),
    ],
)
def test_url_basename(url: str, name: str) -> None:
    assert url_basename(url) == name


def test_loading_it_imports_nothing_heavy() -> None:
    code = "import sys; before = set(sys.modules); import satchel.urls; print(sorted(set(sys.modules) - before))"
    env = dict(os.environ, PYTHONPATH=str(SRC))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert set(eval(out)) <= {"__future__", "satchel", "satchel.urls"}, out
