"""Terminal output of results, facets and articles: rich on a terminal, plain text when piped.

Why rich is imported only inside the terminal functions: it costs ~0.1 s to import, and ``--json`` or
piped output must start fast. Plain output and record shaping use no third-party module.
``SEARCHIDX_TTY=1`` (or ``0``) forces terminal (or plain) output, for tests and for ``| less -R``.
"""

from __future__ import annotations

import os
import re
import sys
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from searchidx.errors import UsageError
from searchidx.models import Article, FacetValue, Hit, SearchResult
from searchidx.query.dates import format_date

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from searchidx.explore.related import Related
    from searchidx.explore.timeline import Timeline

__all__ = [
    "ALL_FIELDS", "DEFAULT_FIELDS", "hit_record", "is_terminal", "parse_fields", "plain_article", "plain_facets",
    "plain_result", "print_article", "print_facet_values", "print_result", "snippet_lines", "summary",
]

#: Columns ``--fields`` may choose, in display order.
ALL_FIELDS: tuple[str, ...] = ("rank", "title", "date", "source", "id", "url", "score", "entities", "snippet")
DEFAULT_FIELDS: tuple[str, ...] = ("rank", "title", "date", "source", "id", "entities", "snippet")
_EM = re.compile(r"<em>(.*?)</em>")
BAR_WIDTH = 20
SNIPPET_LINES = 2


def is_terminal(stream: Any = None) -> bool:
    """Whether to draw for a terminal: ``SEARCHIDX_TTY`` when set, else whether stdout is one."""
    forced = os.environ.get("SEARCHIDX_TTY", "").strip().lower()
    if forced in ("1", "true", "yes", "always"):
        return True
    if forced in ("0", "false", "no", "never"):
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def parse_fields(spec: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"title,date"`` -> ("title", "date"); unknown names are a usage error listing the known ones."""
    if not spec:
        return DEFAULT_FIELDS
    items = spec.split(",") if isinstance(spec, str) else [x for s in spec for x in s.split(",")]
    names = tuple(dict.fromkeys(x.strip().lower() for x in items if x.strip()))
    if not names:
        return DEFAULT_FIELDS
    unknown = [n for n in names if n not in ALL_FIELDS]
    if unknown:
        raise UsageError(f"unknown field {unknown[0]!r} for --fields; choose from: {', '.join(ALL_FIELDS)}")
    return names


def hit_record(hit: Hit, fields: Sequence[str] | None = None) -> dict[str, Any]:
    """A hit as a JSON object, restricted to ``fields`` (all when None); the query words it lacks are always
    said (``"missing"``, when there are some)."""
    data = hit.as_dict()
    if fields is None:
        return data
    return {k: data[k] for k in (*fields, *(("missing",) if hit.missing else ())) if k in data}


def result_record(result: SearchResult, fields: Sequence[str] | None = None) -> dict[str, Any]:
    data = result.as_dict()
    if fields is not None:
        data["hits"] = [hit_record(h, fields) for h in result.hits]
    return data


def summary(result: SearchResult, original: str | None = None, matched: str = "articles match") -> list[str]:
    """The lines said on stderr around results: counts, fallback, suggestion or correction."""
    lines = []
    if original is not None and result.query != original:
        lines.append(f"Résultats pour : {result.query} (au lieu de : {original})")
    elif result.suggestion:
        lines.append(f"Vouliez-vous dire : {result.suggestion} ?")
    if result.fallback:
        lines.append("No article has every word; showing articles with any of them.")
    shown = f"{result.offset + 1}-{result.offset + len(result.hits)}" if result.hits else "0"
    folded = sum(h.versions for h in result.hits)
    every = "" if result.complete in (None, result.total) or result.fallback else \
        f" ({result.complete} with every word)"
    lines.append(f"{result.total} {matched}{every}; showing {shown}."
                 + (f" {folded} wire copies folded (--all-versions shows them)." if folded else ""))
    return lines


def versions_note(hit: Hit) -> str:
    """The line under a hit that stands for its folded wire copies."""
    n = hit.versions
    return f"+ {n} version{'s' if n > 1 else ''} (searchidx show {hit.id} --versions)"


def missing_line(words: Sequence[str]) -> str:
    """What a hit lacks of the query's words, as web search engines say it: "manque : sommet"."""
    return "manque : " + ", ".join(words)


def _entity_tags(hit_entities: Any) -> list[str]:
    return [name for kind in ("person", "org", "place") for name in getattr(hit_entities, kind)]


def _meta(date: str | None, source: str | None, id: str | None, fields: Sequence[str]) -> list[str]:
    out = []
    if "date" in fields and date:
        out.append(format_date(date))
    if "source" in fields and source:
        out.append(source)
    if "id" in fields and id:
        out.append(id)
    return out


# -- plain text ----------------------------------------------------------------------------------------

def _unmark(snippet: str) -> str:
    return _EM.sub(r"*\1*", snippet)


def plain_result(result: SearchResult, fields: Sequence[str] = DEFAULT_FIELDS) -> str:
    """Results as plain text (no colour, no width): one block per hit, then the facet counts."""
    out: list[str] = []
    for hit in result.hits:
        head = f"{hit.rank:>3}. " if "rank" in fields else ""
        if "title" in fields:
            out.append(head + hit.title)
            head = ""
        pad = "     " if "rank" in fields else ""
        meta = _meta(hit.date, hit.source, hit.id, fields)
        if "score" in fields:
            meta.append(f"score {hit.score:g}")
        if meta:
            out.append((head or pad) + " · ".join(meta))
            head = ""
        if hit.versions:
            out.append(pad + versions_note(hit))
        if "url" in fields and hit.url:
            out.append(pad + hit.url)
        if "entities" in fields and hit.entities:
            out.append(pad + " ".join("#" + t for t in _entity_tags(hit.entities)))
        if hit.missing:
            out.append(pad + missing_line(hit.missing))
        if "snippet" in fields and hit.snippet:
            out.append(pad + _unmark(hit.snippet))
        out.append("")
    text = "\n".join(out)
    if result.facets:
        text += plain_facets(result.facets)
    return text


def plain_facets(facets: dict[str, list[FacetValue]]) -> str:
    out = []
    for name, values in facets.items():
        out.append(f"{name}:")
        out.extend(f"  {v.count:>6}  {v.value}" for v in values)
    return "\n".join(out) + "\n" if out else ""


def plain_versions(articles: Sequence[Article]) -> str:
    """The wire copies of an article, one line each: French date, source, id, title."""
    out = [f"{len(articles)} version{'s' if len(articles) > 1 else ''}:"]
    for a in articles:
        out.append("  " + " · ".join(x for x in (format_date(a.date), a.source, a.id, a.title) if x))
    return "\n".join(out)


def plain_article(article: Article) -> str:
    lines = [article.title, " · ".join(x for x in (format_date(article.date), article.source, article.id) if x)]
    for kind, names in article.entities.as_dict().items():
        if names:
            lines.append(f"{kind}: {', '.join(names)}")
    lines += ["", article.body]
    return "\n".join(lines)


# -- terminal (rich) -----------------------------------------------------------------------------------

def console(stderr: bool = False) -> Console:
    """A rich console (imports rich); honours ``SEARCHIDX_TTY`` and ``NO_COLOR``."""
    from rich.console import Console

    return Console(stderr=stderr, force_terminal=True if is_terminal() else None, highlight=False,
                   soft_wrap=False)


def snippet_lines(snippet: str, width: int, lines: int = SNIPPET_LINES) -> list[list[tuple[str, bool]]]:
    """The snippet word-wrapped to ``width`` and cut to ``lines`` lines (ending in "…" when cut), each line
    a list of (text, matched) pieces, so a renderer can highlight the ``<em>`` words."""
    plain_parts: list[str] = []
    marks: list[tuple[int, int]] = []
    pos = 0
    for i, part in enumerate(_EM.split(snippet)):
        if i % 2:
            marks.append((pos, pos + len(part)))
        plain_parts.append(part)
        pos += len(part)
    plain = "".join(plain_parts)
    wrapped = textwrap.wrap(plain, width=max(width, 10), break_long_words=True, break_on_hyphens=False)
    cut = len(wrapped) > lines
    wrapped = wrapped[:lines]
    if cut and wrapped:
        last = wrapped[-1]
        while len(last) + 2 > width and " " in last:
            last = last.rsplit(" ", 1)[0]
        wrapped[-1] = last[: max(width - 2, 1)]
    out: list[list[tuple[str, bool]]] = []
    start = 0
    for n, line in enumerate(wrapped):
        begin = plain.find(line, start)
        if begin < 0:  # textwrap changed the spacing: give up highlighting this line
            out.append([(line, False)])
            continue
        end = begin + len(line)
        start = end
        pieces: list[tuple[str, bool]] = []
        cursor = begin
        for a, b in marks:
            if b <= cursor or a >= end:
                continue
            a, b = max(a, cursor), min(b, end)
            if a > cursor:
                pieces.append((plain[cursor:a], False))
            pieces.append((plain[a:b], True))
            cursor = b
        if cursor < end:
            pieces.append((plain[cursor:end], False))
        if cut and n == len(wrapped) - 1:
            pieces.append((" …", False))
        out.append(pieces)
    return out


def _snippet_text(snippet: str, width: int) -> list[Text]:
    from rich.text import Text

    out = []
    for pieces in snippet_lines(snippet, width):
        line = Text()
        for text, em in pieces:
            line.append(text, style="bold yellow" if em else "")
        out.append(line)
    return out


def print_result(result: SearchResult, fields: Sequence[str] = DEFAULT_FIELDS, out: Console | None = None) -> None:
    """Results for a terminal: rank, bold title, French date and source, entity tags, two-line snippet."""
    from rich.text import Text

    out = out or console()
    indent = "     " if "rank" in fields else ""
    width = max(out.width - len(indent), 20)
    for hit in result.hits:
        first = Text()
        if "rank" in fields:
            first.append(f"{hit.rank:>3}. ", style="dim")
        if "title" in fields:
            first.append(hit.title, style="bold")
            out.print(first, overflow="ellipsis", no_wrap=True)
            first = Text(indent)
        meta = Text(first.plain if first.plain.strip() else indent)
        parts = _meta(hit.date, hit.source, hit.id, fields)
        if "score" in fields:
            parts.append(f"score {hit.score:g}")
        styles = {"date": "cyan", "source": "green", "id": "dim"}
        kinds = [k for k in ("date", "source", "id") if k in fields and getattr(hit, k)]
        for i, part in enumerate(parts):
            if i:
                meta.append(" · ", style="dim")
            meta.append(part, style=styles.get(kinds[i], "dim") if i < len(kinds) else "dim")
        if parts:
            out.print(meta, overflow="ellipsis", no_wrap=True)
        if hit.versions:
            out.print(Text(indent + versions_note(hit), style="magenta"), overflow="ellipsis", no_wrap=True)
        if "url" in fields and hit.url:
            out.print(Text(indent + hit.url, style="blue underline"), overflow="ellipsis", no_wrap=True)
        if "entities" in fields and hit.entities:
            tags = Text(indent)
            for i, name in enumerate(_entity_tags(hit.entities)):
                tags.append(("  " if i else "") + "#" + name, style="dim")
            out.print(tags, overflow="ellipsis", no_wrap=True)
        if hit.missing:
            out.print(Text(indent + missing_line(hit.missing), style="dim italic"), overflow="ellipsis", no_wrap=True)
        if "snippet" in fields and hit.snippet:
            for line in _snippet_text(hit.snippet, width):
                out.print(Text(indent) + line, no_wrap=True, overflow="ignore")
        out.print()
    if result.facets:
        print_facets(result.facets, out)


def _bar(count: int, top: int) -> str:
    if top <= 0:
        return ""
    eighths = round(count / top * BAR_WIDTH * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + ("" if not rest else " ▏▎▍▌▋▊▉"[rest]) if eighths else "▏"


def _facet_lines(name: str, values: Sequence[FacetValue], out: Console) -> None:
    from rich.text import Text

    out.print(Text(name, style="bold underline"))
    if not values:
        out.print(Text("  -", style="dim"))
        return
    top = max(v.count for v in values)
    label = min(max(len(v.value) for v in values), 32)
    digits = len(str(top))
    for v in values:
        shown = v.value if len(v.value) <= label else v.value[: label - 1] + "…"
        line = Text("  ")
        line.append(shown.ljust(label))
        line.append(f"  {v.count:>{digits}}  ", style="bold")
        line.append(_bar(v.count, top), style="cyan")
        out.print(line, no_wrap=True, overflow="ellipsis")


def print_facets(facets: dict[str, list[FacetValue]], out: Console | None = None) -> None:
    """Facet counts as compact tables: value, count, and a bar scaled to the top count."""
    out = out or console()
    for i, (name, values) in enumerate(facets.items()):
        if i:
            out.print()
        _facet_lines(name, values, out)


def print_facet_values(name: str, values: Sequence[FacetValue], out: Console | None = None) -> None:
    _facet_lines(name, values, out or console())


def print_article(article: Article, out: Console | None = None) -> None:
    from rich.text import Text

    out = out or console()
    out.print(Text(article.title, style="bold"))
    meta = Text()
    for i, (part, style) in enumerate(
        (p, s) for p, s in ((format_date(article.date), "cyan"), (article.source or "", "green"),
                            (article.id, "dim")) if p
    ):
        if i:
            meta.append(" · ", style="dim")
        meta.append(part, style=style)
    out.print(meta)
    tags = _entity_tags(article.entities)
    if tags:
        out.print(Text("  ".join("#" + t for t in tags), style="dim"))
    out.print()
    for para in article.body.split("\n"):
        out.print(para)


# -- timelines -----------------------------------------------------------------------------------------

_BY_FR = {"day": "jour", "week": "semaine", "month": "mois", "year": "année"}


def timeline_heading(timeline: Timeline) -> list[str]:
    """The lines said on stderr around a timeline: what is counted, and the undated articles."""
    lines = []
    if timeline.fallback:
        lines.append("No article has every word; counting articles with any of them.")
    lines.append(f"{timeline.total} articles match; par {_BY_FR[timeline.by]}, "
                 f"{len(timeline.buckets)} périodes.")
    if timeline.undated:
        plural = "s" if timeline.undated > 1 else ""
        precision = {"day": " au jour près", "week": " au jour près", "month": " au mois près"}.get(timeline.by, "")
        lines.append(f"{timeline.undated} article{plural} sans date{precision} (non compté{plural} dans les périodes).")
    return lines


def plain_timeline(timeline: Timeline) -> str:
    """A timeline as plain text: French period label, count, then each series' count."""
    width = max((len(b.label) for b in timeline.buckets), default=0)
    out = []
    if timeline.series:
        out.append(" " * width + "  " + "total  " + "  ".join(timeline.series))
    for b in timeline.buckets:
        line = f"{b.label.ljust(width)}  {b.count:>5}"
        if timeline.series:
            line += "  " + "  ".join(f"{b.series[n]:>{len(n)}}" for n in timeline.series)
        out.append(line)
    return "\n".join(out) + "\n" if out else ""


def csv_timeline(timeline: Timeline) -> str:
    """A timeline as CSV: period, label, count, one column per series; undated articles on a last row."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["period", "label", "count", *timeline.series])
    for b in timeline.buckets:
        writer.writerow([b.period, b.label, b.count, *(b.series[n] for n in timeline.series)])
    if timeline.undated:
        writer.writerow(["undated", "sans date", timeline.undated, *("" for _ in timeline.series)])
    return buffer.getvalue()


_SERIES_STYLES = ("magenta", "green", "yellow", "blue", "red", "cyan")


def print_timeline(timeline: Timeline, out: Console | None = None) -> None:
    """A timeline for a terminal: one bar per period, French labels, counts, and the series' counts."""
    from rich.text import Text

    out = out or console()
    if not timeline.buckets:
        out.print(Text("  -", style="dim"))
        return
    top = max(b.count for b in timeline.buckets)
    label = max(len(b.label) for b in timeline.buckets)
    digits = len(str(top))
    if timeline.series:
        head = Text(" " * (label + digits + BAR_WIDTH + 6))
        for i, name in enumerate(timeline.series):
            head.append("  " + name, style=_SERIES_STYLES[i % len(_SERIES_STYLES)] + " bold")
        out.print(head, no_wrap=True, overflow="ellipsis")
    for b in timeline.buckets:
        line = Text("  ")
        line.append(b.label.rjust(label))
        line.append(f"  {b.count:>{digits}}  ", style="bold" if b.count else "dim")
        line.append(_bar(b.count, top).ljust(BAR_WIDTH) if b.count else " " * BAR_WIDTH, style="cyan")
        for i, name in enumerate(timeline.series):
            n = b.series[name]
            line.append("  " + (str(n) if n else "·").rjust(len(name)),
                        style=_SERIES_STYLES[i % len(_SERIES_STYLES)] if n else "dim")
        out.print(line, no_wrap=True, overflow="ellipsis")


def plot_timeline(timeline: Timeline, path: str) -> None:
    """Draws the timeline to ``path`` (.png, .svg or .pdf) with matplotlib (the ``plot`` extra)."""
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if suffix not in ("png", "svg", "pdf"):
        raise UsageError(f"--plot writes .png, .svg or .pdf files, not {path!r}")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise UsageError("--plot needs matplotlib: pip install 'searchidx[plot]'") from exc
    labels = [b.label for b in timeline.buckets]
    fig, ax = plt.subplots(figsize=(max(6.0, min(0.3 * len(labels) + 2, 20.0)), 4.5))
    xs = list(range(len(labels)))
    ax.bar(xs, [b.count for b in timeline.buckets], color="#9ecae1", label="articles")
    for name in timeline.series:
        ax.plot(xs, [b.series[name] for b in timeline.buckets], marker="o", markersize=3, label=name)
    step = max(1, len(labels) // 30)
    ax.set_xticks(xs[::step], labels[::step], rotation=60, ha="right", fontsize=8)
    ax.set_ylabel("articles")
    title = f"« {timeline.query} »" if timeline.query else "tous les articles"
    ax.set_title(f"{title} : articles par {_BY_FR[timeline.by]}")
    if timeline.series:
        ax.legend(fontsize=8)
    fig.tight_layout()
    try:
        fig.savefig(path)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        plt.close(fig)


# -- related entities ----------------------------------------------------------------------------------

def related_heading(result: Related) -> list[str]:
    """What was resolved and counted, said on stderr."""
    lines = []
    if result.alternatives:
        lines.append(f"« {result.value} » choisi ; autres noms possibles : {', '.join(result.alternatives)}")
    scope = f" parmi les {result.considered} qui répondent à la requête" if result.query else ""
    lines.append(f"{result.value} ({result.field}) : {result.articles} articles{scope} ; "
                 f"classé par {'log-vraisemblance (G²)' if result.by == 'llr' else 'nombre d’articles communs'}.")
    return lines


def plain_related(result: Related) -> str:
    """Related entities as plain text: articles together, expected count, score, field, name."""
    out = [f"{'ensemble':>8}  {'attendu':>8}  {'score':>8}  {'total':>6}  champ   nom"]
    for a in result.related:
        out.append(f"{a.count:>8}  {a.expected:>8.1f}  {a.score:>8.1f}  {a.total:>6}  {a.field:<6}  {a.value}")
    return "\n".join(out) + "\n"


def print_related(result: Related, out: Console | None = None) -> None:
    """Related entities for a terminal: a table with a bar for the score."""
    from rich.table import Table

    out = out or console()
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for name, justify in (("nom", "left"), ("champ", "left"), ("ensemble", "right"), ("attendu", "right"),
                          ("score", "right"), ("", "left")):
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    top = max((a.score if result.by == "llr" else a.count for a in result.related), default=0)
    for a in result.related:
        measure = a.score if result.by == "llr" else a.count
        table.add_row(a.value, a.field, str(a.count), f"{a.expected:.1f}", f"{a.score:.1f}",
                      f"[cyan]{_bar(round(measure * 100), round(top * 100))}[/cyan]")
    out.print(table)
