"""The `searchidx` command: a thin typer layer over `searchidx.Index`; the only module that prints."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import IntEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from searchidx.errors import SearchidxError

DEFAULT_INDEX = "index"
DEFAULT_CORPUS = "corpus"


class Exit(IntEnum):
    OK = 0
    NO_RESULT = 1  # like grep; also a failed command
    USAGE = 2
    NO_INDEX = 3  # missing, unreadable or outdated index
    LOCKED = 4
    WARNINGS = 5  # indexing done, but some files or lines were skipped


app = typer.Typer(
    name="searchidx",
    help="Search French news articles: index a folder, then search it with facets on people, organisations and places.",
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

IndexOpt = Annotated[
    Path, typer.Option("--index", "-i", envvar="SEARCHIDX_INDEX", help="Index folder.", show_default=True)
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]


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
    except KeyboardInterrupt:
        _fail("interrupted", 130)


def _open(index: Path) -> Any:
    from searchidx.index import Index

    return Index.open(index)


def _is_tty() -> bool:
    return sys.stdout.isatty()


_EM = re.compile(r"<em>(.*?)</em>")


def _plain(snippet: str) -> str:
    return _EM.sub(r"*\1*", snippet)


@app.command()
def index(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders to index (default: corpus/).")] = None,
    index: IndexOpt = Path(DEFAULT_INDEX),
    entities: Annotated[str, typer.Option(help="Entity extractor: auto, builtin, spacy or none.")] = "auto",
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Start from an empty index.")] = False,
    prune: Annotated[bool, typer.Option(help="Remove articles of files no longer in the given folders.")] = True,
    commit_every: Annotated[int, typer.Option(help="Commit every N articles (0: once at the end).")] = 5000,
    wait: Annotated[float, typer.Option(help="Seconds to wait for another writer to finish.")] = 0.0,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 instead of 5 when a file or line had a problem.")] = False,
) -> None:
    """Index articles (.txt, .md, .json, .jsonl, gzipped too); only new and changed files are read again.

    Examples:
      searchidx index
      searchidx index ~/archives/lemonde --index ~/idx
      searchidx index articles.jsonl.gz --rebuild --entities none
    """
    from searchidx import corpus
    from searchidx.errors import IndexNotFoundError
    from searchidx.index import Index

    with _errors():
        sources = [str(p) for p in (paths or [Path(DEFAULT_CORPUS)])]
        corpus.iter_files(sources)  # a missing input path fails now, before the index is touched
        if rebuild:
            idx = Index.create(index, entities=entities, overwrite=True, wait=wait)
        else:
            try:
                idx = Index.open(index)
            except IndexNotFoundError:
                idx = Index.create(index, entities=entities, overwrite=True, wait=wait)
        with idx, _progress() as tick:
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
def _progress() -> Iterator[Callable[[int], None] | None]:
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("indexing"), BarColumn(), TextColumn("{task.completed} articles"),
               TextColumn("{task.speed:.0f} docs/s" if False else ""), TimeElapsedColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("index", total=None)
        yield lambda n: bar.advance(task, n)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words, \"phrases\", -exclusions, field:value.")] = "",
    index: IndexOpt = Path(DEFAULT_INDEX),
    limit: Annotated[int, typer.Option("--limit", "-n", help="Number of hits.")] = 10,
    offset: Annotated[int, typer.Option(help="Skip this many hits.")] = 0,
    facet: Annotated[list[str] | None, typer.Option("--facet", "-f", help="Count this facet (person, org, place, source, year, month).")] = None,
    facet_limit: Annotated[int, typer.Option(help="Values shown per facet.")] = 10,
    filter_: Annotated[list[str] | None, typer.Option("--filter", help='Keep only FIELD=VALUE, e.g. person="Joe Biden".')] = None,
    exclude: Annotated[list[str] | None, typer.Option("--exclude", help="Drop FIELD=VALUE.")] = None,
    since: Annotated[str | None, typer.Option(help="From this date (YYYY, YYYY-MM or YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Up to this date, included.")] = None,
    sort: Annotated[str | None, typer.Option(help="relevance, date or -date.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Search the index: every word must match, else any word (and it says so).

    Examples:
      searchidx search Stoltenberg
      searchidx search "sécurité nationale" --limit 5
      searchidx search "Poutine -Biden" --facet person --facet place
      searchidx search "" --facet person --filter place=geneve
    """
    with _errors():
        filters = _pairs(filter_, "--filter")
        excludes = _pairs(exclude, "--exclude")
        with _open(index) as idx:
            result = idx.search(query, limit=limit, offset=offset, facets=facet or [], filters=filters,
                                excludes=excludes, since=since, until=until, sort=sort, facet_limit=facet_limit)
        if as_json:
            typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        else:
            _print_result(result)
        if not result.hits:
            raise typer.Exit(Exit.NO_RESULT)


def _pairs(items: list[str] | None, option: str) -> dict[str, list[str]]:
    from searchidx.errors import UsageError

    out: dict[str, list[str]] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise UsageError(f"{option} takes FIELD=VALUE, got {item!r}")
        out.setdefault(name.strip(), []).append(value.strip().strip('"'))
    return out


def _print_result(result: Any) -> None:
    if result.fallback:
        typer.echo("No article has every word; showing articles with any of them.", err=True)
    shown = f"{result.offset + 1}-{result.offset + len(result.hits)}" if result.hits else "0"
    typer.echo(f"{result.total} articles match; showing {shown}.", err=True)
    for hit in result.hits:
        meta = " · ".join(x for x in (hit.date, hit.source, hit.id) if x)
        typer.echo(f"{hit.rank:>3}. {hit.title}")
        typer.echo(f"     {meta}")
        if hit.snippet:
            typer.echo(f"     {_plain(hit.snippet)}")
        typer.echo("")
    for name, values in result.facets.items():
        typer.echo(f"{name}:")
        for v in values:
            typer.echo(f"  {v.count:>6}  {v.value}")


@app.command()
def show(
    id: Annotated[str, typer.Argument(help="Article id, as printed by search.")],
    index: IndexOpt = Path(DEFAULT_INDEX),
    as_json: JsonOpt = False,
) -> None:
    """Print one article.

    Example:
      searchidx show 000_b79cdb675a26dda6.txt
    """
    from dataclasses import asdict

    with _errors(), _open(index) as idx:
        article = idx.get(id)
        if article is None:
            _fail(f"no article with id {id!r}", Exit.NO_RESULT)
        if as_json:
            data = asdict(article)
            data["entities"] = article.entities.as_dict()
            typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
            return
        typer.echo(article.title)
        typer.echo(" · ".join(x for x in (article.date, article.source, article.id) if x))
        for kind, names in article.entities.as_dict().items():
            if names:
                typer.echo(f"{kind}: {', '.join(names)}")
        typer.echo("")
        typer.echo(article.body)


@app.command()
def stats(index: IndexOpt = Path(DEFAULT_INDEX), as_json: JsonOpt = False) -> None:
    """Print the number of articles, the index size and the date range."""
    from dataclasses import asdict

    with _errors(), _open(index) as idx:
        s = idx.stats()
    if as_json:
        typer.echo(json.dumps(asdict(s), ensure_ascii=False, indent=2))
        return
    typer.echo(f"index:      {s.path}")
    typer.echo(f"articles:   {s.documents}")
    typer.echo(f"size:       {s.size_bytes / 1e6:.1f} MB")
    typer.echo(f"dates:      {s.first_date or '-'} .. {s.last_date or '-'}")
    typer.echo(f"entities:   {s.extractor}")


@app.command()
def analyze(
    text: Annotated[str, typer.Argument(help="French text.")],
    as_json: JsonOpt = False,
) -> None:
    """Print the terms the French analyzer makes of TEXT (as indexed and as queried).

    Example:
      searchidx analyze "Les États-Unis et l’OTAN"
    """
    from searchidx.analysis import analyze as run

    terms = run(text)
    typer.echo(json.dumps(terms, ensure_ascii=False) if as_json else " ".join(terms))


@app.command()
def entities(
    source: Annotated[str, typer.Argument(help="A file, or the text itself.")],
    extractor: Annotated[str, typer.Option(help="auto, builtin or spacy.")] = "builtin",
    as_json: JsonOpt = False,
) -> None:
    """Print the people, organisations and places extracted from a file or a text.

    Examples:
      searchidx entities corpus/000_b79cdb675a26dda6.txt
      searchidx entities "M. Macron a reçu Angela Merkel à l'Élysée." --json
    """
    from searchidx.entities import get_extractor

    with _errors():
        path = Path(source)
        text = path.read_text("utf-8", errors="replace") if len(source) < 4096 and path.is_file() else source
        title, _, body = text.strip().partition("\n")
        ext = get_extractor(extractor)
        found = ext.extract(title, body).as_dict() if ext else {"person": [], "org": [], "place": []}
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    for kind, names in found.items():
        typer.echo(f"{kind}: {', '.join(names) if names else '-'}")


@app.command()
def facets(
    field: Annotated[str, typer.Argument(help="person, org, place, source, year or month.")],
    index: IndexOpt = Path(DEFAULT_INDEX),
    prefix: Annotated[str, typer.Option(help="Values with a word starting so (accents and case ignored).")] = "",
    query: Annotated[str, typer.Option("--query", "-q", help="Count within the articles matching this query.")] = "",
    limit: Annotated[int, typer.Option("--limit", "-n")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """List the values of a facet with their article counts.

    Examples:
      searchidx facets person
      searchidx facets person --prefix sto
      searchidx facets place --query "Poutine"
    """
    with _errors(), _open(index) as idx:
        values = idx.facet_values(field, prefix=prefix, query=query, limit=limit)
    if as_json:
        typer.echo(json.dumps([{"value": v.value, "count": v.count} for v in values], ensure_ascii=False, indent=2))
    else:
        for v in values:
            typer.echo(f"{v.count:>7}  {v.value}")
    if not values:
        raise typer.Exit(Exit.NO_RESULT)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
