"""The tenant's default redaction (`default_redact`): which field names count as the usual secret
names, in which spellings, and which innocent names never do. Table-driven: the table is the rule
(docs/design.md, "Default redaction"), one row per spelling a client is likely to send.
"""
from __future__ import annotations

import pytest

from chalicelib.resources.redaction import MASK, is_default_secret, redact, viewer_document

SECRET = [
    # the names themselves
    "password", "secret", "token", "api_key", "access_key", "private_key", "client_secret", "authorization",
    "bearer_token", "cookie", "session",
    # case
    "PASSWORD", "Password", "API_KEY", "Authorization", "COOKIE",
    # separators and camelCase
    "apiKey", "ApiKey", "APIKey", "API-KEY", "api-key", "api.key", "apikey", "APIKEY", "accessKey", "privateKey",
    "private-key", "clientSecret", "client-secret", "bearerToken", "BEARER_TOKEN",
    # prefixed: the name ends with a secret name
    "x-api-key", "X-API-Key", "x_api_key", "stripe_api_key", "db_password", "dbPassword", "sessionToken",
    "session_token", "X-Amz-Security-Token", "x-auth-token", "authToken", "access_token", "accessToken",
    "refresh_token", "idToken", "csrf_token", "jwt_token", "aws_secret_access_key", "AWS_SECRET_ACCESS_KEY",
    "secret_key", "SECRET_KEY", "webhook_secret", "Proxy-Authorization", "Set-Cookie", "session_cookie",
    "user_session", "oauth2_token", "nextPageToken",
    # other spellings of the same secrets
    "passwd", "passphrase", "password_hash", "pass_word", "session_id", "sessionId", "SESSIONID", "sessionid",
    "session_key",
    # plurals of names that hold secrets, and numbered copies
    "passwords", "secrets", "api_keys", "cookies", "refresh_tokens", "private_keys", "password2", "api_key_2",
    "token_1",
]
INNOCENT = [
    # counts and settings next to the word
    "token_count", "tokens_used", "tokens", "max_tokens", "total_tokens", "token_type", "tokenizer",
    "token_expires_at", "sessions", "session_count", "session_length_s", "cookie_consent", "cookies_enabled",
    "password_policy", "password_expires_at", "password_min_length", "secret_name", "secret_arn",
    "authorization_url", "api_key_id", "access_key_id", "AccessKeyId", "private_key_id", "key_id",
    # words that merely contain a secret name
    "keyword", "monkey", "secretary", "passwordless", "preauthorization", "tokenized", "xapikey",
    # ordinary fields
    "title", "status", "host", "user", "id", "key", "name", "owner", "description",
]


@pytest.mark.parametrize("name", SECRET)
def test_usual_secret_names_in_their_spellings_are_redacted(name: str) -> None:
    assert is_default_secret(name)


@pytest.mark.parametrize("name", INNOCENT)
def test_innocent_names_are_not(name: str) -> None:
    assert not is_default_secret(name)


def test_defaults_apply_at_any_depth_in_objects_and_arrays() -> None:
    document = {
        "service": "checkout",
        "config": {"db": {"host": "db.internal", "password": "pw"}, "headers": [{"X-API-Key": "k1"}, {"Accept": "*"}]},
        "runs": [[{"sessionToken": "s1", "tokens_used": 1200}]],
    }
    assert redact(document, [], default_secrets=True) == {
        "service": "checkout",
        "config": {"db": {"host": "db.internal", "password": MASK}, "headers": [{"X-API-Key": MASK}, {"Accept": "*"}]},
        "runs": [[{"sessionToken": MASK, "tokens_used": 1200}]],
    }


def test_whole_values_of_any_type_are_replaced_but_yes_no_and_null_stay_visible() -> None:
    document = {"secret": {"nested": "x"}, "token": 123456, "cookies": ["a=1", "b=2"], "has_password": True,
                "password": None, "session": False}
    assert redact(document, [], default_secrets=True) == {
        "secret": MASK, "token": MASK, "cookies": MASK, "has_password": True, "password": None, "session": False}


def test_a_resources_own_list_adds_to_the_defaults_and_masks_every_type() -> None:
    document = {"dsn": "postgres://u:p@h/db", "flag": True, "api_key": "k", "title": "t"}
    assert viewer_document(document, scope_fields=None, redact_names=["DSN", "flag"], default_secrets=True) == {
        "dsn": MASK, "flag": MASK, "api_key": MASK, "title": "t"}


def test_defaults_off_leave_only_the_resources_own_list() -> None:
    document = {"api_key": "k", "dsn": "d"}
    assert viewer_document(document, scope_fields=None, redact_names=["dsn"], default_secrets=False) == {
        "api_key": "k", "dsn": MASK}
