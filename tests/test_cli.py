"""The `briefing` command as an analyst runs it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DYAD, ROOT, write_data


def test_check_on_the_shipped_data_is_silent(run, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert run("check") == (0, "", "")


def test_classify_prints_a_table_in_english(workdir, run):
    write_data(workdir)
    code, out, err = run("classify")
    assert (code, err) == (0, "")
    assert out == (
        "Dyad          Actors          Facing         Cells  Type                        Commitment     Cohesion       Robust\n"
        "------------  --------------  -------------  -----  --------------------------  -------------  -------------  ------\n"
        "Russia–China  Russia / China  United States  G D    balancing–hedging alliance  low to medium  low to medium  no\n"
        "\n"
        "  Russia–China: holds under all readings\n"
        "    if Russia's external threat moved high -> medium: hedging–hedging alliance\n"
        "    if China's external threat moved medium -> high: balancing–balancing alliance\n"
        "    if China's internal threat moved low -> medium: balancing–indeterminate alliance\n"
        "\n"
        "Triads:\n"
        "  none\n"
    )


def test_classify_prints_a_table_in_chinese_with_aligned_columns(workdir, run):
    write_data(workdir)
    code, out, _ = run("classify", "--lang", "zh-TW")
    assert code == 0
    assert out.splitlines()[:3] == [
        "雙邊關係  成員           外部行為者  表 2 格  同盟型態       承諾        凝聚力      穩健",
        "--------  -------------  ----------  -------  -------------  ----------  ----------  ----",
        "俄中關係  俄羅斯 / 中國  美國        G D      抗衡–避險同盟  低度到中度  低度到中度  否",
    ]
    assert "    若俄羅斯的外部威脅由高度變為中度：避險–避險同盟" in out.splitlines()


def test_classify_on_bad_data_reports_problems_and_prints_no_results(workdir, run):
    write_data(workdir, dyads={"russia-china": DYAD.replace("external: high", "external: hi")})
    code, out, err = run("classify", "--json")
    assert (code, out) == (1, "")
    assert err.splitlines()[0] == (
        "data/dyads/russia-china.yaml:9: threat level 'hi' for RUS.external is not one of low, medium, high"
    )


def test_build_stops_on_bad_data_before_touching_the_site(workdir, run):
    write_data(workdir, dyads={"russia-china": DYAD.replace("external: high", "external: hi")})
    (workdir / "site").mkdir()
    (workdir / "site" / "index.html").write_text("previous", encoding="utf-8")
    code, out, err = run("build")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "data/dyads/russia-china.yaml:9: threat level 'hi' for RUS.external is not one of low, medium, high",
        "briefing: 1 problem in data; fix them and run again",
    ]
    assert [p.name for p in (workdir / "site").iterdir()] == ["index.html"]
    assert (workdir / "site" / "index.html").read_text(encoding="utf-8") == "previous"


def briefing(*args: str, cwd, optimize: bool = False) -> subprocess.CompletedProcess:
    command = [sys.executable] + (["-O"] if optimize else []) + ["-m", "generator", *args]
    env = {k: v for k, v in os.environ.items() if k != "BRIEFING_DEBUG"}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


def test_checks_still_run_under_python_optimize(tmp_path):
    # Validation never relies on `assert`, which -O strips.
    write_data(tmp_path, dyads={"russia-china": DYAD.replace("actors: [RUS, CHN]", "actors: [RUS, RUS]")})
    result = briefing("check", cwd=tmp_path, optimize=True)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "data/dyads/russia-china.yaml:2: a dyad pairs two different actors, but actors lists RUS twice\n"
        "briefing: 1 problem in data; fix them and run again\n"
    )


def test_hostile_input_never_prints_a_traceback(tmp_path):
    write_data(tmp_path, dyads={"russia-china": "threats: !!python/object/new:os.system [echo owned]\n\t- bad"})
    result = briefing("check", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "owned" not in result.stdout + result.stderr.replace("[echo owned]", "")
    assert result.stderr.startswith("data/dyads/russia-china.yaml:")


def test_the_console_script_is_installed():
    script = Path(sys.executable).with_name("briefing")
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, cwd=ROOT)
    assert (result.returncode, result.stdout) == (0, "briefing 0.1.0\n")


@pytest.mark.parametrize("epoch", ["", "yesterday", "-5"])
def test_a_source_date_that_is_not_a_number_is_said_plainly(workdir, run, monkeypatch, epoch):
    write_data(workdir)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    assert run("build") == (1, "", f"briefing: SOURCE_DATE_EPOCH is '{epoch}', not a number of seconds since 1970; "
                                  "set it to one (e.g. the last commit's: git log -1 --format=%ct) or unset it\n")
    assert not (workdir / "site").exists()
