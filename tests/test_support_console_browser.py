"""The Support Console in a real browser (Debian's headless Chromium through Selenium) over real
PostgreSQL and the stand-in's warehouse, in local mode (the banner says so): an operator pages
through the requests and back, searches them, opens one (the order's timeline, the customer's other
requests), replies with the recommended offers applied (a double click sends one reply, and the
sent text stays on screen), replies to another without applying anything, rates a report with a
reason; the test checks the database and the page (text, never HTML), and saves
build/.local/screenshots/support-console.png (a request answered) and support-console-search.png."""

from __future__ import annotations

import psycopg

from .conftest import SCREENSHOTS
from .fake_env import configure, fake, warehouse_config  # noqa: F401  (fixtures)
from .refund_app import served
from .support_console import case_payload, load, support_report
from .test_refund_app_browser import chromium, postgres  # noqa: F401  (fixture)

SHOTS = SCREENSHOTS
TEXTS = ["My delivery came far later than promised.", "Part of my order was missing.",
         "I think my last order was charged wrongly.", "This is a joke. Sort it out now.",
         "Writing again: this has happened before.", "The food was <b>cold</b>."]


def _reports(orders: list[str]) -> list[tuple]:
    """30 requests: six worded ones (the newest), then 24 older ones, to page through."""
    rows = []
    for i in range(30):
        order, text = (orders[i], TEXTS[i]) if i < 6 else (orders[i % 6], f"Older request number {i}.")
        user = f"user-00{i % 3}"
        report = support_report(f"req-{i}", 9.0 if i % 2 == 0 else 0.0, 3.0, escalate=(i == 3), user=user, order=order)
        rows.append((f"req-{i}", user, order, text, report, case_payload(f"req-{i}", user, order, text, 30.0)))
    return rows[::-1]  # load() makes the last row the newest: req-0


def _rows(browser):
    from selenium.webdriver.common.by import By

    return [r.get_attribute("data-request") for r in browser.find_elements(By.CSS_SELECTOR, "#reports tbody tr")]


def test_an_operator_pages_searches_and_answers_requests_in_the_browser(postgres, fake):  # noqa: F811
    from databricks.sdk import WorkspaceClient
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait
    from support_console.app import create_app
    from support_console.settings import Settings

    from .dataset import delivered_orders, shared_dataset

    configure(fake, sql=warehouse_config("caspersdev", shared_dataset()))
    w = WorkspaceClient()
    warehouse = w.warehouses.create(name="caspersdev-support-warehouse").response.id
    orders = delivered_orders(days=2)[:6]
    with psycopg.connect(host="127.0.0.1", port=postgres.port, user="caspers", dbname="caspers",
                         autocommit=True) as conn:
        load(conn, _reports(orders))
    settings = Settings(pg_host="127.0.0.1", pg_port=postgres.port, pg_database="caspers", pg_user="caspers",
                        pg_sslmode="disable", pg_password="", agent_endpoint="caspersdev_support_agent",
                        warehouse_id=warehouse, events_table="caspersdev.lakeflow.all_events", mode="local",
                        approvers=("local user",))
    browser = chromium()
    from selenium.common.exceptions import StaleElementReferenceException

    # the first timeline starts the local Spark warehouse; a list re-drawn while read is read again
    wait = WebDriverWait(browser, 90, ignored_exceptions=(StaleElementReferenceException,))
    try:
        with served(create_app(settings, workspace=w)) as url:
            browser.get(url)
            wait.until(lambda b: len(_rows(b)) == 25)
            assert "you act as \"local user\" (approver)" in browser.find_element(By.ID, "local-banner").text
            assert browser.find_element(By.ID, "s-pending").text == "30"
            assert _rows(browser)[:3] == ["req-0", "req-1", "req-2"]  # newest first
            assert browser.find_element(By.ID, "page").text == "1–25 of 30"
            browser.find_element(By.ID, "next").click()  # the pager: older, then back
            wait.until(lambda b: len(_rows(b)) == 5)
            assert browser.find_element(By.ID, "page").text == "26–30 of 30" and _rows(browser)[-1] == "req-29"
            assert browser.find_element(By.ID, "next").get_attribute("disabled") is not None
            browser.find_element(By.ID, "prev").click()
            wait.until(lambda b: len(_rows(b)) == 25 and _rows(b)[0] == "req-0")

            search = browser.find_element(By.ID, "search")  # search: the text, then a customer's id
            search.send_keys("cold", Keys.ENTER)
            wait.until(lambda b: _rows(b) == ["req-5"])
            assert browser.find_element(By.ID, "page").text == "1–1 of 1"
            SHOTS.mkdir(parents=True, exist_ok=True)
            browser.save_screenshot(str(SHOTS / "support-console-search.png"))
            search.clear()
            search.send_keys(Keys.ENTER)
            wait.until(lambda b: len(_rows(b)) == 25)

            browser.find_element(By.CSS_SELECTOR, 'tr[data-request="req-0"]').click()
            wait.until(ready.visibility_of_element_located((By.ID, "drawer")))
            wait.until(lambda b: "Order placed" in b.find_element(By.ID, "d-timeline").text)
            assert "req-3" not in browser.find_element(By.ID, "d-history").text  # another customer's
            assert "Apply the recommended $9.00 refund and $3.00 credit" in browser.find_element(
                By.ID, "apply-recommended-label").text
            reply = browser.find_element(By.ID, "f-reply")
            draft = reply.get_attribute("value")
            assert "We have applied a $9.00 refund and a $3.00 credit" in draft and "user-000" not in draft
            reply.send_keys(" See you soon.")
            ActionChains(browser).double_click(browser.find_element(By.ID, "send-reply")).perform()
            wait.until(lambda b: "See you soon." in b.find_element(By.ID, "d-sent").text)
            assert "Sent by local user" in browser.find_element(By.ID, "d-sent").text  # the sent text stays
            assert browser.find_element(By.ID, "send-reply").text == "Send another reply"
            wait.until(lambda b: "Reply sent" in b.find_element(By.ID, "d-actions").text)
            browser.find_element(By.ID, "rating-reason").send_keys("Poor tone or wording")
            browser.find_element(By.ID, "thumbs-down").click()
            wait.until(lambda b: "Rated a poor report (poor tone)" in b.find_element(By.ID, "d-actions").text)
            wait.until(lambda b: b.find_element(By.ID, "s-resolved").text == "1")
            assert browser.find_element(By.ID, "f-reply").get_attribute("value") == ""  # a follow-up starts blank
            browser.execute_script("document.getElementById('drawer').scrollTop = 0;")
            browser.save_screenshot(str(SHOTS / "support-console.png"))

            browser.find_element(By.ID, "close").click()  # another: reply without applying anything
            browser.find_element(By.CSS_SELECTOR, 'tr[data-request="req-2"]').click()
            wait.until(lambda b: "req-2" in b.find_element(By.ID, "d-title").text or
                       "Request req-2" in b.find_element(By.ID, "d-title").text)
            browser.find_element(By.ID, "apply-nothing").click()
            assert "no refund or credit is being issued" in browser.find_element(By.ID, "f-reply").get_attribute("value")
            browser.find_element(By.ID, "send-reply").click()
            wait.until(lambda b: b.find_element(By.ID, "s-resolved").text == "2")

            browser.find_element(By.ID, "close").click()
            browser.find_element(By.CSS_SELECTOR, 'tr[data-request="req-5"]').click()
            wait.until(lambda b: "cold" in b.find_element(By.ID, "d-request").text)
            assert "<b>cold</b>" in browser.find_element(By.ID, "d-request").text  # shown as text, not as HTML
            assert not browser.find_elements(By.CSS_SELECTOR, "#d-request b")

            with psycopg.connect(host="127.0.0.1", port=postgres.port, user="caspers", dbname="caspers") as conn:
                actions = conn.execute("SELECT support_request_id, action_type, amount_usd::float FROM "
                                       "support.operator_actions ORDER BY action_id").fetchall()
                sent = conn.execute("SELECT support_request_id, message_text FROM support.support_replies "
                                    "ORDER BY reply_id").fetchall()
                rated = conn.execute("SELECT rating, reason_code FROM support.response_ratings").fetchall()
            assert actions == [("req-0", "apply_refund", 9.0), ("req-0", "apply_credit", 3.0),
                               ("req-0", "send_reply", None), ("req-2", "send_reply", None)]
            assert [r[0] for r in sent] == ["req-0", "req-2"] and sent[0][1].endswith("See you soon.")  # one each
            assert rated == [("thumbs_down", "poor_tone")]
    finally:
        browser.quit()
