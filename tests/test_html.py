"""Every built page is valid HTML according to the Nu Html Checker (vnu-jar)."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from conftest import ROOT

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def test_every_page_is_valid_html(site):
    if not VNU.exists() or not shutil.which("java"):
        pytest.fail("the Nu Html Checker needs Java and `npm install` (scripts/test.sh installs both)")
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--skip-non-html", str(site)],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [f"{m.get('url', '').split('/site/')[-1]}:{m.get('lastLine')}: {m['message']}" for m in messages]
    assert errors == []
