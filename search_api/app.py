"""The FastAPI application: create_app() builds it; the index and model load in lifespan."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from embeddings.base import Embedder
from indexer.config import Settings, load_settings
from indexer.models import DocumentKind
from indexer.store import IndexHome, open_home
from indexer.store.backend import HiddenList
from search_api.auth import (
    API_KEY_HEADER,
    Caller,
    CallerDep,
    MetricsCallerDep,
    OptionalCallerDep,
)
from search_api.docs_ui import router as docs_router
from search_api.hidden import hidden_list, unhide
from search_api.integrations.routes import router as integrations_router
from search_api.keys import KeyStore
from search_api.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from search_api.observability import (
    MULTIPROC_ENV,
    Metrics,
    RequestLogMiddleware,
    configure_access_log,
)
from search_api.profile_schemas import PersonProfile
from search_api.profiles import PersonNotFound, person_profile
from search_api.ratelimit import RateLimiter
from search_api.schemas import (
    AskResponse,
    DocumentOut,
    DocumentsResponse,
    ExpertsResponse,
    HiddenOut,
    HideRequest,
    HideResult,
    PersonOut,
)
from search_api.service import MAX_LIMIT, MAX_QUERY_CHARS, QueryError, SearchService

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"


def get_service(request: Request) -> SearchService:
    """The service loaded at start-up (503 while there is none)."""
    service: SearchService | None = request.app.state.service
    if service is None:
        raise HTTPException(503, detail="the index is not loaded yet")
    return service


ServiceDep = Annotated[SearchService, Depends(get_service)]
QueryParam = Annotated[
    str,
    Query(
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        description="What you need to know about",
        examples=["helm rollback failed release"],
    ),
]
LimitParam = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="How many results")]
CONFIG_ENV = "WHOKNOWS_CONFIG"
"""The config file ``app_from_env`` reads (``whoknows serve --workers N`` sets it)."""


@dataclass(frozen=True)
class Filters:
    """Query filters shared by the search routes."""

    team: str | None = None
    location: str | None = None
    kind: DocumentKind | None = None
    active_only: bool = True
    offset: int = 0

    @property
    def on_people(self) -> bool:
        return bool(self.team or self.location or self.kind)


def search_filters(
    team: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="People whose team contains this."),
    ] = None,
    location: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="People whose location contains this."),
    ] = None,
    kind: Annotated[
        DocumentKind | None,
        Query(description="Only documents (and evidence) of this kind."),
    ] = None,
    active_only: Annotated[bool, Query(description="Leave out people marked inactive.")] = True,
    offset: Annotated[
        int, Query(ge=0, lt=MAX_LIMIT, description="How many results to skip (paging).")
    ] = 0,
) -> Filters:
    """Filters from the query string; ``team`` and ``location`` match case-insensitively."""
    return Filters(team, location, kind, active_only, offset)


FiltersDep = Annotated[Filters, Depends(search_filters)]


def create_app(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    service: SearchService | None = None,
    metrics_dir: str | None = None,
) -> FastAPI:
    """Build the app for the index in ``settings.data_dir``.

    ``embedder`` lets tests share an already loaded model; ``service`` lets the
    CLI load (and report problems with) the index before the server starts;
    ``metrics_dir`` is the folder of prometheus-client's multiprocess mode, where
    the workers of one server add up their metrics.
    """

    metrics = Metrics(metrics_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loaded = service or SearchService.open(settings, embedder)
        loaded.watch(settings.reload_interval)
        home = open_home(settings)
        app.state.keys = KeyStore(home.open_keys())
        _share_buckets(app, home, settings)
        metrics.set_index(loaded.store.stats(), loaded.store.built_at())
        app.state.service = loaded
        logger.info("serving the index in %s", home.location)
        try:
            yield
        finally:
            app.state.service = None
            loaded.close()
            app.state.keys.close()
            app.state.limiter.close()
            app.state.failures.close()

    app = FastAPI(
        title="WhoKnows",
        version="0.1.0",
        description="Who knows about X? Colleagues ranked by evidence, and documents.",
        lifespan=lifespan,
        docs_url=None,  # search_api.docs_ui serves /docs without a CDN
        redoc_url=None,  # no local ReDoc assets
    )
    app.state.settings = settings
    app.state.service = None
    app.state.metrics = metrics
    app.state.limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
    failures = settings.auth_failures_per_minute
    app.state.failures = RateLimiter(failures, failures)
    app.include_router(integrations_router)
    app.include_router(docs_router)

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET"],
            allow_headers=["Authorization", API_KEY_HEADER, "X-Request-ID"],
            expose_headers=["Retry-After", "X-Request-ID"],
        )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_bytes)
    app.add_middleware(SecurityHeadersMiddleware, frame_ancestors=settings.frame_ancestors)
    app.add_middleware(RequestLogMiddleware, metrics=metrics)

    @app.exception_handler(QueryError)
    async def _query_error(_: Request, exc: QueryError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": str(exc)})

    @app.exception_handler(PersonNotFound)
    async def _person_not_found(_: Request, exc: PersonNotFound) -> JSONResponse:
        return JSONResponse(status_code=404, content={"detail": str(exc)})

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"])
    def readyz(request: Request, caller: OptionalCallerDep) -> JSONResponse:
        """Readiness: 200 once the index is loaded, else 503.

        With an ``admin`` key the answer adds the index's counts, model and generation
        (they count restricted documents and people, so nobody else sees them).
        """
        loaded: SearchService | None = request.app.state.service
        if loaded is None:
            return JSONResponse(
                status_code=503,
                content={"status": "not ready", "detail": "the index is not loaded yet"},
            )
        if caller is None or not caller.is_admin:
            return JSONResponse({"status": "ready"})
        stats = loaded.store.stats()
        return JSONResponse(
            {
                "status": "ready",
                "documents": stats.documents,
                "chunks": stats.chunks,
                "people": stats.people,
                "model": loaded.embedder.model_id,
                "built_at": loaded.store.built_at(),
                "generation": loaded.store.generation,
            }
        )

    @app.get("/metrics", tags=["operations"], response_class=Response)
    def prometheus_metrics(request: Request, _: MetricsCallerDep) -> Response:
        """Prometheus metrics: request latency by route, index size, last index time.

        Needs an API key with the ``metrics`` or ``admin`` scope unless ``metrics_open`` is on.
        """
        loaded: SearchService | None = request.app.state.service
        if loaded is not None:  # a re-index may have replaced the index since start-up
            metrics.set_index(loaded.store.stats(), loaded.store.built_at())
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/v1/experts", response_model=ExpertsResponse, tags=["search"])
    def experts(
        service: ServiceDep,
        caller: CallerDep,
        q: QueryParam,
        filters: FiltersDep,
        limit: LimitParam = 10,
    ) -> ExpertsResponse:
        """Colleagues who know about ``q``, best first, each with evidence."""
        answer = ask(service, caller, q, filters, people=limit, documents=0)
        return ExpertsResponse(query=answer.query, people=answer.people)

    @app.get("/v1/documents", response_model=DocumentsResponse, tags=["search"])
    def documents(
        service: ServiceDep,
        caller: CallerDep,
        q: QueryParam,
        filters: FiltersDep,
        limit: LimitParam = 10,
    ) -> DocumentsResponse:
        """Documents about ``q``, best first (``team``/``location``: by a contributor)."""
        answer = ask(service, caller, q, filters, people=0, documents=limit)
        return DocumentsResponse(query=answer.query, documents=answer.documents)

    @app.get("/v1/search", response_model=AskResponse, tags=["search"])
    def search(
        service: ServiceDep,
        caller: CallerDep,
        q: QueryParam,
        filters: FiltersDep,
        limit: LimitParam = 5,
    ) -> AskResponse:
        """People and documents about ``q`` in one answer (``limit`` of each): the widget's call."""
        return ask(service, caller, q, filters, people=limit, documents=limit)

    @app.get("/v1/people/{person_id}", response_model=PersonProfile, tags=["people"])
    def person(service: ServiceDep, caller: CallerDep, person_id: str) -> PersonProfile:
        """A person's profile: details, contact links, sources, evidence and top topics."""
        if person_id in service.hidden_people():
            raise PersonNotFound(f"no person with id {person_id!r}")
        return person_profile(service.store, person_id, groups=caller.groups)

    @app.get("/v1/admin/hidden-people", response_model=list[HiddenOut], tags=["admin"])
    def hidden_people(service: ServiceDep, _: AdminDep) -> list[HiddenOut]:
        """People hidden from results (opted out or left), oldest first. Needs an admin key.

        ``person_id`` is the person's id in the index served now (their id can change
        at a re-index; hiding follows them), ``hidden_as`` the id they were hidden under.
        """
        return [HiddenOut(**vars(h)) for h in hidden_list(_state(service), service.store)]

    @app.put("/v1/admin/hidden-people/{person_id}", response_model=HideResult, tags=["admin"])
    def hide_person(
        service: ServiceDep, _: AdminDep, person_id: str, body: HideRequest | None = None
    ) -> HideResult:
        """Hide a person from every result at once (no re-index); their evidence stops counting."""
        if not service.store.people([person_id], groups=None):
            raise PersonNotFound(f"no person with id {person_id!r}")
        identities = service.store.person_identities(person_id)
        changed = _state(service).hide(person_id, body.reason if body else "", identities)
        return HideResult(person_id=person_id, hidden=True, changed=changed)

    @app.delete("/v1/admin/hidden-people/{person_id}", response_model=HideResult, tags=["admin"])
    def unhide_person(service: ServiceDep, _: AdminDep, person_id: str) -> HideResult:
        """Show a hidden person again (by their current id or the id they were hidden under)."""
        if not unhide(_state(service), service.store, person_id):
            raise PersonNotFound(f"person {person_id!r} is not hidden")
        return HideResult(person_id=person_id, hidden=False, changed=True)

    @app.get("/widget.js", include_in_schema=False)
    def widget() -> FileResponse:
        return FileResponse(STATIC_DIR / "widget.js", media_type="text/javascript")

    @app.get("/key.js", include_in_schema=False)
    def page_key_script() -> FileResponse:
        return FileResponse(STATIC_DIR / "key.js", media_type="text/javascript")

    @app.get("/page.js", include_in_schema=False)
    def page_script() -> FileResponse:
        return FileResponse(STATIC_DIR / "page.js", media_type="text/javascript")

    @app.get("/", include_in_schema=False)
    def search_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    return app


def _share_buckets(app: FastAPI, home: IndexHome, settings: Settings) -> None:
    """Rate limits every process of the organisation shares, where the backend has them.

    Otherwise the in-process buckets made with the app stay: each worker counts alone.
    """
    failures = settings.auth_failures_per_minute
    shared = home.open_buckets(
        "requests", settings.rate_limit_per_minute, settings.rate_limit_burst
    )
    if shared is not None:
        app.state.limiter = shared
        app.state.failures = home.open_buckets("auth-failures", failures, failures)


def _state(service: SearchService) -> HiddenList:
    if service.state is None:
        raise HTTPException(503, detail="this server has no state store (opened without settings)")
    return service.state


def admin_caller(caller: CallerDep) -> Caller:
    """Dependency of the admin routes: only API keys with the ``admin`` scope pass."""
    if caller.kind != "key" or caller.groups is not None:
        raise HTTPException(403, detail="this route needs an API key with the 'admin' scope")
    return caller


AdminDep = Annotated[Caller, Depends(admin_caller)]


def app_from_env() -> FastAPI:
    """The app for ``$WHOKNOWS_CONFIG`` and ``WHOKNOWS_*`` settings: uvicorn's factory.

    ``$PROMETHEUS_MULTIPROC_DIR`` (set by ``whoknows serve --workers N``) makes the
    workers' metrics add up.
    """
    config = os.environ.get(CONFIG_ENV)
    settings = load_settings(Path(config) if config else None)
    configure_access_log()
    return create_app(settings, metrics_dir=os.environ.get(MULTIPROC_ENV) or None)


def ask(
    service: SearchService,
    caller: Caller,
    query: str,
    filters: Filters,
    *,
    people: int,
    documents: int,
) -> AskResponse:
    """One search for ``caller`` with ``filters`` applied and ``people``/``documents`` per page.

    Filtering happens after ranking, over the best ``MAX_LIMIT`` candidates.
    """
    end_people = filters.offset + people
    end_documents = filters.offset + documents
    if max(end_people, end_documents) > MAX_LIMIT:
        raise QueryError(
            f"offset + limit must be at most {MAX_LIMIT}, got {max(end_people, end_documents)}"
        )
    people_filtered = filters.on_people
    documents_filtered = bool(filters.kind or filters.team or filters.location)
    answer = service.search(
        query,
        people_limit=(MAX_LIMIT if people_filtered else end_people) if people else 0,
        documents_limit=(MAX_LIMIT if documents_filtered else end_documents) if documents else 0,
        include_inactive=not filters.active_only,
        groups=caller.groups,
    )
    ranked_people = _filter_people(service, answer.people, filters)
    ranked_documents = _filter_documents(service, answer.documents, filters, caller.groups)
    return AskResponse(
        query=answer.query,
        people=ranked_people[filters.offset : end_people],
        documents=ranked_documents[filters.offset : end_documents],
    )


def _matches(value: str, wanted: str | None) -> bool:
    return wanted is None or wanted.casefold() in value.casefold()


def _filter_people(
    service: SearchService, people: list[PersonOut], filters: Filters
) -> list[PersonOut]:
    people = [
        p
        for p in people
        if _matches(p.team, filters.team) and _matches(p.location, filters.location)
    ]
    if filters.kind is None:
        return people
    ids = sorted({e.document_id for p in people for e in p.evidence})
    kinds = {doc_id: row.kind for doc_id, row in service.store.documents(ids).items()}
    out = []
    for p in people:
        evidence = [e for e in p.evidence if kinds.get(e.document_id) == filters.kind]
        if evidence:
            out.append(p.model_copy(update={"evidence": evidence}))
    return out


def _filter_documents(
    service: SearchService,
    documents: list[DocumentOut],
    filters: Filters,
    groups: Collection[str] | None,
) -> list[DocumentOut]:
    if filters.kind is not None:
        documents = [d for d in documents if d.kind == filters.kind]
    if not (filters.team or filters.location):
        return documents
    hidden = service.hidden_people(service.store)
    contributions = [
        c
        for c in service.store.contributions_to([d.id for d in documents])
        if c.person_id not in hidden
    ]
    # the caller's view of each contributor: restricted fields never match a filter
    people = service.store.people(sorted({c.person_id for c in contributions}), groups=groups)
    wanted = {
        c.document_id
        for c in contributions
        if c.person_id in people
        and _matches(people[c.person_id].team, filters.team)
        and _matches(people[c.person_id].location, filters.location)
        and (people[c.person_id].active or not filters.active_only)
    }
    return [d for d in documents if d.id in wanted]
