"""The Refund Manager's API against a real PostgreSQL 15 (a throwaway server, `initdb` in a temporary
folder) and, for order timelines, the stand-in's warehouse: decisions written, constraints enforced,
one decision per order under concurrency, and every bad input a clear JSON error with nothing written."""

from __future__ import annotations

import threading
from decimal import Decimal

import psycopg
import pytest

from .conftest import local_postgres
from .fake_env import add_fault, configure, fake, warehouse_config  # noqa: F401  (fixtures)
from .refund_app import call, load, recommendation, served

ORDERS = [("A100", recommendation("full", 31.5, "Delivered 95 minutes late."), 31.5),  # with the order's total
          ("A101", recommendation("partial", 6.25, "Later than most."), 25.0),
          ("A102", recommendation("none", 0, "On time."), 18.0),
          ("A103", "Sure! I think a refund is fair.", 40.0),  # what a bad agent answer looks like
          ("A104", recommendation("partial", 4.0), 16.0)]
INJECTIONS = ["x' OR '1'='1", "1; DROP TABLE refunds.refund_decisions; --", "\"; DELETE FROM recommender.x; --"]


@pytest.fixture(scope="module")
def postgres():
    yield from local_postgres()


@pytest.fixture
def database(postgres, request):
    name = "t_" + request.node.name.lower()[:40].replace("[", "_").replace("]", "_").replace("-", "_")
    postgres.create_database(name)
    with psycopg.connect(host="127.0.0.1", port=postgres.port, user="caspers", dbname=name, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS refunds CASCADE; DROP SCHEMA IF EXISTS recommender CASCADE")
        load(conn, ORDERS)
    return name


def settings_for(postgres, database, **changes):
    from refund_manager.settings import Settings

    values = dict(pg_host="127.0.0.1", pg_port=postgres.port, pg_database=database, pg_user="caspers",
                  pg_sslmode="disable", pg_password="", warehouse_id="wh-none", events_table="cat.lakeflow.all_events",
                  mode="local")
    values.update(changes)
    return Settings(**values)


@pytest.fixture
def app_url(postgres, database):
    from refund_manager.app import create_app

    with served(create_app(settings_for(postgres, database))) as url:
        yield url


def rows(postgres, database, sql="SELECT order_id, amount_usd, refund_class, decided_by FROM refunds.refund_decisions"):
    with psycopg.connect(host="127.0.0.1", port=postgres.port, user="caspers", dbname=database) as conn:
        return conn.execute(sql).fetchall()


def test_a_decision_is_written_and_moves_the_order_from_pending_to_decided(app_url, postgres, database):
    status, summary = call(app_url + "/api/summary")
    assert status == 200 and summary == {
        "recommendations": 5, "pending": 5, "decided": 0, "refunded_usd": 0.0, "suggested_usd": 41.75, "zero_usd": 1,
        "by_class": {"none": 1, "partial": 2, "full": 1, "error": 1}}
    status, listing = call(app_url + "/api/recommendations")  # newest first; the $0 recommendation left out
    assert [i["order_id"] for i in listing["items"]] == ["A104", "A103", "A101", "A100"] and listing["total"] == 4
    assert listing["items"][1]["recommendation"] == {"refund_usd": 0.0, "refund_class": "error",
                                                     "reason": "the recommendation could not be read"}
    assert listing["items"][0]["order_total_usd"] == 16.0
    everything = call(app_url + "/api/recommendations?include_zero=true")[1]
    assert [i["order_id"] for i in everything["items"]] == ["A104", "A103", "A102", "A101", "A100"]

    status, decided = call(app_url + "/api/refunds", "POST", {"order_id": "A100", "amount_usd": 31.5,
                                                             "refund_class": "full", "reason": "Agreed."},
                           headers={"X-Forwarded-Email": "ops@caspers.example"})
    assert status == 201 and decided["decided_by"] == "ops@caspers.example" and decided["amount_usd"] == 31.5
    assert rows(postgres, database) == [("A100", Decimal("31.50"), "full", "ops@caspers.example")]
    suggestion = rows(postgres, database, "SELECT source_suggestion FROM refunds.refund_decisions")[0][0]
    assert suggestion == {"refund_usd": 31.5, "refund_class": "full", "reason": "Delivered 95 minutes late."}
    assert [i["order_id"] for i in call(app_url + "/api/recommendations")[1]["items"]] == ["A104", "A103", "A101"]
    decided_list = call(app_url + "/api/recommendations?status=decided")[1]["items"]
    assert [(i["order_id"], i["decision"]["refund_class"]) for i in decided_list] == [("A100", "full")]
    assert call(app_url + "/api/summary")[1]["refunded_usd"] == 31.5
    status, local = call(app_url + "/api/refunds", "POST", {"order_id": "A102", "amount_usd": 0,
                                                           "refund_class": "none", "reason": "On time."})
    assert status == 201 and local["decided_by"] == "local user"  # no identity header: a local run


def test_the_table_itself_refuses_what_the_api_refuses(app_url, postgres, database):
    insert = ("INSERT INTO refunds.refund_decisions (order_id, amount_usd, refund_class, reason, decided_by) "
              "VALUES (%s, %s, %s, 'r', 'me')")
    with psycopg.connect(host="127.0.0.1", port=postgres.port, user="caspers", dbname=database) as conn:
        for values, error in [(("A100", -1, "full"), psycopg.errors.CheckViolation),
                              (("A100", 1, "some"), psycopg.errors.CheckViolation),
                              (("A100", 12345678901, "full"), psycopg.errors.NumericValueOutOfRange)]:
            with pytest.raises(error):
                conn.execute(insert, values)
            conn.rollback()
        conn.execute(insert, ("A101", 2, "partial"))
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(insert, ("A101", 3, "partial"))


def test_concurrent_decisions_on_one_order_one_wins_the_others_are_told(app_url, postgres, database):
    results, barrier = [], threading.Barrier(8)

    def decide(i):
        barrier.wait()
        results.append(call(app_url + "/api/refunds", "POST", {"order_id": "A101", "amount_usd": 1 + i,
                                                              "refund_class": "partial", "reason": f"try {i}"},
                            headers={"X-Forwarded-Email": f"person{i}@caspers.example"}))

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * 7
    winner = next(body for status, body in results if status == 201)
    for status, body in results:
        if status == 409:
            assert body["error"]["code"] == "ALREADY_DECIDED" and body["decision"] == winner
            assert f"already decided by {winner['decided_by']}" in body["error"]["message"]
    assert len(rows(postgres, database)) == 1


@pytest.mark.parametrize("body, status, message", [
    ({"order_id": "A101", "amount_usd": -5, "refund_class": "partial", "reason": "x"}, 422, "greater than or equal to 0"),
    ({"order_id": "A101", "amount_usd": 1e9, "refund_class": "partial", "reason": "x"}, 422, "amount_usd"),
    ({"order_id": "A101", "amount_usd": 600, "refund_class": "full", "reason": "x"}, 422, "at most 25.00 (the order's total)"),
    ({"order_id": "A101", "amount_usd": 25, "refund_class": "partial", "reason": "x"}, 422, "less than the order's total"),
    ({"order_id": "A100", "amount_usd": 30, "refund_class": "full", "reason": "x"}, 422, "a full refund is the order's total, 31.50"),
    ({"order_id": "A101", "amount_usd": 25, "refund_class": "full", "reason": "x"}, 403, "beyond the recommendation (partial)"),
    ({"order_id": "A103", "amount_usd": 5, "refund_class": "partial", "reason": "x"}, 403, "beyond the recommendation (error)"),
    ({"order_id": "A101", "amount_usd": 5, "refund_class": "partial", "reason": "late\x00"}, 422, "U+0000"),
    ({"order_id": "A101", "amount_usd": 5, "refund_class": "partial", "reason": "\x1b[31mred"}, 422, "U+001B"),
    ({"order_id": "A101", "amount_usd": 5, "refund_class": "partial", "reason": "bell\x07"}, 422, "U+0007"),
    ({"order_id": "A101", "amount_usd": 5, "refund_class": "partial", "reason": "c1\x9b"}, 422, "U+009B"),
    ({"order_id": "A101", "amount_usd": 1.234, "refund_class": "partial", "reason": "x"}, 422, "decimal places"),
    ({"order_id": "A101", "amount_usd": 5, "refund_class": "none", "reason": "x"}, 422, "class none refunds 0"),
    ({"order_id": "A101", "amount_usd": 0, "refund_class": "full", "reason": "x"}, 422, "more than 0"),
    ({"order_id": "A101", "amount_usd": 5, "refund_class": "generous", "reason": "x"}, 422, "refund_class"),
    ({"order_id": "A101", "amount_usd": 5, "refund_class": "partial", "reason": ""}, 422, "reason"),
    ({"order_id": "A101", "amount_usd": 5, "refund_class": "partial", "reason": "x", "admin": True}, 422, "admin"),
    ({"order_id": "NOPE1", "amount_usd": 5, "refund_class": "partial", "reason": "x"}, 404, "no recommendation for order NOPE1"),
    *[({"order_id": s, "amount_usd": 5, "refund_class": "partial", "reason": "x"}, 422, "order_id") for s in INJECTIONS],
    *[({"order_id": "A101", "amount_usd": s, "refund_class": "partial", "reason": "x"}, 422, "amount_usd")
      for s in INJECTIONS],
    *[({"order_id": "A101", "amount_usd": 5, "refund_class": s, "reason": "x"}, 422, "refund_class") for s in INJECTIONS],
])
def test_bad_decisions_are_clear_json_errors_and_write_nothing(app_url, postgres, database, body, status, message):
    got, answer = call(app_url + "/api/refunds", "POST", body)
    assert got == status and message in answer["error"]["message"], answer
    assert "Traceback" not in str(answer) and rows(postgres, database) == []


def test_injection_in_free_text_is_stored_as_text_and_harms_nothing(app_url, postgres, database):
    for i, text in enumerate(INJECTIONS):
        order = ["A101", "A104", "A100"][i]
        kind, usd = ("full", 31.5) if order == "A100" else ("partial", 2)
        status, _ = call(app_url + "/api/refunds", "POST", {"order_id": order, "amount_usd": usd, "refund_class": kind,
                                                            "reason": text}, headers={"X-Forwarded-Email": text})
        assert status == 201
    stored = rows(postgres, database, "SELECT reason, decided_by FROM refunds.refund_decisions ORDER BY id")
    assert stored == [(t, t) for t in INJECTIONS]  # verbatim: parameters, never spliced
    assert call(app_url + "/api/summary")[1]["recommendations"] == 5  # both tables intact
    assert call(app_url + "/api/recommendations?status=nope")[0] == 422
    assert call(app_url + "/api/recommendations?limit=100000")[0] == 422


def test_an_unreachable_database_is_a_503_not_a_trace(postgres, database):
    from compiler.ops.local_postgres import free_port
    from refund_manager.app import create_app

    with served(create_app(settings_for(postgres, database, pg_port=free_port()))) as url:
        status, body = call(url + "/api/summary")
        assert status == 503 and body["error"]["code"] == "DATABASE_UNAVAILABLE"
        assert "cannot be reached" in body["error"]["message"] and "Traceback" not in str(body)
        status, body = call(url + "/api/refunds", "POST", {"order_id": "A101", "amount_usd": 2,
                                                          "refund_class": "partial", "reason": "x"})
        assert status == 503
        status, page = call(url + "/")
        assert status == 200 and "Refund Manager" in page  # the page itself stays up and says why


def test_an_expired_token_is_a_503_and_a_fresh_one_is_asked_per_connection(postgres, database):
    from refund_manager import db
    from refund_manager.app import create_app

    with psycopg.connect(host="127.0.0.1", port=postgres.port, user="caspers", dbname=database,
                         autocommit=True) as conn:
        conn.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'app') THEN "
                     "CREATE ROLE app LOGIN PASSWORD 'token-2'; END IF; END $$")
        conn.execute(f'GRANT ALL ON DATABASE "{database}" TO app')
        conn.execute("GRANT ALL ON SCHEMA recommender TO app; GRANT SELECT ON ALL TABLES IN SCHEMA recommender TO app")
        hba = conn.execute("SHOW hba_file").fetchone()[0]
        text = open(hba).read()
        if "host all app" not in text:
            open(hba, "w").write("host all app 127.0.0.1/32 scram-sha-256\n" + text)
        conn.execute("SELECT pg_reload_conf()")
    tokens = iter(["token-1-expired", "token-2", "token-2"])
    settings = settings_for(postgres, database, pg_user="app", pg_password=None)
    pool = db.open_pool(settings, token=lambda: next(tokens))
    pool.open(wait=False)
    try:
        with served(create_app(settings, pool=pool)) as url:
            status, body = call(url + "/api/summary")
            if status == 503:  # the start-up schema creation took the expired token; this one asks again
                assert "refused the app's credentials" in body["error"]["message"]
                status, body = call(url + "/api/summary")
            assert status == 200 and body["recommendations"] == 5
    finally:
        pool.close()


def test_the_timeline_comes_through_the_warehouse(postgres, database, fake):  # noqa: F811
    from databricks.sdk import WorkspaceClient
    from refund_manager.app import create_app

    from .dataset import delivered_orders, shared_dataset

    configure(fake, sql=warehouse_config("cat", shared_dataset()))
    w = WorkspaceClient()
    warehouse = w.warehouses.create(name="cat-warehouse").response.id
    order = delivered_orders(days=2)[0]
    with served(create_app(settings_for(postgres, database, warehouse_id=warehouse), workspace=w)) as url:
        status, body = call(url + f"/api/orders/{order}/events")
        assert status == 200 and body["order_id"] == order
        kinds = [e["event_type"] for e in body["events"]]
        assert kinds[0] == "order_created" and kinds[-1] == "delivered" and "driver_ping" not in kinds
        times = [e["ts"] for e in body["events"]]
        assert times == sorted(times)  # in time order (a driver may arrive before the food is ready)
        assert sorted(int(e["sequence"]) for e in body["events"])[:6] == [0, 1, 2, 3, 4, 5]
        assert call(url + "/api/orders/ZZZZZZ/events")[0] == 404
        assert call(url + "/api/orders/x'%20OR%20'1'='1/events")[0] == 422
        add_fault(fake, kind="statements", op="execute", mode="500")
        status, body = call(url + f"/api/orders/{order}/events")
        assert status == 502 and body["error"]["code"] == "WAREHOUSE_ERROR" and "Traceback" not in str(body)


def test_settings_come_from_the_apps_resources_and_are_checked():
    from refund_manager.settings import SettingsError, from_env

    env = {"PGHOST": "instance.database.example", "PGDATABASE": "caspers", "PGUSER": "sp-123",
           "DATABRICKS_WAREHOUSE_ID": "abc", "EVENTS_TABLE": "my-cat.lakeflow.all_events"}
    settings = from_env(env)
    assert (settings.pg_port, settings.pg_sslmode, settings.pg_password) == (5432, "require", None)  # the token
    assert settings.events_sql_name == "`my-cat`.`lakeflow`.`all_events`"
    with pytest.raises(SettingsError, match="needs PGHOST, DATABRICKS_WAREHOUSE_ID"):
        from_env({"PGDATABASE": "d", "PGUSER": "u", "EVENTS_TABLE": "a.b.c"})
    with pytest.raises(SettingsError, match="EVENTS_TABLE must be 3 dot-separated names"):
        from_env({**env, "EVENTS_TABLE": "a.b.c`; DROP"})


def test_an_approver_may_go_beyond_the_recommendation_and_the_threshold(postgres, database):
    from refund_manager.app import create_app

    boss = {"X-Forwarded-Email": "Boss@caspers.example"}
    settings = settings_for(postgres, database, approvers=("boss@caspers.example",), approval_threshold_usd=20.0)
    with served(create_app(settings)) as url:
        full = {"order_id": "A101", "amount_usd": 25, "refund_class": "full", "reason": "A regular."}
        status, body = call(url + "/api/refunds", "POST", full, {"X-Forwarded-Email": "ana@caspers.example"})
        assert status == 403 and body["error"]["code"] == "APPROVAL_REQUIRED" and "above the approval" in body[
            "error"]["message"]
        assert call(url + "/api/me", headers=boss)[1]["approver"] is True
        status, body = call(url + "/api/refunds", "POST", full, boss)
        assert status == 201 and body["approved"] is True and body["decided_by"] == "Boss@caspers.example"
        status, body = call(url + "/api/refunds", "POST", {"order_id": "A104", "amount_usd": 4, "refund_class":
                                                          "partial", "reason": "As suggested."})
        assert status == 201 and body["approved"] is False
    assert rows(postgres, database, "SELECT order_id, order_total_usd::float, approved, decided_ts IS NOT NULL "
                                    "FROM refunds.refund_decisions ORDER BY id") == [("A101", 25.0, True, True),
                                                                                     ("A104", 16.0, False, True)]
