"""The built site in a real browser: Playwright driving Debian's Chromium."""
from __future__ import annotations

import functools
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from conftest import ROOT, published_slices

from generator.languages import TABLE

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
         "--disable-component-update", "--disable-sync", "--disable-quic"]


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output readable
        pass


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: run `apt-get install chromium` (scripts/test.sh does it for you)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    tab.errors = []
    tab.on("console", lambda message: message.type == "error" and tab.errors.append(message.text))
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    yield tab
    context.close()


def site_pages(site: Path) -> list[str]:
    return sorted(str(path.relative_to(site)) for path in site.rglob("*.html"))


def test_every_page_loads_cleanly_in_every_language(site, server, page):
    for path in site_pages(site):
        page.errors.clear()
        page.goto(server + path, wait_until="load")
        # Lazy images below the fold load only when scrolled to; make them all load first.
        broken = page.evaluate(
            "async () => { const images = [...document.images]; images.forEach(i => i.loading = 'eager');"
            " await Promise.all(images.map(i => i.decode().catch(() => null)));"
            " return images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src); }"
        )
        assert broken == [], f"{path}: broken images {broken}"
        assert page.errors == [], f"{path}: console errors {page.errors}"
        assert page.evaluate("document.documentElement.lang") == TABLE.by_prefix(path), path


def test_every_link_on_every_page_resolves(site, server, page):
    checked: set[str] = set()
    for path in site_pages(site):
        page.goto(server + path)
        for href in page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.href)"):
            target = href.split("#")[0]
            if not target.startswith(server) or target in checked:
                continue
            checked.add(target)
            response = page.request.get(target)
            assert response.status == 200, f"{path} links to {href}: HTTP {response.status}"
    # Every page of the site can be reached by following links.
    assert {server + path for path in site_pages(site)} <= checked


def test_the_language_switch_goes_to_the_same_page_and_back(server, page):
    page.goto(server + "dyads/north-korea-china.html")
    page.click(".language-switch a")
    assert urlsplit(page.url).path == "/en/dyads/north-korea-china.html"
    assert page.inner_text("h1") == "North Korea–China"
    page.click(".language-switch a")
    assert urlsplit(page.url).path == "/dyads/north-korea-china.html"
    assert page.inner_text("h1") == "朝中關係"


def test_the_switch_opens_the_zh_hans_page_whose_note_links_its_original(server, page):
    page.goto(server + "dyads/north-korea-china.html")
    page.click(".language-switch a[hreflang='zh-Hans']")
    assert urlsplit(page.url).path == "/zh-hans/dyads/north-korea-china.html"
    assert page.inner_text("h1") == "朝中关系"
    assert page.get_attribute("html", "lang") == "zh-Hans"
    note = page.locator(".converted-note")
    assert note.is_visible()
    assert note.inner_text() == "本页由繁体中文原文自动转换为简体中文，如有出入，以繁体中文原文为准。"
    # The page is set in the Simplified face, and the face is loaded.
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith('"Briefing Sans SC"')
    assert page.evaluate("document.fonts.ready.then(() => document.fonts.check('16px \"Briefing Sans SC\"', '朝'))")
    note.locator("a").click()
    assert urlsplit(page.url).path == "/dyads/north-korea-china.html"
    assert page.inner_text("h1") == "朝中關係"


def test_pages_fit_a_phone_screen(site, browser, server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True)
    tab = context.new_page()
    for path in site_pages(site):
        tab.goto(server + path)
        overflow = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than a phone screen"
    context.close()


def test_no_serious_or_critical_accessibility_violations(site, server, browser):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm install` in the project folder (scripts/test.sh does it)")
    script = AXE.read_text(encoding="utf-8")
    # axe is injected as an inline script, which the site's Content-Security-Policy (rightly) refuses.
    context = browser.new_context(viewport={"width": 1200, "height": 900}, bypass_csp=True)
    page = context.new_page()
    for path in site_pages(site):
        page.goto(server + path)
        page.add_script_tag(content=script)
        violations = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".filter(v => ['serious', 'critical'].includes(v.impact))"
            ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))"
        )
        assert violations == [], f"{path}: {violations}"
    context.close()


def test_keep_screenshots_of_a_dyad_page_in_each_language(server, page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for path, name in (("dyads/russia-china.html", "dyad.zh-TW.png"), ("en/dyads/russia-china.html", "dyad.en.png"),
                       ("zh-hans/dyads/russia-china.html", "dyad.zh-Hans.png")):
        page.goto(server + path)
        page.evaluate("document.fonts.ready")
        page.screenshot(path=str(ARTIFACTS / name), full_page=True)
        assert (ARTIFACTS / name).stat().st_size > 50_000


def test_the_site_works_when_opened_from_disk(site, page):
    """A reviewer downloads the artifact and opens index.html: every link, picture and PDF resolves."""
    from urllib.parse import unquote

    failed: list[str] = []
    # Chromium does not load favicons for file:// pages; the file itself is checked below.
    page.on("requestfailed", lambda request: "favicon" in request.url
            or failed.append(f"{request.url} ({request.failure})"))
    queue, seen, files = [(site / "index.html").as_uri()], set(), set()
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        page.errors.clear()
        page.goto(url)
        # Every font slice the page asks for has loaded before the next page is opened (leaving earlier
        # would cancel the fetches still running, which is no failure of the site).
        page.evaluate("document.fonts.ready")
        # The Content-Security-Policy's 'self' must cover file:// too: the stylesheet, fonts and pictures load.
        assert page.errors == [], f"{url}: console errors {page.errors}"
        family = TABLE.language(page.evaluate("document.documentElement.lang")).font.web_family
        assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith(f'"{family}"'), url
        broken = page.evaluate(
            "async () => { const images = [...document.images]; images.forEach(i => i.loading = 'eager');"
            " await Promise.all(images.map(i => i.decode().catch(() => null)));"
            " return images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src); }"
        )
        assert broken == [], f"{url}: broken images {broken}"
        for href in page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.href)"):
            if not href.startswith("file://"):
                continue
            target = href.split("#")[0]
            path = Path(unquote(urlsplit(target).path))
            assert path.is_file(), f"{url} links to missing {href}"
            files.add(path)
            if path.suffix == ".html":
                queue.append(target)
    assert {path for path in site.rglob("*.html")} <= {Path(unquote(urlsplit(u).path)) for u in seen}
    assert {path.name for path in files if path.suffix == ".pdf"} == {path.name for path in (site / "pdf").glob("*.pdf")}
    assert failed == []
    assert (site / "assets" / "favicon.svg").is_file()
    page.goto((site / "en" / "search.html").as_uri())
    assert page.is_visible("#search-hint")
    assert "briefing serve" in page.inner_text("#search-hint")


FIRST_VISIT_FONT_BYTES = 1_000_000


@pytest.mark.parametrize("path", ["dyads/russia-china.html", "en/dyads/russia-china.html", "briefs/three-dyads.html",
                                  "zh-hans/dyads/russia-china.html"])
def test_a_first_visit_on_a_phone_fetches_under_a_megabyte_of_fonts(browser, server, site, path):
    """Only the slices whose characters the page shows, and every character drawn from the site's font."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    tab = context.new_page()
    fonts: dict[str, int] = {}
    tab.on("response", lambda response: response.url.endswith(".woff2")
           and fonts.__setitem__(response.url, len(response.body())))
    tab.goto(urljoin(server, path), wait_until="networkidle")
    rendered = tab.evaluate("""async () => {
        await document.fonts.ready;
        return [...document.fonts].filter(face => face.status === "loaded").length;
    }""")
    text = tab.evaluate("document.body.innerText")
    context.close()
    total = sum(fonts.values())
    print(f"{path}: {len(fonts)} font files, {total:,} bytes")
    assert 0 < total < FIRST_VISIT_FONT_BYTES, (len(fonts), total)
    assert rendered == len(fonts)
    # Every slice fetched holds a character of the page: nothing is fetched for nothing.
    declared = published_slices(site)
    shown = {ord(character) for character in text}
    for url in fonts:
        assert shown & declared[url.rsplit("/", 1)[1]][1], url
