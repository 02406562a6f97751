#!/usr/bin/env python3
"""Benchmark ``satchel venv`` against ``python -m venv``, uv and virtualenv.

All tools are measured in one run, interleaved round-robin, and the script
reports median/min wall-clock times plus the project's performance targets.

Usage::

    python benchmarks/bench_venv.py [--python PATH] [--runs N] [--json FILE]

See benchmarks/README.md for details.  Standard library only.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WORK = Path(__file__).resolve().parent / ".work"
BENCH_TOOLS = ("uv", "virtualenv")
STAMP_NAME = "satchel-bench-stamp.json"
# Environment variable prefixes/names removed from the timed commands'
# environment so that no tool sees this machine's pip/uv/satchel settings.
STRIP_PREFIXES = ("PIP_", "UV_", "SATCHEL_", "VIRTUALENV_", "PYTHON")
STRIP_NAMES = ("VIRTUAL_ENV", "CONDA_PREFIX")


class BenchError(Exception):
    """A command the benchmark depends on failed."""


# --------------------------------------------------------------------------
# Data model
# --------------------------------------------------------------------------


@dataclass
class Paths:
    """Everything the benchmark writes lives under ``work``."""

    work: Path

    @property
    def bench_venv(self) -> Path:
        return self.work / "bench-venv"

    @property
    def bin(self) -> Path:
        return self.bench_venv / ("Scripts" if os.name == "nt" else "bin")

    @property
    def python(self) -> Path:
        return self.bin / ("python.exe" if os.name == "nt" else "python")

    def tool(self, name: str) -> Path:
        return self.bin / (name + (".exe" if os.name == "nt" else ""))

    @property
    def targets(self) -> Path:
        return self.work / "targets"

    @property
    def uv_cache(self) -> Path:
        return self.work / "uv-cache"

    @property
    def satchel_cache(self) -> Path:
        return self.work / "satchel-cache"

    @property
    def venv_appdata(self) -> Path:
        return self.work / "venv-appdata"

    @property
    def cold_caches(self) -> Path:
        return self.work / "cold-caches"


@dataclass
class Bench:
    """One benchmarked command.

    ``argv`` builds the command line for a given target dir; ``env_for``
    may override environment variables for a given run (e.g. a fresh cache).
    ``creates`` tells which post-run check applies: None (no dir), "bare" or
    "seeded" (pip must be importable from the new environment).
    """

    name: str
    argv: Callable[[Path], list[str]]
    runs: int
    warmups: int
    creates: str | None = "bare"
    env_for: Callable[[int], dict[str, str]] | None = None
    cleanup: Callable[[int], None] | None = None
    times: list[float] = field(default_factory=list)
    warmup_times: list[float] = field(default_factory=list)
    error: str | None = None
    display: str = ""

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.times) * 1000 if self.times else None

    @property
    def min_ms(self) -> float | None:
        return min(self.times) * 1000 if self.times else None


@dataclass
class Target:
    """A performance target: ``numerator`` vs ``denominator``."""

    label: str
    numerator: str
    denominator: str
    limit: float
    kind: str  # "ratio" (num/den <= limit) or "delta" (num-den <= limit ms)
    informational: bool = False  # not one of the targets
    value: float | None = None

    @property
    def ok(self) -> bool | None:
        return None if self.value is None else self.value <= self.limit

    def evaluate(self, benches: dict[str, Bench]) -> None:
        num = benches[self.numerator].median_ms
        den = benches[self.denominator].median_ms
        if num is None or den is None:
            return
        self.value = num / den if self.kind == "ratio" else num - den

    def line(self) -> str:
        status = {True: "OK", False: "MISS", None: "N/A (command failed)"}[self.ok]
        if self.kind == "ratio":
            val = "-" if self.value is None else f"{self.value:.2f}x"
            lim = f"<= {self.limit:g}x"
        else:
            val = "-" if self.value is None else f"{self.value:+.1f} ms"
            lim = f"<= +{self.limit:g} ms"
        if self.informational:
            return f"[info] {self.label} = {val} (cf. {lim}) {status}"
        return f"{self.label} = {val} (target {lim}) {status}"


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run_checked(argv: Sequence[str], *, env: dict[str, str] | None = None,
                cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command, raising BenchError with its output if it fails."""
    proc = subprocess.run(list(argv), env=env, cwd=cwd, capture_output=True,
                          text=True)
    if proc.returncode != 0:
        raise BenchError(format_failure(argv, proc))
    return proc


def format_failure(argv: Sequence[str],
                   proc: subprocess.CompletedProcess[str]) -> str:
    out = (proc.stdout + proc.stderr).strip().splitlines()
    tail = "\n    ".join(out[-15:])
    return f"`{' '.join(map(str, argv))}` exited {proc.returncode}:\n    {tail}"


def find_default_python() -> Path:
    """Newest ``$(pyenv root)/versions/3.11.*/bin/python3.11`` (not a shim)."""
    root = os.environ.get("PYENV_ROOT")
    if not root:
        try:
            root = subprocess.run(["pyenv", "root"], capture_output=True,
                                  text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            root = str(Path.home() / ".pyenv")
    pattern = os.path.join(root, "versions", "3.11.*", "bin", "python3.11")
    found = glob.glob(pattern)
    if not found:
        raise BenchError(f"no interpreter matches {pattern}; pass --python")

    def version_key(p: str) -> tuple[int, ...]:
        ver = Path(p).parent.parent.name  # e.g. "3.11.7"
        return tuple(int(x) if x.isdigit() else -1 for x in ver.split("."))

    return Path(max(found, key=version_key))


def clean_env(paths: Paths) -> dict[str, str]:
    """Environment for timed commands: isolated from machine configuration."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(STRIP_PREFIXES) and k not in STRIP_NAMES}
    env.update({
        "PIP_CONFIG_FILE": os.devnull,
        "UV_CACHE_DIR": str(paths.uv_cache),
        "SATCHEL_CACHE_DIR": str(paths.satchel_cache),
        "VIRTUALENV_OVERRIDE_APP_DATA": str(paths.venv_appdata),
        # No background "update the embedded wheels" processes mid-benchmark.
        "VIRTUALENV_NO_PERIODIC_UPDATE": "1",
    })
    return env


def setup_env() -> dict[str, str]:
    """Environment for building the bench venv: the machine's pip config is
    kept (it is how this machine reaches packages), only venv leakage and
    bytecode suppression are removed."""
    env = {k: v for k, v in os.environ.items() if k not in STRIP_NAMES}
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def rmtree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


# --------------------------------------------------------------------------
# Bench venv (hosts satchel, uv and virtualenv)
# --------------------------------------------------------------------------


def satchel_stamp() -> str:
    """Hash of the packaging metadata; a change triggers a re-install."""
    h = hashlib.sha256()
    for name in ("pyproject.toml", "setup.cfg", "setup.py"):
        p = REPO_ROOT / name
        if p.is_file():
            h.update(name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def read_stamp(paths: Paths) -> dict[str, str]:
    try:
        data = json.loads((paths.bench_venv / STAMP_NAME).read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def tools_work(paths: Paths) -> bool:
    for tool in BENCH_TOOLS:
        try:
            run_checked([str(paths.tool(tool)), "--version"], env=setup_env())
        except (BenchError, OSError):
            return False
    return True


def satchel_installed(paths: Paths) -> bool:
    if read_stamp(paths).get("satchel") != satchel_stamp():
        return False
    # satchel must be importable *from this checkout* (editable install).
    code = ("import pathlib, sys, satchel; "
            "here = pathlib.Path(satchel.__file__).resolve(); "
            f"sys.exit(0 if here.is_relative_to({str(REPO_ROOT)!r}) else 1)")
    try:
        run_checked([str(paths.python), "-c", code], env=setup_env())
    except (BenchError, OSError):
        return False
    return paths.tool("satchel").exists()


def pip_install(paths: Paths, *args: str) -> None:
    run_checked([str(paths.python), "-m", "pip", "install",
                 "--disable-pip-version-check", "-q", *args], env=setup_env())


def ensure_bench_venv(paths: Paths, fresh: bool) -> str | None:
    """Create/repair the bench venv.  Returns an error message if satchel
    could not be installed (uv/virtualenv failures raise BenchError)."""
    if fresh or not paths.python.exists():
        rmtree(paths.bench_venv)
        log(f"creating bench venv {paths.bench_venv} ({sys.executable} -m venv)")
        run_checked([sys.executable, "-m", "venv", str(paths.bench_venv)],
                    env=setup_env())
    if not tools_work(paths):
        log("installing uv and virtualenv into the bench venv")
        pip_install(paths, *BENCH_TOOLS)
    if satchel_installed(paths):
        return None
    log(f"installing satchel (pip install -e {REPO_ROOT}) into the bench venv")
    try:
        pip_install(paths, "-e", str(REPO_ROOT))
    except BenchError as exc:
        return f"satchel install failed: {exc}"
    (paths.bench_venv / STAMP_NAME).write_text(
        json.dumps({"satchel": satchel_stamp()}))
    return None


def tool_version(argv: Sequence[str], env: dict[str, str]) -> str:
    try:
        proc = run_checked(argv, env=env)
    except (BenchError, OSError):
        return "unavailable"
    first = (proc.stdout.strip() or proc.stderr.strip()).splitlines()[0]
    return first.split(" from ")[0]  # virtualenv appends its install path


# --------------------------------------------------------------------------
# Benchmark definitions
# --------------------------------------------------------------------------


def define_benches(paths: Paths, target_py: Path, runs: int, venv_runs: int,
                   warmups: int) -> list[Bench]:
    py = str(target_py)
    uv = str(paths.tool("uv"))
    venv_ = str(paths.tool("virtualenv"))
    satchel = str(paths.tool("satchel"))
    cold_dir = paths.cold_caches

    def cold_env(i: int) -> dict[str, str]:
        cache = cold_dir / f"run-{i}"
        rmtree(cache)
        cache.mkdir(parents=True)  # fresh and empty (untimed)
        return {"SATCHEL_CACHE_DIR": str(cache)}

    def cold_cleanup(i: int) -> None:
        rmtree(cold_dir / f"run-{i}")

    return [
        Bench("python -c pass", lambda d: [str(paths.python), "-c", "pass"],
              runs, warmups, creates=None,
              display="python -c pass (bench venv)"),
        Bench("satchel --version", lambda d: [satchel, "--version"],
              runs, warmups, creates=None),
        Bench("uv venv", lambda d: [uv, "venv", "-q", "-p", py, str(d)],
              runs, warmups),
        Bench("satchel venv --without-pip",
              lambda d: [satchel, "venv", "--without-pip", "-p", py, str(d)],
              runs, warmups),
        Bench("virtualenv --no-seed",
              lambda d: [venv_, "--no-seed", "-p", py, str(d)],
              runs, warmups),
        Bench("uv venv --seed (warm)",
              lambda d: [uv, "venv", "-q", "--seed", "-p", py, str(d)],
              runs, warmups, creates="seeded"),
        # uv revalidates its cached index pages over the network on every
        # --seed run unless they are fresh per HTTP caching headers; the
        # --offline variant shows uv's cost without that round trip.
        Bench("uv venv --seed --offline (warm)",
              lambda d: [uv, "venv", "-q", "--seed", "--offline", "-p", py,
                         str(d)],
              runs, warmups, creates="seeded"),
        Bench("satchel venv (warm)",
              lambda d: [satchel, "venv", "-p", py, str(d)],
              runs, warmups, creates="seeded"),
        Bench("satchel venv (cold)",
              lambda d: [satchel, "venv", "-p", py, str(d)],
              runs, warmups, creates="seeded", env_for=cold_env,
              cleanup=cold_cleanup),
        Bench("virtualenv", lambda d: [venv_, "-p", py, str(d)],
              runs, warmups, creates="seeded"),
        Bench("python -m venv", lambda d: [py, "-m", "venv", str(d)],
              venv_runs, 1, creates="seeded"),
    ]


def define_targets() -> list[Target]:
    return [
        Target("satchel venv --without-pip / uv venv",
               "satchel venv --without-pip", "uv venv", 2.5, "ratio"),
        Target("satchel venv (warm) / uv venv --seed (warm)",
               "satchel venv (warm)", "uv venv --seed (warm)", 1.5, "ratio"),
        Target("satchel venv (warm) / uv venv --seed --offline (warm)",
               "satchel venv (warm)", "uv venv --seed --offline (warm)", 1.5,
               "ratio", informational=True),
        Target("satchel venv (warm) / python -m venv",
               "satchel venv (warm)", "python -m venv", 0.1, "ratio"),
        Target("satchel --version - python -c pass",
               "satchel --version", "python -c pass", 30.0, "delta"),
    ]


# --------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------


def verify_created(bench: Bench, target: Path) -> None:
    """Cheap, untimed sanity check that the command did its job."""
    if bench.creates is None:
        return
    if not (target / "pyvenv.cfg").is_file():
        raise BenchError(f"{bench.name}: {target}/pyvenv.cfg missing")
    if bench.creates == "seeded":
        pips = glob.glob(str(target / "lib" / "python*" / "site-packages" / "pip"))
        pips += glob.glob(str(target / "Lib" / "site-packages" / "pip"))
        if not pips:
            raise BenchError(f"{bench.name}: pip was not installed in {target}")


def run_once(bench: Bench, index: int, paths: Paths, env: dict[str, str],
             cwd: Path) -> float:
    """Run ``bench`` once into a fresh target dir; return seconds."""
    target = paths.targets / f"{bench.name.replace(' ', '_')}-{index}"
    rmtree(target)
    run_env = dict(env)
    if bench.env_for is not None:
        run_env.update(bench.env_for(index))
    argv = bench.argv(target)
    try:
        start = time.perf_counter()
        proc = subprocess.run(argv, env=run_env, cwd=cwd, capture_output=True,
                              text=True)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            raise BenchError(format_failure(argv, proc))
        verify_created(bench, target)
    except OSError as exc:
        raise BenchError(f"`{' '.join(argv)}`: {exc}") from exc
    finally:
        rmtree(target)
        if bench.cleanup is not None:
            bench.cleanup(index)
    return elapsed


def should_run(bench: Bench, round_no: int, rounds: int) -> bool:
    """Spread ``bench.runs`` evenly over ``rounds`` rounds."""
    r = bench.runs
    return (round_no + 1) * r // rounds > round_no * r // rounds


def warm_up(benches: list[Bench], paths: Paths, env: dict[str, str],
            cwd: Path) -> None:
    rounds = max(b.warmups for b in benches)
    for round_no in range(rounds):
        for bench in benches:
            if bench.error is None and round_no < bench.warmups:
                attempt(bench, -1 - round_no, paths, env, cwd, timed=False)


def attempt(bench: Bench, index: int, paths: Paths, env: dict[str, str],
            cwd: Path, *, timed: bool) -> None:
    try:
        elapsed = run_once(bench, index, paths, env, cwd)
    except BenchError as exc:
        bench.error = str(exc)
        log(f"  FAILED {bench.name}: {exc}")
        return
    (bench.times if timed else bench.warmup_times).append(elapsed)


def measure(benches: list[Bench], paths: Paths, env: dict[str, str],
            cwd: Path) -> None:
    log("warming up (untimed; the first uv --seed run fills uv's cache "
        "from the package index)")
    warm_up(benches, paths, env, cwd)
    rounds = max(b.runs for b in benches)
    for round_no in range(rounds):
        log(f"round {round_no + 1}/{rounds}")
        # Rotate the order every round so no tool always runs first/last.
        shift = round_no % len(benches)
        for bench in benches[shift:] + benches[:shift]:
            if bench.error is None and should_run(bench, round_no, rounds):
                attempt(bench, round_no, paths, env, cwd, timed=True)


# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------


def fmt_ms(value: float | None) -> str:
    return "FAILED" if value is None else f"{value:.1f}"


def render_table(benches: list[Bench]) -> str:
    names = [b.display or b.name for b in benches]
    width = max(len(n) for n in names + ["tool"])
    lines = [f"{'tool':<{width}}  {'median ms':>10}  {'min ms':>10}  {'runs':>4}",
             "-" * (width + 32)]
    for bench, name in zip(benches, names):
        lines.append(f"{name:<{width}}  {fmt_ms(bench.median_ms):>10}  "
                     f"{fmt_ms(bench.min_ms):>10}  {len(bench.times):>4}")
    return "\n".join(lines)


def report(meta: dict[str, object], benches: list[Bench],
           targets: list[Target]) -> str:
    head = [f"{k}: {v}" for k, v in meta.items()]
    body = [render_table(benches), ""] + [t.line() for t in targets]
    errors = [f"\nERROR in {b.name}:\n  {b.error}" for b in benches if b.error]
    return "\n".join(head + [""] + body + errors)


def to_json(meta: dict[str, object], benches: list[Bench],
            targets: list[Target]) -> dict[str, object]:
    return {
        "meta": meta,
        "results": {
            b.name: {
                "median_ms": b.median_ms,
                "min_ms": b.min_ms,
                "runs_ms": [t * 1000 for t in b.times],
                "warmup_ms": [t * 1000 for t in b.warmup_times],
                "error": b.error,
            } for b in benches
        },
        "targets": [
            {"label": t.label, "kind": t.kind, "value": t.value,
             "limit": t.limit, "ok": t.ok,
             "informational": t.informational} for t in targets
        ],
    }


def collect_meta(paths: Paths, target_py: Path, env: dict[str, str],
                 args: argparse.Namespace) -> dict[str, object]:
    return {
        "target python": f"{target_py} "
                         f"({tool_version([str(target_py), '--version'], env)})",
        "bench venv python": f"{paths.python} "
                             f"({tool_version([str(paths.python), '--version'], env)})",
        "uv": tool_version([str(paths.tool("uv")), "--version"], env),
        "virtualenv": tool_version([str(paths.tool("virtualenv")), "--version"], env),
        "satchel": tool_version([str(paths.tool("satchel")), "--version"], env),
        "platform": f"{platform.platform()}, {os.cpu_count()} CPUs",
        "runs": f"{args.runs} (python -m venv: {args.venv_runs}), "
                f"warm-ups: {args.warmups}",
    }


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--python", type=Path, default=None, metavar="PATH",
                   help="interpreter for the created environments (default: "
                        "$(pyenv root)/versions/3.11.*/bin/python3.11)")
    p.add_argument("--runs", type=int, default=15, metavar="N",
                   help="timed runs per command (default 15)")
    p.add_argument("--venv-runs", type=int, default=3, metavar="N",
                   help="timed runs of `python -m venv` (default 3)")
    p.add_argument("--warmups", type=int, default=2, metavar="N",
                   help="untimed warm-up runs per command (default 2; "
                        "python -m venv: 1)")
    p.add_argument("--json", type=Path, default=None, metavar="FILE",
                   help="also write the results as JSON to FILE")
    p.add_argument("--fresh", action="store_true",
                   help="rebuild the bench venv and clear the caches")
    p.add_argument("--work-dir", type=Path, default=DEFAULT_WORK, metavar="DIR",
                   help=f"scratch directory (default {DEFAULT_WORK})")
    args = p.parse_args(argv)
    if args.runs < 1 or args.venv_runs < 1 or args.warmups < 1:
        p.error("--runs, --venv-runs and --warmups must be >= 1")
    return args


def prepare(args: argparse.Namespace) -> tuple[Paths, Path, str | None]:
    paths = Paths(args.work_dir.resolve())
    paths.work.mkdir(parents=True, exist_ok=True)
    target_py = args.python or find_default_python()
    if not Path(target_py).exists():
        raise BenchError(f"--python {target_py} does not exist")
    if args.fresh:
        for d in (paths.uv_cache, paths.satchel_cache, paths.venv_appdata):
            rmtree(d)
    for d in (paths.targets, paths.cold_caches):
        rmtree(d)
        d.mkdir(parents=True)
    satchel_error = ensure_bench_venv(paths, args.fresh)
    return paths, Path(target_py).absolute(), satchel_error


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        paths, target_py, satchel_error = prepare(args)
    except BenchError as exc:
        log(f"setup failed: {exc}")
        return 2
    if satchel_error:
        log(satchel_error)
    env = clean_env(paths)
    benches = define_benches(paths, target_py, args.runs, args.venv_runs,
                             args.warmups)
    targets = define_targets()
    meta = collect_meta(paths, target_py, env, args)
    # Run from an empty directory outside the repo so that no tool picks up
    # project configuration (e.g. uv reading a pyproject.toml upwards).
    with tempfile.TemporaryDirectory(prefix="satchel-bench-cwd-") as cwd:
        measure(benches, paths, env, Path(cwd))
    for target in targets:
        target.evaluate({b.name: b for b in benches})
    print(report(meta, benches, targets))
    if args.json is not None:
        args.json.write_text(json.dumps(to_json(meta, benches, targets),
                                        indent=2) + "\n")
    return 1 if any(b.error for b in benches) else 0


if __name__ == "__main__":
    sys.exit(main())
