"""SolrCloud engine: configset generated from the French analyzer, HTTP client, push, and query compiler.

Only this package talks to Solr; the local path never imports it (the optional ``[solr]`` extra brings
``httpx``)."""
