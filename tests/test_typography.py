"""Chinese typography (clreq) on sample strings: exact output, rule by rule."""
from __future__ import annotations

import datetime as dt

import pytest

from generator.model import Origin, Source
from generator.typography import reference, set_html, set_text, titled

NBSP = "\u00a0"


@pytest.mark.parametrize("written, set_as", [
    ("2024年6月19日", f"2024{NBSP}年{NBSP}6{NBSP}月{NBSP}19{NBSP}日"),  # a quarter em, and no break in 「第 9 條」
    ("第9條", f"第{NBSP}9{NBSP}條"),
    ("F-16戰機", f"F-16{NBSP}戰機"),
    ("2024 年", f"2024{NBSP}年"),  # a typed space becomes the same quarter em, which justification does not stretch
    ("2024  \u00a0年", f"2024{NBSP}年"),
    ("美國(US)", "美國(US)"),  # only letters and digits are spaced
])
def test_han_and_latin_are_a_quarter_em_apart(written, set_as):
    assert set_text(written, "zh-TW") == set_as


def test_the_strategy_pair_takes_an_en_dash_that_cannot_start_a_line():
    assert set_text("抗衡—避險同盟", "zh-TW") == "抗衡\u2013避險同盟"
    assert set_html("構成抗衡—避險同盟", "zh-TW") == '構成<span class="cjk-keep">抗衡\u2013避險</span>同盟'  # one line
    assert set_text("他說——不是", "zh-TW") == "他說——不是"  # the two-em dash stays one mark


@pytest.mark.parametrize("written, set_as", [("等等...", "等等……"), ("如此…", "如此……"), ("如此……", "如此……")])
def test_the_ellipsis_is_six_dots(written, set_as):
    assert set_text(written, "zh-TW") == set_as


def test_adjacent_punctuation_is_compressed():
    # The bracket is set half width; the run and its neighbours stay on one line.
    assert set_html("（表 2），見", "zh-TW") == (
        f'（表{NBSP}<span class="cjk-keep">2<span class="cjk-half">）</span>，見</span>')
    assert set_html("如下，「同盟」", "zh-TW") == '如<span class="cjk-keep">下，<span class="cjk-half">「</span>同</span>盟」'
    assert set_html("同盟」。", "zh-TW") == '同<span class="cjk-keep">盟<span class="cjk-half">」</span>。</span>'
    assert set_html("甲》。《乙", "zh-TW") == (
        '<span class="cjk-keep">甲<span class="cjk-half">》</span>。<span class="cjk-half">《</span>乙</span>')


def test_latin_runs_inside_chinese_get_proportional_quotes():
    assert set_html("China’s 立場", "zh-TW") == f'<span class="latin">China’s</span>{NBSP}立場'
    assert set_html("見 Foreign Affairs 的文章", "zh-TW") == f'見{NBSP}<span class="latin">Foreign Affairs</span>{NBSP}的文章'
    assert set_html("俄羅斯", "zh-TW") == "俄羅斯"


def test_code_addresses_attributes_and_english_are_left_alone():
    markup = ('<p title="第9條">見<code>a中b</code>與<a href="https://x.org/中文">https://x.org/中文</a>，'
              '<span lang="en">2024年</span></p>')
    assert set_html(markup, "zh-TW") == markup
    assert set_html("<p>2024年 — China’s</p>", "en") == "<p>2024年 — China’s</p>"
    assert set_text("2024年", "en") == "2024年"


def test_markup_and_escapes_survive():
    assert set_html('<p class="x">A&amp;B 與 <b>C</b><br>&lt;tag&gt;</p>', "zh-TW") == (
        f'<p class="x">A&amp;B{NBSP}與 <b>C</b><br>&lt;tag&gt;</p>')  # a space before markup is the writer's


def source(**fields) -> Source:
    values = {"id": "x", "author": "", "year": 2024, "title": "", "publisher": "", "url": None, "date": None,
              "title_en": None, "origin": Origin("data/sources.yaml", 1)}
    values.update(fields)
    return Source(**values)


def test_a_chinese_reference_uses_chinese_citation_style():
    entry = source(author="丁樹範；李明峻", year=2024, title="俄朝簽訂《全面戰略夥伴關係協定》之影響",
                   publisher="遠景基金會《遠景論壇》", url="https://example.org/a", date=dt.date(2024, 7, 3),
                   title_en="The Treaty's Impact")
    assert reference(entry, link=True, url_shown=False, title_en=True) == (
        '丁樹範、李明峻（2024）。<a href="https://example.org/a">《俄朝簽訂〈全面戰略夥伴關係協定〉之影響》</a>'
        ' <span lang="en">[The Treaty&#x27;s Impact]</span>。遠景基金會《遠景論壇》，2024 年 7 月 3 日。')


def test_an_english_reference_is_apa_marked_english():
    entry = source(author="Smith, J.", year=2024, title="Allies", publisher="RAND", url="https://example.org/b")
    assert reference(entry, link=False, url_shown=True, title_en=False) == (
        '<span lang="en">Smith, J. (2024). Allies. <i>RAND</i>. '
        '<a href="https://example.org/b">https://example.org/b</a></span>')


def test_a_title_or_publisher_that_ends_a_sentence_takes_no_second_stop():
    question = source(author="Ramani, S.", year=2024, title="Phantom Threat or Geopolitical Reality?",
                      publisher="38 North", date=dt.date(2024, 6, 13))
    assert reference(question, link=False, url_shown=False, title_en=False) == (
        '<span lang="en">Ramani, S. (2024, June 13). Phantom Threat or Geopolitical Reality? <i>38 North</i>.</span>')
    abbreviated = source(author="Doe, J.", year=2020, title="Wait!", publisher="Brookings Inst.")
    assert reference(abbreviated, link=True, url_shown=False, title_en=True) == (
        '<span lang="en">Doe, J. (2020). Wait! <i>Brookings Inst.</i></span>')
    assert titled(source(title="Moving Toward Alliance 2.0?"), title_en=False) == (
        '<span lang="en">Moving Toward Alliance 2.0?</span>')
    assert titled(source(title="Союз?", title_en="Alliance?"), title_en=True) == (
        '<span lang="en">Союз? [Alliance?].</span>')  # the stop closes the bracket



def test_an_english_reference_is_laid_out_by_citeproc_with_the_data_escaped_and_untouched():
    # APA as citeproc-py lays it out: every author with "&" before the last, the full date; the title and
    # publisher as written (the style would capitalise "pp."), escaped; the address linked, and escaped in it.
    several = source(author="Frohman, B., Rafaelof, E., & Dale-Huang, A.", year=2022, title="A <b> & c",
                     publisher="Asian Survey, 62 (5-6), pp. 893-919", date=dt.date(2022, 1, 24),
                     url="https://example.org/a?b=1&c=2")
    assert reference(several, link=True, url_shown=True, title_en=True) == (
        '<span lang="en">Frohman, B., Rafaelof, E., &amp; Dale-Huang, A. (2022, January 24). '
        '<a href="https://example.org/a?b=1&amp;c=2">A &lt;b&gt; &amp; c</a>. <i>Asian Survey, 62 (5-6), pp. 893-919</i>. '
        '<a href="https://example.org/a?b=1&amp;c=2">https://example.org/a?b=1&amp;c=2</a></span>')
    body = source(author="Council of the EU", year=2022, title="Sanctions", publisher="Council of the European Union")
    assert reference(body, link=False, url_shown=False, title_en=False) == (
        '<span lang="en">Council of the EU. (2022). Sanctions. <i>Council of the European Union</i>.</span>')


def test_a_short_reference_gives_the_title_in_its_own_style():
    chinese = source(title="習近平向《美國》當選總統致賀電", title_en="Xi Congratulates")
    assert titled(chinese, title_en=False) == "《習近平向〈美國〉當選總統致賀電》。"
    assert titled(chinese, title_en=True) == '《習近平向〈美國〉當選總統致賀電》 <span lang="en">[Xi Congratulates]</span>。'
    assert titled(source(title="Allies & Rivals"), title_en=False) == '<span lang="en">Allies &amp; Rivals.</span>'


def test_each_element_keeps_its_own_language():
    assert set_html('<span lang="en">A <span>w</span> wait...</span> 等等...', "zh-TW") == (
        '<span lang="en">A <span>w</span> wait...</span> 等等……')
    assert set_html("<p>a<br lang=\"en\">等等...</p>", "zh-TW") == "<p>a<br lang=\"en\">等等……</p>"  # void: no scope
    assert set_html('<p>b<img lang="zh-TW" alt="">and...</p>', "en") == '<p>b<img lang="zh-TW" alt="">and...</p>'
    assert set_html("<p>見<b>x</b></i>2024年</p>", "zh-TW") == f"<p>見<b>x</b></i>2024{NBSP}年</p>"  # a stray end tag


def test_addresses_in_running_text_stay_as_written():
    assert set_text("見 https://example.org/a2024b?c=1 與2024年", "zh-TW") == (
        f"見 https://example.org/a2024b?c=1 與{NBSP}2024{NBSP}年")
    assert set_text("寫信到 desk2024@example.org。", "zh-TW") == "寫信到 desk2024@example.org。"


def test_a_handouts_title_and_stylesheet_pass_untouched():
    page = ('<html><head><title>金正恩與Kim的同盟</title><style>p > a::after { content: "&"; }</style></head>'
            "<body><p>金正恩與Kim</p></body></html>")
    assert set_html(page, "zh-TW") == page.replace("<p>金正恩與Kim</p>", f"<p>金正恩與{NBSP}Kim</p>")


def test_quotes_after_chinese_are_chinese_quotes_and_a_lone_quote_is_not_a_latin_run():
    assert set_html("他說“獨角獸同盟”", "zh-TW") == "他說“獨角獸同盟”"
    assert set_html("“" * 10, "zh-TW") == "“" * 10


def test_a_pathological_paragraph_gets_no_more_than_a_bounded_number_of_spans():
    assert set_html("），" * 5000, "zh-TW") == "），" * 5000
    assert set_html("a’ b " * 5000, "zh-TW").count("<span") <= 1


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://www.rfi.fr/tw/%E4%B8%AD%E5%9C%8B/20240619-%E4%BF%84", "https://www.rfi.fr/tw/中國/20240619-俄"),
        ("https://example.org/a%20b", "https://example.org/a%20b"),  # a space would end the address for a reader
        ("https://example.org/%FF", "https://example.org/%FF"),  # not UTF-8
        ("https://example.org/%3Cb%3E", "https://example.org/%3Cb%3E"),  # no markup characters
        ("https://example.org/plain", "https://example.org/plain"),
    ],
)
def test_references_show_addresses_decoded_when_that_is_safe(url, shown):
    from generator.typography import readable_url

    assert readable_url(url) == shown


def test_a_footnote_reference_stays_on_the_line_of_the_character_before_it():
    ref = '<sup id="fnref:a"><a class="footnote-ref" href="#fn:a">8</a></sup>'
    assert set_html(f"<p>中國力圖避免任何三邊安排{ref}，但也</p>", "zh-TW") == (
        f'<p>中國力圖避免任何三邊安<span class="note-keep">排{ref}</span>，但也</p>')
    assert set_html(f"<p>a treaty.{ref} Then</p>", "en") == f'<p>a treaty<span class="note-keep">.{ref}</span> Then</p>'
