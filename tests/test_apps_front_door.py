"""Both apps' front door, through HTTP against a real PostgreSQL 15: every unsafe route refuses a
request that does not come from the app's own page; security headers on every answer; a 20 MB body
refused with 413 before it is read; deployed, no identity is a 401 and only the platform's host is
served; control characters refused; /healthz says whether the database answers; replicas starting
together all start; after a database restart no request fails; a statement waits no longer than
the statement timeout."""

from __future__ import annotations

import http.client
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import psycopg
import pytest

from .conftest import local_postgres
from .refund_app import call, load, recommendation, served
from .support_console import case_payload, load as load_reports, support_report

FOREIGN = [{"Origin": "https://evil.example"}, {"Origin": "null"}, {"Origin": None},
           {"Origin": None, "Sec-Fetch-Site": "cross-site"}, {"Origin": None, "Sec-Fetch-Site": "same-site"},
           {"Origin": "http://127.0.0.1.evil.example"}]
APPS = ("refund_manager", "support_console")


@pytest.fixture(scope="module")
def postgres():
    yield from local_postgres()


def _fresh(postgres, name: str) -> str:
    with psycopg.connect(host="127.0.0.1", port=postgres.port, user="caspers", dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    postgres.create_database(name)
    with psycopg.connect(host="127.0.0.1", port=postgres.port, user="caspers", dbname=name, autocommit=True) as conn:
        load(conn, [("A100", recommendation("full", 31.5), 31.5), ("A101", recommendation("partial", 6.0), 24.0)])
        load_reports(conn, [("r-1", "user-001", "O1", "Late!", support_report("r-1", 9.0, 3.0),
                             case_payload("r-1", "user-001", "O1", "Late!", 30.0))])
    return name


def make(app: str, postgres, database: str, **changes):
    """The app over `database`, in local mode unless `changes` say otherwise."""
    if app == "refund_manager":
        from refund_manager.app import create_app
        from refund_manager.settings import Settings
        extra = {}
    else:
        from support_console.app import create_app
        from support_console.settings import Settings
        extra = {"agent_endpoint": "support_agent"}
    values = dict(pg_host="127.0.0.1", pg_port=postgres.port, pg_database=database, pg_user="caspers",
                  pg_sslmode="disable", pg_password="", warehouse_id="wh", events_table="c.lakeflow.all_events",
                  mode="local", **extra)
    values.update(changes)
    return create_app(Settings(**values))


UNSAFE = {"refund_manager": [("/api/refunds", {"order_id": "A101", "amount_usd": 2, "refund_class": "partial",
                                                "reason": "late"})],
          "support_console": [("/api/reports/r-1/actions", {"action_type": "apply_credit", "amount_usd": 3}),
                              ("/api/reports/r-1/replies", {"message_text": "Hi", "apply": "nothing",
                                                            "reply_token": "tok-12345678"}),
                              ("/api/reports/r-1/rating", {"rating": "thumbs_up"}),
                              ("/api/reports/r-1/regenerate", None)]}  # no body at all


def _written(postgres, database: str) -> int:
    with psycopg.connect(host="127.0.0.1", port=postgres.port, user="caspers", dbname=database) as conn:
        counts = [conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in (
            "refunds.refund_decisions", "support.operator_actions", "support.support_replies",
            "support.response_ratings", "support.operator_regenerated_reports")
            if conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0]]
    return sum(counts)


@pytest.mark.parametrize("app", APPS)
def test_every_unsafe_route_refuses_a_request_not_from_the_apps_page(app, postgres):
    database = _fresh(postgres, f"cross_{app}")
    web = make(app, postgres, database)
    posted = {route.path for route in web.routes if "POST" in getattr(route, "methods", ())}
    assert {p.replace("r-1", "{request_id}") for p, _ in UNSAFE[app]} == posted  # every unsafe route is tried
    with served(web) as url:
        for path, body in UNSAFE[app]:
            for headers in FOREIGN:
                status, answer = call(url + path, "POST", body, headers)
                assert status == 403 and answer["error"]["code"] == "CROSS_ORIGIN", (path, headers, answer)
            for method in ("PUT", "DELETE", "PATCH"):
                assert call(url + path, method, body, {"Origin": "https://evil.example"})[0] == 403
        assert _written(postgres, database) == 0
        path, body = UNSAFE[app][0]  # the page's own: Sec-Fetch-Site, or a same-origin Origin
        assert call(url + path, "POST", body, {"Origin": None, "Sec-Fetch-Site": "same-origin"})[0] == 201
        assert _written(postgres, database) == 1


@pytest.mark.parametrize("app", APPS)
def test_security_headers_are_on_every_answer(app, postgres):
    database = _fresh(postgres, f"headers_{app}")
    with served(make(app, postgres, database)) as url:
        for path, method, body, headers in [("/", "GET", None, {}), ("/api/summary", "GET", None, {}),
                                            ("/kit/kit.js", "GET", None, {}), ("/nope", "GET", None, {}),
                                            (UNSAFE[app][0][0], "POST", {}, {"Origin": "https://evil.example"})]:
            request = urllib.request.Request(url + path, method=method, headers={"Content-Type": "application/json",
                                                                                 **headers},
                                             data=None if body is None else b"{}")
            try:
                response = urllib.request.urlopen(request, timeout=30)
            except urllib.error.HTTPError as err:
                response = err
            got = response.headers
            csp = got["Content-Security-Policy"]
            assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
            assert got["X-Frame-Options"] == "DENY" and got["X-Content-Type-Options"] == "nosniff", path
            assert got["Referrer-Policy"] == "same-origin" and got["Cache-Control"] == "no-store", path


def _rss_kb() -> int:
    return int(open("/proc/self/statm").read().split()[1]) * 4


@pytest.mark.parametrize("app", APPS)
def test_a_20_mb_body_is_a_413_and_is_never_read(app, postgres):
    database = _fresh(postgres, f"big_{app}")
    path = UNSAFE[app][0][0]
    with served(make(app, postgres, database)) as url:
        host, port = urllib.parse.urlsplit(url).netloc.split(":")
        before, started = _rss_kb(), time.monotonic()
        conn = http.client.HTTPConnection(host, int(port), timeout=30)  # announces 20 MB, sends 64 KB of it
        conn.putrequest("POST", path)
        for name, value in (("Content-Type", "application/json"), ("Content-Length", str(20 * 2 ** 20)),
                            ("Origin", url)):
            conn.putheader(name, value)
        conn.endheaders(b"[" + b"[]," * 20_000)
        response = conn.getresponse()
        assert response.status == 413 and b"Too Large" in response.read()  # the framework's own answer
        assert response.getheader("X-Content-Type-Options") == "nosniff"
        conn.close()

        conn = http.client.HTTPConnection(host, int(port), timeout=30)  # no length announced: chunks, counted
        conn.putrequest("POST", path)
        for name, value in (("Content-Type", "application/json"), ("Transfer-Encoding", "chunked"), ("Origin", url)):
            conn.putheader(name, value)
        conn.endheaders()
        chunk = b"[]," * 20_000
        try:
            for _ in range(340):  # 20 MB, unless the server stops listening first
                conn.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        except OSError:
            pass
        response = conn.getresponse()
        assert response.status == 413
        conn.close()
        assert time.monotonic() - started < 10 and _rss_kb() - before < 50_000  # not read, not kept
    assert _written(postgres, database) == 0


@pytest.mark.parametrize("app", APPS)
def test_deployed_only_the_platforms_identity_and_host_count(app, postgres):
    database = _fresh(postgres, f"deployed_{app}")
    platform = "refund-manager-123.aws.databricksapps.com"
    page = {"X-Forwarded-Host": platform, "Origin": f"https://{platform}"}
    with served(make(app, postgres, database, mode="deployed")) as url:
        for path in ("/api/summary", "/", "/api/me"):
            status, body = call(url + path, headers=page)
            assert status == 401 and body["error"]["code"] == "NO_IDENTITY", path
        path, body = UNSAFE[app][0]
        assert call(url + path, "POST", body, page)[0] == 401
        assert _written(postgres, database) == 0
        assert call(url + "/healthz", headers=page)[1] == {"status": "ok", "database": "reachable"}  # probes
        me = call(url + "/api/me", headers={**page, "X-Forwarded-Email": "ana@caspers.example"})[1]
        assert me["user"] == "ana@caspers.example" and me["local_fallback"] is False and me["mode"] == "deployed"
        status, _ = call(url + path, "POST", body, {**page, "X-Forwarded-Email": "ana@caspers.example"})
        assert status == 201
        assert call(url + "/api/me", headers={"X-Forwarded-Host": "evil.example",
                                              "X-Forwarded-Email": "ana@caspers.example"})[0] == 400
        assert call(url + "/api/me", headers={"X-Forwarded-Email": "ana@caspers.example"})[0] == 400  # 127.0.0.1
    with served(make(app, postgres, database)) as url:  # local: the stand-in user, and the page is told
        me = call(url + "/api/me")[1]
        assert me == {"user": "local user", "local_fallback": True, "approver": False, "mode": "local",
                      "approval_threshold_usd": 50.0}
        assert call(url + "/api/me", headers={"Host": "evil.example"})[0] == 400


@pytest.mark.parametrize("app", APPS)
def test_health_says_whether_the_database_answers(app, postgres):
    from compiler.ops.local_postgres import free_port

    database = _fresh(postgres, f"health_{app}")
    with served(make(app, postgres, database)) as url:
        for path in ("/healthz", "/api/health"):
            assert call(url + path) == (200, {"status": "ok", "database": "reachable"})
    with served(make(app, postgres, database, pg_port=free_port())) as url:
        status, body = call(url + "/healthz")
        assert status == 503 and body["database"] == "unreachable" and "cannot be reached" in body["message"]


@pytest.mark.parametrize("app", APPS)
def test_replicas_starting_together_all_start(app, postgres):
    database = _fresh(postgres, f"replicas_{app}")
    with psycopg.connect(host="127.0.0.1", port=postgres.port, user="caspers", dbname=database,
                         autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS refunds CASCADE")  # the app's own tables do not exist yet
        conn.execute("DROP TABLE IF EXISTS support.operator_actions, support.support_replies, support.request_status, "
                     "support.response_ratings, support.operator_regenerated_reports CASCADE")
    from contextlib import ExitStack

    barrier, urls, failures = threading.Barrier(6), [], []

    def start(stack):
        barrier.wait()
        try:
            urls.append(stack.enter_context(served(make(app, postgres, database))))
        except Exception as err:  # noqa: BLE001 - what the test reports
            failures.append(repr(err))

    with ExitStack() as stack:
        threads = [threading.Thread(target=start, args=(stack,)) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert failures == [] and len(urls) == 6
        for url in urls:
            assert call(url + "/healthz")[0] == 200 and call(url + "/api/summary")[0] == 200


def test_after_a_database_restart_no_request_fails(postgres):
    database = _fresh(postgres, "restart")
    with served(make("refund_manager", postgres, database)) as url:
        for _ in range(12):  # fill the pool with connections the restart will kill
            threads = [threading.Thread(target=call, args=(url + "/api/summary",)) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        postgres.stop()
        assert call(url + "/healthz")[0] == 503
        postgres.start()
        answers = [call(url + path) for _ in range(10) for path in ("/api/summary", "/api/recommendations")]
        assert [status for status, _ in answers] == [200] * 20, answers[:2]


def test_a_statement_waits_no_longer_than_the_statement_timeout(postgres):
    database = _fresh(postgres, "timeout")
    with served(make("refund_manager", postgres, database, statement_timeout_ms=300)) as url:
        assert call(url + "/api/summary")[0] == 200
        with psycopg.connect(host="127.0.0.1", port=postgres.port, user="caspers", dbname=database) as blocker:
            blocker.execute("LOCK TABLE recommender.pg_recommendations IN ACCESS EXCLUSIVE MODE")
            started = time.monotonic()
            status, body = call(url + "/api/summary")
            assert status == 503 and "statement timeout" in body["error"]["message"]
            assert time.monotonic() - started < 3
        assert call(url + "/api/summary")[0] == 200
