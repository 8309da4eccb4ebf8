"""The phone's expression evaluator (static/js/lib/form/expr.js) passes the shared case file under Node 20, so the
phone and the server (server/surveys/expressions.py, same cases) agree on every relevant, required, constraint
and calculation of a form definition."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "forms" / "expression-cases.json"
RUNNER = Path(__file__).with_name("expression_cases.mjs")
ON_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="module")
def node() -> str:
    """The Node executable; skip (fail on CI) without it."""
    found = shutil.which("node") or ("/usr/bin/node" if os.access("/usr/bin/node", os.X_OK) else None)
    if found is None:
        if ON_CI:
            pytest.fail("CI requires Node.js for the JavaScript tests")
        pytest.skip("node is not installed")
    return found


def run_cases(node: str, path: Path) -> dict:
    """Run a case file through expr.js; return {"total", "failures"}."""
    done = subprocess.run([node, str(RUNNER), str(path)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_js_evaluator_passes_every_shared_case(node):
    """Every case of forms/expression-cases.json gives its expected result in JavaScript."""
    cases = json.loads(CASES.read_text(encoding="utf-8"))
    result = run_cases(node, CASES)
    assert result["total"] == len(cases) > 0
    assert result["failures"] == []


def test_runner_reports_a_wrong_expectation(node, tmp_path):
    """A case whose expectation is wrong is reported, so the test above can fail."""
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([
        {"expr": {"op": "+", "args": [1, 2]}, "record": {}, "item": None, "expect": 4},
        {"expr": {"op": "not", "args": [None]}, "record": {}, "item": None, "expect": True},
    ]), encoding="utf-8")
    result = run_cases(node, path)
    assert [f["index"] for f in result["failures"]] == [0]
    assert result["failures"][0]["got"] == 3
