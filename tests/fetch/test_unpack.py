"""Unpacking wheels into the cache: checked before anything can be installed from them, and
installed so that the result is what pip makes (RECORD, INSTALLER, REQUESTED, scripts)."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import own_cache
from satchel.errors import WheelError
from satchel.fetch.unpack import unpacked
from satchel.install.link import install_unpacked
from satchel.install.record import scripts_for_target, shebang


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def make_wheel(
    directory: Path,
    name: str = "demo",
    version: str = "1.0",
    files: dict[str, bytes] | None = None,
    entry_points: str | None = None,
    tamper: dict[str, bytes] | None = None,
    extra_members: dict[str, bytes] | None = None,
) -> Path:
    """A wheel built here, byte by byte; `tamper` replaces contents after RECORD is written."""
    dist_info = f"{name}-{version}.dist-info"
    contents = dict(files or {f"{name}/__init__.py": b"VALUE = 1\n"})
    contents[f"{dist_info}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()
    contents[f"{dist_info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    if entry_points:
        contents[f"{dist_info}/entry_points.txt"] = entry_points.encode()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for path, data in contents.items():
        writer.writerow([path, record_hash(data), len(data)])
    writer.writerow([f"{dist_info}/RECORD", "", ""])
    contents[f"{dist_info}/RECORD"] = buffer.getvalue().encode()
    contents.update(tamper or {})
    contents.update(extra_members or {})
    path = directory / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in contents.items():
            archive.writestr(member, data)
    return path


def scheme_for(root: Path) -> dict[str, str]:
    site = root / "lib" / "site-packages"
    bin_dir = root / "bin"
    site.mkdir(parents=True)
    bin_dir.mkdir()
    return {"purelib": str(site), "platlib": str(site), "scripts": str(bin_dir), "headers": str(root / "include"), "data": str(root)}


def test_unpack_then_install_writes_what_pip_writes(tmp_path: Path) -> None:
    wheel = make_wheel(
        tmp_path,
        files={"demo/__init__.py": b"def main():\n    print('hi')\n", "demo/data.txt": b"x"},
        entry_points="[console_scripts]\ndemo-cli = demo:main\n",
    )
    first = unpacked(own_cache(), str(wheel))
    assert unpacked(own_cache(), str(wheel)).root == first.root  # second time: the cached tree
    scheme = scheme_for(tmp_path / "env")
    python = "/opt/some python/bin/python3"
    written = install_unpacked(first, scheme, python=python, python_version=(3, 12, 1))
    site = Path(scheme["purelib"])
    assert (site / "demo" / "data.txt").read_bytes() == b"x"
    assert os.stat(site / "demo" / "data.txt").st_ino == os.stat(Path(first.files_dir) / "demo" / "data.txt").st_ino
    script = Path(scheme["scripts"]) / "demo-cli"
    assert script.read_text().startswith(shebang(python)) and os.access(script, os.X_OK)
    dist_info = site / "demo-1.0.dist-info"
    assert (dist_info / "INSTALLER").read_text() == "satchel\n"
    assert (dist_info / "REQUESTED").exists()
    rows = {row[0]: row for row in csv.reader((dist_info / "RECORD").read_text().splitlines())}
    assert set(rows) == {
        "demo/__init__.py", "demo/data.txt", "../../bin/demo-cli", "demo-1.0.dist-info/METADATA",
        "demo-1.0.dist-info/WHEEL", "demo-1.0.dist-info/entry_points.txt", "demo-1.0.dist-info/INSTALLER",
        "demo-1.0.dist-info/REQUESTED", "demo-1.0.dist-info/RECORD",
    }
    assert rows["../../bin/demo-cli"][1] == record_hash(script.read_bytes())
    assert len(written) == len(rows)


def test_a_script_with_spaces_in_the_interpreter_path_runs(tmp_path: Path) -> None:
    env = tmp_path / "my env"
    subprocess.run(["python3", "-m", "venv", "--without-pip", str(env)], check=True)
    wheel = make_wheel(tmp_path, entry_points="[console_scripts]\ndemo-cli = demo:main\n",
                       files={"demo/__init__.py": b"def main():\n    print('ran demo')\n"})
    site = next(env.glob("lib/python3.*/site-packages"))
    scheme = {"purelib": str(site), "platlib": str(site), "scripts": str(env / "bin"), "headers": "", "data": str(env)}
    install_unpacked(unpacked(own_cache(), str(wheel)), scheme, python=str(env / "bin" / "python"), python_version=(3, 11, 0))
    out = subprocess.run([str(env / "bin" / "demo-cli")], capture_output=True, text=True)
    assert out.stdout == "ran demo\n", out.stderr


@pytest.mark.parametrize(
    "extra,problem",
    [
        ({"../evil.py": b"x"}, "outside"),
        ({"/abs/evil.py": b"x"}, "outside"),
        ({"demo/../../evil.py": b"x"}, "outside"),
    ],
)
def test_unsafe_member_names_are_refused(tmp_path: Path, extra: dict[str, bytes], problem: str) -> None:
    wheel = make_wheel(tmp_path, extra_members=extra)
    with pytest.raises(WheelError, match=problem):
        unpacked(own_cache(), str(wheel))


def test_symlink_member_is_refused(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path)
    with zipfile.ZipFile(wheel, "a") as archive:
        info = zipfile.ZipInfo("demo/link")
        info.external_attr = (0o120777 << 16)
        archive.writestr(info, "/etc/passwd")
    with pytest.raises(WheelError, match="link"):
        unpacked(own_cache(), str(wheel))


def test_content_not_matching_record_is_refused(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, tamper={"demo/__init__.py": b"import os; os.system('oops')\n"})
    with pytest.raises(WheelError, match="does not match its RECORD"):
        unpacked(own_cache(), str(wheel))


def test_file_missing_from_record_is_refused(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, extra_members={"demo/sneaky.py": b"x"})
    with pytest.raises(WheelError, match="not listed in RECORD"):
        unpacked(own_cache(), str(wheel))


def test_not_a_zip(tmp_path: Path) -> None:
    bogus = tmp_path / "demo-1.0-py3-none-any.whl"
    bogus.write_bytes(b"this is not a zip file")
    with pytest.raises(WheelError, match="not a valid wheel"):
        unpacked(own_cache(), str(bogus))


def test_a_failed_unpack_leaves_nothing_in_the_cache(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, tamper={"demo/__init__.py": b"changed\n"})
    with pytest.raises(WheelError):
        unpacked(own_cache(), str(wheel))
    cache = Path(os.environ["SATCHEL_CACHE_DIR"]) / "wheels-v1"
    assert not [p for p in cache.glob("*/*") if ".tmp-" in p.name]  # no staging tree left
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert not (cache / digest[:2] / digest).exists()


def test_versioned_pip_scripts_follow_the_target() -> None:
    scripts = [["pip", "console", "A"], ["pip3", "console", "A"], ["pip3.8", "console", "A"], ["other", "console", "B"]]
    names = [name for name, _ in scripts_for_target("pip", scripts, (3, 12, 1))]
    assert names == ["pip", "pip3", "pip3.12", "other"]
    # only pip's own scripts are renamed
    assert [n for n, _ in scripts_for_target("demo", scripts, (3, 12, 1))] == ["other", "pip", "pip3", "pip3.8"]


def test_long_or_spaced_interpreter_gets_the_sh_trampoline() -> None:
    assert shebang("/usr/bin/python3") == "#!/usr/bin/python3\n"
    assert shebang("/a b/python").startswith("#!/bin/sh\n")
    assert shebang("/" + "x" * 200 + "/python").startswith("#!/bin/sh\n")
