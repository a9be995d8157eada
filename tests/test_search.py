"""Search in a real Chromium through Pagefind's JavaScript API, against a ground truth read from the built pages.

The ground truth is each page's text as the browser shows it (its `data-pagefind-body`
without what it marks `data-pagefind-ignore`), read by the browser: not by the
generator's own reader, so the test does not agree with the index by construction.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import yaml
from conftest import ROOT
from test_browser import browser, page, server, site_pages  # noqa: F401  (fixtures)

from generator.convert import Terms, convert
from generator.languages import TABLE
from generator.search import indexed_page, segment

PAGE = """<!doctype html><html lang="zh-TW"><body><nav>導覽</nav>
<main data-pagefind-body><h1 id="x">俄中關係<a class="headerlink" href="#x">#</a></h1>
<p class="search-subject">俄羅斯與中國；外部行為者：美國</p>
<div class="card"><p>Russia–China</p><p>Outside actor</p></div>
<p>2024年6月，<em>普丁</em>訪問平壤。<script>ignored()</script></p>
<div data-pagefind-ignore="all"><p>不索引</p></div>
<h2 data-pagefind-weight="8">承諾</h2><p>F-16戰機</p></main></body></html>"""


def test_every_han_character_is_a_word_and_dashes_part_words():
    assert segment("北韓 rebukes China–Japan，2024年") == "北 韓 rebukes China – Japan ， 2024 年"
    assert segment("  plain   English  ") == "plain English"


def test_the_index_reads_a_pages_text_block_by_block_with_its_title_and_subject():
    read = indexed_page(PAGE)
    assert read.lang == "zh-TW"
    assert read.title == "俄中關係"
    assert read.subject == "俄羅斯與中國；外部行為者：美國"
    assert read.blocks == (
        ("h1", "", "俄中關係"), ("p", "", "俄羅斯與中國；外部行為者：美國"), ("p", "", "Russia–China"),
        ("p", "", "Outside actor"), ("p", "", "2024年6月，普丁訪問平壤。"), ("h2", "8", "承諾"), ("p", "", "F-16戰機"),
    )
    assert read.source() == (
        '<!doctype html><html lang="zh-TW"><head><meta charset="utf-8"></head><body><main data-pagefind-body>'
        '<span data-pagefind-meta="title[data-title]" data-title="俄中關係"></span>'
        '<span data-pagefind-meta="subject[data-subject]" data-subject="俄羅斯與中國；外部行為者：美國"></span>\n'
        "<h1>俄 中 關 係 ｜</h1>\n<p>俄 羅 斯 與 中 國 ； 外 部 行 為 者 ： 美 國 ｜</p>\n"
        "<p>Russia – China ｜</p>\n<p>Outside actor ｜</p>\n<p>2024 年 6 月 ， 普 丁 訪 問 平 壤 。</p>\n"
        "<h2 data-pagefind-weight='8'>承 諾 ｜</h2>\n<p>F-16 戰 機 ｜</p>\n</main></body></html>\n")


def test_a_page_without_an_indexed_part_is_not_indexed():
    assert indexed_page("<html lang='en'><body><p>Redirecting…</p></body></html>") is None


# The desk's own conversions for the zh-Hans edition (普丁 → 普京), as the build applies them.
DESK_TERMS = Terms(tuple(yaml.safe_load((ROOT / "data" / "zh-hans-terms.yaml").read_text("utf-8")).items()))
# Actors, strategies, places, people, two- to four-character words, one character, mixed Chinese–Latin.
ZH_TERMS = (
    "俄羅斯", "中國", "北韓", "美國", "烏克蘭", "日本", "南韓", "臺灣",
    "避險", "籠絡", "抗衡", "扈從",
    "北京", "莫斯科", "平壤", "華府", "東北亞", "印太",
    "金正恩", "習近平", "普丁", "川普", "馬準威",
    "同盟", "威脅", "承諾", "凝聚力", "危險同盟", "外部威脅", "內部威脅", "條約", "核武", "制裁", "聯合國",
    "安理會", "北約", "戰略", "夥伴", "軍事", "經濟", "飛彈", "全面戰略夥伴", "彈道飛彈", "俄中", "朝中", "俄朝",
    "俄", "韓", "2024年", "2024 年", "抗衡—避險", "抗衡–避險", "「北韓」",
)
ZH_HANS_TERMS = tuple(dict.fromkeys(convert(term, "tw2sp", DESK_TERMS) for term in ZH_TERMS))  # 俄罗斯, 普京, 同盟 …
EN_TERMS = (
    "Russia", "China", "North Korea", "United States", "Ukraine", "Japan", "hedging", "tethering", "balancing",
    "bandwagoning", "alliance", "threat", "commitment", "cohesion", "Pyongyang", "Moscow", "Beijing", "treaty",
    "sanctions", "Weitsman", "Kim Jong Un", "Putin", "Indo-Pacific", "nuclear",
)
# For a query of a dyad's actors, its own page comes first.
DYAD_QUERIES = {
    "俄羅斯 中國": "/dyads/russia-china.html", "北韓 中國": "/dyads/north-korea-china.html",
    "俄羅斯 北韓": "/dyads/russia-north-korea.html", "Russia China": "/en/dyads/russia-china.html",
    "North Korea China": "/en/dyads/north-korea-china.html", "Russia North Korea": "/en/dyads/russia-north-korea.html",
    "俄罗斯 中国": "/zh-hans/dyads/russia-china.html", "北韩 中国": "/zh-hans/dyads/north-korea-china.html",
    "俄罗斯 北韩": "/zh-hans/dyads/russia-north-korea.html",
}
HAN = re.compile(r"[\u3400-\u9fff]")
READ_TEXT = """() => {
  const body = document.querySelector('[data-pagefind-body]');
  if (!body) return null;
  const copy = body.cloneNode(true);
  copy.querySelectorAll('[data-pagefind-ignore], script, style, .headerlink').forEach(node => node.remove());
  document.body.appendChild(copy);
  const text = copy.innerText;
  copy.remove();
  return text;
}"""


def squash(text: str) -> str:
    """Spacing next to a Chinese character does not matter to a reader (「2024 年」 is 「2024年」), nor which
    dash joins two words, nor the quotes a reader puts around a query."""
    text = re.sub(r"[\u2012-\u2015]", "\u2013", re.sub(r"^[「“\"]|[」”\"]$", "", text))
    return re.sub(r"\s*([\u3400-\u9fff\u3000-\u303f\uff00-\uffef])\s*", r"\1", text).casefold()


def contains(text: str, term: str) -> bool:
    if HAN.search(term):
        return squash(term) in squash(text)
    return re.search(r"(?<!\w)" + re.escape(term.casefold()), text.casefold()) is not None


@pytest.fixture(scope="module")
def texts(site, server, browser):  # noqa: F811
    tab = browser.new_page()
    read: dict[str, tuple[str, str]] = {}
    for path in site_pages(site):
        if path.startswith("pagefind/"):
            continue
        tab.goto(server + path)
        text = tab.evaluate(READ_TEXT)
        if text is not None:
            read["/" + path.removesuffix("index.html")] = (tab.evaluate("document.documentElement.lang"), text)
    tab.close()
    return read


def search_all(page, server: str, lang: str, queries) -> dict[str, list[str]]:  # noqa: F811
    page.goto(server + TABLE.language(lang).prefix + "search.html")
    page.wait_for_function("typeof window.briefingSearch === 'function'")
    return page.evaluate("async queries => { const found = {}; for (const q of queries) found[q] = await briefingSearch(q);"
                         " return found; }", list(queries))


@pytest.mark.parametrize("lang, terms", [("zh-TW", ZH_TERMS), ("en", EN_TERMS), ("zh-Hans", ZH_HANS_TERMS)])
def test_search_finds_every_page_that_holds_a_term(texts, page, server, lang, terms):  # noqa: F811
    found = search_all(page, server, lang, terms)
    missed, wrong = [], []
    for term in terms:
        expected = {path for path, (page_lang, text) in texts.items() if page_lang == lang and contains(text, term)}
        assert expected, f"no {lang} page holds {term!r}: the term tests nothing"
        if missed_pages := expected - set(found[term]):
            missed.append(f"{term}: {len(missed_pages)} of {len(expected)} missed, e.g. {sorted(missed_pages)[0]}")
        if HAN.search(term) and (extra := set(found[term]) - expected):
            wrong.append(f"{term}: found {sorted(extra)[0]}, which does not hold it")
    assert missed == []
    assert wrong == []
    assert page.errors == []


def test_a_dyads_own_page_comes_first_for_its_actors(page, server):  # noqa: F811
    for lang in TABLE.codes:
        queries = [query for query, path in DYAD_QUERIES.items() if TABLE.by_prefix(path[1:]) == lang]
        found = search_all(page, server, lang, queries)
        for query in queries:
            assert found[query][:1] == [DYAD_QUERIES[query]], (query, found[query][:3])


def search_box(page, address: str) -> tuple[str, str, list[str], list[str]]:  # noqa: F811
    """The search page at `address` as a reader sees it: the box's label, the status line, the titles, the excerpts."""
    page.goto(address)
    page.wait_for_selector(".search-results li")
    return (page.inner_text(".search-form label"), page.inner_text(".search-status"),
            page.eval_on_selector_all(".search-result-title a", "links => links.map(a => a.textContent)"),
            page.eval_on_selector_all(".search-result-excerpt", "nodes => nodes.map(n => n.textContent)"))


def test_the_zh_tw_search_box_speaks_chinese_and_shows_clean_results(page, server):  # noqa: F811
    label, status, titles, excerpts = search_box(page, server + "search.html?q=籠絡")
    assert label == "輸入關鍵詞"
    assert re.fullmatch(r"共 \d+ 筆結果", status)
    assert "朝中關係" in titles
    assert all(not title.endswith("#") and title.strip() == title for title in titles)
    for excerpt in excerpts:
        assert "籠絡" in excerpt
        assert not re.search(r"[\u3400-\u9fff] [\u3400-\u9fff]", excerpt), excerpt  # the index's cuts do not show
    # The box, the results and the marks are set in the site's font, not a system font that may lack Chinese.
    fonts = page.evaluate("""() => ['#search-input', '.search-result-excerpt', '.search-results mark']
        .map(selector => getComputedStyle(document.querySelector(selector)).fontFamily)""")
    body = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert fonts == [body] * 3
    assert page.errors == []


def test_the_zh_hans_search_box_speaks_simplified_chinese_in_the_simplified_face(page, server):  # noqa: F811
    label, status, titles, excerpts = search_box(page, server + "zh-hans/search.html?q=笼络")
    assert label == "输入关键词"
    assert re.fullmatch(r"共 \d+ 笔结果", status)
    assert "朝中关系" in titles
    assert all(urlsplit(link).path.startswith("/zh-hans/") for link in page.eval_on_selector_all(
        ".search-result-title a", "links => links.map(a => a.href)"))
    for excerpt in excerpts:
        assert "笼络" in excerpt
    body = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert body.startswith('"Briefing Sans SC"'), body
    assert page.errors == []


def test_the_english_search_box_speaks_english_and_cuts_excerpts_at_words(page, server):  # noqa: F811
    label, status, titles, excerpts = search_box(page, server + "en/search.html?q=tethering")
    assert label == "Words to find"
    assert re.fullmatch(r"\d+ result\(s\)", status)
    assert "North Korea–China" in titles
    for excerpt in excerpts:
        assert re.match(r"(…|[A-Z0-9“(])", excerpt), excerpt  # starts at a sentence or after an ellipsis
        assert re.search(r"([.!?”)]|…)$", excerpt), excerpt  # ends at a sentence or with an ellipsis
    page.fill("#search-input", "zzzzzz")
    page.wait_for_selector(".search-status:has-text('No page')")  # the page's policy forbids evaluating strings
    assert page.inner_text(".search-status") == "No page holds “zzzzzz”"
    assert page.errors == []


def test_result_links_open_the_page(page, server):  # noqa: F811
    page.goto(server + "search.html?q=俄朝")
    page.wait_for_selector(".search-result-title a")
    page.click(".search-result-title a >> nth=0")
    assert urlsplit(page.url).path.endswith(".html")
    assert page.errors == []


def test_a_query_is_shown_as_typed_and_results_stay_inside_a_site_under_a_sub_path(site, browser, tmp_path):  # noqa: F811
    import functools
    import shutil
    import threading
    from http.server import ThreadingHTTPServer

    from test_browser import QuietHandler

    shutil.copytree(site, tmp_path / "www" / "sub")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(tmp_path / "www")))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    tab = browser.new_page()
    try:
        base = f"http://127.0.0.1:{httpd.server_address[1]}/sub/"
        tab.goto(base + "search.html?q=籠絡")
        tab.wait_for_selector(".search-result-title a")
        links = tab.eval_on_selector_all(".search-result-title a", "links => links.map(a => a.href)")
        assert links and all(link.startswith(base) and "/sub/sub/" not in link for link in links), links
        tab.goto(base + "search.html?q=$%26")  # "$&" is not a replacement pattern
        tab.wait_for_selector(".search-status:has-text('找不到')")
        assert tab.inner_text(".search-status") == "找不到含「$&」的頁面"
    finally:
        tab.close()
        httpd.shutdown()
