"""Build the standalone `trigger-lsp` for this machine: no Python needed where it runs.

    python packaging/build_binary.py      # -> dist/binary/trigger-lsp/trigger-lsp, an archive

PyInstaller, one-folder mode: the program, the Python runtime, the compiled tree-sitter grammars
and the references/*.md in one folder (dist/binary/trigger-lsp/), with the executable at its top.
One-folder rather than one-file: a one-file build unpacks itself into a temporary folder on
every start (slower start-up for every editor session and CLI run, and it fails where /tmp is
mounted noexec); Nuitka compiles to C, which takes many minutes per platform in CI for no gain in
this server's start-up (it is dominated by imports and loading the references, not by bytecode).
The modules are kept as plain .pyc files (noarchive, which only changes the layout), and two
runtime hooks that only cost start-up are left out: see packaging/trigger-lsp.spec and, for the
measurements, docs/distribution.md (bench/bench_binary.py).

The build runs in the Python that runs this script (a venv with trigger-lsp installed, as the
README's set-up makes); PyInstaller is installed into it when missing (the version pinned by the
`binary` extra in pyproject.toml).
After the build it runs the binary once (`--version`, `rules`, `check examples`) with a PATH that
has no Python, so a broken bundle fails here and not on a user's machine. It also writes
dist/trigger-lsp-<version>-<platform>.tar.gz (.zip on Windows): the folder as a release asset.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import subprocess
import sys
import tarfile
import time
import tomllib
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NAME = "trigger-lsp"


def platform_key() -> str:
    """The Node.js spelling of this platform (process.platform-process.arch): linux-x64, ..."""
    system = sys.platform  # linux, darwin, win32: the same words as Node's
    machine = platform.machine().lower()
    arches = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}
    arch = arches.get(machine, machine)
    return f"{system}-{arch}"


def executable(folder: Path) -> Path:
    return folder / (f"{NAME}.exe" if sys.platform == "win32" else NAME)


def version() -> str:
    from trigger_lsp import __version__

    return __version__


def ensure_pyinstaller() -> None:
    if importlib.util.find_spec("PyInstaller") is None:
        project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
        pins = project["optional-dependencies"]["binary"]
        print(f"installing {' '.join(pins)} into {sys.prefix}")
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *pins], check=True)


def build(out: Path, work: Path) -> Path:
    """Run PyInstaller on packaging/trigger-lsp.spec; returns the one-folder app."""
    from PyInstaller.__main__ import run

    spec = REPO / "packaging" / "trigger-lsp.spec"
    args = ["--noconfirm", "--clean", "--log-level", "WARN"]
    run([str(spec), *args, "--distpath", str(out), "--workpath", str(work)])
    return out / NAME


def smoke(app: Path) -> None:
    """Run the built program with no Python on PATH: it must not need one."""
    exe = executable(app)
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join(
        d
        for d in env.get("PATH", "").split(os.pathsep)
        if d and not any((Path(d) / n).exists() for n in ("python", "python3", "python.exe"))
    )
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    runs = ((["--version"], {0}), (["rules"], {0}), (["check", str(REPO / "examples")], {1}))
    for args, ok in runs:
        done = subprocess.run([str(exe), *args], env=env, capture_output=True, text=True)
        if done.returncode not in ok:
            sys.exit(
                f"smoke test failed: {exe.name} {' '.join(args)} exited {done.returncode}\n"
                f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
            )
        said = f"exit {done.returncode}, {len(done.stdout)} bytes out"
        print(f"  {exe.name} {' '.join(args)}: {said}")


def archive(app: Path, dest: Path) -> Path:
    if sys.platform == "win32":
        target = dest.with_suffix(".zip")
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
            for f in sorted(app.rglob("*")):
                z.write(f, Path(NAME) / f.relative_to(app))
        return target
    target = dest.with_suffix(".tar.gz")
    with tarfile.open(target, "w:gz") as t:
        t.add(app, arcname=NAME)
    return target


def size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "dist" / "binary", help="output folder")
    parser.add_argument("--no-archive", action="store_true", help="skip the .tar.gz / .zip")
    parser.add_argument("--no-smoke", action="store_true", help="skip running the result")
    opts = parser.parse_args()
    ensure_pyinstaller()
    start = time.monotonic()
    app = build(opts.out.resolve(), REPO / "build" / "pyinstaller")
    print(f"built {executable(app)} in {time.monotonic() - start:.0f}s: {size(app) / 1e6:.1f} MB")
    if not opts.no_smoke:
        smoke(app)
    if not opts.no_archive:
        name = f"{NAME}-{version()}-{platform_key()}"
        packed = archive(app, opts.out.resolve().parent / f"{name}.tar")
        print(f"archive {packed}: {size(packed) / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
