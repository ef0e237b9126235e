"""Install the scripts, styles and fonts that the offline GX Data Docs serve (mvoi/gx_docs_offline.py).

    .venv/bin/python scripts/install_gx_docs_assets.py     (run by `make env`)

Each package pinned in mvoi/gx_docs_assets.json is fetched from the npm registry as its
tarball (one `npm pack NAME@VERSION ...`, or a plain HTTPS download of the registry's tarball when npm
is not installed), checked against the pinned sha512, and only the listed files (plus the
package's licence and package.json) are extracted into share/mvoi/gx_docs_assets/ of the
environment ($MVOI_GX_DOCS_ASSETS overrides). Idempotent: nothing is fetched when the installed
copy was made from the same pin file. Needs the npm registry on the first run only.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path, PurePosixPath

from mvoi.gx_docs_offline import PINS_FILE, STAMP_NAME, Package, assets_dir, installed, load_pins, pins_digest

ALWAYS = ("package.json",)  # with every top-level LICENSE* file


def fail(message: str) -> None:
    print(f"install_gx_docs_assets: {message}", file=sys.stderr)
    raise SystemExit(1)


def npm_pack(packages: list[Package], workdir: Path) -> dict[str, Path]:
    """{name@version: tarball} of every package, fetched by one `npm pack`."""
    done = subprocess.run(
        [shutil.which("npm") or "npm", "pack", *(p.folder for p in packages), "--json", "--pack-destination",
         str(workdir)],
        capture_output=True, text=True, timeout=600,
    )
    if done.returncode != 0:
        raise OSError(" / ".join(done.stderr.strip().splitlines()[:3]) or f"npm pack exited {done.returncode}")
    return {f"{e['name']}@{e['version']}": workdir / e["filename"] for e in json.loads(done.stdout)}


def download(package: Package, workdir: Path) -> Path:
    """The package's tarball straight from the npm registry (when npm is not installed)."""
    out = workdir / package.tarball_url.rsplit("/", 1)[-1]
    with urllib.request.urlopen(package.tarball_url, timeout=120) as response:
        out.write_bytes(response.read())
    return out


def fetch(packages: list[Package], workdir: Path) -> dict[str, Path]:
    """{name@version: tarball} from the npm registry; a clear failure when it cannot be reached."""
    try:
        if shutil.which("npm"):
            return npm_pack(packages, workdir)
        return {p.folder: download(p, workdir) for p in packages}
    except (OSError, subprocess.TimeoutExpired, ValueError, KeyError) as error:
        fail(f"cannot fetch the pinned packages from the npm registry (the first `make env` needs it): {error}")
    raise AssertionError("unreachable")


def verify(package: Package, tarball: bytes) -> None:
    algorithm, _, expected = package.integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, tarball).digest()).decode()
    if actual != expected:
        fail(f"{package.folder}: {algorithm} {actual} differs from the pinned {expected} in {PINS_FILE.name}")


def wanted(package: Package, relative: PurePosixPath) -> bool:
    name = relative.as_posix()
    if ".." in relative.parts:
        return False
    if name in package.files or name in ALWAYS or (len(relative.parts) == 1 and name.upper().startswith("LICEN")):
        return True
    return any(file.endswith("/") and name.startswith(file) for file in package.files)


def extract(package: Package, tarball: bytes, target: Path) -> None:
    """The package's wanted files into target/<name>@<version>/; every listed file must be there."""
    found = set()
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for member in archive.getmembers():
            relative = PurePosixPath(*PurePosixPath(member.name).parts[1:])  # below the tarball's package/
            if not member.isfile() or not relative.parts or not wanted(package, relative):
                continue
            out = target / package.folder / relative
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(archive.extractfile(member).read())
            found.add(relative.as_posix())
    missing = [f for f in package.files if not any(n == f or (f.endswith("/") and n.startswith(f)) for n in found)]
    if missing:
        fail(f"{package.folder}: the tarball has no {', '.join(missing)}")


def main() -> int:
    target, digest = assets_dir(), pins_digest()
    if installed(target, digest):
        print(f"install_gx_docs_assets: present in {target}")
        return 0
    packages = load_pins()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mvoi-gx-assets-", dir=target.parent) as tmp:
        staging = Path(tmp) / "assets"
        tarballs = fetch(packages, Path(tmp))
        for package in packages:
            tarball = tarballs[package.folder].read_bytes()
            verify(package, tarball)
            extract(package, tarball, staging)
        (staging / STAMP_NAME).write_text(digest + "\n", encoding="utf-8")
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    print(f"install_gx_docs_assets: installed {len(packages)} pinned npm packages in {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
