"""`opscli kms reseal` against the local stack's KMS (moto): every sealed share token and webhook
secret moves to a new key, resumably; while it runs, a service that knows the old key as a
previous key still opens everything."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import boto3
import pytest

from chalicelib.links import links
from chalicelib.tenancy.apikeys import authenticate
from chalicelib.runtime.errors import KeyholeError
from chalicelib.ops import reseal
from chalicelib.sealing import KeyServiceUnavailable, Sealer, UnsealError
from chalicelib.service import Keyhole, RequestInfo
from chalicelib.storage.models import LinkRecord, WebhookEndpoint
from chalicelib.webhooks.endpoints import SECRET_PURPOSE, SecretUnavailable, secret_of
from tests.ops.kit import HttpApi, run_cli
from tests.support import fresh_ip, make_link, make_tenant

pytestmark = pytest.mark.http

OLD_KEY = "alias/keyhole-local"  # the infra stack's key, by its alias


def _sealer(stack: Any, key_id: str) -> Sealer:
    kms = boto3.client("kms", region_name="us-east-1", endpoint_url=stack.aws_endpoint)
    return Sealer(lambda: kms, key_id)


def _under(sealer: Sealer, tenant_id: str, sealed: bytes, purpose: str) -> bool:
    return sealer.sealed_under_own_key(bytes(sealed), tenant_id=tenant_id, purpose=purpose)


def _sealed_values(stack: Any, tenant_ids: List[str]) -> Dict[str, Any]:
    """object id -> (tenant, purpose, sealed bytes) for every sealed value of these tenants."""
    from chalicelib.ops.viewcounts import links_of

    found = {}
    for tenant_id in tenant_ids:
        for record in links_of(stack.svc, tenant_id):
            if record.sealed_token is not None:
                found[record.link_id] = (tenant_id, links.TOKEN_PURPOSE, bytes(record.sealed_token))
        for endpoint in WebhookEndpoint.query(f"TENANT#{tenant_id}", WebhookEndpoint.sk.startswith("WH#")):
            found[endpoint.endpoint_id] = (tenant_id, SECRET_PURPOSE, bytes(endpoint.sealed_secret))
    return found


def _reveal(svc: Keyhole, admin_key: str, link_id: str) -> str:
    principal, (record,) = authenticate(svc, admin_key, [(LinkRecord, LinkRecord.key(link_id))])
    return links.reveal_link(svc, principal, record, RequestInfo(request_id="test"))["token"]


def test_reseal_moves_every_sealed_value_to_the_new_key_resumably(stack, tmp_path: Path):
    http = HttpApi(stack.api_url)
    first = make_tenant(stack.svc, http, name="Reseal One")
    second = make_tenant(stack.svc, http, name="Reseal Two")
    made = {first.tenant_id: [make_link(http, first.operator, first.resource_id) for _ in range(2)],
            second.tenant_id: [make_link(http, second.operator, second.resource_id)]}
    hook = http.post("/v1/webhooks", key=first.admin, body={"url": "http://127.0.0.1:9/hook"}).json
    # (a tenant that shows tokens once stores none: nothing to re-seal for its links)
    assert http.patch("/v1/tenant", key=second.admin, body={"token_display": "once"}).status == 200
    make_link(http, second.operator, second.resource_id)
    tenant_ids = [first.tenant_id, second.tenant_id]
    before = _sealed_values(stack, tenant_ids)
    assert len(before) == 4  # three tokens, one webhook secret

    # GIVEN a new key, and Keyhole configured to seal with it (KEYHOLE_KMS_KEY_ID)
    kms = boto3.client("kms", region_name="us-east-1", endpoint_url=stack.aws_endpoint)
    new_key = kms.create_key(Description="keyhole-local replacement")["KeyMetadata"]["Arn"]
    env = {**stack.env, "KEYHOLE_KMS_KEY_ID": new_key}
    new_only = Keyhole(stack.svc.settings.with_overrides(kms_key_id=new_key))
    # (before the re-seal, a service that knows only the new key cannot open the old values; one
    # that also names the old key as a previous key can. PynamoDB binds models per process, so one
    # service plays both, with the two sealers its settings would give it.)
    with pytest.raises((KeyholeError, UnsealError, KeyServiceUnavailable)):
        _reveal(new_only, first.admin, made[first.tenant_id][0]["id"])
    own_sealer = new_only.sealer
    new_only.sealer = Sealer(lambda: kms, new_key, previous_key_ids=(OLD_KEY,))  # KEYHOLE_KMS_PREVIOUS_KEY_IDS
    assert _reveal(new_only, first.admin, made[first.tenant_id][0]["id"]) == made[first.tenant_id][0]["token"]
    new_only.sealer = own_sealer

    # WHEN ops check first (dry run): four values to re-seal, nothing written
    planned = run_cli(env, "kms", "reseal", "--from", OLD_KEY, "--tenant", first.tenant_id,
                      "--tenant", second.tenant_id, "--dry-run")
    assert planned.code == 3, planned.stderr  # values still under the old key
    assert planned.json["total"] == {"resealed": 4, "already": 0, "unopenable": 0, "changed": 0}
    assert _sealed_values(stack, tenant_ids) == before

    # WHEN a run stops after the first tenant (interrupted) ...
    state_file = tmp_path / "reseal.json"
    run = reseal.reseal(new_only, source_key_id=OLD_KEY, tenant_ids=tenant_ids, state_file=state_file)
    done_first = next(run)
    run.close()
    assert done_first.tenant_id == first.tenant_id and done_first.links.resealed == 2
    assert done_first.webhooks.resealed == 1
    assert json.loads(state_file.read_text())["done"] == [first.tenant_id]
    # ... and is started again with the same state file
    resumed = run_cli(env, "kms", "reseal", "--from", OLD_KEY, "--tenant", first.tenant_id,
                      "--tenant", second.tenant_id, "--state-file", str(state_file))
    assert resumed.code == 0, resumed.stderr
    reports = {r["tenant_id"]: r for r in resumed.json["tenants"]}
    assert reports[first.tenant_id]["skipped"] is True
    assert reports[second.tenant_id]["links"]["resealed"] == 1
    assert any(line.startswith("[1/2]") and "earlier run" in line for line in resumed.lines)
    assert any(line.startswith("[2/2]") for line in resumed.lines)

    # THEN every value is under the new key and no longer under the old one, and opens to what it was
    old, new = _sealer(stack, OLD_KEY), _sealer(stack, new_key)
    after = _sealed_values(stack, tenant_ids)
    assert set(after) == set(before)
    for object_id, (tenant_id, purpose, sealed) in after.items():
        assert sealed != before[object_id][2]
        assert _under(new, tenant_id, sealed, purpose) and not _under(old, tenant_id, sealed, purpose)
    for tenant_id, tenant_links in made.items():
        for link in tenant_links:
            sealed = after[link["id"]][2]
            opened = new_only.sealer.unseal(sealed, tenant_id=tenant_id, purpose=links.TOKEN_PURPOSE,
                                            object_id=link["id"])
            assert opened.decode() == link["token"]
    for link in made[first.tenant_id]:  # and through the admin API's reveal, with the new key only
        assert _reveal(new_only, first.admin, link["id"]) == link["token"]
    endpoint = next(WebhookEndpoint.query(f"TENANT#{first.tenant_id}", WebhookEndpoint.sk == f"WH#{hook['id']}"))
    assert secret_of(new_only, endpoint) == hook["secret"]
    with pytest.raises(SecretUnavailable):
        secret_of(stack.svc, endpoint)  # the old key alone no longer opens it
    # AND the share URLs are unchanged (viewers never decrypt anything)
    reply = http.get(f"/share/{made[second.tenant_id][0]['token']}/data", headers={"x-forwarded-for": fresh_ip()})
    assert reply.status == 200
    # AND each tenant's audit log records the re-seal (counts only)
    events = [e for e in http.get("/v1/audit", key=first.admin).json["items"] if e["action"] == "secrets.resealed"]
    assert [e["details"] for e in events] == [{"links": 2, "webhook_endpoints": 1}]

    # WHEN it runs again from scratch: everything is recognised as done, nothing is written
    again = run_cli(env, "kms", "reseal", "--from", OLD_KEY, "--tenant", first.tenant_id,
                    "--tenant", second.tenant_id, "--state-file", str(tmp_path / "fresh.json"))
    assert again.code == 0 and again.json["total"] == {"resealed": 0, "already": 4, "unopenable": 0, "changed": 0}
    assert _sealed_values(stack, tenant_ids) == after


def test_reseal_refuses_to_move_a_key_onto_itself_and_a_foreign_state_file(stack, tmp_path: Path):
    same = run_cli(stack.env, "kms", "reseal", "--from", OLD_KEY)
    assert same.code == 1 and len(same.lines) == 1
    assert "is the key Keyhole seals with now" in same.lines[0]
    state_file = tmp_path / "other.json"
    state_file.write_text(json.dumps({"source_key_id": "x", "target_key_id": "y", "table": "z", "done": []}))
    env = {**stack.env, "KEYHOLE_KMS_KEY_ID": "alias/some-new-key"}
    foreign = run_cli(env, "kms", "reseal", "--from", OLD_KEY, "--state-file", str(state_file))
    assert foreign.code == 1 and len(foreign.lines) == 1 and "belongs to another run" in foreign.lines[0]
