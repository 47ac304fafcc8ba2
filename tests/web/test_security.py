"""Sessions, CSRF, roles, headers, rate limits and PHI in addresses and logs (Starlette's client)."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from starlette.testclient import TestClient

from gateway.domain.accounts import AuditAction
from gateway.domain.status import HoldKind
from gateway.store import console, console_read
from gateway.store.db import Store
from gateway.web.app import CSP, create_app
from tests.web.conftest import PASSWORD, ConsoleData, csrf_of, log_in, make_console

PAGES = ["/", "/claims", "/holds", "/batches", "/denials"]


@pytest.mark.parametrize("page", [*PAGES, "/claims/1", "/batches/1", "/denials/carc.svg"])
def test_a_page_without_a_session_sends_the_browser_to_the_login(client: TestClient, page: str) -> None:
    answer = client.get(page)
    assert (answer.status_code, answer.headers["location"]) == (303, "/login")


def test_an_action_without_a_session_is_refused(client: TestClient, data: ConsoleData, store: Store) -> None:
    answer = client.post(f"/batches/{data.failed_batch}/replay", data={"csrf": "x", "reason": "try"})
    assert answer.status_code == 403 and "no session: log in" in answer.text
    assert console_read.batch_record(store, data.failed_batch).batch.status == "failed"  # type: ignore[union-attr]


def test_a_forged_cookie_is_no_session(client: TestClient) -> None:
    client.cookies.set("gw_session", "made-up-token.bm90IGEgbWFj")
    assert client.get("/").headers["location"] == "/login"


@pytest.mark.parametrize("csrf", [None, "", "a-token-from-another-session"])
def test_a_form_without_the_sessions_csrf_token_is_refused(
    client: TestClient, data: ConsoleData, store: Store, csrf: str | None
) -> None:
    log_in(client)
    form = {"reason": "clearinghouse folder restored"} | ({"csrf": csrf} if csrf is not None else {})
    answer = client.post(f"/batches/{data.failed_batch}/replay", data=form)
    assert answer.status_code == 403
    assert "the form&#39;s CSRF token is missing or wrong" in answer.text
    assert console_read.batch_record(store, data.failed_batch).batch.status == "failed"  # type: ignore[union-attr]


def test_a_viewer_cannot_replay_even_with_a_valid_form(
    client: TestClient, data: ConsoleData, store: Store
) -> None:
    csrf = log_in(client, "victor")
    answer = client.post(f"/batches/{data.failed_batch}/replay", data={"csrf": csrf, "reason": "let me"})
    assert answer.status_code == 403 and "victor is a viewer: only operators may act" in answer.text
    assert console_read.batch_record(store, data.failed_batch).batch.status == "failed"  # type: ignore[union-attr]


def test_an_operator_replays_with_a_reason_recorded_as_operator_name(
    client: TestClient, data: ConsoleData, store: Store
) -> None:
    csrf = log_in(client)
    empty = client.post(f"/batches/{data.failed_batch}/replay", data={"csrf": csrf, "reason": "  "})
    assert empty.status_code == 303
    assert "Nothing done: give a reason" in client.get(f"/batches/{data.failed_batch}").text
    answer = client.post(f"/batches/{data.failed_batch}/replay", data={"csrf": csrf, "reason": "folder back"})
    assert (answer.status_code, answer.headers["location"]) == (303, f"/batches/{data.failed_batch}")
    record = console_read.batch_record(store, data.failed_batch)
    assert record is not None and record.batch.status == "spooled"
    replay = [e for e in record.events if e.kind == "operator.replay_resend"]
    assert [(e.actor, json.loads(e.detail)) for e in replay] == [
        ("operator:alice", {"reason": "folder back"})
    ]
    again = client.post(f"/batches/{data.failed_batch}/replay", data={"csrf": csrf, "reason": "twice"})
    assert again.status_code == 303
    assert (
        f"Nothing done: batch {data.failed_batch}: cannot replay: batch is spooled: the daemon is already sending it"
        in client.get(f"/batches/{data.failed_batch}").text
    )


def test_release_from_the_holds_page_calls_the_operator_function(
    client: TestClient, data: ConsoleData, store: Store
) -> None:
    csrf = log_in(client)
    answer = client.post(f"/holds/{data.held_claim}/release", data={"csrf": csrf, "reason": "payer said yes"})
    assert answer.status_code == 303
    assert f"Claim #{data.held_claim} released; now queued." in client.get("/holds").text
    record = console_read.claim_record(store, data.held_claim)
    assert record is not None and record.status == "queued"
    [entry] = [
        e for e in console.audit_trail(store, claim_ids=[data.held_claim]) if e.action == "operator.release"
    ]
    assert (entry.actor, entry.detail) == ("operator:alice", "reason: payer said yes")


def test_a_cancelled_batch_holds_its_claims_as_an_operator_hold(
    client: TestClient, data: ConsoleData, store: Store
) -> None:
    csrf = log_in(client)
    client.post(f"/batches/{data.failed_batch}/cancel", data={"csrf": csrf, "reason": "sent on paper"})
    page = console_read.claims_page(store, console_read.ClaimFilter(hold_kind=HoldKind.OPERATOR))
    assert [line.patient_control_number for line in page.claims] == ["F0000002", "F0000001", "F0000000"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_the_strict_csp_and_no_store(client: TestClient, page: str) -> None:
    log_in(client)
    answer = client.get(page)
    assert answer.status_code == 200
    assert answer.headers["content-security-policy"] == CSP
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["x-frame-options"] == "DENY" and answer.headers["referrer-policy"] == "no-referrer"
    assert "<script" not in answer.text and "http://" not in answer.text and "https://" not in answer.text


def test_the_session_cookie_is_httponly_samesite_strict_and_secure_behind_tls(
    data: ConsoleData, store: Store
) -> None:
    for behind_tls in (False, True):
        with TestClient(
            create_app(make_console(data, store, behind_tls=behind_tls)),
            follow_redirects=False,
            base_url="https://console.test",
        ) as tls_client:
            form = tls_client.get("/login")
            answer = tls_client.post(
                "/login", data={"csrf": csrf_of(form.text), "name": "alice", "password": PASSWORD}
            )
            cookie = answer.headers["set-cookie"]
            assert cookie.startswith("gw_session=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
            assert ("Secure" in cookie) is behind_tls
            assert ("strict-transport-security" in answer.headers) is behind_tls


def test_an_idle_session_ends(data: ConsoleData, store: Store) -> None:
    with TestClient(
        create_app(make_console(data, store, idle_timeout=dt.timedelta(0))), follow_redirects=False
    ) as idle_client:
        form = idle_client.get("/login")
        idle_client.post("/login", data={"csrf": csrf_of(form.text), "name": "alice", "password": PASSWORD})
        assert idle_client.get("/").headers["location"] == "/login"


def test_failed_logins_are_limited_per_user_and_audited(client: TestClient, store: Store) -> None:
    for _ in range(5):
        form = client.get("/login")
        answer = client.post(
            "/login", data={"csrf": csrf_of(form.text), "name": "alice", "password": "wrong"}
        )
        assert answer.status_code == 401 and "Wrong name or password." in answer.text
    form = client.get("/login")
    answer = client.post("/login", data={"csrf": csrf_of(form.text), "name": "alice", "password": PASSWORD})
    assert answer.status_code == 429 and "Too many failed logins for this user" in answer.text
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    assert console.failed_logins_since(store, "alice", since) == 5


def test_logins_are_limited_per_address(data: ConsoleData, store: Store) -> None:
    with TestClient(
        create_app(make_console(data, store, logins_per_address=3)), follow_redirects=False
    ) as limited:
        codes = []
        for name in ("a1", "a2", "a3", "a4"):
            form = limited.get("/login")
            codes.append(
                limited.post(
                    "/login", data={"csrf": csrf_of(form.text), "name": name, "password": "x"}
                ).status_code
            )
    assert codes == [401, 401, 401, 429]


def test_a_login_form_without_its_token_is_refused(client: TestClient) -> None:
    answer = client.post("/login", data={"name": "alice", "password": PASSWORD})
    assert answer.status_code == 403 and "The login form expired or came from elsewhere" in answer.text


def test_claim_views_are_audit_events_and_shown_on_the_claim_page(
    client: TestClient, data: ConsoleData, store: Store
) -> None:
    log_in(client)
    client.get(f"/claims/{data.held_claim}")
    page = client.get(f"/claims/{data.held_claim}").text
    views = [
        e
        for e in console.audit_trail(store, claim_ids=[data.held_claim])
        if e.action == AuditAction.CLAIM_VIEW
    ]
    assert [(e.actor, e.patient_control_number) for e in views] == [("operator:alice", data.held_pcn)] * 2
    assert page.count("<td>operator:alice</td><td>claim.view</td>") == 2


def test_no_phi_in_addresses_or_logs(
    client: TestClient, data: ConsoleData, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    csrf = log_in(client)
    filtered = client.post("/claims", data={"csrf": csrf, "pcn": data.held_pcn, "page": "1"})
    assert filtered.status_code == 200 and "1 found" in filtered.text
    client.get(f"/claims/{data.held_claim}")
    client.post(f"/holds/{data.held_claim}/release", data={"csrf": csrf, "reason": "ok"})
    hrefs = [part.split('"', 1)[0] for page in PAGES for part in client.get(page).text.split('href="')[1:]]
    assert hrefs and all(
        "?" not in href or href.startswith(("/batches?status=", "/holds?page=")) for href in hrefs
    )
    web_lines = [record.getMessage() for record in caplog.records if record.name.startswith("gateway.web")]
    assert "POST /claims 200" in " ".join(web_lines) and "GET /claims/{claim_id:int} 200" in " ".join(
        web_lines
    )
    assert all(data.held_pcn not in line and f"/claims/{data.held_claim}" not in line for line in web_lines)


def test_the_denials_charts_are_svg_made_here(client: TestClient) -> None:
    log_in(client)
    for name in ("carc", "payer", "cpt"):
        answer = client.get(f"/denials/{name}.svg")
        assert answer.status_code == 200 and answer.headers["content-type"] == "image/svg+xml"
        assert (
            answer.text.startswith("<?xml")
            and "<script" not in answer.text
            and "http://www.w3.org" in answer.text
        )
        assert answer.headers["content-security-policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert client.get("/denials/other.svg").status_code == 404


def test_the_claim_page_shows_its_own_837p_segments_and_no_other_claims(
    client: TestClient, data: ConsoleData, store: Store
) -> None:
    log_in(client)
    batch = console_read.batch_record(store, data.sent_batch)
    assert batch is not None
    claim_id, pcn, _ = batch.claims[1]
    page = client.get(f"/claims/{claim_id}").text
    cut = page.split('<pre class="x12" id="segments">', 1)[1].split("</pre>", 1)[0]
    segments = [line.split("</span> ", 1)[1] for line in cut.strip().splitlines()]
    assert segments[0].startswith("HL*1**20*1~") and segments[1].startswith("PRV*BI*PXC*")
    assert [s for s in segments if s.startswith("CLM*")] == [
        s for s in segments if s.startswith(f"CLM*{pcn}*")
    ]
    assert len([s for s in segments if s.startswith("CLM*")]) == 1
    assert [s.split("*")[0] for s in segments if s.startswith("HL*")] == ["HL", "HL"]
    assert segments[-1].startswith("DTP*472*D8*")


def test_today_shows_the_stopped_clearinghouse_and_why(client: TestClient) -> None:
    log_in(client)
    page = client.get("/").text
    assert '<span class="badge rejected">stopped</span> since' in page
    assert "gateway clearinghouse reset localch --reason ..." in page


def test_claims_pages_forward_and_back_by_key(client: TestClient, store: Store) -> None:
    pages = [console_read.claims_page(store, console_read.ClaimFilter(), 1, page_size=4)]
    pages.append(
        console_read.claims_page(store, console_read.ClaimFilter(), 2, 4, before=pages[0].claims[-1].id)
    )
    pages.append(
        console_read.claims_page(store, console_read.ClaimFilter(), 3, 4, before=pages[1].claims[-1].id)
    )
    assert [[line.id for line in page.claims] for page in pages] == [[9, 8, 7, 6], [5, 4, 3, 2], [1]]
    back = console_read.claims_page(store, console_read.ClaimFilter(), 2, 4, after=pages[2].claims[0].id)
    assert [line.id for line in back.claims] == [5, 4, 3, 2] and back.total == 9
    csrf = log_in(client)
    page = client.post("/claims", data={"csrf": csrf, "next": "2:8"}).text
    assert 'href="/claims/7"' in page and 'href="/claims/1"' in page and 'href="/claims/8"' not in page
