"""searchidx: search French news articles, with French-aware analysis and entity facets."""

from searchidx.errors import (
    DiskFullError,
    IndexCorruptError,
    IndexLockedError,
    IndexNotFoundError,
    IndexReadOnlyError,
    InputError,
    Interrupted,
    QuerySyntaxError,
    SearchidxError,
    UsageError,
)
from searchidx.index import Index
from searchidx.models import (
    Article,
    Entities,
    FacetValue,
    Hit,
    IndexReport,
    IndexStats,
    Problem,
    SearchResult,
)

__version__ = "0.1.0"

__all__ = [
    "Article",
    "DiskFullError",
    "Entities",
    "FacetValue",
    "Hit",
    "Index",
    "IndexCorruptError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexReadOnlyError",
    "IndexReport",
    "IndexStats",
    "InputError",
    "Interrupted",
    "Problem",
    "QuerySyntaxError",
    "SearchResult",
    "SearchidxError",
    "UsageError",
    "__version__",
    "extract_entities",
]


def extract_entities(text: str, extractor: str = "builtin") -> dict[str, list[str]]:
    """People, organisations and places named in ``text`` (first line = title), canonical names;
    ``extractor``: builtin, auto, spacy, spacy-sm or spacy-md."""
    from searchidx.entities import extract_entities as run

    return run(text, extractor)
