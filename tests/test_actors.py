"""A page per actor, links from every mention of an actor, and related briefs: rendered in-process (fast tier)."""
from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pytest
from conftest import ROOT

from generator.convert import convert

ORGANISATION = {key: {"zh-TW": key, "en": key} for key in ("name", "series", "tagline", "about", "editor_note")}


def render(docs: Path = ROOT / "docs", site_url: str = ""):
    from generator.charts import ChartSet, plan
    from generator.classify import classify
    from generator.load import load_data
    from generator.pages import Settings, render_pages
    from generator.validate import validate

    analysis = classify(validate(load_data(ROOT / "data", docs)))
    charts = ChartSet(tuple(job.placeholder("chart", "alt") for job in plan(analysis)))
    return render_pages(analysis, charts, Settings(organisation=ORGANISATION, site_url=site_url))


@pytest.fixture(scope="module")
def shipped():
    return render()


def markup(plan, key: str, lang: str) -> str:
    return plan.page(key, lang).markdown


def section(text: str, start: str, end: str | None = None) -> str:
    """The page from the heading `start` to the next heading (or to `end`)."""
    begin = text.index(start)
    stop = text.index(end, begin + len(start)) if end else len(text)
    return text[begin:stop]


def cards(text: str) -> list[tuple[str, str, str, str]]:
    """Each compact verdict card: (dyad, type, commitment, cohesion)."""
    return re.findall(r'<p class="verdict-title"><a href="[^"]+">([^<]+)</a>.*?<dd class="verdict-type">([^<]+)</dd>'
                      r'</div>\n<div><dt>[^<]+</dt><dd>([^<]+)</dd></div>\n<div><dt>[^<]+</dt><dd>([^<]+)</dd>', text, re.S)


def brief_titles(text: str) -> list[str]:
    return re.findall(r'<p class="brief-title"><a href="[^"]+">([^<]+)</a></p>', text)


def test_the_united_states_is_the_outside_actor_of_three_dyads_and_a_member_of_none(shipped):
    page = markup(shipped, "actor:usa", "en")
    assert '<h1 id="united-states" class="search-subject">United States</h1>' in page
    member = section(page, '<h3 id="as-a-member">', "<h3")
    assert cards(member) == []
    assert "<p>No dyad has the United States as a member.</p>" in member
    outside = section(page, '<h3 id="as-the-outside-actor">', "<h2")
    assert cards(outside) == [
        ("North Korea–China", "balancing–tethering alliance", "variable", "low to medium"),
        ("Russia–China", "balancing–hedging alliance", "low to medium", "low to medium"),
        ("Russia–North Korea", "balancing–balancing alliance", "high", "high"),
    ]
    assert "Outside actor:" not in outside  # the page's own actor, on every card
    chinese = markup(shipped, "actor:usa", "zh-TW")
    assert "<p>沒有任何一組雙邊關係以美國為成員。</p>" in chinese
    assert cards(section(chinese, '<h3 id="作為外部行為者">', "<h2")) == [
        ("朝中關係", "抗衡–籠絡同盟", "多變", "低度到中度"),
        ("俄中關係", "抗衡–避險同盟", "低度到中度", "低度到中度"),
        ("俄朝關係", "抗衡–抗衡同盟", "高度", "高度"),
    ]


def test_chinas_page_lists_its_dyads_triad_briefs_and_events_newest_first(shipped):
    page = markup(shipped, "actor:chn", "en")
    assert cards(section(page, '<h3 id="as-a-member">', "<h3")) == [
        ("North Korea–China", "balancing–tethering alliance", "variable", "low to medium"),
        ("Russia–China", "balancing–hedging alliance", "low to medium", "low to medium"),
    ]
    # Its position in each is its own name, unlinked on its own page; the partner and the outside actor are linked.
    assert ('<li class="actor-1 strategy-balancing"><a class="actor-link" href="prk.html">North Korea</a>: cell '
            '<a class="rule-link" href="../framework.html#cell-H">H</a>, balancing</li>\n'
            '<li class="actor-2 strategy-tethering">China: cell <a class="rule-link" href="../framework.html#cell-B">'
            'B</a>, tethering</li>') in page
    assert ('<span class="verdict-facing">Outside actor: <a class="actor-link" href="usa.html">United States</a>'
            '</span>') in page
    assert "<p>No dyad has China as its outside actor.</p>" in page
    assert section(page, '<h2 id="triads">', "<h2 id=\"briefs\">") == (
        '<h2 id="triads">Triads</h2>\n<ul class="triad-list">\n<li><a href="../triads/chn-prk-rus-usa.html">chart</a>: '
        "Under the threat levels recorded here, a trilateral balancing alliance is unlikely.</li>\n</ul>\n")
    assert brief_titles(section(page, '<h2 id="briefs">', '<h2 id="events">')) == [
        "Will Russia, North Korea and China Form an Anti-US Alliance? Assessing Three Dyads",
        "How the Russia–North Korea Treaty Changes Northeast Asia",
        "Are Alliances Being Reborn?",
        "China–Russia Military Cooperation: Strategic Ambiguity and Article 9 of the 2001 Treaty",
    ]
    events = section(page, '<h2 id="events">')
    assert re.findall(r'<time datetime="([0-9-]+)">', events) == [
        "2025-05-08", "2025-05-08", "2025-02-24", "2024-11-07", "2024-10-31", "2024-05-29", "2024-05-16",
        "2023-03-21", "2023-02-24", "2022-02-04", "2021-03-23", "2017-04-28"]
    assert ('<li><time datetime="2024-11-07">2024-11-07</time> Xi congratulates Trump on his election and says both '
            'countries gain from cooperation\n<span class="event-source"><a href="../bibliography.html#src-ren-wang-2024">'
            "Ren &amp; Wang (2024)</a></span>") in events
    chinese = markup(shipped, "actor:chn", "zh-TW")
    assert ('<li><time datetime="2017-04-28">2017-04-28</time> 《環球時報》社評：北韓擁核違背中國利益\n'
            '<span class="event-source"><a href="../bibliography.html#src-chang-2017">張謙（2017）</a></span>') in chinese
    briefs = brief_titles(section(chinese, '<h2 id="評析">', '<h2 id="相關事件">'))
    assert briefs[0] == "俄朝中會形成抗美同盟嗎？三組雙邊關係的評估" and len(briefs) == 4


def test_every_mention_of_an_actor_in_a_card_or_a_heading_links_to_its_page_in_the_same_language(shipped):
    pages = {page.url for page in shipped.pages}
    actor_pages = {shipped.page(f"actor:{code}", lang).url: name for code, names in
                   {"chn": ("中國", "China"), "prk": ("北韓", "North Korea"), "rus": ("俄羅斯", "Russia"),
                    "usa": ("美國", "United States")}.items()
                   for lang, name in zip(("zh-TW", "en", "zh-Hans"), (*names, convert(names[0], "tw2sp")), strict=True)}
    dyad = markup(shipped, "dyad:russia-china", "en")
    assert ('<p class="dyad-actors search-subject"><a class="actor-link" href="../actors/rus.html">Russia</a> and '
            '<a class="actor-link" href="../actors/chn.html">China</a>; outside actor: <a class="actor-link" '
            'href="../actors/usa.html">United States</a></p>') in dyad
    assert '<h3 id="russia"><a class="actor-link" href="../actors/rus.html">Russia</a></h3>' in dyad
    assert ('<li class="actor-1 strategy-balancing"><a class="actor-link" href="../actors/rus.html">Russia</a>: cell '
            '<a class="rule-link" href="../framework.html#cell-G">G</a>, balancing</li>') in dyad
    triad = markup(shipped, "triad:chn-prk-rus-usa", "zh-TW")
    assert ('<a class="actor-link" href="../actors/chn.html">中國</a>、<a class="actor-link" href="../actors/prk.html">北韓'
            '</a>、<a class="actor-link" href="../actors/rus.html">俄羅斯</a>：以<a class="actor-link" '
            'href="../actors/usa.html">美國</a>為外部行為者</h1>') in triad
    # A brief's embedded card and the home page's cards link too, each to the page in its own language.
    assert '<a class="actor-link" href="../actors/prk.html">North Korea</a>' in markup(
        shipped, "brief:russia-north-korea-treaty", "en")
    assert 'Outside actor: <a class="actor-link" href="actors/usa.html">United States</a>' in markup(
        shipped, "home", "en")
    linked = 0
    for page in shipped.pages:
        for name_href, name in re.findall(r'<a class="actor-link" href="([^"]+)">([^<]+)</a>', page.markdown):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page.url), name_href))
            assert target in pages and actor_pages[target] == name, (page.url, name_href, name)
            assert target.startswith("en/") == page.url.startswith("en/"), (page.url, name_href)
            linked += 1
    assert linked > 100


def test_the_actors_list_is_a_page_of_its_own_linked_from_the_dyads_list(shipped):
    page = markup(shipped, "actors", "en")
    assert re.findall(r'<li><a class="actor-link" href="([a-z]+\.html)">([^<]+)</a>: <span class="actor-count">([^<]+)',
                      page) == [("chn.html", "China", "2 dyads"), ("prk.html", "North Korea", "2 dyads"),
                                ("rus.html", "Russia", "2 dyads"), ("usa.html", "United States", "3 dyads")]
    assert ('<p class="meta">You can also browse the dyads by <a href="../actors/index.html">actor</a>.</p>'
            in markup(shipped, "dyads", "en"))
    assert '<p class="meta">亦可依<a href="../actors/index.html">行為者</a>瀏覽各組雙邊關係。</p>' in markup(
        shipped, "dyads", "zh-TW")


def test_a_handout_without_a_site_address_names_actors_without_links():
    from generator.charts import ChartSet
    from generator.classify import classify
    from generator.handouts import PrintContext
    from generator.load import load_data
    from generator.pages import Settings
    from generator.validate import validate

    analysis = classify(validate(load_data(ROOT / "data", ROOT / "docs")))
    for site_url, expected in (("", "Russia"),
                               ("https://briefs.example.net/", '<a class="actor-link" '
                                'href="https://briefs.example.net/en/actors/rus.html">Russia</a>')):
        ctx = PrintContext(analysis, ChartSet(()), Settings(organisation=ORGANISATION, site_url=site_url), "en",
                           "dyads/russia-china.html", site_dir=Path("site"))
        assert str(ctx.actor_link("RUS")) == expected


BRIEF = """\
---
title: {title}
author: Desk
affiliation: Desk
date: {date}
summary: A summary.
dyads: [{dyads}]
{actors}---

Text.
"""


def test_related_briefs_share_a_dyad_or_a_member_state_in_the_same_language_newest_first_at_most_five(tmp_path):
    briefs = {  # slug: (date, dyads, front-matter actors, languages)
        "a": ("2025-01-09", "russia-china", "", ("en",)),
        "b": ("2025-01-08", "russia-north-korea", "", ("en",)),
        "c": ("2025-01-07", "", "[PRK]", ("en",)),  # about North Korea alone: shares no dyad or member with a
        "d": ("2025-01-06", "north-korea-china", "", ("en",)),
        "e": ("2025-01-05", "russia-china", "", ("zh-TW",)),  # another language
        "f": ("2025-01-04", "russia-china", "", ("en",)),
        "g": ("2025-01-03", "russia-china", "", ("en",)),
        "h": ("2025-01-02", "russia-china", "", ("en",)),
        "i": ("2025-01-01", "russia-china", "", ("en",)),  # the sixth: one too many
    }
    folder = tmp_path / "docs" / "briefs"
    folder.mkdir(parents=True)
    for slug, (date, dyads, actors, languages) in briefs.items():
        for lang in languages:
            (folder / f"{slug}.{lang}.md").write_text(BRIEF.format(
                title=f"Brief {slug}", date=date, dyads=dyads, actors=f"actors: {actors}\n" if actors else ""), "utf-8")
    plan = render(tmp_path / "docs")

    def related(key: str, lang: str = "en") -> list[str]:
        text = markup(plan, key, lang)
        return brief_titles(section(text, '<section class="related-briefs">')) if "related-briefs" in text else []

    assert related("brief:a") == ["Brief b", "Brief d", "Brief f", "Brief g", "Brief h"]
    assert related("brief:c") == ["Brief b", "Brief d"]  # the briefs about North Korea
    assert related("brief:i") == ["Brief a", "Brief b", "Brief d", "Brief f", "Brief g"]
    assert related("brief:e", "zh-TW") == []  # the only brief in Chinese
    assert related("dyad:russia-north-korea") == ["Brief a", "Brief b", "Brief c", "Brief d", "Brief f"]
    # An actor's page lists every brief about it: through its dyads, as a member or the outside actor, or by name.
    assert brief_titles(markup(plan, "actor:prk", "en")) == ["Brief b", "Brief c", "Brief d"]
    assert brief_titles(markup(plan, "actor:usa", "en")) == [f"Brief {slug}" for slug in "abdfghi"]
    # A brief without notes gets no marker; one with notes has them before its related briefs (the seed's).
    assert "Footnotes Go Here" not in markup(plan, "brief:a", "en")
    shipped = markup(render(), "brief:three-dyads", "en")
    assert shipped.index("///Footnotes Go Here///") < shipped.index('<section class="related-briefs">')


def test_a_brief_may_name_the_actors_it_is_about_and_an_unknown_one_is_refused(tmp_path):
    from generator.load import load_data
    from generator.model import DataError
    from generator.validate import validate

    folder = tmp_path / "docs" / "briefs"
    folder.mkdir(parents=True)
    (folder / "x.en.md").write_text(BRIEF.format(title="X", date="2025-01-01", dyads="", actors="actors: [USA, CHM]\n"),
                                    "utf-8")
    with pytest.raises(DataError) as error:
        validate(load_data(ROOT / "data", tmp_path / "docs"))
    assert [str(problem) for problem in error.value.problems] == [
        f"{folder / 'x.en.md'}:8: unknown actor 'CHM' in actors; add it to actors.yaml or fix the id (did you mean CHN?)"]
