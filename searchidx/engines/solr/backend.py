"""`SolrBackend`: the `searchidx.backend.Backend` protocol on a SolrCloud collection, so `searchidx.Index`
(and every command) works on ``solr://host:port/collection`` as on a local index: the same `SearchResult`,
`Article`, `FacetValue`, `IndexStats` and `IndexReport`.  Writing is `searchidx.engines.solr.push`.

A search is one request: the compiled query, the filters as ``fq`` (each facet's filter tagged with its
name), the page, the body highlighted for snippets, and the facets through the JSON Facet API with
``domain.excludeTags`` = the facet's own filter (Solr's multi-select faceting = our disjunctive counts),
buckets refined well past the cut so counts merged from shards are exact. As on the local engine, every
article with any of the query's words matches (``+word`` required, ``-word`` excluded); a second request
counts those with every word (``result.complete``). Words are scored over the article as one text (the
``article`` field), and the exact-form, word-pair, coordination, coverage and date rewards are the local ones
in Solr's terms (`searchidx.engines.solr.ranking`; one more request reads the query's document frequencies,
and one the distinct days when a query names a day). Hits carry no ``missing`` words on Solr. Facet values
come back as folded keys; one more request finds how articles write each key shown (``<field>_pair``, the
most frequent form), once per key and object.
Spelling suggestions are not offered on Solr.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from searchidx.analysis import ELISIONS, analyze
from searchidx.backend import SearchRequest, Source
from searchidx.engines.solr.client import SolrClient, parse_solr_url
from searchidx.engines.solr.compile import NOTHING, Compiled, Compiler, date_query, quote
from searchidx.engines.solr.configset import SCHEMA_VERSION
from searchidx.engines.solr.push import check_schema, ensure_collection, push, push_articles
from searchidx.engines.solr.ranking import clause_rewards, date_boost, exact_and_pairs
from searchidx.errors import IndexNotFoundError, UsageError
from searchidx.fields import check_facet, facet_key
from searchidx.models import Article, Entities, FacetValue, Hit, IndexReport, IndexStats, Problem, SearchResult
from searchidx.query import cues
from searchidx.query.dates import since_range, until_range
from searchidx.query.parse import parse
from searchidx.query.tree import Query

if TYPE_CHECKING:
    from searchidx.entities import Extractor
    from searchidx.explore.related import Related
    from searchidx.explore.timeline import Timeline

__all__ = ["SolrBackend"]

SNIPPET_CHARS = 240
SHARDS = 2  # of a collection created by `SolrBackend.create` (``searchidx solr push`` has options)
REPLICAS = 2
_ELIDED = re.compile(r"<em>((?:" + "|".join(sorted(ELISIONS, key=len, reverse=True)) + r")['’ʼ‘＇])", re.I)
_FL = "id,title,date,source,url,person,org,place,score"


class SolrBackend:
    """A searchidx collection on SolrCloud (see the module docstring)."""

    def __init__(self, client: SolrClient, collection: str, extractor: str = "none") -> None:
        self.client = client
        self.collection = collection
        self._created_with = extractor
        self._compiler = Compiler(self._names)
        self._shown: dict[str, dict[str, str]] = defaultdict(dict)  # facet -> key -> display form

    @classmethod
    def open(cls, location: str) -> SolrBackend:
        """``solr://host:port/collection``: `IndexNotFoundError` (exit 3) when the collection does not exist,
        `SolrUnavailableError` (exit 3) when no node answers."""
        base, name = parse_solr_url(location)
        if not name:
            raise UsageError(f"no collection in {location!r}; write solr://host:port/collection")
        client = SolrClient(base)
        if name not in client.collections():
            raise IndexNotFoundError(f"no collection {name!r} on {base}; run `searchidx solr push` to create it")
        check_schema(client, name)
        return cls(client, name)

    @classmethod
    def create(cls, location: str, extractor: str, *, overwrite: bool = False) -> SolrBackend:
        """A new collection (`SHARDS` x `REPLICAS`) with the searchidx configset; with ``overwrite`` an existing
        one is deleted first."""
        base, name = parse_solr_url(location)
        if not name:
            raise UsageError(f"no collection in {location!r}; write solr://host:port/collection")
        client = SolrClient(base)
        if overwrite and name in client.collections():
            client.delete_collection(name)
        if not ensure_collection(client, name, SHARDS, REPLICAS):
            raise UsageError(f"collection {name!r} already exists on {base}; open it, or pass overwrite=True")
        return cls(client, name, extractor)

    @property
    def extractor(self) -> str:
        """The extractor named in the collection's articles (the one given at creation while it is empty)."""
        found = self._select({"q": "*:*", "rows": 0, "facet": "true", "facet.field": "extractor",
                              "facet.limit": 1})["facet_counts"]["facet_fields"]["extractor"]
        return str(found[0]) if found else self._created_with

    def add(self, sources: Iterable[Source], extractor: Extractor | None, *,
            on_problem: Callable[[Problem], None] | None = None, progress: Callable[[int], None] | None = None,
            prune: bool = True, commit_every: int = 0, wait: float = 0.0) -> IndexReport:
        """`searchidx.engines.solr.push`: files and folders as `push`, articles as they are (``commit_every``
        and ``wait`` do not apply: Solr commits each push, and accepts concurrent writers)."""
        name = extractor.name if extractor else "none"
        sources = list(sources)  # read twice below: a generator would lose its paths
        articles = [s for s in sources if isinstance(s, Article)]
        paths = [str(s) for s in sources if not isinstance(s, Article)]
        report = IndexReport()
        if articles:
            report = push_articles(self.client, self.collection, ((a, "") for a in articles), extractor, name,
                                   on_problem=on_problem, progress=progress)
        if paths:
            more = push(self.client, self.collection, paths, extractor, name, prune=prune, on_problem=on_problem,
                        progress=progress)
            for attr in ("added", "updated", "removed", "unchanged", "skipped", "seconds"):
                setattr(report, attr, getattr(report, attr) + getattr(more, attr))
            report.problems += more.problems
        return report

    def suggest(self, query: Query) -> str | None:
        """Spelling suggestions are local only: always None."""
        return None

    def count(self) -> int:
        return int(self._select({"q": "*:*", "rows": 0})["response"]["numFound"])

    def close(self) -> None:
        self.client.close()

    # -- reading ---------------------------------------------------------------------------------------
    def compile(self, query: Query | str) -> Compiled:
        return self._compiler.compile(parse(query) if isinstance(query, str) else query)

    def _select(self, params: Mapping[str, Any], body: Any = None) -> dict[str, Any]:
        return self.client.select(self.collection, {"q.op": "OR", **params}, body)

    def _names(self, name: str, regex: str) -> list[str]:
        """Keys of facet ``name`` that fully match ``regex``, in key order (partial entity names)."""
        data = self._select({"q": "*:*", "rows": 0, "facet": "true", "facet.field": f"{name}_key",
                             "facet.matches": regex, "facet.limit": 200, "facet.mincount": 1,
                             "facet.sort": "index"})
        flat = data["facet_counts"]["facet_fields"][f"{name}_key"]
        return [str(v) for v in flat[0::2]]

    def search(self, request: SearchRequest) -> SearchResult:
        """See `searchidx.backend.Backend.search` (wire copies are not folded on Solr)."""
        parsed = self.compile(request.tree)
        sort, offset, limit, facets = str(request.sort), request.offset, request.limit, request.facets
        for name in facets:
            check_facet(name)
        fqs = _filter_queries(request.filters, request.excludes, request.since, request.until)
        params: dict[str, Any] = {
            "q.op": "OR", "fq": fqs, "start": offset, "rows": limit, "fl": _FL,
            "sort": {"relevance": "score desc,id asc", "date": "date asc,id asc", "-date": "date desc,id asc"}[sort],
            "hl": "true", "hl.fl": "body", "hl.method": "unified", "hl.snippets": 2,
            "hl.fragsize": SNIPPET_CHARS, "hl.tag.pre": "<em>", "hl.tag.post": "</em>", "hl.defaultSummary": "false",
            "hl.bs.type": "WORD", "hl.maxAnalyzedChars": 1 << 15,
        }
        body = {"facet": {name: _facet(name, request.facet_limit) for name in facets}} if facets else None
        complete: int | None = None
        whole = parsed.browse or parsed.loose == parsed.strict  # no optional word: every match has them all
        ranked = sort == "relevance" and not parsed.browse
        q = parsed.strict if whole else f"+({parsed.loose})"  # as the local engine: any word matches
        query = {"q": q}
        if ranked:  # the query's own words and word pairs, each word it has (coordination, coverage), its day
            texts = parsed.tree.texts
            stems = [(text, analyze(text, mode="query")) for text in texts]  # once, for every reward
            rewards = exact_and_pairs(stems) + clause_rewards(parsed.optional, dict(stems), self._frequencies)
            if rewards:
                query["q"] = f"+({q}){rewards}" if whole else q + rewards
            if wanted := cues.cues(" ".join(texts)):
                query.update(date_boost(query["q"], wanted, self._days()))
            query["hl.q"] = q  # highlighted: the words, not the rewards' fields
        data = self._select({**params, **query}, body)
        if not whole:
            counted = self._select({"q.op": "OR", "q": parsed.strict, "fq": fqs, "rows": 0})
            complete = int(counted["response"]["numFound"])
        fallback = complete == 0 and bool(data["response"]["numFound"])
        hits = self._hits(data, offset, sort)
        buckets = {name: data.get("facets", {}).get(name, {}).get("buckets", []) for name in facets}
        keyed = {name: [(str(b["val"]), int(b["count"])) for b in found] for name, found in buckets.items()}
        shown = self._display({name: [k for k, _ in pairs] for name, pairs in keyed.items()})
        counted = {name: [FacetValue(shown[name].get(k, k), n) for k, n in pairs] for name, pairs in keyed.items()}
        return SearchResult(query=parsed.text, total=int(data["response"]["numFound"]), hits=hits, facets=counted,
                            fallback=fallback, complete=complete, offset=offset, limit=limit)

    def _frequencies(self, stems: Iterable[str]) -> tuple[dict[str, int], int]:
        """Each stem's document frequency in the body, and the number of articles: one request."""
        wanted = sorted(set(stems))
        facets = {f"s{i}": {"type": "query", "q": f"{{!term f=body v=$t{i}}}"} for i in range(len(wanted))}
        data = self._select({"q": "*:*", "rows": 0, **{f"t{i}": stem for i, stem in enumerate(wanted)}},
                            {"facet": facets} if facets else None)
        found = data.get("facets", {})
        return ({stem: int(found.get(f"s{i}", {}).get("count", 0)) for i, stem in enumerate(wanted)},
                int(data["response"]["numFound"]))

    def _days(self) -> list[str]:
        """The collection's distinct ``date`` values (for a query naming a day: `date_boost`)."""
        data = self._select({"q": "*:*", "rows": 0}, {"facet": {"days": {"type": "terms", "field": "date",
                                                                        "limit": -1, "mincount": 1}}})
        return [str(b["val"]) for b in data.get("facets", {}).get("days", {}).get("buckets", [])]

    def _hits(self, data: dict[str, Any], offset: int, sort: str) -> list[Hit]:
        highlights = data.get("highlighting", {})
        hits = []
        for rank, doc in enumerate(data["response"]["docs"], start=offset + 1):
            fragments = [f for f in highlights.get(doc["id"], {}).get("body", []) if f]
            hits.append(Hit(
                id=str(doc["id"]),
                title=str(doc.get("title", "")),
                score=round(float(doc.get("score", 0.0)), 4) if sort == "relevance" else 0.0,
                snippet=_ELIDED.sub(r"\1<em>", " ".join(" … ".join(fragments).split())) if fragments else "",
                date=doc.get("date") or None,
                source=doc.get("source"),
                url=doc.get("url"),
                entities=_entities(doc),
                rank=rank,
            ))
        if any(not h.snippet for h in hits):
            hits = self._lead_snippets(hits)
        return hits

    def _lead_snippets(self, hits: list[Hit]) -> list[Hit]:
        """The body's first words for hits without a highlighted passage (as locally)."""
        import dataclasses

        ids = [h.id for h in hits if not h.snippet]
        data = self._select({"q": "id:(" + " OR ".join(quote(i) for i in ids) + ")", "fl": "id,body,lede",
                             "rows": len(ids)})
        bodies = {str(d["id"]): _article_body(d) for d in data["response"]["docs"]}
        out = []
        for h in hits:
            if not h.snippet:
                body = bodies.get(h.id, "")
                text = body[:SNIPPET_CHARS]
                if len(body) > SNIPPET_CHARS:
                    text = text.rsplit(" ", 1)[0] + " …"
                h = dataclasses.replace(h, snippet=" ".join(text.split()))
            out.append(h)
        return out

    def _display(self, wanted: dict[str, list[str]]) -> dict[str, dict[str, str]]:
        """How articles write each key: its most frequent form (ties: the first in order). One request for
        the keys not seen before by this object, for every facet at once."""
        missing = {name: [k for k in keys if k not in self._shown[name]] for name, keys in wanted.items()}
        missing = {name: keys for name, keys in missing.items() if keys}
        if missing:
            params: dict[str, Any] = {"q": "*:*", "rows": 0, "facet": "true", "facet.limit": -1, "facet.mincount": 1,
                                      "facet.sort": "count", "facet.field": [f"{n}_pair" for n in missing]}
            for name, keys in missing.items():
                params[f"f.{name}_pair.facet.matches"] = "(?:" + "|".join(re.escape(k) for k in keys) + ")\x1f.*"
            fields = self._select(params)["facet_counts"]["facet_fields"]
            for name in missing:
                for pair in fields[f"{name}_pair"][0::2]:
                    key, _, form = str(pair).partition("\x1f")
                    self._shown[name].setdefault(key, form)
        return {name: self._shown[name] for name in wanted}

    def facet_values(self, name: str, *, prefix: str = "", query: Query | None = None,
                     limit: int | None = 20) -> list[FacetValue]:
        """See `searchidx.backend.Backend.facet_values`."""
        check_facet(name)
        parsed = self.compile(query if query is not None else "")
        q = parsed.loose  # the articles `search` counts: any word (``+word`` required, ``-word`` excluded)
        wanted = facet_key(prefix)
        params: dict[str, Any] = {"q": q, "rows": 0, "facet": "true", "facet.field": f"{name}_key",
                                  "facet.limit": -1 if limit is None else limit, "facet.mincount": 1,
                                  "facet.sort": "count"}
        if wanted:
            params["facet.matches"] = f"(?:{re.escape(wanted)}|.*[ -]{re.escape(wanted)}).*"
        flat = self._select(params)["facet_counts"]["facet_fields"][f"{name}_key"]
        keyed = list(zip((str(k) for k in flat[0::2]), (int(n) for n in flat[1::2]), strict=True))
        shown = self._display({name: [k for k, _ in keyed]})[name]
        return [FacetValue(shown.get(k, k), n) for k, n in keyed]

    def get(self, id: str) -> Article | None:
        data = self._select({"q": f"id:{quote(id)}", "fl": "*", "rows": 1})
        docs = data["response"]["docs"]
        if not docs:
            return None
        doc = docs[0]
        return Article(id=str(doc["id"]), title=str(doc.get("title", "")), body=_article_body(doc),
                       date=doc.get("date") or None, source=doc.get("source"), url=doc.get("url"),
                       author=doc.get("author"), section=doc.get("section"), lede=doc.get("lede"),
                       path=doc.get("path"), entities=_entities(doc))

    # -- exploring: counted by Solr's facets (`searchidx.engines.solr.explore`) -----------------------------
    def timeline(self, request: SearchRequest, *, by: str | None = None, split: str | None = None,
                 top: int = 5) -> Timeline:
        from searchidx.engines.solr import explore

        return explore.timeline(self, request, by=by, split=split, top=top)

    def related(self, name: str, value: str, request: SearchRequest | None, *, fields: Sequence[str],
                by: str = "llr", limit: int = 10, min_count: int = 2, query: str = "") -> Related:
        from searchidx.engines.solr import explore

        return explore.related(self, name, value, request, fields=fields, by=by, limit=limit,
                               min_count=min_count, query=query)

    def stats(self) -> IndexStats:
        first = self._select({"q": "date:*", "rows": 1, "fl": "date", "sort": "date asc"})["response"]
        last = self._select({"q": "date:*", "rows": 1, "fl": "date", "sort": "date desc"})["response"]
        size = self.client.index_bytes(self.collection)
        return IndexStats(
            path=f"{self.client.url}/{self.collection}",
            documents=self.count(),
            size_bytes=size,
            first_date=first["docs"][0]["date"] if first["docs"] else None,
            last_date=last["docs"][0]["date"] if last["docs"] else None,
            extractor=self.extractor,
            schema_version=SCHEMA_VERSION,
        )


def _facet(name: str, limit: int) -> dict[str, Any]:
    """A JSON terms facet: each shard sends (and, to refine, is asked for) 100+ more buckets than shown, so a
    value just below the cut on every shard is still counted in full before the top ``limit`` are chosen
    (Solr's defaults refine only ~10% more: 29 of 800 facet lists differed on 5,000 articles)."""
    extra = max(4 * limit, 100)
    return {"type": "terms", "field": f"{name}_key", "limit": limit, "mincount": 1, "sort": "count desc",
            "refine": True, "overrequest": extra, "overrefine": extra, "domain": {"excludeTags": f"f_{name}"}}


def _filter_queries(filters: Mapping[str, Sequence[str]], excludes: Mapping[str, Sequence[str]],
                    since: str | None, until: str | None) -> list[str]:
    """``fq`` parameters: one per filtered facet (tagged, so its own counts ignore it), dates, exclusions."""
    out = []
    for name, values in filters.items():
        if not values:
            continue
        check_facet(name)
        keys = [facet_key(v) for v in values if facet_key(v)]
        clause = "(" + " OR ".join(f"{name}_key:{quote(k)}" for k in keys) + ")" if keys else NOTHING
        out.append(f"{{!tag=f_{name}}}{clause}")
    if since or until:
        r = since_range(since) if since else None
        if until:
            r = until_range(until) if r is None else r & until_range(until)
        assert r is not None
        out.append(date_query(r))
    for name, values in excludes.items():
        check_facet(name)
        keys = [facet_key(v) for v in values if facet_key(v)]
        if keys:
            out.append("*:* -(" + " OR ".join(f"{name}_key:{quote(k)}" for k in keys) + ")")
    return out


def _entities(doc: dict[str, Any]) -> Entities:
    grouped: dict[str, list[str]] = defaultdict(list)
    for name in ("person", "org", "place"):
        grouped[name] = [str(v) for v in doc.get(name, [])]
    return Entities.from_dict(dict(grouped))


def _article_body(doc: dict[str, Any]) -> str:
    """The article's own text: the indexed body holds the lede first."""
    body, lede = str(doc.get("body", "")), doc.get("lede")
    return body[len(lede) + 2:] if lede and body.startswith(f"{lede}\n\n") else body

