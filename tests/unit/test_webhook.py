"""Verification of signed webhooks: what is accepted, what is refused and with which status."""

from __future__ import annotations

import base64
import datetime
import json

import pytest
from standardwebhooks.webhooks import Webhook

from service.webhook import (
    MAX_BODY_BYTES,
    WebhookError,
    WebhookEvent,
    decode_secret,
    sign,
    verify_webhook,
)

NOW = 1_773_309_600  # 2026-03-12T10:00:00Z
PLAIN_SECRET = "un secret partagé assez long pour les tests"
KEY_BYTES = bytes(range(32))
WHSEC_SECRET = "whsec_" + base64.b64encode(KEY_BYTES).decode()

EVENT = {
    "event": "edit",
    "title": "Contribution-rétribution/2026",
    "page_id": 42,
    "rev_id": 1234,
    "timestamp": "2026-03-12T10:00:00Z",
    "user": "Alice Martin",
}


def body_of(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


class SeenIds:
    """A fake replay store: records ids, answers True for an id already recorded."""

    def __init__(self) -> None:
        self.ids: set[str] = set()

    def __call__(self, msg_id: str) -> bool:
        already = msg_id in self.ids
        self.ids.add(msg_id)
        return already


def signed_headers(
    secret: bytes | str, body: bytes, *, msg_id: str = "msg_abc123", timestamp: int = NOW
) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
        "content-type": "application/json",
    }


def verify(
    headers: dict[str, str],
    body: bytes,
    *,
    secret: bytes | str = PLAIN_SECRET,
    now: float = NOW,
    seen: SeenIds | None = None,
) -> WebhookEvent:
    return verify_webhook(secret, headers, body, now=now, seen=seen or SeenIds())


def refusal(
    headers: dict[str, str],
    body: bytes,
    *,
    secret: bytes | str = PLAIN_SECRET,
    now: float = NOW,
    seen: SeenIds | None = None,
) -> WebhookError:
    with pytest.raises(WebhookError) as caught:
        verify(headers, body, secret=secret, now=now, seen=seen)
    return caught.value


def test_a_correctly_signed_edit_is_accepted_and_parsed() -> None:
    body = body_of({**EVENT, "extra": "ignored"})
    event = verify(signed_headers(PLAIN_SECRET, body), body)
    assert event.event == "edit"
    assert event.title == "Contribution-rétribution/2026"
    assert (event.page_id, event.rev_id, event.user, event.old_title) == (
        42,
        1234,
        "Alice Martin",
        None,
    )
    assert event.timestamp.isoformat() == "2026-03-12T10:00:00+00:00"


def test_a_move_carries_its_old_title() -> None:
    body = body_of({**EVENT, "event": "move", "title": "Nouveau", "old_title": "Ancien"})
    event = verify(signed_headers(PLAIN_SECRET, body), body)
    assert (event.event, event.title, event.old_title) == ("move", "Nouveau", "Ancien")


def test_a_plain_secret_is_used_as_its_utf8_bytes() -> None:
    assert decode_secret(PLAIN_SECRET) == PLAIN_SECRET.encode("utf-8")
    body = body_of(EVENT)
    headers = signed_headers(PLAIN_SECRET.encode("utf-8"), body)
    assert verify(headers, body, secret=PLAIN_SECRET).page_id == 42


def test_a_whsec_secret_is_base64_decoded_and_both_forms_verify() -> None:
    assert decode_secret(WHSEC_SECRET) == KEY_BYTES
    assert decode_secret("whsec_QQ==") == b"A"
    body = body_of(EVENT)
    headers = signed_headers(KEY_BYTES, body)
    assert verify(headers, body, secret=WHSEC_SECRET).page_id == 42
    assert verify(headers, body, secret=KEY_BYTES).page_id == 42


def test_a_whsec_secret_is_not_taken_as_plain_text() -> None:
    body = body_of(EVENT)
    headers = signed_headers(WHSEC_SECRET.encode(), body)
    assert refusal(headers, body, secret=WHSEC_SECRET).status_code == 401


def test_surrounding_whitespace_of_a_secret_is_ignored() -> None:
    assert decode_secret(f"  {WHSEC_SECRET}\n") == KEY_BYTES
    assert decode_secret(f"{PLAIN_SECRET}\r\n") == PLAIN_SECRET.encode()


@pytest.mark.parametrize(
    "secret", ["", "  \n", "whsec_", "whsec_not*base64", "whsec_QQ", "whsec_QQ="]
)
def test_an_empty_or_badly_encoded_secret_is_refused(secret: str) -> None:
    with pytest.raises(ValueError):
        decode_secret(secret)


def test_the_signature_follows_the_standard_webhooks_example() -> None:
    # The example of the Standard Webhooks specification (docs/spec, "Signature scheme").
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == expected


def test_a_wrong_secret_is_refused_with_401() -> None:
    body = body_of(EVENT)
    error = refusal(signed_headers("un autre secret", body), body)
    assert (error.status_code, error.reason) == (401, "invalid signature")


def test_a_tampered_body_is_refused_with_401() -> None:
    body = body_of(EVENT)
    headers = signed_headers(PLAIN_SECRET, body)
    tampered = body_of({**EVENT, "page_id": 43})
    assert refusal(headers, tampered).status_code == 401


def test_a_signature_over_another_id_or_timestamp_is_refused() -> None:
    body = body_of(EVENT)
    headers = signed_headers(PLAIN_SECRET, body)
    assert refusal({**headers, "webhook-id": "msg_other"}, body).status_code == 401
    assert refusal({**headers, "webhook-timestamp": str(NOW + 1)}, body).status_code == 401


def test_any_one_of_several_signatures_may_match() -> None:
    body = body_of(EVENT)
    headers = signed_headers(PLAIN_SECRET, body)
    good = headers["webhook-signature"]
    old = sign("ancien secret", "msg_abc123", NOW, body)
    headers["webhook-signature"] = f"v1a,xyz {old} {good}"
    assert verify(headers, body).page_id == 42


def test_a_signature_with_another_version_tag_is_refused() -> None:
    body = body_of(EVENT)
    headers = signed_headers(PLAIN_SECRET, body)
    headers["webhook-signature"] = headers["webhook-signature"].replace("v1,", "v2,")
    assert refusal(headers, body).status_code == 401


def test_header_names_are_matched_without_regard_to_case() -> None:
    body = body_of(EVENT)
    headers = {name.title(): value for name, value in signed_headers(PLAIN_SECRET, body).items()}
    assert verify(headers, body).page_id == 42


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_header_is_refused_with_401(missing: str) -> None:
    body = body_of(EVENT)
    headers = signed_headers(PLAIN_SECRET, body)
    del headers[missing]
    error = refusal(headers, body)
    assert (error.status_code, error.reason) == (401, "missing webhook headers")


@pytest.mark.parametrize("stamp", ["", "12.5", "-1", "1e9", "soon"])
def test_a_timestamp_that_is_not_an_integer_is_refused(stamp: str) -> None:
    body = body_of(EVENT)
    headers = {**signed_headers(PLAIN_SECRET, body), "webhook-timestamp": stamp}
    assert refusal(headers, body).status_code == 401


@pytest.mark.parametrize("offset", [-300, 0, 300])
def test_a_timestamp_within_five_minutes_either_side_is_accepted(offset: int) -> None:
    body = body_of(EVENT)
    headers = signed_headers(PLAIN_SECRET, body, timestamp=NOW + offset)
    assert verify(headers, body).page_id == 42


@pytest.mark.parametrize("offset", [-301, 301, -86_400])
def test_a_timestamp_more_than_five_minutes_off_is_refused_with_401(offset: int) -> None:
    body = body_of(EVENT)
    headers = signed_headers(PLAIN_SECRET, body, timestamp=NOW + offset)
    error = refusal(headers, body)
    assert (error.status_code, error.reason) == (401, "timestamp outside the tolerance")


def test_a_replayed_id_is_refused_with_409() -> None:
    body = body_of(EVENT)
    headers = signed_headers(PLAIN_SECRET, body)
    seen = SeenIds()
    verify(headers, body, seen=seen)
    error = refusal(headers, body, seen=seen)
    assert (error.status_code, error.reason) == (409, "webhook id already seen")


def test_a_forged_message_does_not_record_its_id() -> None:
    body = body_of(EVENT)
    seen = SeenIds()
    refusal(signed_headers("faux", body, msg_id="msg_victim"), body, seen=seen)
    assert seen.ids == set()
    assert verify(signed_headers(PLAIN_SECRET, body, msg_id="msg_victim"), body, seen=seen)


def test_an_oversized_body_is_refused_with_413() -> None:
    body = body_of({**EVENT, "padding": "x" * MAX_BODY_BYTES})
    error = refusal(signed_headers(PLAIN_SECRET, body), body)
    assert error.status_code == 413


def test_a_body_of_exactly_the_limit_is_accepted() -> None:
    base = body_of({**EVENT, "padding": ""})
    body = body_of({**EVENT, "padding": "x" * (MAX_BODY_BYTES - len(base))})
    assert len(body) == MAX_BODY_BYTES
    assert verify(signed_headers(PLAIN_SECRET, body), body).page_id == 42


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "body is not valid JSON"),
        (b"\xff\xfe", "body is not valid JSON"),
        (b"[1, 2]", "body must be a JSON object"),
        (body_of({**EVENT, "event": "purge"}), "invalid field 'event'"),
        (body_of({**EVENT, "page_id": "42"}), "invalid field 'page_id'"),
        (body_of({k: v for k, v in EVENT.items() if k != "title"}), "invalid field 'title'"),
        (body_of({**EVENT, "title": ""}), "invalid field 'title'"),
        (body_of({**EVENT, "timestamp": "2026-03-12T10:00:00"}), "invalid field 'timestamp'"),
    ],
)
def test_a_malformed_body_is_refused_with_400_and_a_short_reason(body: bytes, reason: str) -> None:
    error = refusal(signed_headers(PLAIN_SECRET, body), body)
    assert error.status_code == 400
    assert error.reason.startswith(reason)
    assert len(error.reason) < 200


def test_no_reason_ever_contains_the_secret() -> None:
    body = body_of(EVENT)
    reasons = [
        refusal(signed_headers("faux", body), body).reason,
        refusal({}, body).reason,
        refusal(signed_headers(PLAIN_SECRET, b"{"), b"{").reason,
    ]
    assert all(PLAIN_SECRET not in reason for reason in reasons)


def test_a_delete_without_revision_is_accepted() -> None:
    payload = {**EVENT, "event": "delete", "rev_id": None}
    body = body_of(payload)
    event = verify(signed_headers(PLAIN_SECRET, body), body)
    assert (event.event, event.rev_id) == ("delete", None)


@pytest.mark.parametrize("secret", [PLAIN_SECRET, WHSEC_SECRET])
def test_sign_agrees_with_the_reference_package_for_both_forms_of_secret(secret: str) -> None:
    body = body_of(EVENT)
    stamp = datetime.datetime.fromtimestamp(NOW, datetime.UTC)
    expected = Webhook(decode_secret(secret)).sign("msg_abc123", stamp, body.decode())
    assert sign(secret, "msg_abc123", NOW, body) == expected


@pytest.mark.parametrize("bad", ["v1,xyz", "v1", "v1,", "v1,a,b", "v1,!!!!"])
def test_a_malformed_signature_entry_does_not_hide_a_good_one_after_it(bad: str) -> None:
    body = body_of(EVENT)
    headers = signed_headers(PLAIN_SECRET, body)
    headers["webhook-signature"] = f"{bad} {headers['webhook-signature']}"
    assert verify(headers, body).page_id == 42
    headers["webhook-signature"] = bad
    assert refusal(headers, body).reason == "invalid signature"


def test_a_body_that_is_not_utf8_is_refused_as_not_json_and_its_id_is_not_recorded() -> None:
    seen = SeenIds()
    error = refusal(signed_headers("faux", b"\xff\xfe"), b"\xff\xfe", seen=seen)
    assert (error.status_code, error.reason) == (400, "body is not valid JSON")
    assert seen.ids == set()
