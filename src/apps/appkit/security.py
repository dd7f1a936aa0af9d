"""The apps' front door, as ASGI middleware around the routes (outermost first):

1. security headers on every response (the `secure` package): a Content-Security-Policy that allows
   only the app's own scripts, styles and calls, frame-ancestors 'none' and X-Frame-Options DENY
   (no framing), nosniff, a same-origin referrer, no caching of answers;
2. trusted hosts (Starlette's TrustedHostMiddleware): deployed, the host is the one the browser asked
   the platform's proxy for (X-Forwarded-Host), which must be a Databricks Apps host; locally,
   127.0.0.1 or localhost (ALLOWED_HOSTS overrides either);
3. same origin for every unsafe method, with a body or not (a JSON API's CSRF defence): the browser's
   `Sec-Fetch-Site: same-origin`, or else an `Origin` equal to the app's own; a foreign or `null`
   Origin, another Sec-Fetch-Site, or neither marker is refused with 403;
4. identity (identity.py): deployed, a request without the platform's identity headers is refused
   with 401, except the health check.

Inside them, Starlette's RequestBodyLimitMiddleware: a body over the limit is a 413, refused on its
announced length before anything is read, or as soon as the bytes received pass the limit (so its
answer carries the headers above too)."""

from __future__ import annotations

from typing import Any, Callable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import JSONResponse

from .identity import SCOPE_KEY, identify

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
OPEN_PATHS = ("/healthz", "/api/health")  # the platform's probes carry no identity


def _refuse(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


class PlatformHost:
    """Trusted hosts, checked on the host the browser asked for: deployed, the platform's proxy puts
    it in X-Forwarded-Host, which then stands for Host (as a proxy-aware server would read it)."""

    def __init__(self, app: Any, settings: Callable[[], Any]):
        self.app, self.settings, self.checked = app, settings, None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        settings = self.settings()
        if self.checked is None:
            self.checked = TrustedHostMiddleware(self.app, allowed_hosts=settings.hosts, www_redirect=False)
        forwarded = Headers(scope=scope).get("x-forwarded-host")
        if forwarded and not settings.local:
            headers = [(k, v) for k, v in scope["headers"] if k not in (b"host", b"x-forwarded-host")]
            scope = {**scope, "headers": headers + [(b"host", forwarded.split(",")[0].strip().encode("latin-1"))]}
        await self.checked(scope, receive, send)


class SameOrigin:
    """403 for an unsafe method that does not come from the app's own page."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            problem = cross_origin_problem(Headers(scope=scope))
            if problem:
                return await _refuse(403, "CROSS_ORIGIN", problem)(scope, receive, send)
        await self.app(scope, receive, send)


def cross_origin_problem(headers: Headers) -> str:
    """Why a state-changing request is not same-origin, or "" when it is."""
    site, origin = headers.get("sec-fetch-site"), headers.get("origin")
    if site:
        return "" if site == "same-origin" else f"refused: a {site} request may not change anything here"
    if not origin:
        return "refused: a request that changes something must come from the app's page (no Origin)"
    parts = urlsplit(origin)
    if origin == "null" or parts.scheme not in ("http", "https") or parts.netloc.lower() != headers.get("host", "").lower():
        return f"refused: a request from {origin[:100]} may not change anything here"
    return ""


class IdentityGate:
    """Puts the acting identity on the request; deployed, 401 when the platform sent none."""

    def __init__(self, app: Any, settings: Callable[[], Any]):
        self.app, self.settings = app, settings

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            who = identify(Headers(scope=scope), self.settings())
            if who is None and scope["path"] not in OPEN_PATHS:
                return await _refuse(401, "NO_IDENTITY", "sign in through Databricks Apps: this request carries no "
                                                         "user identity")(scope, receive, send)
            scope[SCOPE_KEY] = who
        await self.app(scope, receive, send)


def security_headers():
    import secure

    csp = (secure.ContentSecurityPolicy().default_src("'self'").script_src("'self'").style_src("'self'")
           .img_src("'self'", "data:").connect_src("'self'").object_src("'none'").base_uri("'none'")
           .frame_ancestors("'none'").form_action("'self'"))
    return secure.Secure(csp=csp, xfo=secure.XFrameOptions().deny(), xcto=secure.XContentTypeOptions().nosniff(),
                         referrer=secure.ReferrerPolicy().same_origin(),
                         coop=secure.CrossOriginOpenerPolicy().same_origin(),
                         cache=secure.CacheControl().no_store())


def install(app: Any, settings: Callable[[], Any], max_body_bytes: int) -> None:
    """The middleware above, added innermost first (Starlette runs the last added first)."""
    from secure.middleware import SecureASGIMiddleware
    from starlette.middleware.body_limit import RequestBodyLimitMiddleware

    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=max_body_bytes)
    app.add_middleware(IdentityGate, settings=settings)
    app.add_middleware(SameOrigin)
    app.add_middleware(PlatformHost, settings=settings)
    app.add_middleware(SecureASGIMiddleware, secure=security_headers())
