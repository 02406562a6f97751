"""Which PEP 517/660 hooks satchel calls, with what, and in which environment: observed with
a tiny in-tree backend (`backend-path = ["."]`, no build requirements, so no index is needed)
that records every call. Covers static metadata (no prepare_metadata hook), the fallback when
a backend has no prepare_metadata hook, config settings (-C, and a requirements line's own),
editables, build environments reused between builds, bytecode kept out of the project, a
build dependency cycle, and failures (exit 1, the backend's last lines, the log kept)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import run_satchel, target_interpreters
from support.snapshots import snapshot

PY = target_interpreters()[-1][1]

BACKEND = r'''
import base64, hashlib, json, os, zipfile

NAME, VERSION = "{name}", "{version}"
DIST = NAME.replace("-", "_")


def _record(hook, **details):
    default = os.path.join(os.path.dirname(os.path.abspath(__file__)), "calls.jsonl")
    with open(os.environ.get("RECORDING_BACKEND_LOG") or default, "a") as out:
        out.write(json.dumps({{"hook": hook, "project": NAME, **details}}) + "\n")


def _metadata():
    return "Metadata-Version: 2.1\nName: %s\nVersion: %s\nRequires-Dist: {requires}\n" % (NAME, VERSION) if "{requires}" else "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (NAME, VERSION)


def get_requires_for_build_wheel(config_settings=None):
    _record("get_requires_for_build_wheel", config=config_settings)
    return []


def get_requires_for_build_editable(config_settings=None):
    _record("get_requires_for_build_editable", config=config_settings)
    return []

{prepare}

def _wheel(directory, editable, metadata_directory, config_settings):
    _record("build_editable" if editable else "build_wheel", config=config_settings,
            metadata_directory=metadata_directory, pycache_prefix=os.environ.get("PYTHONPYCACHEPREFIX"),
            prefix=__import__("sys").prefix)
    name = "%s-%s-py3-none-any.whl" % (DIST, VERSION)
    info = "%s-%s.dist-info" % (DIST, VERSION)
    here = os.path.dirname(os.path.abspath(__file__))
    files = {{info + "/METADATA": _metadata(), info + "/WHEEL": "Wheel-Version: 1.0\nGenerator: t\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}}
    if editable:
        files[DIST + ".pth"] = here + "\n"
    else:
        files[DIST + ".py"] = open(os.path.join(here, DIST + ".py")).read()
    lines = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        lines.append("%s,sha256=%s,%d" % (path, digest, len(text.encode())))
    lines.append(info + "/RECORD,,")
    files[info + "/RECORD"] = "\n".join(lines) + "\n"
    with zipfile.ZipFile(os.path.join(directory, name), "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return name


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    {fail}
    return _wheel(wheel_directory, False, metadata_directory, config_settings)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, True, metadata_directory, config_settings)
'''

PREPARE = r'''
def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    import time
    started = time.time()
    time.sleep(float(os.environ.get("RECORDING_BACKEND_SLEEP", "0")))
    _record("prepare_metadata_for_build_wheel", config=config_settings, started=started, ended=time.time())
    info = os.path.join(metadata_directory, "%s-%s.dist-info" % (DIST, VERSION))
    os.makedirs(info)
    with open(os.path.join(info, "METADATA"), "w") as out:
        out.write(_metadata())
    return os.path.basename(info)
'''


def make_project(root: Path, name: str, *, version: str = "1.0", static: bool = False, prepare: bool = True,
                 requires: str = "", fail: str = "", build_requires: tuple[str, ...] = ()) -> Path:
    project = root / name
    project.mkdir(parents=True)
    dist = name.replace("-", "_")
    (project / f"{dist}.py").write_text(f"VALUE = {name!r}\n")
    (project / "recording_backend.py").write_text(
        BACKEND.format(name=name, version=version, requires=requires, prepare=PREPARE if prepare else "",
                       fail=f"raise RuntimeError({fail!r})" if fail else "pass")
    )
    table = f'[project]\nname = "{name}"\nversion = "{version}"\n' if static else ""
    if static and requires:
        table += f"dependencies = [{requires!r}]\n"
    requires_list = ", ".join(f'"{r}"' for r in build_requires)
    (project / "pyproject.toml").write_text(
        f'[build-system]\nrequires = [{requires_list}]\nbuild-backend = "recording_backend"\nbackend-path = ["."]\n' + table
    )
    return project


def calls(project: Path) -> list[dict[str, object]]:
    path = project / "calls.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture
def env(tmp_path: Path) -> Path:
    path = tmp_path / "env"
    assert run_satchel("venv", "--without-pip", "-p", PY, str(path)).returncode == 0
    return path


def install(env: Path, *args: str, cwd: Path | None = None, environ: dict[str, str] | None = None):
    return run_satchel("install", "-p", str(env), "--no-index", *args, cwd=cwd, env=environ)


def test_dynamic_metadata_is_prepared_and_handed_to_the_build(env: Path, tmp_path: Path) -> None:
    project = make_project(tmp_path, "dyn-proj")
    result = install(env, str(project))
    assert result.returncode == 0, result
    hooks = [c["hook"] for c in calls(project)]
    assert hooks == ["get_requires_for_build_wheel", "prepare_metadata_for_build_wheel", "build_wheel"]
    build = calls(project)[-1]
    assert str(build["metadata_directory"]).endswith("dyn_proj-1.0.dist-info")
    assert not Path(str(build["metadata_directory"])).exists(), "temporary directories are gone after the install"


def test_static_metadata_needs_no_prepare_hook(env: Path, tmp_path: Path) -> None:
    project = make_project(tmp_path, "static-proj", static=True)
    result = install(env, str(project))
    assert result.returncode == 0, result
    assert [c["hook"] for c in calls(project)] == ["get_requires_for_build_wheel", "build_wheel"]
    assert calls(project)[-1]["metadata_directory"] is None


def test_backend_without_prepare_hook_builds_once(env: Path, tmp_path: Path) -> None:
    project = make_project(tmp_path, "noprep-proj", prepare=False)
    result = install(env, str(project))
    assert result.returncode == 0, result
    assert [c["hook"] for c in calls(project)] == ["get_requires_for_build_wheel", "build_wheel"]
    assert (next(env.glob("lib/python3.*/site-packages")) / "noprep_proj.py").exists()


def test_editable_hooks_and_pep610_record(env: Path, tmp_path: Path) -> None:
    project = make_project(tmp_path, "edit-proj")
    result = install(env, "-e", str(project))
    assert result.returncode == 0, result
    hooks = [c["hook"] for c in calls(project)]
    assert hooks[0] == "get_requires_for_build_editable" and hooks[-1] == "build_editable"
    site = next(env.glob("lib/python3.*/site-packages"))
    record = json.loads((site / "edit_proj-1.0.dist-info" / "direct_url.json").read_text())
    assert record == {"url": project.as_uri(), "dir_info": {"editable": True}}
    value = os.popen(f"{env}/bin/python -c 'import edit_proj; print(edit_proj.VALUE)'").read().strip()
    assert value == "edit-proj"


def test_config_settings_from_the_command_line_and_a_requirements_line(env: Path, tmp_path: Path) -> None:
    one = make_project(tmp_path, "conf-one")
    two = make_project(tmp_path, "conf-two")
    reqs = tmp_path / "requirements.txt"
    reqs.write_text(f"{two} --config-settings line=yes --config-settings k=from-line\n")
    result = install(env, "-C", "k=v", "-C", "multi=a", "-C", "multi=b", str(one), "-r", str(reqs))
    assert result.returncode == 0, result
    assert calls(one)[-1]["config"] == {"k": "v", "multi": ["a", "b"]}
    assert calls(two)[-1]["config"] == {"k": "from-line", "multi": ["a", "b"], "line": "yes"}


def test_bad_config_setting_is_a_usage_error(env: Path, tmp_path: Path) -> None:
    project = make_project(tmp_path, "conf-bad")
    result = install(env, "-C", "novalue", str(project))
    assert result.returncode == 2 and "KEY=VALUE" in result.stderr and "Traceback" not in result.stderr


def test_build_environment_is_reused_and_bytecode_stays_out_of_the_project(env: Path, tmp_path: Path) -> None:
    cache = Path(os.environ["SATCHEL_CACHE_DIR"])
    first, second = make_project(tmp_path, "reuse-one"), make_project(tmp_path, "reuse-two")
    assert install(env, str(first)).returncode == 0
    envs_before = sorted(p.name for p in (cache / "build-envs-v1").iterdir() if p.is_dir())
    assert install(env, str(second)).returncode == 0
    envs_after = sorted(p.name for p in (cache / "build-envs-v1").iterdir() if p.is_dir())
    assert envs_before == envs_after, "the same (empty) build requirements reuse one environment"
    assert calls(second)[-1]["pycache_prefix"], "hooks write bytecode under the cache"
    assert not list(second.rglob("__pycache__")), "nothing is written beside the project's sources"


def test_failing_build_shows_the_backend_and_keeps_the_log(env: Path, tmp_path: Path) -> None:
    project = make_project(tmp_path, "fail-proj", fail="the compiler exploded")
    before = snapshot(env)
    result = install(env, str(project))
    assert result.returncode == 1, result
    assert "the compiler exploded" in result.stderr and str(project) in result.stderr
    log = next(line for line in result.stderr.splitlines() if ".log" in line).split()[-1]
    assert Path(log).is_file() and "the compiler exploded" in Path(log).read_text()
    assert snapshot(env) == before


def test_missing_backend(env: Path, tmp_path: Path) -> None:
    project = tmp_path / "nobackend"
    project.mkdir()
    (project / "pyproject.toml").write_text('[build-system]\nrequires = []\nbuild-backend = "no_such_backend_x"\n')
    result = install(env, str(project))
    assert result.returncode == 1, result
    assert "no_such_backend_x" in result.stderr and "could not be loaded" in result.stderr


def test_build_dependency_cycle_is_reported(env: Path, tmp_path: Path) -> None:
    """a's build needs b, b's build needs a: both are only sdists in find-links."""
    import tarfile

    links = tmp_path / "links"
    links.mkdir()
    for name, needs in (("cyc-a", "cyc-b"), ("cyc-b", "cyc-a")):
        project = make_project(tmp_path / "src", name, static=True, build_requires=(needs,))
        with tarfile.open(links / f"{name.replace('-', '_')}-1.0.tar.gz", "w:gz") as archive:
            archive.add(project, arcname=f"{name.replace('-', '_')}-1.0")
    result = install(env, "-f", str(links), "cyc-a")
    assert result.returncode == 1, result
    assert "cycle" in result.stderr and "cyc_a-1.0.tar.gz" in result.stderr and "Traceback" not in result.stderr


# ---------------------------------------------------------------- editable installs from git


def _git(cwd: Path, *args: str) -> str:
    import subprocess

    proc = subprocess.run(["git", "-c", "user.email=t@example.invalid", "-c", "user.name=t", *args],
                          cwd=cwd, capture_output=True, text=True, check=True)  # fmt: skip
    return proc.stdout.strip()


def _pip(env: Path, *args: str) -> str:
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "pip", "--python", str(env / "bin" / "python"), *args],
                          capture_output=True, text=True)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_editable_from_git_like_pip(tmp_path: Path) -> None:
    repo = make_project(tmp_path, "vcs-edit")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "one")
    _git(repo, "tag", "v1")
    first = _git(repo, "rev-parse", "HEAD")
    (repo / "vcs_edit.py").write_text("VALUE = 'two'\n")
    _git(repo, "commit", "-qam", "two")
    _git(repo, "branch", "dev")
    url = f"git+{repo.as_uri()}@v1#egg=vcs-edit"
    ours, theirs = tmp_path / "a" / "env", tmp_path / "b" / "env"
    for env in (ours, theirs):
        assert run_satchel("venv", "--without-pip", "-p", PY, str(env)).returncode == 0
    assert install(ours, "-e", url).returncode == 0
    _pip(theirs, "install", "--no-index", "--no-compile", "-e", url)
    checkout = ours / "src" / "vcs-edit"
    assert _git(checkout, "rev-parse", "HEAD") == first
    freeze = run_satchel("freeze", "-p", str(ours)).stdout
    assert freeze == f"-e git+{repo.as_uri()}@{first}#egg=vcs_edit\n" == _pip(theirs, "freeze")
    site = next(ours.glob("lib/python3.*/site-packages"))
    record = json.loads((site / "vcs_edit-1.0.dist-info" / "direct_url.json").read_text())
    assert record == {"url": checkout.as_uri(), "dir_info": {"editable": True}}
    # a reinstall at another revision moves the same checkout
    assert install(ours, "-e", f"git+{repo.as_uri()}@dev#egg=vcs-edit").returncode == 0
    assert _git(checkout, "rev-parse", "HEAD") == _git(repo, "rev-parse", "HEAD")
    value = os.popen(f"{ours}/bin/python -c 'import vcs_edit; print(vcs_edit.VALUE)'").read().strip()
    assert value == "two"


def test_editable_from_git_into_a_foreign_directory(env: Path, tmp_path: Path) -> None:
    repo = make_project(tmp_path, "vcs-clash")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "one")
    (env / "src" / "vcs-clash").mkdir(parents=True)
    (env / "src" / "vcs-clash" / "mine.txt").write_text("keep me\n")
    result = install(env, "-e", f"git+{repo.as_uri()}#egg=vcs-clash")
    assert result.returncode == 2 and "is not a checkout of" in result.stderr, result
    assert (env / "src" / "vcs-clash" / "mine.txt").read_text() == "keep me\n"


@pytest.mark.parametrize("how", ["editable", "directory"])
def test_hash_checking_mode_refuses_what_has_no_file_to_hash(env: Path, tmp_path: Path, how: str) -> None:
    project = make_project(tmp_path, "hashless")
    before = snapshot(env)
    args = ["-e", str(project)] if how == "editable" else [str(project)]
    result = install(env, "--require-hashes", *args)
    assert result.returncode == 1 and "hash-checking mode" in result.stderr and how in result.stderr, result
    assert snapshot(env) == before
    assert not [c for c in calls(project) if c["hook"] in ("build_wheel", "build_editable")], "refused before building"


@pytest.mark.parametrize("how", ["--no-build-isolation", "PIP_NO_BUILD_ISOLATION=0", "isolated"])
def test_build_isolation(env: Path, tmp_path: Path, how: str) -> None:
    """--no-build-isolation (and pip's inverted PIP_NO_BUILD_ISOLATION=0) run the hooks with the
    target environment's interpreter; otherwise they run in a build environment of the cache."""
    project = make_project(tmp_path, "iso-proj")
    environ = dict(os.environ)
    args = [str(project)]
    if how.startswith("--"):
        args.insert(0, how)
    elif "=" in how:
        name, value = how.split("=")
        environ[name] = value
    result = install(env, *args, environ=environ)
    assert result.returncode == 0, result
    prefix = str(calls(project)[-1]["prefix"])
    if how == "isolated":
        assert prefix.startswith(os.environ["SATCHEL_CACHE_DIR"]) and "build-envs" in prefix
    else:
        assert os.path.samefile(prefix, env)


def test_check_build_dependencies_without_isolation(env: Path, tmp_path: Path) -> None:
    project = make_project(tmp_path, "needs-tool", build_requires=("some-build-tool>=2",))
    before = snapshot(env)
    result = install(env, "--no-build-isolation", "--check-build-dependencies", str(project))
    assert result.returncode == 1 and "some-build-tool>=2" in result.stderr and "missing" in result.stderr, result
    assert snapshot(env) == before


def test_metadata_of_several_projects_is_prepared_in_parallel(env: Path, tmp_path: Path) -> None:
    one, two = make_project(tmp_path, "par-one"), make_project(tmp_path, "par-two")
    result = install(env, str(one), str(two), environ={**os.environ, "RECORDING_BACKEND_SLEEP": "1.5"})
    assert result.returncode == 0, result
    first, second = (next(c for c in calls(p) if c["hook"] == "prepare_metadata_for_build_wheel") for p in (one, two))
    assert first["started"] < second["ended"] and second["started"] < first["ended"], "the two hooks overlapped"


def test_verbose_shows_the_backends_output(env: Path, tmp_path: Path) -> None:
    project = make_project(tmp_path, "loud-proj")
    (project / "recording_backend.py").write_text(
        (project / "recording_backend.py").read_text().replace(
            "def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):\n",
            "def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):\n"
            "    print('BACKEND SAYS HELLO', flush=True)\n"
            "    __import__('warnings').warn('BACKEND WARNS')\n",
        )
    )
    quiet = install(env, str(project))
    assert quiet.returncode == 0, quiet
    assert "BACKEND SAYS HELLO" not in quiet.stderr + quiet.stdout and "BACKEND WARNS" not in quiet.stderr, quiet
    loud = install(env, "-v", str(project))
    assert loud.returncode == 0 and "BACKEND SAYS HELLO" in loud.stderr and "BACKEND WARNS" in loud.stderr, loud


def test_config_settings_of_a_named_requirement_line(env: Path, tmp_path: Path) -> None:
    """`name --config-settings k=v` in a requirements file reaches the build of that project's
    sdist from the index (and only that one's)."""
    import tarfile

    links = tmp_path / "links"
    links.mkdir()
    projects = {}
    for name in ("named-one", "named-two"):
        projects[name] = make_project(tmp_path / "src", name, static=True)
        with tarfile.open(links / f"{name.replace('-', '_')}-1.0.tar.gz", "w:gz") as archive:
            archive.add(projects[name], arcname=f"{name.replace('-', '_')}-1.0")
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("named-one --config-settings k=line\nnamed-two\n")
    log = tmp_path / "calls.jsonl"
    result = install(env, "-f", str(links), "-C", "g=global", "-r", str(reqs),
                     environ={**os.environ, "RECORDING_BACKEND_LOG": str(log)})  # fmt: skip
    assert result.returncode == 0, result
    builds = {c["project"]: c["config"] for c in calls(tmp_path) if c["hook"] == "build_wheel"}
    assert builds == {"named-one": {"g": "global", "k": "line"}, "named-two": {"g": "global"}}


def test_a_bad_git_rev_among_several_requests_is_reported_clearly(env: Path, tmp_path: Path) -> None:
    """Metadata of several requests is prepared in parallel first; a failure there must reach
    the user as the same clear error, not as a follow-on failure."""
    repo = make_project(tmp_path, "rev-proj")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "one")
    other = make_project(tmp_path, "fine-proj")
    before = snapshot(env)
    result = install(env, str(other), f"rev-proj @ git+{repo.as_uri()}@no-such-rev")
    assert result.returncode == 2, result
    assert "no-such-rev" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(env) == before


def test_build_requirements_of_a_declarative_project_are_remembered(env: Path, tmp_path: Path) -> None:
    """A warm `install -e .` asks the backend only to build: its get_requires answer is kept
    until a file at the project's top level changes (not for edits to the sources below it)."""
    project = make_project(tmp_path, "remember-proj", static=True)
    (project / "src").mkdir()
    (project / "src" / "module.py").write_text("VALUE = 1\n")

    def hooks() -> list[object]:
        return [c["hook"] for c in calls(project)]

    assert install(env, "-e", str(project)).returncode == 0
    assert hooks() == ["get_requires_for_build_editable", "build_editable"]
    (project / "calls.jsonl").unlink()
    (project / "src" / "module.py").write_text("VALUE = 'edited'\n")  # a source edit: still remembered
    assert install(env, "-e", str(project)).returncode == 0
    assert hooks() == ["build_editable"]
    (project / "calls.jsonl").unlink()
    time_ns = os.stat(project / "pyproject.toml").st_mtime_ns + 10**9
    (project / "pyproject.toml").write_text((project / "pyproject.toml").read_text() + "\n")
    os.utime(project / "pyproject.toml", ns=(time_ns, time_ns))
    assert install(env, "-e", str(project)).returncode == 0
    assert hooks() == ["get_requires_for_build_editable", "build_editable"], "its configuration changed"


def test_build_requirements_of_a_setup_py_project_are_always_asked(env: Path, tmp_path: Path) -> None:
    project = make_project(tmp_path, "setup-py-proj", static=True)
    (project / "setup.py").write_text("raise SystemExit('never run: the recording backend builds')\n")
    for _ in range(2):
        assert install(env, "-e", str(project)).returncode == 0
    assert [c["hook"] for c in calls(project)].count("get_requires_for_build_editable") == 2
