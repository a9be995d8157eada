"""Publishing and reuse: the Atom feeds, the share cards, the share tags and hreflang clusters on every page,
and the sitemap's alternates. Feeds and cards are checked from the data in the fast tier; a whole site built
with a site_url is walked in the slow tier."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import struct
import warnings
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from generator.languages import TABLE

SITE_URL = "https://alliances.example/"
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def organisation() -> dict:
    """mkdocs.yml's organisation, read without the Python tag it names for the Markdown extensions."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    return yaml.load((ROOT / "mkdocs.yml").read_text("utf-8"), Loader=Loader)["extra"]["organisation"]


@pytest.fixture(scope="module")
def analysis():
    from generator.cli import analyse

    return analyse(str(ROOT / "data"), str(ROOT / "docs"))


@pytest.fixture(scope="module")
def settings():
    from generator.pages import Settings

    return Settings(organisation=organisation(), site_url=SITE_URL, build_date=dt.date(2025, 7, 1))


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


# ---- feeds -------------------------------------------------------------------------------------------


def feeds(analysis, settings) -> dict[str, ElementTree.Element]:
    from generator.charts import ChartSet
    from generator.feeds import render_feeds

    return {path: ElementTree.fromstring(data) for path, data in render_feeds(analysis, ChartSet(()), settings)}


def check_atom(feed: ElementTree.Element, path: str) -> None:
    """RFC 4287's rules for a feed and its entries, as far as a reader relies on them."""
    assert feed.tag == f"{ATOM}feed", path
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{name}")) == 1 and feed.findtext(f"{ATOM}{name}"), (path, name)
    links = {link.get("rel", "alternate"): link for link in feed.findall(f"{ATOM}link")}
    assert links["self"].get("href") == SITE_URL + path and links["self"].get("type") == "application/atom+xml"
    assert links["alternate"].get("href").startswith(SITE_URL) and links["alternate"].get("type") == "text/html"
    has_author = feed.find(f"{ATOM}author/{ATOM}name") is not None and feed.findtext(f"{ATOM}author/{ATOM}name")
    entries = feed.findall(f"{ATOM}entry")
    updates = []
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1 and entry.findtext(f"{ATOM}{name}"), (path, name)
        assert has_author or entry.findtext(f"{ATOM}author/{ATOM}name"), path
        alternates = [link for link in entry.findall(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"]
        assert len(alternates) == 1 and alternates[0].get("href").startswith(SITE_URL), path
        assert alternates[0].get("rel") == "alternate" and alternates[0].get("type") == "text/html"
        assert entry.findtext(f"{ATOM}summary"), path
        updates.append(dt.datetime.fromisoformat(entry.findtext(f"{ATOM}updated")))
    assert len({entry.findtext(f"{ATOM}id") for entry in entries}) == len(entries), f"{path}: ids repeat"
    assert updates == sorted(updates, reverse=True), f"{path}: not newest first"
    feed_updated = dt.datetime.fromisoformat(feed.findtext(f"{ATOM}updated"))
    assert feed_updated == max(updates), f"{path}: updated is not the newest entry's date"
    assert feed_updated.tzinfo is not None


def test_there_are_two_feeds_per_language_and_each_follows_the_atom_rules(analysis, settings):
    made = feeds(analysis, settings)
    assert sorted(made) == ["feeds/briefs.en.xml", "feeds/briefs.zh-Hans.xml", "feeds/briefs.zh-TW.xml",
                            "feeds/verdicts.en.xml", "feeds/verdicts.zh-Hans.xml", "feeds/verdicts.zh-TW.xml"]
    for path, feed in made.items():
        check_atom(feed, path)
        assert feed.get(XML_LANG) == path.split(".")[1]


def test_the_briefs_feed_lists_each_languages_briefs_newest_first_with_full_titles(analysis, settings):
    made = feeds(analysis, settings)
    english = made["feeds/briefs.en.xml"]
    entries = english.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [
        "Will Russia, North Korea and China Form an Anti-US Alliance? Assessing Three Dyads",
        "How the Russia–North Korea Treaty Changes Northeast Asia",
        "Are Alliances Being Reborn?",
        "China–Russia Military Cooperation: Strategic Ambiguity and Article 9 of the 2001 Treaty",
    ]
    assert [entry.findtext(f"{ATOM}id") for entry in entries] == [
        f"{SITE_URL}en/briefs/{slug}.html"
        for slug in ("three-dyads", "russia-north-korea-treaty", "alliances-reborn", "china-russia-ambiguity")]
    assert [entry.findtext(f"{ATOM}updated") for entry in entries] == [
        "2025-07-17T00:00:00+00:00", "2025-07-10T00:00:00+00:00", "2025-07-03T00:00:00+00:00",
        "2025-06-26T00:00:00+00:00"]
    assert english.findtext(f"{ATOM}updated") == "2025-07-17T00:00:00+00:00"
    assert {entry.findtext(f"{ATOM}author/{ATOM}name") for entry in entries} == {"Alliance Briefs Desk Editorial Team"}
    assert entries[2].findtext(f"{ATOM}summary").startswith("After the Cold War, military alliances faded")
    assert [link.get("href") for link in entries[0].findall(f"{ATOM}link")] == [f"{SITE_URL}en/briefs/three-dyads.html"]
    chinese = made["feeds/briefs.zh-TW.xml"].findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in chinese] == [
        "俄朝中會形成抗美同盟嗎？三組雙邊關係的評估", "俄朝《全面戰略夥伴關係條約》如何改變東北亞", "同盟會重生嗎？",
        "中俄軍事合作：戰略模糊與 2001 年條約第 9 條"]
    assert chinese[0].findtext(f"{ATOM}id") == f"{SITE_URL}briefs/three-dyads.html"
    assert {entry.findtext(f"{ATOM}author/{ATOM}name") for entry in chinese} == {"同盟觀察研究室編輯部"}
    assert made["feeds/briefs.zh-TW.xml"].findtext(f"{ATOM}title") == "同盟觀察評析：最新評析"


def test_the_verdicts_feed_has_an_entry_per_dyad_dated_by_its_assessment(analysis, settings):
    made = feeds(analysis, settings)
    english = made["feeds/verdicts.en.xml"].findall(f"{ATOM}entry")
    # All three were assessed on the same day: the site's order (by id) breaks the tie.
    assert [entry.findtext(f"{ATOM}title") for entry in english] == [
        "North Korea–China: balancing–tethering alliance",
        "Russia–China: balancing–hedging alliance",
        "Russia–North Korea: balancing–balancing alliance",
    ]
    assert [entry.findtext(f"{ATOM}id") for entry in english] == [
        f"{SITE_URL}en/dyads/north-korea-china.html#verdict-2025-06-30-balancing-tethering",
        f"{SITE_URL}en/dyads/russia-china.html#verdict-2025-06-30-balancing-hedging",
        f"{SITE_URL}en/dyads/russia-north-korea.html#verdict-2025-06-30-balancing-balancing",
    ]
    assert english[1].findtext(f"{ATOM}summary").startswith(
        "Assessed as of 30 June 2025: commitment low to medium, cohesion low to medium. Russia wants")
    assert {entry.findtext(f"{ATOM}updated") for entry in english} == {"2025-06-30T00:00:00+00:00"}
    chinese = made["feeds/verdicts.zh-TW.xml"].findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in chinese] == [
        "朝中關係：抗衡–籠絡同盟", "俄中關係：抗衡–避險同盟", "俄朝關係：抗衡–抗衡同盟"]
    assert chinese[1].findtext(f"{ATOM}summary").startswith("評估日期：2025 年 6 月 30 日。承諾低度到中度，凝聚力低度到中度。")


def test_a_newer_assessment_is_a_new_entry_at_the_top_and_dates_the_feed(analysis, settings):
    """A dyad whose one assessment is redated is a new entry (new id), newest first."""
    from generator.model import Analysis

    dyads = list(analysis.dyads)
    later = dataclasses.replace(dyads[2], dyad=dataclasses.replace(dyads[2].dyad, as_of=dt.date(2025, 8, 1)))
    changed = Analysis(analysis.dataset, tuple(dyads[:2] + [later]), analysis.triads)
    feed = feeds(changed, settings)["feeds/verdicts.en.xml"]
    check_atom(feed, "feeds/verdicts.en.xml")
    entries = feed.findall(f"{ATOM}entry")
    assert entries[0].findtext(f"{ATOM}id") == (
        f"{SITE_URL}en/dyads/russia-north-korea.html#verdict-2025-08-01-balancing-balancing")
    assert feed.findtext(f"{ATOM}updated") == "2025-08-01T00:00:00+00:00"


def test_feeds_are_the_same_bytes_every_time_and_none_without_a_site_url(analysis, settings):
    from generator.charts import ChartSet
    from generator.feeds import render_feeds

    first = render_feeds(analysis, ChartSet(()), settings)
    second = render_feeds(analysis, ChartSet(()), dataclasses.replace(settings, build_date=dt.date(2030, 1, 1)))
    assert first == second  # the build date is never in a feed that has entries
    assert b"2030" not in b"".join(data for _, data in first)
    assert render_feeds(analysis, ChartSet(()), dataclasses.replace(settings, site_url="")) == ()


# ---- share cards -----------------------------------------------------------------------------------


def draw(job):
    from generator.cards import draw_card

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # tofu, text leaving the card's margins or meeting other text fails
        return draw_card(job)


def test_every_card_is_1200_by_630_and_the_same_bytes_when_drawn_again(analysis):
    from generator.cards import plan_cards

    jobs = plan_cards(analysis, organisation(), SITE_URL)
    assert sorted(job.path for job in jobs) == sorted(
        [f"cards/site.{lang}.png" for lang in ("zh-TW", "en", "zh-Hans")]
        + [f"cards/dyads/{dyad}.{lang}.png" for dyad in ("north-korea-china", "russia-china", "russia-north-korea")
           for lang in ("zh-TW", "en", "zh-Hans")]
        + [f"cards/briefs/{slug}.{lang}.png" for slug in ("alliances-reborn", "china-russia-ambiguity",
                                                          "russia-north-korea-treaty", "three-dyads")
           for lang in ("zh-TW", "en", "zh-Hans")])
    drawn = {job.path: draw(job) for job in jobs}
    for path, (png, _) in drawn.items():
        assert png_size(png) == (1200, 630), path
        assert b"Software" not in png and b"tIME" not in png, path
    for path in ("cards/dyads/russia-china.zh-TW.png", "cards/briefs/three-dyads.en.png"):
        assert draw(next(job for job in jobs if job.path == path)) == drawn[path]
    assert drawn["cards/dyads/russia-china.zh-TW.png"][1] == (
        "分享圖卡：同盟觀察評析／俄中關係／俄羅斯與中國；外部行為者：美國／抗衡–避險同盟／"
        "承諾：低度到中度\u3000凝聚力：低度到中度／評估日期：2025\u00a0年\u00a06\u00a0月\u00a030\u00a0日")


def test_texts_too_long_for_the_card_are_cut_with_an_ellipsis_and_never_leave_it(analysis):
    from generator.cards import Block, plan_cards

    jobs = {job.path: job for job in plan_cards(analysis, organisation(), SITE_URL)}
    title_zh = "俄羅斯、北韓與中國在烏克蘭戰爭之後的軍事合作：條約、演習與武器轉移對東北亞安全秩序的長期影響" * 2
    summary_zh = "本文檢視俄朝中三方在 2022 年之後的互動，" * 12
    title_en = "Russia, North Korea and China after the War in Ukraine: Treaties, Exercises and Arms Transfers " * 3
    summary_en = "This brief reads the three states' dealings since 2022 through Weitsman's framework, " * 10
    name = "the Democratic People's Republic of Korea and the Russian Federation, facing the United States " * 2
    for path, title, summary in (("cards/briefs/three-dyads.zh-TW.png", title_zh, summary_zh),
                                 ("cards/briefs/three-dyads.en.png", title_en, summary_en)):
        job = jobs[path]
        lang = job.blocks[0].lang
        long = dataclasses.replace(job, blocks=(dataclasses.replace(job.blocks[0], text=title),
                                                dataclasses.replace(job.blocks[1], text=summary)),
                                   footer=Block(name, lang, 20))
        png, alt = draw(long)  # any text outside the margins or over another fails here
        assert png_size(png) == (1200, 630)
        ellipsis = "……" if lang == "zh-TW" else "…"
        assert alt.count(ellipsis) == 3, alt  # title, summary and byline each cut
    dyad = jobs["cards/dyads/russia-china.en.png"]
    wordy = dataclasses.replace(dyad, blocks=tuple(dataclasses.replace(block, text=block.text + " " + name)
                                                   for block in dyad.blocks))
    assert png_size(draw(wordy)[0]) == (1200, 630)


def test_a_cut_text_ends_at_a_word_or_a_character_and_fits_its_lines():
    import matplotlib

    from generator.cards import cut_to
    from generator.charts import style, text_width

    with matplotlib.rc_context({**style("zh-TW"), "text.hinting": "none"}):
        drawn, source = cut_to("Commitment and cohesion differ widely across the three dyads", 200, 24, "normal", 2, "…")
        assert source == "Commitment and cohesion differ…"
        assert drawn == "Commitment and\ncohesion differ…"
        assert all(text_width(line, 24) <= 200 for line in drawn.split("\n"))
        drawn, source = cut_to("承諾與凝聚力在三組雙邊關係之間差異甚大", 200, 24, "normal", 2, "……")
        assert source.endswith("……") and drawn.replace("\n", "") == source and len(drawn.split("\n")) == 2
        assert cut_to("Short", 200, 24, "normal", 1, "…") == ("Short", "Short")


# ---- a whole site with a site_url ------------------------------------------------------------------


class Head(HTMLParser):
    """A page's head: meta tags by name or property, and its link elements."""

    def __init__(self, text: str):
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.links: list[dict] = []
        self.lang = ""
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang", "")
        if tag == "meta" and ("name" in attributes or "property" in attributes):
            key = attributes.get("property") or attributes.get("name")
            self.meta.setdefault(key, []).append(attributes.get("content", ""))
        if tag == "link":
            self.links.append(attributes)

    def one(self, key: str) -> str:
        values = self.meta.get(key, [])
        assert len(values) == 1 and values[0], key
        return values[0]

    def cluster(self) -> dict[str, str]:
        found = [(link["hreflang"], link["href"]) for link in self.links
                 if link.get("rel") == "alternate" and "hreflang" in link]
        assert len(found) == len(dict(found)), found
        return dict(found)


def resolve(site: Path, url: str) -> Path:
    assert url.startswith(SITE_URL), url
    target = site / url.removeprefix(SITE_URL).partition("#")[0]
    assert target.is_file(), url
    return target


@pytest.fixture(scope="module")
def shared(warm, tmp_path_factory):
    """The project built with a site_url, from the warm checkout's cache (so charts and fonts are not drawn again),
    then built again from nothing but that cache with the share cards removed from it."""
    from projects import build, checkout, stage_line, tree

    project = checkout(tmp_path_factory.mktemp("shared") / "project", cache_from=warm)
    settings = project / "mkdocs.yml"
    settings.write_text(settings.read_text("utf-8") + f"site_url: {SITE_URL}\n", "utf-8")
    first = build(project)
    assert first.returncode == 0, first.stderr
    built = tree(project / "site")
    shutil.rmtree(project / "build" / "cache" / "cards")
    again = build(project, "--clean")
    assert again.returncode == 0, again.stderr
    return project / "site", built, [stage_line(first.stderr, "cards"), stage_line(again.stderr, "cards")], first.stderr


@pytest.mark.slow
def test_every_page_has_share_tags_with_absolute_addresses_of_files_in_the_site(shared):
    site = shared[0]
    # The site's pages; a chart's embed page is a picture for another site's frame, with none of these tags.
    pages = [path for path in sorted(site.rglob("*.html")) if path.name != "404.html"
             and path.relative_to(site).parts[0] != "embed"]
    assert len(pages) == 63
    cards = set()
    for path in pages:
        head = Head(path.read_text("utf-8"))
        own = SITE_URL + path.relative_to(site).as_posix()
        assert head.one("description")
        canonical = [link["href"] for link in head.links if link.get("rel") == "canonical"]
        assert canonical == [own], path
        assert head.one("og:url") == own
        for key in ("og:title", "og:description", "og:type", "og:site_name", "og:image:alt", "twitter:title",
                    "twitter:description", "twitter:image:alt"):
            head.one(key)
        assert head.one("og:type") == ("article" if "/briefs/" in own and not own.endswith("index.html")
                                       else "website"), path
        locales = {"zh-TW": "zh_TW", "en": "en_GB", "zh-Hans": "zh_CN"}
        assert head.one("og:locale") == locales[head.lang]
        assert head.meta["og:locale:alternate"] == [locales[lang] for lang in locales if lang != head.lang]
        assert head.one("twitter:card") == "summary_large_image"
        image = head.one("og:image")
        assert head.one("twitter:image") == image
        assert (head.one("og:image:width"), head.one("og:image:height")) == ("1200", "630")
        assert png_size(resolve(site, image).read_bytes()) == (1200, 630)
        cards.add(image)
        kind = path.relative_to(site / TABLE.language(head.lang).prefix).parts
        if kind[0] in ("dyads", "briefs") and kind[1] != "index.html":
            assert image == f"{SITE_URL}cards/{kind[0]}/{kind[1].removesuffix('.html')}.{head.lang}.png", path
        else:
            assert image == f"{SITE_URL}cards/site.{head.lang}.png", path
        feeds = [link for link in head.links if link.get("type") == "application/atom+xml"]
        assert [link["href"] for link in feeds] == [f"{SITE_URL}feeds/{name}.{head.lang}.xml"
                                                    for name in ("briefs", "verdicts")]
        for link in feeds:
            assert link["rel"] == "alternate" and link["title"]
            resolve(site, link["href"])
    assert len(cards) == 24  # the site's, each dyad's and each brief's, in three languages


@pytest.mark.slow
def test_every_hreflang_cluster_is_complete_and_symmetric_and_the_sitemap_agrees(shared):
    site = shared[0]
    clusters = {}
    for path in sorted(site.rglob("*.html")):
        if path.name == "404.html" or path.relative_to(site).parts[0] == "embed":
            continue
        head = Head(path.read_text("utf-8"))
        own = SITE_URL + path.relative_to(site).as_posix()
        cluster = head.cluster()
        assert set(cluster) == {"zh-TW", "en", "zh-Hans", "x-default"}, path
        assert cluster[head.lang] == own, path
        assert cluster["x-default"] == cluster["zh-TW"], path
        for url in cluster.values():
            resolve(site, url)
        clusters[own] = cluster
    for own, cluster in clusters.items():
        for url in cluster.values():
            assert clusters[url] == cluster, (own, url)  # every member lists the same cluster
    sitemap = ElementTree.parse(site / "sitemap.xml").getroot()
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    listed = {}
    for entry in sitemap.findall(f"{namespace}url"):
        links = entry.findall("{http://www.w3.org/1999/xhtml}link")
        assert all(link.get("rel") == "alternate" for link in links)
        listed[entry.findtext(f"{namespace}loc")] = {link.get("hreflang"): link.get("href") for link in links}
    assert listed == clusters


@pytest.mark.slow
def test_the_published_feeds_parse_and_point_at_pages_of_the_site(shared):
    site = shared[0]
    for path in sorted((site / "feeds").iterdir()):
        feed = ElementTree.parse(path).getroot()
        check_atom(feed, path.relative_to(site).as_posix())
        for link in feed.iter(f"{ATOM}link"):
            resolve(site, link.get("href"))
        resolve(site, feed.findtext(f"{ATOM}logo"))
    assert sorted(path.name for path in (site / "feeds").iterdir()) == [
        "briefs.en.xml", "briefs.zh-Hans.xml", "briefs.zh-TW.xml", "verdicts.en.xml", "verdicts.zh-Hans.xml",
        "verdicts.zh-TW.xml"]


@pytest.mark.slow
def test_share_cards_drawn_again_from_nothing_are_the_same_bytes_and_so_is_the_whole_site(shared):
    from projects import differences, tree

    site, first, stages, _ = shared
    assert stages[0].endswith("(24 share cards, 0 from the cache)"), stages
    assert stages[1].endswith("(24 share cards, 0 from the cache)"), stages  # drawn again, not copied
    again = tree(site)
    assert [name for name in first if name.startswith("cards/")] and differences(first, again) == []


@pytest.mark.slow
def test_without_a_site_url_the_build_says_once_what_needs_one_and_makes_none_of_it(warm, tmp_path):
    from projects import build, checkout

    project = checkout(tmp_path / "project", cache_from=warm)
    result = build(project)
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if "site_url" in line]
    assert notes == ["briefing: mkdocs.yml sets no site_url, so this site has no Atom feeds, share cards, Open Graph "
                     "or Twitter tags, hreflang clusters, citation addresses or chart embed code: they need the site's "
                     "absolute address"]
    site = project / "site"
    assert not (site / "feeds").exists() and not (site / "cards").exists() and not (site / "sitemap.xml").exists()
    page = (site / "dyads" / "russia-china.html").read_text("utf-8")
    assert '<meta name="description" content="' in page  # needs no address
    assert not re.search(r'property="og:|name="twitter:|rel="canonical"|application/atom\+xml', page)


@pytest.mark.slow
def test_with_a_site_address_each_chart_has_an_embed_page_its_code_points_to(shared):
    from markupsafe import escape

    from generator.pages import EMBED_POLICY

    site = shared[0]
    page = (site / "en" / "dyads" / "russia-china.html").read_text("utf-8")
    assert ('&lt;iframe src=&#34;https://alliances.example/embed/dyads/russia-china/matrix.en.html&#34;' in page
            or '&lt;iframe src="https://alliances.example/embed/dyads/russia-china/matrix.en.html"' in page)
    embed = (site / "embed" / "dyads" / "russia-china" / "matrix.en.html").read_text("utf-8")
    assert f'content="{escape(EMBED_POLICY)}"' in embed and "<script" not in embed and 'rel="license"' in embed
    assert '<img src="../../../charts/dyads/russia-china/matrix.en.svg"' in embed
    # The caption in its language's face: the site's font slices, which the policy lets it load.
    assert '<link rel="stylesheet" href="../../../assets/fonts/fonts.css">' in embed and "font-src 'self'" in EMBED_POLICY
