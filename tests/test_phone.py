"""A phone first: most readers see the site on a 390-px phone. There every chart's smallest text must read at
11 CSS px or more, and no table may squeeze a column to a character or two. Chromium, as a phone."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import pytest
from conftest import svg_smallest_text_pt
from test_browser import browser, server  # noqa: F401  (the fixtures, shared)

from generator.languages import TABLE

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
MIN_CHART_TEXT_PX = 11
PX_PER_PT = 4 / 3
# The pages that show charts; the framework page shows the tables.
CHART_FOLDERS = ("dyads", "triads", "briefs")
TABLE_PAGES = tuple(f"{language.prefix}framework.html" for language in TABLE.languages)


def pages_in(site: Path, folders: tuple[str, ...]) -> list[str]:
    """Each page of these kinds in every language (not the folders' index pages)."""
    return sorted(str(path.relative_to(site)) for prefix in (language.prefix for language in TABLE.languages)
                  for folder in folders
                  for path in (site / prefix / folder).glob("*.html") if path.name != "index.html")


@pytest.fixture(scope="module")
def phone(browser):  # noqa: F811  (the fixture imported above)
    context = browser.new_context(**PHONE)
    tab = context.new_page()
    yield tab
    context.close()


def load(tab, url: str) -> None:
    """The page with every picture loaded and its fonts in: lazy pictures below the fold load only when near."""
    tab.goto(url, wait_until="load")
    tab.evaluate("async () => { const images = [...document.images]; images.forEach(i => i.loading = 'eager');"
                 " await Promise.all(images.map(i => i.decode().catch(() => null))); await document.fonts.ready; }")


# For each chart picture: the file the browser chose, its own width and its width on the page (content box).
CHART_SIZES = """() => [...document.images].filter(i => i.currentSrc.includes('/charts/')).map(i => {
  const style = getComputedStyle(i);
  const inset = ['borderLeftWidth', 'borderRightWidth', 'paddingLeft', 'paddingRight']
    .reduce((sum, side) => sum + parseFloat(style[side]), 0);
  return {src: i.currentSrc, natural: i.naturalWidth, shown: i.getBoundingClientRect().width - inset};
})"""


def test_every_chart_on_a_phone_shows_its_smallest_text_at_11_px_or_more(site, server, phone):  # noqa: F811
    pages = pages_in(site, CHART_FOLDERS)
    assert len(pages) == 3 * (3 + 1 + 4), pages  # the seed site: 3 dyads, 1 triad, 4 briefs, in 3 languages
    smallest: dict[str, float] = {}
    too_small = []
    for path in pages:
        load(phone, server + path)
        charts = phone.evaluate(CHART_SIZES)
        assert charts, f"{path} shows no chart"
        for chart in charts:
            if chart["src"] not in smallest:
                smallest[chart["src"]] = svg_smallest_text_pt(phone.request.get(chart["src"]).body())
            px = smallest[chart["src"]] * PX_PER_PT * chart["shown"] / chart["natural"]
            if px < MIN_CHART_TEXT_PX:
                too_small.append(f"{path}: {chart['src'].removeprefix(server)} shows its smallest text at {px:.1f} px "
                                 f"({smallest[chart['src']]} pt drawn {chart['natural']} px wide, shown "
                                 f"{chart['shown']:.0f} px wide)")
    assert too_small == [], "chart text under 11 px on a 390-px phone:\n" + "\n".join(too_small)


# Every table cell's content width against its font size.
CELL_WIDTHS = r"""() => [...document.querySelectorAll('th, td')].map(cell => {
  const style = getComputedStyle(cell);
  const inset = ['borderLeftWidth', 'borderRightWidth', 'paddingLeft', 'paddingRight']
    .reduce((sum, side) => sum + parseFloat(style[side]), 0);
  return {text: cell.textContent.replace(/\s+/g, ' ').trim().slice(0, 24), width: cell.getBoundingClientRect().width - inset,
          em: parseFloat(style.fontSize)};
})"""


def test_no_table_cell_on_a_phone_is_narrower_than_two_characters(site, server, phone):  # noqa: F811
    pages = pages_in(site, CHART_FOLDERS) + list(TABLE_PAGES)
    narrow = []
    cells = 0
    for path in pages:
        load(phone, server + path)
        for cell in phone.evaluate(CELL_WIDTHS):
            cells += 1
            if cell["width"] < 2 * cell["em"]:
                narrow.append(f"{path}: the cell '{cell['text']}' is {cell['width']:.0f} px wide, "
                              f"{cell['width'] / cell['em']:.1f} em of its {cell['em']:.0f}-px font")
    assert cells > 50  # the framework's three tables at least
    assert narrow == [], "table cells narrower than 2 em on a 390-px phone:\n" + "\n".join(narrow)
    # Wide tables scroll inside their wrapper, never the page.
    for path in TABLE_PAGES:
        load(phone, server + path)
        assert phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0, path


def test_a_tap_on_a_chart_opens_the_wide_chart_and_says_so_in_the_page_language(site, server, phone):  # noqa: F811
    for path, words in (("dyads/russia-china.html", "開啟完整圖表"), ("en/dyads/russia-china.html", "Open the full chart"),
                        ("zh-hans/dyads/russia-china.html", "打开完整图表")):
        load(phone, server + path)
        link = phone.locator("figure.chart-matrix a.chart-open")
        assert words in link.evaluate("a => a.textContent")
        name = link.get_attribute("href")
        assert name is not None and name.endswith(".svg") and not name.endswith(".narrow.svg")
        assert phone.locator("figure.chart-matrix img").evaluate("i => i.currentSrc").endswith(".narrow.svg")
        link.click()
        phone.wait_for_load_state()
        assert phone.url == urljoin(server + path, name)
