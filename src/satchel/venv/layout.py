"""What an environment looks like, decided before anything is written.

`plan_layout(info, env_dir, options)` returns a VenvLayout: the directories, the interpreter
links, pyvenv.cfg's text and the prompt, exactly as `python -m venv` of that interpreter
would make them (keys and order of pyvenv.cfg follow the interpreter's version). Pure: no I/O
but `os.getcwd()` for `--prompt .`.
"""

from __future__ import annotations

import os
TYPE_CHECKING = False

if TYPE_CHECKING:
    from satchel.interpreters.info import InterpreterInfo

__all__ = ["VenvLayout", "VenvOptions", "plan_layout"]


class VenvOptions:
    """The options of `python -m venv`, plus satchel's."""

    __slots__ = (
        "clear",
        "prompt",
        "scm_ignore_files",
        "symlinks",
        "system_site_packages",
        "upgrade",
        "upgrade_deps",
        "with_pip",
    )

    def __init__(
        self,
        *,
        system_site_packages: bool = False,
        symlinks: bool = True,
        with_pip: bool = True,
        prompt: str | None = None,
        clear: bool = False,
        upgrade: bool = False,
        upgrade_deps: bool = False,
        scm_ignore_files: bool = True,
    ) -> None:
        self.system_site_packages = system_site_packages
        self.symlinks = symlinks
        self.with_pip = with_pip
        self.prompt = prompt
        self.clear = clear
        self.upgrade = upgrade
        self.upgrade_deps = upgrade_deps
        self.scm_ignore_files = scm_ignore_files


class Link:
    """One interpreter entry in the scripts dir: `name` pointing at `target`.

    `target` is absolute for the link to the base interpreter and a sibling name otherwise;
    with --copies the target's file is copied instead.
    """

    __slots__ = ("name", "target")

    def __init__(self, name: str, target: str) -> None:
        self.name = name
        self.target = target

    def __repr__(self) -> str:
        return f"Link({self.name!r} -> {self.target!r})"


class VenvLayout:
    """Everything `create` needs to make the environment; paths relative to env_dir."""

    __slots__ = (
        "bin_dir",
        "cfg_text",
        "copies",
        "env_dir",
        "gitignore",
        "include_dir",
        "lib64_link",
        "links",
        "platlib",
        "prompt",
        "purelib",
        "python_name",
        "windows",
    )

    def __init__(self, **values: object) -> None:
        for name in self.__slots__:
            setattr(self, name, values[name])

    env_dir: str
    bin_dir: str
    include_dir: str
    purelib: str
    platlib: str
    lib64_link: bool
    links: list[Link]
    copies: bool
    python_name: str
    cfg_text: str
    prompt: str
    gitignore: bool
    windows: bool

    def scheme(self, root: str | None = None) -> dict[str, str]:
        """Absolute install paths (purelib, platlib, scripts, headers base, data) under `root`."""
        base = root or self.env_dir
        return {
            "purelib": os.path.join(base, self.purelib),
            "platlib": os.path.join(base, self.platlib),
            "scripts": os.path.join(base, self.bin_dir),
            "headers": os.path.join(base, self.include_dir, "site"),
            "data": base,
        }

    @property
    def python_path(self) -> str:
        """The environment's interpreter, as scripts' shebangs name it."""
        return os.path.join(self.env_dir, self.bin_dir, self.python_name)


GITIGNORE_TEXT = "# Created by venv; see https://docs.python.org/3/library/venv.html\n*\n"


def _prompt(options: VenvOptions, env_dir: str) -> tuple[str, str | None]:
    """(prompt shown, prompt written to pyvenv.cfg or None)."""
    if options.prompt is None:
        return os.path.basename(env_dir), None
    if options.prompt == ".":
        name = os.path.basename(os.getcwd())
        return name, name
    return options.prompt, options.prompt


def _links(info: InterpreterInfo) -> tuple[str, list[Link]]:
    base = info.base_executable
    if info.is_windows:
        name = "python.exe"
        return name, [Link(name, base), Link("pythonw.exe", os.path.join(os.path.dirname(base), "pythonw.exe"))]
    exe_name = os.path.basename(base)
    links = [Link(exe_name, base)]
    major, minor, _ = info.version
    for alias in ("python", f"python{major}", f"python{major}.{minor}"):
        if alias != exe_name:
            links.append(Link(alias, exe_name))
    return exe_name, links


def _cfg_text(
    info: InterpreterInfo, env_dir: str, options: VenvOptions, cfg_prompt: str | None
) -> str:
    lines = [
        f"home = {os.path.dirname(os.path.abspath(info.base_executable))}",
        f"include-system-site-packages = {'true' if options.system_site_packages else 'false'}",
        f"version = {info.version_str}",
    ]
    if cfg_prompt is not None:
        lines.append(f"prompt = {cfg_prompt!r}")
    if info.version >= (3, 11):
        lines.append(f"executable = {os.path.realpath(info.executable)}")
        lines.append(f"command = {info.executable} -m venv {' '.join(_venv_args(info, env_dir, options))}")
    return "\n".join(lines) + "\n"


def _venv_args(info: InterpreterInfo, env_dir: str, options: VenvOptions) -> list[str]:
    """The `python -m venv` arguments that make this environment (pyvenv.cfg's `command`)."""
    args = []
    if info.is_windows and options.symlinks:
        args.append("--symlinks")
    if not info.is_windows and not options.symlinks:
        args.append("--copies")
    flags = [
        (not options.with_pip, "--without-pip"),
        (options.system_site_packages, "--system-site-packages"),
        (options.clear, "--clear"),
        (options.upgrade, "--upgrade"),
        (options.upgrade_deps, "--upgrade-deps"),
    ]
    args.extend(flag for wanted, flag in flags if wanted)
    if options.prompt is not None:
        args.append(f'--prompt="{options.prompt}"')
    if info.version >= (3, 13) and not options.scm_ignore_files:
        args.append("--without-scm-ignore-files")
    args.append(env_dir)
    return args


def plan_layout(info: InterpreterInfo, env_dir: str, options: VenvOptions) -> VenvLayout:
    """The environment `python -m venv env_dir` would make with `info`'s interpreter."""
    env_dir = os.path.abspath(env_dir)
    paths = info.venv_paths
    python_name, links = _links(info)
    prompt, cfg_prompt = _prompt(options, env_dir)
    return VenvLayout(
        env_dir=env_dir,
        bin_dir=paths["scripts"],
        include_dir=paths["include"],
        purelib=paths["purelib"],
        platlib=paths["platlib"],
        lib64_link=info.is_64bit and not info.is_windows and info.sys_platform != "darwin",
        links=links,
        copies=not options.symlinks,
        python_name=python_name,
        cfg_text=_cfg_text(info, env_dir, options, cfg_prompt),
        prompt=prompt,
        gitignore=info.version >= (3, 13) and options.scm_ignore_files,
        windows=info.is_windows,
    )
