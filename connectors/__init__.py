"""Connectors: TAXII pull from upstreams, TAXII push to peers, member webhooks, and the worker."""
