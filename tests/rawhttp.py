"""HTTP/1.1 by hand over a socket, to see what a server answers before a body is sent."""

from __future__ import annotations

import select
import socket
from dataclasses import dataclass

import orjson

# How long a test waits for an answer before it calls the server stuck (not a timing check:
# a server that reads the body first never answers, since the body never comes).
STUCK_SECONDS = 30.0


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, object]:
        parsed: dict[str, object] = orjson.loads(self.body)
        return parsed


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=STUCK_SECONDS)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def send_head(sock: socket.socket, method: str, path: str, headers: dict[str, str]) -> None:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))


def read_answer(sock: socket.socket) -> Answer:
    """The whole response (the server closes a connection whose body it did not read)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"connection closed before an answer: {data[:200]!r}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return Answer(int(status_line.split()[1]), headers, rest[:length])


def answered(sock: socket.socket) -> bool:
    """Whether the server has started to answer (without waiting)."""
    readable, _, _ = select.select([sock], [], [], 0)
    return bool(readable)


def stream_until_answered(sock: socket.socket, chunk: bytes, most: int) -> int:
    """Send `chunk` as chunked transfer coding until the server answers; the bytes sent."""
    sent = 0
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    while sent < most and not answered(sock):
        _, writable, _ = select.select([], [sock], [], STUCK_SECONDS)
        if not writable:
            break
        try:
            sock.sendall(frame)
        except (BrokenPipeError, ConnectionResetError):
            break
        sent += len(chunk)
    if sent >= most:
        sock.sendall(b"0\r\n\r\n")  # the server read it all: let it answer, so the test says so
    return sent
