"""The deployed branch served under a sub-path (/archive/): no broken link, a working toggle.

Builds the sample site with base_url http://127.0.0.1:PORT/archive/, deploys it to a bare
repository, extracts the branch's tree with `git archive` under archive/ of a static server's
root (nothing else is served, so any link that forgets the sub-path is broken) and crawls it.
"""
from __future__ import annotations

import functools
import http.server
import io
import subprocess
import tarfile
import threading
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from generator.publish import deploy
from generator.build import build
from generator.io.cache import DiskCache
from generator.io.config import load_config
from generator.publish.linkcheck import check_site, report

REPO = Path(__file__).resolve().parent.parent
# (tag, attribute) pairs that reference other files
LINK_ATTRS = (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"),
              ("source", "src"), ("iframe", "src"), ("form", "action"))
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """The stdlib static handler without a log line per request."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        """Stay quiet."""


@pytest.fixture(scope="module")
def git_env() -> Iterator[None]:
    """Isolated, deterministic git for this module (module-scoped, so no monkeypatch)."""
    patch = pytest.MonkeyPatch()
    for role in ("AUTHOR", "COMMITTER"):
        patch.setenv(f"GIT_{role}_NAME", "Curator")
        patch.setenv(f"GIT_{role}_EMAIL", "curator@example.com")
        patch.setenv(f"GIT_{role}_DATE", "2025-03-04T05:06:07+08:00")
    patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    patch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    patch.delenv("NEWSARCHIVE_BASE_URL", raising=False)
    yield
    patch.undo()


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory,
             git_env: None) -> Iterator[tuple[str, Path]]:
    """(URL, folder) of the sample archive served from the gh-pages tree under /archive/."""
    tmp = tmp_path_factory.mktemp("subpath")
    served = tmp / "www"
    served.mkdir()
    handler = functools.partial(QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    root = f"http://127.0.0.1:{server.server_address[1]}/archive/"
    try:
        config = load_config(REPO, base_url=root)
        # an in-memory cache: the test never writes the repository's .newsarchive-cache
        build(config, out_dir=tmp / "output", cache=DiskCache.memory())
        remote, checkout = tmp / "remote.git", tmp / "site"
        subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
        subprocess.run(["git", "init", "-q", str(checkout)], check=True)
        subprocess.run(["git", "remote", "add", "origin", str(remote)], cwd=checkout, check=True)
        result = deploy.deploy(deploy.resolve_target(checkout), tmp / "output")
        assert result.pushed
        tar = subprocess.run(["git", "archive", "--format=tar", "gh-pages"], cwd=remote,
                             capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
            archive.extractall(served / "archive", filter="data")
        yield root, served / "archive"
    finally:
        server.shutdown()
        server.server_close()


def fetch(url: str) -> tuple[int, str, bytes]:
    """(status, content type, body) of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, "", b""


def html_links(page_url: str, body: bytes) -> set[str]:
    """Absolute URLs (fragments dropped) that a page's markup references."""
    tree = HTMLParser(body.decode("utf-8"))
    found = set()
    for tag, attr in LINK_ATTRS:
        for node in tree.css(f"{tag}[{attr}]"):
            value = (node.attributes.get(attr) or "").strip()
            if value and not value.startswith(("mailto:", "javascript:", "data:", "tel:")):
                found.add(urldefrag(urljoin(page_url, value))[0])
        for node in tree.css(f"{tag}[srcset]"):
            for candidate in (node.attributes.get("srcset") or "").split(","):
                if candidate.strip():
                    found.add(urljoin(page_url, candidate.split()[0]))
    return found


def xml_links(body: bytes) -> set[str]:
    """URLs named by an Atom feed (link hrefs) or a sitemap (loc)."""
    root = ET.fromstring(body)
    hrefs = {el.get("href", "") for el in root.iter(f"{ATOM}link")}
    locs = {(el.text or "").strip() for el in root.iter(f"{SITEMAP}loc")}
    return {url for url in hrefs | locs if url}


def crawl(start: str, extra: set[str]) -> tuple[dict[str, int], dict[str, set[str]]]:
    """Visit every internal URL reachable from START; ({url: status}, {url: referrers})."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(start))
    status: dict[str, int] = {}
    referrers: dict[str, set[str]] = {url: {"(start)"} for url in {start, *extra}}
    queue = deque(sorted(referrers))
    while queue:
        url = queue.popleft()
        if url in status:
            continue
        code, kind, body = fetch(url)
        status[url] = code
        if code != 200:
            continue
        if kind == "text/html":
            links = html_links(url, body)
        elif url.endswith(".xml"):
            links = xml_links(body)
        else:
            continue
        for link in sorted(links):
            if link.startswith(origin):
                referrers.setdefault(link, set()).add(url)
                if link not in status:
                    queue.append(link)
    return status, referrers


def test_deployed_tree_has_no_broken_reference(deployed: tuple[str, Path]) -> None:
    url, folder = deployed
    broken = check_site(folder, "/archive/", base_url=url)
    assert not broken, report(broken)


def test_crawl_of_the_sub_path_finds_no_broken_link(deployed: tuple[str, Path]) -> None:
    deployed = deployed[0]
    status, referrers = crawl(deployed, {deployed + "sitemap.xml", deployed + "robots.txt",
                                         deployed + "zh-hant/feed.xml", deployed + "zh-hans/feed.xml"})
    broken = {url: sorted(referrers[url])[:3] for url, code in status.items() if code != 200}
    assert not broken, f"{len(broken)} broken internal URLs: {broken}"
    outside = [url for url in status if not urlsplit(url).path.startswith("/archive/")]
    assert not outside, f"links escaping the sub-path: {outside}"
    paths = {urlsplit(url).path for url in status}
    # the crawl really reached articles, tag pages, assets, feeds and the sitemap
    assert any("/archive/zh-hant/articles/" in p for p in paths)
    assert any("/archive/zh-hans/tags/" in p for p in paths)
    assert any(p.startswith("/archive/static/") for p in paths)
    assert {"/archive/sitemap.xml", "/archive/zh-hant/feed.xml"} <= paths


def test_sitemap_feeds_and_robots_point_into_the_sub_path(deployed: tuple[str, Path]) -> None:
    deployed = deployed[0]
    code, _, body = fetch(deployed + "sitemap.xml")
    assert code == 200
    locs = xml_links(body)
    assert locs and all(url.startswith(deployed) for url in locs)
    for script in ("zh-hant", "zh-hans"):
        code, _, feed = fetch(f"{deployed}{script}/feed.xml")
        own = [el.get("href", "") for el in ET.fromstring(feed).iter(f"{ATOM}link")
               if el.get("rel", "alternate") in ("alternate", "self")]
        assert own and all(url.startswith(deployed) for url in own), own
    code, _, robots = fetch(deployed + "robots.txt")
    assert code == 200 and f"Sitemap: {deployed}sitemap.xml" in robots.decode()


def test_script_toggle_works_under_the_sub_path(deployed: tuple[str, Path], browser) -> None:
    deployed = deployed[0]
    _, _, home = fetch(deployed + "zh-hant/")
    article = next(url for url in sorted(html_links(deployed + "zh-hant/", home))
                   if "/archive/zh-hant/articles/" in url)
    page = browser.new_page()
    try:
        page.goto(article)
        assert page.locator("html").get_attribute("lang") == "zh-Hant"
        page.click("a.script-toggle")
        page.wait_for_url(article.replace("/zh-hant/", "/zh-hans/"))
        assert page.locator("html").get_attribute("lang") == "zh-Hans"
        assert urlsplit(page.url).path.startswith("/archive/zh-hans/articles/")
        # the root chooser under the sub-path follows the script just chosen
        page.goto(deployed)
        page.wait_for_url(deployed + "zh-hans/")
    finally:
        page.close()
