"""The console in a real headless Chromium (Debian's chromium + chromedriver, driven by Selenium).

Screenshots of every page go to test-artifacts/web/ (gitignored) for a person to look at.
"""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.wait import WebDriverWait

from gateway.store import console, console_read
from gateway.store.db import Store
from tests.web.conftest import ARTIFACTS, PASSWORD, ConsoleData


def _shot(driver: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    assert driver.save_screenshot(str(path)), f"no screenshot {path}"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _submit(driver: Any, element_id: str) -> None:
    """Click a button and wait until the next page replaced this one (the load may lag the click)."""
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.ID, element_id).click()
    WebDriverWait(driver, 60).until(staleness_of(page))


def _follow(driver: Any, by: str, value: str) -> None:
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(by, value).click()
    WebDriverWait(driver, 60).until(staleness_of(page))


def _log_in(driver: Any, url: str, name: str) -> None:
    driver.get(f"{url}/login")
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    _submit(driver, "login")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Today"


def test_operator_sees_the_fix_replays_the_failed_batch_and_sees_it_in_the_timeline(
    browser: Any, live_url: str, data: ConsoleData, store: Store
) -> None:
    driver = browser
    driver.get(f"{live_url}/")
    assert driver.current_url == f"{live_url}/login"  # no session: the login page
    _shot(driver, "login")
    _log_in(driver, live_url, "alice")
    attention = driver.find_element(By.CSS_SELECTOR, ".cards").text
    assert "held: rules 2" in attention and "failed batches 1" in attention
    _shot(driver, "today")

    driver.get(f"{live_url}/holds")
    hold = driver.find_element(By.ID, f"hold-{data.held_claim}").text
    assert data.held_pcn in hold and "Fix:" in hold
    _shot(driver, "holds")

    _follow(driver, By.LINK_TEXT, data.held_pcn)
    assert driver.current_url == f"{live_url}/claims/{data.held_claim}"
    findings = driver.find_element(By.CSS_SELECTOR, "table.findings").text
    assert "error esi.il_bilateral 1" in findings and "L39015 v16 (verified)" in findings
    fixes = [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "table.findings td.fix")]
    assert fixes and all(fixes)
    assert "operator:alice claim.view" in driver.find_element(By.ID, "views").text
    _shot(driver, "claim-held")

    driver.get(f"{live_url}/claims")
    assert "9 found" in driver.find_element(By.TAG_NAME, "h1").text
    driver.find_element(By.ID, "f-pcn").send_keys("F")
    _submit(driver, "filter")
    assert driver.current_url == f"{live_url}/claims"  # the PCN went in the POST body, not the address
    assert "3 found" in driver.find_element(By.TAG_NAME, "h1").text
    _shot(driver, "claims")

    driver.get(f"{live_url}/batches")
    _shot(driver, "batches")
    _follow(driver, By.ID, f"batch-{data.failed_batch}")
    assert driver.find_element(By.ID, "batch-status").text == "failed"
    driver.find_element(By.ID, "replay-reason").send_keys("clearinghouse folder restored")
    _submit(driver, "replay")
    assert driver.find_element(By.ID, "flash").text == (
        f"Batch {data.failed_batch} will be re-sent as is (same bytes and control numbers) by the daemon."
    )
    assert driver.find_element(By.ID, "batch-status").text == "spooled"
    _shot(driver, "batch-replayed")

    claim_id = console_read_first_claim_of(driver, live_url, data)
    timeline = driver.find_element(By.ID, "timeline").text
    assert "operator.replay_resend" in timeline and "operator:alice" in timeline
    assert "clearinghouse folder restored" in timeline
    assert f"batch {data.failed_batch}" in driver.find_element(By.TAG_NAME, "main").text
    _shot(driver, "claim-timeline")
    assert claim_id > 0

    driver.get(f"{live_url}/denials")
    _shot(driver, "denials")

    _submit(driver, "logout")
    assert driver.find_element(By.ID, "message").text == "You are logged out."
    driver.get(f"{live_url}/holds")
    assert driver.current_url == f"{live_url}/login"
    actions = [entry.action for entry in console.audit_trail(store, actor="operator:alice")]
    assert actions.count("logout") == 1 and actions.count("login") == 1
    assert actions.count("operator.replay_resend") == 1 and actions.count("claim.view") == 2


def console_read_first_claim_of(driver: Any, url: str, data: ConsoleData) -> int:
    """Open the first claim of the batch page that is showing; returns its id."""
    link = driver.find_element(By.CSS_SELECTOR, "table.grid:last-of-type a[href^='/claims/']")
    claim_id = int(link.get_attribute("href").rsplit("/", 1)[1])
    page = driver.find_element(By.TAG_NAME, "html")
    link.click()
    WebDriverWait(driver, 60).until(staleness_of(page))
    assert driver.current_url == f"{url}/claims/{claim_id}"
    return claim_id


def test_a_viewer_reads_but_has_no_replay_button(browser: Any, live_url: str, data: ConsoleData) -> None:
    driver = browser
    _log_in(driver, live_url, "victor")
    driver.get(f"{live_url}/batches/{data.failed_batch}")
    assert driver.find_elements(By.ID, "replay") == []
    assert "replay and cancel need the operator role" in driver.find_element(By.TAG_NAME, "main").text
    _shot(driver, "batch-viewer")


@pytest.mark.parametrize("page", ["/", "/claims", "/holds", "/batches", "/denials"])
def test_no_page_needs_an_outside_asset_or_a_script(browser: Any, live_url: str, page: str) -> None:
    """The strict CSP would block them; the browser's console would say so."""
    driver = browser
    _log_in(driver, live_url, "alice")
    driver.get(f"{live_url}{page}")
    assert driver.find_elements(By.TAG_NAME, "script") == []
    for element in driver.find_elements(By.CSS_SELECTOR, "[src], link[href]"):
        source = element.get_attribute("src") or element.get_attribute("href")
        assert source.startswith(live_url), source
    problems = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert problems == []


def test_a_form_on_another_site_cannot_act_for_a_logged_in_operator(
    browser: Any, live_url: str, data: ConsoleData, store: Store, tmp_path: Any
) -> None:
    """Cross-site request forgery in the browser: the SameSite=Strict cookie stays home, and the
    form could not know the CSRF token anyway; the batch is untouched."""
    driver = browser
    _log_in(driver, live_url, "alice")
    forged = tmp_path / "forged.html"
    forged.write_text(
        f'<form method="post" action="{live_url}/batches/{data.failed_batch}/replay">'
        '<input type="hidden" name="csrf" value="guessed"><input type="hidden" name="reason" value="forged">'
        '<button type="submit" id="go">win a prize</button></form>'
    )
    driver.get(forged.as_uri())
    _submit(driver, "go")
    assert driver.find_element(By.ID, "error").text == "no session: log in"  # the cookie stayed home
    record = console_read.batch_record(store, data.failed_batch)
    assert record is not None and record.batch.status == "failed"
    _shot(driver, "forged-form-refused")
