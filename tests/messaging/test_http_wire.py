"""The senders' own HTTP/1.1 client (``senders.post_bytes``) against a raw local socket
server: the request bytes are those ``http.client`` writes, answers with a length,
chunked or until close are read, a kept-alive connection the server closed while idle
is opened again once, and a refused connection is a transient ``SendError``."""

from __future__ import annotations

import http.client
import re
import socket
import threading
import urllib.parse

import pytest

from crm.messaging import senders


class RawServer:
    """Accepts connections one after the other; ``answers`` are the raw bytes written
    after each request (its head and Content-Length body) is read; ``close_after``: a
    connection is closed after that many answers."""

    def __init__(self, answers: list[bytes], close_after: int = 0) -> None:
        self.answers = list(answers)
        self.close_after = close_after
        self.requests: list[bytes] = []
        self.connections = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.answers:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                served = 0
                buffer = b""
                while self.answers:
                    while b"\r\n\r\n" not in buffer:
                        data = conn.recv(65536)
                        if not data:
                            break
                        buffer += data
                    if b"\r\n\r\n" not in buffer:
                        break  # the client closed the connection
                    head, _, rest = buffer.partition(b"\r\n\r\n")
                    match = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
                    length = int(match.group(1)) if match else 0
                    while len(rest) < length:
                        rest += conn.recv(65536)
                    self.requests.append(head + b"\r\n\r\n" + rest[:length])
                    buffer = rest[length:]
                    conn.sendall(self.answers.pop(0))
                    served += 1
                    if self.close_after and served >= self.close_after:
                        break

    def close(self) -> None:
        self.sock.close()


OK = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n{"ok": true}'


@pytest.fixture(autouse=True)
def _fresh_pool():
    senders._pool.__dict__.clear()
    yield
    for conn in senders._pool.__dict__.pop("conns", {}).values():
        conn.close()


def _http_client_bytes(url: str, data: bytes, headers: dict) -> bytes:
    """What http.client itself writes for the same POST (the reference)."""
    server = RawServer([OK])
    try:
        parts = urllib.parse.urlsplit(url)
        conn = http.client.HTTPConnection(f"127.0.0.1:{server.port}", timeout=10)
        path = f"{parts.path}?{parts.query}" if parts.query else parts.path
        conn.request("POST", path, body=data, headers=headers)
        conn.getresponse().read()
        conn.close()
        server.thread.join(5)
        return server.requests[0].replace(str(server.port).encode(), b"PORT")
    finally:
        server.close()


@pytest.mark.parametrize(
    ("data", "headers"),
    [
        (b"", None),
        ('{"text": "您好"}'.encode(), None),
        (b"{}", {"X-Shanghui-Event": "deal.won", "User-Agent": "Shanghui-Webhook/1"}),
    ],
)
def test_request_bytes_are_those_of_http_client(data, headers):
    server = RawServer([OK])
    try:
        url = f"http://127.0.0.1:{server.port}/sms?A=1&B=%E4%BD%A0"
        assert senders.post_bytes(url, data, headers) == (200, '{"ok": true}')
        server.thread.join(5)
        sent = server.requests[0].replace(str(server.port).encode(), b"PORT")
    finally:
        server.close()
    head = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    assert sent == _http_client_bytes("http://x/sms?A=1&B=%E4%BD%A0", data, head)
    assert sent.startswith(b"POST /sms?A=1&B=%E4%BD%A0 HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\n")


def test_kept_alive_connection_closed_while_idle_is_opened_again_once():
    server = RawServer([OK, OK, OK], close_after=1)
    try:
        url = f"http://127.0.0.1:{server.port}/sms"
        for _ in range(3):
            assert senders.post_bytes(url, b"")[0] == 200
        server.thread.join(5)
    finally:
        server.close()
    assert len(server.requests) == 3
    assert server.connections == 3  # each closed by the server after its answer


def test_one_connection_serves_a_batch():
    server = RawServer([OK] * 5)
    try:
        url = f"http://127.0.0.1:{server.port}/sms"
        for _ in range(5):
            assert senders.post_bytes(url, b"")[0] == 200
        server.thread.join(5)
    finally:
        server.close()
    assert server.connections == 1


def test_chunked_until_close_and_connection_close_answers():
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b'5\r\n{"Cod\r\n9;x=1\r\ne": "OK"}\r\n0\r\n\r\n'
    )
    close = b"HTTP/1.1 503 Busy\r\nConnection: close\r\nContent-Length: 4\r\n\r\nbusy"
    server = RawServer([chunked, close])
    key = ("http", f"127.0.0.1:{server.port}")
    try:
        url = f"http://127.0.0.1:{server.port}/sms"
        assert senders.post_bytes(url, b"") == (200, '{"Code": "OK"}')
        assert key in senders._pool.conns  # kept for the next request
        assert senders.post_bytes(url, b"") == (503, "busy")
        assert key not in senders._pool.conns  # the server said it closes
    finally:
        server.close()
    server = RawServer([b"HTTP/1.0 200 OK\r\n\r\nthe rest"], close_after=1)
    try:
        url = f"http://127.0.0.1:{server.port}/sms"
        assert senders.post_bytes(url, b"") == (200, "the rest")  # the body ends at close
        assert ("http", f"127.0.0.1:{server.port}") not in senders._pool.conns
    finally:
        server.close()


def test_refused_connection_and_bad_scheme():
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    with pytest.raises(senders.SendError) as refused:
        senders.post_bytes(f"http://127.0.0.1:{port}/sms", b"")
    assert not refused.value.permanent
    with pytest.raises(senders.SendError) as scheme:
        senders.post_bytes("ftp://127.0.0.1/sms", b"")
    assert scheme.value.permanent
