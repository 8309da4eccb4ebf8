"""Running the phone's rule engine (static/js/poverty/classify.js) under Node from the tests, in one process."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

RUNNER = Path(__file__).parent / "poverty" / "js_runner.mjs"


def node_or_skip() -> str:
    """The node binary; without it skip, except on CI (CI=true) where it fails."""
    node = shutil.which("node") or ("/usr/bin/node" if os.access("/usr/bin/node", os.X_OK) else None)
    if node is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("node is missing on CI: the phone's rule engine cannot be checked")
        pytest.skip("node (Node.js 20) is not installed: the JS rule engine cannot be run")
    return node


def run_engine(node: str, documents: dict, cases: list[dict]) -> tuple[list[dict], float]:
    """Classify every case ({"rule_set": label, "record", "area"}) with documents[label]; return the answers
    ({"result"} or {"error": {"code", "paths", "path"}}) and the milliseconds Node spent in classify."""
    lines = [json.dumps({"rule_sets": documents}, ensure_ascii=False)]
    lines += [json.dumps(c, ensure_ascii=False) for c in cases]
    done = subprocess.run([node, str(RUNNER)], input="\n".join(lines) + "\n", capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    answers = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return answers[:-1], answers[-1]["elapsed_ms"]
