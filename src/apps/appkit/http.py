"""The apps' HTTP side. JSON errors: every error is `{"error": {"code", "message"}}` with a status
that says whose problem it is, and no stack trace reaches the user (it goes to the app's log). The
app itself: its database's lifespan, its page and files, and who is acting."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException


def error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}, **extra}, status_code=status)


def install_handlers(app: FastAPI, log: logging.Logger,
                     handlers: dict[type[BaseException], Callable[[BaseException], JSONResponse]]) -> None:
    """The app's own exceptions (`handlers`: type -> response), then the common ones: validation (422),
    HTTP errors, and anything else (500, logged)."""
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
        return error(exc.status_code, "NOT_FOUND" if exc.status_code == 404 else "HTTP_ERROR", str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error(500, "INTERNAL", "unexpected error; the app's log has the details")


KIT = Path(__file__).parent / "static"  # the apps' shared look and page helpers


def app_with_database(title: str, static: Path, log: logging.Logger, state: dict, settings: Any,
                      load_settings: Callable[[], Any], pool: Any, open_pool: Callable[[Any], Any],
                      make_store: Callable[[Any, Any], Any], prepare: Callable[[Any], None]) -> FastAPI:
    """A FastAPI app whose start puts `settings` (or `load_settings()`), a store over `pool` (or
    over `open_pool(settings)`, closed at the end) into `state`, and prepares the store's tables
    (a database not reachable yet only logs: the first request says it again, the page stays up);
    with the page at / and its files under /static and /kit."""
    from contextlib import asynccontextmanager

    from fastapi.responses import FileResponse
    from fastapi.staticfiles import StaticFiles

    from .postgres import Unavailable

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        current = settings or load_settings()
        opened = pool or open_pool(current)
        if pool is None:
            opened.open(wait=False)
        state["settings"], state["store"] = current, make_store(opened, current)
        try:
            prepare(state["store"])
        except Unavailable as err:
            log.warning("tables not created at start: %s", err)
        yield
        if pool is None:
            opened.close()

    app = FastAPI(title=title, lifespan=lifespan, docs_url=None, redoc_url=None)

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(static / "index.html")

    app.mount("/static", StaticFiles(directory=static), name="static")
    app.mount("/kit", StaticFiles(directory=KIT), name="kit")
    return app


def actor(request: Request, fallback: str) -> str:
    """Who acts: the identity Databricks Apps forwards, else `fallback` (local runs); at most 200 chars."""
    who = request.headers.get("x-forwarded-email") or request.headers.get("x-forwarded-preferred-username")
    return (who or fallback)[:200]
