"""Make the npm packages from a built binary and pack them into tarballs.

    python packaging/npm/build_npm.py       # after packaging/build_binary.py

Writes dist/npm/trigger-lsp-<version>.tgz (the launcher; optionalDependencies on every platform
package) and dist/npm/trigger-lsp-<platform>-<version>.tgz (this platform's binary, with `os` and
`cpu` so npm installs only the matching one), the way esbuild and Biome ship theirs. Another
platform's package is built on that platform (.github/workflows/release.yml); `--launcher-only`
packs just the launcher, `--platform-only` just the binary's package.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))
from build_binary import NAME, executable, platform_key, size  # noqa: E402

# Kept in step with PLATFORMS in trigger-lsp/lib/binary.js: platform key -> (os, cpu).
PLATFORMS = {
    "linux-x64": ("linux", "x64"),
    "linux-arm64": ("linux", "arm64"),
    "darwin-x64": ("darwin", "x64"),
    "darwin-arm64": ("darwin", "arm64"),
    "win32-x64": ("win32", "x64"),
}


def version() -> str:
    text = (REPO / "server" / "trigger_lsp" / "__init__.py").read_text()
    found = re.search(r'^__version__ = "([^"]+)"', text, re.M)
    if not found:
        sys.exit("no __version__ in server/trigger_lsp/__init__.py")
    return found.group(1)


def launcher(out: Path, ver: str) -> Path:
    dest = out / NAME
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(HERE / NAME, dest)
    manifest = json.loads((dest / "package.json").read_text())
    manifest["version"] = ver
    manifest["optionalDependencies"] = {f"{NAME}-{key}": ver for key in PLATFORMS}
    (dest / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return dest


def platform_package(out: Path, ver: str, key: str, binary: Path) -> Path:
    if not executable(binary).exists():
        sys.exit(f"no binary at {executable(binary)}: run packaging/build_binary.py first")
    os_name, cpu = PLATFORMS[key]
    dest = out / f"{NAME}-{key}"
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    shutil.copytree(binary, dest / NAME, symlinks=True)
    manifest = {
        "name": f"{NAME}-{key}",
        "version": ver,
        "description": f"The trigger-lsp binary for {key} (installed by the trigger-lsp package)",
        "license": "MIT",
        "os": [os_name],
        "cpu": [cpu],
        "files": [NAME],
        "preferUnplugged": True,
    }
    (dest / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    (dest / "README.md").write_text(
        f"# {NAME}-{key}\n\nThe `trigger-lsp` binary for {key}. Install `trigger-lsp`, "
        "not this package: npm picks the platform package itself.\n"
    )
    return dest


def pack(folder: Path, out: Path) -> Path:
    npm = shutil.which("npm")
    if not npm:
        sys.exit("npm was not found on PATH")
    done = subprocess.run(
        [npm, "pack", "--json", "--pack-destination", str(out)],
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    )
    tarball = out / json.loads(done.stdout)[0]["filename"]
    print(f"{tarball.name}: {size(tarball) / 1e6:.1f} MB ({size(folder) / 1e6:.1f} MB unpacked)")
    return tarball


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", type=Path, default=REPO / "dist" / "binary" / NAME)
    parser.add_argument("--out", type=Path, default=REPO / "dist" / "npm")
    parser.add_argument("--platform", default=platform_key(), choices=sorted(PLATFORMS))
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--launcher-only", action="store_true")
    which.add_argument("--platform-only", action="store_true")
    opts = parser.parse_args()
    out = opts.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    ver = version()
    if not opts.platform_only:
        pack(launcher(out, ver), out)
    if not opts.launcher_only:
        pack(platform_package(out, ver, opts.platform, opts.binary.resolve()), out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
