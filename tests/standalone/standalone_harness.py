"""What the tests of the standalone artifacts share: where packaging/ puts them, a PATH with no
Python on it, and the rule that they skip when the artifacts are not built unless
TRIGGER_LSP_REQUIRE_DIST=1 (set by .ci/run after building them), which turns the skip into a
failure."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
DIST = Path(os.environ.get("TRIGGER_LSP_DIST", REPO / "dist"))
BINARY_DIR = DIST / "binary" / "trigger-lsp"
BINARY = BINARY_DIR / "trigger-lsp"
NPM = DIST / "npm"
PLATFORM = "linux-x64"
BUILD_HINT = (
    "build them with: python packaging/build_binary.py && python packaging/npm/build_npm.py"
    " && bash vscode-client/scripts/package.sh --target linux-x64"
)
# What a user's shell needs to run npm and npx: nothing that is, or finds, a Python.
NODE_TOOLS = ("node", "npm", "npx", "sh")


def dist_required() -> bool:
    return os.environ.get("TRIGGER_LSP_REQUIRE_DIST") == "1"


def missing(what: str) -> None:
    message = f"{what} is not built ({BUILD_HINT})"
    if dist_required():
        pytest.fail(f"{message}; TRIGGER_LSP_REQUIRE_DIST=1 requires it")
    pytest.skip(message)


def on_this_platform() -> None:
    if sys.platform != "linux" or platform.machine() not in ("x86_64", "AMD64"):
        pytest.skip(f"the artifacts built here are for {PLATFORM}")


def binary() -> Path:
    on_this_platform()
    if not BINARY.exists():
        missing(f"the standalone binary {BINARY}")
    return BINARY


def tarball(name: str) -> Path:
    on_this_platform()
    found = sorted(NPM.glob(f"{name}-[0-9]*.tgz"))
    if not found:
        missing(f"the npm package {NPM}/{name}-<version>.tgz")
    return found[-1]


def no_python_env(base: Path) -> dict[str, str]:
    """The environment with PATH = one folder holding only node, npm, npx and sh (links), HOME
    and npm's cache under `base`, and no variable that points at a Python."""
    bin_dir = base / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for tool in NODE_TOOLS:
        found = shutil.which(tool)
        if not found:
            pytest.fail(f"{tool} is not on PATH")
        link = bin_dir / tool
        if not link.exists():
            link.symlink_to(found)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "VIRTUAL_ENV", "CONDA", "PYENV", "PIP_", "npm_"))
    }
    home = base / "home"
    home.mkdir(exist_ok=True)
    env.update(
        PATH=str(bin_dir),
        HOME=str(home),
        npm_config_cache=str(base / "npm-cache"),
        npm_config_update_notifier="false",
        npm_config_fund="false",
        npm_config_audit="false",
    )
    env.pop("TRIGGER_LSP_BINARY", None)
    return env


def has_python(env: dict[str, str]) -> str:
    """What `command -v` finds for any Python name on env's PATH ('' when none)."""
    done = subprocess.run(
        ["/bin/sh", "-c", "command -v python3 || command -v python || command -v python3.11"],
        env=env,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip() if done.returncode == 0 else ""


def python_check(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The Python install's `trigger-lsp check` (the reference the artifacts must match)."""
    return subprocess.run(
        [sys.executable, "-m", "trigger_lsp", "check", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def fresh_examples(base: Path) -> Path:
    ws = base / "examples"
    shutil.copytree(EXAMPLES, ws, ignore=shutil.ignore_patterns("node_modules", ".trigger"))
    return ws
