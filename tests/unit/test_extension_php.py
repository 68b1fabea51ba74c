"""The WikiLedger MediaWiki extension: PHP syntax, manifest, and PHP signing equal to Python's."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from service.webhook import WebhookError, decode_secret, sign, verify_webhook

EXTENSION = Path(__file__).resolve().parents[2] / "wiki_templates" / "extension" / "WikiLedger"
PHP = shutil.which("php")
needs_php = pytest.mark.skipif(PHP is None, reason="the php command line is not installed")

# Reads JSON cases on stdin, answers with the PHP Signer's key and signature for each.
SIGNER_SCRIPT = r"""
require $argv[1];
use MediaWiki\Extension\WikiLedger\Signer;
$out = [];
foreach ( json_decode( stream_get_contents( STDIN ), true ) as $case ) {
    try {
        $key = base64_encode( Signer::decodeSecret( $case['secret'] ) );
        $signer = new Signer( $case['secret'] );
        $body = base64_decode( $case['body'] );
        $headers = $signer->headers( $body, $case['timestamp'], $case['id'] );
        $signature = $signer->sign( $case['id'], $case['timestamp'], $body );
        $out[] = [ 'key' => $key, 'signature' => $signature, 'headers' => $headers,
            'fresh_id' => Signer::newMessageId() ];
    } catch ( InvalidArgumentException $e ) {
        $out[] = [ 'error' => $e->getMessage() ];
    }
}
echo json_encode( $out );
"""


def run_php_signer(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    assert PHP is not None
    completed = subprocess.run(
        [PHP, "-r", SIGNER_SCRIPT, str(EXTENSION / "includes" / "Signer.php")],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: list[dict[str, Any]] = json.loads(completed.stdout)
    return result


def case(
    secret: str, body: bytes, msg_id: str = "msg_0123abcd", timestamp: int = 1_773_309_600
) -> dict[str, Any]:
    return {
        "secret": secret,
        "id": msg_id,
        "timestamp": timestamp,
        "body": base64.b64encode(body).decode(),
    }


def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EXTENSION / "extension.json").read_text("utf-8"))
    return loaded


@needs_php
@pytest.mark.parametrize("php_file", sorted(EXTENSION.rglob("*.php")), ids=lambda p: p.name)
def test_every_php_file_passes_php_lint(php_file: Path) -> None:
    assert PHP is not None
    completed = subprocess.run([PHP, "-l", str(php_file)], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_the_extension_has_its_php_classes() -> None:
    names = {path.name for path in (EXTENSION / "includes").glob("*.php")}
    assert {"Hooks.php", "Notifier.php", "Signer.php"} <= names


def test_the_manifest_declares_the_extension_and_its_autoloading() -> None:
    data = manifest()
    assert data["manifest_version"] == 2
    assert data["name"] == "WikiLedger"
    assert data["requires"]["MediaWiki"] == ">= 1.39.0"
    assert data["AutoloadNamespaces"] == {"MediaWiki\\Extension\\WikiLedger\\": "includes/"}
    assert data["HookHandlers"]["main"]["class"] == "MediaWiki\\Extension\\WikiLedger\\Hooks"


def test_the_manifest_registers_the_four_page_events() -> None:
    hooks = manifest()["Hooks"]
    assert hooks["PageSaveComplete"] == "main"
    assert hooks["PageDeleteComplete"] == "main"
    assert hooks["PageMoveComplete"] == "main"
    assert hooks["PageUndelete"] == "main"  # remembers who undeletes, for ArticleUndelete
    # ArticleUndelete runs on 1.39 and is skipped where it is deprecated (1.40+),
    # where PageUndeleteComplete takes over: one event per undeletion either way.
    assert hooks["ArticleUndelete"] == {"handler": "main", "deprecated": True}
    assert hooks["PageUndeleteComplete"] == "main"


def test_every_hook_has_a_handler_method() -> None:
    source = (EXTENSION / "includes" / "Hooks.php").read_text("utf-8")
    for hook in manifest()["Hooks"]:
        assert f"public function on{hook}(" in source


def test_the_manifest_config_has_defaults_and_keeps_url_and_secret_private() -> None:
    config = manifest()["config"]
    assert config["WikiLedgerWebhookUrl"]["value"] == ""
    assert config["WikiLedgerWebhookUrl"]["public"] is False
    assert config["WikiLedgerWebhookSecret"]["value"] == ""
    assert config["WikiLedgerWebhookSecret"]["public"] is False
    assert config["WikiLedgerSkipUsers"]["value"] == []
    assert config["WikiLedgerTimeout"]["value"] == 3


def test_the_description_message_exists_in_english_and_french() -> None:
    key = manifest()["descriptionmsg"]
    for language in ("en", "fr"):
        messages = json.loads((EXTENSION / "i18n" / f"{language}.json").read_text("utf-8"))
        assert messages[key]
    assert manifest()["MessagesDirs"] == {"WikiLedger": ["i18n"]}


def test_the_readme_tells_admins_the_one_line_and_the_two_settings() -> None:
    readme = (EXTENSION / "README.md").read_text("utf-8")
    for needle in ("wfLoadExtension( 'WikiLedger' );", "$wgWikiLedgerWebhookUrl", "whsec_"):
        assert needle in readme
    assert "$wgWikiLedgerWebhookSecret" in readme


BODIES = [
    b'{"event":"edit","title":"Accueil","page_id":1,"rev_id":2}',
    json.dumps(
        {"title": "Contribution-rétribution/Registre 2026 — “test”"}, ensure_ascii=False
    ).encode(),
    b"",
    bytes(range(256)),
]
SECRETS = [
    "un secret partagé assez long",
    "whsec_" + base64.b64encode(bytes(range(32))).decode(),
    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    "  plain with spaces inside, trimmed outside \n",
]


@needs_php
@pytest.mark.parametrize("secret", SECRETS)
def test_php_and_python_give_the_same_key_and_signature(secret: str) -> None:
    cases = [case(secret, body) for body in BODIES]
    for sent, answer in zip(cases, run_php_signer(cases), strict=True):
        body = base64.b64decode(sent["body"])
        assert base64.b64decode(answer["key"]) == decode_secret(secret)
        assert answer["signature"] == sign(secret, sent["id"], sent["timestamp"], body)


@needs_php
def test_headers_made_by_php_pass_python_verification() -> None:
    body = b'{"event":"edit","title":"A","page_id":1,"rev_id":2,"timestamp":"2026-03-12T10:00:00Z"}'
    sent = case(SECRETS[1], body, msg_id="msg_php")
    (answer,) = run_php_signer([sent])
    headers = answer["headers"]
    assert headers["Content-Type"] == "application/json"
    assert headers["webhook-timestamp"] == str(sent["timestamp"])
    event = verify_webhook(
        SECRETS[1], headers, body, now=sent["timestamp"], seen=lambda _msg_id: False
    )
    assert (event.title, event.page_id) == ("A", 1)


@needs_php
def test_php_message_ids_are_fresh_and_prefixed() -> None:
    answers = run_php_signer([case(SECRETS[0], b"{}") for _ in range(3)])
    ids = [answer["fresh_id"] for answer in answers]
    assert all(msg_id.startswith("msg_") and len(msg_id) == 36 for msg_id in ids)
    assert len(set(ids)) == 3


@needs_php
@pytest.mark.parametrize(
    "secret", ["", "   ", "whsec_", "whsec_not*base64", "whsec_QQ", "whsec_QQ="]
)
def test_php_refuses_the_secrets_python_refuses(secret: str) -> None:
    (answer,) = run_php_signer([case(secret, b"{}")])
    assert "error" in answer
    with pytest.raises(ValueError):
        decode_secret(secret)


EVENT_BODY = json.dumps(
    {
        "event": "edit",
        "title": "Contribution-rétribution/Déclarations 2026",
        "page_id": 7,
        "rev_id": 70,
        "timestamp": "2026-03-12T10:00:00Z",
    },
    ensure_ascii=False,
).encode()


@needs_php
@pytest.mark.parametrize("secret", SECRETS, ids=["plain", "whsec", "whsec-spec", "plain-spaced"])
def test_each_form_of_secret_signed_in_php_is_verified_by_the_service_and_the_package(
    secret: str,
) -> None:
    now = int(time.time())
    (answer,) = run_php_signer([case(secret, EVENT_BODY, msg_id="msg_form", timestamp=now)])
    headers = answer["headers"]
    event = verify_webhook(secret, headers, EVENT_BODY, now=now, seen=lambda _msg_id: False)
    assert (event.page_id, event.title) == (7, "Contribution-rétribution/Déclarations 2026")
    # the reference package itself, on the wall clock, given the key the service derives
    Webhook(decode_secret(secret)).verify(EVENT_BODY, headers, json_parse=False)
    other = next(s for s in SECRETS if decode_secret(s) != decode_secret(secret))
    with pytest.raises(WebhookError) as refused:
        verify_webhook(other, headers, EVENT_BODY, now=now, seen=lambda _msg_id: False)
    assert refused.value.status_code == 401


@needs_php
def test_the_package_alone_would_refuse_a_plain_secret_the_extension_signs_with() -> None:
    # Why the service derives the key itself: given the secret as text, the package
    # base64-decodes it even without `whsec_`, and so checks with another key than PHP's.
    secret = SECRETS[3]
    now = int(time.time())
    (answer,) = run_php_signer([case(secret, EVENT_BODY, timestamp=now)])
    with pytest.raises(WebhookVerificationError):
        Webhook(secret.strip()).verify(EVENT_BODY, answer["headers"], json_parse=False)
    assert verify_webhook(secret, answer["headers"], EVENT_BODY, now=now, seen=lambda _: False)
