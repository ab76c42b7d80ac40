"""The ``whoknows`` command: a thin typer layer over the indexer and the search service."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from indexer.config import Settings, load_settings, parse_source_argument, source_specs
from indexer.errors import (
    ConfigError,
    IndexLockedError,
    IndexNotFoundError,
    TooManyRejectedError,
    VerificationError,
    WhoKnowsError,
)
from indexer.pipeline import IndexSummary, NoProgress, ProgressTask

if TYPE_CHECKING:
    from indexer.store.backend import HiddenList
    from indexer.store.base import Store

logger = logging.getLogger("whoknows")

app = typer.Typer(
    help="WhoKnows: find the colleagues who know about X.",
    no_args_is_help=True,
    add_completion=False,
)
err = Console(stderr=True, soft_wrap=True)
out = Console()

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_TOO_MANY_REJECTED = 3
EXIT_LOCKED = 4
EXIT_UNVERIFIED = 5

DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Where the index lives (default: $WHOKNOWS_DATA_DIR, else ./whoknows-data).",
    ),
]
ConfigOption = Annotated[
    Path | None, typer.Option("--config", "-c", help="A whoknows.toml with settings and sources.")
]
ModelOption = Annotated[
    str | None,
    typer.Option("--model", help="sentence-transformers model name or local path."),
]
VerboseOption = Annotated[bool, typer.Option("--verbose", "-v", help="Log more.")]


def _settings(config: Path | None, data_dir: Path | None, model: str | None) -> Settings:
    return load_settings(config, data_dir=data_dir, model=model)


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("sentence_transformers", "transformers", "httpx", "faiss"):
        logging.getLogger(noisy).setLevel(logging.WARNING if verbose else logging.ERROR)


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    return typer.Exit(EXIT_FAILED)


class _RichTask:
    def __init__(self, progress: Progress, task_id: Any) -> None:
        self._progress = progress
        self._task_id = task_id

    def advance(self, amount: int = 1) -> None:
        self._progress.advance(self._task_id, amount)


class RichProgress:
    """Progress bars on a terminal (the pipeline's ``Progress``)."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress

    def task(self, description: str, total: int | None) -> AbstractContextManager[ProgressTask]:
        return self._task(description, total)

    @contextmanager
    def _task(self, description: str, total: int | None) -> Iterator[ProgressTask]:
        task_id = self._progress.add_task(description, total=total)
        try:
            yield _RichTask(self._progress, task_id)
        finally:
            self._progress.update(
                task_id,
                total=self._progress.tasks[task_id].completed or 1,
                completed=self._progress.tasks[task_id].completed or 1,
            )


class LogProgress:
    """Plain log lines when there is no terminal (cron, CI)."""

    def task(self, description: str, total: int | None) -> AbstractContextManager[ProgressTask]:
        return self._task(description, total)

    @contextmanager
    def _task(self, description: str, total: int | None) -> Iterator[ProgressTask]:
        err.print(f"{description}" + (f" ({total})" if total else ""), highlight=False)
        yield NoProgress().task(description, total).__enter__()


@contextmanager
def _progress(enabled: bool) -> Iterator[RichProgress | LogProgress]:
    if not (enabled and err.is_terminal):
        yield LogProgress()
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as bars:
        yield RichProgress(bars)


@app.command()
def index(
    sources: Annotated[
        list[str] | None,
        typer.Argument(
            help="Sources as KIND:PATH, KIND one of stackexchange, wiki, mediawiki, bios.",
            show_default=False,
        ),
    ] = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    model: ModelOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
    ] = False,
    max_errors: Annotated[
        int | None,
        typer.Option(
            "--max-errors",
            min=0,
            help="Abort without switching when more records than this are rejected.",
        ),
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait", help="Wait for a running re-index instead of exiting.")
    ] = False,
    verbose: VerboseOption = False,
) -> None:
    """Index sources into a new generation and switch to it once complete and verified.

    Afterwards the index holds exactly these sources. Exit codes: 0 done; 1 a
    source failed (its previous state is kept) or the configuration is invalid;
    2 bad usage; 3 more rejected records than --max-errors (nothing switched);
    4 another re-index holds the lock; 5 the new generation failed its checks.

    Example: whoknows index wiki:sample_org/wiki bios:sample_org/people.yml
    """
    _setup_logging(verbose)
    try:
        settings = _settings(config, data_dir, model)
        configured = [parse_source_argument(s) for s in sources] if sources else settings.sources
        if not configured:
            raise ConfigError("no sources: give KIND:PATH arguments or --config whoknows.toml")
        specs = source_specs(configured)
        summary = _run_index(
            settings,
            specs,
            show_progress=not as_json,
            dry_run=dry_run,
            max_errors=max_errors,
            wait=wait,
        )
    except WhoKnowsError as exc:
        code = _exit_code(exc)
        if as_json:
            out.print_json(json.dumps({"ok": False, "error": str(exc), "exit_code": code}))
            raise typer.Exit(code) from exc
        err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(code) from exc
    if as_json:
        out.print_json(json.dumps(_summary_dict(summary)))
    else:
        _print_summary(summary)
    if summary.failed:
        raise typer.Exit(EXIT_FAILED)


def _exit_code(exc: WhoKnowsError) -> int:
    if isinstance(exc, TooManyRejectedError):
        return EXIT_TOO_MANY_REJECTED
    if isinstance(exc, IndexLockedError):
        return EXIT_LOCKED
    if isinstance(exc, VerificationError):
        return EXIT_UNVERIFIED
    return EXIT_FAILED


def _run_index(
    settings: Settings,
    specs: list,
    *,
    show_progress: bool,
    dry_run: bool = False,
    max_errors: int | None = None,
    wait: bool = False,
) -> IndexSummary:
    from embeddings.factory import load_embedder
    from indexer.reindex import plan, reindex
    from indexer.store import open_home

    embedder = load_embedder(settings)
    home = open_home(settings)
    options: dict[str, Any] = {
        "chunk_tokens": settings.chunk_tokens,
        "chunk_overlap": settings.chunk_overlap,
    }
    with _progress(show_progress) as progress:
        if dry_run:
            return plan(home, specs, embedder, progress=progress, **options)
        return reindex(
            home,
            specs,
            embedder,
            progress=progress,
            max_errors=max_errors,
            wait=wait,
            **options,
        )


def _summary_dict(summary: IndexSummary) -> dict[str, Any]:
    return {
        "ok": not summary.failed,
        "dry_run": summary.dry_run,
        "generation": summary.generation,
        "totals": summary.totals(),
        "embedded": summary.embedded,
        "seconds": round(summary.seconds, 2),
        "removed_sources": summary.removed_sources,
        "stats": asdict(summary.stats) if summary.stats else None,
        "ambiguities": summary.ambiguities,
        "sources": [
            {
                "name": s.name,
                "kind": s.kind,
                "path": s.path,
                "added": s.added,
                "changed": s.changed,
                "deleted": s.deleted,
                "unchanged": s.unchanged,
                "people": s.people,
                "error": s.error,
                "incomplete": s.incomplete,
                "rejected": [
                    {"file": r.file, "location": r.location, "reason": r.reason} for r in s.rejected
                ],
            }
            for s in summary.sources
        ],
    }


def _print_summary(summary: IndexSummary, max_rejections: int = 20) -> None:
    table = Table(title="Index summary")
    for column in (
        "source",
        "kind",
        "added",
        "changed",
        "deleted",
        "unchanged",
        "rejected",
        "people",
    ):
        table.add_column(column, justify="left" if column in ("source", "kind") else "right")
    for s in summary.sources:
        table.add_row(
            s.name,
            s.kind,
            str(s.added),
            str(s.changed),
            str(s.deleted),
            str(s.unchanged),
            str(len(s.rejected)),
            str(s.people),
        )
    out.print(table)
    for s in summary.sources:
        if s.incomplete:
            err.print(
                f"[bold red]source {s.name} was cut short:[/] a file ended early (see the "
                "rejections); what was read is indexed, nothing was deleted. Fix the file and "
                "run again.",
                highlight=False,
            )
        if s.error:
            err.print(
                f"[bold red]source {s.name} failed:[/] {s.error} (its previous state is kept)",
                highlight=False,
            )
        for r in s.rejected[:max_rejections]:
            err.print(f"[yellow]rejected[/] {escape(str(r))}", highlight=False)
        if len(s.rejected) > max_rejections:
            err.print(
                f"[yellow]... and {len(s.rejected) - max_rejections} more rejected in "
                f"{s.name}[/] (use --json for all)",
                highlight=False,
            )
    for message in summary.ambiguities[:max_rejections]:
        err.print(f"[yellow]ambiguous[/] {escape(message)}", highlight=False)
    if len(summary.ambiguities) > max_rejections:
        err.print(
            f"[yellow]... and {len(summary.ambiguities) - max_rejections} more ambiguous "
            "names[/] (use --json for all)",
            highlight=False,
        )
    if summary.removed_sources:
        out.print(f"removed sources no longer listed: {', '.join(summary.removed_sources)}")
    if summary.dry_run:
        out.print("dry run: nothing was written; the table shows what a run would change")
        return
    if summary.stats:
        st = summary.stats
        out.print(
            f"{st.documents} documents, {st.chunks} chunks ({summary.embedded} embedded now), "
            f"{st.people} people, {st.vectors} vectors in {summary.seconds:.1f}s"
        )
    if summary.generation:
        out.print(f"now serving generation {summary.generation}")


@app.command()
def ask(
    query: Annotated[str, typer.Argument(help="What you need to know about.")],
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many people and documents.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    include_inactive: Annotated[
        bool, typer.Option("--include-inactive", help="Also rank people marked inactive.")
    ] = False,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    model: ModelOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Ask who knows about something.

    Example: whoknows ask "how do I roll back a helm release?" --limit 3
    """
    _setup_logging(verbose)
    from search_api.service import SearchService, check_limit

    try:
        check_limit("--limit", limit)
        settings = _settings(config, data_dir, model)
        service = SearchService.open(settings)
        try:
            answer = service.search(
                query, people_limit=limit, documents_limit=limit, include_inactive=include_inactive
            )
        finally:
            service.close()
    except WhoKnowsError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        out.print_json(answer.model_dump_json())
        return
    if not answer.people:
        out.print("Nobody found for this query.")
    for rank, person in enumerate(answer.people, start=1):
        about = ", ".join(x for x in (person.title, person.team) if x)
        out.print(
            f"[bold]{rank}. {escape(person.name)}[/]"
            + (f" ({escape(about)})" if about else "")
            + f"  [dim]{person.id} score {person.score:.4f}[/]"
        )
        for e in person.evidence:
            out.print(
                escape(f"   - {e.role}: {e.title}" + (f"  {e.url}" if e.url else "")),
                highlight=False,
            )
    if answer.documents:
        out.print("\n[bold]Documents[/]")
        for d in answer.documents:
            out.print(
                escape(f" - [{d.kind}] {d.title}" + (f"  {d.url}" if d.url else "")),
                highlight=False,
            )


@app.command("eval")
def evaluate(
    dataset: Annotated[str, typer.Argument(help="stackexchange or wiki.")],
    path: Annotated[Path, typer.Argument(help="The site folder or the wiki folder.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    block: Annotated[
        str,
        typer.Option(help="test (report); validation, validation-2, validation-3 (tuning)."),
    ] = "test",
    team: Annotated[
        Path | None, typer.Option(help="wiki only: a team.yml of bios (default: data/team.yml).")
    ] = None,
    model: ModelOption = None,
    config: ConfigOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Measure ranking quality with the protocols of ../shared/data/README.md.

    Builds a temporary index of the training part only, then compares the
    popularity, bm25, dense and default methods on the same split.

    Example: whoknows eval stackexchange ../shared/data/stackexchange/iot --json
    """
    _setup_logging(verbose)
    from embeddings.factory import load_embedder
    from search_api.evaluation.runner import evaluate_stackexchange, evaluate_wiki
    from search_api.evaluation.stackexchange import BLOCKS
    from search_api.service import ranking_config

    if dataset not in ("stackexchange", "wiki"):
        raise _fail(f"dataset must be stackexchange or wiki, got {dataset!r}")
    if block not in BLOCKS:
        raise _fail(f"--block must be one of {', '.join(BLOCKS)}, got {block!r}")
    if not path.is_dir():
        raise _fail(f"{path} is not a folder")
    try:
        settings = _settings(config, None, model)
        embedder = load_embedder(settings)
        ranking = ranking_config(settings)  # default ranks as `whoknows ask` would
        with _progress(not as_json) as progress:
            if dataset == "stackexchange":
                report = evaluate_stackexchange(
                    path, embedder, block=block, progress=progress, config=ranking
                )
            else:
                report = evaluate_wiki(
                    path, embedder, team_file=team, block=block, progress=progress, config=ranking
                )
    except WhoKnowsError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        print(json.dumps(report.as_json()))
        return
    table = Table(
        title=f"{report.dataset} ({report.block}, {report.queries} queries, {report.seconds:.0f}s)"
    )
    table.add_column("method")
    for metric in ("mrr", "p@1", "ndcg@10", "recall@10"):
        table.add_column(metric, justify="right")
    for name, metrics in report.methods.items():
        table.add_row(name, *(f"{metrics[m]:.3f}" for m in ("mrr", "p@1", "ndcg@10", "recall@10")))
    out.print(table)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes (each loads the model and index).")
    ] = 1,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    model: ModelOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Serve the HTTP API over the index; one JSON log line per request on stderr.

    Example: whoknows serve --config whoknows.toml --port 8000 --workers 4
    """
    _setup_logging(verbose)
    import os

    import uvicorn

    from search_api.app import CONFIG_ENV, create_app
    from search_api.observability import configure_access_log
    from search_api.service import SearchService

    log_level = "info" if verbose else "warning"
    try:
        settings = _settings(config, data_dir, model)
        if workers == 1:
            application = create_app(settings, service=SearchService.open(settings))
        else:
            from indexer.store import open_home

            open_home(settings).open_current().close()  # a missing index fails here, clearly
    except WhoKnowsError as exc:
        raise _fail(str(exc)) from exc
    configure_access_log()
    proxies = _proxy_options(settings)
    if workers == 1:
        uvicorn.run(application, host=host, port=port, log_level=log_level, **proxies)
        return
    # Each worker process builds its own app from the environment.
    if config is not None:
        os.environ[CONFIG_ENV] = str(config.resolve())
    os.environ["WHOKNOWS_DATA_DIR"] = str(settings.data_dir.resolve())
    os.environ["WHOKNOWS_MODEL"] = settings.model
    with _multiprocess_metrics():
        uvicorn.run(
            "search_api.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=log_level,
            **proxies,
        )


@contextmanager
def _multiprocess_metrics() -> Iterator[None]:
    """Let the workers add up their metrics (prometheus-client's multiprocess mode).

    The workers inherit ``PROMETHEUS_MULTIPROC_DIR``: a fresh folder removed when the
    server stops, unless the operator set one (then it is theirs to empty between starts).
    """
    import os
    import shutil
    import tempfile

    from search_api.observability import MULTIPROC_ENV

    if os.environ.get(MULTIPROC_ENV):
        yield
        return
    folder = tempfile.mkdtemp(prefix="whoknows-metrics-")
    os.environ[MULTIPROC_ENV] = folder
    try:
        yield
    finally:
        del os.environ[MULTIPROC_ENV]
        shutil.rmtree(folder, ignore_errors=True)


def _proxy_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's forwarded-header options: believe ``X-Forwarded-*`` from ``trusted_proxies`` only.

    uvicorn's own default trusts 127.0.0.1, so a client on the same host could pick its
    address (and so its rate-limit bucket) with every request.
    """
    if not settings.trusted_proxies:
        return {"proxy_headers": False, "forwarded_allow_ips": []}
    return {"proxy_headers": True, "forwarded_allow_ips": list(settings.trusted_proxies)}


keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Argument(help="Who or what the key is for.")],
    scope: Annotated[
        list[str] | None,
        typer.Option(
            "--scope",
            help="search (default), admin (sees everything), metrics (/metrics only); repeatable.",
        ),
    ] = None,
    group: Annotated[
        list[str] | None,
        typer.Option("--group", help="An access group of the key's caller; repeatable."),
    ] = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Create an API key and print it once (only its hash is stored).

    Example: whoknows keys create intranet-widget --scope search --group eng
    """
    from indexer.store import open_home
    from search_api.keys import KeyStore

    try:
        keys = KeyStore(open_home(_settings(config, data_dir, None)).open_keys())
        try:
            info, plaintext = keys.create(name, scope or ["search"], group or [])
        finally:
            keys.close()
    except WhoKnowsError as exc:
        raise _fail(str(exc)) from exc
    err.print(
        f"created key {info.prefix} ({escape(name)}; scopes {', '.join(info.scopes)}; "
        f"groups {', '.join(info.groups) or 'none'}); it is shown only now:",
        highlight=False,
    )
    print(plaintext)


@keys_app.command("list")
def keys_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """List API keys (prefixes, names, scopes, groups; never the keys).

    Example: whoknows keys list --json
    """
    from indexer.store import open_home
    from search_api.keys import KeyStore

    try:
        keys = KeyStore(open_home(_settings(config, data_dir, None)).open_keys())
        try:
            listed = keys.list()
        finally:
            keys.close()
    except WhoKnowsError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        print(json.dumps([k.as_json() for k in listed]))
        return
    table = Table(title="API keys")
    for column in ("prefix", "name", "scopes", "groups", "created", "revoked"):
        table.add_column(column)
    for k in listed:
        table.add_row(
            k.prefix, k.name, ",".join(k.scopes), ",".join(k.groups), k.created, k.revoked or ""
        )
    out.print(table)


@keys_app.command("revoke")
def keys_revoke(
    prefix: Annotated[str, typer.Argument(help="The key's prefix, as `whoknows keys list` shows.")],
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Revoke an API key: it is refused from the next request on.

    Example: whoknows keys revoke 3f9a1c2b
    """
    from indexer.store import open_home
    from search_api.keys import KeyStore

    try:
        keys = KeyStore(open_home(_settings(config, data_dir, None)).open_keys())
        try:
            info = keys.revoke(prefix)
        finally:
            keys.close()
    except WhoKnowsError as exc:
        raise _fail(str(exc)) from exc
    out.print(f"revoked key {info.prefix} ({escape(info.name)}) at {info.revoked}", highlight=False)


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":
    main()


people_app = typer.Typer(
    help="Hide people from results (opt-out, leavers) and show them again.", no_args_is_help=True
)
app.add_typer(people_app, name="people")

PersonIdArgument = Annotated[str, typer.Argument(help="The person's id, as search results show.")]


@people_app.command("hide")
def people_hide(
    person_id: PersonIdArgument,
    reason: Annotated[str, typer.Option("--reason", help="Why (kept for the record).")] = "",
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Hide a person from every result at once; their evidence stops counting for anyone.

    Takes effect in running servers on their next request; no re-index needed.

    Example: whoknows people hide ana-kovac-eb5404 --reason "asked to opt out"
    """
    from indexer.store import open_home

    try:
        settings = _settings(config, data_dir, None)
        home = open_home(settings)
        store = home.open_current()
        try:
            known = bool(store.people([person_id], groups=None))
            identities = store.person_identities(person_id)
        finally:
            store.close()
        if not known:
            raise _fail(f"no person with id {person_id!r} in the index in {home.location}")
        state = home.open_hidden()
        try:
            changed = state.hide(person_id, reason, identities)
        finally:
            state.close()
    except WhoKnowsError as exc:
        raise _fail(str(exc)) from exc
    out.print(f"{person_id} is hidden" + ("" if changed else " (already was)"))


@people_app.command("unhide")
def people_unhide(
    person_id: PersonIdArgument,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Show a hidden person in results again (their id now, or the id they were hidden under).

    Example: whoknows people unhide ana-kovac-eb5404
    """
    from search_api.hidden import unhide

    try:
        with _hidden_people(config, data_dir) as (state, store):
            changed = unhide(state, store, person_id)
    except WhoKnowsError as exc:
        raise _fail(str(exc)) from exc
    if not changed:
        raise _fail(f"{person_id} is not hidden")
    out.print(f"{person_id} is shown again")


@people_app.command("hidden")
def people_hidden(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """List the hidden people under their id in the served index (ids can change at re-index).

    Example: whoknows people hidden --json
    """
    from search_api.hidden import hidden_list

    try:
        with _hidden_people(config, data_dir) as (state, store):
            hidden = hidden_list(state, store)
    except WhoKnowsError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        print(json.dumps([asdict(h) for h in hidden]))
        return
    table = Table(title="Hidden people")
    for column in ("id", "hidden as", "hidden at", "reason"):
        table.add_column(column)
    for h in hidden:
        shown = h.person_id if h.in_index else f"{h.person_id} (not in the index)"
        table.add_row(shown, h.hidden_as, h.hidden_at, h.reason)
    out.print(table)


@contextmanager
def _hidden_people(
    config: Path | None, data_dir: Path | None
) -> Iterator[tuple[HiddenList, Store | None]]:
    """The hidden list and the served index (``None`` if there is none yet), closed after."""
    from indexer.store import open_home

    home = open_home(_settings(config, data_dir, None))
    state = home.open_hidden()
    try:
        try:
            store: Store | None = home.open_current()
        except IndexNotFoundError:
            store = None
        try:
            yield state, store
        finally:
            if store is not None:
                store.close()
    finally:
        state.close()
