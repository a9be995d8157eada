"""The same commit builds byte-identical sites in two different checkout folders."""
from __future__ import annotations

from projects import built, checkout, tree


def test_two_checkouts_build_identical_sites(warm, tmp_path):
    first = tree(warm / "site")  # a fresh checkout elsewhere, built from nothing
    second = tree(built(checkout(tmp_path / "elsewhere" / "deeper" / "copy")))
    assert sorted(first) == sorted(second)
    differing = [name for name in first if first[name] != second[name]]
    assert differing == []
    kinds = {name.rsplit(".", 1)[-1] for name in first}
    assert {"html", "svg", "pdf", "woff2", "pf_index", "pf_meta", "json", "yaml"} <= kinds
    assert "sitemap.xml" not in first  # no site_url is configured, and a sitemap needs one
    assert str(tmp_path).encode() not in b"".join(first.values())
