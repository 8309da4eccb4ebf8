"""The renderer's evaluation after a keystroke in one member (static/js/lib/form/validate.js, evaluateForm with a
focus: only that member's questions visited again, also on the passes that follow a computed value or a removed
answer inside it) gives what a full evaluation gives, under Node 20, over the served household definition."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from test_collect_expressions_js import node  # noqa: F401 (the fixture: Node, or a skip / a CI failure)

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("focused_evaluation.mjs")
sys.path.insert(0, str(ROOT / "tests" / "browser"))


def run(node_path: str, definition: Path, edits: int) -> dict:
    """Run the random edits; return the runner's result."""
    done = subprocess.run([node_path, str(RUNNER), str(definition), str(edits)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_an_answer_in_one_member_evaluates_as_the_whole_form_does(node, tmp_path):  # noqa: F811
    """3,000 random households and answers: the focused evaluation equals the full one (record, states,
    problems, sections)."""
    from form_server import served_json

    definition = tmp_path / "household.json"
    definition.write_bytes(served_json()[0])
    result = run(node, definition, 3000)
    assert result["focused_passes"] == 3000
    assert result["failures"] == []
    assert result["stayed_focused"] > 1500       # most answers leave the other members alone


def test_members_that_read_each_other_are_never_left_alone(node, tmp_path):  # noqa: F811
    """When a member's question reads another member's answer, every member is evaluated again and the evaluation
    does not say it stayed focused (else the other members' headings would keep a stale count)."""
    from form_server import served_json

    served = json.loads(served_json()[0])
    members = next(q for s in served["sections"] for q in s["questions"] if q["type"] == "repeat")
    school = next(q for q in members["questions"] if q["key"] == "schooling")
    school["relevant"] = {"op": "==", "args": [{"ref": f"{members['path']}.0.sex"}, "female"]}
    definition = tmp_path / "household.json"
    definition.write_text(json.dumps(served), encoding="utf-8")
    result = run(node, definition, 500)
    assert result["failures"] == []
    assert result["stayed_focused"] == 0


def test_the_comparison_sees_a_focus_on_the_wrong_member(node, tmp_path):  # noqa: F811
    """Focusing on another member than the one changed (a renderer that lost track) is caught."""
    from form_server import served_json

    definition = tmp_path / "household.json"
    definition.write_bytes(served_json()[0])
    done = subprocess.run([node, str(RUNNER), str(definition), "300", "wrong-member"], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["failures"]


def test_a_member_read_by_the_household_makes_the_next_pass_visit_every_member(node, tmp_path):  # noqa: F811
    """A household-level value computed from a member (here the first member's sex), which the other members'
    questions read: an answer in that member changes what the others show, so the pass after the calculation must
    visit every member. The random edits over such a definition still equal full evaluations."""
    from form_server import served_json

    served = json.loads(served_json()[0])
    members = next(q for s in served["sections"] for q in s["questions"] if q["type"] == "repeat")
    served["sections"][0]["questions"].append({
        "key": "first_member_sex", "type": "text", "path": "first_member_sex", "label": {"vi": "x", "en": "x"},
        "calculate": {"ref": f"{members['path']}.0.sex"}})
    school = next(q for q in members["questions"] if q["key"] == "schooling")
    school["relevant"] = {"op": "==", "args": [{"ref": "first_member_sex"}, "female"]}
    definition = tmp_path / "household.json"
    definition.write_text(json.dumps(served), encoding="utf-8")
    result = run(node, definition, 1500)
    assert result["failures"] == []
