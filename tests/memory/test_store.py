"""satchel.memory.store (the no-op / freeze / replay answer store), and the install path's
hand-written stand-ins for stdlib modules, each checked against the module it replaces:
`record.record_text` (csv), `record.sha256_record_hash` (hashlib + base64),
`transaction._json` (json), `model.canonical_name` (the PEP 503 regex)."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import marshal
import os
import re
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from satchel.cache.layout import Cache
from satchel.environment.model import canonical_name
from satchel.memory import store as memory
from satchel.memory.store import (
    NOOP,
    REPLAY,
    command_key,
    contents_key,
    noop_key,
    recall,
    recall_entry,
    remember,
    remember_entry,
)
from satchel.install.record import _KNOWN, record_text, sha256_record_hash
from satchel.install.transaction import _json


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("SATCHEL_CACHE_DIR", str(directory))
    return directory


# ---------------------------------------------------------------- entries


PAYLOAD = {
    "consulted": {"pages": [{"url": "http://x/simple/a/", "status": 200, "sha256": "ab" * 32}], "local": {}},
    "wheels": ["0" * 64],
    "remove": [["lib", "1.0"]],
    "summary": "Successfully installed app-1.0\n",
    "satisfied": None,
}


def test_entry_round_trip(tmp_path: Path) -> None:
    nested = tmp_path / "base.txt"
    nested.write_text("app\n")
    files = {str(nested): hashlib.sha256(b"app\n").hexdigest()}
    remember_entry(_cache(), REPLAY, "the\0key", PAYLOAD, files)
    assert recall_entry(_cache(), REPLAY, "the\0key") == PAYLOAD
    assert recall_entry(_cache(), REPLAY, "another\0key") is None
    assert recall_entry(_cache(), NOOP, "the\0key") is None  # buckets are apart


def test_noop_answers_round_trip_and_only_strings() -> None:
    remember(_cache(), "k", "Requirement already satisfied: a in /x (1.0)\n")
    assert recall(_cache(), "k") == "Requirement already satisfied: a in /x (1.0)\n"
    remember_entry(_cache(), NOOP, "not-a-string", {"x": 1})
    assert recall(_cache(), "not-a-string") is None


def test_changed_nested_file_invalidates_by_content(tmp_path: Path) -> None:
    nested = tmp_path / "base.txt"
    nested.write_text("app\n")
    remember_entry(_cache(), REPLAY, "k", PAYLOAD, {str(nested): hashlib.sha256(b"app\n").hexdigest()})
    nested.write_text("app\nextra\n")
    assert recall_entry(_cache(), REPLAY, "k") is None
    nested.unlink()
    nested.write_text("app\n")  # new stamps, the same content: valid again
    assert recall_entry(_cache(), REPLAY, "k") == PAYLOAD
    nested.unlink()
    assert recall_entry(_cache(), REPLAY, "k") is None


# two keys with one crc32 (found by a birthday search over random suffixes)
COLLIDING = ("install\0-r\0req.txt\x001156bce8846bce6c", "install\0-r\0req.txt\x00640eeb6f9f60d2e8")


def test_keys_sharing_a_file_name_never_answer_for_each_other() -> None:
    first, second = COLLIDING
    assert first != second and zlib.crc32(first.encode()) == zlib.crc32(second.encode())
    assert memory._file(_cache(), REPLAY, first) == memory._file(_cache(), REPLAY, second)
    remember_entry(_cache(), REPLAY, first, "first payload")
    assert recall_entry(_cache(), REPLAY, first) == "first payload"
    assert recall_entry(_cache(), REPLAY, second) is None
    remember_entry(_cache(), REPLAY, second, "second payload")  # takes the file over
    assert recall_entry(_cache(), REPLAY, second) == "second payload"
    assert recall_entry(_cache(), REPLAY, first) is None


def test_a_file_written_with_another_key_is_no_entry() -> None:
    path = Path(memory._file(_cache(), REPLAY, "mine"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(marshal.dumps({"key": "theirs", "files": {}, "payload": PAYLOAD}))
    assert recall_entry(_cache(), REPLAY, "mine") is None
    path.write_bytes(marshal.dumps({"key": "mine", "files": {}, "payload": PAYLOAD}))
    assert recall_entry(_cache(), REPLAY, "mine") == PAYLOAD


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"\x00\x01garbage",
        marshal.dumps({"key": "k", "files": {}, "payload": PAYLOAD})[:-7],
        marshal.dumps(["k", PAYLOAD]),
        marshal.dumps({"files": {}, "payload": PAYLOAD}),
        b"\xff" * 100,
    ],
    ids=["empty", "garbage", "truncated", "a-list", "no-key", "bad-type-code"],
)
def test_damaged_entry_is_no_entry(damage: bytes) -> None:
    path = Path(memory._file(_cache(), REPLAY, "k"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(damage)
    assert recall_entry(_cache(), REPLAY, "k") is None
    remember_entry(_cache(), REPLAY, "k", PAYLOAD)  # and a new answer replaces it
    assert recall_entry(_cache(), REPLAY, "k") == PAYLOAD


def test_entry_listing_a_file_as_a_non_mapping_is_no_entry() -> None:
    path = Path(memory._file(_cache(), REPLAY, "k"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(marshal.dumps({"key": "k", "files": 5, "payload": PAYLOAD}))
    assert recall_entry(_cache(), REPLAY, "k") is None


def test_a_cache_that_cannot_be_written_costs_nothing(cache: Path) -> None:
    cache.mkdir()
    Path(_cache().part(REPLAY)).write_text("a file where the bucket directory should be")
    remember_entry(_cache(), REPLAY, "k", PAYLOAD)  # no exception
    assert recall_entry(_cache(), REPLAY, "k") is None


def test_unmarshallable_payload_is_not_remembered() -> None:
    remember_entry(_cache(), REPLAY, "k", {"x": object()})
    assert recall_entry(_cache(), REPLAY, "k") is None


# ---------------------------------------------------------------- keys


def test_command_key_holds_what_it_should(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    req = tmp_path / "req.txt"
    req.write_text("app\n")
    environ = {"PIP_INDEX_URL": "http://a/", "SATCHEL_X": "1", "HTTPS_PROXY": "http://p:1", "UNRELATED": "zzz"}
    monkeypatch.chdir(tmp_path)
    parts = command_key(["install", "-r", "req.txt"], [str(req)], [], environ)
    assert str(tmp_path) in parts and "app\n" in parts
    assert "PIP_INDEX_URL=http://a/" in parts and "SATCHEL_X=1" in parts and "HTTPS_PROXY=http://p:1" in parts
    assert not any("UNRELATED" in part for part in parts)
    req.write_text("app\nextra\n")
    assert command_key(["install", "-r", "req.txt"], [str(req)], [], environ) != parts
    missing = command_key(["install", "-r", "gone.txt"], [str(tmp_path / "gone.txt")], [], environ)
    assert missing[missing.index("file") + 2] == "-"


def _site(root: Path, *names: str) -> Path:
    root.mkdir(parents=True)
    for name in names:
        (root / name).mkdir()
    return root


def test_contents_key_is_by_name_not_by_stamp(tmp_path: Path) -> None:
    one = _site(tmp_path / "one", "app-1.0.dist-info", "app", "base-1.0.dist-info")
    key = contents_key([str(one)])
    for path in sorted(one.iterdir()):
        os.rmdir(path)
    os.rmdir(one)
    _site(tmp_path / "one", "base-1.0.dist-info", "app", "app-1.0.dist-info")  # made again: new stamps
    assert contents_key([str(one)]) == key
    (one / "base-1.0.dist-info").rename(one / "base-2.0.dist-info")
    assert contents_key([str(one)]) != key
    (one / "base-2.0.dist-info").rename(one / "base-1.0.dist-info")
    (one / "module.py").write_text("")  # a plain module: not a distribution
    assert contents_key([str(one)]) == key
    (one / "extra.pth").write_text("/x\n")
    assert contents_key([str(one)]) != key
    assert contents_key([str(tmp_path / "missing")]) == [f"{tmp_path / 'missing'}:-"]


def test_noop_key_follows_stamps(tmp_path: Path) -> None:
    site = _site(tmp_path / "site", "app-1.0.dist-info")
    key = noop_key(["install", "app"], [], [str(site)], [], {})
    assert noop_key(["install", "app"], [], [str(site)], [], {}) == key
    (site / "base-1.0.dist-info").mkdir()
    assert noop_key(["install", "app"], [], [str(site)], [], {}) != key


# ---------------------------------------------------------------- record_text == csv.writer


def _csv(rows: list[tuple[str, str, str]]) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerows(rows)
    return out.getvalue()


AWKWARD = [
    ("pkg/plain.py", "sha256=abc", "12"),
    ("pkg/with,comma.py", "sha256=x", "1"),
    ('pkg/with"quote.py', "", ""),
    ("pkg/new\nline.py", "sha256=y", "3"),
    ("pkg/carriage\rreturn.py", "", ""),
    ("pkg/ünïcödé-日本.py", "sha256=z", "4"),
    ('"', ",", "\r\n"),
    ("", "", ""),
    (" leading and trailing ", "\t", "'"),
    ("../bin/script", "sha256=q", "0"),
    ("pkg/surrogate-\udcff.py", "", ""),
]


def test_record_text_matches_csv_for_awkward_names() -> None:
    assert record_text(AWKWARD) == _csv(AWKWARD)
    for row in AWKWARD:
        assert record_text([row]) == _csv([row])


def test_record_text_reads_back_with_csv() -> None:
    assert [tuple(row) for row in csv.reader(io.StringIO(record_text(AWKWARD), newline=""))] == AWKWARD


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.text(), st.text(), st.text()), max_size=6))
def test_record_text_matches_csv(rows: list[tuple[str, str, str]]) -> None:
    assert record_text(rows) == _csv(rows)


# ---------------------------------------------------------------- sha256_record_hash


def _reference_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def test_precomputed_hashes_are_right() -> None:
    assert _KNOWN  # (the test would prove nothing with none)
    for data, value in _KNOWN.items():
        assert value == _reference_hash(data), data


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_sha256_record_hash_matches_base64(data: bytes) -> None:
    assert sha256_record_hash(data) == _reference_hash(data)


def test_sha256_record_hash_of_characters_base64_spells_differently() -> None:
    # digests whose standard base64 holds "+" and "/": both must become urlsafe
    found = {"+": False, "/": False}
    for i in range(2000):
        data = str(i).encode()
        standard = base64.b64encode(hashlib.sha256(data).digest()).decode()
        for char in found:
            found[char] |= char in standard
        assert sha256_record_hash(data) == _reference_hash(data)
    assert all(found.values())


# ---------------------------------------------------------------- transaction._json == json


def _no_pair_forming_surrogates(text: str) -> bool:
    """json itself reads "\\ud800\\udc00" as one character: such strings can't round-trip
    through any JSON writer, json.dumps included."""
    return not any(
        "\ud800" <= a <= "\udbff" and "\udc00" <= b <= "\udfff" for a, b in zip(text, text[1:])
    )


every_code_point = st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=()))


@settings(max_examples=500, deadline=None)
@given(every_code_point)
def test_json_strings_read_back_exactly(text: str) -> None:
    encoded = _json(text)
    assert encoded.isascii()
    assert json.loads(encoded) == json.loads(json.dumps(text))
    if _no_pair_forming_surrogates(text):
        assert json.loads(encoded) == text


@pytest.mark.parametrize(
    "text",
    ["", "plain", 'quo"te', "back\\slash", "\x00\x1f\x7f", "tab\tnew\nline", "é", "\u2028\u2029", "\U0001f600",
     "\U0010ffff", "\udcff", "\ud800", "a\udc80b\udcfe", "\ud83d", "x\ud83dy"],
)  # fmt: skip
def test_json_awkward_strings(text: str) -> None:
    assert json.loads(_json(text)) == text


journal_values = st.recursive(
    st.none() | st.booleans() | st.integers() | every_code_point,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(every_code_point, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(journal_values)
def test_json_values_read_back_as_json_writes_them(value: object) -> None:
    assert json.loads(_json(value)) == json.loads(json.dumps(value))


def test_json_journal_shape() -> None:
    journal = {
        "version": 1, "state": "applying", "backups": [["/e/lib/x\udcff.py", "/e/.satchel/tx/backup/x\udcff.py"]],
        "moves": [("/s/a", "/e/a", [2049, 123456789012])], "created_dirs": [], "added": ["app-1.0"], "removed": [],
    }  # fmt: skip
    assert json.loads(_json(journal)) == json.loads(json.dumps(journal))
    with pytest.raises(TypeError):
        _json({"x": 1.5})


# ---------------------------------------------------------------- canonical_name


def _pep503(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.mark.parametrize("name", ["Foo_Bar", "foo.-_bar", "A--B", "x___y...z", "-lead", "trail-", "Ünï_Cöde", "", "---"])
def test_canonical_name_examples(name: str) -> None:
    assert canonical_name(name) == _pep503(name)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("aB9-_.-_.İß"), max_size=20))
def test_canonical_name_matches_the_regex(name: str) -> None:
    assert canonical_name(name) == _pep503(name)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("http://user:secret@host/simple", "http://****@host/simple"),
        ("--index-url=https://token@host:8080/s -f https://a:b@c/d", "--index-url=https://****@host:8080/s -f https://****@c/d"),
        ("git+https://u:p@host/repo.git@v1#egg=x", "git+https://****@host/repo.git@v1#egg=x"),
        ("https://host/p@q", "https://host/p@q"),
        ("name@example", "name@example"),
        ("plain", "plain"),
    ],
)
def test_keys_never_hold_url_credentials(text: str, masked: str) -> None:
    assert memory.without_credentials(text) == masked
    key = "\0".join(memory.command_key(["install", "-i", text], (), (), {"PIP_INDEX_URL": text}))
    assert ("secret" in key, "token@" in key, "u:p@" in key) == (False, False, False)


def test_contents_key_reads_pth_files_by_content(tmp_path: Path) -> None:
    """virtualenv (`_virtualenv.pth`) and setuptools (`distutils-precedence.pth`) write a new
    .pth file into every environment: the same contents must give the same key, other
    contents another."""
    site = _site(tmp_path / "site", "app-1.0.dist-info")
    (site / "_virtualenv.pth").write_text("import _virtualenv\n")
    key = contents_key([str(site)])
    (site / "_virtualenv.pth").unlink()
    (site / "_virtualenv.pth").write_text("import _virtualenv\n")  # a new file: new inode and mtime
    assert contents_key([str(site)]) == key
    (site / "_virtualenv.pth").write_text("import other\n")
    assert contents_key([str(site)]) != key


def _cache() -> Cache:
    """The test's own cache (the autouse fixture sets SATCHEL_CACHE_DIR)."""
    found = Cache.from_variables(os.environ)
    assert found is not None
    return found


def test_a_bucket_over_its_budget_loses_its_least_recently_used_entries(tmp_path: Path) -> None:
    """Every new environment path writes new entries: the bucket keeps within its budget by
    deleting the entries used longest ago (a recall counts as a use), never the one just written."""
    cache = Cache(str(tmp_path / "cache"))
    payload = "x" * 10_000  # ~10 kB an entry
    keys = [f"key-{i}" for i in range(10)]
    for i, key in enumerate(keys):
        remember_entry(cache, REPLAY, key, payload, budget=1 << 30)
        os.utime(memory._file(cache, REPLAY, key), ns=(i * 10**9, i * 10**9))  # written in order
    assert recall_entry(cache, REPLAY, keys[0]) == payload  # the oldest, used now
    remember_entry(cache, REPLAY, "newest", payload, budget=60_000)
    left = {k for k in [*keys, "newest"] if os.path.exists(memory._file(cache, REPLAY, k))}
    assert "newest" in left and keys[0] in left
    assert keys[1] not in left and keys[2] not in left  # the least recently used went first
    sizes = sum(os.path.getsize(memory._file(cache, REPLAY, k)) for k in left)
    assert sizes <= 60_000 * 3 // 4
    assert all(recall_entry(cache, REPLAY, k) == payload for k in left)


def test_a_bucket_within_its_budget_is_left_alone_and_stale_temp_files_go(tmp_path: Path) -> None:
    cache = Cache(str(tmp_path / "cache"))
    remember_entry(cache, NOOP, "a", "answer")
    directory = os.path.dirname(memory._file(cache, NOOP, "a"))
    stale, fresh = os.path.join(directory, "0000.123.tmp"), os.path.join(directory, "0001.456.tmp")
    for path in (stale, fresh):
        Path(path).write_bytes(b"y" * 5_000)
    os.utime(stale, (0, 0))
    assert memory.prune(directory, 1 << 20) == 0  # within budget: nothing deleted
    assert memory.prune(directory, 4_000) >= 1
    assert not os.path.exists(stale)  # a killed writer's file goes first
    assert os.path.exists(fresh)  # a write in progress is never touched
    assert memory.BUDGET[REPLAY] >= memory.BUDGET[NOOP] > 0
