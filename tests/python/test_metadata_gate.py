"""The metadata gate finds every kind of missing metadata it promises to find."""

from mvoi.metadata_gate import find_problems


def _model(name, **overrides):
    node = {
        "unique_id": f"model.mvoi.{name}",
        "resource_type": "model",
        "package_name": "mvoi",
        "name": name,
        "description": "a model",
        "columns": {"id": {"description": "the key"}},
        "group": "procurement_analytics",
        "access": "protected",
        "config": {"meta": {"owner": "team"}, "contract": {"enforced": False}},
    }
    node.update(overrides)
    return node


def _unique_test(model_name):
    return {
        "unique_id": f"test.mvoi.unique_{model_name}_id",
        "resource_type": "test",
        "package_name": "mvoi",
        "name": f"unique_{model_name}_id",
        "test_metadata": {"name": "unique"},
        "attached_node": f"model.mvoi.{model_name}",
    }


def _manifest(*nodes):
    return {
        "metadata": {"project_name": "mvoi"},
        "nodes": {n["unique_id"]: n for n in nodes},
        "sources": {},
        "macros": {
            "macro.mvoi.documented": {"package_name": "mvoi", "name": "documented", "description": "does x"},
            "macro.dbt.other": {"package_name": "dbt", "name": "other", "description": ""},
        },
    }


def test_complete_project_passes():
    assert find_problems(_manifest(_model("good"), _unique_test("good"))) == []


def test_each_gap_is_reported():
    bad = _model(
        "bad",
        description="",
        columns={"id": {"description": ""}},
        group=None,
        access="public",
        config={"meta": {}, "contract": {"enforced": False}},
    )
    problems = find_problems(_manifest(bad))
    assert "model bad: no description" in problems
    assert "model bad: column id has no description" in problems
    assert "model bad: no meta.owner" in problems
    assert "model bad: no group" in problems
    assert "model bad: no primary-key test (unique or unique combination)" in problems
    assert "model bad: public but its contract is not enforced" in problems


def test_catalog_reveals_undeclared_columns_and_macros_are_checked():
    manifest = _manifest(_model("good"), _unique_test("good"))
    manifest["macros"]["macro.mvoi.silent"] = {"package_name": "mvoi", "name": "silent", "description": " "}
    catalog = {"nodes": {"model.mvoi.good": {"columns": {"ID": {}, "extra": {}}}}, "sources": {}}
    problems = find_problems(manifest, catalog)
    assert problems == ["model good: column extra has no description", "macro silent: no description"]


def test_seed_without_owner_is_reported():
    seed = _model("codes", unique_id="seed.mvoi.codes", resource_type="seed", config={"meta": {}})
    owned = _model("owned", unique_id="seed.mvoi.owned", resource_type="seed")
    problems = find_problems(_manifest(seed, owned))
    assert problems == ["seed codes: no meta.owner"]  # seeds need no group or key test


def test_a_view_may_have_its_key_tested_where_its_rows_are_stored():
    def view(name, storing):
        return _model(name, config={"meta": {"owner": "team", "primary_key_tested_in": storing},
                                    "contract": {"enforced": False}})

    fact = _model("fact", depends_on={"nodes": ["model.mvoi.enriched"]})
    other = _model("other", depends_on={"nodes": []})
    manifest = _manifest(view("enriched", "fact"), fact, _unique_test("fact"),
                         view("unread", "other"), other, _unique_test("other"),
                         view("untested", "plain"), _model("plain", depends_on={"nodes": ["model.mvoi.untested"]}))
    missing_key = " no primary-key test (unique or unique combination)"
    # `other` does not read `unread`, and `plain` has no key test of its own
    assert find_problems(manifest) == [f"model unread:{missing_key}", f"model untested:{missing_key}",
                                       f"model plain:{missing_key}"]
