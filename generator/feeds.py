"""Atom feeds: the briefs, and the dyads' verdicts, in each language (feedgen).

Entry point: `render_feeds(analysis, charts, settings) -> ((path, bytes), ...)`, made only
when mkdocs.yml sets site_url: an Atom feed's ids and links are absolute addresses.

- `feeds/briefs.<lang>.xml`: the briefs written in that language, newest first, each with its
  full title, summary, author, date and page.
- `feeds/verdicts.<lang>.xml`: one entry per dyad and assessment: the verdict in words (type,
  commitment, cohesion and what it means), dated by the dyad's `as_of`, newest first. The data
  keeps no history, so an entry stands for the verdict as of that date: a dyad added, or one
  assessed again (a new `as_of`) or with another type, is a new entry; its id names the dyad,
  the date and the type.

Every date comes from the data; a feed's `updated` is its newest entry's (or the site's
build date when it has none), so the same data gives the same bytes.
"""
from __future__ import annotations

import datetime as dt

from .framework import FRAMEWORK, LABELS, long_date
from .model import LANGUAGES, Analysis
from .urls import absolute_url, assessment_name, card_path, feed_path, url_of

ATOM = "application/atom+xml"
ATOM_NS = "http://www.w3.org/2005/Atom"


def stamp(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)


def feed_title(name: str, organisation: dict, lang: str) -> str:
    return LABELS(f"feed_{name}_title", lang, series=organisation["series"][lang])


def new_feed(name: str, lang: str, settings, subtitle: str, alternate: str):
    from feedgen.feed import FeedGenerator

    site_url, organisation = settings.site_url, settings.organisation
    feed = FeedGenerator()
    self_url = absolute_url(site_url, feed_path(name, lang))
    feed.id(self_url)
    feed.title(feed_title(name, organisation, lang))
    feed.subtitle(subtitle)
    feed.author({"name": organisation["name"][lang]})
    feed.link(href=self_url, rel="self", type=ATOM)
    feed.link(href=absolute_url(site_url, url_of(alternate, lang)), rel="alternate", type="text/html", hreflang=lang)
    feed.language(lang)
    feed.logo(absolute_url(site_url, card_path("site", lang)))
    return feed


def finished(feed, dates: list[dt.date], settings, lang: str) -> bytes:
    """The feed's bytes, dated by its newest entry. feedgen 1.0.0 writes an entry's link with its href only
    (lkiesow/python-feedgen#135): each entry's one link, to its page, gets its rel, type and language back here."""
    from lxml import etree

    feed.updated(stamp(max(dates, default=settings.build_date)))
    root = etree.fromstring(feed.atom_str())
    for link in root.iterfind(f"{{{ATOM_NS}}}entry/{{{ATOM_NS}}}link"):
        link.attrib.update({"rel": "alternate", "type": "text/html", "hreflang": lang})
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")


def briefs_feed(analysis: Analysis, settings, lang: str) -> bytes:
    feed = new_feed("briefs", lang, settings, settings.organisation["tagline"][lang], "briefs")
    briefs = analysis.dataset.briefs_in(lang)  # newest first
    for brief in briefs:
        url = absolute_url(settings.site_url, url_of(f"brief:{brief.slug}", lang))
        entry = feed.add_entry(order="append")
        entry.id(url)
        entry.title(brief.title)
        entry.summary(brief.summary)
        entry.author({"name": brief.author})
        entry.link(href=url, rel="alternate", type="text/html", hreflang=lang)
        entry.published(stamp(brief.date))
        entry.updated(stamp(brief.date))
        for dyad_id in brief.dyads:
            entry.category(term=dyad_id, label=analysis.dataset.dyad(dyad_id).title.get(lang))
    return finished(feed, [brief.date for brief in briefs], settings, lang)


def verdicts_feed(analysis: Analysis, charts, settings, lang: str) -> bytes:
    from .pages import Context

    feed = new_feed("verdicts", lang, settings, LABELS("feed_verdicts_subtitle", lang), "dyads")
    # An entry per assessment: a dyad's first one adds it, each later one reassesses it. Newest first; on one date,
    # in the site's order.
    assessed = [result.assessed(index) for result in analysis.dyads for index in range(len(result.history))]
    assessed.sort(key=lambda result: result.dyad.as_of, reverse=True)
    for result in assessed:
        dyad = result.dyad
        url = absolute_url(settings.site_url, url_of(f"dyad:{dyad.id}", lang))
        # A reassessed dyad's entries each point at their own dated page, which keeps saying what they said.
        page = url_of(f"assessment:{assessment_name(dyad.id, dyad.as_of)}" if analysis.dyad(dyad.id).dyad.has_history
                      else f"dyad:{dyad.id}", lang)
        said = Context(analysis, charts, settings, lang, page)
        entry = feed.add_entry(order="append")
        entry.id(f"{url}#verdict-{dyad.as_of.isoformat()}-{result.type.key}")
        entry.title(LABELS("feed_verdict_title", lang, title=dyad.title.get(lang), type=said.type_label(result.type)))
        summary = LABELS("feed_verdict_summary", lang, date=long_date(dyad.as_of, lang),
                         commitment=FRAMEWORK.degree(result.commitment).label.get(lang),
                         cohesion=FRAMEWORK.degree(result.cohesion).label.get(lang), explain=said.explain(result))
        if dyad.change:
            summary += LABELS("sentence_gap", lang) + LABELS("history_why", lang, change=dyad.change.get(lang))
        entry.summary(summary)
        entry.link(href=absolute_url(settings.site_url, page), rel="alternate", type="text/html", hreflang=lang)
        entry.published(stamp(dyad.as_of))
        entry.updated(stamp(dyad.as_of))
        entry.category(term=result.type.key, label=said.type_label(result.type))
    return finished(feed, [result.dyad.as_of for result in assessed], settings, lang)


def render_feeds(analysis: Analysis, charts, settings) -> tuple[tuple[str, bytes], ...]:
    if not settings.site_url:
        return ()
    files = []
    for lang in LANGUAGES:
        files.append((feed_path("briefs", lang), briefs_feed(analysis, settings, lang)))
        files.append((feed_path("verdicts", lang), verdicts_feed(analysis, charts, settings, lang)))
    return tuple(files)
