"""Prometheus metrics of the hub process."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    """One registry per app, so tests and several apps in a process do not collide."""

    def __init__(self, audit_head: Callable[[], int] | None = None) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "mamori_http_requests",
            "HTTP requests by route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "mamori_http_request_seconds",
            "HTTP request latency by route",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.submissions = Gauge(
            "mamori_submissions", "Submissions by state", ["state"], registry=self.registry
        )
        if audit_head is not None:
            # Read from the anchor file at each scrape: any process of the hub may have appended.
            self.audit_head = Gauge(
                "mamori_audit_head_seq",
                "Sequence number of the newest audit entry the signed anchor names "
                "(0: no anchor yet, -1: the anchor does not verify)",
                registry=self.registry,
            )
            self.audit_head.set_function(lambda: float(audit_head()))
