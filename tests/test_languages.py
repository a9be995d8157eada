"""The languages table (generator/languages.yaml): every language has every label, every page, and a
converted language's pages say where they come from (fast tier: pages rendered in-process)."""
from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from conftest import ROOT
from test_actors import ORGANISATION, render

from generator.framework import LABELS
from generator.languages import TABLE


def test_the_table_has_a_default_written_language_and_distinct_places():
    assert TABLE.codes == ("zh-TW", "en", "zh-Hans")
    assert TABLE.written == ("zh-TW", "en")
    assert TABLE.default.prefix == "" and not TABLE.default.derived
    prefixes = [language.prefix for language in TABLE.languages]
    assert len(set(prefixes)) == len(prefixes)
    assert all(prefix == "" or (prefix.endswith("/") and prefix == prefix.lower()) for prefix in prefixes)
    hans = TABLE.language("zh-Hans")
    assert (hans.source, hans.conversion, hans.prefix, hans.font.family) == ("zh-TW", "tw2sp", "zh-hans/", "Noto Sans SC")
    assert TABLE.fallbacks("zh-Hans") == ("zh-TW", "en")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("code", TABLE.codes)
def test_every_language_has_every_label_and_a_converted_one_keeps_its_placeholders(code):
    source = TABLE.language(code).source
    for key, _ in LABELS.texts:
        value = LABELS(key, code)
        assert value or key == "sentence_gap", (key, code)
        if source is not None:
            assert placeholders(value) == placeholders(LABELS(key, source)), (key, code)


def test_a_converted_label_is_simplified_chinese():
    assert LABELS("converted_note", "zh-Hans", original="繁体中文原文") == (
        "本页由繁体中文原文自动转换为简体中文，如有出入，以繁体中文原文为准。")
    assert LABELS("home_title", "zh-Hans") == "同盟观察"
    assert LABELS("untranslated", "zh-Hans") == "本文尚未译成中文，以下为英文原文。"  # given, not converted


@pytest.fixture(scope="module")
def plan():
    return render()


def test_every_zh_tw_page_has_a_zh_hans_page_converted_from_it(plan):
    from generator.convert import convert

    chinese = [page for page in plan.pages if page.lang == "zh-TW"]
    assert len(chinese) == 21
    for page in chinese:
        hans = plan.page(page.key, "zh-Hans")
        assert hans.src_uri == "zh-hans/" + page.src_uri
        assert hans.title == convert(page.title, "tw2sp")
    assert len([page for page in plan.pages if page.lang == "zh-Hans"]) == len(chinese)


def test_every_zh_hans_page_carries_the_conversion_note_linking_its_original(plan):
    from generator.site import SiteContext
    from generator.urls import href

    context = SiteContext(plan, ORGANISATION)
    for page in plan.pages:
        note = context.page_context(page.src_uri)["converted_note"]
        if page.lang != "zh-Hans":
            assert note == ""
            continue
        original = plan.page(page.key, "zh-TW")
        assert note == ("本页由繁体中文原文自动转换为简体中文，如有出入，以"
                        f'<a href="{href(page.url, original.url)}" hreflang="zh-TW">繁体中文原文</a>为准。')


def test_the_language_switch_lists_every_other_language_in_its_own_name(plan):
    from generator.site import SiteContext

    context = SiteContext(plan, ORGANISATION)
    switch = context.page_context("zh-hans/dyads/russia-china.md")["switch"]
    assert switch == [{"lang": "zh-TW", "name": "繁體中文", "url": "../../dyads/russia-china.html"},
                      {"lang": "en", "name": "English", "url": "../../en/dyads/russia-china.html"}]
    assert [item["name"] for item in context.page_context("index.md")["switch"]] == ["English", "简体中文"]


LANGUAGE_BRANCH = re.compile(r"""(lang|language)\s*[!=]=\s*["'](zh|en)|["'](zh-TW|en|zh-Hans)["']\s*[!=]=""")


def test_no_code_or_template_branches_on_a_language_code():
    sources = [*Path(ROOT, "generator").glob("*.py"), *Path(ROOT, "templates").rglob("*.html")]
    found = [f"{path.name}:{number}" for path in sources
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if LANGUAGE_BRANCH.search(line)]
    assert found == []


@pytest.mark.parametrize("site_url", ["", "https://desk.example.org/briefing/"])
def test_a_zh_hans_handout_carries_the_conversion_note_naming_its_original(site_url, tmp_path):
    from generator.charts import ChartSet
    from generator.classify import classify
    from generator.handouts import PrintContext, converted_note
    from generator.load import load_data
    from generator.pages import Settings
    from generator.validate import validate

    analysis = classify(validate(load_data(ROOT / "data", ROOT / "docs")))
    settings = Settings(organisation=ORGANISATION, site_url=site_url)

    def note(lang: str, kind: str, name: str) -> str:
        return str(converted_note(PrintContext(analysis, ChartSet(()), settings, lang, "index.html", {}, {},
                                               site_dir=tmp_path), kind, name))

    for kind, name, original in (("dyad", "russia-china", "pdf/dyad-russia-china.zh-TW.pdf"),
                                 ("brief", "three-dyads", "pdf/three-dyads.zh-TW.pdf"),
                                 ("assessment", "russia-china/2025-06-30", "pdf/dyad-russia-china/2025-06-30.zh-TW.pdf")):
        named = (f'<a href="{site_url}{original}" hreflang="zh-TW">繁体中文原文</a>' if site_url
                 else f"繁体中文原文（{original.rsplit('/', 1)[1]}）")
        assert note("zh-Hans", kind, name) == f"本页由繁体中文原文自动转换为简体中文，如有出入，以{named}为准。"
        assert note("zh-TW", kind, name) == note("en", kind, name) == ""
