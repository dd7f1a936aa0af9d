"""The Support Console in a real browser (Debian's headless Chromium through Selenium) over real
PostgreSQL and the stand-in's warehouse: an operator sees the reports, opens one (the order's
timeline, the user's other requests), applies the suggested refund, edits and sends the drafted
reply, rates the report; the test checks the database and the page (text, never HTML), and saves
build/.local/screenshots/support-console.png."""

from __future__ import annotations

import psycopg

from .conftest import SCREENSHOTS
from .fake_env import configure, fake  # noqa: F401  (fixtures)
from .refund_app import served
from .support_console import load, support_report
from .test_refund_app_browser import chromium, postgres  # noqa: F401  (fixture)

SCREENSHOT = SCREENSHOTS / "support-console.png"


def test_an_operator_resolves_a_request_in_the_browser(postgres, fake):  # noqa: F811
    from databricks.sdk import WorkspaceClient
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait
    from support_console.app import create_app
    from support_console.settings import Settings

    from .dataset import refund_decisions, shared_dataset

    configure(fake, sql={"catalog": "caspersdev", "simulator_schema": "simulator", "dataset": str(shared_dataset()),
                         "days": 2})
    w = WorkspaceClient()
    warehouse = w.warehouses.create(name="caspersdev-support-warehouse").response.id
    orders = sorted(refund_decisions(days=2))[:6]
    texts = ["My delivery came far later than promised.", "Part of my order was missing.",
             "I think my last order was charged wrongly.", "This is a joke. Sort it out now.",
             "Writing again: this has happened before.", "The food was <b>cold</b>."]
    reports = [(f"req-{i}", f"user-00{i % 3}", order, text,
                support_report(f"req-{i}", 9.0 if i % 2 == 0 else 0.0, 3.0, escalate=(i == 3), user=f"user-00{i % 3}",
                               order=order)) for i, (order, text) in enumerate(zip(orders, texts))]
    with psycopg.connect(host="127.0.0.1", port=postgres.port, user="caspers", dbname="caspers",
                         autocommit=True) as conn:
        load(conn, reports)
    settings = Settings(pg_host="127.0.0.1", pg_port=postgres.port, pg_database="caspers", pg_user="caspers",
                        pg_sslmode="disable", pg_password="", agent_endpoint="caspersdev_support_agent",
                        warehouse_id=warehouse, events_table="caspersdev.lakeflow.all_events")
    browser = chromium()
    wait = WebDriverWait(browser, 90)  # the first timeline starts the local Spark warehouse
    try:
        with served(create_app(settings, workspace=w)) as url:
            browser.get(url)
            wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#reports tbody tr")) == 6)
            assert browser.find_element(By.ID, "s-pending").text == "6"
            assert browser.find_element(By.ID, "s-escalated").text == "1"

            browser.find_element(By.CSS_SELECTOR, 'tr[data-request="req-0"]').click()
            wait.until(ready.visibility_of_element_located((By.ID, "drawer")))
            wait.until(lambda b: "Order placed" in b.find_element(By.ID, "d-timeline").text)
            assert "req-3" not in browser.find_element(By.ID, "d-history").text  # another user's
            browser.find_element(By.ID, "apply-refund").click()
            wait.until(lambda b: "Refund applied $9.00" in b.find_element(By.ID, "d-actions").text)
            assert browser.find_element(By.ID, "apply-refund").get_attribute("disabled") is not None
            reply = browser.find_element(By.ID, "f-reply")
            assert reply.get_attribute("value").startswith("We are sorry: 9.00 refunded")  # the agent's draft
            reply.send_keys(" See you soon.")
            browser.find_element(By.ID, "send-reply").click()
            wait.until(lambda b: "Reply sent" in b.find_element(By.ID, "d-actions").text)
            browser.find_element(By.ID, "thumbs-up").click()
            wait.until(lambda b: "Rated a good report" in b.find_element(By.ID, "d-actions").text)
            wait.until(lambda b: b.find_element(By.ID, "s-resolved").text == "1")

            with psycopg.connect(host="127.0.0.1", port=postgres.port, user="caspers", dbname="caspers") as conn:
                actions = conn.execute("SELECT action_type, amount_usd::float FROM support.operator_actions "
                                       "ORDER BY action_id").fetchall()
                sent = conn.execute("SELECT message_text FROM support.support_replies").fetchall()
                rated = conn.execute("SELECT rating FROM support.response_ratings").fetchall()
            assert actions == [("apply_refund", 9.0), ("send_reply", None)]
            assert sent[0][0].endswith("See you soon.") and rated == [("thumbs_up",)]

            browser.find_element(By.ID, "close").click()
            browser.find_element(By.CSS_SELECTOR, 'tr[data-request="req-5"]').click()
            wait.until(lambda b: "cold" in b.find_element(By.ID, "d-request").text)
            assert "<b>cold</b>" in browser.find_element(By.ID, "d-request").text  # shown as text, not as HTML
            assert not browser.find_elements(By.CSS_SELECTOR, "#d-request b")
            browser.find_element(By.ID, "close").click()
            browser.find_element(By.CSS_SELECTOR, 'tr[data-request="req-4"]').click()  # the screenshot
            wait.until(lambda b: "Delivered" in b.find_element(By.ID, "d-timeline").text)
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            browser.save_screenshot(str(SCREENSHOT))
            assert SCREENSHOT.stat().st_size > 10_000
    finally:
        browser.quit()
