"""A real SMTP server on loopback for the tests that send mail (aiosmtpd on a free port): what
arrived, and what to answer. Tests that import it skip when aiosmtpd is not installed."""

from __future__ import annotations

import email
import socket
from email import policy


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """The server side (an aiosmtpd handler): every message that arrived, and what to answer (for
    the failure tests)."""

    def __init__(self, refuse: dict[str, str] | None = None):
        self.arrived: list[tuple[list[str], email.message.EmailMessage]] = []
        self.raw: dict[str, bytes] = {}              # recipient → the last message's bytes as they arrived
        self.refuse: dict[str, str] = dict(refuse or {})   # recipient → "550 …" at RCPT
        self.busy_once = False                       # answer the first DATA with a 451
        self.drop_after_data = False                 # close the connection after the data, before answering

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.busy_once:
            self.busy_once = False
            return "451 Thử lại sau"
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.arrived.append((list(envelope.rcpt_tos), message))
        self.raw.update(dict.fromkeys(envelope.rcpt_tos, envelope.content))
        if self.drop_after_data:
            server.transport.close()
            return None
        return "250 Đã nhận"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for rcpt, m in self.arrived if address in rcpt]

    def subjects(self, address: str) -> list[str]:
        return [str(m["Subject"]) for m in self.to(address)]
