"""Who is calling a ``/v1`` route and which access groups they have.

Order of checks: a trusted gateway header (``X-WhoKnows-Gateway`` matching
``gateway_secret``; groups from ``gateway_groups_header``; an empty secret trusts
no gateway), then an API key (``Authorization: Bearer <key>`` or ``X-API-Key``),
then anonymous access if ``allow_anonymous`` is on (public documents only).
``admin`` keys see everything.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from indexer.config import Settings
from search_api.keys import KeyStore
from search_api.observability import KEY_PREFIX_SCOPE
from search_api.ratelimit import RateLimiter, retry_after

GATEWAY_HEADER = "X-WhoKnows-Gateway"
API_KEY_HEADER = "X-API-Key"

MISSING = "an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
NOT_BEARER = "the Authorization header must read 'Bearer <key>'"
INVALID = "the API key is invalid or revoked"
NO_SCOPE = "this API key lacks the 'search' scope"
BAD_GATEWAY = f"the {GATEWAY_HEADER} header does not match the configured gateway secret"


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: ``groups`` None means no restriction (admin keys)."""

    kind: str
    """``key``, ``gateway`` or ``anonymous``."""
    groups: frozenset[str] | None
    key_prefix: str | None = None


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


def identify(request: Request, settings: Settings, keys: KeyStore | None) -> Caller:
    """The caller of ``request``; raises a 401 or 403 :class:`HTTPException` otherwise."""
    gateway = request.headers.get(GATEWAY_HEADER)
    if gateway is not None:
        secret = settings.gateway_secret.get_secret_value() if settings.gateway_secret else ""
        # An empty secret (say, an unset variable in a compose file) trusts no gateway.
        if not secret.strip() or not hmac.compare_digest(gateway.encode(), secret.encode()):
            raise _unauthorized(BAD_GATEWAY)
        header = request.headers.get(settings.gateway_groups_header, "")
        return Caller("gateway", frozenset(g.strip() for g in header.split(",") if g.strip()))

    plaintext = _presented_key(request)
    if plaintext is None:
        if settings.allow_anonymous:
            return Caller("anonymous", frozenset())
        raise _unauthorized(MISSING)
    info = keys.verify(plaintext) if keys is not None else None
    if info is None:
        raise _unauthorized(INVALID)
    request.scope[KEY_PREFIX_SCOPE] = info.prefix
    if "admin" in info.scopes:
        return Caller("key", None, info.prefix)
    if "search" not in info.scopes:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=NO_SCOPE)
    return Caller("key", frozenset(info.groups), info.prefix)


def _presented_key(request: Request) -> str | None:
    authorization = request.headers.get("Authorization")
    if authorization is not None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized(NOT_BEARER)
        return token.strip()
    key = request.headers.get(API_KEY_HEADER)
    return key.strip() if key and key.strip() else None


def limit_rate(request: Request, caller: Caller, limiter: RateLimiter) -> None:
    """Spend one token of the caller's bucket (per key, or per client IP when anonymous)."""
    if caller.kind == "gateway":
        return
    if caller.key_prefix is not None:
        bucket = f"key:{caller.key_prefix}"
    else:
        bucket = f"ip:{request.client.host if request.client else 'unknown'}"
    wait = limiter.acquire(bucket)
    if wait:
        seconds = retry_after(wait)
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=(
                f"rate limit of {limiter.per_minute} requests a minute exceeded; "
                f"retry after {seconds} seconds"
            ),
            headers={"Retry-After": str(seconds)},
        )


_BEARER = HTTPBearer(auto_error=False, description="An API key: `Bearer wk_..._...`.")
_API_KEY = APIKeyHeader(
    name=API_KEY_HEADER, auto_error=False, description="The same API key, in its own header."
)


def search_caller(
    request: Request,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_BEARER)],
    _api_key: Annotated[str | None, Security(_API_KEY)],
) -> Caller:
    """Dependency of the ``/v1`` routes: identify the caller, then apply the rate limit.

    ``_bearer`` and ``_api_key`` only document the schemes in OpenAPI; :func:`identify`
    reads the headers itself so that each wrong credential gets its own message.
    """
    state = request.app.state
    caller = identify(request, state.settings, getattr(state, "keys", None))
    limit_rate(request, caller, state.limiter)
    return caller


CallerDep = Annotated[Caller, Depends(search_caller)]
