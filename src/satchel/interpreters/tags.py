"""The wheel tags a target interpreter accepts, most preferred first, computed from the probe's
answer alone (never from the host's `sys`: packaging.tags' defaults describe the Python that
runs satchel, not the environment being installed into).

Platforms:
- glibc Linux: manylinux_2_{N}_{arch} from the target's glibc down to 2.17 (2.5 on x86),
  with the legacy aliases manylinux2014 (2.17), manylinux2010 (2.12), manylinux1 (2.5)
  right after their equivalents, then linux_{arch};
- musl Linux: musllinux_1_{N}_{arch} down to 1.0, then linux_{arch};
- macOS: packaging's macosx_{X}_{Y}_{arch} series for the target's version and arch;
- Windows and others: sysconfig's platform with - and . as _.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from packaging.tags import Tag

    from satchel.interpreters.info import InterpreterInfo

__all__ = ["linux_platforms", "supported_tags"]

_LEGACY_MANYLINUX = {(2, 17): "manylinux2014", (2, 12): "manylinux2010", (2, 5): "manylinux1"}
_LEGACY_ARCHS = {
    "manylinux2014": {"x86_64", "i686", "aarch64", "armv7l", "ppc64", "ppc64le", "s390x"},
    "manylinux2010": {"x86_64", "i686"},
    "manylinux1": {"x86_64", "i686"},
}
# glibc 2.x minors to count down from when the target runs glibc 3+ (never happened yet)
_LAST_GLIBC2_MINOR = 99


def _arch(platform_tag: str, is_64bit: bool) -> str:
    arch = platform_tag.split("-", 1)[1] if "-" in platform_tag else platform_tag
    arch = arch.replace("-", "_").replace(".", "_")
    if not is_64bit:  # a 32-bit interpreter on a 64-bit kernel
        arch = {"x86_64": "i686", "aarch64": "armv8l"}.get(arch, arch)
    return arch


def linux_platforms(arch: str, libc: tuple[str, str] | None) -> list[str]:
    """Platform tags for a Linux interpreter on `arch` with `libc` (("glibc", "2.36"))."""
    platforms: list[str] = []
    if libc is not None and libc[0] == "glibc":
        major, minor = (int(part) for part in libc[1].split(".")[:2])
        oldest = 5 if arch in ("x86_64", "i686") else 17
        for glibc_major in range(major, 1, -1):
            top = minor if glibc_major == major else _LAST_GLIBC2_MINOR
            bottom = oldest if glibc_major == 2 else 0
            for glibc_minor in range(top, bottom - 1, -1):
                platforms.append(f"manylinux_{glibc_major}_{glibc_minor}_{arch}")
                legacy = _LEGACY_MANYLINUX.get((glibc_major, glibc_minor))
                if legacy and arch in _LEGACY_ARCHS[legacy]:
                    platforms.append(f"{legacy}_{arch}")
    elif libc is not None and libc[0] == "musl":
        major, minor = (int(part) for part in libc[1].split(".")[:2])
        platforms += [f"musllinux_{major}_{m}_{arch}" for m in range(minor, -1, -1)]
    platforms.append(f"linux_{arch}")
    return platforms


def _platforms(info: InterpreterInfo) -> list[str]:
    raw = info.raw
    platform_tag = str(raw["platform_tag"])
    if info.sys_platform.startswith("linux"):
        libc = raw.get("libc")
        return linux_platforms(_arch(platform_tag, info.is_64bit), tuple(libc) if libc else None)
    if info.sys_platform == "darwin" and raw.get("mac_version"):
        from packaging.tags import mac_platforms

        major, minor = (int(part) for part in str(raw["mac_version"]).split(".")[:2])
        arch = platform_tag.rsplit("-", 1)[-1]
        return list(mac_platforms((major, minor), arch))
    return [platform_tag.replace("-", "_").replace(".", "_")]


def _cpython_abi(info: InterpreterInfo) -> str:
    soabi = info.raw.get("soabi") or ""
    if soabi.startswith("cpython-"):
        return "cp" + soabi.split("-")[1]  # "cpython-313t-x86_64-linux-gnu" -> cp313t
    major, minor, _ = info.version
    return f"cp{major}{minor}" + ("d" if info.raw.get("py_debug") else "") + ("t" if info.raw.get("gil_disabled") else "")


def supported_tags(info: InterpreterInfo) -> list[Tag]:
    """Every tag a wheel may carry to install into `info`'s interpreter, best first."""
    from packaging.tags import compatible_tags, cpython_tags, generic_tags

    major, minor, _ = info.version
    platforms = _platforms(info)
    if info.implementation == "cpython":
        tags = list(cpython_tags((major, minor), [_cpython_abi(info)], platforms))
        interpreter = f"cp{major}{minor}"
    else:
        short = {"pypy": "pp"}.get(info.implementation, info.implementation)
        soabi = str(info.raw.get("soabi") or "").replace("-", "_").replace(".", "_")
        interpreter = f"{short}{major}{minor}"
        tags = list(generic_tags(interpreter, [soabi] if soabi else [], platforms))
    tags += list(compatible_tags((major, minor), interpreter, platforms))
    return tags
