"""JSON errors for the apps: every error is `{"error": {"code", "message"}}` with a status that says
whose problem it is, and no stack trace reaches the user (it goes to the app's log)."""

from __future__ import annotations

import logging
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
