"""Secrets hygiene, checked the way an attacker (or an auditor with read access to logs, the audit
trail and the tables) would look: share tokens, API keys, link passwords and webhook signing
secrets must never appear in clear in logs, error bodies, audit events, access events or stored
items.

Logs are captured three ways during a walk-through that includes errors (bad input, bad keys,
404s, a 500 and a 503): every log record at DEBUG on every logger, what Keyhole's own log handlers
write, and the process's stdout/stderr.
"""
from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Tuple

import boto3
import pytest

import app as app_module
from chalicelib.tenancy import tenants
from chalicelib.service import Keyhole
from chalicelib.storage.models import Capability, LinkRecord, ViewerHead
from tests.conftest import Reply, settings_for
from tests.functional.conftest import Env
from tests.support import TenantKeys, fresh_ip, make_link, make_tenant, put_resource, random_token, table_items


class LogTrap(logging.Handler):
    """Every record on every logger, at DEBUG, unformatted and unfiltered (what code tried to log)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: List[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def text(self) -> str:
        parts = []
        for record in self.records:
            parts.append(f"{record.name} {record.levelname} {record.getMessage()}")
            if record.exc_info and record.exc_info[1] is not None:
                parts.append(logging.Formatter().formatException(record.exc_info))
            if record.exc_text:
                parts.append(record.exc_text)
        return "\n".join(parts)


@dataclass
class Captured:
    trap: LogTrap
    emitted: io.StringIO  # what Keyhole's own handlers wrote (its log output in Lambda)
    replies: List[Reply] = field(default_factory=list)


@pytest.fixture
def captured(capfd: pytest.CaptureFixture) -> Iterator[Captured]:
    """Install the trap on the root logger and every logger that does not propagate, turn everything
    up to DEBUG, and point Keyhole's stream handlers at a buffer; restore it all afterwards."""
    trap, emitted = LogTrap(), io.StringIO()
    loggers = [logging.getLogger()] + [lg for lg in logging.Logger.manager.loggerDict.values()
                                       if isinstance(lg, logging.Logger)]
    saved_levels = [(lg, lg.level) for lg in loggers]
    swapped: List[Tuple[logging.StreamHandler, Any]] = []
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
        if lg is logging.getLogger() or not lg.propagate:
            lg.addHandler(trap)
        if lg.name.startswith(("keyhole", "chalicelib")):
            for handler in lg.handlers:
                if type(handler) is logging.StreamHandler:
                    swapped.append((handler, handler.setStream(emitted)))
    try:
        yield Captured(trap=trap, emitted=emitted)
    finally:
        for handler, stream in swapped:
            handler.setStream(stream)
        for lg, level in saved_levels:
            lg.setLevel(level)
            if trap in lg.handlers:
                lg.removeHandler(trap)


@dataclass
class Secrets:
    """Everything that must never appear in clear, and distinctive slices of it."""

    values: Dict[str, str] = field(default_factory=dict)

    def add(self, name: str, value: str) -> str:
        self.values[name] = value
        return value

    def needles(self) -> Dict[str, str]:
        """The whole value, and a slice that excludes what may legitimately be shown (a token's
        6-character preview, an API key's 24-character prefix)."""
        found: Dict[str, str] = {}
        for name, value in self.values.items():
            found[name] = value
            if name.startswith("token"):
                found[f"{name} (middle)"] = value[6:30]
            elif name.startswith("key"):
                found[f"{name} (secret part)"] = value[24:]
            elif name.startswith("webhook"):
                found[f"{name} (secret part)"] = value[len("whsec_"):]
        return found

    def leaks(self, text: str) -> List[str]:
        return [name for name, needle in self.needles().items() if needle in text]


def _walk_through(env: Env, secrets: Secrets, captured: Captured) -> Dict[str, Any]:
    """Everything a tenant, its viewers and an attacker do, errors included. Returns what was made."""
    api, ip = env.api, {"x-forwarded-for": fresh_ip()}
    record = captured.replies.append
    t = make_tenant(env.svc, api, name="Hygiene Co")
    for role in ("admin", "operator", "viewer"):
        secrets.add(f"key {role}", t.key(role))
    extra = api.post("/v1/api-keys", key=t.admin, body={"name": "ci", "role": "operator"})
    secrets.add("key ci", extra.json["key"])
    password = secrets.add("password", "correct horse battery staple")
    put_resource(api, t.operator, "mon-1", {"type": "monitor", "name": "API", "redact": ["token"],
                                            "document": {"url": "https://x", "auth": {"token": "doc-value"}}})
    plain = make_link(api, t.operator, "mon-1", label="plain")
    locked = make_link(api, t.operator, "mon-1", label="locked", password=password)
    limited = make_link(api, t.operator, "mon-1", label="limited", max_views=1)
    for name, link in (("plain", plain), ("locked", locked), ("limited", limited)):
        secrets.add(f"token {name}", link["token"])
    # viewers
    for suffix, method in (("/data", "GET"), ("/info", "GET"), ("/data", "POST")):
        for link in (plain, locked, limited):
            record(api.call(method, f"/share/{link['token']}{suffix}", headers=ip))
    record(api.get(f"/share/{plain['token']}/data?token={plain['token']}", headers=ip))
    # admins
    hook = api.post("/v1/webhooks", key=t.admin, body={"url": "https://hooks.localhost/k", "events": ["*"]})
    assert hook.status == 201, hook
    secrets.add("webhook secret", hook.json["secret"])
    record(api.get("/v1/webhooks", key=t.admin))
    record(api.post(f"/v1/links/{plain['id']}/reveal", key=t.operator))
    record(api.patch(f"/v1/links/{plain['id']}", key=t.operator, body={"label": "renamed"}))
    record(api.patch("/v1/tenant", key=t.admin, body={"require_password": False}))
    # bad requests, carrying secrets where an attacker or a careless client would put them
    record(api.post("/v1/resources/mon-1/links", key=t.operator, body={"password": "short"}))
    record(api.post("/v1/resources/mon-1/links", key=t.operator, body={"label": plain["token"] * 2}))
    record(api.post("/v1/resources/mon-1/links", key=t.operator, body={"token": plain["token"]}))
    record(api.post("/v1/api-keys", key=t.admin, body={"name": 5, "role": t.admin}))
    record(api.post("/v1/resources/mon-1/links", key=t.operator, raw=b'{"password": "' + password.encode() + b'"'))
    record(api.get("/v1/tenant", headers={"authorization": f"Bearer {plain['token']}"}))
    record(api.get("/v1/tenant", headers={"x-api-key": t.admin[:-2]}))
    record(api.get("/v1/tenant", headers={"authorization": f"Basic {t.admin}"}))
    record(api.get(f"/v1/links?cursor={plain['token']}", key=t.viewer))
    record(api.get(f"/share/{t.admin}/data", headers=ip))
    record(api.get(f"/share/{plain['token'][:-1]}x/data", headers=ip))
    record(api.get(f"/share/{random_token()}/data", headers=ip))
    record(api.call("DELETE", f"/share/{plain['token']}/data", headers=ip))
    record(api.call("PUT", "/v1/links", key=t.admin, body={"token": plain["token"]}))
    # revoke, delete, and the dead links afterwards
    record(api.delete(f"/v1/links/{locked['id']}", key=t.operator))
    record(api.get(f"/share/{locked['token']}/data", headers=ip))
    record(api.delete("/v1/api-keys/" + extra.json["id"], key=t.admin))
    record(api.get("/v1/tenant", key=extra.json["key"]))
    return {"tenant": t, "links": [plain, locked, limited]}


def _force_500s(env: Env, secrets: Secrets, captured: Captured) -> List[Reply]:
    """Corrupt stored items (as a bad migration might) so requests fail unexpectedly: a 500 on the
    viewer path for a live token, and on the admin path for a valid key."""
    api, ddb = env.api, boto3.client("dynamodb", region_name="us-east-1")
    t = make_tenant(env.svc, api, name="Broken Co")
    secrets.add("key broken admin", t.admin)
    link = make_link(api, t.operator, t.resource_id)
    secrets.add("token broken", link["token"])
    locator = env.svc.store.get(LinkRecord, LinkRecord.key(link["id"])).token_hash
    cap = env.svc.store.get(Capability, Capability.key(locator))
    for replica in range(ViewerHead.REPLICAS):  # the stored content no longer decodes
        ddb.update_item(TableName=env.svc.settings.table_name,
                        Key={"pk": {"S": f"HEAD#{cap.locator}#{replica}"}, "sk": {"S": "HEAD"}},
                        UpdateExpression="SET payload = :bad", ExpressionAttributeValues={":bad": {"B": b"{not json"}})
    viewer_500 = api.get(f"/share/{link['token']}/data", headers={"x-forwarded-for": fresh_ip()})
    ddb.update_item(TableName=env.svc.settings.table_name, Key={"pk": {"S": f"TENANT#{t.tenant_id}"},
                                                                 "sk": {"S": "TENANT"}},
                    UpdateExpression="SET limits.api_requests_per_min = :bad",
                    ExpressionAttributeValues={":bad": {"S": "lots"}})
    admin_500 = api.get("/v1/links", key=t.admin)
    captured.replies += [viewer_500, admin_500]
    return [viewer_500, admin_500]


def test_no_secret_reaches_logs_errors_or_bodies_in_a_full_walk_through(env: Env, captured: Captured,
                                                                        capfd: pytest.CaptureFixture) -> None:
    # GIVEN a walk-through with every kind of request, error and failure
    secrets = Secrets()
    made = _walk_through(env, secrets, captured)
    failures = _force_500s(env, secrets, captured)
    out, err = capfd.readouterr()
    # THEN the unexpected failures were 500s carrying a request id, and the log line Keyhole wrote
    # with that id has the cause (SPEC.md, Errors: 500)
    lines = [json.loads(line) for line in captured.emitted.getvalue().splitlines() if line.strip()]
    for reply in failures:
        assert reply.status == 500 and reply.json["error"]["code"] == "internal", reply
        request_id = reply.json["error"]["request_id"]
        logged = [line for line in lines if request_id in line["message"]]
        assert len(logged) == 1 and logged[0]["level"] == "ERROR", logged
        assert logged[0].get("exception_name") and "Traceback" in logged[0].get("exception", ""), logged
    # AND no secret appears in any log record (at DEBUG, every logger, before any filter), in what
    # Keyhole's handlers wrote, or on stdout/stderr
    assert captured.trap.records, "the trap caught nothing: logging was not captured"
    assert secrets.leaks(captured.trap.text()) == []
    assert secrets.leaks(captured.emitted.getvalue()) == []
    assert secrets.leaks(out + err) == []
    # AND no error body carries one
    errors = [r for r in captured.replies if r.status >= 400]
    assert len(errors) > 15
    for reply in errors:
        assert secrets.leaks(reply.body.decode("utf-8", "replace")) == [], reply
    # AND the walk-through really exercised the links (sanity: the secrets were live)
    assert len(made["links"]) == 3


def test_tokens_keys_and_passwords_are_nowhere_in_clear_in_the_tables(env: Env, captured: Captured) -> None:
    # GIVEN the walk-through's writes (links, views, audit, access events, counters)
    secrets = Secrets()
    made = _walk_through(env, secrets, captured)
    # WHEN every item of both tables is read
    main = table_items(env.svc)
    counters = table_items(env.svc, env.svc.settings.counters_table_name)
    text = json.dumps([list(main.values()), list(counters.values())], default=str)
    # THEN no token, key or password is stored in clear, anywhere
    assert secrets.leaks(text) == []
    # AND a link record keeps only the token's hash, its 6-character preview and the sealed copy
    for link in made["links"]:
        item = main[(f"LINK#{link['id']}", "LINK")]
        assert item["token_preview"]["S"] == link["token"][:6]
        assert len(item["token_hash"]["S"]) == 64 and link["token"] not in item["token_hash"]["S"]
        assert "B" in item["sealed_token"] and link["token"].encode() not in item["sealed_token"]["B"]


def test_access_events_record_the_token_preview_not_the_token(env: Env, tenant: TenantKeys) -> None:
    # GIVEN a link opened by a viewer, and refused once it expired
    link = make_link(env.api, tenant.operator, tenant.resource_id, expires_in="1m")
    env.api.get(f"/share/{link['token']}/data", headers={"x-forwarded-for": fresh_ip(), "user-agent": "UA"})
    env.api.get(f"/share/{link['token']}/info", headers={"x-forwarded-for": fresh_ip()})
    env.clock.advance(61)
    env.api.get(f"/share/{link['token']}/data", headers={"x-forwarded-for": fresh_ip()})
    # WHEN the access events are read from the table (every write shard of the link)
    events = [item for key, item in table_items(env.svc).items() if key[0].startswith(f"ACCESS#{link['id']}#")]
    # THEN each names the path with the preview in place of the token
    assert {e["path"]["S"] for e in events} == {f"/share/{link['token'][:6]}.../data",
                                                f"/share/{link['token'][:6]}.../info"}
    # (a dead link records nothing: it costs what an unknown token costs)
    assert sorted((e["status"]["N"], e["outcome"]["S"]) for e in events) == [("200", "info"), ("200", "viewed")]
    assert link["token"][6:] not in json.dumps(events)


def test_audit_events_never_hold_secrets(env: Env, tenant: TenantKeys) -> None:
    # GIVEN every admin action on a password link
    link = make_link(env.api, tenant.operator, tenant.resource_id, password="s3cret-pass-123")
    env.api.post(f"/v1/links/{link['id']}/reveal", key=tenant.operator)
    new = env.api.post("/v1/api-keys", key=tenant.admin, body={"name": "n", "role": "viewer"}).json
    env.api.delete(f"/v1/api-keys/{new['id']}", key=tenant.admin)
    env.api.delete(f"/v1/links/{link['id']}", key=tenant.operator)
    # WHEN the audit log is read (API) and the raw items too
    events = env.api.get("/v1/audit?limit=100", key=tenant.admin)
    raw = json.dumps([i for k, i in table_items(env.svc).items() if k[0].startswith("AUDIT#")])
    # THEN neither holds the token, a key or the password
    for text in (events.body.decode(), raw):
        for secret in (link["token"], link["token"][6:30], new["key"], new["key"][24:], tenant.admin,
                       tenant.operator, "s3cret-pass-123"):
            assert secret not in text


def test_reprs_of_parsed_tokens_and_keys_hide_the_secret() -> None:
    from chalicelib.credentials.tokens import new_api_key, new_share_token, parse_api_key, parse_share_token

    token = new_share_token("0123456789abcdef" * 2)
    key = new_api_key("0123456789abcdef")
    for obj, value in ((token, token.value), (parse_share_token(token.value), token.value), (key, key.value),
                       (parse_api_key(key.value), key.value)):
        assert value[8:] not in repr(obj) and value[8:] not in str(obj) and value[8:] not in f"{obj}"


def test_each_log_call_is_written_once_as_one_structured_json_line(env: Env, captured: Captured) -> None:
    # GIVEN Keyhole's log set-up (Powertools JSON to stdout, which CloudWatch ingests)
    # WHEN code logs one line
    logging.getLogger("chalicelib.app").warning("one line request_id=%s", "r-1")
    app_module.logger.warning("one more")
    # THEN each call produced exactly one line, and every line is a JSON object
    lines = [line for line in captured.emitted.getvalue().splitlines() if line.strip()]
    assert len(lines) == 2, lines
    assert [json.loads(line)["message"] for line in lines] == ["one line request_id=r-1", "one more"]


def test_the_scrub_filter_masks_secrets_a_library_might_log(env: Env, captured: Captured) -> None:
    # GIVEN Keyhole's last-line filter WHEN a library logs a token and a key anyway
    token, key = random_token(), tenants.create_tenant(env.svc, name="Scrub")[1]
    logging.getLogger("chalicelib.storage.store").error("failed for /share/%s/data with %s", token, key)
    try:
        raise ValueError(f"boom {token} {key}")
    except ValueError:
        logging.getLogger("chalicelib.viewer").exception("handled")
    # THEN what Keyhole's handlers wrote holds neither
    written = captured.emitted.getvalue()
    assert "failed for" in written and "boom" in written
    assert token not in written and key not in written and key[24:] not in written


def test_a_fresh_service_over_the_same_tables_logs_nothing_secret_at_start(env: Env, module_aws: dict,
                                                                           captured: Captured) -> None:
    # GIVEN a cold start (new service object) serving a request with a key
    t = make_tenant(env.svc, env.api, name="Cold")
    cold = Keyhole(settings_for(module_aws), clock=env.clock)
    app_module.use_service(cold)
    try:
        assert env.api.get("/v1/tenant", key=t.admin).status == 200
    finally:
        app_module.use_service(env.svc)
    assert t.admin[24:] not in captured.trap.text() + captured.emitted.getvalue()
