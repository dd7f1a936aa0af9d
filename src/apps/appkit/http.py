"""The apps' HTTP side. JSON errors: every error is `{"error": {"code", "message"}}` with a status
that says whose problem it is, and no stack trace reaches the user (it goes to the app's log). The
app itself: its database's lifespan, the front door (security.py), the health check, who is acting,
its page and files."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from .fields import BadCursor
from .identity import Identity, current

HTTP_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "TOO_LARGE"}


class Refused(Exception):
    """A request the app's rules refuse: its status (403, 409, 422...), code and message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code = status, code


def error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}, **extra}, status_code=status)


def install_handlers(app: FastAPI, log: logging.Logger,
                     handlers: dict[type[BaseException], Callable[[BaseException], JSONResponse]]) -> None:
    """The app's own exceptions (`handlers`: type -> response), then the common ones: validation (422),
    HTTP errors, and anything else (500, logged)."""
    handlers = {BadCursor: lambda exc: error(422, "INVALID_REQUEST", str(exc)),
                Refused: lambda exc: error(exc.status, exc.code, str(exc)), **handlers}
    for kind, respond in handlers.items():
        app.add_exception_handler(kind, lambda request, exc, respond=respond: respond(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for item in exc.errors():
            where = ".".join(str(p) for p in item.get("loc", ())[1:]) or "body"
            parts.append(f"{where}: {item.get('msg', 'invalid')}")
        return error(422, "INVALID_REQUEST", "; ".join(parts) or "invalid request")

    @app.exception_handler(HTTPException)
    async def http(request: Request, exc: HTTPException) -> JSONResponse:
        return error(exc.status_code, HTTP_CODES.get(exc.status_code, "HTTP_ERROR"), str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error(500, "INTERNAL", "unexpected error; the app's log has the details")


KIT = Path(__file__).parent / "static"  # the apps' shared look and page helpers
MAX_BODY_BYTES = 64 * 1024  # the API's largest body (a 4,000-character reply) fits many times over


def app_with_database(title: str, static: Path, log: logging.Logger, state: dict, settings: Any,
                      load_settings: Callable[[], Any], pool: Any, open_pool: Callable[[Any], Any],
                      make_store: Callable[[Any, Any], Any]) -> FastAPI:
    """A FastAPI app whose start puts `settings` (or `load_settings()`) and a store over `pool` (or
    over `open_pool(settings)`, closed at the end) into `state`, and prepares the store's tables (a
    database not reachable yet only logs: the first request prepares them, the page stays up); with
    the front door (security.py), /healthz, /api/me, the page at / and its files under /static, /kit."""
    from contextlib import asynccontextmanager

    from fastapi.responses import FileResponse
    from fastapi.staticfiles import StaticFiles

    from . import security
    from .postgres import Unavailable

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        current_settings = settings or load_settings()
        opened = pool or open_pool(current_settings)
        if pool is None:
            opened.open(wait=False)
        state["settings"], state["store"] = current_settings, make_store(opened, current_settings)
        if current_settings.local:
            log.warning("LOCAL MODE: requests without an identity act as %r", current_settings.local_user)
        try:
            state["store"].db.prepare()
        except Unavailable as err:
            log.warning("tables not created at start (the first request tries again): %s", err)
        yield
        if pool is None:
            opened.close()

    app = FastAPI(title=title, lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    security.install(app, lambda: state["settings"], MAX_BODY_BYTES)

    @app.get("/healthz")
    @app.get("/api/health")
    def health() -> JSONResponse:
        try:
            state["store"].db.ping()
        except Unavailable as err:
            return JSONResponse({"status": "unavailable", "database": "unreachable", "message": str(err)},
                                status_code=503)
        return JSONResponse({"status": "ok", "database": "reachable"})

    @app.get("/api/me")
    def me(request: Request) -> dict:
        """Who the page acts as, and whether that is the local mode's stand-in (the page shows it)."""
        return {**actor(request).as_dict(), "mode": state["settings"].mode,
                "approval_threshold_usd": state["settings"].approval_threshold_usd}

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(static / "index.html")

    app.mount("/static", StaticFiles(directory=static), name="static")
    app.mount("/kit", StaticFiles(directory=KIT), name="kit")
    return app


def actor(request: Request) -> Identity:
    """Who acts (identity.py), as the front door found it."""
    return current(request)
