"""The messages `send` delivers, written as a clerk would write them: a Vietnamese subject and body
from the templates (`mail_committee.txt.j2`, `mail_unit.txt.j2`), the report's files attached
under names every mail client shows, and the headers a server and a client expect.

Attachment names: Python's `add_attachment(filename=…)` writes only the RFC 2231 `filename*`
parameter, which Outlook shows as "Untitled attachment"; each attachment here also carries the
RFC 2047 `name=` fallback on its Content-Type (what Thunderbird writes), and names are kept short
enough that neither is split into continuations.
"""

from __future__ import annotations

import base64
import mimetypes
from dataclasses import dataclass, field
from email import encoders
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from pathlib import Path

from pipeline.render.pdf import environment

# Characters of an attachment's name kept before its extension; a longer one keeps its start and
# its end ("… - da kiem tra").
MAX_NAME_STEM = 80
KEEP_END = 16
CORRECTION = "Đính chính"


@dataclass(frozen=True)
class Letter:
    """One message to write: to whom, about what, with which files (paths on disk)."""

    kind: str                     # "committee" or "unit"
    unit: str | None              # the unit's code (a cell, or the root for the committee's report)
    to: str
    template: str                 # the Jinja template of its subject and body
    context: dict = field(default_factory=dict)
    files: tuple[Path, ...] = ()


def short_name(name: str) -> str:
    """The file's name as the attachment shows it: a stem longer than MAX_NAME_STEM loses its middle."""
    path = Path(name)
    stem = path.stem
    if len(stem) > MAX_NAME_STEM:
        stem = stem[:MAX_NAME_STEM - KEEP_END - 1].rstrip() + "…" + stem[-KEEP_END:].lstrip()
    return stem + path.suffix


def encoded_word(text: str) -> str:
    """`text` as RFC 2047 encoded words (base64, UTF-8), each within the 75 characters allowed,
    split between characters, never inside one."""
    words, chunk = [], ""
    for ch in text:
        candidate = chunk + ch
        if len(base64.b64encode(candidate.encode("utf-8"))) > 60:   # "=?utf-8?b?" + 60 + "?=" = 72
            words.append(chunk)
            chunk = ch
        else:
            chunk = candidate
    words.append(chunk)
    return " ".join(f"=?utf-8?b?{base64.b64encode(w.encode('utf-8')).decode('ascii')}?=" for w in words)


def attachment(data: bytes, name: str) -> MIMEBase:
    """One attachment named `name` (shortened) in both forms: RFC 2231 `filename*` on
    Content-Disposition, and the RFC 2047 `name=` fallback on Content-Type. Written with the
    classic (compat32) API, which keeps each parameter whole: the newer one splits a long
    `filename*` into continuations and mangles the Content-Type it folds."""
    shown = short_name(name)
    kind = mimetypes.guess_type(shown)[0] or "application/octet-stream"
    maintype, subtype = kind.split("/", 1)
    part = MIMEBase(maintype, subtype, name=shown if shown.isascii() else encoded_word(shown))
    part.set_payload(data)
    encoders.encode_base64(part)
    part.add_header("Content-Disposition", "attachment",
                    filename=shown if shown.isascii() else ("utf-8", "", shown))
    return part


def _address(text: str) -> str:
    """`Ban Tổ chức <btc@example.vn>` with its display name encoded (RFC 2047)."""
    name, addr = parseaddr(text)
    return formataddr((name, addr), charset="utf-8") if name else addr


def compose(letter: Letter, *, sender: str, reply_to: str = "", correction_of: str | None = None,
            attachments: list[tuple[str, bytes]] | None = None) -> MIMEMultipart:
    """The message for `letter`. `correction_of`: the Message-ID of the message this one corrects
    (its content changed): the subject says so and the headers thread it under that message."""
    rendered = environment().get_template(letter.template).render(**letter.context, correction=bool(correction_of))
    subject, _, body = rendered.partition("\n")
    subject = subject.removeprefix("Subject:").strip()
    if correction_of:
        subject = f"{CORRECTION}: {subject}"
    message = MIMEMultipart()
    message["Subject"] = Header(subject, "utf-8")
    message["From"] = _address(sender)
    message["To"] = _address(letter.to)
    if reply_to:
        message["Reply-To"] = _address(reply_to)
    message["Date"] = formatdate(localtime=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    if correction_of:
        message["In-Reply-To"] = correction_of
        message["References"] = correction_of
    message.attach(MIMEText(body.lstrip("\n"), "plain", "utf-8"))
    for name, data in attachments if attachments is not None else [(p.name, p.read_bytes()) for p in letter.files]:
        message.attach(attachment(data, name))
    return message
