"""The local engine: an index folder written and read with Whoosh (storage, codec, schema, scoring, facet
counting, searching, indexing and its worker processes, the writer lock)."""
