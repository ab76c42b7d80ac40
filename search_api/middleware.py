"""Pure ASGI middleware that guards the HTTP layer: a cap on request bodies, security headers.

Example:
    >>> from starlette.applications import Starlette
    >>> app = BodyLimitMiddleware(Starlette(), max_bytes=1_048_576)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send


class RequestTooLarge(HTTPException):
    """A request body is over ``max_request_bytes``; FastAPI answers it with 413."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, detail=too_large_detail(max_bytes))


def too_large_detail(max_bytes: int) -> str:
    return f"the request body is over {max_bytes} bytes (max_request_bytes)"


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` without reading them.

    A ``Content-Length`` over the limit is answered 413 before the app runs; a body sent
    in chunks is counted as the app reads it, and reading stops with a 413 at the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise RequestTooLarge(self.max_bytes)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except RequestTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse(
            {"detail": too_large_detail(self.max_bytes)},
            status_code=413,
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isascii() and text.isdigit() else None
    return None


PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors {ancestors}"
)
"""Scripts from this server only (no inline script); inline styles stay allowed because the
widget adds its stylesheet as a ``<style>`` element."""


def content_security_policy(frame_ancestors: list[str]) -> str:
    """The policy of every response that sets none itself.

    >>> content_security_policy(["https://intranet.example.com"]).rsplit("; ", 1)[1]
    'frame-ancestors https://intranet.example.com'
    """
    return PAGE_POLICY.format(ancestors=" ".join(frame_ancestors) or "'none'")


class SecurityHeadersMiddleware:
    """Add a Content-Security-Policy, ``nosniff``, ``Referrer-Policy`` and framing rules.

    ``frame_ancestors`` lists the origins that may frame the page; with none,
    ``X-Frame-Options: DENY`` is sent as well (for browsers without CSP frame-ancestors).
    A response that sets its own Content-Security-Policy (``/docs``) keeps it.
    """

    def __init__(self, app: ASGIApp, frame_ancestors: list[str]) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", content_security_policy(frame_ancestors).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
        ]
        if not frame_ancestors:
            self.headers.append((b"x-frame-options", b"DENY"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in self.headers if n not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
