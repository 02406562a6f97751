# Run *inside* a target interpreter (never imported by satchel): prints one JSON object that
# describes it. Standard library only, and written so that any Python parses it (no f-strings,
# no annotations), so that an interpreter too old for satchel still answers with its version.
import json
import os
import platform
import sys
import sysconfig

PROBE_VERSION = 4
BASE = "/__satchel_base__" if os.name != "nt" else "C:\\__satchel_base__"


def venv_paths():
    """Where `python -m venv` of this interpreter puts things, relative to the env dir."""
    names = ("scripts", "include", "purelib", "platlib", "data")
    if "venv" in sysconfig.get_scheme_names():
        scheme = "venv"
    else:
        scheme = "nt" if os.name == "nt" else "posix_prefix"
    base_vars = {"base": BASE, "platbase": BASE, "installed_base": BASE, "installed_platbase": BASE}
    paths = {}
    for name in names:
        path = sysconfig.get_path(name, scheme=scheme, vars=base_vars)
        paths[name] = os.path.relpath(path, BASE)
    if scheme != "venv":
        # What venv did before the "venv" sysconfig scheme existed (Python < 3.11).
        if os.name == "nt":
            paths["scripts"], paths["include"] = "Scripts", "Include"
            paths["purelib"] = paths["platlib"] = os.path.join("Lib", "site-packages")
        else:
            lib = os.path.join("lib", "python%d.%d" % sys.version_info[:2], "site-packages")
            paths["scripts"], paths["include"] = "bin", "include"
            paths["purelib"] = paths["platlib"] = lib
    return paths


def ensurepip_wheels():
    """The wheels `python -m ensurepip` would install: [[project, version, path], ...]."""
    try:
        import ensurepip
    except ImportError:
        return []
    bundled = os.path.join(os.path.dirname(ensurepip.__file__), "_bundled")
    found = []
    if hasattr(ensurepip, "_get_packages"):
        for name, package in sorted(ensurepip._get_packages().items()):
            path = package.wheel_path or os.path.join(bundled, package.wheel_name)
            found.append([name, package.version, path])
    elif hasattr(ensurepip, "_PROJECTS"):
        for name, version, py_tag in ensurepip._PROJECTS:
            wheel = "%s-%s-%s-none-any.whl" % (name, version, py_tag)
            found.append([name, version, os.path.join(bundled, wheel)])
    elif hasattr(ensurepip, "_get_pip_whl_path_ctx"):
        with ensurepip._get_pip_whl_path_ctx() as path:
            found.append(["pip", ensurepip._PIP_VERSION, str(path)])
    return [entry for entry in found if os.path.isfile(entry[2])]


def marker_environment():
    impl = sys.implementation
    info = impl.version
    impl_version = "%d.%d.%d" % (info.major, info.minor, info.micro)
    if info.releaselevel != "final":
        impl_version += info.releaselevel[0] + str(info.serial)
    return {
        "implementation_name": impl.name,
        "implementation_version": impl_version,
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_python_implementation": platform.python_implementation(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    }


def search_path():
    """sys.path as the interpreter sees it when run normally, without this script's directory."""
    here = os.path.dirname(os.path.abspath(__file__))
    return [p for p in sys.path if p and os.path.abspath(p) != here]


def user_site():
    import site

    if getattr(site, "ENABLE_USER_SITE", False) and hasattr(site, "getusersitepackages"):
        return site.getusersitepackages()
    return None


def libc():
    """["glibc", "2.36"], ["musl", "1.2"] or None: what manylinux/musllinux wheels can use."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        found = os.confstr("CS_GNU_LIBC_VERSION")  # "glibc 2.36"
    except (AttributeError, OSError, ValueError):
        found = None
    if found:
        parts = found.split()
        if len(parts) == 2:
            return ["glibc", parts[1]]
    import glob
    import subprocess

    for loader in sorted(glob.glob("/lib/ld-musl-*.so.1")):
        try:
            proc = subprocess.Popen([loader], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            err = proc.communicate()[1].decode("utf-8", "replace")
        except OSError:
            continue
        for line in err.splitlines():
            if line.startswith("Version "):
                return ["musl", line.split()[1]]
    return None


def main():
    base_executable = getattr(sys, "_base_executable", None) or sys.executable
    info = {
        "probe_version": PROBE_VERSION,
        "executable": sys.executable,
        "base_executable": base_executable,
        "version_info": list(sys.version_info[:3]) + [sys.version_info[3], sys.version_info[4]],
        "implementation": sys.implementation.name,
        "prefix": sys.prefix,
        "base_prefix": getattr(sys, "base_prefix", sys.prefix),
        "os_name": os.name,
        "sys_platform": sys.platform,
        "is_64bit": sys.maxsize > 2 ** 32,
        "sys_path": search_path(),
        "user_site": user_site(),
        "venv_paths": venv_paths(),
        "paths": dict((k, v) for k, v in sysconfig.get_paths().items() if k in ("purelib", "platlib", "scripts", "data", "include")),
        "ensurepip": ensurepip_wheels(),
        "markers": marker_environment(),
        "platform_tag": sysconfig.get_platform(),
        "soabi": sysconfig.get_config_var("SOABI"),
        "ext_suffix": sysconfig.get_config_var("EXT_SUFFIX"),
        "gil_disabled": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "py_debug": hasattr(sys, "gettotalrefcount"),
        "libc": libc(),
        "mac_version": platform.mac_ver()[0] if sys.platform == "darwin" else None,
    }
    sys.stdout.write(json.dumps(info))


if __name__ == "__main__":
    if sys.version_info[:2] < (3, 8):
        sys.stdout.write(json.dumps({"too_old": ".".join(map(str, sys.version_info[:3])),
                                     "executable": sys.executable}))
    else:
        main()
