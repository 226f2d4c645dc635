"""Exploring the news beyond a result list: timelines, related entities, similar articles, wire copies.

Each part is one module working on the arrays of an index generation, through the hooks of
`searchidx.explore.arrays` (facet values as arrays, term statistics); `searchidx.index.Index` exposes them as
methods."""
