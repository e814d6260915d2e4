"""URL import keeps ONE deadline for connect, headers and body against a trickling server.

The server is a real TCP server on 127.0.0.1 that sends a fixed prefix at once and then one
byte every INTERVAL seconds, counting what it sent. A fetch with a short deadline must fail
with the timeout error having been served only a few of the trickled bytes (a per-read socket
timeout would wait for all of them: each byte arrives well within it).
"""
from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from generator.cli import main
from generator.core.errors import SiteError
from generator.importer import fetch as fetching

INTERVAL = 0.25
DEADLINE = 1.0
# 40 bytes at INTERVAL: 10 s for the whole trickle, ten times the deadline
TRICKLE = b"a" * 40
FIXTURES = Path(__file__).parent / "fixtures" / "importer"

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nConnection: close\r\n"
PLANS = {
    # the status line arrives, then a header line that never ends in time
    "headers": (HEAD + b"X-Padding: ", TRICKLE + b"\r\n\r\n<p>late</p>"),
    "body": (HEAD + b"Content-Length: 40\r\n\r\n", TRICKLE),
    "chunked": (HEAD + b"Transfer-Encoding: chunked\r\n\r\n28\r\n", TRICKLE + b"\r\n0\r\n\r\n"),
    "silent": (b"", b""),
    # a TLS record header announcing 16 KB, then its bytes one at a time: the handshake reads
    # inside OpenSSL, bounded in all by the socket timeout set from the time left at connect
    "tls": (b"\x16\x03\x03\x40\x00", TRICKLE),
}


@dataclass
class Trickler:
    """A local server answering every connection with PLAN (prefix, then a byte at a time)."""

    plan: tuple[bytes, bytes]
    interval: float
    scheme: str = "http"
    served: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    listener: socket.socket = field(default_factory=socket.socket)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.listener.getsockname()[1]}/page.html"

    def start(self) -> None:
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        prefix, trickle = self.plan
        with conn:
            try:
                conn.recv(65536)  # the request (small, arrives in one piece on loopback)
                if not prefix and not trickle:
                    self.stop.wait()  # accept and say nothing
                    return
                conn.sendall(prefix)
                for byte in trickle:
                    if self.stop.wait(self.interval):
                        return
                    conn.sendall(bytes([byte]))
                    self.served += 1
            except OSError:
                return  # the client gave up: that is the point

    def close(self) -> None:
        self.stop.set()
        self.listener.close()


@pytest.fixture
def trickler(request: pytest.FixtureRequest) -> Iterator[Trickler]:
    plan, interval = request.param
    server = Trickler(PLANS[plan] if isinstance(plan, str) else plan, interval,
                      "https" if plan == "tls" else "http")
    server.start()
    yield server
    server.close()


def timed_fetch(url: str, **kwargs: object) -> tuple[SiteError, float]:
    """The SiteError a fetch raises, and the seconds it took."""
    started = time.monotonic()
    with pytest.raises(SiteError) as caught:
        fetching.fetch(url, **kwargs)
    return caught.value, time.monotonic() - started


@pytest.mark.parametrize("trickler", [("headers", INTERVAL)], indirect=True)
def test_trickled_headers_cannot_outlast_the_deadline(trickler: Trickler) -> None:
    error, took = timed_fetch(trickler.url, timeout=DEADLINE)
    served = trickler.served
    assert str(error) == (f"{trickler.url}: no answer within {DEADLINE:g} seconds "
                          f"(try again later or save the page in a browser)")
    # a per-read timeout would take all 40 bytes (10 s); the deadline allows about 4
    assert served < 3 * DEADLINE / INTERVAL and took < 3 * DEADLINE


@pytest.mark.parametrize("trickler", [("body", INTERVAL), ("chunked", INTERVAL)], indirect=True)
def test_trickled_body_cannot_outlast_the_deadline(trickler: Trickler) -> None:
    error, took = timed_fetch(trickler.url, timeout=DEADLINE)
    served = trickler.served
    assert error.message == f"page not received in full within {DEADLINE:g} seconds"
    assert error.path == trickler.url and "\n" not in str(error)
    assert served < 3 * DEADLINE / INTERVAL and took < 3 * DEADLINE


@pytest.mark.parametrize("trickler", [("silent", INTERVAL)], indirect=True)
def test_a_server_that_never_answers_times_out(trickler: Trickler) -> None:
    error, took = timed_fetch(trickler.url, timeout=DEADLINE)
    assert error.message == f"no answer within {DEADLINE:g} seconds" and took < 3 * DEADLINE


@pytest.mark.parametrize("trickler", [("tls", INTERVAL)], indirect=True)
def test_a_trickled_tls_handshake_cannot_outlast_the_deadline(trickler: Trickler) -> None:
    error, took = timed_fetch(trickler.url, timeout=DEADLINE)
    served = trickler.served
    assert error.message == f"no answer within {DEADLINE:g} seconds"
    assert served < 3 * DEADLINE / INTERVAL and took < 3 * DEADLINE


@pytest.mark.parametrize("trickler", [("body", 0.0)], indirect=True)
def test_the_same_server_without_delay_is_fetched(trickler: Trickler) -> None:
    # the control: the trickle plan itself is a valid page, only its pace fails it
    got = fetching.fetch(trickler.url, timeout=5.0)
    assert got.raw == TRICKLE and got.charset == "utf-8" and trickler.served == len(TRICKLE)


ENDLESS = (HEAD + b"\r\n", b"x" * 10_000_000)


@pytest.mark.parametrize("trickler", [(ENDLESS, 0.0)], indirect=True)
def test_the_size_limit_holds_while_bytes_arrive(trickler: Trickler) -> None:
    # no Content-Length and no end: the limit must stop the read, not the end of the stream
    error, _ = timed_fetch(trickler.url, timeout=30.0, max_bytes=10_000)
    assert error.message == "page is larger than the limit of 10,000 bytes"
    assert trickler.served < len(ENDLESS[1])


@pytest.mark.parametrize("trickler", [("headers", INTERVAL)], indirect=True)
def test_a_timeout_is_one_error_line_and_the_batch_goes_on(
        trickler: Trickler, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(fetching, "TIMEOUT_SECONDS", DEADLINE)
    site = tmp_path / "site"
    site.mkdir()
    (site / "site.yml").write_text("title: T\nbase_url: https://example.org/\n", encoding="utf-8")
    status = main(["import", "--site", str(site), "--json", "--now", "2025-12-01T09:00:00+08:00",
                   trickler.url, str(FIXTURES / "plain_hans.txt")])
    captured = capsys.readouterr()
    results = [json.loads(line) for line in captured.out.splitlines() if line.strip()]
    assert status == 1 and [r["status"] for r in results] == ["error", "new"]
    assert results[0]["error"].startswith(f"{trickler.url}: no answer within 1 second")
    assert "Traceback" not in captured.err
