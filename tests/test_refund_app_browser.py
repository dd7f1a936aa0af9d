"""The Refund Manager in a real browser: Debian's headless Chromium, driven by Selenium through
chromedriver, loads the page served over real PostgreSQL and the stand-in's warehouse in local mode
(the banner says so), sees the recommendations ($0 ones behind a switch), opens an order (its
timeline, its total), accepts a suggestion and adjusts another; the test checks the database and
the page, and saves a screenshot to build/.local/screenshots/refund-manager.png."""

from __future__ import annotations

import json
import shutil

import psycopg
import pytest

from .conftest import SCREENSHOTS, local_postgres
from .fake_env import configure, fake, warehouse_config  # noqa: F401  (fixtures)
from .refund_app import load, served

SCREENSHOT = SCREENSHOTS / "refund-manager.png"


def chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not binary or not driver:
        pytest.fail("the browser test needs Debian's chromium and chromium-driver: "
                    "apt-get install -y chromium chromium-driver (.ci/run installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1360,900",
                 "--disable-gpu", "--force-color-profile=srgb"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(driver), options=options)


def total(decision: tuple[str, float]) -> float:
    """The order's total as the row carries it: a full refund is all of it, a partial one a quarter."""
    kind, usd = decision
    return usd if kind == "full" else round(usd * 4, 2) if kind == "partial" else 24.0


@pytest.fixture
def postgres():
    yield from local_postgres(database="caspers")


def test_a_person_decides_refunds_in_the_browser(postgres, fake):  # noqa: F811
    from databricks.sdk import WorkspaceClient
    from refund_manager.app import create_app
    from refund_manager.settings import Settings
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    from .dataset import delivered_orders, shared_dataset

    configure(fake, sql=warehouse_config("caspersdev", shared_dataset()))
    w = WorkspaceClient()
    warehouse = w.warehouses.create(name="caspersdev-warehouse").response.id
    # the recommendations this test plants: refunds to decide (partial and full, in id order), then
    # orders with none (a real agent's answers would come from the stream)
    orders = delivered_orders(days=2)
    decisions = {o: (kind, usd) for o, kind, usd in zip(orders, ["partial", "full"] * 3 + ["none"] * 4,
                                                          [4.5, 21.0, 6.25, 18.4, 3.0, 30.5, 0, 0, 0, 0])}
    chosen = sorted(orders[:6]) + orders[6:10]
    with psycopg.connect(host="127.0.0.1", port=postgres.port, user="caspers", dbname="caspers",
                         autocommit=True) as conn:
        load(conn, [(o, json.dumps({"refund_usd": decisions[o][1], "refund_class": decisions[o][0],
                                    "reason": f"Planted as {decisions[o][0]} by the test."}), total(decisions[o]))
                    for o in chosen])
    settings = Settings(pg_host="127.0.0.1", pg_port=postgres.port, pg_database="caspers", pg_user="caspers",
                        pg_sslmode="disable", pg_password="", warehouse_id=warehouse,
                        events_table="caspersdev.lakeflow.all_events", mode="local", approvers=("local user",))
    browser = chromium()
    wait = WebDriverWait(browser, 90)  # the first timeline starts the local Spark warehouse
    try:
        with served(create_app(settings, workspace=w)) as url:
            browser.get(url)
            wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#recs tbody tr")) == 6)  # $0 ones hidden
            assert "you act as \"local user\" (approver)" in browser.find_element(By.ID, "local-banner").text
            assert browser.find_element(By.ID, "s-pending").text == "10"
            browser.find_element(By.ID, "include-zero").click()
            wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#recs tbody tr")) == 10)
            newest = chosen[-1]
            first = browser.find_element(By.CSS_SELECTOR, "#recs tbody tr")
            assert first.get_attribute("data-order") == newest

            target = chosen[0]  # a partial or full recommendation: accept it as suggested
            browser.find_element(By.CSS_SELECTOR, f'tr[data-order="{target}"]').click()
            wait.until(ready.visibility_of_element_located((By.ID, "drawer")))
            wait.until(lambda b: "Order placed" in b.find_element(By.ID, "d-timeline").text)
            assert "Delivered" in browser.find_element(By.ID, "d-timeline").text
            assert f"order total ${total(decisions[target]):.2f}" in browser.find_element(By.ID, "f-total").text
            browser.find_element(By.ID, "accept").click()
            wait.until(lambda b: b.find_element(By.ID, "s-pending").text == "9")
            assert "recorded" in browser.find_element(By.ID, "toast").text

            adjusted = chosen[1]  # adjust: a smaller partial refund, with a reason of our own
            browser.find_element(By.CSS_SELECTOR, f'tr[data-order="{adjusted}"]').click()
            wait.until(lambda b: "Order placed" in b.find_element(By.ID, "d-timeline").text)
            browser.find_element(By.ID, "f-class").send_keys("Partial refund")
            amount = browser.find_element(By.ID, "f-amount")
            amount.clear()
            amount.send_keys("2.50")
            reason = browser.find_element(By.ID, "f-reason")
            reason.clear()
            reason.send_keys("Goodwill: <b>late</b> but warm.")
            browser.find_element(By.ID, "submit").click()
            wait.until(lambda b: b.find_element(By.ID, "s-decided").text == "2")

            with psycopg.connect(host="127.0.0.1", port=postgres.port, user="caspers", dbname="caspers") as conn:
                stored = dict((r[0], r[1:]) for r in conn.execute(
                    "SELECT order_id, refund_class, amount_usd::float, reason FROM refunds.refund_decisions"))
            assert stored[target][:2] == decisions[target] and stored[adjusted] == (
                "partial", 2.5, "Goodwill: <b>late</b> but warm.")
            browser.find_element(By.CSS_SELECTOR, '.tabs [data-status="decided"]').click()
            wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#recs tbody tr")) == 2)
            browser.find_element(By.CSS_SELECTOR, f'tr[data-order="{adjusted}"]').click()
            wait.until(lambda b: "Goodwill" in b.find_element(By.ID, "d-decided").text)
            assert "<b>late</b>" in browser.find_element(By.ID, "d-decided").text  # shown as text, not as HTML
            assert not browser.find_elements(By.CSS_SELECTOR, "#d-decided b")
            browser.find_element(By.ID, "close").click()
            browser.find_element(By.CSS_SELECTOR, '.tabs [data-status="pending"]').click()  # the screenshot:
            browser.find_element(By.ID, "include-zero").click()  # back to the ones with something to decide
            wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#recs tbody tr")) == 4)  # an order to decide
            full = next(o for o in chosen if decisions[o][0] == "full" and o not in (target, adjusted))
            browser.find_element(By.CSS_SELECTOR, f'tr[data-order="{full}"]').click()
            wait.until(lambda b: "Delivered" in b.find_element(By.ID, "d-timeline").text)
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            browser.save_screenshot(str(SCREENSHOT))
            assert SCREENSHOT.stat().st_size > 10_000
    finally:
        browser.quit()
