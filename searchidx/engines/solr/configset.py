"""A Solr configset generated from `searchidx.analysis`, so the cluster analyses French as the local engine does.

The ``text_fr`` field type mirrors the local analyzer step by step, with stock Solr 9 factories only (no
plugin jar, so the configset loads on any Solr 9 cluster):

=====================================  ===========================================================================
local analyzer (`searchidx.analysis`)  Solr chain
=====================================  ===========================================================================
every apostrophe / hyphen form         ``MappingCharFilter``: ’ ʼ ‘ ＇ → ', ‐ ‑ → -, combining accents out
chunk regex (acronym, number, word)    ``PatternTokenizer`` with the *same* regex (``(?U)``: Unicode classes)
lowercase, fold *before* stemming      ``LowerCaseFilter``, ``ASCIIFoldingFilter`` (per character, so folding
                                       the chunk before splitting it is folding each part)
O.N.U. → onu                           ``PatternReplaceFilter``: the dots between letters out
1 000 / 839.000 / 8.5 → 1000 / 839000 / 8,5   ``PatternReplaceFilter`` x3: spaces, ``.ddd`` groups, other dots
elision with our article list, per     ``PatternReplaceFilter`` built from `ELISIONS`, at the start of each
hyphen part (l'un-l'autre)             hyphen part, repeated
États-Unis → etat, etatsuni, uni       ``WordDelimiterGraphFilter`` on hyphens only (digits, apostrophes typed as
(joined index side only; not when a    letters); a stop-word part is first replaced by a mark typed as a digit,
part is a stop word or all are         which breaks the run of joined words (Île-de-France is not joined), and
numbers)                               so is a hyphen between numbers (2020-2021); the mark is dropped after
aujourd'hui → aujourdhui               ``PatternReplaceFilter``: remaining apostrophes out
terms over 60 characters dropped       ``LengthFilter`` max 60
our stop list                          ``StopFilter`` (``stopwords_fr.txt`` = the folded `STOP_WORDS`)
Snowball French (PyStemmer)            ``StemmerOverrideFilter`` (``stem-overrides.txt``: 513 words Lucene's older
                                       Snowball stems otherwise, -ais / -oux), ``SnowballPorterFilter`` French
=====================================  ===========================================================================

The ranking's fields: ``article`` (``text_fr``: the title three times and the body, so a word's BM25 is over
the whole article, as locally), and three holding terms `searchidx.analysis` computes at push time
(`searchidx.engines.solr.push`), so they are the local index's own: ``title_exact`` / ``body_exact`` the
exact forms (folded, not stemmed; whitespace-separated), ``pairs`` the word pairs (one value each).

Measured agreement and every kind of difference: README "When one machine is not enough" and
``tests/test_solr.py::test_configset_analysis_matches``.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

from searchidx.analysis import _CHUNK_FIND, APOSTROPHES, ELISIONS, HYPHENS, MAX_TERM_LEN, STOP_WORDS

__all__ = ["ENTITY_FIELDS", "FACET_FIELDS", "SCHEMA_NAME", "configset_files", "write_configset", "zip_configset"]

#: Facet fields (as in the local schema); each has a folded ``<name>_key`` for filters and counts and a
#: ``<name>_pair`` ("key\x1fdisplay") to show a key by the name articles give it.
FACET_FIELDS: tuple[str, ...] = ("person", "org", "place", "source", "year", "month")
ENTITY_FIELDS: tuple[str, ...] = ("person", "org", "place")
#: 2: the ranking's fields (``article``, the exact forms, the word pairs). A collection's schema name says
#: which version made it (version 1 was named "searchidx").
SCHEMA_VERSION = 2
SCHEMA_NAME = f"searchidx-{SCHEMA_VERSION}"
#: Words Lucene's Snowball French (an older Snowball) stems unlike PyStemmer, with our stem
#: (bench/solr_stem_overrides.py, from the official Snowball vocabulary).
_OVERRIDES = Path(__file__).with_name("data") / "stem-overrides.txt"


def _chunk_regex() -> str:
    """The local tokenizer's regex for Java: ``(?U)`` gives ``\\w``, ``\\d`` and ``\\W`` their Unicode meaning."""
    return "(?U)" + _CHUNK_FIND.pattern


def _mapping() -> str:
    lines = [f'"{c}" => "\'"' for c in APOSTROPHES if c != "'"]
    lines += [f'"{c}" => "-"' for c in HYPHENS if c != "-"]
    lines += [f'"\\u{code:04x}" => ""' for code in range(0x300, 0x370)]  # e + U+0301 (NFD input) -> e
    return "# Every apostrophe and hyphen to its ASCII form (searchidx.analysis.APOSTROPHES / HYPHENS), combining\n" \
        "# accents out (folding: ASCIIFoldingFilter folds precomposed letters only).\n" + "\n".join(lines) + "\n"


def _wdgf_types() -> str:
    """Only the hyphen splits a chunk: digits, apostrophes, underscore and the decimal comma are letters (so
    covid-19 is joined like États-Unis); `STOP_MARK` alone is a digit, to break a run."""
    lines = ["\\u0027 => ALPHA", "_ => ALPHA", ", => ALPHA", "\\u00a7 => DIGIT"]
    lines += [f"{d} => ALPHA" for d in "0123456789"]
    return "# WordDelimiterGraphFilter character types: split on hyphens only.\n" + "\n".join(lines) + "\n"


def _elision_regex() -> str:
    """Elided words at the start of each hyphen part (the local analyzer elides per part: l'un-l'autre)."""
    return "(?<![^\\-])(?:(?:" + "|".join(sorted(ELISIONS, key=len, reverse=True)) + ")')+(?=[^\\-])"


def _stop_part_regex() -> str:
    """A hyphen part that is a stop word becomes `STOP_MARK` (typed as a digit for the word delimiter: it
    breaks the run of words, so "Île-de-France" is not joined, as locally), then dropped."""
    words = "|".join(sorted(STOP_WORDS, key=len, reverse=True))
    return f"(?<![^\\-])(?:{words})(?![^\\-])"


STOP_MARK = "\u00a7"
#: A hyphen between numbers only ("2020-2021"): the parts are not joined, as locally (covid-19 is).
_NUMBER_HYPHEN = "(?&lt;=^[\\d\\-]{0,60}\\d)-(?=\\d[\\d\\-]{0,60}$)"


def _analyzer(kind: str) -> str:
    index = kind == "index"
    catenate = "1" if index else "0"
    flatten = '\n        <filter class="solr.FlattenGraphFilterFactory"/>' if index else ""
    return f"""      <analyzer type="{kind}">
        <charFilter class="solr.MappingCharFilterFactory" mapping="mapping-connectors.txt"/>
        <tokenizer class="solr.PatternTokenizerFactory" group="0" pattern={quoteattr(_chunk_regex())}/>
        <filter class="solr.LowerCaseFilterFactory"/>
        <filter class="solr.ASCIIFoldingFilterFactory" preserveOriginal="false"/>
        <filter class="solr.PatternReplaceFilterFactory" pattern="(?&lt;=\\p{{L}})\\.|\\.(?=\\p{{L}})"
                replacement="" replace="all"/>
        <filter class="solr.PatternReplaceFilterFactory" pattern="[ \\u00a0\\u202f]" replacement="" replace="all"/>
        <filter class="solr.PatternReplaceFilterFactory" pattern="\\.(\\d{{3}})(?=[.,]|$)" replacement="$1"
                replace="all"/>
        <filter class="solr.PatternReplaceFilterFactory" pattern="\\." replacement="," replace="all"/>
        <filter class="solr.PatternReplaceFilterFactory" pattern={quoteattr(_elision_regex())} replacement=""
                replace="all"/>
        <filter class="solr.PatternReplaceFilterFactory" pattern={quoteattr(_stop_part_regex())}
                replacement="{STOP_MARK}" replace="all"/>
        <filter class="solr.PatternReplaceFilterFactory" pattern="{_NUMBER_HYPHEN}" replacement="-{STOP_MARK}-"
                replace="all"/>
        <filter class="solr.WordDelimiterGraphFilterFactory" types="wdgf-types.txt" generateWordParts="1"
                generateNumberParts="1" catenateWords="{catenate}" catenateNumbers="0" catenateAll="0"
                splitOnCaseChange="0" splitOnNumerics="0" stemEnglishPossessive="0" preserveOriginal="0"/>{flatten}
        <filter class="solr.PatternReplaceFilterFactory" pattern="['{STOP_MARK}]" replacement="" replace="all"/>
        <filter class="solr.LengthFilterFactory" min="1" max="{MAX_TERM_LEN}"/>
        <filter class="solr.StopFilterFactory" words="stopwords_fr.txt" ignoreCase="true"/>
        <filter class="solr.StemmerOverrideFilterFactory" dictionary="stem-overrides.txt" ignoreCase="false"/>
        <filter class="solr.SnowballPorterFilterFactory" language="French"/>
      </analyzer>"""


def _schema() -> str:
    facets = []
    for name in FACET_FIELDS:
        multi = "true" if name in ENTITY_FIELDS else "false"
        facets.append(f'  <field name="{name}" type="string" indexed="false" stored="true" docValues="false" '
                      f'multiValued="{multi}"/>')
        facets.append(f'  <field name="{name}_key" type="string" indexed="true" stored="false" docValues="true" '
                      f'multiValued="{multi}"/>')
        facets.append(f'  <field name="{name}_pair" type="string" indexed="true" stored="false" docValues="true" '
                      f'multiValued="{multi}"/>')
    facet_lines = "\n".join(facets)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by `searchidx solr configset`: do not edit, generate again. -->
<schema name="{SCHEMA_NAME}" version="1.6">
  <uniqueKey>id</uniqueKey>
  <fieldType name="string" class="solr.StrField" sortMissingLast="true"/>
  <fieldType name="plong" class="solr.LongPointField" docValues="true"/>
  <fieldType name="pdate" class="solr.DatePointField" docValues="true"/>
  <fieldType name="text_fr" class="solr.TextField" positionIncrementGap="100" autoGeneratePhraseQueries="true">
{_analyzer("index")}
{_analyzer("query")}
  </fieldType>
  <!-- terms analysed by searchidx itself (exact forms), and one term per value (word pairs) -->
  <fieldType name="terms" class="solr.TextField">
    <analyzer><tokenizer class="solr.WhitespaceTokenizerFactory"/></analyzer>
  </fieldType>
  <fieldType name="term_values" class="solr.TextField" positionIncrementGap="1">
    <analyzer><tokenizer class="solr.KeywordTokenizerFactory"/></analyzer>
  </fieldType>

  <field name="id" type="string" indexed="true" stored="true" required="true" docValues="true"/>
  <field name="_version_" type="plong" indexed="false" stored="false"/>
  <field name="_root_" type="string" indexed="true" stored="false" docValues="false"/>
  <!-- title and body (the lede first, as the local engine indexes it) searched with the French analysis -->
  <field name="title" type="text_fr" indexed="true" stored="true"/>
  <field name="body" type="text_fr" indexed="true" stored="true"/>
  <!-- the article as one text for the ranking (title and body searched together: the title's copies, then
       the body, as separate values; push.ARTICLE_TITLE) -->
  <field name="article" type="text_fr" indexed="true" stored="false" multiValued="true"/>
  <!-- the ranking's rewards: exact forms of title and body, word pairs of their first content words -->
  <field name="title_exact" type="terms" indexed="true" stored="false"/>
  <field name="body_exact" type="terms" indexed="true" stored="false"/>
  <field name="pairs" type="term_values" indexed="true" stored="false" multiValued="true"/>
  <!-- the article's ISO date as written (2021-06-16, or 2021-06, 2021): ranges compare it as the local
       engine does; date_dt is the same instant as a date point (first day of a partial date) -->
  <field name="date" type="string" indexed="true" stored="true" docValues="true"/>
  <field name="date_dt" type="pdate" indexed="true" stored="true"/>
  <field name="url" type="string" indexed="false" stored="true"/>
  <field name="author" type="string" indexed="false" stored="true"/>
  <field name="section" type="string" indexed="false" stored="true"/>
  <field name="lede" type="string" indexed="false" stored="true"/>
  <!-- incremental push: the file an article came from and the digest of what was sent -->
  <field name="path" type="string" indexed="true" stored="true" docValues="true"/>
  <field name="content_hash" type="string" indexed="true" stored="true" docValues="true"/>
  <field name="extractor" type="string" indexed="true" stored="true" docValues="true"/>
  <field name="schema_version" type="plong" indexed="true" stored="true"/>
  <!-- facets: display value (stored), folded key (filters, counts), key+display pair (names shown) -->
{facet_lines}
</schema>
"""


_SOLRCONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by `searchidx solr configset`. -->
<config>
  <luceneMatchVersion>9.0</luceneMatchVersion>
  <dataDir>${solr.data.dir:}</dataDir>
  <directoryFactory name="DirectoryFactory" class="${solr.directoryFactory:solr.NRTCachingDirectoryFactory}"/>
  <schemaFactory class="ManagedIndexSchemaFactory">
    <bool name="mutable">false</bool>
    <str name="managedSchemaResourceName">managed-schema.xml</str>
  </schemaFactory>
  <indexConfig>
    <ramBufferSizeMB>64</ramBufferSizeMB>
  </indexConfig>
  <updateHandler class="solr.DirectUpdateHandler2">
    <updateLog><str name="dir">${solr.ulog.dir:}</str></updateLog>
    <autoCommit><maxTime>60000</maxTime><openSearcher>false</openSearcher></autoCommit>
    <autoSoftCommit><maxTime>2000</maxTime></autoSoftCommit>
  </updateHandler>
  <query>
    <maxBooleanClauses>4096</maxBooleanClauses>
    <filterCache size="512" initialSize="128" autowarmCount="0"/>
    <queryResultCache size="512" initialSize="128" autowarmCount="0"/>
    <documentCache size="512" initialSize="128" autowarmCount="0"/>
  </query>
  <!-- idf: EXACT = BM25 statistics of the whole collection (distributed idf), LOCAL = of each shard
       (BENCHMARKS.md, "SolrCloud") -->
  <statsCache class="org.apache.solr.search.stats.@STATS@StatsCache"/>
  <requestHandler name="/select" class="solr.SearchHandler">
    <lst name="defaults">
      <str name="df">body</str>
      <str name="q.op">OR</str>
    </lst>
  </requestHandler>
</config>
"""


def configset_files(distributed_idf: bool = True) -> dict[str, str]:
    """Every file of the configset, by name; ``distributed_idf``: BM25 with collection-wide statistics."""
    return {
        "managed-schema.xml": _schema(),
        "solrconfig.xml": _SOLRCONFIG.replace("@STATS@", "Exact" if distributed_idf else "Local"),
        "stopwords_fr.txt": "# searchidx.analysis.STOP_WORDS, folded\n" + "\n".join(sorted(STOP_WORDS)) + "\n",
        "mapping-connectors.txt": _mapping(),
        "wdgf-types.txt": _wdgf_types(),
        "stem-overrides.txt": _OVERRIDES.read_text("utf-8") if _OVERRIDES.exists() else "",
    }


def write_configset(folder: str | Path) -> list[Path]:
    """Writes the configset into ``folder`` (created); returns the files written."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in configset_files().items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def zip_configset(distributed_idf: bool = True) -> bytes:
    """The configset as the zip Solr's Configset API uploads."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in configset_files(distributed_idf).items():
            z.writestr(name, text)
    return buf.getvalue()
