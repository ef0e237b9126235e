"""The dbt docs site, checked in a browser: generated from a real build of the sample, served on
127.0.0.1 by `python -m http.server`, loaded in headless Chromium.

- the model page of fct_kpi_values renders (the Angular app ran and filled in its name,
  relation, description and columns from manifest.json and catalog.json);
- the lineage of fct_kpi_values reaches the raw landing sources: in the manifest (parent_map,
  walked transitively) and in the docs site's own lineage graph view
  (`#!/overview?g_v=1&g_i=+fct_kpi_values`). That graph is drawn by cytoscape on a canvas, so
  its nodes are not in the DOM: a small same-origin probe page opens the graph view in an
  iframe and lists the nodes of the graph (`window.graph`, the app's cytoscape instance) in
  its own DOM, which `--dump-dom` then shows;
- a screenshot of the lineage graph view goes to `warehouse/screenshots/docs_lineage.png`.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from browser import SCREENSHOT_DIR, assert_not_blank, dump_dom, parse_dom, screenshot, serve_directory, visible_text
from conftest import DbtWorkspace
from pipeline import copy_build_database

KPI_MODEL = "model.mvoi.fct_kpi_values.v1"  # a versioned model (v2 adds organisations_reporting)
# the landing entities the KPIs are computed from (docs/kpi_register.md): all nine
KPI_SOURCES = {
    f"source.mvoi.landing.{entity}"
    for entity in (
        "invoice_lines", "tenders", "tender_criteria", "contracts", "organisations", "suppliers",
        "supplier_certificates", "social_return_realisations", "material_reports",
    )
}
LINEAGE_VIEW = "index.html#!/overview?g_v=1&g_i=%2Bfct_kpi_values"

PROBE_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>lineage probe</title></head>
<body>
<p id="status">waiting</p>
<ul id="nodes"></ul>
<iframe id="docs" src="__VIEW__" width="1400" height="900"></iframe>
<script>
// Lists the nodes of the dbt docs lineage graph (a cytoscape canvas) as DOM elements.
function poll(triesLeft) {
  var status = document.getElementById('status');
  try {
    var graph = document.getElementById('docs').contentWindow.graph;
    if (graph && graph.nodes().length > 0) {
      var list = document.getElementById('nodes');
      graph.nodes().forEach(function (node) {
        var item = document.createElement('li');
        item.className = node.visible() ? 'node visible' : 'node hidden';
        item.setAttribute('data-label', node.data('label') || '');
        item.textContent = node.id();
        list.appendChild(item);
      });
      status.textContent = 'done';
      return;
    }
    status.textContent = 'no graph yet';
  } catch (error) {
    status.textContent = 'error: ' + error;
  }
  if (triesLeft > 0) {
    setTimeout(function () { poll(triesLeft - 1); }, 250);
  } else {
    status.textContent += ' (timeout)';
  }
}
window.addEventListener('load', function () { poll(240); });
</script>
</body></html>
"""


@pytest.fixture(scope="module")
def docs_site(sample_build, tmp_path_factory) -> Path:
    """`dbt docs generate` of the session's sample build into a target folder of its own (the
    shared build's target is not touched); returns that folder.

    It reads the shared build database (the catalog only queries it) with the same profile, so
    dbt can reuse the build's parse (partial_parse.msgpack). Should the database be locked by
    another reader, it runs on a copy instead (a full parse: slower, same result)."""
    root = tmp_path_factory.mktemp("docs_site")
    target, logs = root / "target", root / "logs"
    target.mkdir()
    shared_target = sample_build.root / "target"
    for name in ("partial_parse.msgpack", "manifest.json", "semantic_manifest.json"):
        if (shared_target / name).exists():
            shutil.copyfile(shared_target / name, target / name)
    args = ("docs", "generate", "--no-compile")
    result = sample_build.dbt(*args, DBT_TARGET_PATH=str(target), DBT_LOG_PATH=str(logs))
    if result.returncode != 0 and "lock" in result.stdout.lower():
        copy = DbtWorkspace(root / "copy")
        copy.root.mkdir()
        copy_build_database(sample_build.db_path, copy.db_path)
        result = copy.dbt(*args, DBT_TARGET_PATH=str(target), DBT_LOG_PATH=str(logs))
    assert result.returncode == 0, result.stdout[-5000:]
    for name in ("index.html", "manifest.json", "catalog.json"):
        assert (target / name).exists(), name
    return target


@pytest.fixture(scope="module")
def manifest(docs_site) -> dict:
    return json.loads((docs_site / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def site_url(docs_site):
    with serve_directory(docs_site) as base:
        yield base


def ancestors(manifest: dict, unique_id: str) -> set[str]:
    parents = manifest["parent_map"]
    seen: set[str] = set()
    stack = [unique_id]
    while stack:
        for parent in parents.get(stack.pop(), []):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def _alnum(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def test_lineage_in_the_manifest_reaches_the_landing_sources(manifest):
    lineage = ancestors(manifest, KPI_MODEL)
    missing = KPI_SOURCES - lineage
    assert not missing, f"fct_kpi_values does not depend on {sorted(missing)}"
    for source_id in KPI_SOURCES:
        source = manifest["sources"][source_id]
        assert source["source_name"] == "landing" and source["schema"] == "raw", source_id
    # and the path goes through staging: no mart reads a source directly
    for node_id in lineage:
        if node_id.startswith("model.") and not node_id.startswith("model.mvoi.stg_"):
            direct = manifest["parent_map"][node_id]
            assert not [p for p in direct if p.startswith("source.")], f"{node_id} reads a source directly"


def test_model_page_renders(site_url, manifest):
    dom = dump_dom(f"{site_url}/index.html#!/model/{KPI_MODEL}", virtual_time_ms=20000, window_size=(1400, 1000))
    text = visible_text(dom)
    node = manifest["nodes"][KPI_MODEL]
    assert "Details" in text and "Columns" in text and "Depends On" in text, text[:2000]
    assert f"{node['schema']}.fct_kpi_values" in text, "the relation (from the manifest) is not shown"
    # the description, as rendered markdown: compare letters and digits only
    first_paragraph = node["description"].strip().split("\n\n")[0]
    assert len(first_paragraph) > 40
    assert _alnum(first_paragraph)[:120] in _alnum(text), "the model description is not on the page"
    # every documented column is listed
    for column in node["columns"]:
        assert column in text, f"column {column} not on the page"
    # the app filled in its templates (no unrendered {{ ... }} outside code blocks)
    page = re.sub(r"<(code|pre)\b.*?</\1>", " ", dom, flags=re.S | re.I)
    assert not re.search(r"\{\{\s*model\.", visible_text(page))


def test_lineage_graph_in_the_browser_reaches_the_landing_sources(site_url, docs_site, manifest):
    (docs_site / "lineage_probe.html").write_text(PROBE_PAGE.replace("__VIEW__", LINEAGE_VIEW), encoding="utf-8")
    dom = dump_dom(f"{site_url}/lineage_probe.html", virtual_time_ms=40000, window_size=(1400, 1000))
    parsed = parse_dom(dom)
    status = [text for tag, attrs, text in parsed.texts if tag == "p" and attrs.get("id") == "status"]
    assert status == ["done"], f"the lineage graph did not load: {status}"
    nodes = {text for tag, attrs, text in parsed.texts if tag == "li" and "node" in attrs.get("class", "")}
    visible = {text for tag, attrs, text in parsed.texts if tag == "li" and "visible" in attrs.get("class", "").split()}
    assert KPI_MODEL in visible
    missing = KPI_SOURCES - visible
    assert not missing, f"the docs lineage graph of fct_kpi_values does not show {sorted(missing)}"
    # the graph view shows exactly the selection +fct_kpi_values: every version of the model
    # (v1, v2) with its unit tests, and their ancestors
    versions = {uid for uid, node in manifest["nodes"].items() if node["name"] == "fct_kpi_values"}
    unit_tests = {uid for uid, test in manifest.get("unit_tests", {}).items()
                  if set(test["depends_on"]["nodes"]) & versions}
    expected = versions | unit_tests | set().union(*(ancestors(manifest, v) for v in versions))
    assert nodes == expected, (
        f"graph view and manifest differ: only in graph {sorted(nodes - expected)}, "
        f"only in manifest {sorted(expected - nodes)}"
    )


def test_lineage_graph_screenshot(site_url, tmp_path):
    shot = screenshot(f"{site_url}/{LINEAGE_VIEW}", tmp_path / "docs_lineage.png", window_size=(1600, 1000),
                      virtual_time_ms=20000)
    assert_not_blank(shot)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, SCREENSHOT_DIR / "docs_lineage.png")
