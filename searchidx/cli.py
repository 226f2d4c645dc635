"""The `searchidx` command: a thin typer layer over `searchidx.Index`; the only module that prints.

Each command calls the library, then writes its answer through `_emit` (plain, ``--json`` or ``--jsonl``);
library errors become a message and an exit code in `_errors`.  Nothing here imports an engine at start-up:
`searchidx --help` loads neither Whoosh nor the index code."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from searchidx.errors import Exit, Interrupted, SearchidxError, request_stop

__all__ = ["Exit", "app", "main"]

DEFAULT_INDEX = "index"
DEFAULT_CORPUS = "corpus"


app = typer.Typer(
    name="searchidx",
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

IndexOpt = Annotated[
    Path, typer.Option("--index", "-i", envvar="SEARCHIDX_INDEX", help="Index folder.", show_default=True)
]
SolrOpt = Annotated[str | None, typer.Option(
    "--solr", envvar="SEARCHIDX_SOLR", help="Read a SolrCloud collection instead: http://host:port/solr "
    "(with --collection) or solr://host:port/collection.")]
CollectionOpt = Annotated[str | None, typer.Option("--collection", "-c", help="Solr collection (with --solr).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
JsonlOpt = Annotated[bool, typer.Option("--jsonl", help="JSON Lines on stdout: one object per line.")]


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def _errors() -> Iterator[None]:
    """The one place that turns library errors into a message and an exit code."""
    try:
        yield
    except SearchidxError as exc:
        _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt as exc:
        _fail(str(exc) or "interrupted", 128 + getattr(exc, "signum", signal.SIGINT))


@contextmanager
def _interruptible() -> Iterator[None]:
    """Ctrl-C and SIGTERM (systemd, docker stop, timeout) both stop a run the same way: the first raises
    `Interrupted` where the work is (or, when that lands in a finaliser, at the next article:
    `errors.request_stop`), so what was committed is kept and the rest is cancelled; a second one
    exits at once (130 / 143), as safe as a ``kill -9``: the index is as of its last commit."""

    def first(signum: int, _frame: object) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, second)
        request_stop(signum)  # seen at the next article if the exception below is swallowed
        raise Interrupted("interrupted", signum)

    def second(signum: int, _frame: object) -> None:
        os.write(2, b"Error: aborted at once; the index is as of its last commit\n")
        os._exit(128 + signum)

    def unraisable(info: Any) -> None:  # the interrupt landed in a finaliser: the run stops at its next article
        if not isinstance(info.exc_value, Interrupted):
            default_hook(info)

    default_hook = sys.unraisablehook
    sys.unraisablehook = unraisable
    old = {sig: signal.signal(sig, first) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield  # after an interrupt `second` stays until the process exits: the message, then the exit code
    for sig, handler in old.items():
        signal.signal(sig, handler)
    sys.unraisablehook = default_hook


class _Echo(logging.Handler):
    """The library's notes and warnings (logger ``searchidx``) as ``note: ...`` / ``warning: ...`` lines."""

    def emit(self, record: logging.LogRecord) -> None:
        kind = "note" if record.levelno < logging.WARNING else "warning"
        typer.echo(f"{kind}: {record.getMessage()}", err=True)


def _log_to_stderr() -> None:
    logger = logging.getLogger("searchidx")
    if not any(isinstance(h, _Echo) for h in logger.handlers):
        logger.addHandler(_Echo())
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _emit(as_json: bool, as_jsonl: bool, data: Any, plain: Callable[[], None],
          rows: Iterable[Any] | None = None) -> None:
    """The one output function: ``data`` as indented JSON (--json), ``rows`` (default: ``data``) one JSON
    object per line (--jsonl), else ``plain()`` writes the human form."""
    if as_json and as_jsonl:
        _fail("choose --json or --jsonl, not both", Exit.USAGE)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif as_jsonl:
        for row in [data] if rows is None else rows:
            typer.echo(json.dumps(row, ensure_ascii=False))
    else:
        plain()


def _open(index: Path, solr: str | None = None, collection: str | None = None) -> Any:
    """The local index, or with ``--solr`` (or SEARCHIDX_SOLR) the SolrCloud collection."""
    from searchidx.index import Index

    if solr:
        from searchidx.backend import solr_location

        return Index.open(solr_location(solr, collection))
    return Index.open(index)


def _complete_facet(incomplete: str) -> list[str]:
    """Shell completion of facet field names (``--facet pl<TAB>``)."""
    from searchidx.fields import FACET_FIELDS

    return [n for n in FACET_FIELDS if n.startswith(incomplete.lower())]


def _complete_pair(incomplete: str) -> list[str]:
    """Shell completion of ``FIELD=`` in --filter/--exclude."""
    return [n + "=" for n in _complete_facet(incomplete)] if "=" not in incomplete else []


def _complete_sort(incomplete: str) -> list[str]:
    from searchidx.backend import SORTS

    return [s for s in SORTS if s.startswith(incomplete)]


def _version(value: bool) -> None:
    if value:
        from searchidx import __version__

        typer.echo(f"searchidx {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool | None, typer.Option("--version", callback=_version, is_eager=True,
                                                 help="Print the version and exit.")] = None,
) -> None:
    """Search French news articles: index a folder, then search it with facets on people, organisations and places.

    Examples:

    \b
      searchidx index corpus/
      searchidx search '"etats unis" OU otan' --facet person
      searchidx facets person --prefix sto
      searchidx timeline otan --split person
      searchidx related person stoltenberg
      searchidx similar 002_geneve-securite-biden-poutine.txt
      searchidx --install-completion   # then: searchidx search x --facet <TAB>
    """
    _log_to_stderr()


@app.command()
def index(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders to index (default: corpus/).")] = None,
    index: IndexOpt = Path(DEFAULT_INDEX),
    entities: Annotated[str, typer.Option(help="auto, builtin, spacy (spacy-sm, spacy-md) or none.")] = "auto",
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Start from an empty index.")] = False,
    prune: Annotated[bool, typer.Option(help="Remove articles of files no longer in the given folders.")] = True,
    commit_every: Annotated[int, typer.Option(help="Commit every N articles (0: once at the end).")] = 20000,
    wait: Annotated[float, typer.Option(help="Seconds to wait for another writer to finish.")] = 0.0,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1, not 5, when a file or line had a problem.")] = False,
) -> None:
    """Index articles (.txt, .md, .json, .jsonl, gzipped too); only new and changed files are read again.

    Examples:

    \b
      searchidx index
      searchidx index ~/archives/lemonde --index ~/idx
      searchidx index articles.jsonl.gz --rebuild --entities none
    """
    from searchidx import corpus
    from searchidx.index import Index

    with _errors(), _interruptible():
        sources = [str(p) for p in (paths or [Path(DEFAULT_CORPUS)])]
        corpus.iter_files(sources)  # a missing input path fails now, before the index is touched
        idx = Index.open_or_create(index, entities=entities, rebuild=rebuild, wait=wait)
        with idx, _progress(sources) as tick:
            report = idx.add(
                sources,
                on_problem=lambda p: typer.echo(str(p), err=True),  # "path:line: reason", once each
                progress=tick,
                prune=prune,
                commit_every=commit_every,
                wait=wait,
            )
            total = len(idx)
        typer.echo(
            f"{report.added} added, {report.updated} updated, {report.removed} removed, "
            f"{report.unchanged} unchanged, {len(report.problems)} problems; {total} articles in {index} "
            f"({report.seconds:.1f} s)",
            err=True,
        )
        if report.problems:
            raise typer.Exit(Exit.NO_RESULT if strict else Exit.WARNINGS)


@contextmanager
def _progress(sources: list[str] | None = None) -> Iterator[Callable[[int], None] | None]:
    """A rich progress bar on stderr (articles, docs/s, ETA) when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from searchidx import corpus

    total = corpus.count_articles(sources or [])
    columns = (TextColumn("indexing"), BarColumn(), MofNCompleteColumn() if total else TextColumn("{task.completed}"),
               TextColumn("articles"), TaskProgressColumn(), TextColumn("{task.fields[rate]} docs/s"),
               TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True, speed_estimate_period=10) as bar:
        task = bar.add_task("index", total=total, rate="-")

        def tick(n: int) -> None:
            speed = bar.tasks[task].speed
            bar.update(task, advance=n, rate=f"{speed:,.0f}" if speed else "-")

        yield tick


@app.command()
def search(
    query: Annotated[str, typer.Argument(
        help="Words, \"phrases\", ET/OU/SAUF, +must, -exclude, prefix*, typo~, field:value.")] = "",
    index: IndexOpt = Path(DEFAULT_INDEX),
    solr: SolrOpt = None,
    collection: CollectionOpt = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="Number of hits.")] = 10,
    offset: Annotated[int, typer.Option(help="Skip this many hits.")] = 0,
    facet: Annotated[list[str] | None, typer.Option(
        "--facet", "-f", help="Count this facet (person, org, place, source, year, month).",
        autocompletion=_complete_facet)] = None,
    facet_limit: Annotated[int, typer.Option(help="Values shown per facet.")] = 10,
    filter_: Annotated[list[str] | None, typer.Option(
        "--filter", help='Keep only FIELD=VALUE, e.g. person="Joe Biden".', autocompletion=_complete_pair)] = None,
    exclude: Annotated[list[str] | None, typer.Option(
        "--exclude", help="Drop FIELD=VALUE.", autocompletion=_complete_pair)] = None,
    since: Annotated[str | None, typer.Option(
        help='From this date: 2021, 2021-06, 2021-06-16, "16 juin 2021", "juin 2021".')] = None,
    until: Annotated[str | None, typer.Option(help="Up to this date, included (same forms).")] = None,
    sort: Annotated[str | None, typer.Option(
        help="relevance, date (oldest first) or -date (newest first).", autocompletion=_complete_sort)] = None,
    fields: Annotated[str | None, typer.Option(
        "--fields", help="Columns, comma-separated: rank,title,date,source,id,url,score,entities,snippet.")] = None,
    correct: Annotated[bool, typer.Option(
        "--correct", help="Search the suggested spelling instead when it finds more.")] = False,
    as_json: JsonOpt = False,
    as_jsonl: Annotated[bool, typer.Option(
        "--jsonl", help="One JSON object per hit per line (then one per facet value).")] = False,
    all_versions: Annotated[bool, typer.Option(
        "--all-versions", help="Show every wire copy instead of one hit per group.")] = False,
) -> None:
    """Search the index: every article with any of the words, those with all of them ranked higher; a hit
    that lacks a word says which ("manque : sommet"). ET/AND and +word make a word required.

    Query syntax: ET/AND, OU/OR, SAUF/NOT, +must, -exclude, (groups), "exact phrase", prefix*, typo~;
    fields titre/title, texte/body, personne/person, org, lieu/place, source, date, annee/year, mois/month.
    Wire copies of one story are shown once, with "+ N versions" (--all-versions shows each).
    Exit codes: 0 hits, 1 no hit, 2 bad query or option, 3 no index.

    Examples:

    \b
      searchidx search Stoltenberg
      searchidx search '"etats unis" OU otan -russie' --sort -date
      searchidx search 'personne:"joe biden" lieu:geneve'
      searchidx search 'date:"juin 2021" sommet' --since 2021 --fields title,date
      searchidx search stoltenbreg --correct
      searchidx search "Poutine SAUF Biden" --facet person --facet place --jsonl
      searchidx search "" --facet person --filter place=geneve
      searchidx search "autonomie stratégique" --all-versions
    """
    with _errors():
        from searchidx import render

        shown_fields = render.parse_fields(fields) if fields else None
        filters = _pairs(filter_, "--filter")
        excludes = _pairs(exclude, "--exclude")
        with _open(index, solr, collection) as idx:
            result = idx.search(query, limit=limit, offset=offset, facets=facet or [], filters=filters,
                                excludes=excludes, since=since, until=until, sort=sort, facet_limit=facet_limit,
                                correct=correct, all_versions=all_versions)
        if not as_json:
            for line in render.summary(result, query):
                typer.echo(line, err=True)

        def plain() -> None:
            if render.is_terminal():
                render.print_result(result, shown_fields or render.DEFAULT_FIELDS)
            else:
                typer.echo(render.plain_result(result, shown_fields or render.DEFAULT_FIELDS), nl=False)

        rows = [render.hit_record(hit, shown_fields) for hit in result.hits]
        rows += [{"facet": name, "value": v.value, "count": v.count}
                 for name, values in result.facets.items() for v in values]
        _emit(as_json, as_jsonl, render.result_record(result, shown_fields), plain, rows)
        if not result.hits:
            raise typer.Exit(Exit.NO_RESULT)



@app.command()
def shell(index: IndexOpt = Path(DEFAULT_INDEX)) -> None:
    """Search interactively: type queries, add or drop filters, and watch the facets change.

    Examples:

    \b
      searchidx shell
      > Poutine
      > +place:Genève
      > -person:Joe Biden
      > :facets person org
    """
    from searchidx import render
    from searchidx.shell import HELP, Session, history

    with _errors(), _open(index) as idx:
        history()
        session = Session()
        typer.echo(HELP, err=True)
        while True:
            try:
                line = input(f"searchidx {session.describe()}> ".replace("  ", " "))
            except EOFError:
                typer.echo("", err=True)
                return
            try:
                action = session.apply(line)
                if action == "quit":
                    return
                if action == "help":
                    typer.echo(HELP, err=True)
                    continue
                result = idx.search(session.query, offset=session.offset, facets=session.facets,
                                    filters=session.filters, excludes=session.excludes)
            except SearchidxError as exc:
                typer.echo(f"Error: {exc}", err=True)
                continue
            for text in render.summary(result, session.query):
                typer.echo(text, err=True)
            if render.is_terminal():
                render.print_result(result)
            else:
                typer.echo(render.plain_result(result), nl=False)


def _pairs(items: list[str] | None, option: str) -> dict[str, list[str]]:
    from searchidx.errors import UsageError

    out: dict[str, list[str]] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise UsageError(f"{option} takes FIELD=VALUE, got {item!r}")
        out.setdefault(name.strip(), []).append(value.strip().strip('"'))
    return out


@app.command()
def show(
    id: Annotated[str, typer.Argument(help="Article id, as printed by search.")],
    index: IndexOpt = Path(DEFAULT_INDEX),
    solr: SolrOpt = None,
    collection: CollectionOpt = None,
    versions: Annotated[bool, typer.Option(
        "--versions", help="List the article's wire copies (oldest first) instead of its text.")] = False,
    as_json: JsonOpt = False,
    as_jsonl: JsonlOpt = False,
) -> None:
    """Print one article: title, French date, source, entities, text.

    With --versions, its wire copies instead; JSON: {"id", "group", "versions": [{"id", "title", "date",
    "source"}]}.

    Examples:

    \b
      searchidx show 000_b79cdb675a26dda6.txt
      searchidx show 000_b79cdb675a26dda6.txt --json
      searchidx show 001_sommet-bruxelles-macron-otan.txt --versions
    """
    from dataclasses import asdict

    from searchidx import render

    with _errors(), _open(index, solr, collection) as idx:
        article = idx.get(id)
        if article is None:
            _fail(f"no article with id {id!r}; `searchidx search` prints the ids", Exit.NO_RESULT)
        if versions:
            copies = idx.versions(id)
            listed = [{"id": a.id, "title": a.title, "date": a.date, "source": a.source} for a in copies]
            _emit(as_json, as_jsonl, {"id": id, "group": idx.copy_group(id), "versions": listed},
                  lambda: typer.echo(render.plain_versions(copies)), listed)
            return
        data = asdict(article)
        data["entities"] = article.entities.as_dict()

        def plain() -> None:
            if render.is_terminal():
                render.print_article(article)
            else:
                typer.echo(render.plain_article(article))

        _emit(as_json, as_jsonl, data, plain)


@app.command()
def stats(index: IndexOpt = Path(DEFAULT_INDEX), solr: SolrOpt = None, collection: CollectionOpt = None,
          as_json: JsonOpt = False, as_jsonl: JsonlOpt = False) -> None:
    """Print the number of articles, the index size and the date range.

    Examples:

    \b
      searchidx stats
      searchidx stats --index ~/idx --json
    """
    from dataclasses import asdict

    with _errors(), _open(index, solr, collection) as idx:
        s = idx.stats()

    def plain() -> None:
        typer.echo(f"index:      {s.path}")
        typer.echo(f"articles:   {s.documents}")
        typer.echo(f"size:       {s.size_bytes / 1e6:.1f} MB")
        typer.echo(f"dates:      {s.first_date or '-'} .. {s.last_date or '-'}")
        typer.echo(f"entities:   {s.extractor}")

    _emit(as_json, as_jsonl, asdict(s), plain)


@app.command()
def analyze(
    text: Annotated[str, typer.Argument(help="French text.")],
    as_json: JsonOpt = False,
    as_jsonl: JsonlOpt = False,
) -> None:
    """Print the terms the French analyzer makes of TEXT (as indexed and as queried).

    Example:

    \b
      searchidx analyze "Les États-Unis et l’OTAN"
    """
    from searchidx.analysis import analyze as run

    terms = run(text)
    _emit(as_json, as_jsonl, terms, lambda: typer.echo(" ".join(terms)))


@app.command()
def entities(
    source: Annotated[str, typer.Argument(help="A file, or the text itself.")],
    extractor: Annotated[str, typer.Option(help="builtin, auto, spacy, spacy-sm or spacy-md.")] = "builtin",
    as_json: JsonOpt = False,
    as_jsonl: JsonlOpt = False,
) -> None:
    """Print the people, organisations and places extracted from a file or a text.

    Examples:

    \b
      searchidx entities corpus/000_b79cdb675a26dda6.txt
      searchidx entities "M. Macron a reçu Angela Merkel à l'Élysée." --json
    """
    from searchidx import corpus
    from searchidx.entities import article_entities, get_extractor
    from searchidx.models import Entities

    with _errors():
        path = Path(source)
        if len(source) < 4096 and path.is_file():  # read as indexing reads it: headers, debris, JSON
            articles = list(corpus.iter_articles([path], on_problem=lambda p: typer.echo(str(p), err=True)))
        else:
            articles = [corpus.parse_text_article(corpus.clean_text(source), "text")]
        ext = get_extractor(extractor)
        found = [(a.id, (article_entities(ext, a) or Entities()).as_dict()) for a in articles]

    def plain() -> None:
        for id, ents in found:
            if len(found) > 1:
                typer.echo(f"{id}")
            for kind, names in ents.items():
                typer.echo(f"{kind}: {', '.join(names) if names else '-'}")

    rows = [{"id": id, **ents} for id, ents in found]
    _emit(as_json, as_jsonl, found[0][1] if len(found) == 1 else rows, plain, rows)


@app.command()
def facets(
    field: Annotated[str, typer.Argument(
        help="person, org, place, source, year or month.", autocompletion=_complete_facet)],
    index: IndexOpt = Path(DEFAULT_INDEX),
    solr: SolrOpt = None,
    collection: CollectionOpt = None,
    prefix: Annotated[str, typer.Option(help="Values with a word starting so (accents and case ignored).")] = "",
    query: Annotated[str, typer.Option("--query", "-q", help="Count within the articles matching this query.")] = "",
    limit: Annotated[int, typer.Option("--limit", "-n")] = 20,
    as_json: JsonOpt = False,
    as_jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON object per value per line.")] = False,
) -> None:
    """List the values of a facet with their article counts (bars on a terminal).

    Examples:

    \b
      searchidx facets person
      searchidx facets person --prefix sto
      searchidx facets place --query "Poutine SAUF Biden" --limit 5
      searchidx facets month --json
    """
    from searchidx import render

    with _errors(), _open(index, solr, collection) as idx:
        values = idx.facet_values(field, prefix=prefix, query=query, limit=limit)

    def plain() -> None:
        if render.is_terminal():
            render.print_facet_values(field, values)
        else:
            for v in values:
                typer.echo(f"{v.count:>7}  {v.value}")

    records = [{"value": v.value, "count": v.count} for v in values]
    _emit(as_json, as_jsonl, records, plain, records)
    if not values:
        raise typer.Exit(Exit.NO_RESULT)


from searchidx import cli_explore  # noqa: E402,F401  (registers timeline, similar, related)


def _add_solr() -> None:
    from searchidx.cli_solr import solr_app

    app.add_typer(solr_app)


_add_solr()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
