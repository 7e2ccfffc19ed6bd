"""Real delivery servers on loopback: an SMTP server (aiosmtpd) and a webhook (http.server)."""

from __future__ import annotations

import email
import json
import socket
import threading
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingSmtp:
    """Accepts mail, or rejects it while ``reject`` is set (a failing mail server)."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.reject = False

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook name)
        if self.reject:
            return "554 5.7.1 delivery refused for test"
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server():
    handler = RecordingSmtp()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


class WebhookState:
    def __init__(self) -> None:
        self.payloads: list[dict] = []
        self.status = 200
        self.errcode = 0


@pytest.fixture
def webhook_server():
    state = WebhookState()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server hook name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if state.status == 200 and state.errcode == 0:
                state.payloads.append(json.loads(body))
            reply = json.dumps({"errcode": state.errcode, "errmsg": "ok" if not state.errcode else "bad"})
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(reply.encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=test"
    server.shutdown()
    server.server_close()
