"""A small SolrCloud HTTP client (httpx): every live node known, retries with back-off, one-line errors.

How it survives a node going down: it learns the cluster's live nodes (CLUSTERSTATUS) and sends each request
to the next node when one does not answer; SolrCloud itself routes a query to a live replica of each shard.
A 5xx answer (a shard between leaders, a replica recovering) and a refused connection are retried with
exponential back-off (0.25 s, doubling, 5 attempts). When no node answers at all, `SolrUnavailableError`
(exit code 3) names the URL in one line.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

from searchidx.errors import Exit, SearchidxError, UsageError

__all__ = ["SolrClient", "SolrError", "SolrUnavailableError", "parse_solr_url"]

ATTEMPTS = 5
FIRST_BACKOFF = 0.25


class SolrUnavailableError(SearchidxError):
    """No node of the Solr cluster answers (exit code 3)."""

    exit_code = Exit.NO_INDEX


class SolrError(SearchidxError):
    """Solr answered with an error it will keep giving (a bad request, a missing collection): exit code 3."""

    exit_code = Exit.NO_INDEX


def parse_solr_url(url: str) -> tuple[str, str | None]:
    """``http://host:port/solr`` or ``solr://host:port/collection`` -> (base URL, collection or None)."""
    text = url.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme == "solr":
        if not parts.netloc:
            raise UsageError(f"bad Solr address {url!r}; write solr://host:port/collection")
        name = parts.path.strip("/") or None
        return f"http://{parts.netloc}/solr", name
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"bad Solr URL {url!r}; write http://host:port/solr")
    return text, None


class SolrClient:
    """Requests to a SolrCloud cluster through any of its live nodes."""

    def __init__(self, url: str, *, timeout: float = 60.0, attempts: int = ATTEMPTS) -> None:
        self.url = parse_solr_url(url)[0]
        self._path = urlsplit(self.url).path  # "/solr"
        self._nodes = [self.url]
        self._attempts = attempts
        self._timeout = httpx.Timeout(timeout, connect=5.0)
        self._http = httpx.Client(timeout=self._timeout)
        self._learned = False

    def close(self) -> None:
        """Closes the connections; the next request opens new ones."""
        self._http.close()
        self._http = httpx.Client(timeout=self._timeout)

    def _learn_nodes(self) -> None:
        """Adds every live node of the cluster to the nodes tried (once; failures are ignored)."""
        self._learned = True
        try:
            data = self._send("GET", "/admin/collections", {"action": "CLUSTERSTATUS"}, None, None, None)
        except SearchidxError:
            return
        scheme = urlsplit(self.url).scheme
        for node in data.get("cluster", {}).get("live_nodes", []):
            host, _, context = str(node).partition("_")
            url = f"{scheme}://{host}/{context.replace('%2F', '/') or 'solr'}"
            if url not in self._nodes:
                self._nodes.append(url)

    def request(self, method: str, path: str, params: Mapping[str, Any] | None = None, *,
                json: Any = None, content: bytes | None = None, content_type: str | None = None) -> dict[str, Any]:
        """The JSON answer of ``path`` (relative to ``/solr``), retried on other nodes and with back-off."""
        data = self._send(method, path, params, json, content, content_type)
        if not self._learned:  # the first answer: the cluster is there, learn its other nodes
            self._learn_nodes()
        return data

    def _send(self, method: str, path: str, params: Mapping[str, Any] | None, json: Any, content: bytes | None,
              content_type: str | None) -> dict[str, Any]:
        query: dict[str, Any] = {"wt": "json", **(params or {})}
        headers = {"Content-Type": content_type} if content_type else None
        delay = FIRST_BACKOFF
        last = "no answer"
        for attempt in range(self._attempts):
            for node in list(self._nodes):
                try:
                    resp = self._http.request(method, node + path, params=query, json=json, content=content,
                                              headers=headers)
                except httpx.TransportError as exc:
                    last = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                    continue
                if resp.status_code >= 500 or resp.status_code == 429:
                    last = _message(resp)
                    continue
                if resp.status_code >= 400:
                    raise SolrError(f"Solr refused {path}: {_message(resp)}")
                try:
                    data: dict[str, Any] = resp.json()
                except ValueError as exc:
                    raise SolrError(f"Solr answered {path} with something that is not JSON ({exc})") from exc
                return data
            if attempt + 1 < self._attempts:
                time.sleep(delay)
                delay *= 2
        raise SolrUnavailableError(f"Solr at {self.url} does not answer ({last}); start the cluster "
                                   "(bash scaleout/solr/cluster.sh start) or check --solr / SEARCHIDX_SOLR")

    # -- collections and configsets -------------------------------------------------------------------
    def collections(self) -> list[str]:
        return [str(c) for c in self.request("GET", "/admin/collections", {"action": "LIST"}).get("collections", [])]

    def upload_configset(self, name: str, zipped: bytes) -> None:
        self.request("POST", "/admin/configs", {"action": "UPLOAD", "name": name, "overwrite": "true",
                                                 "cleanup": "true"}, content=zipped,
                     content_type="application/octet-stream")

    def create_collection(self, name: str, config: str, shards: int, replicas: int) -> None:
        self.request("GET", "/admin/collections", {
            "action": "CREATE", "name": name, "collection.configName": config, "numShards": shards,
            "replicationFactor": replicas, "waitForFinalState": "true"})

    def schema_name(self, collection: str) -> str:
        """The name in ``collection``'s schema (searchidx writes its schema version into it)."""
        return str(self.request("GET", f"/{collection}/schema/name").get("name", ""))

    def delete_collection(self, name: str) -> None:
        self.request("GET", "/admin/collections", {"action": "DELETE", "name": name})

    def reload_collection(self, name: str) -> None:
        self.request("GET", "/admin/collections", {"action": "RELOAD", "name": name})

    def index_bytes(self, collection: str) -> int:
        """Bytes on disk of every replica of ``collection``, summed over the nodes (CoreAdmin STATUS)."""
        total = 0
        for node in list(self._nodes):
            try:
                resp = self._http.get(f"{node}/admin/cores", params={"action": "STATUS", "wt": "json"})
                cores = resp.json().get("status", {})
            except (httpx.HTTPError, ValueError):
                continue
            total += sum(int(c.get("index", {}).get("sizeInBytes", 0)) for c in cores.values()
                         if c.get("cloud", {}).get("collection") == collection)
        return total

    # -- documents ------------------------------------------------------------------------------------
    def update(self, collection: str, payload: Sequence[dict[str, Any]] | dict[str, Any],
               params: Mapping[str, Any] | None = None) -> None:
        self.request("POST", f"/{collection}/update", params, json=payload)

    def select(self, collection: str, params: Mapping[str, Any], json: Any = None) -> dict[str, Any]:
        if json is not None:  # the JSON request API: parameters in the body too (no URL length limit)
            return self.request("POST", f"/{collection}/select", None, json={"params": dict(params), **json})
        return self.request("POST", f"/{collection}/select", None, content=_form(params),
                            content_type="application/x-www-form-urlencoded")


def _form(params: Mapping[str, Any]) -> bytes:
    """Form-encoded parameters (long queries do not fit in a URL); lists repeat the key."""
    pairs = [(key, str(v)) for key, value in params.items()
             for v in (value if isinstance(value, (list, tuple)) else [value])]
    from urllib.parse import urlencode

    return urlencode(pairs).encode("utf-8")


def _message(resp: httpx.Response) -> str:
    try:
        data = resp.json()
        msg = data.get("error", {}).get("msg") or resp.reason_phrase
    except ValueError:
        msg = resp.text[:200] or resp.reason_phrase
    return f"HTTP {resp.status_code}: {' '.join(str(msg).split())}"
