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
from datetime import UTC, datetime

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


def _connection(parts) -> http.client.HTTPConnection:
    conns = _pool.__dict__.setdefault("conns", {})
    key = (parts.scheme, parts.netloc)
    conn = conns.get(key)
    if conn is None:
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        conn = conns[key] = cls(parts.netloc, timeout=TIMEOUT_SECONDS)
    return conn


def _drop(parts) -> None:
    conn = _pool.__dict__.get("conns", {}).pop((parts.scheme, parts.netloc), None)
    if conn is not None:
        conn.close()


def post_bytes(url: str, data: bytes, headers: dict | None = None) -> tuple[int, str]:
    """POST on the thread's kept-alive connection to the host. A connection the server
    closed while idle (nothing was sent on it) is opened again once."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise SendError(f"unsupported URL scheme: {parts.scheme!r}", permanent=True)
    path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    head = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    for attempt in (1, 2):
        conn = _connection(parts)
        reused = conn.sock is not None
        try:
            conn.request("POST", path, body=data, headers=head)
            response = conn.getresponse()
            body = response.read()
            if response.will_close:
                _drop(parts)
            return response.status, body[:65536].decode(errors="replace")
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
            _drop(parts)
            if reused and attempt == 1:
                continue  # the server had closed the idle connection: open a new one
            raise SendError(f"{type(exc).__name__}: {exc}") from exc
        except (OSError, http.client.HTTPException) as exc:
            _drop(parts)
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


def _percent(value: str) -> str:
    """RFC 3986 percent-encoding (Aliyun's): only unreserved characters stay."""
    return value if _UNRESERVED(value) else urllib.parse.quote(value, safe="~")


def _canonical(params: dict) -> str:
    return "&".join(f"{_percent(k)}={_percent(v)}" for k, v in sorted(params.items()))


def _sign_canonical(secret: str, canonical: str, method: str = "POST") -> str:
    to_sign = f"{method}&{_percent('/')}&{_percent(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def aliyun_signature(secret: str, params: dict, method: str = "POST") -> str:
    return _sign_canonical(secret, _canonical(params), method)


def send_sms(channel, secret: str, delivery) -> str:
    if not delivery.recipient:
        raise SendError("no mobile number", permanent=True)
    options = channel.options or {}
    # A mass send's template carries the provider's approved code and signature.
    template = delivery.mass_send.template if delivery.mass_send_id else None
    params = {
        "AccessKeyId": str(options.get("access_key_id", "")),
        "Action": "SendSms",
        "Format": "JSON",
        "OutId": str(delivery.pk),
        "PhoneNumbers": delivery.recipient,
        "SignName": str(template.sms_sign_name if template else options.get("sign_name", "")),
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": uuid.uuid4().hex,
        "SignatureVersion": "1.0",
        "TemplateCode": str(
            template.sms_template_code if template else options.get("template_code", "")
        ),
        "TemplateParam": json.dumps({"content": delivery.body}, ensure_ascii=False),
        "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": "2017-05-25",
    }
    # The canonical string is itself a valid query string (sorted, percent-encoded):
    # it is signed and sent as it is, the signature appended.
    canonical = _canonical(params)
    query = f"{canonical}&Signature={_percent(_sign_canonical(secret, canonical))}"
    endpoint = channel.endpoint.rstrip("?&")
    url = f"{endpoint}{'&' if urllib.parse.urlsplit(endpoint).query else '?'}{query}"
    answer = _check_http(*post_bytes(url, b""))
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
