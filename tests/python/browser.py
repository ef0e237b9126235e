"""Headless Chromium for the browser tests, driven through its command line only.

Chromium comes from the system package manager (`scripts/install_browser.sh` installs Debian's
`chromium`); no Playwright or Selenium download. `--dump-dom` prints the DOM after the page has
loaded and its scripts ran (for `--virtual-time-budget` ms of virtual time), `--screenshot`
writes a PNG of the viewport. Each call gets a fresh, throw-away profile folder.

Also here: a tiny PNG reader (zlib only; Pillow is not a dependency) to check that a screenshot
is not blank, a DOM-to-text helper, and a local static HTTP server.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = PROJECT_DIR / "warehouse" / "screenshots"
INSTALL_SCRIPT = PROJECT_DIR / "scripts" / "install_browser.sh"

# No network beyond what the page itself asks for; nothing that phones home or updates.
BASE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
)


def chromium_path() -> str | None:
    """The Chromium binary: $MVOI_CHROMIUM, else `chromium` / `chromium-browser` on PATH."""
    candidates = [os.environ.get("MVOI_CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"),
                  "/usr/bin/chromium"]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def require_chromium() -> str:
    """The Chromium binary, or a test failure that says how to install it (a skip only when
    MVOI_SKIP_BROWSER_TESTS=1 asks for it explicitly)."""
    path = chromium_path()
    if path:
        return path
    message = f"headless Chromium not found: run {INSTALL_SCRIPT.relative_to(PROJECT_DIR)} (apt-get install chromium)"
    if os.environ.get("MVOI_SKIP_BROWSER_TESTS") == "1":
        pytest.skip(message)
    pytest.fail(message)


def _run_chromium(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    binary = require_chromium()
    with tempfile.TemporaryDirectory(prefix="mvoi-chromium-") as profile:
        return subprocess.run(
            [binary, *BASE_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "HOME": profile},  # keep Chromium's caches out of the real home
        )


def dump_dom(url: str, virtual_time_ms: int = 5000, window_size: tuple[int, int] = (1280, 1600),
             timeout: float = 120) -> str:
    """The serialised DOM of `url` after load and `virtual_time_ms` of virtual time."""
    result = _run_chromium(
        [f"--window-size={window_size[0]},{window_size[1]}", f"--virtual-time-budget={virtual_time_ms}",
         "--dump-dom", url],
        timeout,
    )
    assert result.returncode == 0, f"chromium --dump-dom failed ({result.returncode}): {result.stderr[-2000:]}"
    assert "<html" in result.stdout.lower(), f"chromium returned no DOM for {url}: {result.stderr[-2000:]}"
    return result.stdout


def screenshot(url: str, out: Path, window_size: tuple[int, int] = (1280, 1600), virtual_time_ms: int = 5000,
               timeout: float = 120) -> Path:
    """A PNG of the top `window_size` of `url` after load, written to `out`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    result = _run_chromium(
        [f"--window-size={window_size[0]},{window_size[1]}", f"--virtual-time-budget={virtual_time_ms}",
         f"--screenshot={out}", url],
        timeout,
    )
    assert result.returncode == 0 and out.exists(), (
        f"chromium --screenshot failed ({result.returncode}): {result.stderr[-2000:]}"
    )
    return out


# --------------------------------------------------------------------------------------
# PNG: just enough to tell a blank screenshot from a drawn one


def read_png(path: Path) -> tuple[int, int, int, list[bytes]]:
    """(width, height, bytes per pixel, rows of raw pixel bytes) of an 8-bit non-interlaced
    greyscale / RGB / grey+alpha / RGBA PNG (what Chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    pos, idat, header = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    assert header is not None, f"{path}: no IHDR chunk"
    width, height, depth, colour_type, _, _, interlace = header
    assert depth == 8 and interlace == 0, f"{path}: unsupported PNG (depth {depth}, interlace {interlace})"
    bpp = {0: 1, 2: 3, 4: 2, 6: 4}[colour_type]
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:  # Sub: a running sum per channel along the row
            pixels = np.frombuffer(bytes(line), dtype=np.uint8).reshape(width, bpp).astype(np.uint64)
            line = bytearray((np.cumsum(pixels, axis=0) & 0xFF).astype(np.uint8).tobytes())
        elif kind == 2:  # Up
            line = bytearray(
                (np.frombuffer(bytes(line), dtype=np.uint8) + np.frombuffer(bytes(previous), dtype=np.uint8)).tobytes()
            )
        elif kind == 3:  # Average
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:  # Paeth
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = previous[i]
                c = previous[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, bpp, rows


def png_stats(path: Path, sample_every: int = 4) -> dict[str, int]:
    """Size and colour variety of a PNG: width, height, distinct colours (sampled), and the
    share (per mille) of sampled pixels that differ from the most common colour."""
    width, height, bpp, rows = read_png(path)
    counts: dict[bytes, int] = {}
    for y in range(0, height, sample_every):
        row = rows[y]
        for x in range(0, width, sample_every):
            pixel = row[x * bpp:(x + 1) * bpp]
            counts[pixel] = counts.get(pixel, 0) + 1
    total = sum(counts.values())
    dominant = max(counts.values()) if counts else 0
    return {
        "width": width,
        "height": height,
        "colours": len(counts),
        "non_background_per_mille": (1000 * (total - dominant)) // total if total else 0,
    }


def assert_not_blank(path: Path, min_width: int = 400, min_height: int = 300, min_colours: int = 8,
                     min_non_background_per_mille: int = 20) -> dict[str, int]:
    stats = png_stats(path)
    assert stats["width"] >= min_width and stats["height"] >= min_height, f"{path}: too small {stats}"
    assert stats["colours"] >= min_colours, f"{path} looks blank (too few colours): {stats}"
    assert stats["non_background_per_mille"] >= min_non_background_per_mille, (
        f"{path} looks blank (almost every pixel has the background colour): {stats}"
    )
    return stats


# --------------------------------------------------------------------------------------
# DOM helpers


def visible_text(dom: str) -> str:
    """The text of a DOM without scripts and styles, whitespace collapsed."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


class ElementCollector(HTMLParser):
    """Collects start tags (name, attributes) and the text of elements that match `want`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self._stack: list[tuple[str, dict[str, str], list[str]]] = []
        self.texts: list[tuple[str, dict[str, str], str]] = []

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: (v or "") for k, v in attrs}
        self.elements.append((tag, attributes))
        if tag not in self.VOID:
            self._stack.append((tag, attributes, []))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: (v or "") for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            name, attributes, parts = self._stack.pop()
            text = "".join(parts)
            self.texts.append((name, attributes, re.sub(r"\s+", " ", text).strip()))
            if self._stack:
                self._stack[-1][2].append(text)
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._stack:
            self._stack[-1][2].append(data)


def parse_dom(dom: str) -> ElementCollector:
    collector = ElementCollector()
    collector.feed(dom)
    collector.close()
    return collector


# --------------------------------------------------------------------------------------
# a local static web server


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """`python -m http.server` on 127.0.0.1 and a free port, serving `directory`; yields the
    base URL and stops the server (by its own process id) afterwards."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(base + "/", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"http.server on port {port} did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
