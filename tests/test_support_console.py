"""The Support Console's API against a throwaway PostgreSQL 15, served by uvicorn: the reports with
their status; refunds and credits applied once (409 to the second, also under concurrency); replies
that resolve a request; one rating per request; regeneration through the agent endpoint (the
stand-in's), keeping the old report when the new one is unreadable; every bad input a JSON error with
nothing written; an unreachable database a 503."""

from __future__ import annotations

import json
import threading

import psycopg
import pytest

from .conftest import local_postgres
from . import llm_script as script
from .fake_env import add_fault, configure, fake  # noqa: F401  (fixtures)
from .refund_app import call, served
from .support_console import case_payload, load, support_report

REPORTS = [("r-1", "user-001", "O1", "Late again!", support_report("r-1", 18.0, 5.0),
            case_payload("r-1", "user-001", "O1", "Late again!", 40.0)),
           ("r-2", "user-001", "O2", "Charged twice.", support_report("r-2", 0.0, 2.0, order="O2"),
            case_payload("r-2", "user-001", "O2", "Charged twice.", 12.0)),
           ("r-3", "user-002", "O3", "You people are useless.", support_report("r-3", 0.0, 3.0, True, "user-002", "O3"),
            json.dumps({"support_request_id": "r-3", "user_id": "user-002", "order_id": "O3",  # what the stream sent
                        "request_text": "You people are useless.", "edge_case_type": "abusive_language",
                        "request_type": "general_support", "repeat_complaints_30d": 2, "risk_score": 0.67,
                        "policy_limit_usd": 31.5})),
           ("r-4", "user-003", "O4", "Help?", "Happy to help!")]  # what a bad agent answer looks like
INJECTIONS = ["x' OR '1'='1", "r-1; DROP TABLE support.operator_actions; --"]


@pytest.fixture(scope="module")
def postgres():
    yield from local_postgres()


@pytest.fixture
def database(postgres, request):
    name = "s_" + request.node.name.lower()[:40].replace("[", "_").replace("]", "_").replace("-", "_")
    postgres.create_database(name)
    with psycopg.connect(host="127.0.0.1", port=postgres.port, user="caspers", dbname=name, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS support CASCADE")
        load(conn, REPORTS)
    return name


def settings_for(postgres, database, **changes):
    from support_console.settings import Settings

    values = dict(pg_host="127.0.0.1", pg_port=postgres.port, pg_database=database, pg_user="caspers",
                  pg_sslmode="disable", pg_password="", agent_endpoint="support_agent", warehouse_id="wh-none",
                  events_table="cat.lakeflow.all_events", mode="local")
    values.update(changes)
    return Settings(**values)


@pytest.fixture
def app_url(postgres, database):
    from support_console.app import create_app

    with served(create_app(settings_for(postgres, database))) as url:
        yield url


def rows(postgres, database, sql):
    with psycopg.connect(host="127.0.0.1", port=postgres.port, user="caspers", dbname=database) as conn:
        return conn.execute(sql).fetchall()


def test_reports_are_listed_with_their_offers_and_unreadable_answers_flagged(app_url):
    status, body = call(app_url + "/api/reports?status=pending")
    assert status == 200 and [i["support_request_id"] for i in body["items"]] == ["r-4", "r-3", "r-2", "r-1"]
    first = body["items"][-1]["report"]
    assert (first["refund"]["amount_usd"], first["credit"]["amount_usd"], first["escalation_flag"]) == (18.0, 5.0, False)
    assert body["items"][0]["report"]["valid"] is False and body["items"][0]["report"]["escalation_flag"] is True
    status, summary = call(app_url + "/api/summary")
    assert summary["by_status"] == {"pending": 4, "in_progress": 0, "resolved": 0} and summary["escalated"] == 2
    status, detail = call(app_url + "/api/reports/r-1")
    assert [h["support_request_id"] for h in detail["history"]] == ["r-2"]  # the same user's other request
    assert detail["actions"] == [] and detail["replies"] == [] and detail["rating"] is None


def test_a_refund_and_a_credit_are_applied_once_each(app_url, postgres, database):
    headers = {"X-Forwarded-Email": "ana@caspers.example"}
    status, body = call(app_url + "/api/reports/r-1/actions", "POST", {"action_type": "apply_refund", "amount_usd": 18},
                        headers)
    assert status == 201 and body["actor"] == "ana@caspers.example"
    status, body = call(app_url + "/api/reports/r-1/actions", "POST", {"action_type": "apply_refund", "amount_usd": 5})
    assert status == 409 and body["error"]["code"] == "ALREADY_APPLIED" and "ana@caspers.example" in body["error"]["message"]
    assert call(app_url + "/api/reports/r-1/actions", "POST", {"action_type": "apply_credit", "amount_usd": 5})[0] == 201
    assert rows(postgres, database, "SELECT action_type, amount_usd FROM support.operator_actions ORDER BY 1") == [
        ("apply_credit", 5), ("apply_refund", 18)]
    status, detail = call(app_url + "/api/reports/r-1")
    assert detail["status"] == "in_progress" and len(detail["actions"]) == 2

    results = []
    threads = [threading.Thread(target=lambda: results.append(call(
        app_url + "/api/reports/r-2/actions", "POST", {"action_type": "apply_credit", "amount_usd": 2})[0]))
        for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [201] + [409] * 5
    assert rows(postgres, database, "SELECT count(*) FROM support.operator_actions WHERE support_request_id = 'r-2'") == [(1,)]


def test_a_reply_resolves_the_request_and_a_rating_is_one_per_request(app_url, postgres, database):
    status, body = call(app_url + "/api/reports/r-2/replies", "POST", {"message_text": "  We credited you 2.00.  ",
                                                                      "apply": "nothing", "reply_token": "tok-r2-1"})
    assert status == 201 and body["message_text"] == "We credited you 2.00."
    assert call(app_url + "/api/reports?status=resolved")[1]["items"][0]["support_request_id"] == "r-2"
    for rating in ("thumbs_down", "thumbs_up"):
        assert call(app_url + "/api/reports/r-2/rating", "POST", {"rating": rating, "reason_code": "poor_tone"})[0] == 200
    assert rows(postgres, database, "SELECT rating, reason_code FROM support.response_ratings") == [("thumbs_up",
                                                                                                  "poor_tone")]
    status, detail = call(app_url + "/api/reports/r-2")
    assert detail["replies"][0]["message_text"] == "We credited you 2.00." and detail["rating"]["rating"] == "thumbs_up"
    assert [a["action_type"] for a in detail["actions"]] == ["send_reply"]


@pytest.mark.parametrize("path, body, status, message", [
    ("/api/reports/r-1/actions", {"action_type": "apply_refund", "amount_usd": -3}, 422, "amount_usd"),
    ("/api/reports/r-1/actions", {"action_type": "apply_refund", "amount_usd": 0}, 422, "amount_usd"),
    ("/api/reports/r-1/actions", {"action_type": "apply_refund", "amount_usd": 900}, 422,
     "at most 40.00 (the order's total)"),
    ("/api/reports/r-1/actions", {"action_type": "apply_refund", "amount_usd": 25}, 403,
     "more than the report's refund of 18.00"),
    ("/api/reports/r-4/actions", {"action_type": "apply_refund", "amount_usd": 600}, 422,
     "the order's total is not known"),
    ("/api/reports/r-1/actions", {"action_type": "send_cash", "amount_usd": 3}, 422, "action_type"),
    ("/api/reports/r-1/actions", {"action_type": "apply_credit", "amount_usd": 3, "extra": 1}, 422, "extra"),
    ("/api/reports/r-9/actions", {"action_type": "apply_credit", "amount_usd": 3}, 404, "no report for support request r-9"),
    ("/api/reports/r-1/replies", {"message_text": "   ", "apply": "nothing", "reply_token": "tok-12345"}, 422,
     "write the reply first"),
    ("/api/reports/r-1/replies", {"message_text": "Hello", "apply": "nothing"}, 422, "reply_token"),
    ("/api/reports/r-1/replies", {"message_text": "Hello\x00", "apply": "nothing", "reply_token": "tok-12345"}, 422,
     "U+0000"),
    ("/api/reports/r-1/replies", {"message_text": "We have applied a $18.00 refund.", "apply": "nothing",
                                  "reply_token": "tok-12345"}, 422, "says a $18.00 refund was given, but no refund"),
    ("/api/reports/r-1/rating", {"rating": "meh"}, 422, "rating"),
    ("/api/reports/r-1/rating", {"rating": "thumbs_down"}, 422, "reason_code: say what was wrong"),
    ("/api/reports/r-1/rating", {"rating": "thumbs_down", "reason_code": "tone"}, 422, "reason_code"),
    ("/api/reports/r-1/rating", {"rating": "thumbs_up", "feedback_notes": "\x1b[2Jcleared"}, 422, "U+001B"),
    *((f"/api/reports/{i.replace(' ', '%20').replace(';', '%3B').replace(chr(39), '%27')}/rating",
       {"rating": "thumbs_up"}, 422, "letters, digits") for i in INJECTIONS),
])
def test_bad_input_is_a_json_error_and_writes_nothing(app_url, postgres, database, path, body, status, message):
    got, answer = call(app_url + path, "POST", body)
    assert got == status and message in answer["error"]["message"], answer
    for table in ("operator_actions", "support_replies", "response_ratings", "request_status"):
        assert rows(postgres, database, f"SELECT count(*) FROM support.{table}") == [(0,)]


def test_regenerate_asks_the_agent_and_keeps_the_old_report_when_the_new_one_is_unreadable(postgres, database, fake):  # noqa: F811
    from databricks.sdk import WorkspaceClient

    from support_console.app import create_app

    # The endpoint's script: a case that says it is abusive is escalated, any other gets a $4 credit
    # (the decision is this script's, never the local workspace's; the console must send the case).
    ids = r'"order_id": "([^"]+)".*"support_request_id": "([^"]+)".*"user_id": "([^"]+)"'
    configure(fake, scripted_agents={"support_agent": [
        script.rule(r'"edge_case_type": "abusive_language".*' + ids,
                    script.say(support_report("{2}", 0.0, 0.0, escalate=True, user="{3}", order="{1}"))),
        script.rule(ids, script.say(support_report("{2}", 0.0, 4.0, user="{3}", order="{1}")))]})
    fake.store.put("serving_endpoints", "support_agent", {"name": "support_agent"})
    with served(create_app(settings_for(postgres, database), workspace=WorkspaceClient())) as url:
        status, body = call(url + "/api/reports/r-4/regenerate", "POST", {"operator_context": "A regular: be kind."})
        assert status == 201 and body["regenerated"] is True and body["report"]["valid"] is True
        assert [r["operator_context"] for r in body["regenerations"]] == ["A regular: be kind."]
        assert body["report"]["credit"]["amount_usd"] == 4.0 and body["report"]["escalation_flag"] is False
        status, body = call(url + "/api/reports/r-3/regenerate", "POST")  # no body; the case as sent: its edge case
        assert status == 201 and body["report"]["escalation_flag"] is True
        add_fault(fake, kind="serving_invocations", op="invoke", mode="garbage", times=1)
        status, answer = call(url + "/api/reports/r-1/regenerate", "POST", {})
        assert status == 502 and "not a support report" in answer["error"]["message"]
        assert call(url + "/api/reports/r-1")[1]["report"]["refund"]["amount_usd"] == 18.0
    assert rows(postgres, database, "SELECT support_request_id FROM support.operator_regenerated_reports "
                                    "ORDER BY regen_id") == [("r-4",), ("r-3",)]


def test_an_unreachable_database_is_a_503_and_the_page_still_loads(postgres, database):
    from support_console.app import create_app

    from compiler.ops.local_postgres import free_port

    with served(create_app(settings_for(postgres, database, pg_port=free_port()))) as url:
        status, body = call(url + "/api/reports")
        assert status == 503 and body["error"]["code"] == "DATABASE_UNAVAILABLE" and "Traceback" not in str(body)
        status, page = call(url + "/")
        assert status == 200 and "Support Console" in page


def test_a_reply_applies_the_recommended_offers_or_nothing_and_says_only_what_is_true(app_url, postgres, database):
    detail = call(app_url + "/api/reports/r-1")[1]
    texts = detail["reply_texts"]
    assert texts["recommended"].startswith(f"Sorry, {detail['customer']}.") and "user-001" not in texts["recommended"]
    assert "$18.00 refund" in texts["recommended"] and "$" not in texts["nothing"]
    status, answer = call(app_url + "/api/reports/r-1/replies", "POST", {  # the offers, not applied: refused
        "message_text": texts["recommended"], "apply": "nothing", "reply_token": "tok-r1-a"})
    assert status == 422 and answer["error"]["code"] == "UNTRUE_REPLY"
    status, sent = call(app_url + "/api/reports/r-1/replies", "POST", {
        "message_text": texts["recommended"], "apply": "recommended", "reply_token": "tok-r1-b"},
        {"X-Forwarded-Email": "ana@caspers.example"})
    assert status == 201 and sent["applied"] == {"refund": 18.0, "credit": 5.0} and sent["status"] == "resolved"
    assert rows(postgres, database, "SELECT action_type, amount_usd::float, actor FROM support.operator_actions "
                                    "ORDER BY action_id") == [("apply_refund", 18.0, "ana@caspers.example"),
                                                              ("apply_credit", 5.0, "ana@caspers.example"),
                                                              ("send_reply", None, "ana@caspers.example")]
    detail = call(app_url + "/api/reports/r-1")[1]  # the sent text is there to read
    assert detail["status"] == "resolved" and [r["message_text"] for r in detail["replies"]] == [texts["recommended"]]

    nothing = call(app_url + "/api/reports/r-2")[1]["reply_texts"]["nothing"]
    status, sent = call(app_url + "/api/reports/r-2/replies", "POST", {
        "message_text": nothing, "apply": "nothing", "reply_token": "tok-r2-a"})
    assert status == 201 and sent["applied"] == {}
    assert rows(postgres, database, "SELECT count(*) FROM support.operator_actions WHERE support_request_id = 'r-2' "
                                    "AND action_type <> 'send_reply'") == [(0,)]


def test_a_double_submitted_reply_is_sent_once(app_url, postgres, database):
    body = {"message_text": "Thanks, we are on it.", "apply": "nothing", "reply_token": "tok-double-1"}
    first, again = call(app_url + "/api/reports/r-2/replies", "POST", body), call(
        app_url + "/api/reports/r-2/replies", "POST", body)
    assert first[0] == 201 and again[0] == 200 and again[1]["duplicate"] is True
    assert again[1]["message_text"] == first[1]["message_text"]
    results, barrier = [], threading.Barrier(6)  # a burst of clicks on one prepared reply

    def click():
        barrier.wait()
        results.append(call(app_url + "/api/reports/r-1/replies", "POST", {
            "message_text": "A $18.00 refund is on its way.", "apply": "recommended", "reply_token": "tok-double-2"}))

    threads = [threading.Thread(target=click) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(status for status, _ in results) == [200] * 5 + [201]
    assert rows(postgres, database, "SELECT support_request_id, count(*) FROM support.support_replies "
                                    "GROUP BY 1 ORDER BY 1") == [("r-1", 1), ("r-2", 1)]
    assert rows(postgres, database, "SELECT action_type, count(*) FROM support.operator_actions WHERE "
                                    "support_request_id = 'r-1' GROUP BY 1 ORDER BY 1") == [
        ("apply_credit", 1), ("apply_refund", 1), ("send_reply", 1)]


def test_the_list_is_paged_newest_first_and_searchable(app_url, postgres, database):
    with psycopg.connect(host="127.0.0.1", port=postgres.port, user="caspers", dbname=database,
                         autocommit=True) as conn:
        conn.execute("INSERT INTO support.support_agent_reports_sync SELECT 'm-' || i, 'user-0' || (i %% 9), "
                     "'M' || i, 'Request number ' || i || ' (50%% off_please)', now() - make_interval(hours => i), "
                     "%s, NULL FROM generate_series(1, 56) i", (support_report("m", 1.0, 1.0),))
    seen, after, pages = [], None, 0
    while True:
        status, page = call(app_url + "/api/reports?limit=25" + (f"&after={after}" if after else ""))
        assert status == 200 and page["total"] == 60
        seen += [i["support_request_id"] for i in page["items"]]
        pages, after = pages + 1, page["next"]
        if not after:
            break
    assert pages == 3 and len(seen) == len(set(seen)) == 60
    assert seen[:5] == ["r-4", "r-3", "r-2", "r-1", "m-1"] and seen[-1] == "m-56"  # newest first
    assert [i["support_request_id"] for i in call(app_url + "/api/reports?q=charged")[1]["items"]] == ["r-2"]
    assert call(app_url + "/api/reports?q=user-002")[1]["total"] == 1
    assert call(app_url + "/api/reports?q=50%25%20off_please")[1]["total"] == 56  # % and _ are literal
    assert call(app_url + "/api/reports?q=50%25%25")[1]["total"] == 0
    assert call(app_url + "/api/reports?q=%00")[0] == 422 and call(app_url + "/api/reports?after=xyz")[0] == 422
    status, pending = call(app_url + "/api/reports?status=resolved&q=request")
    assert status == 200 and pending["total"] == 0 and pending["next"] is None
