#!/usr/bin/env python3
"""Benchmark ``satchel install`` and ``satchel freeze`` against pip and uv.

A local mirror of real wheels is served on 127.0.0.1; every tool installs a
fixed, pinned requirement set into fresh virtual environments, interleaved
round-robin in one run.  The script reports median/min wall-clock times plus
the project's performance targets.

Usage::

    python benchmarks/bench_install.py [--python PATH] [--runs N] [--json FILE]
                                       [--fresh] [--set NAME]

See benchmarks/README.md for details.  Standard library only.
"""

from __future__ import annotations

import argparse
import email.parser
import functools
import hashlib
import html
import http.server
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

# Shared helpers (bench venv, isolation, process handling) live in bench_venv.
from bench_venv import (DEFAULT_WORK, BenchError, Paths, clean_env,
                        ensure_bench_venv, find_default_python, format_failure,
                        log, pip_install, rmtree, run_checked, setup_env,
                        tool_version)

BENCH_DIR = Path(__file__).resolve().parent
# Requirement sets: name -> (pin file committed next to this script,
# top-level requirements resolved on the first run or with --fresh).
INSTALL_REQS = ("flask", "django", "rich", "httpx", "pydantic", "pytest",
                "black", "sqlalchemy")
SETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "install": ("install-set.txt", INSTALL_REQS),
    # ~100 distributions for the freeze benchmark (wheels only).
    "freeze": ("freeze-set.txt", INSTALL_REQS + (
        "boto3", "sphinx", "pandas", "requests", "scrapy", "matplotlib")),
}
FREEZE_SET = "freeze"
# What `uv venv --seed` installs into the pip rows' environments; kept in
# the mirror so that making those environments never leaves 127.0.0.1.
SEED_REQS = ("pip", "setuptools", "wheel")
SATCHEL_CMDS = ("install", "freeze")


# --------------------------------------------------------------------------
# Data model
# --------------------------------------------------------------------------


@dataclass
class Layout:
    """Where this benchmark keeps its files (all under the work dir)."""

    work: Path

    @property
    def mirror(self) -> Path:
        return self.work / "mirror"

    def mirror_set(self, name: str) -> Path:
        return self.mirror / name

    @property
    def index(self) -> Path:
        return self.work / "index"

    @property
    def root(self) -> Path:
        return self.work / "install"

    @property
    def envs(self) -> Path:
        return self.root / "envs"

    @property
    def cold(self) -> Path:
        return self.root / "cold-caches"

    def cache(self, tool: str) -> Path:
        return self.root / f"{tool}-cache"


@dataclass
class Row:
    """One line of the results table."""

    name: str
    times: list[float] = field(default_factory=list)
    warmup_times: list[float] = field(default_factory=list)
    error: str | None = None
    unavailable: str | None = None  # e.g. satchel install not built yet

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.times) * 1000 if self.times else None

    @property
    def min_ms(self) -> float | None:
        return min(self.times) * 1000 if self.times else None

    def status(self) -> str | None:
        """Why there is no number, if there is none."""
        if self.unavailable:
            return ("skipped" if self.unavailable.startswith("skipped")
                    else "not available")
        if self.error:
            return "FAILED"
        return None if self.times else "not run"


@dataclass
class Run:
    """One run of a scenario: its environment, extra env vars, and scratch
    paths removed (untimed) afterwards."""

    venv: Path
    env: dict[str, str] = field(default_factory=dict)
    scratch: list[Path] = field(default_factory=list)


@dataclass
class Step:
    """A timed command; ``check`` gets the run and the command's stdout."""

    row: Row
    argv: Callable[[Run], list[str]]
    check: Callable[[Run, str], None]


@dataclass
class Scenario:
    """Untimed ``setup`` for run i, then the timed steps in order."""

    name: str
    runs: int
    warmups: int
    setup: Callable[[int], Run]
    steps: list[Step]
    error: str | None = None


@dataclass
class Target:
    """``numerator / denominator <= limit`` (ratio) or ``numerator <= limit``
    milliseconds (abs)."""

    label: str
    numerator: str
    denominator: str | None
    limit: float
    informational: bool = False
    value: float | None = None
    reason: str = ""

    @property
    def ok(self) -> bool | None:
        return None if self.value is None else self.value <= self.limit

    def evaluate(self, rows: dict[str, Row]) -> None:
        involved = [rows[self.numerator]]
        if self.denominator is not None:
            involved.append(rows[self.denominator])
        missing = [r for r in involved if r.median_ms is None]
        if missing:
            self.reason = f"{missing[0].name}: {missing[0].status()}"
            return
        num = rows[self.numerator].median_ms
        den = rows[self.denominator].median_ms if self.denominator else None
        assert num is not None
        self.value = num if den is None else num / den

    def line(self) -> str:
        if self.denominator is None:
            val = "-" if self.value is None else f"{self.value:.1f} ms"
            lim = f"<= {self.limit:g} ms"
        else:
            val = "-" if self.value is None else f"{self.value:.2f}x"
            lim = f"<= {self.limit:g}x"
        status = {True: "OK", False: "MISS", None: f"N/A ({self.reason})"}[self.ok]
        if self.informational:
            return f"[info] {self.label} = {val} (cf. {lim}) {status}"
        return f"{self.label} = {val} (target {lim}) {status}"


# --------------------------------------------------------------------------
# Requirement sets and the mirror
# --------------------------------------------------------------------------


def normalize(name: str) -> str:
    """PEP 503 project name normalisation."""
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_name_version(filename: str) -> tuple[str, str]:
    parts = filename[:-len(".whl")].split("-")
    return normalize(parts[0]), parts[1]


def wheels_in(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.whl")) if directory.is_dir() else []


def pin_file(set_name: str) -> Path:
    return BENCH_DIR / SETS[set_name][0]


def read_pins(path: Path) -> dict[str, str]:
    """``name==version`` lines (comments and blanks ignored)."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[normalize(name)] = version.strip()
    return pins


def interpreter_tag(target_py: Path) -> str:
    code = ("import platform, sys; print(f'{platform.python_implementation()} "
            "{sys.version_info[0]}.{sys.version_info[1]} on "
            "{sys.platform} {platform.machine()}')")
    return run_checked([str(target_py), "-c", code], env=setup_env()).stdout.strip()


def write_pins(set_name: str, directory: Path, tag: str) -> None:
    reqs = " ".join(SETS[set_name][1])
    lines = [
        "# Generated by benchmarks/bench_install.py; do not edit by hand.",
        f"# Resolved from: {reqs}",
        f"# for {tag}, wheels only (`--fresh` re-resolves).",
    ]
    lines += sorted(f"{n}=={v}" for n, v in map(
        lambda w: wheel_name_version(w.name), wheels_in(directory)))
    pin_file(set_name).write_text("\n".join(lines) + "\n")


def pinned_tag(path: Path) -> str:
    for line in path.read_text().splitlines():
        if line.startswith("# for "):
            return line[len("# for "):].split(",")[0]
    return ""


def pip_download(target_py: Path, dest: Path, args: Sequence[str]) -> None:
    """``pip download`` with the target interpreter and the machine's pip
    configuration (the only step that talks to the package index)."""
    dest.mkdir(parents=True, exist_ok=True)
    run_checked([str(target_py), "-m", "pip", "download", "-q",
                 "--disable-pip-version-check", "--only-binary", ":all:",
                 "-d", str(dest), *args], env=setup_env())


def mirror_has(directory: Path, pins: dict[str, str]) -> bool:
    have = {wheel_name_version(w.name) for w in wheels_in(directory)}
    return all((n, v) in have for n, v in pins.items())


def ensure_set(layout: Layout, set_name: str, target_py: Path, tag: str,
               fresh: bool) -> dict[str, str]:
    """Download (and on first use pin) one requirement set; return its pins."""
    pins_path, reqs = pin_file(set_name), SETS[set_name][1]
    directory = layout.mirror_set(set_name)
    if fresh or not pins_path.exists():
        log(f"resolving and downloading the {set_name!r} set: {' '.join(reqs)}")
        rmtree(directory)
        pip_download(target_py, directory, reqs)
        write_pins(set_name, directory, tag)
    pins = read_pins(pins_path)
    if pinned_tag(pins_path) != tag:
        log(f"warning: {pins_path.name} was resolved for {pinned_tag(pins_path)}"
            f", the target is {tag}; use --fresh to re-resolve")
    if not mirror_has(directory, pins):
        log(f"downloading the {set_name!r} set ({pins_path.name})")
        pip_download(target_py, directory, ["-r", str(pins_path)])
    return pins


def ensure_seed(layout: Layout, target_py: Path, fresh: bool) -> None:
    directory = layout.mirror_set("seed")
    if fresh or not wheels_in(directory):
        log(f"downloading {' '.join(SEED_REQS)} (for `uv venv --seed`)")
        rmtree(directory)
        pip_download(target_py, directory, SEED_REQS)


# --------------------------------------------------------------------------
# The index (static PEP 503 tree, or pypiserver)
# --------------------------------------------------------------------------


def sha256_of(data_or_path: bytes | Path) -> str:
    if isinstance(data_or_path, bytes):
        return hashlib.sha256(data_or_path).hexdigest()
    h = hashlib.sha256()
    with open(data_or_path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def wheel_metadata(wheel: Path) -> bytes:
    name, version = wheel_name_version(wheel.name)
    with zipfile.ZipFile(wheel) as zf:
        for entry in zf.namelist():
            top, _, rest = entry.partition("/")
            if rest == "METADATA" and top.endswith(".dist-info"):
                return zf.read(entry)
    raise BenchError(f"{wheel.name}: no .dist-info/METADATA")


def link_html(wheel: Path, metadata: bytes) -> str:
    meta = email.parser.BytesHeaderParser().parsebytes(metadata)
    attrs = f'href="../../files/{wheel.name}#sha256={sha256_of(wheel)}"'
    requires = meta.get("Requires-Python")
    if requires:
        attrs += f' data-requires-python="{html.escape(str(requires))}"'
    digest = f"sha256={sha256_of(metadata)}"
    attrs += f' data-dist-info-metadata="{digest}" data-core-metadata="{digest}"'
    return f"    <a {attrs}>{wheel.name}</a><br/>"


def page(title: str, links: list[str]) -> str:
    return "\n".join([
        "<!DOCTYPE html>", "<html>", "  <head>",
        '    <meta name="pypi:repository-version" content="1.0">',
        f"    <title>{title}</title>", "  </head>", "  <body>",
        f"    <h1>{title}</h1>", *links, "  </body>", "</html>", ""])


def mirror_wheels(layout: Layout) -> dict[str, Path]:
    """Every wheel in the mirror, by file name (sets overlap)."""
    return {w.name: w for d in sorted(layout.mirror.iterdir()) if d.is_dir()
            for w in wheels_in(d)}


def build_static_index(layout: Layout) -> int:
    """Write ``simple/<project>/index.html`` (sha256 fragments,
    data-requires-python, PEP 658 metadata) and ``files/``."""
    rmtree(layout.index)
    files = layout.index / "files"
    files.mkdir(parents=True)
    projects: dict[str, list[str]] = {}
    for name, wheel in sorted(mirror_wheels(layout).items()):
        os.link(wheel, files / name)
        metadata = wheel_metadata(wheel)
        (files / f"{name}.metadata").write_bytes(metadata)
        projects.setdefault(wheel_name_version(name)[0], []).append(
            link_html(wheel, metadata))
    simple = layout.index / "simple"
    for project, links in projects.items():
        (simple / project).mkdir(parents=True)
        (simple / project / "index.html").write_text(
            page(f"Links for {project}", links))
    (simple / "index.html").write_text(page("Simple index", [
        f'    <a href="{p}/">{p}</a><br/>' for p in sorted(projects)]))
    return len(projects)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with keep-alive (as a real index) and no request log."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@dataclass
class Server:
    url: str
    stop: Callable[[], None]
    description: str


def port_file(layout: Layout) -> Path:
    return layout.root / "index-port"


def saved_port(layout: Layout) -> int:
    try:
        return int(port_file(layout).read_text())
    except (OSError, ValueError):
        return 0


def bind_static(layout: Layout) -> http.server.ThreadingHTTPServer:
    """Bind the port of the previous run if possible: the tools key their
    caches by index URL, so a new port would make their caches cold."""
    handler = functools.partial(QuietHandler, directory=str(layout.index))
    try:
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", saved_port(layout)),
                                                handler)
    except OSError:
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    layout.root.mkdir(parents=True, exist_ok=True)
    port_file(layout).write_text(str(httpd.server_address[1]))
    return httpd


def serve_static(layout: Layout) -> Server:
    httpd = bind_static(layout)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        httpd.shutdown()
        httpd.server_close()

    port = httpd.server_address[1]
    return Server(f"http://127.0.0.1:{port}/simple/", stop,
                  "static PEP 503 tree, http.server.ThreadingHTTPServer "
                  "(in-process thread)")


def free_port(layout: Layout) -> int:
    """The previous run's port if it is free (see bind_static), else a new one."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", saved_port(layout)))
        except OSError:
            s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    layout.root.mkdir(parents=True, exist_ok=True)
    port_file(layout).write_text(str(port))
    return port


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                resp.read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise BenchError(f"index server at {url} did not come up")
            time.sleep(0.1)


def serve_pypiserver(layout: Layout, paths: Paths) -> Server:
    try:
        run_checked([str(paths.python), "-c", "import pypiserver"], env=setup_env())
    except BenchError:
        log("installing pypiserver into the bench venv")
        pip_install(paths, "pypiserver")
    port = free_port(layout)
    dirs = [str(d) for d in sorted(layout.mirror.iterdir()) if d.is_dir()]
    proc = subprocess.Popen(
        [str(paths.python), "-m", "pypiserver", "run", "-p", str(port),
         "-i", "127.0.0.1", "--disable-fallback", "-a", ".", "-P", ".", *dirs],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=setup_env())
    url = f"http://127.0.0.1:{port}/simple/"

    def stop() -> None:
        proc.terminate()
        proc.wait(timeout=10)

    try:
        wait_for(url, 30)
    except BenchError:
        stop()
        raise
    return Server(url, stop, "pypiserver "
                  + tool_version([str(paths.python), "-m", "pypiserver", "--version"],
                                 setup_env()))


def request_latency_ms(url: str, n: int = 20) -> float:
    """Median time of ``n`` sequential GETs of one page (untimed info)."""
    times = []
    for _ in range(n):
        start = time.perf_counter()
        with urllib.request.urlopen(url, timeout=10) as resp:
            resp.read()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


# --------------------------------------------------------------------------
# Benchmark definitions
# --------------------------------------------------------------------------


@dataclass
class Ctx:
    """What the scenario definitions need."""

    paths: Paths
    layout: Layout
    target_py: Path
    url: str
    env: dict[str, str]
    pins: dict[str, dict[str, str]]
    install_set: str
    satchel: dict[str, str | None]  # command -> None or why unavailable


def isolated_env(paths: Paths, layout: Layout) -> dict[str, str]:
    """bench_venv's isolated environment with this benchmark's caches."""
    env = clean_env(paths)
    env.update({
        "PIP_CACHE_DIR": str(layout.cache("pip")),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_INPUT": "1",
        "UV_CACHE_DIR": str(layout.cache("uv")),
        "UV_NO_CONFIG": "1",
        "SATCHEL_CACHE_DIR": str(layout.cache("satchel")),
        "SATCHEL_CONFIG_FILE": os.devnull,
    })
    return env


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def make_venv(ctx: Ctx, dest: Path, seed: bool) -> None:
    """``uv venv`` (untimed); ``--seed`` takes pip etc. from the local mirror
    with a cache of its own, so no timed tool's cache is touched."""
    rmtree(dest)
    env = dict(ctx.env, UV_CACHE_DIR=str(ctx.layout.cache("seed-uv")))
    argv = [str(ctx.paths.tool("uv")), "venv", "-q", "-p", str(ctx.target_py),
            str(dest)]
    if seed:
        argv[3:3] = ["--seed", "--index-url", ctx.url]
    run_checked(argv, env=env)


def installed(venv: Path) -> set[tuple[str, str]]:
    found = set()
    for site in venv.glob("lib/python*/site-packages"):
        for info in site.glob("*.dist-info"):
            name, _, version = info.name[:-len(".dist-info")].partition("-")
            found.add((normalize(name), version))
    return found


def check_installed(pins: dict[str, str]) -> Callable[[Run, str], None]:
    def check(run: Run, _out: str) -> None:
        have = installed(run.venv)
        missing = sorted(f"{n}=={v}" for n, v in pins.items() if (n, v) not in have)
        if missing:
            raise BenchError(f"not installed in {run.venv}: {', '.join(missing[:5])}"
                             + (" ..." if len(missing) > 5 else ""))
    return check


def check_frozen(pins: dict[str, str]) -> Callable[[Run, str], None]:
    def check(_run: Run, out: str) -> None:
        listed = set()
        for line in out.splitlines():
            name, sep, version = line.partition("==")
            if sep:
                listed.add((normalize(name), version.strip()))
        missing = [n for n, v in pins.items() if (n, v) not in listed]
        if missing:
            raise BenchError(f"freeze output lacks {', '.join(sorted(missing)[:5])}")
    return check


def venv_setup(ctx: Ctx, name: str, seed: bool,
               cold_var: str | None = None) -> Callable[[int], Run]:
    """A fresh venv per run; for cold runs also a fresh, empty cache in
    ``cold_var``."""
    def setup(i: int) -> Run:
        run = Run(ctx.layout.envs / f"{name}-{i}")
        make_venv(ctx, run.venv, seed)
        run.scratch.append(run.venv)
        if cold_var is not None:
            cache = ctx.layout.cold / f"{name}-{i}"
            rmtree(cache)
            cache.mkdir(parents=True)
            run.env[cold_var] = str(cache)
            run.scratch.append(cache)
        return run
    return setup


def install_argv(ctx: Ctx, tool: str) -> Callable[[Run], list[str]]:
    reqs = str(pin_file(ctx.install_set))
    if tool == "pip":
        return lambda r: [str(venv_python(r.venv)), "-m", "pip", "install",
                          "--index-url", ctx.url, "-r", reqs]
    if tool == "uv":
        return lambda r: [str(ctx.paths.tool("uv")), "pip", "install",
                          "--python", str(venv_python(r.venv)),
                          "--index-url", ctx.url, "-r", reqs]
    return lambda r: [str(ctx.paths.tool("satchel")), "install", "-p", str(r.venv),
                      "--index-url", ctx.url, "-r", reqs]


ROW_NAMES = {
    "pip": ("pip install (warm)", "pip install (no-op)", None),
    "uv": ("uv pip install (warm)", "uv pip install (no-op)",
           "uv pip install (cold)"),
    "satchel": ("satchel install (warm)", "satchel install (no-op)",
                "satchel install (cold)"),
}
FREEZE_ROWS = {"pip": "pip freeze", "uv": "uv pip freeze",
               "satchel": "satchel freeze"}
COLD_VARS = {"uv": "UV_CACHE_DIR", "satchel": "SATCHEL_CACHE_DIR"}


def install_scenarios(ctx: Ctx, tool: str, rows: dict[str, Row], runs: int,
                      warmups: int) -> list[Scenario]:
    """warm install + no-op into the same venv; cold install separately."""
    warm, noop, cold = ROW_NAMES[tool]
    check = check_installed(ctx.pins[ctx.install_set])
    argv = install_argv(ctx, tool)
    seed = tool == "pip"
    out = [Scenario(f"{tool} warm", runs, warmups,
                    venv_setup(ctx, f"{tool}-warm", seed),
                    [Step(rows[warm], argv, check), Step(rows[noop], argv, check)])]
    if cold is not None:
        out.append(Scenario(f"{tool} cold", runs, warmups,
                            venv_setup(ctx, f"{tool}-cold", seed, COLD_VARS[tool]),
                            [Step(rows[cold], argv, check)]))
    return out


def freeze_argv(ctx: Ctx, tool: str, venv: Path) -> list[str]:
    if tool == "pip":
        return [str(venv_python(venv)), "-m", "pip", "freeze"]
    if tool == "uv":
        return [str(ctx.paths.tool("uv")), "pip", "freeze", "--python",
                str(venv_python(venv))]
    return [str(ctx.paths.tool("satchel")), "freeze", "-p", str(venv)]


def freeze_scenarios(ctx: Ctx, tools: list[str], rows: dict[str, Row], runs: int,
                     warmups: int) -> list[Scenario]:
    """Freeze the same ~100-package environment, made once (untimed)."""
    venv = ctx.layout.envs / "freeze-env"
    check = check_frozen(ctx.pins[FREEZE_SET])
    out = []
    for tool in tools:
        argv = functools.partial(lambda t, _r: freeze_argv(ctx, t, venv), tool)
        out.append(Scenario(f"{tool} freeze", runs, warmups,
                            lambda _i: Run(venv),
                            [Step(rows[FREEZE_ROWS[tool]], argv, check)]))
    return out


def make_freeze_env(ctx: Ctx) -> Path:
    venv = ctx.layout.envs / "freeze-env"
    log(f"creating the freeze environment ({len(ctx.pins[FREEZE_SET])} "
        "packages + pip seed, untimed)")
    make_venv(ctx, venv, seed=True)
    env = dict(ctx.env, UV_CACHE_DIR=str(ctx.layout.cache("seed-uv")))
    run_checked([str(ctx.paths.tool("uv")), "pip", "install", "--python",
                 str(venv_python(venv)), "--index-url", ctx.url, "-r",
                 str(pin_file(FREEZE_SET))], env=env)
    return venv


def all_rows() -> dict[str, Row]:
    names = [n for t in ROW_NAMES.values() for n in t if n is not None]
    names += list(FREEZE_ROWS.values())
    return {n: Row(n) for n in names}


def define(ctx: Ctx, args: argparse.Namespace
           ) -> tuple[dict[str, Row], list[Scenario]]:
    rows = all_rows()
    scenarios: list[Scenario] = []
    for tool in ("pip", "uv", "satchel"):
        runs, warmups = ((args.pip_runs, 1) if tool == "pip"
                         else (args.runs, args.warmups))
        unavailable = ctx.satchel["install"] if tool == "satchel" else None
        if unavailable or runs == 0:
            for name in ROW_NAMES[tool]:
                if name is not None:
                    rows[name].unavailable = unavailable or "skipped (--pip-runs 0)"
            continue
        scenarios += install_scenarios(ctx, tool, rows, runs, warmups)
    freeze_tools = ["pip", "uv"]
    if ctx.satchel["freeze"]:
        rows["satchel freeze"].unavailable = ctx.satchel["freeze"]
    else:
        freeze_tools.append("satchel")
    scenarios += freeze_scenarios(ctx, freeze_tools, rows, args.runs, args.warmups)
    return rows, scenarios


def define_targets() -> list[Target]:
    return [
        Target("satchel install (warm) / uv pip install (warm)",
               "satchel install (warm)", "uv pip install (warm)", 2.0),
        Target("satchel install (warm) / pip install (warm)",
               "satchel install (warm)", "pip install (warm)", 0.1),
        Target("satchel install (cold) / uv pip install (cold)",
               "satchel install (cold)", "uv pip install (cold)", 1.5),
        Target("satchel install (no-op)", "satchel install (no-op)", None, 150.0),
        Target("satchel install (no-op) / uv pip install (no-op)",
               "satchel install (no-op)", "uv pip install (no-op)", 2.0),
        Target("satchel freeze / uv pip freeze", "satchel freeze",
               "uv pip freeze", 2.0),
        Target("uv pip install (warm) / pip install (warm)",
               "uv pip install (warm)", "pip install (warm)", 0.1,
               informational=True),
    ]


# --------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------


def settle() -> None:
    """Flush dirty pages (untimed) so that write-back of the previous run's
    files and removals does not land in the next timed command."""
    if hasattr(os, "sync"):
        os.sync()


def run_scenario(sc: Scenario, index: int, ctx: Ctx, cwd: Path, *,
                 timed: bool) -> None:
    """Untimed setup, timed steps (each checked, untimed), untimed cleanup."""
    run = sc.setup(index)
    try:
        for step in sc.steps:
            argv = step.argv(run)
            env = dict(ctx.env, **run.env)
            settle()
            try:
                start = time.perf_counter()
                proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True,
                                      text=True)
                elapsed = time.perf_counter() - start
            except OSError as exc:
                raise BenchError(f"`{' '.join(argv)}`: {exc}") from exc
            if proc.returncode != 0:
                raise BenchError(format_failure(argv, proc))
            step.check(run, proc.stdout)
            (step.row.times if timed else step.row.warmup_times).append(elapsed)
    finally:
        for path in run.scratch:
            rmtree(path)


def attempt(sc: Scenario, index: int, ctx: Ctx, cwd: Path, *, timed: bool) -> None:
    try:
        run_scenario(sc, index, ctx, cwd, timed=timed)
    except BenchError as exc:
        sc.error = str(exc)
        for step in sc.steps:
            step.row.error = sc.error
        log(f"  FAILED {sc.name}: {exc}")


def due(runs: int, round_no: int, rounds: int) -> bool:
    """Spread ``runs`` evenly over ``rounds`` rounds (as bench_venv)."""
    return (round_no + 1) * runs // rounds > round_no * runs // rounds


def measure(scenarios: list[Scenario], ctx: Ctx, cwd: Path) -> None:
    log("warming up (untimed; fills each tool's warm cache)")
    for round_no in range(max(s.warmups for s in scenarios)):
        for sc in scenarios:
            if sc.error is None and round_no < sc.warmups:
                attempt(sc, -1 - round_no, ctx, cwd, timed=False)
    rounds = max(s.runs for s in scenarios)
    for round_no in range(rounds):
        log(f"round {round_no + 1}/{rounds}")
        shift = round_no % len(scenarios)  # rotate: nobody always first
        for sc in scenarios[shift:] + scenarios[:shift]:
            if sc.error is None and due(sc.runs, round_no, rounds):
                attempt(sc, round_no, ctx, cwd, timed=True)


# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------


def render_table(rows: list[Row]) -> str:
    width = max(len(r.name) for r in rows + [Row("tool")])
    lines = [f"{'tool':<{width}}  {'median ms':>10}  {'min ms':>10}  {'runs':>4}",
             "-" * (width + 32)]
    for row in rows:
        status = row.status()
        if status is not None and status != "FAILED":
            lines.append(f"{row.name:<{width}}  {status:>22}  {'-':>4}")
            continue
        med = "FAILED" if row.median_ms is None else f"{row.median_ms:.1f}"
        low = "FAILED" if row.min_ms is None else f"{row.min_ms:.1f}"
        lines.append(f"{row.name:<{width}}  {med:>10}  {low:>10}  "
                     f"{len(row.times):>4}")
    return "\n".join(lines)


def report(meta: dict[str, object], rows: list[Row], targets: list[Target],
           scenarios: list[Scenario]) -> str:
    head = [f"{k}: {v}" for k, v in meta.items()]
    body = [render_table(rows), ""] + [t.line() for t in targets]
    notes = sorted({r.unavailable for r in rows if r.unavailable})
    errors = [f"\nERROR in {s.name}:\n  {s.error}" for s in scenarios if s.error]
    extra = ["", "not available:"] + [f"  {n}" for n in notes] if notes else []
    return "\n".join(head + [""] + body + extra + errors)


def to_json(meta: dict[str, object], rows: list[Row],
            targets: list[Target]) -> dict[str, object]:
    return {
        "meta": meta,
        "results": {
            r.name: {"median_ms": r.median_ms, "min_ms": r.min_ms,
                     "runs_ms": [t * 1000 for t in r.times],
                     "warmup_ms": [t * 1000 for t in r.warmup_times],
                     "error": r.error, "unavailable": r.unavailable}
            for r in rows
        },
        "targets": [
            {"label": t.label, "value": t.value, "limit": t.limit,
             "kind": "ratio" if t.denominator else "ms", "ok": t.ok,
             "informational": t.informational} for t in targets
        ],
    }


def seed_pip_version(layout: Layout) -> str:
    for wheel in wheels_in(layout.mirror_set("seed")):
        name, version = wheel_name_version(wheel.name)
        if name == "pip":
            return f"pip {version}"
    return "unknown"


def collect_meta(ctx: Ctx, server: Server, args: argparse.Namespace,
                 n_projects: int) -> dict[str, object]:
    py, env = ctx.target_py, ctx.env
    sizes = ", ".join(f"{s}: {len(p)} packages" for s, p in ctx.pins.items())
    return {
        "target python": f"{py} ({tool_version([str(py), '--version'], env)})",
        "uv": tool_version([str(ctx.paths.tool("uv")), "--version"], env),
        "pip (in the pip rows' venvs)": seed_pip_version(ctx.layout),
        "satchel": tool_version([str(ctx.paths.tool("satchel")), "--version"], env),
        "index": f"{server.description}, {n_projects} projects",
        "index latency (GET /simple/<project>/, median)":
            f"{request_latency_ms(ctx.url + 'botocore/'):.2f} ms",
        "sets": f"{sizes}; install benches use {ctx.install_set!r}",
        "platform": f"{platform.platform()}, {os.cpu_count()} CPUs",
        "runs": f"{args.runs} (pip install: {args.pip_runs}), warm-ups: "
                f"{args.warmups} (pip install: 1)",
    }


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--python", type=Path, default=None, metavar="PATH",
                   help="interpreter of the target environments (default: "
                        "$(pyenv root)/versions/3.11.*/bin/python3.11)")
    p.add_argument("--runs", type=int, default=7, metavar="N",
                   help="timed runs per command except pip install (default 7)")
    p.add_argument("--pip-runs", type=int, default=3, metavar="N",
                   help="timed runs of pip install, which takes tens of "
                        "seconds (default 3; 0 skips pip install)")
    p.add_argument("--warmups", type=int, default=2, metavar="N",
                   help="untimed warm-up runs per command (default 2; "
                        "pip install: 1)")
    p.add_argument("--set", dest="install_set", choices=sorted(SETS),
                   default="install",
                   help="requirement set the install benchmarks use "
                        "(default install; freeze always uses the freeze set)")
    p.add_argument("--server", choices=("static", "pypiserver"), default="static",
                   help="index server (default static; see README)")
    p.add_argument("--json", type=Path, default=None, metavar="FILE",
                   help="also write the results as JSON to FILE")
    p.add_argument("--fresh", action="store_true",
                   help="re-resolve the requirement sets (rewrites the pin "
                        "files), re-download the mirror and clear the caches")
    p.add_argument("--work-dir", type=Path, default=DEFAULT_WORK, metavar="DIR",
                   help=f"scratch directory (default {DEFAULT_WORK})")
    args = p.parse_args(argv)
    if args.runs < 1 or args.warmups < 1 or args.pip_runs < 0:
        p.error("--runs and --warmups must be >= 1, --pip-runs >= 0")
    return args


def satchel_availability(paths: Paths, env: dict[str, str]) -> dict[str, str | None]:
    """None for each satchel command that exists, else why not."""
    out: dict[str, str | None] = {}
    for cmd in SATCHEL_CMDS:
        try:
            run_checked([str(paths.tool("satchel")), cmd, "--help"], env=env)
            out[cmd] = None
        except (BenchError, OSError):
            out[cmd] = f"`satchel {cmd} --help` fails (command not built yet?)"
    return out


def prepare(args: argparse.Namespace) -> tuple[Paths, Layout, Path, dict[str, dict[str, str]]]:
    paths = Paths(args.work_dir.resolve())
    layout = Layout(paths.work)
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
    tag = interpreter_tag(target_py)
    pins = {name: ensure_set(layout, name, target_py, tag, args.fresh)
            for name in SETS}
    ensure_seed(layout, target_py, args.fresh)
    return paths, layout, target_py, pins


@dataclass
class Serving:
    server: Server
    projects: int


def start_server(args: argparse.Namespace, paths: Paths, layout: Layout) -> Serving:
    projects = build_static_index(layout)
    if args.server == "pypiserver":
        return Serving(serve_pypiserver(layout, paths), projects)
    return Serving(serve_static(layout), projects)


def bench(args: argparse.Namespace, ctx: Ctx, serving: Serving) -> int:
    rows, scenarios = define(ctx, args)
    make_freeze_env(ctx)
    meta = collect_meta(ctx, serving.server, args, serving.projects)
    with tempfile.TemporaryDirectory(prefix="satchel-bench-cwd-") as cwd:
        measure(scenarios, ctx, Path(cwd))
    targets = define_targets()
    for target in targets:
        target.evaluate(rows)
    row_list = list(rows.values())
    print(report(meta, row_list, targets, scenarios))
    if args.json is not None:
        args.json.write_text(json.dumps(to_json(meta, row_list, targets),
                                        indent=2) + "\n")
    return 1 if any(s.error for s in scenarios) else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        paths, layout, target_py, pins = prepare(args)
        serving = start_server(args, paths, layout)
    except BenchError as exc:
        log(f"setup failed: {exc}")
        return 2
    try:
        env = isolated_env(paths, layout)
        ctx = Ctx(paths, layout, target_py, serving.server.url, env, pins,
                  args.install_set, satchel_availability(paths, env))
        return bench(args, ctx, serving)
    except BenchError as exc:
        log(f"setup failed: {exc}")
        return 2
    finally:
        serving.server.stop()
        for d in (layout.envs, layout.cold):
            rmtree(d)


if __name__ == "__main__":
    sys.exit(main())
