"""A FAKE OpenAI-compatible server for protocol tests: real HTTP on 127.0.0.1, port 0, a thread.

It speaks just enough of the API that `OpenAILike` (and any OpenAI client) uses:
`POST /v1/chat/completions` and `POST /v1/completions`, each plain JSON or, with
`"stream": true`, server-sent events ending in `data: [DONE]`; `GET /v1/models`. The reply is
scripted (`reply`), not generated. `delay_s` holds the answer back (for timeouts), `status`
makes every completion fail with that HTTP status. Every request is logged with its path,
headers and JSON body.

    with FakeOpenAIServer(reply="About 4,000 workers joined [1].") as server:
        settings = LLMSettings(backend="openai", base_url=server.base_url, model="fake")
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.httpserver import ThreadedServer


@dataclass(frozen=True)
class LoggedRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeOpenAIServer(ThreadedServer):
    """Scripted replies over the OpenAI wire protocol; see the module docstring."""

    reply: str = "Hello [1]."
    delay_s: float = 0.0
    status: int = 200
    log: list[LoggedRequest] = field(default_factory=list)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _handler_for(self)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


def _tokens(text: str) -> list[str]:
    """The reply in word-sized pieces, spaces kept, as a model would stream it."""
    pieces: list[str] = []
    for i, word in enumerate(text.split(" ")):
        pieces.append(word if i == 0 else " " + word)
    return pieces


def _handler_for(fake: FakeOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt: str, *args: Any) -> None:
            pass  # keep test output clean

        def _send_json(self, status: int, payload: dict[str, Any]) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path.rstrip("/") == "/v1/models":
                self._send_json(
                    200, {"object": "list", "data": [{"id": "fake", "object": "model"}]}
                )
            else:
                self._send_json(404, {"error": {"message": "not found", "type": "not_found"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            fake.log.append(LoggedRequest(self.path, dict(self.headers.items()), body))
            chat = self.path.endswith("/chat/completions")
            if not chat and not self.path.endswith("/completions"):
                self._send_json(404, {"error": {"message": "unknown path", "type": "not_found"}})
                return
            if fake.status != 200:
                error = {"message": f"fake error {fake.status}", "type": "fake_error"}
                self._send_json(fake.status, {"error": error})
                return
            if fake.delay_s:
                time.sleep(fake.delay_s)
            model = body.get("model", "fake")
            try:
                if body.get("stream"):
                    self._stream(chat, model)
                else:
                    choice: dict[str, Any] = {"index": 0, "finish_reason": "stop"}
                    if chat:
                        choice["message"] = {"role": "assistant", "content": fake.reply}
                    else:
                        choice["text"] = fake.reply
                    self._send_json(200, _envelope(chat, model, choice, stream=False))
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (a timeout test): expected

        def _stream(self, chat: bool, model: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            for piece in _tokens(fake.reply):
                delta: dict[str, Any] = {"index": 0, "finish_reason": None}
                if chat:
                    delta["delta"] = {"role": "assistant", "content": piece}
                else:
                    delta["text"] = piece
                event = _envelope(chat, model, delta, stream=True)
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()
            last: dict[str, Any] = {"index": 0, "finish_reason": "stop"}
            if chat:
                last["delta"] = {}
            else:
                last["text"] = ""
            event = _envelope(chat, model, last, stream=True)
            self.wfile.write(f"data: {json.dumps(event)}\n\ndata: [DONE]\n\n".encode())
            self.wfile.flush()
            self.close_connection = True

    return Handler


def _envelope(chat: bool, model: str, choice: dict[str, Any], *, stream: bool) -> dict[str, Any]:
    kind = "chat.completion" if chat else "text_completion"
    return {
        "id": "fake-1",
        "object": kind + (".chunk" if stream and chat else ""),
        "created": 0,
        "model": model,
        "choices": [choice],
        **(
            {}
            if stream
            else {"usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
        ),
    }
