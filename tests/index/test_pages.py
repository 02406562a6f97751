"""Project pages: PEP 503 HTML and PEP 691 JSON parse into equal ProjectPages; links carry
PEP 592/658/714/700 fields; credentials never show. Hand-written real-world-shaped pages,
differential checks against pip's own parser, and hypothesis for HTML/JSON equivalence."""

from __future__ import annotations

import html
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from satchel.index.links import FileLink, archive_extension, hashes_from_fragment
from satchel.index.pages import (
    ACCEPT,
    PageError,
    ProjectPage,
    api_version_warning,
    charset_from_content_type,
    page_format,
    parse_page,
    parse_simple_html,
    parse_simple_json,
)

PAGE = "https://index.example.com/simple/demo-pkg/"
SHA_A = "a" * 64
SHA_B = "b" * 64
SHA_M = "c" * 64

# What a real index serves (layout of the public index's template, plus the shapes other
# servers emit): relative links, an absolute link with credentials, entities, odd casing.
REAL_HTML = f"""<!DOCTYPE html>
<html>
  <head>
    <meta name="pypi:repository-version" content="1.1">
    <title>Links for demo-pkg</title>
  </head>
  <body>
    <h1>Links for demo-pkg</h1>
    <a href="../../packages/aa/bb/demo_pkg-1.0.tar.gz#sha256={SHA_A}" data-requires-python="&gt;=3.8">demo_pkg-1.0.tar.gz</a><br />
    <a href="../../packages/aa/bb/demo_pkg-1.0-py3-none-any.whl#sha256={SHA_B}" data-requires-python="&gt;=3.8,&lt;4" data-dist-info-metadata="sha256={SHA_M}" data-core-metadata="sha256={SHA_M}">demo_pkg-1.0-py3-none-any.whl</a><br />
    <a href="/packages/cc/demo_pkg-1.1-py3-none-any.whl#md5=0123" data-yanked="broken on &quot;Windows&quot; &amp; macOS">demo_pkg-1.1-py3-none-any.whl</a><br />
    <a href="/packages/cc/demo_pkg-1.2.tar.gz" data-yanked="">demo_pkg-1.2.tar.gz</a><br />
    <A HREF=/packages/cc/demo_pkg-1.3.zip data-core-metadata=true>demo_pkg-1.3.zip</A><br>
    <a href="https://alice:s3cret@files.example.com/demo_pkg-2.0%2Blocal-cp311-cp311-manylinux_2_17_x86_64.whl?x=1&amp;y=2#sha256={SHA_A}" data-dist-info-metadata="true">local</a>
    <a>no href</a> <a href="">empty href</a>
    <!-- <a href="commented-out-1.0.tar.gz">nope</a> -->
    <script>var s = '<a href="scripted-1.0.tar.gz">';</script>
  </body>
</html>
"""

REAL_JSON: dict[str, Any] = {
    "meta": {"api-version": "1.1"},
    "name": "demo-pkg",
    "versions": ["1.0", "1.1", "1.2", "1.3", "2.0+local"],
    "files": [
        {
            "filename": "demo_pkg-1.0.tar.gz",
            "url": "../../packages/aa/bb/demo_pkg-1.0.tar.gz",
            "hashes": {"sha256": SHA_A},
            "requires-python": ">=3.8",
            "size": 1234,
            "upload-time": "2024-01-02T03:04:05.678901Z",
        },
        {
            "filename": "demo_pkg-1.0-py3-none-any.whl",
            "url": "../../packages/aa/bb/demo_pkg-1.0-py3-none-any.whl",
            "hashes": {"sha256": SHA_B},
            "requires-python": ">=3.8,<4",
            "core-metadata": {"sha256": SHA_M},
            "dist-info-metadata": {"sha256": SHA_M},
        },
        {
            "filename": "demo_pkg-1.1-py3-none-any.whl",
            "url": "/packages/cc/demo_pkg-1.1-py3-none-any.whl",
            "hashes": {"md5": "0123"},
            "yanked": 'broken on "Windows" & macOS',
        },
        {"filename": "demo_pkg-1.2.tar.gz", "url": "/packages/cc/demo_pkg-1.2.tar.gz", "hashes": {}, "yanked": True},
        {"filename": "demo_pkg-1.3.zip", "url": "/packages/cc/demo_pkg-1.3.zip", "hashes": {}, "core-metadata": True},
        {
            "filename": "demo_pkg-2.0+local-cp311-cp311-manylinux_2_17_x86_64.whl",
            "url": "https://alice:s3cret@files.example.com/demo_pkg-2.0%2Blocal-cp311-cp311-manylinux_2_17_x86_64.whl?x=1&y=2",
            "hashes": {"sha256": SHA_A},
            "dist-info-metadata": True,
        },
    ],
}

EXPECTED_LINKS = (
    FileLink(
        url="https://index.example.com/packages/aa/bb/demo_pkg-1.0.tar.gz",
        filename="demo_pkg-1.0.tar.gz",
        hashes={"sha256": SHA_A},
        requires_python=">=3.8",
    ),
    FileLink(
        url="https://index.example.com/packages/aa/bb/demo_pkg-1.0-py3-none-any.whl",
        filename="demo_pkg-1.0-py3-none-any.whl",
        hashes={"sha256": SHA_B},
        requires_python=">=3.8,<4",
        metadata={"sha256": SHA_M},
    ),
    FileLink(
        url="https://index.example.com/packages/cc/demo_pkg-1.1-py3-none-any.whl",
        filename="demo_pkg-1.1-py3-none-any.whl",
        hashes={"md5": "0123"},
        yanked=True,
        yanked_reason='broken on "Windows" & macOS',
    ),
    FileLink(
        url="https://index.example.com/packages/cc/demo_pkg-1.2.tar.gz", filename="demo_pkg-1.2.tar.gz", yanked=True
    ),
    FileLink(url="https://index.example.com/packages/cc/demo_pkg-1.3.zip", filename="demo_pkg-1.3.zip", metadata=True),
    FileLink(
        url="https://alice:s3cret@files.example.com/demo_pkg-2.0%2Blocal-cp311-cp311-manylinux_2_17_x86_64.whl?x=1&y=2",
        filename="demo_pkg-2.0+local-cp311-cp311-manylinux_2_17_x86_64.whl",
        hashes={"sha256": SHA_A},
        metadata=True,
    ),
)


def fields(link: FileLink) -> tuple[object, ...]:
    return (
        link.url,
        link.filename,
        link.hashes,
        link.requires_python,
        link.yanked,
        link.yanked_reason,
        link.metadata,
        link.size,
        link.upload_time,
    )


# ---------------------------------------------------------------- HTML


def test_real_world_html_page() -> None:
    page = parse_simple_html(REAL_HTML, PAGE)
    assert page.name == "demo-pkg"
    assert page.api_version == "1.1"
    assert page.versions is None
    assert [fields(link) for link in page.links] == [fields(link) for link in EXPECTED_LINKS]
    assert page.links == EXPECTED_LINKS


def test_json_page_equals_html_page() -> None:
    from_json = parse_simple_json(REAL_JSON, PAGE)
    from_html = parse_simple_html(REAL_HTML, PAGE)
    assert from_json.name == from_html.name == "demo-pkg"
    assert from_json.versions == ("1.0", "1.1", "1.2", "1.3", "2.0+local")
    # PEP 700's size and upload-time exist only in JSON
    assert from_json.links[0].size == 1234
    assert from_json.links[0].upload_time == "2024-01-02T03:04:05.678901Z"
    stripped = tuple(
        FileLink(**{**{f: getattr(link, f) for f in FileLink.__dataclass_fields__}, "size": None, "upload_time": None})
        for link in from_json.links
    )
    assert stripped == from_html.links
    assert ProjectPage(from_json.name, stripped, None, from_json.api_version) == from_html


def test_base_href_applies_to_every_link_and_resolves_against_the_page() -> None:
    text = """<html><body>
    <a href="early-1.0.tar.gz">early</a>
    <base href="../../mirror/files/"><base href="https://ignored.example.com/">
    <a href="late-1.0.tar.gz">late</a><a href="/rooted-1.0.tar.gz">rooted</a>
    <a href="https://files.example.com/abs-1.0.tar.gz">absolute</a></body></html>"""
    urls = [link.url for link in parse_simple_html(text, PAGE).links]
    assert urls == [
        "https://index.example.com/mirror/files/early-1.0.tar.gz",
        "https://index.example.com/mirror/files/late-1.0.tar.gz",
        "https://index.example.com/rooted-1.0.tar.gz",
        "https://files.example.com/abs-1.0.tar.gz",
    ]


def test_base_without_href_is_skipped_for_the_next_one() -> None:
    text = '<base target="_blank"><base href="http://127.0.0.1:8000/files/"><a href="x-1.0.zip">x</a>'
    assert parse_simple_html(text, PAGE).links[0].url == "http://127.0.0.1:8000/files/x-1.0.zip"


@pytest.mark.parametrize(
    ("attrs", "yanked", "reason"),
    [
        ("", False, None),
        ("data-yanked", True, None),  # no value: yanked (PEP 592; pip reads it as not yanked)
        ('data-yanked=""', True, None),
        ("data-yanked='security: CVE-2024-0001'", True, "security: CVE-2024-0001"),
        ('data-yanked="a &lt;b&gt; &#x26; &#169;"', True, "a <b> & \u00a9"),
        ('DATA-YANKED="upper"', True, "upper"),
    ],
)
def test_html_yanked(attrs: str, yanked: bool, reason: str | None) -> None:
    link = parse_simple_html(f'<a href="x-1.0.tar.gz" {attrs}>x</a>', PAGE).links[0]
    assert (link.yanked, link.yanked_reason) == (yanked, reason)


@pytest.mark.parametrize(
    ("attrs", "metadata"),
    [
        ("", None),
        ('data-core-metadata="true"', True),
        ('data-dist-info-metadata="true"', True),
        ('data-core-metadata="false"', False),
        (f'data-core-metadata="sha256={SHA_M}"', {"sha256": SHA_M}),
        (f'data-dist-info-metadata="sha256={SHA_M}"', {"sha256": SHA_M}),
        # PEP 714: the new name wins over the old, whatever their values
        (f'data-dist-info-metadata="sha256={SHA_A}" data-core-metadata="sha256={SHA_M}"', {"sha256": SHA_M}),
        ('data-dist-info-metadata="true" data-core-metadata="false"', False),
        ('data-core-metadata="blake2=00"', True),  # exists, with a hash satchel can't check
        ('data-core-metadata="garbage"', True),
        ("data-core-metadata", None),  # no value: as pip, treated as absent
    ],
)
def test_html_metadata(attrs: str, metadata: object) -> None:
    link = parse_simple_html(f'<a href="x-1.0-py3-none-any.whl" {attrs}>x</a>', PAGE).links[0]
    assert link.metadata == metadata
    assert link.has_metadata is bool(metadata)
    assert link.metadata_url == "https://index.example.com/simple/demo-pkg/x-1.0-py3-none-any.whl.metadata"


@pytest.mark.parametrize(
    ("attr", "expected"),
    [
        ('data-requires-python="&gt;=3.8"', ">=3.8"),
        ('data-requires-python="&gt;=2.7, !=3.0.*, &lt;4"', ">=2.7, !=3.0.*, <4"),
        ("data-requires-python='>=3.9'", ">=3.9"),  # unescaped works too
        ('data-requires-python="&#62;=3.10"', ">=3.10"),
        ('data-requires-python=""', None),
        ("", None),
    ],
)
def test_html_requires_python_is_unescaped(attr: str, expected: str | None) -> None:
    assert parse_simple_html(f'<a href="x-1.0.zip" {attr}>x</a>', PAGE).links[0].requires_python == expected


def test_messy_html_is_tolerated() -> None:
    text = (
        "<html><BODY><p>unclosed <b>tags <a href=one-1.0.tar.gz>one<a href='two-1.0.tar.gz'>two"
        "<br/><table><tr><td><a href=\"three-1.0.tar.gz\"\n   data-requires-python=\"&gt;=3\">three</td></table>"
        "<a href=\"four-1.0.tar.gz\" href=\"ignored-1.0.tar.gz\">four</a><a/><img src=x.png>"
        "<a href=\" five-1.0.tar.gz \">five</a>"  # no closing tags at all
    )
    page = parse_simple_html(text, PAGE)
    assert [link.filename for link in page.links] == [
        "one-1.0.tar.gz",
        "two-1.0.tar.gz",
        "three-1.0.tar.gz",
        "four-1.0.tar.gz",
        "five-1.0.tar.gz",
    ]
    assert page.links[2].requires_python == ">=3"


def test_hash_fragments_and_quoting() -> None:
    text = (
        f'<a href="a-1.0.tar.gz#sha256={SHA_A}&amp;egg=a">1</a>'
        '<a href="b-1.0.tar.gz#md5=00&sha1=11&sha256=22">2</a>'
        '<a href="c-1.0.tar.gz#egg=c&subdirectory=x">3</a>'
        '<a href="dir%20x/d-1.0+local.tar.gz">4</a>'  # a space encoded, a + not
        '<a href="dir x/e-1.0%2Blocal.tar.gz">5</a>'  # a raw space, a + encoded
    )
    a, b, c, d, e = parse_simple_html(text, PAGE).links
    assert a.hashes == {"sha256": SHA_A} and a.url.endswith("/a-1.0.tar.gz")
    assert b.hashes == {"md5": "00", "sha1": "11", "sha256": "22"} and b.best_hash == ("sha256", "22")
    assert c.hashes == {} and c.best_hash is None and "#" not in c.url
    assert d.url == "https://index.example.com/simple/demo-pkg/dir%20x/d-1.0%2Blocal.tar.gz"
    assert d.filename == "d-1.0+local.tar.gz"
    assert e.url == "https://index.example.com/simple/demo-pkg/dir%20x/e-1.0%2Blocal.tar.gz"
    assert e.filename == "e-1.0+local.tar.gz"


def test_repository_version_meta_and_api_versions() -> None:
    assert parse_simple_html("<a href='x-1.0.zip'>x</a>", PAGE).api_version is None
    newer = parse_simple_html('<meta name="pypi:repository-version" content="1.7">', PAGE)
    assert newer.api_version == "1.7"
    assert api_version_warning(newer) == "the index speaks simple API 1.7; satchel knows up to 1.1"
    assert api_version_warning(parse_simple_json({"meta": {"api-version": "1.1"}, "files": []}, PAGE)) is None
    with pytest.raises(PageError, match="version 2.0") as info:
        parse_simple_html('<meta name="pypi:repository-version" content="2.0">', "https://u:pw@index.example.com/s/x/")
    assert info.value.input == "https://u:****@index.example.com/s/x/"
    with pytest.raises(PageError):
        parse_simple_json({"meta": {"api-version": "3.0"}, "files": []}, PAGE)


def test_name_comes_from_the_page_url_for_html() -> None:
    assert parse_simple_html("", "https://index.example.com/simple/Zope.Interface/").name == "zope-interface"
    assert parse_simple_html("", "http://127.0.0.1:8000/simple/Foo__Bar").name == "foo-bar"


# ---------------------------------------------------------------- JSON


@pytest.mark.parametrize(
    ("value", "yanked", "reason"),
    [
        (None, False, None),
        (False, False, None),
        ("", False, None),  # PEP 691 forbids it; pip reads it as not yanked
        (True, True, None),
        ("bad build", True, "bad build"),
    ],
)
def test_json_yanked(value: object, yanked: bool, reason: str | None) -> None:
    entry: dict[str, object] = {"url": "x-1.0.tar.gz", "hashes": {}}
    if value is not None:
        entry["yanked"] = value
    link = parse_simple_json({"meta": {"api-version": "1.0"}, "files": [entry]}, PAGE).links[0]
    assert (link.yanked, link.yanked_reason) == (yanked, reason)


@pytest.mark.parametrize(
    ("entry", "metadata"),
    [
        ({}, None),
        ({"core-metadata": True}, True),
        ({"core-metadata": False}, False),
        ({"dist-info-metadata": True}, True),
        ({"dist-info-metadata": {"sha256": SHA_M}}, {"sha256": SHA_M}),
        ({"core-metadata": {"sha256": SHA_M}, "dist-info-metadata": {"sha256": SHA_A}}, {"sha256": SHA_M}),
        ({"core-metadata": False, "dist-info-metadata": True}, False),
        ({"core-metadata": {"blake2b": "00"}}, True),
        ({"core-metadata": {"blake2b": "00", "sha512": "11"}}, {"sha512": "11"}),
    ],
)
def test_json_metadata(entry: dict[str, object], metadata: object) -> None:
    page = parse_simple_json({"files": [{"url": "x-1.0-py3-none-any.whl", "hashes": {}, **entry}]}, PAGE)
    assert page.links[0].metadata == metadata


def test_json_is_lenient_about_entries_but_not_about_files() -> None:
    page = parse_simple_json(
        {
            "files": [
                {"filename": "no-url-1.0.tar.gz", "hashes": {}},
                "not an object",
                {"url": "", "hashes": {}},
                {"url": "ok-1.0.tar.gz", "hashes": "nonsense", "size": True, "upload-time": 5, "requires-python": 3},
            ]
        },
        "https://index.example.com/simple/ok/",
    )
    assert [fields(link) for link in page.links] == [
        ("https://index.example.com/simple/ok/ok-1.0.tar.gz", "ok-1.0.tar.gz", {}, None, False, None, None, None, None)
    ]
    with pytest.raises(PageError, match="no list of files"):
        parse_simple_json({"files": {"a": 1}}, PAGE)


def test_json_url_fragment_hash_merges_with_hashes() -> None:
    entry = {"url": "x-1.0.tar.gz#sha256=fromfragment", "hashes": {"sha256": "fromjson", "blake2b": "k"}}
    link = parse_simple_json({"files": [entry]}, PAGE).links[0]
    assert link.hashes == {"sha256": "fromfragment", "blake2b": "k"}  # the fragment wins, as in pip
    assert link.url == "https://index.example.com/simple/demo-pkg/x-1.0.tar.gz"


# ---------------------------------------------------------------- content types


@pytest.mark.parametrize(
    ("content_type", "kind"),
    [
        ("application/vnd.pypi.simple.v1+json", "json"),
        ("Application/VND.PyPI.Simple.V1+JSON; charset=utf-8", "json"),
        ("application/vnd.pypi.simple.v1+html", "html"),
        ("text/html", "html"),
        ("text/html; charset=ISO-8859-1", "html"),
        ("application/vnd.pypi.simple.latest+json", None),
        ("application/vnd.pypi.simple.v2+json", None),
        ("application/json", None),
        ("application/octet-stream", None),
        ("", None),
    ],
)
def test_page_format(content_type: str, kind: str | None) -> None:
    assert page_format(content_type) == kind


def test_accept_header_prefers_json_then_html_like_pip() -> None:
    assert ACCEPT == (
        "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"
    )
    collector = pytest.importorskip("pip._internal.index.collector")
    source = open(collector.__file__, encoding="utf-8").read()
    for part in ACCEPT.split(", "):
        assert f'"{part}"' in source


def test_charset_and_parse_page() -> None:
    assert charset_from_content_type("text/html; charset=ISO-8859-1") == "ISO-8859-1"
    assert charset_from_content_type('text/html; Charset="utf-16"') == "utf-16"
    assert charset_from_content_type("text/html") == "utf-8"
    body = '<a href="caf\u00e9-1.0.tar.gz" data-yanked="\u00e9">x</a>'.encode("latin-1")
    page = parse_page(body, "text/html; charset=latin-1", PAGE)
    assert page.links[0].filename == "caf\u00e9-1.0.tar.gz" and page.links[0].yanked_reason == "\u00e9"
    page = parse_page(json.dumps(REAL_JSON).encode(), "application/vnd.pypi.simple.v1+json", PAGE)
    assert page == parse_simple_json(REAL_JSON, PAGE)
    assert parse_page(b"<a href='x-1.0.zip'>", "text/html; charset=no-such-codec", PAGE).links[0].filename == "x-1.0.zip"


def test_parse_page_errors_name_the_redacted_page() -> None:
    secret_page = "https://bob:hunter2@index.example.com/simple/x/"
    for body, ctype, message in [
        (b"{}", "application/octet-stream", "Content-Type 'application/octet-stream'"),
        (b"{not json", "application/vnd.pypi.simple.v1+json", "invalid JSON"),
        (b"[1, 2]", "application/vnd.pypi.simple.v1+json", "not an object"),
    ]:
        with pytest.raises(PageError, match=message) as info:
            parse_page(body, ctype, secret_page)
        assert "hunter2" not in str(info.value) and "hunter2" not in (info.value.input or "")
        assert info.value.exit_code == 1 and info.value.code == "index-page"


# ---------------------------------------------------------------- links


def test_credentials_never_show_in_repr_or_str() -> None:
    link = parse_simple_html(REAL_HTML, PAGE).links[-1]
    assert "s3cret" in link.url  # kept for the download itself
    page = parse_simple_html(REAL_HTML, PAGE)
    for text in (repr(link), str(link), link.display, repr(page), str(page), f"{link}", f"{page.links!r}"):
        assert "s3cret" not in text
    assert link.display.startswith("https://alice:****@files.example.com/")


@pytest.mark.parametrize(
    ("filename", "ext", "wheel", "sdist", "legacy"),
    [
        ("x-1.0-py3-none-any.whl", ".whl", True, False, False),
        ("x-1.0.tar.gz", ".tar.gz", False, True, False),
        ("x-1.0.zip", ".zip", False, True, False),
        ("x-1.0.tar.bz2", ".tar.bz2", False, True, True),
        ("x-1.0.tgz", ".tgz", False, True, True),
        ("x-1.0.tar", ".tar", False, True, True),
        ("x-1.0.tar.xz", ".tar.xz", False, True, True),
        ("x-1.0.egg", "", False, False, False),
        ("x-1.0.win32.exe", "", False, False, False),
        ("X-1.0.TAR.GZ", "", False, False, False),
        (".tar.gz", "", False, False, False),
        ("", "", False, False, False),
    ],
)
def test_archive_kinds(filename: str, ext: str, wheel: bool, sdist: bool, legacy: bool) -> None:
    link = FileLink(url="https://files.example.com/" + filename, filename=filename)
    assert archive_extension(filename) == ext
    assert (link.is_wheel, link.is_sdist, link.is_legacy_sdist) == (wheel, sdist, legacy)


def test_filename_is_one_safe_path_component() -> None:
    assert FileLink.build("a%2Fb-1.0.tar.gz", PAGE).filename == "b-1.0.tar.gz"
    assert FileLink.build("x/..%2F..%2Fevil-1.0.tar.gz", PAGE).filename == "evil-1.0.tar.gz"
    assert FileLink.build("https://files.example.com/", PAGE).filename == ""
    assert FileLink.build("https://files.example.com/dir/", PAGE).filename == "dir"
    assert FileLink.build("..", "https://files.example.com/a/b/c").filename == "a"


def test_hashes_from_fragment() -> None:
    assert hashes_from_fragment("sha256=1&sha256=2&md5=3&SHA1=4&sha1") == {"sha256": "1", "md5": "3"}
    assert hashes_from_fragment("") == {}


def test_file_links_hash_by_url() -> None:
    one = FileLink.build("x-1.0.tar.gz#sha256=1", PAGE)
    two = FileLink.build("x-1.0.tar.gz", PAGE, hashes={"sha256": "1"})
    assert one == two and hash(one) == hash(two) and len({one, two}) == 1


# ---------------------------------------------------------------- against pip


def pip_links(body: str, content_type: str, page_url: str) -> list[Any]:
    collector = pytest.importorskip("pip._internal.index.collector")
    try:
        content = collector.IndexContent(
            body.encode("utf-8"), content_type, encoding="utf-8", url=page_url, cache_link_parsing=False
        )
        return list(collector.parse_links(content))
    except TypeError as e:  # pip's internal API moved
        pytest.skip(f"pip's parse_links changed: {e}")


def pip_fields(link: Any) -> tuple[object, ...]:
    metadata = link.metadata_file_data
    upload_time = getattr(link, "upload_time", None)
    return (
        link.url.split("#", 1)[0],
        link.filename,
        dict(link._hashes),
        link.requires_python,
        link.is_yanked,
        link.yanked_reason or None,
        None if metadata is None else (metadata.hashes or True),
        None,
        upload_time,
    )


def comparable(link: FileLink) -> tuple[object, ...]:
    return (*fields(link)[:7], None, None)


def test_html_matches_pip_on_the_real_world_page() -> None:
    # the relative <base> and the value-less data-yanked are the two documented differences
    ours = parse_simple_html(REAL_HTML, PAGE).links
    assert [pip_fields(link) for link in pip_links(REAL_HTML, "text/html", PAGE)] == [comparable(x) for x in ours]


def test_json_matches_pip_on_the_real_world_page() -> None:
    body = json.dumps(REAL_JSON)
    theirs = pip_links(body, "application/vnd.pypi.simple.v1+json", PAGE)
    ours = parse_simple_json(REAL_JSON, PAGE).links
    assert [pip_fields(link)[:7] for link in theirs] == [fields(x)[:7] for x in ours]


def test_pip_differs_on_relative_base_and_bare_data_yanked() -> None:
    text = '<base href="../files/"><a href="x-1.0.tar.gz" data-yanked>x</a>'
    theirs = pip_links(text, "text/html", PAGE)[0]
    ours = parse_simple_html(text, PAGE).links[0]
    assert ours.url == "https://index.example.com/simple/files/x-1.0.tar.gz"
    assert not theirs.url.startswith("https://")  # pip joins against the relative base as is
    assert ours.yanked and not theirs.is_yanked


# ---------------------------------------------------------------- hypothesis: HTML == JSON (== pip)

_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20
).filter(lambda s: s.strip() == s)
_hex = st.text(alphabet="0123456789abcdef", min_size=8, max_size=64)
_filenames = st.builds(
    lambda name, version, kind: f"{name}-{version}{kind}",
    st.from_regex(r"[A-Za-z][A-Za-z0-9_.]{0,10}[A-Za-z0-9]", fullmatch=True),
    st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,3}){0,2}((a|b|rc)[0-9])?(\+[a-z0-9]{1,5})?", fullmatch=True),
    st.sampled_from(["-py3-none-any.whl", "-cp311-cp311-manylinux_2_17_x86_64.whl", ".tar.gz", ".zip", ".tar.bz2"]),
)
_dirs = st.sampled_from(
    [
        "",
        "../../packages/ab/cd/",
        "/files/",
        "sub dir/",
        "https://files.example.com/p/",
        "http://127.0.0.1:8000/packages/",
        "https://user:pa%40ss@files.example.com/private/",
    ]
)
_specs = st.sampled_from([">=3.8", ">=2.7, !=3.0.*, !=3.1.*", "<4,>=3.9", "~=3.10", "==3.*", "!=3.5.0"])
_file = st.fixed_dictionaries(
    {
        "dir": _dirs,
        "filename": _filenames,
        "sha256": st.none() | _hex,
        "requires_python": st.none() | _specs,
        "yanked": st.none() | st.just(True) | _text,
        "metadata": st.none() | st.booleans() | _hex.map(lambda h: {"sha256": h}),
    }
)


def render_html(files: list[dict[str, Any]]) -> str:
    rows = []
    for f in files:
        href = f["dir"] + f["filename"] + (f"#sha256={f['sha256']}" if f["sha256"] else "")
        attrs = [f'href="{html.escape(href)}"']
        if f["requires_python"]:
            attrs.append(f'data-requires-python="{html.escape(f["requires_python"])}"')
        if f["yanked"] is True:
            attrs.append('data-yanked=""')
        elif f["yanked"]:
            attrs.append(f'data-yanked="{html.escape(f["yanked"])}"')
        metadata = f["metadata"]
        if metadata is not None:
            value = ("true" if metadata else "false") if isinstance(metadata, bool) else f"sha256={metadata['sha256']}"
            attrs.append(f'data-core-metadata="{value}"')
        rows.append(f"    <a {' '.join(attrs)}>{html.escape(f['filename'])}</a><br/>")
    body = "\n".join(rows)
    return f'<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.0"></head>\n<body>\n{body}\n</body></html>'


def render_json(files: list[dict[str, Any]]) -> dict[str, Any]:
    entries = []
    for f in files:
        entry: dict[str, Any] = {"filename": f["filename"], "url": f["dir"] + f["filename"], "hashes": {}}
        if f["sha256"]:
            entry["hashes"]["sha256"] = f["sha256"]
        if f["requires_python"]:
            entry["requires-python"] = f["requires_python"]
        if f["yanked"]:
            entry["yanked"] = f["yanked"]
        if f["metadata"] is not None:
            entry["core-metadata"] = f["metadata"]
        entries.append(entry)
    return {"meta": {"api-version": "1.0"}, "name": "Demo.Pkg", "files": entries}


@settings(max_examples=150, deadline=None)
@given(st.lists(_file, max_size=8))
def test_html_and_json_give_equal_pages(files: list[dict[str, Any]]) -> None:
    from_html = parse_simple_html(render_html(files), PAGE)
    from_json = parse_simple_json(render_json(files), PAGE)
    assert from_html == from_json
    assert len(from_html.links) == len(files)
    for link, f in zip(from_html.links, files):
        assert link.filename == f["filename"]
        assert link.yanked is bool(f["yanked"])
        assert "pa%40ss" not in repr(link)


@settings(max_examples=100, deadline=None)
@given(st.lists(_file.filter(lambda f: f["metadata"] is not False), max_size=6))
def test_generated_html_and_json_match_pip(files: list[dict[str, Any]]) -> None:
    text = render_html(files)
    assert [pip_fields(x) for x in pip_links(text, "text/html", PAGE)] == [
        comparable(x) for x in parse_simple_html(text, PAGE).links
    ]
    body = json.dumps(render_json(files))
    assert [pip_fields(x)[:7] for x in pip_links(body, "application/vnd.pypi.simple.v1+json", PAGE)] == [
        fields(x)[:7] for x in parse_simple_json(render_json(files), PAGE).links
    ]
