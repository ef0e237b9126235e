"""Great Expectations Data Docs that work offline.

GX 1.24's Data Docs load jQuery, Bootstrap, bootstrap-table, Font Awesome, Vega and more from
public CDNs, and their logo from a public bucket: offline the index lists no runs (the table is
drawn by bootstrap-table) and the result pages lose their styling and icons. After GX has built
the docs, `make_offline(local_site)` copies the pinned copies of those files (installed once per
environment by scripts/install_gx_docs_assets.py, from npm registry tarballs pinned by version
and sha512 in mvoi/gx_docs_assets.json) into `static/vendor/` of the site, and points every
page's CDN addresses at them, relative to the page. Links (`<a href>`) to greatexpectations.io
stay: they load nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

PINS_FILE = Path(__file__).with_name("gx_docs_assets.json")
VENDOR_DIR = Path("static") / "vendor"  # inside the Data Docs site
STAMP_NAME = ".pins.sha256"  # in the installed assets and in the site's vendor folder
LOCAL_LOGO = "static/images/logo-long.png"  # GX copies it into every site

REMOTE_IMAGE = re.compile(
    r"https://great-expectations-web-assets\.s3\.[a-z0-9.-]+\.amazonaws\.com/[\w.-]+\.png(?:\?[^\"'\s)]*)?"
)
# what a page loads: script/img/iframe sources, stylesheet links, CSS url(...)
REMOTE_LOAD = re.compile(
    r"<(?:script|img|iframe|source|embed|link)\b[^>]*?\b(?:src|href)\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)"
    r"|url\(\s*[\"']?((?:https?:)?//[^\"')\s]+)",
    re.I,
)
# GX's own static files, referred to from a page with a relative path that is sometimes one
# level short (a validation of a query asset is one folder deeper than GX counts)
SITE_STATIC = re.compile(r"(?<=[\"'])(?:\./|(?:\.\./)+)static/")
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.I)
SRI_ATTRIBUTE = re.compile(r"\s+(?:integrity|crossorigin)\s*=\s*\"[^\"]*\"", re.I)

log = logging.getLogger(__name__)


class AssetsMissing(FileNotFoundError):
    """The pinned Data Docs assets are not installed in this environment (a FileNotFoundError,
    so `mvoi validate` and `gate-and-publish` report that the gate could not run)."""


@dataclass(frozen=True)
class Package:
    """One pinned npm package: which of its files the Data Docs need, and the CDN addresses
    that GX's pages load each one from."""

    name: str
    version: str
    integrity: str
    files: dict[str, list[str]]

    @property
    def folder(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def tarball_url(self) -> str:
        return f"https://registry.npmjs.org/{self.name}/-/{self.name.split('/')[-1]}-{self.version}.tgz"


def load_pins(path: Path = PINS_FILE) -> list[Package]:
    return [Package(**entry) for entry in json.loads(path.read_text(encoding="utf-8"))["packages"]]


def pins_digest(path: Path = PINS_FILE) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assets_dir() -> Path:
    """Where the assets are installed: $MVOI_GX_DOCS_ASSETS, else share/ of the running
    environment (the project's .venv)."""
    configured = os.environ.get("MVOI_GX_DOCS_ASSETS")
    return Path(configured) if configured else Path(sys.prefix) / "share" / "mvoi" / "gx_docs_assets"


def installed(folder: Path, digest: str) -> bool:
    stamp = folder / STAMP_NAME
    return stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == digest


def local_urls(packages: list[Package]) -> dict[str, str]:
    """{CDN address: path of the local copy, relative to the site's root}."""
    return {
        url: (VENDOR_DIR / package.folder / file).as_posix()
        for package in packages
        for file, urls in package.files.items()
        for url in urls
    }


def copy_assets(source: Path, site: Path, digest: str) -> bool:
    """Copy the installed assets into the site's vendor folder unless that copy is of the same
    pins already; returns whether it copied."""
    target = site / VENDOR_DIR
    if installed(target, digest):
        return False
    if not installed(source, digest):
        raise AssetsMissing(
            f"the GX Data Docs assets pinned in {PINS_FILE.name} are not installed in {source}: "
            "run `make env` (scripts/install_gx_docs_assets.py; it needs the npm registry once)"
        )
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    return True


def page_prefix(site: Path, page: Path) -> str:
    """The relative path from `page` back to the site's root ('' for index.html)."""
    return "../" * (len(page.relative_to(site).parts) - 1)


def _drop_sri(tag: re.Match) -> str:
    """Subresource-integrity attributes only on local scripts: a file page is an opaque origin,
    so a `crossorigin` load of a file fails (the copies were checked by sha512 at install)."""
    text = tag.group(0)
    return text if re.search(r"\bsrc\s*=\s*[\"']?https?:", text, re.I) else SRI_ATTRIBUTE.sub("", text)


def rewrite_page(text: str, prefix: str, urls: dict[str, str]) -> str:
    """The page with each CDN address replaced by its local copy, the remote logo by GX's own,
    and GX's static paths made right, all relative to the page (`prefix` leads back to the
    site's root)."""
    for url, local in urls.items():
        for quote in ('"', "'"):
            text = text.replace(f"{quote}{url}{quote}", f"{quote}{prefix}{local}{quote}")
    text = REMOTE_IMAGE.sub(prefix + LOCAL_LOGO, text)
    text = SITE_STATIC.sub(prefix + "static/", text)
    return SCRIPT_TAG.sub(_drop_sri, text)


def remote_loads(text: str) -> list[str]:
    """Every remote address that a page would load (not links to follow)."""
    return [m.group(1) or m.group(2) for m in REMOTE_LOAD.finditer(text)]


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if VENDOR_DIR not in p.relative_to(site).parents)


def make_offline(site: Path) -> list[str]:
    """Make a built Data Docs site load nothing from the network; returns the remote loads
    left (an address GX added that is not pinned yet: logged as a warning)."""
    packages = load_pins()
    copy_assets(assets_dir(), site, pins_digest())
    urls = local_urls(packages)
    left: list[str] = []
    for page in html_pages(site):
        text = page.read_text(encoding="utf-8")
        new = rewrite_page(text, page_prefix(site, page), urls)
        if new != text:
            page.write_text(new, encoding="utf-8")
        left += [f"{page.relative_to(site)}: {url}" for url in remote_loads(new)]
    if left:
        log.warning("GX Data Docs still load %d remote address(es), e.g. %s", len(left), left[0])
    return left
