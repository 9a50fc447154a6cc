"""A real HTTP server on 127.0.0.1 (port 0) in a thread, for tests that fetch pages and feeds.

Routes are set per test: a body with its Content-Type, an optional ETag/Last-Modified (a
matching If-None-Match/If-Modified-Since gets a 304), a delay (for timeouts), a redirect, or
a body sent without Content-Length (for streaming limits). Unknown paths get a 404. Every
request is logged so tests can assert what was asked and with which headers. Starting and
stopping the server is `ThreadedServer`'s, which the fake OpenAI server and `GatedPage`
share.

    with LocalServer() as server:
        server.route("/feed.rss", rss_bytes, content_type="application/rss+xml", etag='"v1"')
        fetcher.get(server.url("/feed.rss"))
"""

from __future__ import annotations

import contextlib
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Self

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"
PORT_PLACEHOLDER = "127.0.0.1:PORT"


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    delay_s: float = 0.0
    location: str | None = None
    send_length: bool = True


@dataclass(frozen=True)
class LoggedRequest:
    path: str
    headers: dict[str, str]


class ThreadedServer(ABC):
    """Serves `handler()` on 127.0.0.1 at a free port, from a daemon thread, inside `with`."""

    _server: ThreadingHTTPServer | None = None

    @abstractmethod
    def handler(self) -> type[BaseHTTPRequestHandler]:
        """The request handler class, bound to this server's state."""

    def __enter__(self) -> Self:
        server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        server.daemon_threads = True
        self._server = server
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])


@dataclass
class LocalServer(ThreadedServer):
    routes: dict[str, Route] = field(default_factory=dict)
    log: list[LoggedRequest] = field(default_factory=list)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _handler_for(self)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def localize(self, text: str) -> str:
        """Point a fixture's `127.0.0.1:PORT` placeholders at this server."""
        return text.replace(PORT_PLACEHOLDER, f"127.0.0.1:{self.port}")

    def route(self, path: str, body: bytes | str = b"", **options: object) -> Route:
        data = body.encode("utf-8") if isinstance(body, str) else body
        route = Route(body=data, **options)  # type: ignore[arg-type]
        self.routes[path] = route
        return route

    def serve_fixture(self, path: str, fixture: str, content_type: str, **options: object) -> Route:
        """Serve a file from tests/fixtures/sources with its placeholders localized."""
        text = (FIXTURES / fixture).read_text(encoding="utf-8")
        return self.route(path, self.localize(text), content_type=content_type, **options)

    def requests_to(self, path: str) -> list[LoggedRequest]:
        return [request for request in self.log if request.path == path]


def _handler_for(state: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.log.append(LoggedRequest(self.path, dict(self.headers.items())))
            route = state.routes.get(self.path)
            if route is None:
                self._reply(404, b"<html><body><h1>Not found</h1></body></html>", "text/html")
                return
            if route.delay_s:
                time.sleep(route.delay_s)
            if route.location:
                self.send_response(route.status)
                self.send_header("Location", route.location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if self._not_modified(route):
                self.send_response(304)
                self._validators(route)
                self.end_headers()
                return
            self._reply(route.status, route.body, route.content_type, route)

        def _not_modified(self, route: Route) -> bool:
            etag = self.headers.get("If-None-Match")
            since = self.headers.get("If-Modified-Since")
            if route.etag and etag:
                return etag == route.etag
            return bool(route.last_modified and since == route.last_modified)

        def _validators(self, route: Route) -> None:
            if route.etag:
                self.send_header("ETag", route.etag)
            if route.last_modified:
                self.send_header("Last-Modified", route.last_modified)

        def _reply(
            self, status: int, body: bytes, content_type: str, route: Route | None = None
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if route is None or route.send_length:
                self.send_header("Content-Length", str(len(body)))
            else:
                self.send_header("Connection", "close")
            if route is not None:
                self._validators(route)
            self.end_headers()
            # The client may stop reading (size limit, timeout): that is what the test checks.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
            pass

    return Handler


class GatedPage(ThreadedServer):
    """One article page whose response waits until the test opens the gate.

    A `newsbot ingest` fetching it stays inside its run (holding the ingest lock, between two
    batches) for exactly as long as the test wants. `asked` is set when the request arrives;
    leaving the `with` block opens the gate, so a waiting request finishes before the server stops.
    """

    def __init__(self, title: str = "Gated report") -> None:
        self.opened = threading.Event()
        self.asked = threading.Event()
        sentences = " ".join(
            f"The gated harbour report lists finding number {i} of the inquiry." for i in range(12)
        )
        self.body = (
            f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            f"<p>{sentences}</p></article></body></html>"
        ).encode()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/report"

    def handler(self) -> type[BaseHTTPRequestHandler]:
        gate = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                gate.asked.set()
                gate.opened.wait(120)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(gate.body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(gate.body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
                pass

        return Handler

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.opened.set()
        super().__exit__(exc_type, exc, traceback)
