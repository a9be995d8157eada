"""The built site: both languages, counterparts, anchors, briefs, search index, failure safety."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import DYAD, ROOT, briefing, published_slices, write_data

from generator.languages import TABLE


class Page(HTMLParser):
    """The bits of a page the tests look at."""

    def __init__(self, text: str):
        super().__init__()
        self.lang = None
        self.ids: list[str] = []
        self.links: list[tuple[str, dict]] = []
        self.images: list[dict] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "a" and "href" in attributes:
            self.links.append((attributes["href"], attributes))
        if tag == "img":
            self.images.append(attributes)


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def read(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


def language_of(site: Path, path: Path) -> str:
    return TABLE.by_prefix(path.relative_to(site).as_posix())


def test_every_page_exists_in_every_language_with_the_right_lang(site):
    by_language: dict[str, list[Path]] = {code: [] for code in TABLE.codes}
    for path in pages(site):
        lang = language_of(site, path)
        by_language[lang].append(path.relative_to(site / TABLE.language(lang).prefix))
        assert read(path).lang == lang, path
    chinese = sorted(by_language["zh-TW"])
    assert len(chinese) == 21
    assert all(sorted(found) == chinese for found in by_language.values())


def test_the_language_switch_lands_on_the_counterpart_page(site):
    for path in pages(site):
        lang = language_of(site, path)
        page = path.relative_to(site / TABLE.language(lang).prefix)
        # The switch's entries (a zh-Hans page's conversion note links its zh-TW page too: the same address).
        switches = {attrs["hreflang"]: href for href, attrs in read(path).links if attrs.get("hreflang")}
        assert sorted(switches) == sorted(TABLE.others(lang)), path
        assert path.read_text("utf-8").count("本页由繁体中文原文自动转换") == (lang == "zh-Hans"), path
        for other, href in switches.items():
            assert (path.parent / href).resolve() == (site / TABLE.language(other).prefix / page).resolve(), path


def test_every_local_link_and_image_resolves(site):
    for path in pages(site):
        page = read(path)
        for href, _ in page.links:
            if href.startswith(("http://", "https://", "mailto:")):
                continue
            target, _, anchor = href.partition("#")
            resolved = (path.parent / target).resolve() if target else path
            assert resolved.exists(), f"{path.relative_to(site)} links to missing {href}"
            if anchor and resolved.suffix == ".html" and "pdf" not in resolved.parts:
                assert anchor in read(resolved).ids, f"{path.relative_to(site)} links to missing anchor {href}"
        for image in page.images:
            assert (path.parent / image["src"]).resolve().is_file(), f"{path.relative_to(site)}: {image['src']}"
            assert image.get("alt"), f"{path.relative_to(site)}: image without alt text"


def test_an_actors_name_on_a_verdict_card_leads_to_its_page_in_the_same_language(site):
    checked = 0
    for path in (site / "dyads" / "russia-china.html", site / "en" / "index.html", site / "en" / "briefs" /
                 "three-dyads.html", site / "triads" / "chn-prk-rus-usa.html"):
        cards = re.findall(r'<section class="verdict".*?</section>', path.read_text(encoding="utf-8"), re.S)
        links = [link for card in cards for link in re.findall(r'<a class="actor-link" href="([^"]+)">([^<]+)</a>', card)]
        assert links, path
        for href, name in links:
            target = (path.parent / href).resolve()
            assert target.is_file() and target.parent.name == "actors", (path, href)
            assert ((site / "en") in target.parents) == ((site / "en") in path.parents), (path, href)
            assert f'class="search-subject">{name}</h1>' in target.read_text(encoding="utf-8"), (path, href)
            checked += 1
    assert checked >= 4 * 3


def test_chinese_headings_get_readable_anchors(site):
    ids = read(site / "briefs" / "three-dyads.html").ids
    assert "問題" in ids and "三方能否接軌" in ids
    assert not [anchor for anchor in ids if re.fullmatch(r"_\d+", anchor)]


def test_dyad_page_carries_the_reasoning_chain_and_numbered_evidence(site):
    text = (site / "en" / "dyads" / "north-korea-china.html").read_text(encoding="utf-8")
    cell_h = '<a class="rule-link" href="../framework.html#cell-H">H</a>'  # en/framework.html
    assert (f"North Korea perceives a high external threat and a medium internal threat: cell {cell_h} of Table 2. "
            f"Cell {cell_h} leaves a choice; the analyst notes that North Korea weighs the external threat more, "
            "so: balancing.") in text
    assert ('Balancing with tethering matches row <a class="rule-link" href="../framework.html#table3-row-6">6</a> '
            "of Table 3 (medium internal threat): commitment variable, cohesion low to medium.") in text
    assert '<a href="#ref-anthony-2023">[1]</a>' in text
    assert 'href="../../downloads/north-korea-china.yaml"' in text


def test_briefs_embed_live_verdicts_and_number_their_footnotes(site):
    text = (site / "en" / "briefs" / "three-dyads.html").read_text(encoding="utf-8")
    assert text.count('class="verdict"') == 3
    assert 'class="footnote"' in text and 'id="fn:ramani"' in text
    assert "Editor&#39;s note" in text or "Editor's note" in text
    chinese = (site / "briefs" / "three-dyads.html").read_text(encoding="utf-8")
    assert "編按：本文由本研究室編輯部撰寫" in chinese  # the byline is the desk, and so is the note


def test_framework_page_draws_tables_from_the_rule_data(site):
    text = (site / "framework.html").read_text(encoding="utf-8")
    for letter in "ABCDEFGHI":
        assert f'<span class="cell-id">{letter}</span>' in text
    table3 = text[text.index('<table class="pairs">'):]
    assert re.findall(r'<tr id="(table3-row-\d)"><td>', table3[: table3.index("</table>")]) == [
        f"table3-row-{row}" for row in range(1, 9)]  # the Table 3 rows, each a target for links from verdicts
    assert "charts/framework-curve.zh-TW.svg" in text
    assert text.count('<li><strong>') >= 8 and 'id="threats"' in text and 'id="pair-labels"' in text


def test_rule_links_on_verdicts_reach_their_rules(site):
    targets = {}
    for path in sorted(site.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for href in re.findall(r'class="rule-link" href="([^"]+)"', text):
            page, fragment = href.split("#")
            framework = (path.parent / page).resolve()
            if framework not in targets:
                targets[framework] = set(re.findall(r'id="([^"]+)"', framework.read_text(encoding="utf-8")))
            assert fragment in targets[framework], (path.relative_to(site), href)
    assert len(targets) == 3  # the framework page in each language


def test_public_pages_hold_no_engine_wording(site):
    for path in sorted(site.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for wording in ("引擎", "engine", "已在端點", "at the limit", "未定同盟", "indeterminate alliance",
                        "no row for this pair", "表 3 沒有涵蓋"):
            assert wording not in text, (path.relative_to(site), wording)


def test_search_index_covers_every_language(site):
    languages = {path.name.split("_")[0] for path in (site / "pagefind" / "index").iterdir()}
    assert languages == {"en", "zh-tw", "zh-hans"}  # each under its page's lang, which the browser's Pagefind reads


def test_web_fonts_are_slices_of_the_sites_own_characters(site):
    from generator.fonts import slices

    declared = published_slices(site)
    files = {path.name for path in (site / "assets" / "fonts").glob("*.woff2")}
    assert set(declared) == files and 80 < len(files) < 400
    assert all(1_000 < (site / "assets" / "fonts" / name).stat().st_size < 100_000 for name in files)
    # Each face has its slices (the zh-Hans pages' in Noto Sans SC), each within its fixed boundaries.
    assert {font.slices for font in TABLE.fonts} == {name.rsplit("-", 3)[0] for name in files} == {
        "noto-sans-tc", "noto-sans-sc"}
    boundaries = {(font.slices, weight, piece.number): set(piece.points)
                  for font in TABLE.fonts for weight in font.weights for piece in slices(font, weight)}
    for name, (weight_css, points) in declared.items():
        weight = "bold" if weight_css == 700 else "regular"
        number = int(name.split("-")[-2])
        assert points <= boundaries[(name.rsplit("-", 3)[0], weight, number)], name


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the data and docs folders that a test may break."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    return tmp_path


def build_project(project: Path, out: Path) -> subprocess.CompletedProcess:
    return briefing("build", "--data", str(project / "data"), "--docs", str(project / "docs"), "--out", str(out),
                    "--config", str(ROOT / "mkdocs.yml"))


@pytest.mark.slow
def test_an_untranslated_brief_says_so_in_the_other_language(project, tmp_path):
    (project / "docs" / "briefs" / "three-dyads.en.md").unlink()
    result = build_project(project, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    english = (tmp_path / "site" / "en" / "briefs" / "three-dyads.html").read_text(encoding="utf-8")
    assert '<p class="notice" role="note">This brief has not been translated into English yet; ' in english
    assert '<article lang="zh-TW">' in english
    chinese = (tmp_path / "site" / "briefs" / "three-dyads.html").read_text(encoding="utf-8")
    assert 'class="notice"' not in chinese


@pytest.mark.slow
def test_a_brief_that_embeds_an_unknown_dyad_is_refused_with_its_line(project, tmp_path):
    brief = project / "docs" / "briefs" / "alliances-reborn.en.md"
    brief.write_text(brief.read_text(encoding="utf-8").replace("[[chart: commitment]]", "[[verdict: russia-kina]]"),
                     encoding="utf-8")
    line = brief.read_text(encoding="utf-8").splitlines().index("[[verdict: russia-kina]]") + 1
    result = build_project(project, tmp_path / "site")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"{project}/docs/briefs/alliances-reborn.en.md:{line}: the brief embeds the verdict of dyad 'russia-kina', "
        "which is not in data/dyads; did you mean 'russia-china'?"
    )


@pytest.mark.slow
def test_a_build_that_fails_inside_mkdocs_leaves_the_previous_site_byte_for_byte(project, tmp_path, site):
    out = tmp_path / "site"
    shutil.copytree(site, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    brief = project / "docs" / "briefs" / "alliances-reborn.en.md"
    brief.write_text(brief.read_text(encoding="utf-8") + "\nSee [the missing page](nowhere.md).\n", encoding="utf-8")
    result = build_project(project, out)
    assert result.returncode == 1
    assert "the previous site is unchanged" in result.stderr
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "docs", "site"]


@pytest.mark.slow
def test_plain_mkdocs_build_strict_builds_the_same_site(tmp_path):
    mkdocs = Path(sys.executable).with_name("mkdocs")
    result = subprocess.run([str(mkdocs), "build", "--strict", "--site-dir", str(tmp_path / "plain")],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    assert (tmp_path / "plain" / "en" / "dyads" / "russia-china.html").is_file()
    assert (tmp_path / "plain" / "pagefind" / "pagefind-ui.js").is_file()


def test_the_briefs_index_lists_briefs_by_dyad_with_each_languages_brackets(site):
    english = (site / "en" / "briefs" / "index.html").read_text("utf-8")
    chinese = (site / "briefs" / "index.html").read_text("utf-8")
    assert re.search(r"</a> \(2025-07-17\)</li>", english)
    assert "）</li>" not in english
    assert re.search(r"</a>（2025-07-17）</li>", chinese)


def test_a_broken_dyad_file_is_one_message_not_a_cascade_through_the_briefs(project):
    # The seed briefs embed the triad map, which a broken member dyad would also seem to break.
    (project / "data" / "dyads" / "russia-china.yaml").write_text("id: russia-china\nactors: [RUS, CHN\n", "utf-8")
    result = briefing("check", "--data", str(project / "data"), "--docs", str(project / "docs"))
    assert result.returncode == 1
    assert result.stdout + result.stderr == (
        f"{project / 'data' / 'dyads' / 'russia-china.yaml'}:3: this is not valid YAML: expected ',' or ']', "
        "but got '<stream end>' (while parsing a flow sequence); check the indentation and quotes on this line\n"
        f"briefing: 1 problem in {project / 'data'}; fix them and run again\n")


def test_every_character_a_page_shows_is_in_a_published_font_slice(site):
    """Typography Markdown makes ("..." as "…"), hand-written pages, labels: none may fall back to a system
    font, or show as a box where there is none. Characters the bundled font lacks are `check`'s business."""
    from html.parser import HTMLParser

    from generator.characters import font_coverage

    void = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    class Text(HTMLParser):
        """The characters shown, by the language of the element that shows them (each is set in its face)."""

        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.hidden, self.langs, self.characters = 0, [""], {}

        def handle_starttag(self, tag, attrs):
            self.hidden += tag in ("script", "style", "head")
            if tag not in void:
                self.langs.append(dict(attrs).get("lang") or self.langs[-1])

        def handle_endtag(self, tag):
            self.hidden -= tag in ("script", "style", "head")
            if tag not in void and len(self.langs) > 1:
                self.langs.pop()

        def handle_data(self, data):
            if not self.hidden:
                self.characters.setdefault(self.langs[-1], set()).update(data)

    declared = published_slices(site)
    for path in sorted(site.rglob("*.html")):
        reader = Text()
        reader.feed(path.read_text("utf-8"))
        for lang, characters in reader.characters.items():
            font = TABLE.language(lang if lang in TABLE.codes else TABLE.default.code).font
            covered = set().union(*(points for name, (_, points) in declared.items() if name.startswith(font.slices)))
            in_font = font_coverage("regular", font)
            missing = {character for character in characters
                       if ord(character) in in_font and ord(character) not in covered and not character.isspace()}
            assert not missing, (path.relative_to(site), lang, sorted(missing))


def test_robustness_and_the_triad_verdict_are_said_in_words(site):
    chinese = (site / "dyads" / "russia-china.html").read_text(encoding="utf-8")
    assert ('<dd class="verdict-robustness">俄羅斯感受到的外部威脅若由高度變為中度，型態即成為'
            '<span class="cjk-keep">避險–避險</span>同盟。另有\u00a02\u00a0種單步變動也會改變型態。</dd>') in chinese
    english = (site / "en" / "dyads" / "russia-china.html").read_text(encoding="utf-8")
    assert ('<dd class="verdict-robustness">If Russia\'s external threat moved from high to medium, the verdict would '
            "change to: hedging–hedging alliance. 2 other single steps would also change it.</dd>") in english
    triad = (site / "en" / "triads" / "chn-prk-rus-usa.html").read_text(encoding="utf-8")
    assert "Under the threat levels recorded here, a trilateral balancing alliance is unlikely." in triad
    assert "No trilateral balancing alliance is feasible" not in triad


def test_figures_are_numbered_in_page_order_and_captions_name_them_once(site):
    from generator.pages import number_figures

    assert number_figures('<figure class="chart"><img src="a.svg" alt=""><figcaption>甲</figcaption></figure>'
                          '<figure><img src="b.png" alt=""></figure>'  # no caption: no number
                          '<figure class="lead"><img src="c.png" alt=""><figcaption>乙</figcaption></figure>',
                          "zh-TW") == (
        '<figure class="chart"><img src="a.svg" alt=""><figcaption><span class="figure-number">圖\u00a01　</span>甲'
        '</figcaption></figure><figure><img src="b.png" alt=""></figure>'
        '<figure class="lead"><img src="c.png" alt=""><figcaption><span class="figure-number">圖\u00a02　</span>乙'
        '</figcaption></figure>')
    for page, first, count in (("dyads/north-korea-china.html", "圖 1　威脅來源矩陣（表 2）：朝中關係", 5),
                               ("en/dyads/north-korea-china.html", "Figure 1. Threat matrix (Table 2): North Korea–China", 5)):
        captions = [re.sub(r"<[^>]+>", "", caption).replace("\u00a0", " ")  # the typography's Han–digit space
                    for caption in re.findall(r"<figcaption>(.*?)</figcaption>", (site / page).read_text(encoding="utf-8"))]
        assert len(captions) == count
        assert captions[0] == first
        assert [caption.split("　" if "圖" in first else ". ")[0] for caption in captions] == [
            ("圖 " if "圖" in first else "Figure ") + str(n) for n in range(1, count + 1)]


# ---- the guide: about this site and how to read a verdict -------------------------------------------

GUIDE = {"zh-TW": ("guide.html", "關於本站", "index.html"), "en": ("en/guide.html", "About", "en/index.html"),
         "zh-Hans": ("zh-hans/guide.html", "关于本站", "zh-hans/index.html")}


def main_text(path: Path) -> str:
    """A page's own text as a reader reads it: the <main> element, tags dropped, references resolved."""
    import html

    text = path.read_text(encoding="utf-8")
    return html.unescape(re.sub(r"<[^>]+>", "", text[text.index("<main"):text.index("</main>")]))


def test_the_guide_is_in_every_language_in_every_pages_navigation_and_linked_from_home(site):
    titles = {"zh-TW": "關於本站：如何閱讀判斷", "en": "About this site: how to read a verdict",
              "zh-Hans": "关于本站：如何阅读判断"}
    for lang, (guide, _, home) in GUIDE.items():
        assert read(site / guide).lang == lang
        assert re.search(f'<h1 id="[^"]+">{titles[lang]}</h1>', (site / guide).read_text(encoding="utf-8")), guide
        # The home page sends a first-time reader there.
        links = [href for href, attrs in read(site / home).links if (site / home).parent.joinpath(href).resolve()
                 == (site / guide).resolve()]
        assert links and 'class="guide-link"' in (site / home).read_text(encoding="utf-8"), home
    for path in pages(site):
        guide, label, _ = GUIDE[language_of(site, path)]
        text = path.read_text(encoding="utf-8")
        nav = text[text.index('<nav class="site-nav"'):text.index("</nav>")]
        found = re.findall(f'<a href="([^"]+)"(?: aria-current="page")?>{label}</a>', nav)
        assert len(found) == 1 and (path.parent / found[0]).resolve() == (site / guide).resolve(), path
        assert ('aria-current="page">' + label in nav) == (path == site / guide), path


def test_the_guides_worked_example_is_the_shipped_verdict_as_the_classifier_gives_it(site):
    from generator.cli import analyse
    from generator.framework import FRAMEWORK
    from generator.pages import example_dyad

    example = example_dyad(analyse(str(ROOT / "data")))
    assert example is not None and example.dyad.id == "russia-china"
    assert (example.type.key, example.commitment, example.cohesion) == ("balancing-hedging", "low-medium", "low-medium")
    english = (site / "en" / "guide.html").read_text(encoding="utf-8")
    assert FRAMEWORK.reader_type_label(example.type, "en") == "balancing–hedging alliance"
    assert '<h2 id="example">An example: Russia–China</h2>' in english
    assert '<dd class="verdict-type">balancing–hedging alliance</dd>' in english
    assert ("For Russia–China, “balancing–hedging alliance” means that Russia's strategy is balancing and China's "
            "is hedging.") in english
    assert "For Russia–China, commitment is low to medium and cohesion is low to medium." in english
    assert ('Balancing with hedging matches row <a class="rule-link" href="framework.html#table3-row-2">2</a> of '
            "Table 3 (low internal threat): commitment low to medium, cohesion low to medium.") in english
    assert ("For China, North Korea and Russia, facing the United States, "
            '<a href="triads/chn-prk-rus-usa.html">the triad page</a> says: “Under the threat levels recorded here, '
            "a trilateral balancing alliance is unlikely.”") in english
    chinese = (site / "guide.html").read_text(encoding="utf-8")
    assert '<dd class="verdict-type"><span class="cjk-keep">抗衡–避險</span>同盟</dd>' in chinese
    # 「以」 is kept on the line of the mark before it (typography), so the sentence is matched from 「俄」.
    assert ('俄中關係為例，型態「<span class="cjk-keep">抗衡–避險</span>同盟」表示俄羅斯的策略是抗衡，'
            "中國的策略是避險。") in chinese
    assert "俄中關係的承諾為低度到中度，凝聚力為低度到中度。" in chinese
    assert "三方形成抗衡同盟的可能性低。" in chinese


def test_every_link_in_the_guide_reaches_a_file_or_an_anchor_and_the_framework_rules(site):
    from generator.pages import DEFAULT_LICENCE

    for lang, (guide, _, _) in GUIDE.items():
        path = site / guide
        anchors: dict[Path, list[str]] = {}
        for href, _ in read(path).links:
            if href == DEFAULT_LICENCE.url:  # the footer's licence, on every page
                continue
            assert not href.startswith(("http://", "https://", "mailto:", "/")), (guide, href)
            target, _, anchor = href.partition("#")
            resolved = (path.parent / target).resolve() if target else path
            assert resolved.is_file() and site.resolve() in resolved.parents, (guide, href)
            if anchor:
                if resolved not in anchors:
                    anchors[resolved] = read(resolved).ids
                assert anchor in anchors[resolved], (guide, href)
        framework = (site / guide).parent / "framework.html"
        hrefs = {href for href, _ in read(path).links}
        for anchor in ("threats", "pair-labels", "cell-G", "cell-D", "table3-row-2", "table3-meaning"):
            assert f"framework.html#{anchor}" in hrefs, (guide, anchor)
        assert framework.resolve() in anchors
        up = "../" * guide.count("/")  # from the edition's folder (en/, zh-hans/) back to the site's root
        for download in (up + "downloads/russia-china.yaml", up + "downloads/analysis.json",
                         up + f"pdf/dyad-russia-china.{lang}.pdf"):
            assert download in hrefs, (guide, download)


def test_the_guides_chinese_shows_no_mainland_usage(site):
    from generator.usage import mainland_usage

    assert mainland_usage(main_text(site / "guide.html")) == []


def test_the_guides_worked_example_follows_the_data(tmp_path):
    """Change a threat level and the example says the new verdict: nothing in it is written by hand."""
    from generator.cli import analyse
    from generator.pages import Context, Settings, environment, guide_values
    from generator.urls import url_of

    data = write_data(tmp_path, dyads={"russia-china": DYAD.replace("external: medium", "external: high")})
    analysis = analyse(str(data))
    for lang, wanted in (
        ("en", "For Russia–China, “balancing–balancing alliance” means that Russia's strategy is balancing and "
               "China's is balancing."),
        ("zh-TW", "以俄中關係為例，型態「抗衡–抗衡同盟」表示俄羅斯的策略是抗衡，中國的策略是抗衡。"),
    ):
        settings = Settings(organisation={"name": {"zh-TW": "甲", "en": "A"}, "series": {"zh-TW": "乙", "en": "B"}})
        ctx = Context(analysis, None, settings, lang, url_of("guide", lang))  # no charts: the guide shows none
        page = environment().get_template("guide.html").render(c=ctx, title="t", pdf=None,
                                                                **guide_values(ctx, analysis))
        assert wanted in page.replace("&#39;", "'"), lang
        assert "balancing–hedging" not in page and "抗衡–避險" not in page, lang


def test_the_framework_page_reads_a_pair_label_on_a_dyad_of_the_data(site):
    expected = {
        "framework.html": "「抗衡–避險同盟」這類名稱依雙邊關係名稱的順序，先列第一國的策略，再列第二國的策略："
                          "俄中關係是「抗衡–避險同盟」，即俄羅斯抗衡、中國避險。",
        "en/framework.html": "A label such as “balancing–hedging alliance” gives the first state's strategy, then the "
                             "second's, in the order the dyad's name lists them: Russia–China is a balancing–hedging "
                             "alliance, so Russia's strategy is balancing and China's is hedging.",
    }
    for page, sentence in expected.items():
        text = (site / page).read_text(encoding="utf-8")
        paragraph = re.search(r'<p id="pair-labels">(.*?)</p>', text, re.S).group(1)
        assert re.sub(r"<[^>]+>", "", paragraph).replace("&#39;", "'").replace("&rsquo;", "’") == sentence


def test_every_chart_offers_its_svg_png_data_and_licence_and_an_embed_page(site):
    import csv

    text = (site / "dyads" / "russia-china.html").read_text(encoding="utf-8")
    reuse = re.findall(r'<div class="chart-reuse">(.*?)</div>', text, re.S)
    assert len(reuse) == 5
    assert all('.svg" download="">SVG</a>' in block and '.png" download="">PNG</a>' in block and '.csv" download="">' in block
               and 'href="https://creativecommons.org/licenses/by/4.0/">' in block for block in reuse)
    assert "<iframe" not in text  # no site address: embed code would point nowhere
    for chart in ("matrix", "curve", "diagram", "timeline", "sensitivity"):
        for lang in TABLE.codes:
            assert (site / "charts" / "dyads" / "russia-china" / f"{chart}.{lang}.png").is_file()
            assert (site / "charts" / "dyads" / "russia-china" / f"{chart}.{lang}.csv").is_file()
    assert not (site / "embed").exists()  # no site address: no embed code shows, and nothing would lead there
    rows = list(csv.reader((site / "downloads" / "russia-china.csv").read_text(encoding="utf-8").splitlines()))
    assert rows == [
        ["dyad", "as_of", "external_actor", "actor", "external_threat", "internal_threat", "cell", "strategy",
         "decided_by", "type", "commitment", "cohesion"],
        ["russia-china", "2025-06-30", "USA", "RUS", "high", "low", "G", "balancing", "cell", "balancing-hedging",
         "low-medium", "low-medium"],
        ["russia-china", "2025-06-30", "USA", "CHN", "medium", "low", "D", "hedging", "cell", "balancing-hedging",
         "low-medium", "low-medium"]]
    import json

    assert json.loads((site / "downloads" / "russia-china.json").read_text(encoding="utf-8"))["license"] == {
        "name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}
    assert ('本站文字、圖表與資料採用 <a href="https://creativecommons.org/licenses/by/4.0/" rel="license">CC BY 4.0</a>'
            in (site / "index.html").read_text(encoding="utf-8"))


def test_with_a_site_address_each_chart_shows_the_code_that_embeds_it():
    import dataclasses
    import tempfile

    from test_charts import render_charts

    from generator.charts import WIDE
    from generator.cli import analyse
    from generator.pages import Context, Settings

    analysis = analyse(str(ROOT / "data"))
    with tempfile.TemporaryDirectory() as folder:
        charts = render_charts(analysis, Path(folder))
    context = Context(analysis, charts, Settings(organisation={}, site_url="https://alliances.example/"), "en",
                      "en/dyads/russia-china.html")
    chart = charts.find("matrix", "russia-china", "en", WIDE.name)
    height = max(chart.height, charts.narrow(chart).height) + 80  # the taller of its two widths, and the caption
    assert context.reuse(chart)["embed"] == (
        '<iframe src="https://alliances.example/embed/dyads/russia-china/matrix.en.html" '
        f'title="Threat matrix (Table 2): Russia–China" width="100%" height="{height}" '
        'style="border:0" loading="lazy"></iframe>')
    hostile = dataclasses.replace(chart, title='"><script>alert(1)</script>')
    assert context.reuse(hostile)["embed"].split(" width=")[0].endswith(
        'title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"')  # pasted elsewhere, still only a title


def test_the_licence_comes_from_mkdocs_yml_and_a_bad_one_is_named_with_its_line(tmp_path):
    from types import SimpleNamespace

    from generator.build import SiteNotBuilt
    from generator.pages import DEFAULT_LICENCE, Licence
    from generator.site import site_licence

    settings = tmp_path / "mkdocs.yml"
    settings.write_text("site_name: x\nextra:\n  licence: {name: CC BY 4.0}\n", encoding="utf-8")

    def config(extra):
        return SimpleNamespace(extra=extra, config_file_path=str(settings))

    assert site_licence(config({})) == DEFAULT_LICENCE
    other = {"name": "CC BY-NC 4.0", "url": "https://creativecommons.org/licenses/by-nc/4.0/"}
    assert site_licence(config({"licence": other})) == Licence(other["name"], other["url"])
    with pytest.raises(SiteNotBuilt) as refused:
        site_licence(config({"licence": {"name": "CC BY 4.0"}}))
    assert [str(problem) for problem in refused.value.problems] == [
        f"{settings}:3: extra.licence needs a name and an https address, e.g. {{name: CC BY 4.0, url: "
        "https://creativecommons.org/licenses/by/4.0/}; leave it out for CC BY 4.0"]
