"""Standard Webhooks verification of the events the WikiLedger extension posts, and their shape.

Signing follows https://www.standardwebhooks.com/: headers `webhook-id`, `webhook-timestamp`
(unix seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`,
several space-separated entries allowed). The signature is checked by `standardwebhooks`, the
spec's reference package, given the key as bytes. The secret is either `whsec_<base64>` (the key
is the decoded bytes, as in the spec) or any other string (the key is its UTF-8 bytes, as the
extension has always signed): `decode_secret` makes the key, because the package would
base64-decode a plain secret too and so disagree with the extension. Surrounding whitespace is
ignored. The PHP `Signer` applies the same rule. The headers' shape and the time tolerance
(against the caller's `now`) are checked here first, so that each refusal says why.

Status codes of `WebhookError`: 413 body too large, 401 missing or malformed headers, stale or
future timestamp, or bad signature, 400 body not the expected JSON, 409 id already seen (a
replay; a sender that retries with the same id after a 202 gets 409 and may stop).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from typing import ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

SECRET_PREFIX = "whsec_"
TOLERANCE_SECONDS = 5 * 60
MAX_BODY_BYTES = 64 * 1024
MAX_ID_LENGTH = 200

# The same set PHP's trim() removes, and the same strict base64 the PHP Signer accepts.
_TRIMMED = " \t\n\r\0\x0b"
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_TIMESTAMP = re.compile(r"[0-9]{1,15}")
_MSG_ID = re.compile(r"[\x21-\x7e]+")  # printable ASCII, no spaces


class WebhookEvent(BaseModel):
    """One page event sent by the extension; unknown keys are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)
    full: ClassVar[bool] = False  # a job of the queue (service.jobs) that names its pages

    event: Literal["edit", "delete", "move", "undelete"]
    title: str = Field(min_length=1)
    page_id: int
    rev_id: int | None = None
    timestamp: AwareDatetime
    old_title: str | None = None
    user: str | None = None

    def pages(self) -> set[str]:
        """The titles to read again: the page, and its old title after a move."""
        return {t.replace("_", " ") for t in (self.title, self.old_title) if t}


class WebhookError(Exception):
    """A refused webhook: the HTTP status to answer and a short English reason."""

    def __init__(self, status_code: int, reason: str) -> None:
        super().__init__(f"{status_code} {reason}")
        self.status_code = status_code
        self.reason = reason


def decode_secret(secret: str) -> bytes:
    """The HMAC key for a configured secret (`whsec_<base64>` or a plain string)."""
    secret = secret.strip(_TRIMMED)
    if secret.startswith(SECRET_PREFIX):
        encoded = secret[len(SECRET_PREFIX) :]
        if not _BASE64.fullmatch(encoded):
            raise ValueError("whsec_ secret is not valid base64")
        try:
            key = base64.b64decode(encoded, validate=True)
        except binascii.Error as error:
            raise ValueError("whsec_ secret is not valid base64") from error
    else:
        key = secret.encode("utf-8")
    if not key:
        raise ValueError("empty secret")
    return key


def _key(secret: bytes | str) -> bytes:
    return decode_secret(secret) if isinstance(secret, str) else secret


def sign(secret: bytes | str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value of one message (a `str` secret goes through decode_secret).

    What the extension's PHP `Signer` computes, for tests and tools that play the extension;
    bytes in, since a body need not be text (the package's `Webhook.sign` takes text).
    """
    signed = f"{msg_id}.{timestamp}.".encode() + body
    mac = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode("ascii")


class _Verifier(Webhook):
    """The `standardwebhooks` verifier, on the service's clock instead of the wall clock.

    The package checks the timestamp against `datetime.now()` in a private method; the service
    passes its own `now` (so that tests and the replay window agree on one clock) and checks
    the tolerance itself before, so this override only gives the package the time it signs.
    """

    def __init__(self, key: bytes, now: float) -> None:
        super().__init__(key)  # bytes: used as the key as they are, never base64-decoded
        self._now = now

    def _Webhook__verify_timestamp(self, timestamp_header: str) -> datetime.datetime:
        stamp = int(timestamp_header)
        if abs(self._now - stamp) > TOLERANCE_SECONDS:
            raise WebhookVerificationError("timestamp outside the tolerance")
        return datetime.datetime.fromtimestamp(stamp, datetime.UTC)


def _well_formed_signatures(header: str) -> str:
    """The `v1,<base64>` entries of the header; the package stops at the first malformed one
    (an entry without a comma, or bad base64), which would hide a good entry after it."""
    return " ".join(
        entry
        for entry in header.split(" ")
        if entry.startswith("v1,") and _BASE64.fullmatch(entry[3:]) and len(entry) > 3
    )


def _parse_event(body: bytes) -> WebhookEvent:
    try:
        return WebhookEvent.model_validate_json(body)
    except ValidationError as error:
        first = error.errors()[0]
        if first["type"] == "json_invalid":
            raise WebhookError(400, "body is not valid JSON") from None
        if first["type"] == "model_type" or not first["loc"]:
            raise WebhookError(400, "body must be a JSON object") from None
        field = ".".join(str(part) for part in first["loc"])
        raise WebhookError(400, f"invalid field {field!r}: {first['msg']}") from None


def verify_webhook(
    secret: bytes | str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float,
    seen: Callable[[str], bool],
) -> WebhookEvent:
    """Check one delivery and return its event, or raise `WebhookError`.

    `seen(msg_id)` is called only for an authentic, well-formed message, and must record the
    id atomically and return True when it was already recorded (a replay).
    """
    if len(body) > MAX_BODY_BYTES:
        raise WebhookError(413, "body too large")
    lowered = {name.lower(): value for name, value in headers.items()}
    msg_id = lowered.get("webhook-id", "")
    timestamp = lowered.get("webhook-timestamp", "")
    signature = lowered.get("webhook-signature", "")
    if not (msg_id and timestamp and signature):
        raise WebhookError(401, "missing webhook headers")
    if len(msg_id) > MAX_ID_LENGTH or not _MSG_ID.fullmatch(msg_id):
        raise WebhookError(401, "invalid webhook-id")
    if not _TIMESTAMP.fullmatch(timestamp):
        raise WebhookError(401, "invalid webhook-timestamp")
    if abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        raise WebhookError(401, "timestamp outside the tolerance")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        # Not text, so not JSON whoever sent it; the package verifies text only.
        raise WebhookError(400, "body is not valid JSON") from None
    signatures = _well_formed_signatures(signature)
    if not signatures:
        raise WebhookError(401, "invalid signature")
    verifier = _Verifier(_key(secret), now)
    checked = {
        "webhook-id": msg_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": signatures,
    }
    try:
        verifier.verify(body, checked, json_parse=False)
    except WebhookVerificationError:
        raise WebhookError(401, "invalid signature") from None
    event = _parse_event(body)
    if seen(msg_id):
        raise WebhookError(409, "webhook id already seen")
    return event
