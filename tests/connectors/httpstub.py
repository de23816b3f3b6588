"""A tiny HTTP server on 127.0.0.1 in a thread: it records what reaches it and answers as told."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]


# (status, headers, body) for a request
Answer = tuple[int, dict[str, str], bytes]


@dataclass
class Stub:
    port: int
    seen: list[Seen] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def taxii_root(request: Seen) -> Answer:
    """A minimal TAXII 2.1 server: an API root and readable, writable collections."""
    media = {"Content-Type": "application/taxii+json;version=2.1"}
    if request.path.rstrip("/").endswith("/collections/c1"):
        doc: dict[str, Any] = {"id": "c1", "title": "c1", "can_read": True, "can_write": True}
    else:
        doc = {"title": "root", "versions": ["application/taxii+json;version=2.1"]}
        doc["max_content_length"] = 1_000_000
    return 200, media, json.dumps(doc).encode()


@contextmanager
def serve(answer: Callable[[Seen], Answer]) -> Iterator[Stub]:
    stub = Stub(0)

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
            stub.seen.append(seen)
            status, headers, body = answer(seen)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _any

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
