"""Who is calling a ``/v1`` route and which access groups they have.

Order of checks: a trusted gateway header (``X-WhoKnows-Gateway`` matching
``gateway_secret``; groups from ``gateway_groups_header``; an empty secret trusts
no gateway), then an API key (``Authorization: Bearer <key>`` or ``X-API-Key``),
then anonymous access if ``allow_anonymous`` is on (public documents only).
``admin`` keys see everything.

A wrong credential (unknown or revoked key, malformed ``Authorization``, wrong gateway
secret) costs the client address one of ``auth_failures_per_minute`` tokens; an address
without tokens gets 429 for every credentialed request, before its credential is checked,
so guessing stops there while callers at other addresses go on.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from indexer.config import Settings
from indexer.store.backend import TokenBuckets
from search_api.keys import KeyStore
from search_api.observability import KEY_PREFIX_SCOPE
from search_api.ratelimit import retry_after

GATEWAY_HEADER = "X-WhoKnows-Gateway"
API_KEY_HEADER = "X-API-Key"

MISSING = "an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
NOT_BEARER = "the Authorization header must read 'Bearer <key>'"
INVALID = "the API key is invalid or revoked"
NO_SCOPE = "this API key lacks the 'search' scope"
NO_METRICS = "/metrics needs an API key with the 'metrics' or 'admin' scope"
BAD_GATEWAY = f"the {GATEWAY_HEADER} header does not match the configured gateway secret"


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: ``groups`` None means no restriction (admin keys)."""

    kind: str
    """``key``, ``gateway`` or ``anonymous``."""
    groups: frozenset[str] | None
    key_prefix: str | None = None
    scopes: frozenset[str] = frozenset()
    """The key's scopes (empty for gateway and anonymous callers)."""

    @property
    def is_admin(self) -> bool:
        return self.kind == "key" and "admin" in self.scopes


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


def identify(
    request: Request,
    settings: Settings,
    keys: KeyStore | None,
    failures: TokenBuckets | None = None,
) -> Caller:
    """The caller of ``request`` allowed to search; raises a 401, 403 or 429 otherwise."""
    caller = authenticate(request, settings, keys, failures)
    if caller.kind == "key" and caller.groups is not None and "search" not in caller.scopes:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=NO_SCOPE)
    return caller


def authenticate(
    request: Request,
    settings: Settings,
    keys: KeyStore | None,
    failures: TokenBuckets | None = None,
) -> Caller:
    """Who sent ``request``, whatever their scopes; raises a 401 or 429 :class:`HTTPException`.

    ``failures`` counts wrong credentials per client address (none when ``None``).
    """
    gateway = request.headers.get(GATEWAY_HEADER)
    if gateway is not None:
        _refuse_if_failing(request, failures)
        secret = settings.gateway_secret.get_secret_value() if settings.gateway_secret else ""
        # An empty secret (say, an unset variable in a compose file) trusts no gateway.
        if not secret.strip() or not hmac.compare_digest(gateway.encode(), secret.encode()):
            raise _failed(request, failures, BAD_GATEWAY)
        header = request.headers.get(settings.gateway_groups_header, "")
        return Caller("gateway", frozenset(g.strip() for g in header.split(",") if g.strip()))

    if _presents_credential(request):
        _refuse_if_failing(request, failures)
    try:
        plaintext = _presented_key(request)
    except HTTPException as exc:
        raise _failed(request, failures, str(exc.detail)) from None
    if plaintext is None:
        if settings.allow_anonymous:
            return Caller("anonymous", frozenset())
        raise _unauthorized(MISSING)
    info = keys.verify(plaintext) if keys is not None else None
    if info is None:
        raise _failed(request, failures, INVALID)
    request.scope[KEY_PREFIX_SCOPE] = info.prefix
    scopes = frozenset(info.scopes)
    groups = None if "admin" in scopes else frozenset(info.groups)
    return Caller("key", groups, info.prefix, scopes)


def client_address(request: Request) -> str:
    """The client's address: the peer, or the forwarded one when the peer is a trusted proxy."""
    return request.client.host if request.client else "unknown"


def _presents_credential(request: Request) -> bool:
    return "authorization" in request.headers or API_KEY_HEADER in request.headers


def _sends_credentials(request: Request) -> bool:
    return GATEWAY_HEADER in request.headers or _presents_credential(request)


def _refuse_if_failing(request: Request, failures: TokenBuckets | None) -> None:
    if failures is None:
        return
    wait = failures.wait(f"ip:{client_address(request)}")
    if wait:
        raise _too_many(
            wait, f"too many failed credentials from this address ({failures.per_minute} a minute)"
        )


def _failed(request: Request, failures: TokenBuckets | None, detail: str) -> HTTPException:
    """A 401 for a wrong credential, after it is counted against the client address."""
    if failures is not None:
        failures.acquire(f"ip:{client_address(request)}")
    return _unauthorized(detail)


def _presented_key(request: Request) -> str | None:
    authorization = request.headers.get("Authorization")
    if authorization is not None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized(NOT_BEARER)
        return token.strip()
    key = request.headers.get(API_KEY_HEADER)
    return key.strip() if key and key.strip() else None


def limit_rate(request: Request, caller: Caller, limiter: TokenBuckets) -> None:
    """Spend one token of the caller's bucket (per key, or per client IP when anonymous)."""
    if caller.kind == "gateway":
        return
    if caller.key_prefix is not None:
        bucket = f"key:{caller.key_prefix}"
    else:
        bucket = f"ip:{client_address(request)}"
    wait = limiter.acquire(bucket)
    if wait:
        raise _too_many(wait, f"rate limit of {limiter.per_minute} requests a minute exceeded")


def _too_many(wait: float, reason: str) -> HTTPException:
    """A 429 that says ``reason`` and when to retry (also in ``Retry-After``)."""
    seconds = retry_after(wait)
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        detail=f"{reason}; retry after {seconds} seconds",
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
    caller = identify(request, state.settings, getattr(state, "keys", None), state.failures)
    limit_rate(request, caller, state.limiter)
    return caller


CallerDep = Annotated[Caller, Depends(search_caller)]


def optional_caller(request: Request) -> Caller | None:
    """Dependency of the probes: the caller when a credential is sent, else ``None``.

    A wrong credential is still a 401 (and counts as a failure); none is no error.
    """
    if not _sends_credentials(request):
        return None
    state = request.app.state
    return authenticate(request, state.settings, getattr(state, "keys", None), state.failures)


OptionalCallerDep = Annotated[Caller | None, Depends(optional_caller)]


def metrics_caller(request: Request) -> Caller | None:
    """Dependency of ``/metrics``: a key with ``metrics`` or ``admin``, unless ``metrics_open``."""
    state = request.app.state
    if state.settings.metrics_open:
        return None
    if not _sends_credentials(request):
        raise _unauthorized(MISSING)
    caller = authenticate(request, state.settings, getattr(state, "keys", None), state.failures)
    if caller.kind != "key" or not caller.scopes & {"metrics", "admin"}:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=NO_METRICS)
    return caller


MetricsCallerDep = Annotated[Caller | None, Depends(metrics_caller)]
