"""A local HTTP server that records every request (the outside world, on 127.0.0.1)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.time)  # when it arrived (rate checks)

    def json(self):
        return json.loads(self.body)


@dataclass
class Recorder:
    """What the server received; ``answers`` (status, body) are used up in order, then 200."""

    requests: list[Received] = field(default_factory=list)
    answers: list[tuple[int, str]] = field(default_factory=list)
    default: tuple[int, str] = (200, '{"errcode": 0, "code": 0}')
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def recorder():
    rec = Recorder()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the providers' gateways

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            with rec.lock:
                rec.requests.append(
                    Received(
                        "POST",
                        parts.path,
                        parse_qs(parts.query),
                        {k.lower(): v for k, v in self.headers.items()},
                        body,
                    )
                )
                status, text = rec.answers.pop(0) if rec.answers else rec.default
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    rec.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield rec
    server.shutdown()
    server.server_close()
