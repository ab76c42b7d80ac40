"""The FastAPI application: create_app() builds it; the index and model load in lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Query, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse

from embeddings.base import Embedder
from indexer.config import Settings
from search_api.integrations.routes import router as integrations_router
from search_api.profile_schemas import PersonProfile
from search_api.profiles import PersonNotFound, person_profile
from search_api.schemas import AskResponse, DocumentsResponse, ExpertsResponse
from search_api.service import MAX_LIMIT, MAX_QUERY_CHARS, QueryError, SearchService

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"


def get_service(request: Request) -> SearchService:
    """The service loaded at start-up."""
    service: SearchService = request.app.state.service
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


def create_app(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    service: SearchService | None = None,
) -> FastAPI:
    """Build the app for the index in ``settings.data_dir``.

    ``embedder`` lets tests share an already loaded model; ``service`` lets the
    CLI load (and report problems with) the index before the server starts.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.service = service or SearchService.open(settings, embedder)
        logger.info("serving the index in %s", settings.data_dir)
        try:
            yield
        finally:
            app.state.service.close()

    app = FastAPI(
        title="WhoKnows",
        version="0.1.0",
        description="Who knows about X? Colleagues ranked by evidence, and documents.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.include_router(integrations_router)

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET"],
            allow_headers=["Authorization"],
        )

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

    @app.get("/v1/experts", response_model=ExpertsResponse, tags=["search"])
    def experts(service: ServiceDep, q: QueryParam, limit: LimitParam = 10) -> ExpertsResponse:
        """Colleagues who know about ``q``, best first, each with evidence."""
        answer = service.search(q, people_limit=limit, documents_limit=0)
        return ExpertsResponse(query=answer.query, people=answer.people)

    @app.get("/v1/documents", response_model=DocumentsResponse, tags=["search"])
    def documents(service: ServiceDep, q: QueryParam, limit: LimitParam = 10) -> DocumentsResponse:
        """Documents about ``q``, best first."""
        answer = service.search(q, people_limit=0, documents_limit=limit)
        return DocumentsResponse(query=answer.query, documents=answer.documents)

    @app.get("/v1/search", response_model=AskResponse, tags=["search"])
    def search(service: ServiceDep, q: QueryParam, limit: LimitParam = 5) -> AskResponse:
        """People and documents about ``q`` in one answer (``limit`` of each): the widget's call."""
        return service.search(q, people_limit=limit, documents_limit=limit)

    @app.get("/v1/people/{person_id}", response_model=PersonProfile, tags=["people"])
    def person(service: ServiceDep, person_id: str) -> PersonProfile:
        """A person's profile: details, contact links, sources, evidence and top topics."""
        return person_profile(service.store, person_id)

    @app.get("/widget.js", include_in_schema=False)
    def widget() -> FileResponse:
        return FileResponse(STATIC_DIR / "widget.js", media_type="text/javascript")

    @app.get("/", include_in_schema=False)
    def search_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    return app
