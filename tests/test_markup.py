"""Markup: the allowlist a brief's HTML is held to, and what `check` says about the rest."""
from __future__ import annotations

import pytest
import yaml
from conftest import ROOT

from generator.markup import (
    MARKDOWN_EXTENSIONS,
    MARKDOWN_SETTINGS,
    audit,
    markdown_converter,
    read_html,
    sanitize,
)


@pytest.mark.parametrize("html, kept", [
    ("<p>正文<script>alert(1)</script></p>", "<p>正文</p>"),
    ('<p><img src="x.png" alt="圖" onerror="alert(1)"></p>', '<p><img src="x.png" alt="圖"></p>'),
    ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
    ('<a href="&#106;avascript:alert(1)">x</a>', "<a>x</a>"),
    ('<a href="java\tscript:alert(1)">x</a>', "<a>x</a>"),
    ('<a href="vbscript:msgbox">x</a>', "<a>x</a>"),
    ('<a href="data:text/html,&lt;script&gt;">x</a>', "<a>x</a>"),
    ('<a href="//198.51.100.7/x">x</a>', "<a>x</a>"),
    ('<a href="/\\198.51.100.7/x">x</a>', "<a>x</a>"),
    ('<a href="https://example.org/a?b=1#c">x</a>', '<a href="https://example.org/a?b=1#c">x</a>'),
    ('<a href="mailto:desk@example.org">x</a>', '<a href="mailto:desk@example.org">x</a>'),
    ('<a href="../dyads/russia-china.html#推理">x</a>', '<a href="../dyads/russia-china.html#推理">x</a>'),
    ('<a rel="attachment" href="file:///proc/self/environ">x</a>', "<a>x</a>"),
    ('<a href="https://example.org/" target="_blank" onclick="x()">x</a>', '<a href="https://example.org/">x</a>'),
    ('<img src="http://198.51.100.7/pixel.png" alt="">', '<img alt="">'),
    ('<img src="pictures/map.png" alt="地圖">', '<img src="pictures/map.png" alt="地圖">'),
    ('<iframe src="https://198.51.100.7/"></iframe><p>後</p>', "<p>後</p>"),
    ('<meta http-equiv="refresh" content="0;url=https://198.51.100.7/"><p>後</p>', "<p>後</p>"),
    ('<base href="https://198.51.100.7/"><link rel="stylesheet" href="http://198.51.100.7/x.css">', ""),
    ('<form action="https://198.51.100.7/"><input name="p"></form>', ""),
    ('<span style="position:fixed">假公告</span>', "<span>假公告</span>"),
    ('<svg onload="alert(1)"><circle r="5"></circle></svg><p>後</p>', "<p>後</p>"),
    ("<style>body{display:none}</style><p>後</p>", "<p>後</p>"),
    ("<!-- a comment --><p>後</p>", "<p>後</p>"),
    ('<p dir="rtl" lang="ar">نص</p>', '<p dir="rtl" lang="ar">نص</p>'),
    ('<p dir="sideways">x</p>', "<p>x</p>"),
    ('<table><tr><th style="text-align: right;">a</th></tr></table>',
     '<table><tbody><tr><th class="align-right">a</th></tr></tbody></table>'),
    ('<table><tr><td title="x" style="text-align: left;">a</td></tr></table>',
     '<table><tbody><tr><td title="x">a</td></tr></tbody></table>'),
    ('<noscript><img src="x.png" alt=""></noscript><select><option>1</option></select><p>後</p>', "<p>後</p>"),
    ('<figure class="chart"><img src="c.svg" alt="a" loading="lazy"><figcaption>圖</figcaption></figure>',
     '<figure class="chart"><img src="c.svg" alt="a" loading="lazy"><figcaption>圖</figcaption></figure>'),
    # A chart's phone variant: one picture per source, from inside the site.
    ('<picture><source media="(max-width: 596px)" srcset="c.narrow.svg" width="348" height="400" onerror="x()">'
     '<img src="c.svg" alt="a" width="605" height="461"></picture>',
     '<picture><source media="(max-width: 596px)" srcset="c.narrow.svg" width="348" height="400">'
     '<img src="c.svg" alt="a" width="605" height="461"></picture>'),
    ('<picture><source srcset="https://198.51.100.7/x.png"><img src="c.svg" alt=""></picture>',
     '<picture><source><img src="c.svg" alt=""></picture>'),
    ('<picture><source srcset="c.png 1x, https://198.51.100.7/x.png 2x"><img src="c.svg" alt=""></picture>',
     '<picture><source><img src="c.svg" alt=""></picture>'),
    ('<img srcset="https://198.51.100.7/x.png" src="c.svg" alt="">', '<img src="c.svg" alt="">'),
])
def test_the_sanitiser_keeps_exactly_the_allowlist(html, kept):
    assert sanitize(html) == kept


def messages(text: str) -> list[str]:
    return [str(problem) for problem in audit(text, "docs/briefs/x.en.md", 9)]


def test_the_audit_names_each_refused_element_attribute_and_address_with_its_line():
    text = ("# Title\n"
            "\n"
            'Text <a href="https://example.org/" onclick="steal()">a link</a> and [b](vbscript:x).\n'
            "\n"
            "<iframe src=\"https://198.51.100.7/\"></iframe>\n"
            "\n"
            "![pixel](http://198.51.100.7/p.png)\n")
    assert messages(text) == [
        "docs/briefs/x.en.md:11: the attribute onclick on <a> would run script; remove it",
        "docs/briefs/x.en.md:11: the link 'vbscript:x' is not allowed; links start with http://, https:// or mailto:, "
        "or are a path inside the site",
        "docs/briefs/x.en.md:13: the HTML element <iframe> is not published: it would show another page or program "
        "inside the site; link to it instead",
        "docs/briefs/x.en.md:15: the picture 'http://198.51.100.7/p.png' is on another site; the site and its "
        "handouts never load from the network, so save the picture under docs/ and give its path",
    ]


def test_what_a_commentary_needs_passes_the_audit_untouched():
    text = ("## 前言\n\n正文**重點**與*強調*，見[框架](../framework.md#表-2)與[來源](https://example.org/)。[^1]\n\n"
            "| 國家 | 威脅 |\n|:--|--:|\n| 俄羅斯 | 高度 |\n\n"
            '<figure markdown="1">\n![地圖](../pictures/map.png){ width="600" }\n<figcaption>圖一</figcaption>\n</figure>\n\n'
            "> 引文\n\n1. 一\n2. 二\n\n[^1]: 註，<mailto:desk@example.org>。\n")
    assert messages(text) == []
    html = markdown_converter().convert(text)
    assert "<script" not in sanitize(html) and 'class="align-right"' in sanitize(html)


def test_a_refused_element_is_one_message_however_much_it_holds():
    assert messages('<svg onload="x()"><g><circle r="1"/><script>y()</script></g></svg>\n') == [
        "docs/briefs/x.en.md:9: the HTML element <svg> is not published: save the picture as a .png or .jpg file "
        "under docs/ and show that instead"]


def test_the_extensions_are_the_ones_mkdocs_uses():
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/name:", lambda loader, suffix, node: suffix)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    configured = {}
    for entry in config["markdown_extensions"]:
        name, settings = next(iter(entry.items())) if isinstance(entry, dict) else (entry, {})
        configured[name] = settings
    assert tuple(configured) == MARKDOWN_EXTENSIONS
    for name, settings in MARKDOWN_SETTINGS.items():
        expected = {key: (f"{value.__module__}.{value.__name__}" if callable(value) else value)
                    for key, value in settings.items()}
        assert configured[name] == expected, name


def test_the_sites_own_pages_fit_the_allowlist(site_plan):
    """Our templates may not depend on what briefs are refused: every generated page passes as it is."""
    for page in site_plan.pages:
        findings = read_html(markdown_converter().convert(page.markdown.split("---", 2)[2])).findings
        assert findings == (), (page.src_uri, findings[:3])


@pytest.fixture(scope="module")
def site_plan(tmp_path_factory):
    from generator.build import PLAN, Build, Settings
    from generator.pages import render_pages
    from generator.site import site_settings

    build = Build(Settings.of(ROOT / "mkdocs.yml", ROOT / "data", ROOT / "docs", tmp_path_factory.mktemp("out") / "site"))
    for step in PLAN[:2]:  # read, charts
        build.run_step(step)
    analysis, charts = build.analysis, build.outputs["charts"]
    return render_pages(analysis, charts, site_settings(build))


def test_prose_leaves_out_code_addresses_and_attributes_and_keeps_every_place():
    from generator.markup import prose

    text = ("正文信息，`code 信息`，[連結信息](https://example.org/信息 \"標題信息\")，![圖信息](pictures/信息.png)。\n"
            "<span title=\"信息\">元素信息</span> https://zh.wikipedia.org/wiki/信息，<https://example.org/信息>\n"
            "\n"
            "    indented code 信息\n"
            "\n"
            "- 項目信息\n"
            "\n"
            "    項目續行信息\n"
            "\n"
            "```\n"
            "fenced code 信息\n"
            "```\n"
            "[ref]: https://example.org/信息 \"信息\"\n"
            "[^note]: 註腳信息。\n"
            "<!-- 註解信息 -->\n"
            "段落信息 {: title=\"信息\" }\n")
    kept = prose(text)
    assert len(kept) == len(text) and kept.count("\n") == text.count("\n")
    assert [line.split() for line in kept.split("\n")] == [
        ["正文信息，", "，[連結信息", "，![圖信息", "。"],
        ["元素信息", "，"],
        [], [], [],
        ["-", "項目信息"],
        [],
        ["項目續行信息"],
        [], [], [], [],
        ["[ref]:"],
        ["[^note]:", "註腳信息。"],
        [],
        ["段落信息"],
        [],
    ]
