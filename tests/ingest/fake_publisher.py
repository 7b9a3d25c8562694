"""A local HTTP server on 127.0.0.1 that misbehaves on purpose (fixture `publisher`), and zip helpers."""

from __future__ import annotations

import contextlib
import gzip
import io
import socket
import struct
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest


@dataclass
class Reply:
    """One response: `kind` is ok | status | reset | truncate | close_early | sleep | redirect | slow | gzip."""

    kind: str
    body: bytes = b""
    status: int = 200
    send_bytes: int = 0  # reset / truncate: bytes of the body actually sent
    delay: float = 0.0  # sleep: seconds before answering; slow: seconds between chunks of the body
    headers: dict[str, str] = field(default_factory=dict)  # extra headers (Retry-After, ...)
    location: str = ""  # redirect: the Location (a path on this server, or a full URL)


@dataclass
class Publisher:
    """Routes path -> list of replies, consumed in order; the last one repeats."""

    base_url: str = ""
    routes: dict[str, list[Reply]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def serve(self, path: str, *replies: Reply) -> None:
        with self.lock:
            self.routes[path] = list(replies)

    def next_reply(self, path: str) -> Reply | None:
        with self.lock:
            queue = self.routes.get(path)
            if not queue:
                return None
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)


def _handler(publisher: Publisher):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep test output quiet
            pass

        def do_GET(self):  # noqa: N802 - http.server API
            publisher.requests.append((self.path, dict(self.headers)))
            reply = publisher.next_reply(self.path)
            if reply is None:
                return self._send(404, b"not found")
            if reply.kind == "sleep":
                time.sleep(reply.delay)
                return self._send(200, reply.body)
            if reply.kind == "status":
                return self._send(reply.status, reply.body or b"<html>error</html>", reply.headers)
            if reply.kind == "redirect":
                return self._send(
                    reply.status if reply.status != 200 else 302, b"", {"Location": reply.location}
                )
            if reply.kind == "gzip":  # Content-Encoding: the length on the wire is the compressed one
                packed = gzip.compress(reply.body)
                return self._send(200, packed, {"Content-Encoding": "gzip"})
            if reply.kind == "slow":  # the whole body, in small pieces, `delay` apart
                self.send_response(200)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                for start in range(0, len(reply.body), 1024):
                    self.wfile.write(reply.body[start : start + 1024])
                    self.wfile.flush()
                    time.sleep(reply.delay)
                return None
            if reply.kind == "close_early":  # no Content-Length: only a check of the file can tell
                self.send_response(200)
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(reply.body[: reply.send_bytes])
                self.close_connection = True
                return None
            if reply.kind in {"reset", "truncate"}:
                self.send_response(200)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body[: reply.send_bytes])
                self.wfile.flush()
                if reply.kind == "reset":  # RST instead of FIN: the client sees a connection reset
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                return None
            return self._send(200, reply.body, reply.headers)

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None):
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # the client hung up on purpose (timeouts)
        pass


@contextlib.contextmanager
def running_publisher(port: int = 0) -> Iterator[Publisher]:
    """A publisher serving on 127.0.0.1 (a free port unless given) until the block ends (also usable
    outside pytest)."""
    pub = Publisher()
    server = _QuietServer(("127.0.0.1", port), _handler(pub))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    pub.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield pub
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def publisher():
    with running_publisher() as pub:
        yield pub


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def zip_dir(root: Path, prefix: str = "") -> bytes:
    """Every file under `root` as a zip, members named `prefix` + relative path."""
    return zip_bytes(
        {
            prefix + p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }
    )


def no_partial_files(root: Path) -> list[Path]:
    """Temporary names that must never survive: *.part (downloads, extraction) and *.new (staging)."""
    return [p for p in root.rglob("*") if p.name.endswith((".part", ".new"))]
