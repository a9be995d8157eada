"""`briefing diff` between commits of a real git repository made for the test."""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from conftest import ROOT

GIT_ENV = {"GIT_AUTHOR_NAME": "Analyst", "GIT_AUTHOR_EMAIL": "analyst@example.org", "GIT_COMMITTER_NAME": "Analyst",
           "GIT_COMMITTER_EMAIL": "analyst@example.org", "GIT_AUTHOR_DATE": "2025-07-01T00:00:00Z",
           "GIT_COMMITTER_DATE": "2025-07-01T00:00:00Z"}


def git(repo, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env={**os.environ, **GIT_ENV})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def repo(tmp_path):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "seed data")
    return tmp_path


def edit(repo, name: str, old: str, new: str) -> None:
    path = repo / "data" / "dyads" / name
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def commit(repo, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "--short", "HEAD")


def diff(run, repo, *args: str):
    return run("diff", "--repo", str(repo), *args)


def test_a_changed_level_that_keeps_the_verdict(run, repo):
    edit(repo, "russia-china.yaml", "    external: medium\n    internal: low\n    alternatives: {external: [low]}",
         "    external: low\n    internal: low\n    alternatives: {external: [medium]}")
    commit(repo, "China's external threat read as low")
    code, out, err = diff(run, repo, "HEAD~1", "HEAD")
    assert (code, err) == (0, "")
    assert out == (
        "### 分析變動 Analysis changes: `HEAD~1` → `HEAD`\n\n"
        "**No verdict changed**\n\n"
        "#### 俄中關係 / Russia–China (`russia-china`)\n\n"
        "| 項目 Field | 原本 Before | 現在 After |\n"
        "| --- | --- | --- |\n"
        "| CHN.external | 中度 / medium | 低度 / low |\n"
        "| CHN.cell | D | A |\n"
    )


def test_a_changed_verdict_heads_the_comment(run, repo):
    edit(repo, "russia-china.yaml", "    external: medium", "    external: high")
    edit(repo, "russia-china.yaml", "alternatives: {external: [low]}", "alternatives: {external: [medium]}")
    commit(repo, "China feels a high US threat")
    code, out, _ = diff(run, repo, "main~1", "main")
    assert code == 0
    assert out.splitlines()[2] == "**1 verdict changed: Russia–China balancing-hedging → balancing-balancing**"
    assert "| type | 抗衡–避險同盟 / balancing–hedging alliance | 抗衡–抗衡同盟 / balancing–balancing alliance |" in out
    assert "| commitment | 低度到中度 / low to medium | 高度 / high |" in out
    code, out, _ = diff(run, repo, "main~1", "main", "--format", "json")
    document = json.loads(out)
    assert document["headline"] == "1 verdict changed: Russia–China balancing-hedging → balancing-balancing"
    assert document["verdicts_changed"] == [{"id": "russia-china", "before": "balancing-hedging", "after": "balancing-balancing"}]
    assert document["triads"]["changed"] == []
    assert (document["verdicts_new"], document["verdicts_removed"]) == ([], [])


def test_an_added_dyad_and_its_triad_and_the_working_tree(run, repo):
    (repo / "data" / "actors.yaml").write_text(
        (repo / "data" / "actors.yaml").read_text(encoding="utf-8") + "- id: IRN\n  name: {zh-TW: 伊朗, en: Iran}\n",
        encoding="utf-8")
    dyad = (repo / "data" / "dyads" / "russia-china.yaml").read_text(encoding="utf-8")
    (repo / "data" / "dyads" / "russia-iran.yaml").write_text(
        dyad.replace("id: russia-china", "id: russia-iran").replace("[RUS, CHN]", "[RUS, IRN]")
        .replace("  CHN:", "  IRN:").replace("俄中關係", "俄伊關係").replace("Russia–China", "Russia–Iran"),
        encoding="utf-8")
    code, out, _ = diff(run, repo, "HEAD")  # HEAD against the working tree
    assert code == 0
    assert out.splitlines()[0] == "### 分析變動 Analysis changes: `HEAD` → `working tree`"
    assert out.splitlines()[2] == "**1 new verdict, 0 changed, 0 removed: new Russia–Iran balancing-hedging**"
    assert "#### 新增雙邊關係 Dyad added: 俄伊關係 / Russia–Iran (`russia-iran`)" in out
    commit(repo, "Add Russia–Iran")
    assert json.loads(diff(run, repo, "HEAD", "--format", "json")[1])["dyads"]["added"] == []
    added = json.loads(diff(run, repo, "HEAD~1", "HEAD", "--format", "json")[1])["dyads"]["added"]
    assert [(dyad["id"], dyad["verdict"]["type"]) for dyad in added] == [("russia-iran", "balancing-hedging")]


def test_briefs_and_sources_are_listed(run, repo):
    brief = repo / "docs" / "briefs" / "alliances-reborn.en.md"
    brief.write_text(brief.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    (repo / "docs" / "briefs" / "three-dyads.zh-TW.md").unlink()
    sources = repo / "data" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8") + "- id: new-2025\n  author: New, A.\n  year: 2025\n"
                       "  title: A New Report\n  publisher: Press\n", encoding="utf-8")
    commit(repo, "edit briefs and sources")
    code, out, _ = diff(run, repo, "HEAD~1", "HEAD")
    assert code == 0
    assert "- 移除評析 Briefs removed: `three-dyads.zh-TW`" in out
    assert "- 修改評析 Briefs edited: `alliances-reborn.en`" in out
    assert "- 新增文獻 Sources added: `new-2025`" in out


def test_an_unknown_revision_is_a_clear_error(run, repo):
    assert diff(run, repo, "no-such-branch") == (
        1, "", "briefing diff: unknown revision 'no-such-branch'; give a branch, tag or commit of this repository "
               "(e.g. origin/main or HEAD~1)\n")


def test_no_change_says_so(run, repo):
    code, out, _ = diff(run, repo, "HEAD")
    assert (code, out.splitlines()[2]) == (0, "**No change to the analysis**")


def test_check_prints_github_annotations_when_running_in_actions(run, workdir, monkeypatch):
    from conftest import DYAD, write_data

    write_data(workdir, dyads={"russia-china": DYAD.replace("external: high", "external: hi")})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, out, err = run("check")
    assert code == 1
    assert out == ("::error file=data/dyads/russia-china.yaml,line=9::"
                   "threat level 'hi' for RUS.external is not one of low, medium, high\n")
    assert err.splitlines()[0] == (
        "data/dyads/russia-china.yaml:9: threat level 'hi' for RUS.external is not one of low, medium, high")


def test_annotations_escape_what_github_would_misread():
    from generator.cli import annotation
    from generator.model import Problem

    # A line break quoted from the data reads as \n, as on the terminal: it can never start a new command.
    assert annotation(Problem("data/a,b:c.yaml", 3, "50% done\nnext\r::error::x", "warning")) == (
        "::warning file=data/a%2Cb%3Ac.yaml,line=3::50%25 done\\nnext\\r::error::x")


def test_a_title_cannot_add_links_pictures_or_emphasis_to_the_summary(run, repo):
    edit(repo, "russia-china.yaml", "en: Russia–China}",
         'en: "Russia–China`) ![x](https://tracker.example/p.png) **0 verdicts changed** '
         '<sub>[approve](https://evil.example)</sub>"}')
    edit(repo, "russia-china.yaml", "    external: high\n", "    external: low\n")
    commit(repo, "a hostile title")
    code, out, err = diff(run, repo, "HEAD~1", "HEAD")
    assert (code, err) == (0, "")
    heading = next(line for line in out.splitlines() if line.startswith("#### "))
    assert heading == (
        "#### 俄中關係 / Russia–China\\`\\) \\!\\[x\\]\\(https://tracker\\.example/p\\.png\\) \\*\\*0 verdicts changed"
        "\\*\\* \\<sub\\>\\[approve\\]\\(https://evil\\.example\\)\\</sub\\> (`russia-china`)")
    assert "](" not in out.replace("\\](", "")


def add_dyad(repo, dyad_id: str, members: tuple[str, str], title: tuple[str, str]) -> None:
    """A copy of Russia–China (both members balancing once China's external threat is high) for other members."""
    text = (repo / "data" / "dyads" / "russia-china.yaml").read_text(encoding="utf-8")
    first, second = members
    text = (text.replace("id: russia-china", f"id: {dyad_id}").replace("[RUS, CHN]", f"[{first}, {second}]")
            .replace("  CHN:", f"  {second}:").replace("  RUS:", f"  {first}:")
            .replace("俄中關係", title[0]).replace("Russia–China", title[1]))
    (repo / "data" / "dyads" / f"{dyad_id}.yaml").write_text(text, encoding="utf-8")


@pytest.fixture
def balancing(repo):
    """Iran is known, and China feels a high US threat: Russia–China is balancing–balancing."""
    actors = repo / "data" / "actors.yaml"
    actors.write_text(actors.read_text(encoding="utf-8") + "- id: IRN\n  name: {zh-TW: 伊朗, en: Iran}\n",
                      encoding="utf-8")
    edit(repo, "russia-china.yaml", "    external: medium", "    external: high")
    edit(repo, "russia-china.yaml", "alternatives: {external: [low]}", "alternatives: {external: [medium]}")
    commit(repo, "Iran; China feels a high US threat")
    return repo


def verdict_table(*rows: str) -> str:
    return "| 項目 Field | 判斷 Verdict |\n| --- | --- |\n" + "".join(f"| {row} |\n" for row in rows)


def balancing_dyad(first: str, second: str) -> str:
    return verdict_table(
        f"{first}.external | 高度 / high", f"{first}.internal | 低度 / low", f"{first}.cell | G",
        f"{first}.strategy | 抗衡 / balancing", f"{second}.external | 高度 / high", f"{second}.internal | 低度 / low",
        f"{second}.cell | G", f"{second}.strategy | 抗衡 / balancing", "type | 抗衡–抗衡同盟 / balancing–balancing alliance",
        "commitment | 高度 / high", "cohesion | 高度 / high", "robust | no")


def test_added_dyads_and_a_new_trilateral_alliance_show_their_verdicts(run, balancing):
    add_dyad(balancing, "russia-iran", ("RUS", "IRN"), ("俄伊關係", "Russia–Iran"))
    add_dyad(balancing, "china-iran", ("CHN", "IRN"), ("中伊關係", "China–Iran"))
    commit(balancing, "Add Russia–Iran and China–Iran")
    code, out, err = diff(run, balancing, "HEAD~1", "HEAD")
    assert (code, err) == (0, "")
    assert out == (
        "### 分析變動 Analysis changes: `HEAD~1` → `HEAD`\n\n"
        "**2 new verdicts, 0 changed, 0 removed: new China–Iran balancing-balancing; "
        "new Russia–Iran balancing-balancing; "
        "new feasible trilateral alliance: China, Iran, Russia \\(facing United States\\)**\n\n"
        "#### 新增雙邊關係 Dyad added: 中伊關係 / China–Iran (`china-iran`)\n\n"
        + balancing_dyad("CHN", "IRN") + "\n"
        "#### 新增雙邊關係 Dyad added: 俄伊關係 / Russia–Iran (`russia-iran`)\n\n"
        + balancing_dyad("RUS", "IRN") + "\n"
        "#### 新增三邊關係 Triad added: 中國、伊朗、俄羅斯（面對美國） / "
        "China, Iran, Russia \\(facing United States\\) (`chn-irn-rus-usa`)\n\n"
        + verdict_table("trilateral_balancing | 在目前記錄的威脅程度下，三方可能形成抗衡同盟。 / "
                        "Under the threat levels recorded here, a trilateral balancing alliance is possible.",
                        "commitment | 高度 / high", "cohesion_ceiling | 高度 / high")
    )
    document = json.loads(diff(run, balancing, "HEAD~1", "HEAD", "--format", "json")[1])
    assert document["headline"] == (
        "2 new verdicts, 0 changed, 0 removed: new China–Iran balancing-balancing; new Russia–Iran balancing-balancing; "
        "new feasible trilateral alliance: China, Iran, Russia (facing United States)")
    assert document["verdicts_new"] == [{"id": "china-iran", "type": "balancing-balancing"},
                                        {"id": "russia-iran", "type": "balancing-balancing"}]
    assert (document["verdicts_changed"], document["verdicts_removed"]) == ([], [])
    assert document["trilateral_alliances"] == {"feasible": ["chn-irn-rus-usa"], "no_longer_feasible": []}
    assert document["dyads"]["added"][1] == {
        "id": "russia-iran", "title": "俄伊關係 / Russia–Iran",
        "verdict": {"RUS.external": "high", "RUS.internal": "low", "RUS.cell": "G", "RUS.strategy": "balancing",
                    "IRN.external": "high", "IRN.internal": "low", "IRN.cell": "G", "IRN.strategy": "balancing",
                    "type": "balancing-balancing", "commitment": "high", "cohesion": "high", "robust": "no"}}
    assert document["triads"]["added"] == [{
        "id": "chn-irn-rus-usa", "title": "中國、伊朗、俄羅斯（面對美國） / China, Iran, Russia (facing United States)",
        "verdict": {"trilateral_balancing": "true", "commitment": "high", "cohesion_ceiling": "high"}}]


def test_a_removed_dyad_shows_the_verdict_it_had(run, repo):
    (repo / "data" / "dyads" / "north-korea-china.yaml").unlink()
    treaties = repo / "data" / "treaties.yaml"  # its formal obligations go with it, as a new import would drop them
    text = treaties.read_text(encoding="utf-8")
    start = text.index("    north-korea-china:\n")
    treaties.write_text(text[:start] + text[text.index("    russia-china:\n"):], encoding="utf-8")
    for brief in (repo / "docs" / "briefs").glob("*.md"):  # briefs that name it would no longer check
        text = brief.read_text(encoding="utf-8")
        if "north-korea-china" in text:
            brief.unlink()
    commit(repo, "Drop North Korea–China")
    code, out, err = diff(run, repo, "HEAD~1", "HEAD")
    assert (code, err) == (0, "")
    assert out.split("\n- ")[0] == (
        "### 分析變動 Analysis changes: `HEAD~1` → `HEAD`\n\n"
        "**0 new verdicts, 0 changed, 1 removed: removed North Korea–China balancing-tethering**\n\n"
        "#### 移除雙邊關係 Dyad removed: 朝中關係 / North Korea–China (`north-korea-china`)\n\n"
        + verdict_table("PRK.external | 高度 / high", "PRK.internal | 中度 / medium", "PRK.cell | H",
                        "PRK.strategy | 抗衡 / balancing", "CHN.external | 低度 / low", "CHN.internal | 中度 / medium",
                        "CHN.cell | B", "CHN.strategy | 籠絡 / tethering",
                        "type | 抗衡–籠絡同盟 / balancing–tethering alliance", "commitment | 多變 / variable",
                        "cohesion | 低度到中度 / low to medium", "robust | no") + "\n"
        "#### 移除三邊關係 Triad removed: 中國、北韓、俄羅斯（面對美國） / "
        "China, North Korea, Russia \\(facing United States\\) (`chn-prk-rus-usa`)\n\n"
        + verdict_table("trilateral_balancing | 在目前記錄的威脅程度下，三方形成抗衡同盟的可能性低。 / "
                        "Under the threat levels recorded here, a trilateral balancing alliance is unlikely.",
                        "commitment | 多變 / variable", "cohesion_ceiling | 中度 / medium")
    )
    document = json.loads(diff(run, repo, "HEAD~1", "HEAD", "--format", "json")[1])
    assert document["verdicts_removed"] == [{"id": "north-korea-china", "type": "balancing-tethering"}]
    assert document["dyads"]["removed"][0]["verdict"]["type"] == "balancing-tethering"
    # The triad could not balance before either: nothing to say about a trilateral alliance.
    assert document["trilateral_alliances"] == {"feasible": [], "no_longer_feasible": []}


def test_a_changed_verdict_that_makes_a_trilateral_alliance_feasible_names_it(run, balancing):
    edit(balancing, "north-korea-china.yaml", "    external: low", "    external: high")
    edit(balancing, "north-korea-china.yaml", "    internal: medium\n    rationale", "    internal: low\n    rationale")
    commit(balancing, "China feels the US threat over Korea too")
    code, out, _ = diff(run, balancing, "HEAD~1", "HEAD")
    assert out.splitlines()[2] == (
        "**1 verdict changed: North Korea–China balancing-tethering → balancing-balancing; "
        "new feasible trilateral alliance: China, North Korea, Russia \\(facing United States\\)**")


def test_a_change_to_the_formal_obligations_is_listed_by_span(run, repo):
    path = repo / "data" / "treaties.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    kinds: [defense]\n    source: ma-2025", "    kinds: [defense, consultation]\n    source: ma-2025")
    text = text.replace("      - {from: 1961, to: 2018, by: both, kinds: [defense, non-aggression]}",
                        "      - {from: 1961, to: 2016, by: both, kinds: [defense, non-aggression]}")
    path.write_text(text, encoding="utf-8")
    commit(repo, "The 2024 treaty also binds both to consult")
    code, out, err = diff(run, repo, "HEAD~1", "HEAD")
    assert (code, err) == (0, "")
    assert out == (
        "### 分析變動 Analysis changes: `HEAD~1` → `HEAD`\n\n"
        "**No verdict changed; formal obligations of North Korea–China changed; "
        "formal obligations of Russia–North Korea changed**\n\n"
        "#### 條約義務 Formal obligations: 朝中關係 / North Korea–China (`north-korea-china`)\n\n"
        "| 年份 Years | 原本 Before | 現在 After |\n"
        "| --- | --- | --- |\n"
        "| 1961–2018 | defense, non\\-aggression · both · atop \\(leeds\\-2002\\) | — |\n"
        "| 1961–2016 | — | defense, non\\-aggression · both · atop \\(leeds\\-2002\\) |\n\n"
        "#### 條約義務 Formal obligations: 俄朝關係 / Russia–North Korea (`russia-north-korea`)\n\n"
        "| 年份 Years | 原本 Before | 現在 After |\n"
        "| --- | --- | --- |\n"
        "| 2024– | defense · both · analyst \\(ma\\-2025\\) | defense, consultation · both · analyst \\(ma\\-2025\\) |\n"
    )
    code, out, err = diff(run, repo, "HEAD~1", "HEAD", "--format", "json")
    assert json.loads(out)["obligations"] == {"changed": [
        {"id": "north-korea-china", "title": "朝中關係 / North Korea–China", "changes": [
            {"field": "obligations 1961–2018", "before": "defense, non-aggression · both · atop (leeds-2002)", "after": "—"},
            {"field": "obligations 1961–2016", "before": "—", "after": "defense, non-aggression · both · atop (leeds-2002)"}]},
        {"id": "russia-north-korea", "title": "俄朝關係 / Russia–North Korea", "changes": [
            {"field": "obligations 2024–", "before": "defense · both · analyst (ma-2025)",
             "after": "defense, consultation · both · analyst (ma-2025)"}]}]}
