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
        # The head and the body leave in two writes: without TCP_NODELAY the body
        # waits for the client's delayed ACK (40 ms a request).
        disable_nagle_algorithm = True

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


@dataclass
class SmtpRecorder:
    """What a local SMTP server saw: the connections opened and each message's
    recipients; ``refuse`` (addresses) are answered 451 at RCPT TO."""

    host: str = "127.0.0.1"
    port: int = 0
    connections: int = 0
    messages: list[tuple[int, list[str], bytes]] = field(default_factory=list)  # (conn, to, data)
    refuse: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def smtp_recorder():
    """A real SMTP server on 127.0.0.1 (the subset Django's SMTP backend speaks without
    TLS or login), counting connections and recording messages."""
    import socketserver

    rec = SmtpRecorder()

    class Handler(socketserver.StreamRequestHandler):
        def setup(self):
            super().setup()
            with rec.lock:
                rec.connections += 1
                self.number = rec.connections

        def say(self, line: str) -> None:
            self.wfile.write(line.encode() + b"\r\n")
            self.wfile.flush()

        def handle(self):
            self.say("220 localhost ESMTP recorder")
            to: list[str] = []
            while line := self.rfile.readline():
                command = line.decode(errors="replace").strip()
                verb = command.split(" ", 1)[0].upper()
                if verb == "EHLO":
                    self.wfile.write(b"250-localhost\r\n250 8BITMIME\r\n")
                elif verb == "RCPT":
                    address = command.split(":", 1)[1].strip().strip("<>")
                    if address in rec.refuse:
                        self.say("451 try again later")
                        continue
                    to.append(address)
                    self.say("250 OK")
                elif verb == "DATA":
                    self.say("354 end with <CR><LF>.<CR><LF>")
                    data = b""
                    while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                        data += chunk
                    with rec.lock:
                        rec.messages.append((self.number, to, data))
                    to = []
                    self.say("250 OK queued")
                elif verb == "QUIT":
                    self.say("221 bye")
                    return
                else:  # HELO, MAIL, RSET, NOOP
                    to = [] if verb in ("MAIL", "RSET") else to
                    self.say("250 OK")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    rec.port = server.server_address[1]
    yield rec
    server.shutdown()
    server.server_close()
