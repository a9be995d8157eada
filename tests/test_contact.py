"""The footer and the handouts show only the contact details mkdocs.yml configures: no made-up ones."""
from __future__ import annotations

import re

import jinja2
import yaml
from conftest import ROOT

from generator.framework import LABELS
from generator.handouts import print_environment
from generator.pages import DEFAULT_LICENCE

CONTACT = {"address": "Room 1, Some Street", "phone": "+886-2-1234-5678", "email": "desk@example.org",
           "website": "https://example.org/"}


def footer(org: dict) -> str:
    """The site's footer as main.html writes it (the rest of the page needs a whole MkDocs build)."""
    theme = (ROOT / "templates" / "theme" / "main.html").read_text(encoding="utf-8")
    start = theme.index('<footer class="site-footer">')
    snippet = theme[start:theme.index("</footer>", start) + len("</footer>")]
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(snippet).render(
        org={"name": "Desk", "about": "About."} | org, config={"copyright": "© Desk"},
        licence_html=LABELS("footer_licence", "en", licence="CC BY 4.0"), t=lambda key, **values: LABELS(key, "en", **values))


def handout(org: dict) -> str:
    return print_environment().get_template("base.html").render(
        lang="en", converted_note="", title="T", author="A", description="D", date="2025-07-01", fonts=[], stylesheet="print.css",
        font_family="Noto Sans CJK TC", font_web_family="Briefing Sans TC",
        t=lambda key, **values: LABELS(key, "en", **values), page_of_before="", page_of_middle="/",
        page_of_after="", org_name="Desk", org_series="Briefs", org_about="About.", licence=DEFAULT_LICENCE,
        **{f"org_{key}": value for key, value in org.items()})


def test_a_contact_detail_that_is_not_configured_is_not_shown():
    for html in (footer({}), handout({})):
        for label in ("Address", "Phone", "Email", "Website", "mailto:", "·"):
            assert label not in html.split("<footer")[-1], label
    assert '<dl class="footer-contact">' not in footer({})


def test_each_configured_contact_detail_is_shown_alone():
    for key, value in CONTACT.items():
        html = footer({key: value})
        assert value in html
        assert html.count("<dt>") == 1
        printed = handout({key: value}).split("<footer")[-1]
        assert value in printed and "·" not in printed


def test_all_configured_contact_details_are_shown():
    html = footer(CONTACT)
    assert all(value in html for value in CONTACT.values()) and html.count("<dt>") == 4
    printed = handout(CONTACT).split("<footer")[-1]
    assert "<p>Room 1, Some Street · Phone +886-2-1234-5678 · desk@example.org · https://example.org/</p>" in printed


def test_the_shipped_configuration_invents_no_contact_details():
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("!!python/name:", "")
    config = yaml.safe_load(text)
    organisation = config["extra"]["organisation"]
    assert not {"address", "phone", "email", "website"} & organisation.keys()
    assert "site_url" not in config
    assert "example" not in text


def dyad_page(site_url: str) -> str:
    from generator.charts import ChartSet, plan
    from generator.classify import classify
    from generator.load import load_data
    from generator.pages import Settings, render_pages
    from generator.validate import validate

    analysis = classify(validate(load_data(ROOT / "data", ROOT / "docs")))
    charts = ChartSet(tuple(job.placeholder("t", "a") for job in plan(analysis)))
    organisation = {key: {"zh-TW": key, "en": key} for key in ("name", "series", "tagline", "about", "editor_note")}
    site = render_pages(analysis, charts, Settings(organisation=organisation, site_url=site_url))
    return next(page.markdown for page in site.pages if page.key == "dyad:russia-china" and page.lang == "en")


def test_a_cite_box_gives_the_page_address_only_when_the_site_has_one():
    without = dyad_page("")
    box = without[without.index('<section class="cite"'):]
    references = re.findall(r'<dd class="cite-text">(.*?)</dd>', box[:box.index("</section>")])
    assert references == ["name. (2025). <i>Russia–China</i> (series) [Dyad assessment].",  # APA, Chicago
                          "name. 2025. <i>Russia–China</i>. Dyad assessment. series. name."]
    assert "https://" not in box
    with_address = dyad_page("https://briefs.example.net/")
    address = "https://briefs.example.net/en/dyads/russia-china.html"
    assert f'<a href="{address}">{address}</a></dd>' in with_address  # APA
    assert f'<a href="{address}">{address}</a>.</dd>' in with_address  # Chicago


def test_the_briefs_byline_and_the_editor_note_agree():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("!!python/name:", ""))
    note = config["extra"]["organisation"]["editor_note"]
    desk = config["extra"]["organisation"]["name"]
    for path in sorted((ROOT / "docs" / "briefs").glob("*.md")):
        lang = "en" if path.name.endswith(".en.md") else "zh-TW"
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        if front["affiliation"] == desk[lang]:
            # A brief the desk writes cannot carry a note that calls it someone else's view.
            assert "個人觀點" not in note[lang] and "author's own" not in note[lang], path.name
