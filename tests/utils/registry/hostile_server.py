# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A hostile registry on loopback for the registry tests (units and reliability): a raw TCP server whose answer
function writes whatever bytes it likes, plain or behind TLS with a throw-away certificate. Standard library only,
so the reliability suite can import it by path and the units through the collection."""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import threading
from typing import Callable


def loopback() -> str:
    """127.0.0.2 (a second loopback address: a registry that is not the twin's host), else 127.0.0.1."""
    probe = socket.socket()
    try:
        probe.bind(("127.0.0.2", 0))
        return "127.0.0.2"
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()


HOST = loopback()


class HostileServer:
    """answer(request_text, conn, server) writes the reply. tls: an ssl.SSLContext or None. Records each request's head
    as received in requests (a TLS server records what it decrypted) and, on a TLS port, plain-text bytes in raw."""

    def __init__(self, answer: Callable, tls: ssl.SSLContext | None = None, timeout: float = 5) -> None:
        self.answer = answer
        self.tls = tls
        self.timeout = timeout
        self.requests: list[str] = []
        self.raw: list[str] = []
        self.stop = threading.Event()
        self.listener = socket.socket()
        self.listener.bind((HOST, 0))
        self.listener.listen(16)
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.netloc = f"{HOST}:{self.port}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _addr = self.listener.accept()
            except OSError:
                continue
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(self.timeout)
            if self.tls is not None:
                if not conn.recv(5, socket.MSG_PEEK).startswith(b"\x16"):
                    self.raw.append(conn.recv(65536).decode("latin-1"))
                    return
                conn = self.tls.wrap_socket(conn, server_side=True)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            request = data.decode("latin-1")
            self.requests.append(request)
            self.answer(request, conn, self)
        except (OSError, ssl.SSLError):
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def close(self) -> None:
        self.stop.set()
        self.listener.close()


def send(conn: socket.socket, status: int, body: bytes = b"", headers: dict | None = None) -> None:
    head = f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\nConnection: close\r\n"
    for key, value in (headers or {}).items():
        head += f"{key}: {value}\r\n"
    conn.sendall(head.encode("latin-1") + b"\r\n" + body)


def authorization(request: str) -> str | None:
    """The Authorization header of a request head, or None."""
    for line in request.split("\r\n"):
        if line.lower().startswith("authorization:"):
            return line.split(":", 1)[1].strip()
    return None


def tls_context(folder: str) -> ssl.SSLContext | None:
    """A server context with a self-signed certificate for HOST made in folder; None without openssl."""
    if not shutil.which("openssl"):
        return None
    key, cert = os.path.join(folder, "key.pem"), os.path.join(folder, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                    "-subj", f"/CN={HOST}"], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context
