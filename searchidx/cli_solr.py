"""`searchidx solr ...`: the SolrCloud commands (configset, push), thin over `searchidx.engines.solr`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from searchidx.cli import DEFAULT_CORPUS, Exit, _errors, _progress

solr_app = typer.Typer(name="solr", no_args_is_help=True, rich_markup_mode=None,
                       help="Carry the index over to a SolrCloud cluster (needs the [solr] extra).")

SolrOpt = Annotated[str, typer.Option("--solr", envvar="SEARCHIDX_SOLR",
                                      help="Solr base URL, e.g. http://127.0.0.1:8983/solr.")]
PUSH_ATTEMPTS = 9  # back-off 0.25 s doubling: a push waits up to ~2 min for a new shard leader (node loss)
CollectionOpt = Annotated[str, typer.Option("--collection", "-c", help="Collection name.")]


@solr_app.command()
def configset(folder: Annotated[Path, typer.Argument(help="Folder to write the configset into.")]) -> None:
    """Write the Solr configset (managed schema mirroring the French analyzer, stop list, stem overrides).

    Examples:

    \b
      searchidx solr configset build/searchidx-conf
      solr zk upconfig -n searchidx -d build/searchidx-conf
    """
    from searchidx.engines.solr.configset import write_configset

    with _errors():
        for path in write_configset(folder):
            typer.echo(str(path))


@solr_app.command()
def push(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: corpus/).")] = None,
    solr: SolrOpt = "",
    collection: CollectionOpt = "searchidx",
    shards: Annotated[int, typer.Option(help="Shards of a new collection.")] = 2,
    replicas: Annotated[int, typer.Option(help="Replicas of each shard of a new collection.")] = 2,
    from_index: Annotated[Path | None, typer.Option(
        "--from-index", help="Send this local index (no file read, entities as indexed).")] = None,
    entities: Annotated[str, typer.Option(help="auto, builtin, spacy or none.")] = "auto",
    prune: Annotated[bool, typer.Option(help="Remove articles of files no longer in the given folders.")] = True,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1, not 5, when a file or line had a problem.")] = False,
    recreate: Annotated[bool, typer.Option("--recreate", help="Delete the collection first and send everything "
                                           "(after an upgrade changed its schema).")] = False,
) -> None:
    """Send articles to a SolrCloud collection (created with its configset if needed); only new and changed
    articles move, and the collection itself keeps what was sent.

    Examples:

    \b
      searchidx solr push corpus/ --solr http://127.0.0.1:8983/solr --collection news
      searchidx solr push --from-index index/ --solr http://127.0.0.1:8983/solr -c news --shards 4
      searchidx solr push corpus/ --solr http://127.0.0.1:8983/solr -c news --recreate
    """
    from searchidx.engines.solr.client import SolrClient
    from searchidx.engines.solr.push import ensure_collection, from_local_index, push_articles
    from searchidx.engines.solr.push import push as push_files
    from searchidx.errors import UsageError

    with _errors():
        if not solr:
            raise UsageError("--solr URL (or SEARCHIDX_SOLR) is needed, e.g. http://127.0.0.1:8983/solr")
        client = SolrClient(solr, attempts=PUSH_ATTEMPTS)
        sources = [str(p) for p in (paths or [Path(DEFAULT_CORPUS)])]
        if from_index is not None and paths:
            raise UsageError("give either PATHS or --from-index, not both")
        if recreate and collection in client.collections():
            client.delete_collection(collection)
        ensure_collection(client, collection, shards, replicas)
        echo = lambda p: typer.echo(str(p), err=True)  # noqa: E731 - "path:line: reason", as `index`
        if from_index is not None:
            name, articles = from_local_index(from_index)
            with _progress(None) as tick:
                report = push_articles(client, collection, articles, None, name, on_problem=echo, progress=tick,
                                       entities_known=True)
        else:
            from searchidx.index import _get_extractor

            extractor = _get_extractor(entities)
            name = extractor.name if extractor else "none"
            with _progress(sources) as tick:
                report = push_files(client, collection, sources, extractor, name, prune=prune, on_problem=echo,
                                    progress=tick)
        rate = report.indexed / report.seconds if report.seconds else 0.0
        typer.echo(f"{report.added} added, {report.updated} updated, {report.removed} removed, "
                   f"{report.unchanged} unchanged, {len(report.problems)} problems; collection {collection} "
                   f"({report.seconds:.1f} s, {rate:,.0f} articles/s)", err=True)
        if report.problems:
            raise typer.Exit(Exit.NO_RESULT if strict else Exit.WARNINGS)
