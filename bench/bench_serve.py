"""Benchmark `newsarchive serve --watch`: edit-to-reload latency and warm start-up time.

For each archive size, a synthetic corpus (../shared/bench/make_corpus.py, plain flavor) is
written into a scratch site, then `newsarchive serve --watch --port 0` runs as a real
subprocess. Start-up is the time from launching the process until the home page answers
200, measured with a warm parse cache (a first run fills it). Edit latency is the time from
writing an article's Markdown until the server has pushed the reload event over SSE and
the article page it serves carries the new text.

    .venv/bin/python bench/bench_serve.py --sizes 1000 10000 --edits 5
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bench_companies  # bench/bench_companies.py: companies spread over the articles
import synthetic  # bench/synthetic.py: the shared synthetic archives

REPO = Path(__file__).resolve().parent.parent
EVENTS_PATH = "/__newsarchive/events"
SITE_YML = "title: 新聞存檔基準\nbase_url: https://example.github.io/archive/\nsearch: {search}\n"


def make_site(folder: Path, size: int, *, search: bool) -> Path:
    """A scratch site with `size` synthetic articles under content/."""
    site = folder / f"site-{size}"
    return synthetic.make_site(site, size, SITE_YML.format(search=str(search).lower()))


class ServeProcess:
    """`newsarchive serve --watch --port 0` as a subprocess, with its URL."""

    def __init__(self, site: Path, port: int) -> None:
        self.started = time.perf_counter()
        # warnings go to a file: a site printing more than a pipe holds (7,627 warnings at
        # 10,000 synthetic articles) would block serve on a pipe nobody reads
        self.stderr = tempfile.TemporaryFile("w+")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--watch", "--port", str(port),
             "--site", str(site)],
            cwd=REPO, stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        self.url = self._read_url()
        match = re.match(r"http://([^/:]+):(\d+)(/.*)", self.url)
        assert match, self.url
        self.host, self.port, self.base_path = match[1], int(match[2]), match[3]

    def _read_url(self) -> str:
        """Wait for the 'serving URL' line."""
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("serving "):
                return line.split()[1].rstrip(";")
        self.stderr.seek(0)
        raise RuntimeError("serve exited early: " + self.stderr.read())

    def get(self, path: str) -> tuple[int, bytes]:
        """GET a path below the base path."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request("GET", self.base_path + path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def stop(self) -> float:
        """Ctrl-C the server; seconds it took to exit."""
        started = time.perf_counter()
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=10)
        return time.perf_counter() - started

    def build_times(self) -> list[float]:
        """Seconds of each rebuild the server reported after start-up (read after stop)."""
        assert self.proc.stdout is not None
        return [int(m[1]) / 1000 for m in re.finditer(r"^built in (\d+) ms", self.proc.stdout.read(), re.M)]


class EventStream:
    """A reader of the server's SSE stream."""

    def __init__(self, serve: ServeProcess) -> None:
        self.conn = http.client.HTTPConnection(serve.host, serve.port, timeout=60)
        self.conn.request("GET", EVENTS_PATH)
        self.response = self.conn.getresponse()

    def next_state(self) -> dict[str, object]:
        """Block until the next state event."""
        while True:
            line = self.response.fp.readline()
            if not line:
                raise RuntimeError("event stream closed")
            if line.startswith(b"data: "):
                return json.loads(line[6:])

    def close(self) -> None:
        """Close the stream."""
        self.conn.close()


def free_port() -> int:
    """A port free now; every run reuses it, as a curator's `serve` reuses 8000."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_up(site: Path, port: int) -> float:
    """Seconds from launching serve until the home page answers 200."""
    serve = ServeProcess(site, port)
    status, _ = serve.get("zh-hant/")
    elapsed = time.perf_counter() - serve.started
    serve.stop()
    assert status == 200, status
    return elapsed


def wait_for_text(serve: ServeProcess, page: str, marker: str, timeout: float = 30) -> None:
    """Poll the page until it carries the marker (normally already true at the event)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        status, body = serve.get(page)
        if status == 200 and marker.encode() in body:
            return
        time.sleep(0.002)
    raise RuntimeError(f"{page} never showed {marker}")


def edit_latencies(site: Path, port: int, edits: int) -> tuple[list[float], list[float], float]:
    """Edit one article `edits` times; seconds from write to new text served, and Ctrl-C time."""
    articles = sorted((site / "content").glob("*.md"))
    article = articles[len(articles) // 2]
    original = article.read_text(encoding="utf-8")
    page = f"zh-hant/articles/{article.stem}/"
    serve = ServeProcess(site, port)
    latencies = []
    try:
        assert serve.get(page)[0] == 200, f"no page at {page}"
        events = EventStream(serve)
        epoch = events.next_state()["epoch"]
        for n in range(edits):
            time.sleep(0.3)  # let the previous burst settle, as between real edits
            marker = f"基準標記{n:03d}號"
            started = time.perf_counter()
            article.write_text(original.replace("\n\n", f"\n\n{marker}。", 1), encoding="utf-8")
            while (state := events.next_state())["epoch"] == epoch:
                if state["errors"]:
                    raise RuntimeError(f"rebuild failed: {state['errors']}")
            epoch = state["epoch"]
            wait_for_text(serve, page, marker)
            latencies.append(time.perf_counter() - started)
        events.close()
    finally:
        article.write_text(original, encoding="utf-8")
        time.sleep(0.3)  # the restoring rebuild finishes before Ctrl-C
        stop_seconds = serve.stop()
    return latencies, serve.build_times()[:edits], stop_seconds


def report(size: int, startup: float, latencies: list[float], builds: list[float],
           stop_seconds: float) -> None:
    """Print one size's figures."""
    ms = sorted(x * 1000 for x in latencies)
    build_ms = statistics.median(builds) * 1000 if builds else float("nan")
    print(f"{size:>6} articles: warm start-up {startup:.2f} s; edit-to-reload "
          f"median {statistics.median(ms):.0f} ms (min {ms[0]:.0f}, max {ms[-1]:.0f}, "
          f"n={len(ms)}; rebuild itself median {build_ms:.0f} ms); "
          f"Ctrl-C exit {stop_seconds * 1000:.0f} ms", flush=True)


def main() -> int:
    """Run the benchmark for each size and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--search", action="store_true",
                        help="keep the search index (Pagefind) in every rebuild")
    parser.add_argument("--work", type=Path, help="scratch folder to keep (default: temporary)")
    parser.add_argument("--companies", type=int, default=0,
                        help="spread this many companies over the articles (bench_companies.py)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="newsarchive-bench-serve-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        for size in args.sizes:
            site = make_site(work, size, search=args.search)
            if args.companies and not (site / "companies.yml").exists():
                bench_companies.name_companies(site, args.companies)
            port = free_port()
            cold = start_up(site, port)  # fills serve's parse cache
            warm = start_up(site, port)
            print(f"{size:>6} articles: cold start-up {cold:.2f} s", flush=True)
            latencies, builds, stop_seconds = edit_latencies(site, port, args.edits)
            report(size, warm, latencies, builds, stop_seconds)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
