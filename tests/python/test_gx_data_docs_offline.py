"""GX Data Docs work offline (issue 14): their CDN scripts, styles and fonts are served from
`static/vendor/` of the site (mvoi/gx_docs_offline.py; pinned in mvoi/gx_docs_assets.json).

The docs are built for real: both gates (`mvoi.validate.run_gate`) on the session's sample
build (`sample_build` in conftest.py), into a private GX folder, nothing written to the
database. Then, in headless Chromium (Debian's, driven by Playwright) with every request that is
not for a file of the site blocked and recorded: the index draws its validation-run rows
(bootstrap-table), a row opens its validation result, that page is styled by Bootstrap and
shows Font Awesome icons, and no page logs an error.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from browser import SCREENSHOT_DIR, parse_dom, require_chromium

from mvoi import gx_docs_offline, validate

sync_api = pytest.importorskip("playwright.sync_api")

RUNS_TABLE = "#section-1-content-block-2-1-body-table"
BOOTSTRAP_SECONDARY = "rgb(108, 117, 125)"  # .badge-secondary in Bootstrap 4.3.1
BOOTSTRAP_SUCCESS = "rgb(40, 167, 69)"  # .text-success
LOADS = {"script": "src", "img": "src", "link": "href", "iframe": "src", "source": "src"}


@pytest.fixture(scope="module")
def site(sample_build, tmp_path_factory) -> Path:
    """A Data Docs site of both gates: publication first, so the landing gate's rebuild of the
    docs runs on a site that already has its vendor folder."""
    gx_dir = tmp_path_factory.mktemp("gx_docs_offline") / "gx"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MVOI_GX_UNCOMMITTED_DIR", str(gx_dir))
        for gate in ("publication", "landing"):
            result = validate.run_gate(gate, db_path=sample_build.db_path, run_id="offline-docs",
                                       write_results=False)
            assert result.data_docs is not None and result.data_docs.exists(), gate
    return gx_dir / "data_docs" / "local_site"


def validation_pages(site: Path) -> list[Path]:
    return sorted((site / "validations").rglob("*.html"))


@pytest.fixture(scope="module")
def tab(site):
    """One tab of headless Chromium whose requests outside the site are blocked and recorded
    (`external`), with its console and page errors (`errors`); each test starts them empty."""
    record: dict[str, list[str]] = {}

    def route(request_route) -> None:
        url = request_route.request.url
        if url.startswith(site.as_uri()):
            request_route.continue_()
        else:
            record["external"].append(url)
            request_route.abort()

    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=require_chromium(), args=["--no-sandbox", "--disable-gpu"])
        context = chromium.new_context(viewport={"width": 1400, "height": 900})
        context.route("**/*", route)
        page = context.new_page()
        page.on("console", lambda m: record["errors"].append(f"{page.url}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: record["errors"].append(f"{page.url}: {e}"))
        yield page, record
        chromium.close()


@pytest.fixture
def visit(tab):
    page, record = tab
    record.update(external=[], errors=[])
    return page, record


def test_pages_load_nothing_remote_and_every_local_asset_exists(site):
    pages = sorted(site.rglob("*.html"))
    assert len(validation_pages(site)) >= 5 and len(pages) > 10
    remote, missing = [], []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        remote += [f"{page.name}: {u}" for u in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^'\")]+)", text)]
        for tag, attributes in parse_dom(text).elements:
            source = attributes.get(LOADS.get(tag, ""), "")
            if re.match(r"(https?:)?//", source):
                remote.append(f"{page.relative_to(site)}: <{tag}> {source}")
            elif source and not source.startswith(("#", "data:")) and not (page.parent / source).exists():
                missing.append(f"{page.relative_to(site)}: {source}")
    assert remote == []
    assert missing == []
    assert len(list(site.rglob("jquery.min.js"))) == 1, "the assets are copied once per site, not per page"
    # links to greatexpectations.io are kept: links load nothing
    assert 'href="https://greatexpectations.io' in (site / "index.html").read_text(encoding="utf-8")


def test_rewriting_again_changes_nothing(site, tmp_path):
    copy = shutil.copytree(site, tmp_path / "site")
    before = {p: p.read_bytes() for p in copy.rglob("*.html")}
    assert gx_docs_offline.make_offline(copy) == []
    assert {p: p.read_bytes() for p in copy.rglob("*.html")} == before


def test_missing_assets_fail_with_what_to_run(site, tmp_path, monkeypatch):
    copy = shutil.copytree(site, tmp_path / "site")
    shutil.rmtree(copy / "static" / "vendor")
    monkeypatch.setenv("MVOI_GX_DOCS_ASSETS", str(tmp_path / "not_installed"))
    with pytest.raises(gx_docs_offline.AssetsMissing, match="make env"):
        gx_docs_offline.make_offline(copy)


def test_index_lists_the_runs_offline_and_a_row_opens_a_styled_result(site, visit):
    page, record = visit
    page.goto((site / "index.html").as_uri(), wait_until="load")
    rows = page.locator(f"{RUNS_TABLE} tbody tr.clickable-row")
    assert rows.count() > 0, "bootstrap-table drew no validation-run rows"
    total = page.locator(".pagination-info").first.inner_text()
    assert re.search(rf"of {len(validation_pages(site))} rows", total), total
    assert page.evaluate("typeof vegaEmbed === 'function' && typeof jQuery.fn.datepicker === 'function'")
    page.screenshot(path=str(SCREENSHOT_DIR / "gx_data_docs_index.png"))

    rows.first.click()
    page.wait_for_url(re.compile(r"/validations/.+\.html$"))
    page.wait_for_load_state("load")
    assert page.evaluate("getComputedStyle(document.querySelector('.badge-secondary')).backgroundColor") == (
        BOOTSTRAP_SECONDARY)
    assert page.evaluate("getComputedStyle(document.querySelector('.text-success')).color") == BOOTSTRAP_SUCCESS
    icon_fonts = page.evaluate(
        "document.fonts.ready.then(() => [...document.fonts]"
        ".filter(f => f.family.includes('Font Awesome') && f.status === 'loaded').map(f => f.family))"
    )
    assert icon_fonts, "no Font Awesome font loaded: the icons are blank"
    assert page.evaluate("getComputedStyle(document.querySelector('i.fas'), '::before').content") not in ("none", "")
    page.screenshot(path=str(SCREENSHOT_DIR / "gx_data_docs_validation.png"), full_page=False)
    assert record["errors"] == []
    assert record["external"] == []


def test_every_page_opens_without_errors_or_remote_requests(site, visit):
    page, record = visit
    for path in sorted(site.rglob("*.html")):
        if "static" in path.relative_to(site).parts:
            continue
        page.goto(path.as_uri(), wait_until="load")
        assert page.evaluate("typeof jQuery === 'function' && typeof jQuery.fn.bootstrapTable === 'function'"), path
    assert record["errors"] == []
    assert record["external"] == []
