"""The viewer's HTML page, password unlock and view-limit flows, through Chalice's test client.

Real parts only: in-process moto with the infra template deployed, the real app and service.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

from chalicelib.tenancy import tenants
from chalicelib.storage.models import AccessEvent
from chalicelib.viewer import resolve as viewer_core
from tests.conftest import Api, Reply

DOCUMENT = {
    "summary": "Checkout API: all systems operational.",
    "status": "operational",
    "uptime_30d_percent": 99.982,
    "check": {"url": "https://api.example.com/health", "bearer_token": "sk_live_do_not_show"},
    "regions": [{"region": "eu-west-1", "latency_ms": 84}, {"region": "us-east-1", "latency_ms": 41}],
}
SECRET = "sk_live_do_not_show"
PASSWORD = "correct horse battery"
FORM = {"content-type": "application/x-www-form-urlencoded"}
VIEWER_HEADERS = {
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-robots-tag": "noindex, nofollow",
    "x-content-type-options": "nosniff",
}


class Page(HTMLParser):
    """What a browser would show: the text, the forms, the nonces of styles and scripts."""

    def __init__(self, body: bytes) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: List[str] = []
        self.elements: List[Tuple[str, Dict[str, Optional[str]]]] = []
        self._skip = 0
        self.feed(body.decode("utf-8"))

    def handle_starttag(self, tag: str, attrs: List[Tuple[str, Optional[str]]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag in ("style", "script", "template"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "template"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.chunks.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.chunks))

    def all(self, tag: str) -> List[Dict[str, Optional[str]]]:
        return [attrs for name, attrs in self.elements if name == tag]


class Viewer:
    """A tenant with one shared resource, and helpers to open its links as a viewer would."""

    def __init__(self, svc: Any, api: Api) -> None:
        self.svc = svc
        self.api = api
        _, self.admin = tenants.create_tenant(svc, name="Demo Co", plan="team")
        reply = api.put("/v1/resources/checkout", key=self.admin, body={
            "type": "monitor", "name": "Checkout API", "document": DOCUMENT, "redact": ["bearer_token"]})
        assert reply.status == 201, reply

    def link(self, resource: str = "checkout", **body: Any) -> Dict[str, Any]:
        reply = self.api.post(f"/v1/resources/{resource}/links", key=self.admin, body=body)
        assert reply.status == 201, reply
        return reply.json

    def open(self, token: str, *, ip: str = "203.0.113.10", **kw: Any) -> Reply:
        headers = {"x-forwarded-for": ip, **kw.pop("headers", {})}
        return self.api.get(f"/share/{token}", headers=headers, **kw)

    def press(self, token: str, *, ip: str = "203.0.113.10", cookie: Optional[str] = None) -> Reply:
        headers = {"x-forwarded-for": ip, **FORM, **({"cookie": cookie} if cookie else {})}
        return self.api.call("POST", f"/share/{token}", raw=b"", headers=headers)

    def unlock(self, token: str, password: str, *, ip: str = "203.0.113.10",
               headers: Optional[Dict[str, str]] = None) -> Reply:
        from urllib.parse import urlencode

        sent = {"x-forwarded-for": ip, **FORM, **(headers or {})}
        return self.api.call("POST", f"/share/{token}/unlock", raw=urlencode({"password": password}).encode(),
                             headers=sent)

    def events(self, link_id: str) -> List[AccessEvent]:
        """The link's access events, oldest first (from every write shard of the link)."""
        from chalicelib.access import accesslog

        return list(reversed(accesslog.events(link_id)))


@pytest.fixture
def viewer(svc: Any, app_client: Api) -> Viewer:
    return Viewer(svc, app_client)


def cookie_of(reply: Reply) -> str:
    return reply.headers["set-cookie"].split(";")[0]


def assert_viewer_headers(reply: Reply, content_type: str = "text/html; charset=utf-8") -> None:
    for name, value in VIEWER_HEADERS.items():
        assert reply.headers.get(name) == value, (name, reply)
    assert "frame-ancestors 'none'" in reply.headers["content-security-policy"]
    assert "default-src 'none'" in reply.headers["content-security-policy"]
    assert reply.headers["content-type"] == content_type


# --- the page --------------------------------------------------------------------------------

def test_page_shows_the_scoped_redacted_document_for_reading(viewer: Viewer) -> None:
    # GIVEN a link with a label, a description and a 3-day expiry
    link = viewer.link(label="Status for Globex", description="Live status for the Globex team", expires_in="3d")
    # WHEN a viewer opens the share URL
    reply = viewer.open(link["token"])
    # THEN they get an HTML page naming the resource, its type, the label and the expiry in words
    assert reply.status == 200, reply
    assert_viewer_headers(reply)
    page = Page(reply.body)
    for expected in ("Checkout API", "monitor", "Status for Globex", "Live status for the Globex team",
                     "This link expires in 3 days", "Read-only", "Shared with you by Demo Co"):
        assert expected in page.text, expected
    # AND the document is rendered for reading (definition list, table, formatted values), redacted
    assert "Uptime 30d (%)" in page.text and "99.982" in page.text and "***" in page.text
    assert [attrs["title"] for attrs in page.all("th")] == ["region", "latency_ms"]
    assert SECRET.encode() not in reply.body
    assert '"summary":' not in page.text and "{" not in page.text  # not raw JSON


def test_page_nonce_matches_policy_and_nothing_is_loaded_from_elsewhere(viewer: Viewer) -> None:
    link = viewer.link()
    first, second = viewer.open(link["token"]), viewer.open(link["token"])
    nonces = []
    for reply in (first, second):
        page = Page(reply.body)
        policy = reply.headers["content-security-policy"]
        nonce = re.search(r"script-src 'nonce-([^']+)'", policy).group(1)
        assert [a.get("nonce") for a in page.all("style") + page.all("script")] == [nonce, nonce]
        assert not any("src" in attrs for _, attrs in page.elements)
        assert "connect-src 'self'" in policy and "base-uri 'none'" in policy
        nonces.append(nonce)
    # THEN every response has a fresh nonce
    assert nonces[0] != nonces[1]


def test_page_etag_lets_the_first_poll_be_a_304_that_records_nothing(viewer: Viewer) -> None:
    # GIVEN an open page
    link = viewer.link()
    page = Page(viewer.open(link["token"]).body)
    etag = next(attrs for attrs in page.all("div") if attrs.get("id") == "share")["data-etag"]
    before = len(viewer.events(link["id"]))
    # WHEN its script polls /data with the page's ETag
    reply = viewer.api.get(f"/share/{link['token']}/data", headers={"if-none-match": etag})
    # THEN the answer is 304 and no access event (no view) is recorded
    assert reply.status == 304, reply
    assert len(viewer.events(link["id"])) == before


def _page_etag(reply: Reply) -> str:
    return str(next(attrs for attrs in Page(reply.body).all("div") if attrs.get("id") == "share")["data-etag"])


def test_a_live_page_re_rendering_a_version_it_fetched_is_not_a_second_view(viewer: Viewer, clock: Any) -> None:
    # GIVEN an open page whose document then changes
    link = viewer.link()
    token = link["token"]
    etag = _page_etag(viewer.open(token))
    viewer.api.patch("/v1/resources/checkout", key=viewer.admin, body={"document": {"status": "degraded"}})
    # WHEN its poll fetches the new version from /data and then re-renders the page naming that version
    data = viewer.api.get(f"/share/{token}/data", headers={"if-none-match": etag})
    assert data.status == 200
    again = viewer.open(token, headers={"x-keyhole-refresh": data.headers["etag"]})
    # THEN the page shows the change; the conditional poll and the re-render are refreshes, not views
    assert again.status == 200 and "degraded" in Page(again.body).text
    assert _page_etag(again) == data.headers["etag"]
    # AND a page open naming any other version is an ordinary, counted view
    viewer.open(token, headers={"x-keyhole-refresh": '"made-up"'})
    # AND so is naming the current version once it is older than the refresh grace
    clock.advance(viewer_core.REFRESH_GRACE_SECONDS + 1)
    viewer.open(token, headers={"x-keyhole-refresh": data.headers["etag"]})
    outcomes = [e.outcome for e in sorted(viewer.events(link["id"]), key=lambda e: e.sk)]
    assert outcomes == ["viewed", "refreshed", "refreshed", "viewed", "viewed"]


def test_replaying_the_current_etag_as_a_refresh_does_not_escape_the_link_limit(viewer: Viewer, clock: Any) -> None:
    # GIVEN a link allowed 3 requests a minute whose document was never updated, and its ETag
    # (anyone can read it from /data or the page)
    link = viewer.link(rate_limit_per_min=3)
    clock.advance(60 - clock.time() % 60 + 1)  # a fresh window: every request falls in the same one
    etag = _page_etag(viewer.open(link["token"], ip="203.0.113.31"))
    # WHEN a client opens the page naming that ETag in X-Keyhole-Refresh, over and over
    statuses = [viewer.open(link["token"], ip=f"203.0.113.{32 + i}", headers={"x-keyhole-refresh": etag}).status
                for i in range(4)]
    # THEN each is an ordinary view: counted against the link's window, then refused
    assert statuses == [200, 200, 429, 429]
    outcomes = [e.outcome for e in sorted(viewer.events(link["id"]), key=lambda e: e.sk)]
    assert outcomes == ["viewed"] * 3 + ["rate_limited"] * 2


def test_hostile_document_cannot_inject_markup_into_the_page(viewer: Viewer) -> None:
    hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'><a href="javascript:alert(3)">x</a>'
    reply = viewer.api.put("/v1/resources/evil", key=viewer.admin, body={
        "type": hostile[:64], "name": hostile, "document": {hostile: hostile, "u": "javascript:alert(4)",
                                                       "rows": [{hostile: hostile}]}})
    assert reply.status == 201, reply
    link = viewer.link("evil", label=hostile[:100], description=hostile)
    page = Page(viewer.open(link["token"]).body)
    assert len(page.all("script")) == 1 and len(page.all("img")) == 0
    assert all((a.get("href") or "").startswith(("data:", "https://", "http://")) for a in page.all("a")
               + page.all("link"))
    assert not any(name.startswith("on") for _, attrs in page.elements for name in attrs)
    assert page.text.count("<script>alert(1)</script>") >= 4


# --- one not-found page ----------------------------------------------------------------------

def test_one_not_found_page_for_every_dead_link(viewer: Viewer, clock: Any) -> None:
    api = viewer.api
    # GIVEN links that are dead for every reason there is
    revoked = viewer.link()
    assert api.delete(f"/v1/links/{revoked['id']}", key=viewer.admin).status == 204
    exhausted = viewer.link(max_views=1)
    assert viewer.press(exhausted["token"]).status == 200
    api.put("/v1/resources/gone", key=viewer.admin, body={"type": "t", "name": "Gone", "document": {"a": 1}})
    deleted = viewer.link("gone")
    assert api.delete("/v1/resources/gone", key=viewer.admin).status == 204
    expiring = viewer.link(expires_in="1h")
    unknown = "A" * 64
    malformed = "not-a-token"
    # WHEN each is opened (the expiring one after its hour is up)
    replies = {"revoked": viewer.open(revoked["token"]), "exhausted": viewer.open(exhausted["token"]),
               "resource deleted": viewer.open(deleted["token"]), "unknown": viewer.open(unknown),
               "malformed": viewer.open(malformed), "exhausted, pressed": viewer.press(exhausted["token"])}
    clock.advance(3601)
    replies["expired"] = viewer.open(expiring["token"])
    # THEN every reply is the same 404: status, body bytes and headers (but the request id)
    reference = replies["unknown"]
    assert reference.status == 404
    assert b"Share link not found or has been revoked" in reference.body
    assert_viewer_headers(reference)
    assert "nonce" not in reference.headers["content-security-policy"]

    def comparable(reply: Reply) -> Tuple[int, bytes, Dict[str, str]]:
        return reply.status, reply.body, {k: v for k, v in reply.headers.items() if k != "x-request-id"}

    for reason, reply in replies.items():
        assert comparable(reply) == comparable(reference), reason


# --- passwords -------------------------------------------------------------------------------

def test_password_link_shows_a_form_and_unlocks_with_a_scoped_cookie(viewer: Viewer) -> None:
    # GIVEN a password-protected link
    link = viewer.link(password=PASSWORD, label="Protected")
    token = link["token"]
    # WHEN it is opened without the cookie
    form = viewer.open(token)
    # THEN a password form is shown and nothing of the document
    assert form.status == 200
    page = Page(form.body)
    assert page.all("form") == [{"class": "stack", "method": "post", "action": f"./{token}/unlock"}]
    assert "Checkout API" in page.text and "operational" not in page.text and "99.982" not in page.text
    assert viewer.api.get(f"/share/{token}/data").status == 401
    # WHEN a wrong password is posted
    wrong = viewer.unlock(token, "not the password")
    # THEN the form is shown again with an error, and no cookie
    assert wrong.status == 401 and "set-cookie" not in wrong.headers
    assert_viewer_headers(wrong)
    assert "That password isn't right" in Page(wrong.body).text
    # WHEN the right password is posted
    right = viewer.unlock(token, PASSWORD)
    # THEN a short-lived cookie scoped to this link is set and the viewer is sent to the page
    assert right.status == 303 and right.headers["location"] == f"/share/{token}"
    assert_viewer_headers(right)
    attributes = [part.strip() for part in right.headers["set-cookie"].split(";")]
    assert attributes[0].startswith("kh_unlock=")
    assert {"HttpOnly", "SameSite=Strict", f"Path=/share/{token}", "Max-Age=1800"} <= set(attributes[1:])
    assert "Secure" not in attributes  # served over plain http here
    assert PASSWORD not in right.headers["set-cookie"]
    # AND the cookie opens the page and /data
    cookie = cookie_of(right)
    opened = viewer.open(token, headers={"cookie": cookie})
    assert opened.status == 200 and "99.982" in Page(opened.body).text
    assert viewer.api.get(f"/share/{token}/data", headers={"cookie": cookie}).status == 200
    # AND it opens no other link
    other = viewer.link(password=PASSWORD)
    assert Page(viewer.open(other["token"], headers={"cookie": cookie}).body).all("form")


def test_unlock_cookie_is_secure_when_served_over_https(viewer: Viewer) -> None:
    link = viewer.link(password=PASSWORD)
    right = viewer.unlock(link["token"], PASSWORD, headers={"x-forwarded-proto": "https"})
    assert right.status == 303
    assert "Secure" in [part.strip() for part in right.headers["set-cookie"].split(";")]


def test_unlock_accepts_json(viewer: Viewer) -> None:
    link = viewer.link(password=PASSWORD)
    path = f"/share/{link['token']}/unlock"
    wrong = viewer.api.post(path, body={"password": "nope nope"})
    assert wrong.status == 401 and wrong.json["error"]["code"] == "wrong_password"
    assert_viewer_headers(wrong, "application/json")
    malformed = viewer.api.post(path, raw=b"[1,2]")
    assert malformed.status == 400 and malformed.json["error"]["code"] == "bad_request"
    right = viewer.api.post(path, body={"password": PASSWORD})
    assert right.status == 200 and right.json == {"unlocked": True, "expires_in": 1800}
    data = viewer.api.get(f"/share/{link['token']}/data", headers={"cookie": cookie_of(right)})
    assert data.status == 200 and data.json["document"]["check"]["bearer_token"] == "***"


def test_password_attempts_are_throttled_per_link(viewer: Viewer, clock: Any) -> None:
    # GIVEN a password link and five wrong attempts in one minute (from different IPs)
    link = viewer.link(password=PASSWORD)
    token = link["token"]
    clock.advance(60 - clock.time() % 60 + 1)  # start of a fresh window, so the test cannot straddle two
    for attempt in range(5):
        assert viewer.unlock(token, f"wrong guess {attempt}", ip=f"198.51.100.{attempt}").status == 401
    # WHEN a sixth attempt comes, even with the right password
    sixth = viewer.unlock(token, PASSWORD, ip="198.51.100.99")
    # THEN it is refused with 429 and Retry-After, the form says so, and no cookie is set
    assert sixth.status == 429, sixth
    assert_viewer_headers(sixth)
    assert 1 <= int(sixth.headers["retry-after"]) <= 60
    assert "set-cookie" not in sixth.headers
    assert "Too many attempts" in Page(sixth.body).text
    json_reply = viewer.api.post(f"/share/{token}/unlock", body={"password": PASSWORD})
    assert json_reply.status == 429 and json_reply.json["error"]["code"] == "rate_limited"
    # AND another link is not affected
    other = viewer.link(password=PASSWORD)
    assert viewer.unlock(other["token"], PASSWORD).status == 303
    # WHEN the minute has passed
    clock.advance(60)
    # THEN the right password works again
    assert viewer.unlock(token, PASSWORD).status == 303


def test_info_says_has_password_and_nothing_more(viewer: Viewer) -> None:
    link = viewer.link(password=PASSWORD, label="L")
    info = viewer.api.get(f"/share/{link['token']}/info")
    assert info.status == 200
    assert info.json["has_password"] is True
    assert "document" not in info.json and PASSWORD not in info.body.decode()


def test_unlock_of_a_link_without_password_just_opens_the_page(viewer: Viewer) -> None:
    link = viewer.link()
    reply = viewer.unlock(link["token"], "anything at all")
    assert reply.status == 303 and "set-cookie" not in reply.headers


# --- view limits -----------------------------------------------------------------------------

UNFURLERS = ["Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
             "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", "facebookexternalhit/1.1",
             "Mozilla/5.0 (X11; Linux x86_64) Chrome/120 Safari/537.36"]


def test_view_limited_get_uses_nothing_and_the_button_uses_one_view(viewer: Viewer) -> None:
    # GIVEN a link that may be viewed twice
    link = viewer.link(max_views=2)
    token = link["token"]
    # WHEN unfurlers, previews and the viewer GET it many times
    for agent in UNFURLERS * 2:
        reply = viewer.open(token, headers={"user-agent": agent})
        # THEN each sees the button page, without the document
        assert reply.status == 200
        page = Page(reply.body)
        assert page.all("form") == [{"class": "stack", "method": "post"}]
        assert "2 views left" in page.text and "99.982" not in page.text
    assert viewer.api.get(f"/share/{token}/data").status == 409
    # WHEN the button is pressed twice
    first, second = viewer.press(token), viewer.press(token)
    # THEN both show the content (views 1 and 2 of 2) and do not poll
    for number, reply in ((1, first), (2, second)):
        assert reply.status == 200
        page = Page(reply.body)
        assert "99.982" in page.text and f"View {number} of 2" in page.text
        (share,) = [attrs for tag, attrs in page.elements if attrs.get("id") == "share"]
        assert "data-poll-seconds" not in share  # the script runs for charts and tables, never polls
    # AND the link is now dead, for pressing and for opening alike
    assert viewer.press(token).status == 404
    assert viewer.open(token).status == 404


def test_view_limited_password_link_needs_the_password_before_the_button(viewer: Viewer) -> None:
    link = viewer.link(max_views=1, password=PASSWORD)
    token = link["token"]
    assert Page(viewer.press(token).body).all("input")[0]["type"] == "password"  # no view used
    cookie = cookie_of(viewer.unlock(token, PASSWORD))
    assert "1 view left" in Page(viewer.open(token, headers={"cookie": cookie}).body).text
    assert viewer.press(token, cookie=cookie).status == 200
    assert viewer.press(token, cookie=cookie).status == 404


# --- accounting, budget and secrets ----------------------------------------------------------

def test_access_events_record_outcomes_without_the_token(viewer: Viewer) -> None:
    # GIVEN a view-limited password link taken through every step
    link = viewer.link(max_views=3, password=PASSWORD)
    token = link["token"]
    viewer.open(token)
    viewer.unlock(token, "wrong password")
    cookie = cookie_of(viewer.unlock(token, PASSWORD))
    viewer.open(token, headers={"cookie": cookie})
    viewer.press(token, cookie=cookie)
    # THEN each step has its outcome in the access log, and no event carries the token
    events = sorted(viewer.events(link["id"]), key=lambda e: e.sk)
    assert [e.outcome for e in events] == ["password_required", "wrong_password", "unlocked", "confirm_required",
                                           "viewed"]
    assert [e.status for e in events] == [200, 401, 303, 200, 200]
    for event in events:
        assert token not in event.path and event.path.startswith(f"/share/{token[:6]}...")
        assert PASSWORD not in str(event.attribute_values)


@pytest.fixture
def aws_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[List[Tuple[str, str]]]:
    """Every AWS API call the process makes (botocore, below Keyhole), as (service, operation)."""
    from botocore.endpoint import Endpoint

    calls: List[Tuple[str, str]] = []
    original = Endpoint.make_request

    def recording(self: Any, operation_model: Any, request_dict: Any) -> Any:
        calls.append((operation_model.service_model.service_name, operation_model.name))
        return original(self, operation_model, request_dict)

    monkeypatch.setattr(Endpoint, "make_request", recording)
    yield calls


def test_viewer_flows_keep_the_request_budget(viewer: Viewer, aws_calls: List[Tuple[str, str]]) -> None:
    # GIVEN links of every kind
    plain, limited, protected = viewer.link(), viewer.link(max_views=5), viewer.link(password=PASSWORD)
    cookie = cookie_of(viewer.unlock(protected["token"], PASSWORD))
    steps = {
        "page": lambda: viewer.open(plain["token"]),
        "button page": lambda: viewer.open(limited["token"]),
        "use a view": lambda: viewer.press(limited["token"]),
        "password form": lambda: viewer.open(protected["token"]),
        "wrong password": lambda: viewer.unlock(protected["token"], "wrong password"),
        "right password": lambda: viewer.unlock(protected["token"], PASSWORD),
        "unlocked page": lambda: viewer.open(protected["token"], headers={"cookie": cookie}),
        "dead link": lambda: viewer.open("A" * 64),
    }
    read, window, event = ("dynamodb", "BatchGetItem"), ("dynamodb", "UpdateItem"), ("dynamodb", "PutItem")
    expected = {
        "page": [read, window, event],
        "button page": [read, window, event],
        "use a view": [read, window, window, event],  # the address's window, then the view use
        "password form": [read, window, event],
        "wrong password": [read, window, window, event],  # the address's, then the attempts' window
        "right password": [read, window, window, event],
        "unlocked page": [read, window, event],
        "dead link": [read, window],  # the address's failed-resolve window; no access event
    }
    for name, step in steps.items():
        aws_calls.clear()
        reply = step()
        # THEN each makes one read and plain writes (the windows it counts in, its access event),
        # never a transaction and no KMS call
        assert reply.status in (200, 303, 401, 404), (name, reply)
        assert aws_calls == expected[name], (name, aws_calls)


def test_a_busy_link_gets_the_too_many_requests_page(viewer: Viewer, clock: Any) -> None:
    # GIVEN a link limited to 1 request a minute, opened once
    link = viewer.link(rate_limit_per_min=1)
    clock.advance(60 - clock.time() % 60 + 1)  # a fresh window: both requests fall in the same one
    assert viewer.open(link["token"]).status == 200
    # WHEN it is opened again within the minute
    reply = viewer.open(link["token"], ip="203.0.113.77")
    # THEN a static 429 page with Retry-After and the viewer headers
    assert reply.status == 429
    assert_viewer_headers(reply)
    assert 1 <= int(reply.headers["retry-after"]) <= 60
    assert "Too many requests" in Page(reply.body).text
    assert "nonce" not in reply.headers["content-security-policy"]


def test_robots_txt_disallows_share(app_client: Api) -> None:
    reply = app_client.get("/robots.txt")
    assert reply.status == 200 and "Disallow: /share/" in reply.body.decode()
    assert reply.headers["x-robots-tag"] == "noindex, nofollow"
