"""What a link that is not a wheel is, and where the tree to build comes from: a project
directory (also editable), a source archive (local, or downloaded from an index or a URL), or
a git URL (checked out at the commit its revision names; with -e, a lasting checkout).

    sources = LinkSources(downloader, scratch, editable_checkouts, mirrors=cache.part("vcs", "git"))
    source = Source(display=link.display)
    sources.identify(source, link, editable=False, expected=None)   # cheap: what it is
    project_dir = sources.tree(source, link)                       # the work: extract, check out

`identify` costs a hash the index gave, a local file's hash or a git commit from ls-remote;
it sets the source's `display`, its built-wheel cache `identity` ("sdist:<sha256>[:<subdir>]",
"git:<commit>:<subdir>", None for directories and editables, which are built every time) and
its PEP 610 `direct_url` record. `tree` downloads, extracts or checks out on first use.

Import rule: errors, urls, fetch (vcs, vcs_url, extract, unpack: lazily), index (types; HashMismatch
lazily); the download and the scratch directories come from the builder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from satchel.errors import OperationError, UsageError
from satchel.fetch.unpack import local_sha256
from satchel.urls import direct_url_form, is_vcs_url, local_path, path_to_url

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping
    from typing import Any

    from satchel.fetch.download import Downloader
    from satchel.index.links import FileLink

__all__ = ["LinkSources", "Source"]


@dataclass
class Source:
    """One link's source, as far as it has been obtained."""

    display: str
    direct_url: dict[str, Any] = field(default_factory=dict)
    identity: str | None = None  # cache identity: "sdist:<sha256>" / "git:<commit>:<subdir>"; None: don't cache
    archive: str | None = None  # a local or downloaded source archive
    project_dir: str | None = None  # the tree to build
    scratch: list[str] = field(default_factory=list)  # temporary directories to remove at close


class LinkSources:
    """Identifies links and obtains their trees, for one builder: `scratch(source, purpose)`
    makes a temporary directory the source owns; `editable_checkouts` maps a link's key to
    where its `-e git+...` checkout lives."""

    def __init__(
        self,
        downloader: Downloader,
        scratch: Callable[[Source, str], str],
        editable_checkouts: Mapping[str, str],
        *,
        mirrors: str,
    ) -> None:
        self.mirrors = mirrors  # where git's cached clones are
        self.downloader = downloader
        self.scratch = scratch
        self.editable_checkouts = editable_checkouts

    def identify(
        self, source: Source, link: FileLink, editable: bool, expected: Mapping[str, Collection[str]] | None
    ) -> None:
        """What the link is, where its tree will be, and its cache identity (cheaply: a hash
        the index gave, a local file's hash, a git commit from ls-remote)."""
        if is_vcs_url(link.url):
            self._identify_vcs(source, link)
            if editable:
                self._editable_checkout(source, link)
            return
        local = local_path(link.url)
        if local is not None and os.path.isdir(local):
            project = os.path.normpath(os.path.join(local, link.subdirectory)) if link.subdirectory else local
            source.project_dir = project
            source.display = project
            source.direct_url = {"url": direct_url_form(link.url), "dir_info": {"editable": True} if editable else {}}
            if link.subdirectory:
                source.direct_url["subdirectory"] = link.subdirectory
            return
        if editable:
            raise UsageError(
                f"{link.display} can't be installed in editable mode: only project directories (and git URLs) can.",
                input=link.display,
                hint="drop -e to install it normally.",
            )
        digest = None
        source.display = link.filename or link.display
        if local is not None:
            if not os.path.isfile(local):
                raise UsageError(f"{local}: no such file or directory.", input=link.display)
            source.archive = local
            digest = local_sha256(local)
            _check_expected(digest, expected, link)
        elif "sha256" in link.hashes and (not expected or link.hashes["sha256"] in expected.get("sha256", ())):
            digest = link.hashes["sha256"]
        else:
            source.archive = self._download(source, link, expected)
            digest = local_sha256(source.archive)
        source.identity = f"sdist:{digest}" + (f":{link.subdirectory}" if link.subdirectory else "")
        source.direct_url = {"url": direct_url_form(link.url), "archive_info": {"hash": f"sha256={digest}", "hashes": {"sha256": digest}}}
        if link.subdirectory:
            source.direct_url["subdirectory"] = link.subdirectory

    def _identify_vcs(self, source: Source, link: FileLink) -> None:
        from satchel.fetch.vcs import resolve_commit
        from satchel.fetch.vcs_url import parse_vcs_url

        text = link.url + (f"#subdirectory={link.subdirectory}" if link.subdirectory else "")
        vcs = parse_vcs_url(text)
        source.display = vcs.display()
        commit = resolve_commit(vcs, self.mirrors)
        source.identity = f"git:{commit}:{vcs.subdirectory or ''}"
        info: dict[str, Any] = {"vcs": vcs.vcs, "commit_id": commit}
        if vcs.rev:
            info["requested_revision"] = vcs.rev
        source.direct_url = {"url": direct_url_form(vcs.repo), "vcs_info": info}
        if vcs.subdirectory:
            source.direct_url["subdirectory"] = vcs.subdirectory

    def _editable_checkout(self, source: Source, link: FileLink) -> None:
        """`-e git+URL#egg=name`: a lasting checkout in `<src>/<name>` (made, or moved to the
        commit), installed in editable mode from there; recorded as the directory it is."""
        from satchel.fetch.vcs import checkout, update_checkout
        from satchel.fetch.vcs_url import parse_vcs_url

        dest = self.editable_checkouts.get(link.key)
        if dest is None:
            raise UsageError(
                f"{link.display}: an editable install from version control needs the project's name.",
                input=link.display,
                hint="add #egg=NAME to the URL, or write 'NAME @ git+...'.",
            )
        vcs = parse_vcs_url(link.url + (f"#subdirectory={link.subdirectory}" if link.subdirectory else ""))
        commit = (source.identity or "::").split(":")[1]
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if os.path.lexists(dest):
            project = update_checkout(vcs, commit, dest, self.mirrors)
        else:
            project = checkout(vcs, commit, dest, self.mirrors)
        source.project_dir = project
        source.identity = None  # an editable is built from its tree every time
        source.direct_url = {"url": path_to_url(project), "dir_info": {"editable": True}}

    def _download(self, source: Source, link: FileLink, expected: Mapping[str, Collection[str]] | None) -> str:
        directory = self.scratch(source, "download")
        return self.downloader.download(link, directory, expected_hashes=expected or None)

    def tree(self, source: Source, link: FileLink) -> str:
        """The project directory to build, extracting or checking out on first use."""
        if source.project_dir is not None:
            return source.project_dir
        if is_vcs_url(link.url):
            from satchel.fetch.vcs import checkout
            from satchel.fetch.vcs_url import parse_vcs_url

            text = link.url + (f"#subdirectory={link.subdirectory}" if link.subdirectory else "")
            vcs = parse_vcs_url(text)
            commit = source.identity.split(":")[1] if source.identity else ""
            source.project_dir = checkout(vcs, commit, os.path.join(self.scratch(source, "checkout"), "src"), self.mirrors)
            return source.project_dir
        from satchel.fetch.extract import extract_archive

        if source.archive is None:
            source.archive = self._download(source, link, None)
            digest = local_sha256(source.archive)
            if source.identity and source.identity.split(":")[1] != digest:
                raise OperationError(f"{link.display} does not match its expected hash.", input=link.display)
        root = extract_archive(source.archive, self.scratch(source, "source"))
        if link.subdirectory:
            inside = os.path.realpath(os.path.join(root, link.subdirectory))
            if not inside.startswith(os.path.realpath(root) + os.sep):
                raise UsageError(f"{link.display}: the subdirectory {link.subdirectory!r} is outside the archive.")
            root = inside
            if not os.path.isdir(root):
                raise UsageError(
                    f"{link.display} has no subdirectory {link.subdirectory!r}.", input=link.display
                )
        source.project_dir = root
        return root


def _check_expected(digest: str, expected: Mapping[str, Collection[str]] | None, link: FileLink) -> None:
    wanted = link.hashes.get("sha256")
    if (wanted and wanted != digest) or (expected and digest not in expected.get("sha256", ())):
        from satchel.index.verified_download import HashMismatch

        raise HashMismatch(
            f"{link.filename} does not match its expected hash.",
            input=link.display,
            context=f"expected sha256: {', '.join(sorted(expected.get('sha256', ()) if expected else [wanted or '']))}\n"
            f"got:             {digest}",
        )
