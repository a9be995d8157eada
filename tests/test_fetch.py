"""The handouts' URL fetcher: files the build made or owns, and nothing else, in a real WeasyPrint layout."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pypdf import PdfReader

from generator.fetch import LocalFetcher
from generator.handouts import Handout, HandoutJob, write_handout


class CountingHandler(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        CountingHandler.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        pass


@pytest.fixture
def loopback():
    CountingHandler.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_handout_reads_nothing_from_the_network_or_outside_its_folders(tmp_path, loopback, monkeypatch):
    monkeypatch.setenv("BRIEFING_PROBE_SECRET", "probe-secret-3141")
    project = tmp_path / "project"
    site = project / "site"
    (site / "pictures").mkdir(parents=True)
    (project / ".git").mkdir()
    (project / ".git" / "config").write_text("[remote] url = https://token@example.org/\n", encoding="utf-8")
    png = Path(__file__).resolve().parent.parent / "templates" / "theme" / "assets" / "favicon.svg"
    (site / "pictures" / "icon.svg").write_bytes(png.read_bytes())
    (site / "pictures" / "escape.svg").symlink_to("/etc/passwd")
    html = f"""<html><head>
<link rel="stylesheet" href="{loopback}/style.css">
<style>@import url("{loopback}/import.css"); body {{ background: url("{loopback}/bg.png") }}</style>
<link rel="attachment" href="file:///proc/self/environ">
</head><body>
<p><img src="{loopback}/pixel.png" alt="x"></p>
<p><img src="file:///etc/passwd" alt="x"><img src="../.git/config" alt="x"><img src="pictures/escape.svg" alt="x"></p>
<p><a rel="attachment" href="file:///proc/self/environ">environment</a>
<a rel="attachment" href="../.git/config">git</a><a rel="attachment" href="{loopback}/file.txt">remote</a></p>
<p><img src="pictures/icon.svg" alt="allowed"></p>
</body></html>"""
    job = HandoutJob(Handout("brief", "probe", "en", "pdf/probe.en.pdf", "Probe"), html)
    pdf = write_handout(job, site, ((site,), frozenset()))
    assert CountingHandler.requests == []
    reader = PdfReader(pdf)
    assert reader.attachments == {}
    annotations = [annotation.get_object().get("/Subtype") for page in reader.pages
                   for annotation in page.get("/Annots", [])]
    assert "/FileAttachment" not in annotations
    assert b"probe-secret-3141" not in pdf.read_bytes()
    assert b"token@example.org" not in pdf.read_bytes()


def png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2, 2)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_fetcher_serves_its_files_and_true_pictures_in_its_folders_and_refuses_the_rest(tmp_path):
    inside = tmp_path / "site"
    inside.mkdir()
    (inside / "map.png").write_bytes(png())
    (inside / "fake.png").write_text('<svg xmlns="http://www.w3.org/2000/svg"><text>forged</text></svg>', "utf-8")
    (inside / "a.css").write_text("p {}", encoding="utf-8")
    (inside / "out.png").symlink_to("/etc/hostname")
    (tmp_path / "chart.svg").write_text("<svg/>", encoding="utf-8")
    fetcher = LocalFetcher([inside], {(tmp_path / "chart.svg").resolve()})
    assert fetcher.fetch((inside / "map.png").as_uri()).read() == png()
    assert fetcher.fetch((tmp_path / "chart.svg").as_uri()).read() == b"<svg/>"
    for url in ((inside / "fake.png").as_uri(), (inside / "a.css").as_uri(),
                (inside / "out.png").as_uri(), (inside / ".." / "chart.svg.missing").as_uri(),
                "file:///proc/self/environ", "file:///etc/passwd", (inside / "../../../etc/passwd").as_uri(),
                "http://127.0.0.1:9/x.css", "https://example.org/x.png", "data:text/css,p{}",
                "file://198.51.100.7/share/x.css", "ftp://example.org/x"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 12
