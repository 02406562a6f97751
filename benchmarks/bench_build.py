#!/usr/bin/env python3
"""Benchmark ``satchel install`` of things built from source against pip and uv.

Two cases, each timed for all three tools in one run, interleaved round-robin:
an sdist-only package from a local index (built-wheel cache warm, and cold
for information), and an editable install (``install -e DIR``) of a small
setuptools project.  The index (setuptools, wheel, the sdist, its wheel-only
dependency) is served on 127.0.0.1.  The script reports median/min wall-clock
times, ratios against uv and pip, and the project's targets as PASS/FAIL.

Usage::

    python benchmarks/bench_build.py [--python PATH] [--runs N] [--json FILE]
                                     [--sdist retrying|generated] [--fresh]

See benchmarks/README.md for details.  Standard library only.
"""

from __future__ import annotations

import argparse
import email.parser
import functools
import gzip
import html
import http.server
import io
import json
import os
import platform
import sys
import tarfile
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

# Shared helpers: the bench venv, isolation and process handling live in
# bench_venv; the index, fresh environments, scenarios, round-robin
# measuring and the report pieces in bench_install.
from bench_install import (Ctx, Layout, QuietHandler, Row, Run, Scenario,
                           Server, Step, Target, build_static_index,
                           ensure_seed, installed, isolated_env, measure,
                           normalize, page, pip_download, port_file,
                           request_latency_ms, satchel_availability,
                           saved_port, sha256_of, to_json, venv_python,
                           venv_setup, wheel_name_version, wheels_in)
from bench_venv import (DEFAULT_WORK, BenchError, Paths, ensure_bench_venv,
                        find_default_python, log, rmtree, run_checked,
                        setup_env, tool_version)

TOOLS = ("pip", "uv", "satchel")
# The wheel-only dependency of both the sdist and the editable project.
DEPENDENCY = "six"
# A real sdist-only package: retrying 1.3.3 is the last release published
# without a wheel (11 kB, a setup.py using setuptools, needs six).  Only this
# sdist is put on the local index, so every tool has to build it.
REAL_SDIST = ("retrying", "1.3.3")
# The generated alternative (--sdist generated): no network needed to make it.
GENERATED_SDIST = ("buildbench-sdist", "1.0")
EDITABLE_PROJECT = "buildbench-editable"
# Fixed timestamp of the generated sdist's members (reproducible bytes, so
# its sha256 -- the key of the tools' built-wheel caches -- never changes).
TAR_MTIME = 1_700_000_000
COLD_VARS = {"pip": "PIP_CACHE_DIR", "uv": "UV_CACHE_DIR",
             "satchel": "SATCHEL_CACHE_DIR"}

# Row groups: one row per tool; the table's ratio columns compare each row
# with the uv and pip rows of its group.
GROUPS = ("sdist (warm)", "sdist (cold)", "-e (warm)")


def row_name(tool: str, group: str) -> str:
    command = {"pip": "pip install", "uv": "uv pip install",
               "satchel": "satchel install"}[tool]
    return f"{command} {group}"


# --------------------------------------------------------------------------
# Layout: everything under <work>/build
# --------------------------------------------------------------------------


class BuildLayout(Layout):
    """bench_install's layout moved to ``<work>/build``: its own mirror,
    index, port file, per-tool caches, environments and cold caches."""

    @property
    def root(self) -> Path:
        return self.work / "build"

    @property
    def mirror(self) -> Path:
        return self.root / "mirror"

    @property
    def index(self) -> Path:
        return self.root / "index"

    @property
    def sdists(self) -> Path:
        return self.mirror / "sdist"

    @property
    def project(self) -> Path:
        return self.root / "projects" / EDITABLE_PROJECT


# --------------------------------------------------------------------------
# The sdist, the editable project, the index
# --------------------------------------------------------------------------


def module_name(name: str) -> str:
    return normalize(name).replace("-", "_")


def project_files(name: str, version: str) -> dict[str, str]:
    """A setuptools pyproject project, src layout, depending on DEPENDENCY."""
    module = module_name(name)
    pyproject = "\n".join([
        "[build-system]",
        'requires = ["setuptools>=61"]',
        'build-backend = "setuptools.build_meta"',
        "",
        "[project]",
        f'name = "{name}"',
        f'version = "{version}"',
        f'description = "{name}, a project of satchel\'s build benchmark"',
        f'dependencies = ["{DEPENDENCY}"]',
        "",
        "[tool.setuptools]",
        f'packages = ["{module}"]',
        'package-dir = {"" = "src"}',
        "",
    ])
    init = (f'"""{name} {version}."""\n\n__version__ = "{version}"\n\n\n'
            f"def hello():\n    return \"{name} {version}\"\n")
    return {"pyproject.toml": pyproject, f"src/{module}/__init__.py": init}


def pkg_info(name: str, version: str) -> str:
    # Metadata-Version 2.1 as most sdists on an index have it: no PEP 643
    # static-metadata shortcut, the tools must ask the backend.
    return "\n".join(["Metadata-Version: 2.1", f"Name: {name}",
                      f"Version: {version}", f"Requires-Dist: {DEPENDENCY}",
                      ""])


def write_generated_sdist(directory: Path) -> Path:
    """``<dist>-<version>.tar.gz``: the project tree plus PKG-INFO, sorted
    members, fixed mtimes, uid/gid 0, gzip mtime 0 (byte-reproducible)."""
    name, version = GENERATED_SDIST
    top = f"{module_name(name)}-{version}"
    files = dict(project_files(name, version), **{"PKG-INFO": pkg_info(name, version)})
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as zipped:
        with tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for relative, text in sorted(files.items()):
                data = text.encode()
                info = tarfile.TarInfo(f"{top}/{relative}")
                info.size, info.mtime, info.mode = len(data), TAR_MTIME, 0o644
                tar.addfile(info, io.BytesIO(data))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{top}.tar.gz"
    if not path.is_file() or path.read_bytes() != buf.getvalue():
        path.write_bytes(buf.getvalue())
    return path


def ensure_real_sdist(layout: BuildLayout, target_py: Path, fresh: bool) -> Path:
    """Download the real sdist once with the machine's pip configuration."""
    name, version = REAL_SDIST
    found = sorted(layout.sdists.glob(f"{name}-{version}.tar.gz"))
    if found and not fresh:
        return found[0]
    log(f"downloading the sdist of {name}=={version}")
    for old in layout.sdists.glob(f"{name}-*"):
        old.unlink()
    layout.sdists.mkdir(parents=True, exist_ok=True)
    run_checked([str(target_py), "-m", "pip", "download", "-q",
                 "--disable-pip-version-check", "--no-binary", ":all:",
                 "--no-deps", "-d", str(layout.sdists), f"{name}=={version}"],
                env=setup_env())
    found = sorted(layout.sdists.glob(f"{name}-{version}.tar.gz"))
    if not found:
        raise BenchError(f"pip download left no {name}-{version}.tar.gz")
    return found[0]


def ensure_mirror(layout: BuildLayout, target_py: Path, sdist_kind: str,
                  fresh: bool) -> Path:
    """setuptools, wheel and pip (for the pip rows' venvs) in mirror/seed,
    the dependency in mirror/deps, the sdist in mirror/sdist; returns the
    sdist to put on the index."""
    if fresh:
        rmtree(layout.mirror)
    ensure_seed(layout, target_py, fresh=False)
    deps = layout.mirror / "deps"
    if not wheels_in(deps):
        log(f"downloading {DEPENDENCY} (the wheel-only dependency)")
        pip_download(target_py, deps, [DEPENDENCY])
    # Both sdists may sit in mirror/sdist; only the chosen one is indexed.
    if sdist_kind == "generated":
        return write_generated_sdist(layout.sdists)
    return ensure_real_sdist(layout, target_py, fresh)


def sdist_pkg_info(sdist: Path) -> bytes:
    with tarfile.open(sdist) as tar:
        for member in tar.getmembers():
            if member.name.count("/") == 1 and member.name.endswith("/PKG-INFO"):
                handle = tar.extractfile(member)
                if handle is not None:
                    return handle.read()
    raise BenchError(f"{sdist.name}: no top-level PKG-INFO")


def build_index(layout: BuildLayout, sdist: Path) -> int:
    """bench_install's static PEP 503 tree for the wheels, plus a project
    page for the sdist (sha256 fragment, data-requires-python; no PEP 658
    metadata: an index has none for sdists)."""
    projects = build_static_index(layout)
    meta = email.parser.BytesHeaderParser().parsebytes(sdist_pkg_info(sdist))
    project = normalize(str(meta["Name"]))
    os.link(sdist, layout.index / "files" / sdist.name)
    attrs = f'href="../../files/{sdist.name}#sha256={sha256_of(sdist)}"'
    if meta.get("Requires-Python"):
        attrs += f' data-requires-python="{html.escape(str(meta["Requires-Python"]))}"'
    simple = layout.index / "simple"
    (simple / project).mkdir(parents=True)
    (simple / project / "index.html").write_text(
        page(f"Links for {project}", [f"    <a {attrs}>{sdist.name}</a><br/>"]))
    names = sorted(p.name for p in simple.iterdir() if p.is_dir())
    (simple / "index.html").write_text(page("Simple index", [
        f'    <a href="{p}/">{p}</a><br/>' for p in names]))
    return projects + 1


class RevalidatingHandler(QuietHandler):
    """bench_install's static handler with explicit HTTP caching: every
    answer says ``Cache-Control: no-cache`` (store, but revalidate before
    every use), and a 304 carries the file's ``Last-Modified`` as a real
    server's does.

    Both matter for uv.  Without Cache-Control it applies heuristic
    freshness (10 % of the time since Last-Modified) and skips the server
    for a while, then revalidates -- and it rejects http.server's bare 304
    (no validators) as "unusable", fetches the sdist again and, seeing a new
    response, rebuilds it: a warm run then takes seconds, depending on the
    wall clock.  With these headers every tool revalidates every page on
    every run (pip does so for index pages whatever the server says), and
    every 304 is accepted."""

    _status = 0

    def send_response(self, code: int, message: str | None = None) -> None:
        self._status = code
        super().send_response(code, message)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        if self._status == http.HTTPStatus.NOT_MODIFIED:
            path = self.translate_path(self.path)
            if os.path.isdir(path):
                path = os.path.join(path, "index.html")
            try:
                mtime = os.stat(path).st_mtime
            except OSError:
                pass
            else:
                self.send_header("Last-Modified", self.date_time_string(int(mtime)))
        super().end_headers()


def serve_index(layout: BuildLayout) -> Server:
    """bench_install.serve_static with RevalidatingHandler: the previous
    run's port when free (the tools key their caches by index URL), a thread
    of this process."""
    handler = functools.partial(RevalidatingHandler, directory=str(layout.index))
    try:
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", saved_port(layout)),
                                                handler)
    except OSError:
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    port_file(layout).write_text(str(httpd.server_address[1]))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()

    def stop() -> None:
        httpd.shutdown()
        httpd.server_close()

    return Server(f"http://127.0.0.1:{httpd.server_address[1]}/simple/", stop,
                  "static PEP 503 tree on 127.0.0.1 (http.server thread, "
                  "Cache-Control: no-cache, 304s with Last-Modified)")


def write_project(layout: BuildLayout) -> Path:
    """The editable project, rewritten (and its build leftovers removed) at
    the start of every benchmark run; the runs themselves leave the tools'
    in-tree leftovers (``src/*.egg-info``) in place, as a re-install would."""
    root = layout.project
    rmtree(root)
    for relative, text in project_files(EDITABLE_PROJECT, "1.0").items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


# --------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------


def install_argv(ctx: Ctx, tool: str, args: Sequence[str]) -> Callable[[Run], list[str]]:
    if tool == "pip":
        return lambda r: [str(venv_python(r.venv)), "-m", "pip", "install",
                          "--index-url", ctx.url, *args]
    if tool == "uv":
        return lambda r: [str(ctx.paths.tool("uv")), "pip", "install",
                          "--python", str(venv_python(r.venv)),
                          "--index-url", ctx.url, *args]
    return lambda r: [str(ctx.paths.tool("satchel")), "install", "-p",
                      str(r.venv), "--index-url", ctx.url, *args]


def env_setup(ctx: Ctx, tool: str, name: str,
              cold_var: str | None = None) -> Callable[[int], Run]:
    """bench_install's fresh venv per run (untimed), always at the same path
    (``envs/<name>``), as a user re-making ``.venv``: uv caches what it
    learns about an interpreter by the path of its executable, so a new
    path every run would add an interpreter query (~150 ms here) to every
    uv run -- and a path reused from a previous invocation of the script
    would not, making the uv rows depend on history.

    The pip rows' venvs are seeded with pip by ``uv venv --seed``, which does
    not byte-compile; pip's own modules are compiled here (untimed), as
    ``python -m venv`` (ensurepip) does on a user's machine -- else every
    pip run would compile pip (~1.5 s here)."""
    setup = venv_setup(ctx, name, tool == "pip", cold_var)

    def same_path_setup(_i: int) -> Run:
        run = setup(0)
        if tool == "pip":
            for pip_dir in run.venv.glob("lib/python*/site-packages/pip"):
                run_checked([str(venv_python(run.venv)), "-m", "compileall",
                             "-q", "-j", "0", str(pip_dir)], env=ctx.env)
        return run
    return same_path_setup


def check_names(names: Sequence[str]) -> Callable[[Run, str], None]:
    wanted = {normalize(n) for n in names}

    def check(run: Run, _out: str) -> None:
        missing = wanted - {name for name, _ in installed(run.venv)}
        if missing:
            raise BenchError(f"not installed in {run.venv}: {', '.join(sorted(missing))}")
    return check


def check_editable(project: str) -> Callable[[Run, str], None]:
    """The project's dist-info has a PEP 610 record saying editable, and the
    dependency is installed."""
    deps = check_names([DEPENDENCY])

    def check(run: Run, out: str) -> None:
        deps(run, out)
        for info in run.venv.glob("lib/python*/site-packages/*.dist-info"):
            if normalize(info.name.partition("-")[0]) != normalize(project):
                continue
            try:
                record = json.loads((info / "direct_url.json").read_text())
            except (OSError, ValueError):
                break
            if record.get("dir_info", {}).get("editable"):
                return
        raise BenchError(f"{project} is not installed editable in {run.venv}")
    return check


def define(ctx: Ctx, args: argparse.Namespace, sdist_project: str,
           project_dir: Path) -> tuple[dict[str, Row], list[Scenario]]:
    rows = {row_name(t, g): Row(row_name(t, g)) for g in GROUPS for t in TOOLS}
    scenarios: list[Scenario] = []
    sdist_check = check_names([sdist_project, DEPENDENCY])
    editable_check = check_editable(EDITABLE_PROJECT)
    for tool in TOOLS:
        if tool == "satchel" and ctx.satchel["install"]:
            for group in GROUPS:
                rows[row_name(tool, group)].unavailable = ctx.satchel["install"]
            continue
        sdist_argv = install_argv(ctx, tool, [sdist_project])
        scenarios.append(Scenario(
            f"{tool} sdist warm", args.runs, args.warmups,
            env_setup(ctx, tool, f"{tool}-sdist-warm"),
            [Step(rows[row_name(tool, "sdist (warm)")], sdist_argv, sdist_check)]))
        if args.cold_runs:
            # Cold: a fresh, empty cache every run, so no warm-up needed.
            scenarios.append(Scenario(
                f"{tool} sdist cold", args.cold_runs, 0,
                env_setup(ctx, tool, f"{tool}-sdist-cold", COLD_VARS[tool]),
                [Step(rows[row_name(tool, "sdist (cold)")], sdist_argv, sdist_check)]))
        scenarios.append(Scenario(
            f"{tool} -e warm", args.runs, args.warmups,
            env_setup(ctx, tool, f"{tool}-editable"),
            [Step(rows[row_name(tool, "-e (warm)")],
                  install_argv(ctx, tool, ["-e", str(project_dir)]),
                  editable_check)]))
    if not args.cold_runs:
        for tool in TOOLS:
            rows[row_name(tool, "sdist (cold)")].unavailable = "skipped (--cold-runs 0)"
    return rows, scenarios


@dataclass
class BuildTarget(Target):
    """bench_install's ratio target, reported as PASS/FAIL."""

    limit_text: str = ""

    def line(self) -> str:
        val = "-" if self.value is None else f"{self.value:.2f}x"
        if self.informational:  # no target: just the ratio
            return f"[info] {self.label} = {val if self.value is not None else 'N/A (' + self.reason + ')'}"
        lim = f"<= {self.limit_text}" if self.limit_text else f"<= {self.limit:g}x"
        status = {True: "PASS", False: "FAIL", None: f"N/A ({self.reason})"}[self.ok]
        return f"{status}: {self.label} = {val} (target {lim})"


def define_targets() -> list[BuildTarget]:
    s_warm, s_cold, e_warm = ({t: row_name(t, g) for t in TOOLS} for g in GROUPS)
    return [
        BuildTarget(f"{s_warm['satchel']} / {s_warm['uv']}",
                    s_warm["satchel"], s_warm["uv"], 2.0),
        BuildTarget(f"{e_warm['satchel']} / {e_warm['pip']}",
                    e_warm["satchel"], e_warm["pip"], 1 / 3, limit_text="1/3"),
        BuildTarget(f"{e_warm['satchel']} / {e_warm['uv']}",
                    e_warm["satchel"], e_warm["uv"], 2.0, informational=True),
        BuildTarget(f"{s_warm['satchel']} / {s_warm['pip']}",
                    s_warm["satchel"], s_warm["pip"], 1 / 3, informational=True,
                    limit_text="1/3"),
        BuildTarget(f"{s_cold['satchel']} / {s_cold['uv']}",
                    s_cold["satchel"], s_cold["uv"], 2.0, informational=True),
        BuildTarget(f"{s_cold['satchel']} / {s_cold['pip']}",
                    s_cold["satchel"], s_cold["pip"], 1 / 3, informational=True,
                    limit_text="1/3"),
    ]


# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------


def ratios(rows: dict[str, Row], name: str) -> dict[str, float | None]:
    """This row's median over the uv and the pip row of its group."""
    group = next(g for g in GROUPS if name.endswith(" " + g))
    out: dict[str, float | None] = {}
    mine = rows[name].median_ms
    for tool in ("uv", "pip"):
        other = rows[row_name(tool, group)].median_ms
        out[tool] = None if mine is None or other is None else mine / other
    return out


def render_table(rows: dict[str, Row]) -> str:
    width = max(len(n) for n in list(rows) + ["tool"])
    cols = f"{'median ms':>10}  {'min ms':>10}  {'runs':>4}  {'vs uv':>7}  {'vs pip':>7}"
    lines = [f"{'tool':<{width}}  {cols}", "-" * (width + 2 + len(cols))]
    for group in GROUPS:
        for tool in TOOLS:
            row = rows[row_name(tool, group)]
            status = row.status()
            if status is not None and status != "FAILED":
                lines.append(f"{row.name:<{width}}  {status:>22}")
                continue
            med = "FAILED" if row.median_ms is None else f"{row.median_ms:.1f}"
            low = "FAILED" if row.min_ms is None else f"{row.min_ms:.1f}"
            rel = ["-" if r is None else f"{r:.2f}x"
                   for r in ratios(rows, row.name).values()]
            lines.append(f"{row.name:<{width}}  {med:>10}  {low:>10}  "
                         f"{len(row.times):>4}  {rel[0]:>7}  {rel[1]:>7}")
    return "\n".join(lines)


def report(meta: dict[str, object], rows: dict[str, Row],
           targets: list[BuildTarget], scenarios: list[Scenario]) -> str:
    head = [f"{k}: {v}" for k, v in meta.items()]
    body = [render_table(rows), ""] + [t.line() for t in targets]
    notes = sorted({r.unavailable for r in rows.values() if r.unavailable})
    extra = ["", "not run:"] + [f"  {n}" for n in notes] if notes else []
    errors = [f"\nERROR in {s.name}:\n  {s.error}" for s in scenarios if s.error]
    return "\n".join(head + [""] + body + extra + errors)


def mirror_version(layout: BuildLayout, project: str) -> str:
    for d in sorted(layout.mirror.iterdir()):
        for wheel in wheels_in(d):
            name, version = wheel_name_version(wheel.name)
            if name == project:
                return version
    return "?"


def collect_meta(ctx: Ctx, layout: BuildLayout, args: argparse.Namespace,
                 sdist: Path, sdist_project: str, projects: int,
                 server: Server) -> dict[str, object]:
    py, env = ctx.target_py, ctx.env
    kind = ("real, setup.py + setuptools" if args.sdist == "retrying"
            else "generated, pyproject + setuptools")
    versions = ", ".join(f"{p} {mirror_version(layout, p)}"
                         for p in ("setuptools", "wheel", DEPENDENCY))
    return {
        "target python": f"{py} ({tool_version([str(py), '--version'], env)})",
        "uv": tool_version([str(ctx.paths.tool("uv")), "--version"], env),
        "pip (in the pip rows' venvs)": f"pip {mirror_version(layout, 'pip')}",
        "satchel": tool_version([str(ctx.paths.tool("satchel")), "--version"], env),
        "sdist": f"{sdist.name} ({kind}; needs {DEPENDENCY})",
        "editable project": f"{EDITABLE_PROJECT} 1.0 (pyproject + setuptools, "
                            f"src layout; needs {DEPENDENCY})",
        "index": f"{server.description}, {projects} projects: {versions}",
        "index latency (GET /simple/<sdist project>/, median)":
            f"{request_latency_ms(ctx.url + sdist_project + '/'):.2f} ms",
        "platform": f"{platform.platform()}, {os.cpu_count()} CPUs",
        "runs": f"{args.runs} (cold: {args.cold_runs}), warm-ups: {args.warmups}",
    }


def json_report(meta: dict[str, object], rows: dict[str, Row],
                targets: list[BuildTarget]) -> dict[str, object]:
    data = to_json(meta, list(rows.values()), list(targets))
    results = data["results"]
    assert isinstance(results, dict)
    for name in rows:
        rel = ratios(rows, name)
        results[name]["ratio_vs_uv"] = rel["uv"]
        results[name]["ratio_vs_pip"] = rel["pip"]
    return data


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--python", type=Path, default=None, metavar="PATH",
                   help="interpreter of the target environments (default: "
                        "$(pyenv root)/versions/3.11.*/bin/python3.11)")
    p.add_argument("--runs", type=int, default=7, metavar="N",
                   help="timed runs of every warm command (default 7)")
    p.add_argument("--cold-runs", type=int, default=None, metavar="N",
                   help="timed runs of the cold sdist installs (default: "
                        "--runs; 0 skips them)")
    p.add_argument("--warmups", type=int, default=1, metavar="N",
                   help="untimed runs filling each tool's cache before the "
                        "warm rows (default 1)")
    p.add_argument("--sdist", choices=("retrying", "generated"),
                   default="retrying",
                   help="the sdist-only package: the real retrying 1.3.3 "
                        "(default) or a generated setuptools project")
    p.add_argument("--json", type=Path, default=None, metavar="FILE",
                   help="also write the results as JSON to FILE")
    p.add_argument("--fresh", action="store_true",
                   help="re-download the mirror and empty this benchmark's "
                        "pip / uv / satchel caches")
    p.add_argument("--work-dir", type=Path, default=DEFAULT_WORK, metavar="DIR",
                   help=f"scratch directory (default {DEFAULT_WORK})")
    args = p.parse_args(argv)
    if args.cold_runs is None:
        args.cold_runs = args.runs
    if args.runs < 1 or args.warmups < 1 or args.cold_runs < 0:
        p.error("--runs and --warmups must be >= 1, --cold-runs >= 0")
    return args


@dataclass
class Prepared:
    paths: Paths
    layout: BuildLayout
    target_py: Path
    sdist: Path


def prepare(args: argparse.Namespace) -> Prepared:
    paths = Paths(args.work_dir.resolve())
    layout = BuildLayout(paths.work)
    paths.work.mkdir(parents=True, exist_ok=True)
    target_py = Path(args.python or find_default_python()).absolute()
    if not target_py.exists():
        raise BenchError(f"--python {target_py} does not exist")
    satchel_error = ensure_bench_venv(paths, fresh=False)
    if satchel_error:
        log(satchel_error)
    if args.fresh:
        for tool in ("pip", "uv", "satchel", "seed-uv"):
            rmtree(layout.cache(tool))
    for d in (layout.envs, layout.cold):
        rmtree(d)
        d.mkdir(parents=True)
    sdist = ensure_mirror(layout, target_py, args.sdist, args.fresh)
    return Prepared(paths, layout, target_py, sdist)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        prep = prepare(args)
        sdist_project = normalize(str(email.parser.BytesHeaderParser().parsebytes(
            sdist_pkg_info(prep.sdist))["Name"]))
        projects = build_index(prep.layout, prep.sdist)
        project_dir = write_project(prep.layout)
        server = serve_index(prep.layout)
    except BenchError as exc:
        log(f"setup failed: {exc}")
        return 2
    try:
        env = isolated_env(prep.paths, prep.layout)
        ctx = Ctx(prep.paths, prep.layout, prep.target_py, server.url, env,
                  pins={}, install_set="",
                  satchel=satchel_availability(prep.paths, env))
        rows, scenarios = define(ctx, args, sdist_project, project_dir)
        meta = collect_meta(ctx, prep.layout, args, prep.sdist, sdist_project,
                            projects, server)
        with tempfile.TemporaryDirectory(prefix="satchel-bench-cwd-") as cwd:
            measure(scenarios, ctx, Path(cwd))
        targets = define_targets()
        for target in targets:
            target.evaluate(rows)
        print(report(meta, rows, targets, scenarios))
        if args.json is not None:
            args.json.write_text(json.dumps(json_report(meta, rows, targets),
                                            indent=2) + "\n")
        return 1 if any(s.error for s in scenarios) else 0
    except BenchError as exc:
        log(f"setup failed: {exc}")
        return 2
    finally:
        server.stop()
        for d in (prep.layout.envs, prep.layout.cold):
            rmtree(d)


if __name__ == "__main__":
    sys.exit(main())
