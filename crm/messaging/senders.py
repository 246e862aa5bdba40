"""How each channel kind puts a message on the wire (the outside world).

A sender takes the channel, the decrypted secret and the delivery; it returns the
provider's message id or raises ``SendError``. Robots are signed as their
vendors document:

* DingTalk: ``sign = base64(HMAC-SHA256(key=secret, msg=timestamp + "\\n" + secret))``,
  ``timestamp`` (ms) and ``sign`` (URL-encoded) in the query string;
* Feishu: ``sign = base64(HMAC-SHA256(key=timestamp + "\\n" + secret, msg=""))``,
  ``timestamp`` (s) and ``sign`` in the JSON body;
* WeCom: the robot's ``key`` in the query string (no signature).

SMS goes to a configurable HTTP gateway, Aliyun style: the parameters in the
query string, ``Signature`` = base64 HMAC-SHA1 of the canonical string
(``POST&%2F&`` + percent-encoded sorted parameters) keyed with ``secret + "&"``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

TIMEOUT_SECONDS = 10


class SendError(Exception):
    """A message could not be sent; ``permanent`` ones are not retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def post_json(url: str, payload: dict, headers: dict | None = None) -> tuple[int, str]:
    """POST ``payload`` as JSON; returns (status, body). Network errors raise SendError."""
    data = json.dumps(payload, ensure_ascii=False).encode()
    return post_bytes(url, data, headers)


# Keep-alive connections to the gateways, one set per thread (a worker thread sends
# a batch one message after the other to the same host: no TCP handshake each).
_pool = threading.local()

_MAXLINE = 65536
_MAXHEADERS = 100
# What http.client refuses in a request target (control characters and spaces).
_BAD_TARGET = re.compile("[\x00-\x20\x7f]").search
_LEGAL_HEADER_NAME = re.compile(rb"[^:\s][^:\r\n]*").fullmatch
_ILLEGAL_HEADER_VALUE = re.compile(rb"\n(?![ \t])|\r(?![ \t\n])").search
_JSON_HEAD = {"Content-Type": "application/json; charset=utf-8"}


class _Kept:
    """One kept-alive HTTP/1.1 connection, spoken to directly: the request's bytes are
    those ``http.client`` writes (request line, ``Host``, ``Accept-Encoding:
    identity``, ``Content-Length``, the headers given, in one write with the body)
    and the answer is read from one buffered reader (status line, headers, a
    Content-Length, chunked or until-close body) without ``http.client``'s e-mail
    header parser: a third of a send's CPU went into building and parsing with it.
    The socket itself is opened by ``http.client`` (TCP_NODELAY; TLS with the
    default verified context, SNI and ALPN for https)."""

    __slots__ = ("conn", "host", "reader")

    def __init__(self, scheme: str, netloc: str) -> None:
        cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        self.conn = cls(netloc, timeout=TIMEOUT_SECONDS)  # parses host and port, opens nothing
        self.host = _host_header(self.conn)
        self.reader = None

    def open(self) -> None:
        self.conn.connect()
        self.reader = self.conn.sock.makefile("rb")

    def close(self) -> None:
        reader, self.reader = self.reader, None
        if reader is not None:
            reader.close()
        self.conn.close()

    def post(self, target: str, data: bytes, head: dict) -> tuple[int, bytes, bool]:
        """Send one POST and read its answer: (status, body, the server closes)."""
        self.conn.sock.sendall(_request(self.host, target, data, head))
        return _response(self.reader)


def _host_header(conn: http.client.HTTPConnection) -> bytes:
    """The ``Host`` value ``http.client`` writes for ``conn``'s host and port."""
    try:
        host = conn.host.encode("ascii")
    except UnicodeEncodeError:
        host = conn.host.encode("idna")
    if ":" in conn.host:  # an IPv6 address
        host = b"[" + host + b"]"
    if conn.port != conn.default_port:
        host += b":%d" % conn.port
    return host


def _header_line(name, value) -> bytes:
    name = name.encode("ascii") if hasattr(name, "encode") else name
    if not _LEGAL_HEADER_NAME(name):
        raise ValueError(f"Invalid header name {name!r}")
    value = value.encode("latin-1") if hasattr(value, "encode") else str(value).encode("ascii")
    if _ILLEGAL_HEADER_VALUE(value):
        raise ValueError(f"Invalid header value {value!r}")
    return name + b": " + value


def _head_lines(head: dict) -> tuple[bytes, bool, bool, bool]:
    """The header lines of ``head``; with which of Host, Accept-Encoding and the
    length it already gives (``http.client`` then leaves its own out)."""
    names = {str(name).lower() for name in head}
    lines = b"".join(_header_line(name, value) + b"\r\n" for name, value in head.items())
    return (
        lines,
        "host" in names,
        "accept-encoding" in names,
        "content-length" in names or "transfer-encoding" in names,
    )


_JSON_LINES = _head_lines(_JSON_HEAD)  # the head of every send but a webhook's: built once


def _request(host: bytes, target: str, data: bytes, head: dict) -> bytes:
    if _BAD_TARGET(target):
        raise http.client.InvalidURL(f"URL can't contain control characters. {target!r}")
    lines, has_host, has_encoding, has_length = (
        _JSON_LINES if head is _JSON_HEAD else _head_lines(head)
    )
    out = b"POST " + target.encode("ascii") + b" HTTP/1.1\r\n"
    if not has_host:
        out += b"Host: " + host + b"\r\n"
    if not has_encoding:
        out += b"Accept-Encoding: identity\r\n"
    if not has_length:
        out += b"Content-Length: %d\r\n" % len(data)
    return out + lines + b"\r\n" + data


def _line(reader, what: str) -> bytes:
    line = reader.readline(_MAXLINE + 1)
    if len(line) > _MAXLINE:
        raise http.client.LineTooLong(what)
    return line


def _headers(reader) -> dict[str, str]:
    """A response's header fields (lower-case names; the first of a repeated one)."""
    fields: dict[str, str] = {}
    name = None
    for _count in range(_MAXHEADERS + 1):
        line = _line(reader, "header line")
        if line in (b"\r\n", b"\n", b""):
            return fields
        text = line.decode("iso-8859-1").rstrip("\r\n")
        if text[:1] in (" ", "\t") and name is not None:  # a folded line goes on the field
            fields[name] += " " + text.strip()
            continue
        key, _sep, value = text.partition(":")
        name = key.strip().lower()
        if name in fields:
            name = None  # only the first one counts
        else:
            fields[name] = value.strip()
    raise http.client.HTTPException(f"got more than {_MAXHEADERS} headers")


def _response(reader) -> tuple[int, bytes, bool]:
    """Read one answer as ``http.client`` would: (status, body, the server closes)."""
    while True:
        line = _line(reader, "status line")
        if not line:
            raise http.client.RemoteDisconnected("Remote end closed connection without response")
        words = line.decode("iso-8859-1").split(None, 2)
        version = words[0] if words else ""
        if not version.startswith("HTTP/") or len(words) < 2:
            raise http.client.BadStatusLine(repr(line))
        try:
            status = int(words[1])
        except ValueError:
            raise http.client.BadStatusLine(repr(line)) from None
        if not 100 <= status <= 999:
            raise http.client.BadStatusLine(repr(line))
        fields = _headers(reader)
        if status != 100:  # 100 Continue: the real answer follows
            break
    if version in ("HTTP/1.0", "HTTP/0.9"):
        keep = (
            bool(fields.get("keep-alive")) or "keep-alive" in fields.get("connection", "").lower()
        )
        keep = keep or "keep-alive" in fields.get("proxy-connection", "").lower()
        will_close = not keep
    elif version.startswith("HTTP/1."):
        will_close = "close" in fields.get("connection", "").lower()
    else:
        raise http.client.UnknownProtocol(version)
    chunked = fields.get("transfer-encoding", "").lower() == "chunked"
    length = None
    if not chunked and "content-length" in fields:
        try:
            length = int(fields["content-length"])
        except ValueError:
            length = None
        if length is not None and length < 0:
            length = None
    if status in (204, 304) or 100 <= status < 200:
        length = 0
    if chunked:
        return status, _chunks(reader), will_close
    if length is None:  # the body ends when the server closes
        return status, reader.read(), True
    body = reader.read(length)
    if len(body) < length:
        raise http.client.IncompleteRead(body, length - len(body))
    return status, body, will_close


def _chunks(reader) -> bytes:
    parts = []
    while True:
        line = _line(reader, "chunk size")
        try:
            size = int(line.split(b";", 1)[0], 16)
        except ValueError:
            raise http.client.IncompleteRead(b"".join(parts)) from None
        if size == 0:
            while _line(reader, "trailer line") not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(parts)
        part = reader.read(size)
        if len(part) < size:
            raise http.client.IncompleteRead(b"".join(parts) + part, size - len(part))
        parts.append(part)
        reader.read(2)  # the CRLF after the chunk


def _connection(scheme: str, netloc: str) -> _Kept:
    conns = _pool.__dict__.setdefault("conns", {})
    conn = conns.get((scheme, netloc))
    if conn is None:
        conn = conns[(scheme, netloc)] = _Kept(scheme, netloc)
    return conn


def _drop(scheme: str, netloc: str) -> None:
    conn = _pool.__dict__.get("conns", {}).pop((scheme, netloc), None)
    if conn is not None:
        conn.close()


def post_bytes(url: str, data: bytes, headers: dict | None = None) -> tuple[int, str]:
    """POST on the thread's kept-alive connection to the host. A connection the server
    closed while idle (nothing was sent on it) is opened again once."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise SendError(f"unsupported URL scheme: {parts.scheme!r}", permanent=True)
    path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    head = {**_JSON_HEAD, **headers} if headers else _JSON_HEAD
    return _post(parts.scheme, parts.netloc, path, data, head)


def _post(scheme: str, netloc: str, target: str, data: bytes, head: dict) -> tuple[int, str]:
    for attempt in (1, 2):
        conn = _connection(scheme, netloc)
        reused = conn.reader is not None
        try:
            if not reused:
                conn.open()
            status, body, will_close = conn.post(target, data, head)
            if will_close:
                _drop(scheme, netloc)
            return status, body[:65536].decode(errors="replace")
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
            _drop(scheme, netloc)
            if reused and attempt == 1:
                continue  # the server had closed the idle connection: open a new one
            raise SendError(f"{type(exc).__name__}: {exc}") from exc
        except (OSError, http.client.HTTPException) as exc:
            _drop(scheme, netloc)
            raise SendError(f"{type(exc).__name__}: {exc}") from exc
    raise SendError("unreachable")


def _with_query(url: str, params: dict) -> str:
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query)
    query += list(params.items())
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _check_http(status: int, body: str) -> dict:
    if status >= 500 or status == 429:
        raise SendError(f"HTTP {status}: {body[:200]}")
    if status >= 400:
        raise SendError(f"HTTP {status}: {body[:200]}", permanent=True)
    try:
        return json.loads(body) if body else {}
    except ValueError:
        return {}


def _text(delivery) -> str:
    return f"{delivery.title}\n{delivery.body}".strip() if delivery.title else delivery.body


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    message = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp_s: int) -> str:
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def send_dingtalk(channel, secret: str, delivery) -> str:
    params = {}
    if secret:
        ts = int(time.time() * 1000)
        params = {"timestamp": str(ts), "sign": dingtalk_sign(secret, ts)}
    payload = {"msgtype": "text", "text": {"content": _text(delivery)}}
    if delivery.recipient:
        payload["at"] = {"atMobiles": [delivery.recipient]}
    answer = _check_http(*post_json(_with_query(channel.endpoint, params), payload))
    if answer.get("errcode", 0) != 0:
        raise SendError(f"DingTalk {answer.get('errcode')}: {answer.get('errmsg', '')}")
    return ""


def send_feishu(channel, secret: str, delivery) -> str:
    payload: dict = {"msg_type": "text", "content": {"text": _text(delivery)}}
    if secret:
        ts = int(time.time())
        payload.update(timestamp=str(ts), sign=feishu_sign(secret, ts))
    answer = _check_http(*post_json(channel.endpoint, payload))
    code = answer.get("code", answer.get("StatusCode", 0))
    if code != 0:
        raise SendError(f"Feishu {code}: {answer.get('msg', '')}")
    return ""


def send_wecom(channel, secret: str, delivery) -> str:
    url = _with_query(channel.endpoint, {"key": secret}) if secret else channel.endpoint
    payload: dict = {"msgtype": "text", "text": {"content": _text(delivery)}}
    if delivery.recipient:
        payload["text"]["mentioned_mobile_list"] = [delivery.recipient]
    answer = _check_http(*post_json(url, payload))
    if answer.get("errcode", 0) != 0:
        raise SendError(f"WeCom {answer.get('errcode')}: {answer.get('errmsg', '')}")
    return ""


_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*\Z").match
_RESERVED_RUN = re.compile(r"[^A-Za-z0-9_.~-]+")
# What percent-encoding a canonical string changes: it holds only unreserved
# characters, "%" (of its own escapes), "=" and "&".
_CANONICAL = re.compile(r"[A-Za-z0-9_.~%&=-]*\Z").match


def _escape_run(match) -> str:
    return "%" + match.group().encode().hex("%").upper()


def _percent(value: str) -> str:
    """RFC 3986 percent-encoding (Aliyun's): only unreserved characters stay; the
    others as their UTF-8 bytes, %XX in upper case (``quote(value, safe="~")``, a run
    of escaped characters at a time rather than a byte at a time)."""
    return value if _UNRESERVED(value) else _RESERVED_RUN.sub(_escape_run, value)


def _canonical(params: dict) -> str:
    return "&".join(f"{_percent(k)}={_percent(v)}" for k, v in sorted(params.items()))


def _escape_canonical(canonical: str) -> str:
    """``_percent`` of a canonical string (only unreserved characters, its own escapes,
    "=" and "&"): three replacements, "%" first."""
    return canonical.replace("%", "%25").replace("&", "%26").replace("=", "%3D")


def _sign_canonical(secret: str, canonical: str, method: str = "POST") -> str:
    encoded = _escape_canonical(canonical) if _CANONICAL(canonical) else _percent(canonical)
    to_sign = f"{method}&{_percent('/')}&{encoded}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def aliyun_signature(secret: str, params: dict, method: str = "POST") -> str:
    return _sign_canonical(secret, _canonical(params), method)


# The SMS request's parameters in canonical (sorted) order, those of a delivery by name
# (None: a fixed one of the channel and template).
_SMS_ORDER = (
    ("AccessKeyId", None),
    ("Action", None),
    ("Format", None),
    ("OutId", "out_id"),
    ("PhoneNumbers", "phone"),
    ("SignName", None),
    ("SignatureMethod", None),
    ("SignatureNonce", "nonce"),
    ("SignatureVersion", None),
    ("TemplateCode", None),
    ("TemplateParam", "param"),
    ("Timestamp", "stamp"),
    ("Version", None),
)
assert [k for k, _v in _SMS_ORDER] == sorted(k for k, _v in _SMS_ORDER)


class _SmsForm:
    """What the SMS requests of one channel and template share: the endpoint split once,
    the fixed parameters percent-encoded once, the HMAC key's state. The canonical
    string is the same sorted, percent-encoded ``k=v`` list as ``_canonical`` builds:
    the fixed runs of it are joined here, a delivery's five values put between them."""

    __slots__ = ("key", "netloc", "runs", "scheme", "target")

    def __init__(self, secret: str, endpoint: str, fixed: dict[str, str]) -> None:
        parts = urllib.parse.urlsplit(endpoint)
        if parts.scheme not in ("http", "https"):
            raise SendError(f"unsupported URL scheme: {parts.scheme!r}", permanent=True)
        self.scheme, self.netloc = parts.scheme, parts.netloc
        path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
        self.target = f"{path}{'&' if parts.query else '?'}"
        # "AccessKeyId=..&Action=..&Format=..&OutId=", "&PhoneNumbers=", ...: the text
        # before each value of a delivery, and after the last one.
        runs, text = [], ""
        for name, varying in _SMS_ORDER:
            text += "&" if text or runs else ""
            if varying is None:
                text += f"{_percent(name)}={_percent(fixed[name])}"
            else:
                runs.append(f"{text}{name}=")
                text = ""
        runs.append(text)
        self.runs = tuple(runs)
        self.key = hmac.new(f"{secret}&".encode(), digestmod=hashlib.sha1)

    def query(self, delivery) -> str:
        out_id, phone, nonce, param, stamp, tail = self.runs
        content = json.dumps({"content": delivery.body}, ensure_ascii=False)
        canonical = (
            f"{out_id}{_percent(str(delivery.pk))}{phone}{_percent(delivery.recipient)}"
            f"{nonce}{uuid.uuid4().hex}{param}{_percent(content)}{stamp}{_timestamp()}{tail}"
        )
        # The canonical string is itself a valid query string (sorted, percent-encoded):
        # it is signed and sent as it is, the signature appended.
        mac = self.key.copy()  # the channel's keyed state (``_sign_canonical``'s HMAC)
        mac.update(f"POST&%2F&{_escape_canonical(canonical)}".encode())
        signature = base64.b64encode(mac.digest()).decode()
        return f"{canonical}&Signature={_percent(signature)}"


_stamp = threading.local()


def _timestamp() -> str:
    """Now in UTC as Aliyun's ``Timestamp`` (whole seconds), percent-encoded, formatted
    once a second."""
    second = int(time.time())
    if getattr(_stamp, "second", None) != second:
        _stamp.second = second
        _stamp.text = _percent(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second)))
    return _stamp.text


_forms = threading.local()


def _sms_form(channel, secret: str, template) -> _SmsForm:
    """The thread's form for these parameters: looked up by everything it is built from
    (an edited channel or template gets a new one)."""
    options = channel.options or {}
    fixed = {
        "AccessKeyId": str(options.get("access_key_id", "")),
        "Action": "SendSms",
        "Format": "JSON",
        "SignName": str(template.sms_sign_name if template else options.get("sign_name", "")),
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "TemplateCode": str(
            template.sms_template_code if template else options.get("template_code", "")
        ),
        "Version": "2017-05-25",
    }
    endpoint = channel.endpoint.rstrip("?&")
    key = (secret, endpoint, fixed["AccessKeyId"], fixed["SignName"], fixed["TemplateCode"])
    cache = _forms.__dict__.setdefault("cache", {})
    form = cache.get(key)
    if form is None:
        if len(cache) >= 64:
            cache.clear()
        form = cache[key] = _SmsForm(secret, endpoint, fixed)
    return form


def send_sms(channel, secret: str, delivery) -> str:
    if not delivery.recipient:
        raise SendError("no mobile number", permanent=True)
    # A mass send's template carries the provider's approved code and signature.
    template = delivery.mass_send.template if delivery.mass_send_id else None
    form = _sms_form(channel, secret, template)
    target = form.target + form.query(delivery)
    answer = _check_http(*_post(form.scheme, form.netloc, target, b"", _JSON_HEAD))
    if answer.get("Code", "OK") != "OK":
        raise SendError(f"SMS {answer.get('Code')}: {answer.get('Message', '')}")
    return str(answer.get("BizId", ""))


class MailSession:
    """One mail connection for a worker's batch (SMTP: one connection and login for all
    its e-mails, not one per message). Opened at the first e-mail; a connection that
    failed is dropped and the next e-mail opens a new one; ``close`` at the batch's end."""

    def __init__(self) -> None:
        self._connection = None

    def connection(self):
        if self._connection is None:
            connection = get_connection(fail_silently=False)
            connection.open()
            self._connection = connection
        return self._connection

    def drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # closing a broken connection: nothing more to do
                pass

    close = drop


def send_email(channel, secret: str, delivery, session: MailSession | None = None) -> str:
    if not delivery.recipient:
        raise SendError("no e-mail address", permanent=True)
    headers = {}
    if delivery.mass_send_id is not None:  # marketing: the one-click unsubscribe headers
        from crm.messaging.unsubscribe import headers as unsubscribe_headers

        headers = unsubscribe_headers(delivery)
    try:
        message = EmailMessage(
            subject=delivery.title or delivery.body[:60],
            body=delivery.body,
            from_email=(channel.options or {}).get("from_email") or settings.DEFAULT_FROM_EMAIL,
            to=[delivery.recipient],
            headers=headers,
            connection=session.connection() if session is not None else None,
        )
        message.send()
    except Exception as exc:  # any mail backend error is a transient failure
        if session is not None:
            session.drop()
        raise SendError(f"{type(exc).__name__}: {exc}") from exc
    return ""


def send_in_app(channel, secret: str, delivery) -> str:
    # The notification row itself (``notify`` would also e-mail it: e-mail is a
    # channel of its own here).
    from crm.activities.models import Notification

    if delivery.recipient_user_id is None:
        raise SendError("no recipient user", permanent=True)
    note = Notification.objects.create(
        tenant_id=delivery.tenant_id,
        recipient_id=delivery.recipient_user_id,
        title=(delivery.title or delivery.body[:60])[:300],
        body=delivery.body,
    )
    return str(note.pk)


SENDERS = {
    "in_app": send_in_app,
    "email": send_email,
    "sms": send_sms,
    "wecom": send_wecom,
    "dingtalk": send_dingtalk,
    "feishu": send_feishu,
}
