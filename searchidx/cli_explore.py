"""The exploring commands (`timeline`, `similar`, `related`): thin typer layers over `searchidx.Index`,
registered on the app of `searchidx.cli` (which imports this module)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from searchidx.cli import (
    DEFAULT_INDEX,
    CollectionOpt,
    Exit,
    IndexOpt,
    JsonOpt,
    SolrOpt,
    _complete_facet,
    _complete_pair,
    _emit,
    _errors,
    _open,
    _pairs,
    app,
)

FilterOpt = Annotated[list[str] | None, typer.Option(
    "--filter", help='Keep only FIELD=VALUE, e.g. person="Joe Biden".', autocompletion=_complete_pair)]
ExcludeOpt = Annotated[list[str] | None, typer.Option("--exclude", help="Drop FIELD=VALUE.",
                                                      autocompletion=_complete_pair)]
SinceOpt = Annotated[str | None, typer.Option(help='From this date: 2021, 2021-06, "juin 2021"...')]
UntilOpt = Annotated[str | None, typer.Option(help="Up to this date, included (same forms).")]


@app.command()
def timeline(
    query: Annotated[str, typer.Argument(help="A query, as for search (empty: every article).")] = "",
    index: IndexOpt = Path(DEFAULT_INDEX),
    solr: SolrOpt = None,
    collection: CollectionOpt = None,
    by: Annotated[str | None, typer.Option(
        help="day, week, month or year (default: 10-60 bars over the dates found).")] = None,
    split: Annotated[str | None, typer.Option(
        help="One series per top value of person, org, place or source.")] = None,
    top: Annotated[int, typer.Option(help="Series shown with --split.")] = 5,
    filter_: FilterOpt = None,
    exclude: ExcludeOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    as_json: JsonOpt = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV on stdout: period,label,count,series...")] = False,
    plot: Annotated[str | None, typer.Option(
        help="Also draw the chart to this .png or .svg file (needs matplotlib: pip install 'searchidx[plot]').")]
    = None,
) -> None:
    """Count the matching articles per day, week, month or year (a bar chart on a terminal).

    Same query language, filters and dates as search, so a month's count is search's total for that month.
    Articles without a date are counted apart. JSON: {"query", "by", "total", "undated", "split", "series",
    "buckets": [{"period", "label", "count", "series": {value: count}}]}.

    Examples:

    \b
      searchidx timeline otan
      searchidx timeline "" --by year
      searchidx timeline otan --split person --top 3
      searchidx timeline "" --filter place=geneve --since 2021 --json
      searchidx timeline climat --by month --csv > climat.csv
      searchidx timeline climat --plot climat.png
      searchidx timeline otan --by month --solr http://127.0.0.1:8983/solr --collection news
    """
    from searchidx import render

    with _errors(), _open(index, solr, collection) as idx:
        result = idx.timeline(query, by=by, split=split, top=top, filters=_pairs(filter_, "--filter"),
                              excludes=_pairs(exclude, "--exclude"), since=since, until=until)
        if plot:
            render.plot_timeline(result, plot)

    def plain() -> None:
        if as_csv:
            typer.echo(render.csv_timeline(result), nl=False)
            return
        for line in render.timeline_heading(result):
            typer.echo(line, err=True)
        if render.is_terminal():
            render.print_timeline(result)
        else:
            typer.echo(render.plain_timeline(result), nl=False)

    _emit(as_json, False, result.as_dict(), plain)
    if plot:
        typer.echo(f"chart written to {plot}", err=True)
    if not result.total:
        raise typer.Exit(Exit.NO_RESULT)


@app.command()
def similar(
    id: Annotated[str | None, typer.Argument(help="Article id, as printed by search.")] = None,
    index: IndexOpt = Path(DEFAULT_INDEX),
    text: Annotated[str | None, typer.Option(
        "--text", help="Compare this text instead (first line: its title).")] = None,
    file: Annotated[Path | None, typer.Option(
        "--file", help="Compare the text of this file instead (e.g. a draft).")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="Number of hits.")] = 10,
    offset: Annotated[int, typer.Option(help="Skip this many hits.")] = 0,
    filter_: FilterOpt = None,
    exclude: ExcludeOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    fields: Annotated[str | None, typer.Option(
        "--fields", help="Columns, comma-separated: rank,title,date,source,id,url,score,entities,snippet.")] = None,
    all_versions: Annotated[bool, typer.Option(
        "--all-versions", help="Show every wire copy instead of one hit per group.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List the articles most like a given one (or like a text that is not in the index).

    Closeness: the article's most distinctive words (tf-idf over title and body, through the French
    analyzer) and the people, organisations and places it shares. The article itself and its wire copies
    are left out. Output as search (same JSON).

    Examples:

    \b
      searchidx similar 002_geneve-securite-biden-poutine.txt
      searchidx similar 002_geneve-securite-biden-poutine.txt --since 2022 --limit 3 --json
      searchidx similar --text "Pollution du Rhône : une usine chimique mise en cause à Lyon"
      searchidx similar --file brouillon.txt --fields title,date,id
    """
    from searchidx import render
    from searchidx.errors import UsageError

    with _errors():
        given = sum(x is not None for x in (id, text, file))
        if given != 1:
            raise UsageError("give one of: an article ID, --text TEXT or --file FILE")
        if file is not None:
            try:
                text = file.read_text("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise UsageError(f"cannot read {file}: {getattr(exc, 'strerror', None) or exc}") from exc
        shown_fields = render.parse_fields(fields) if fields else None
        with _open(index) as idx:
            result = idx.similar(id, limit=limit, offset=offset, text=text, filters=_pairs(filter_, "--filter"),
                                 excludes=_pairs(exclude, "--exclude"), since=since, until=until,
                                 all_versions=all_versions)

        def plain() -> None:
            for line in render.summary(result, matched="articles share words or entities with it"):
                typer.echo(line, err=True)
            if render.is_terminal():
                render.print_result(result, shown_fields or render.DEFAULT_FIELDS)
            else:
                typer.echo(render.plain_result(result, shown_fields or render.DEFAULT_FIELDS), nl=False)

        _emit(as_json, False, render.result_record(result, shown_fields), plain)
        if not result.hits:
            raise typer.Exit(Exit.NO_RESULT)


@app.command()
def related(
    field: Annotated[str, typer.Argument(help="person, org or place.", autocompletion=_complete_facet)],
    value: Annotated[str, typer.Argument(help='A name, e.g. "Jens Stoltenberg" or biden (case and accents ignored).')],
    index: IndexOpt = Path(DEFAULT_INDEX),
    solr: SolrOpt = None,
    collection: CollectionOpt = None,
    query: Annotated[str, typer.Option("--query", "-q", help="Count only within the articles matching this query.")]
    = "",
    field_: Annotated[list[str] | None, typer.Option(
        "--field", help="Only related values of this field (person, org, place; repeatable).",
        autocompletion=_complete_facet)] = None,
    by: Annotated[str, typer.Option(help="llr (log-likelihood ratio, default) or count (raw co-occurrence).")]
    = "llr",
    limit: Annotated[int, typer.Option("--limit", "-n")] = 15,
    min_count: Annotated[int, typer.Option(help="Least number of articles together.")] = 2,
    filter_: FilterOpt = None,
    exclude: ExcludeOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the people, organisations and places that appear with an entity more often than chance.

    Ranked by log-likelihood ratio (so the names in every article do not top every list), with the number
    of articles together, the number expected by chance and the score. A partial name resolves to the most
    frequent full name ("biden" -> Joe Biden), and the other candidates are said. JSON: {"field", "value",
    "query", "by", "articles", "considered", "alternatives", "related": [{"field", "value", "count",
    "expected", "score", "total"}]}.

    Examples:

    \b
      searchidx related person "Jens Stoltenberg"
      searchidx related place geneve --field person
      searchidx related person biden --query otan --since 2021 --json
      searchidx related org otan --by count
      searchidx related person biden --solr http://127.0.0.1:8983/solr --collection news
    """
    from searchidx import render

    with _errors(), _open(index, solr, collection) as idx:
        result = idx.related(field, value, query=query, fields=field_ or ("person", "org", "place"), by=by,
                             limit=limit, min_count=min_count, filters=_pairs(filter_, "--filter"),
                             excludes=_pairs(exclude, "--exclude"), since=since, until=until)

    def plain() -> None:
        for line in render.related_heading(result):
            typer.echo(line, err=True)
        if render.is_terminal():
            render.print_related(result)
        else:
            typer.echo(render.plain_related(result), nl=False)

    _emit(as_json, False, result.as_dict(), plain)
    if not result.related:
        raise typer.Exit(Exit.NO_RESULT)
