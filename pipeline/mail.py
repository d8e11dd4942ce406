"""The messages `send` delivers, written as a clerk would write them: a Vietnamese subject and body
from the templates (`mail_committee.txt.j2`, `mail_unit.txt.j2`), the report's files attached
under names every mail client shows, and the headers a server and a client expect.

Attachment names: Python's `add_attachment(filename=…)` writes only the RFC 2231 `filename*`
parameter, which Outlook shows as "Untitled attachment"; each attachment here also carries the
RFC 2047 `name=` fallback on its Content-Type (what Thunderbird writes), and names are kept short
enough that neither is split into continuations.

Header text comes from the register and the submitted files (unit names, addresses, file names):
`header_text` is the one door every header value goes through, so a line break in a name can
neither end a header early nor start one of its own (`\r\nBcc: …`), and an address header holds
exactly the one mailbox written or the letter is not made.
"""

from __future__ import annotations

import base64
import functools
import mimetypes
import re
from dataclasses import dataclass, field
from email import encoders
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, getaddresses, make_msgid
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.render.pdf import environment

# Characters of an attachment's name kept before its extension; a longer one keeps its start and
# its end ("… - da kiem tra").
MAX_NAME_STEM = 80
KEEP_END = 16
CORRECTION = "Đính chính"
# What a header never carries: the C0 and C1 control characters (CR and LF among them), DEL and
# the Unicode line and paragraph separators; each run of them becomes one space.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# A line break inside a value while a letter is rendered (a private-use character), so that only
# the template's own line break ends the subject line.
VALUE_BREAK = "\ue000"
# One address, `ten@co-quan.vn`: no spaces, brackets, quotes or separators around its one `@`.
MAILBOX = re.compile(r"[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\"]+")


@dataclass(frozen=True)
class Letter:
    """One message to write: to whom, about what, with which files (paths on disk)."""

    kind: str                     # "committee" or "unit"
    unit: str | None              # the unit's code (a cell, or the root for the committee's report)
    to: str
    template: str                 # the Jinja template of its subject and body
    context: dict = field(default_factory=dict)
    files: tuple[Path, ...] = ()


def header_text(text) -> str:
    """`text` fit for one header line: every run of control characters, a line break above all,
    becomes one space (so nothing in it can start a header of its own)."""
    return CONTROL_CHARACTERS.sub(" ", str(text)).strip()


def mailbox(text: str) -> tuple[str, str] | None:
    """(display name, address) when `text` is exactly one mailbox (`Ban Tổ chức <btc@…>` or a
    bare address), else None: a second address, a group (`X: a@b;`) or no `@`."""
    found = getaddresses([header_text(text)])
    if len(found) != 1 or not MAILBOX.fullmatch(found[0][1]):
        return None
    return found[0]


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
    shown = short_name(header_text(name))
    kind = mimetypes.guess_type(shown)[0] or "application/octet-stream"
    maintype, subtype = kind.split("/", 1)
    part = MIMEBase(maintype, subtype, name=shown if shown.isascii() else encoded_word(shown))
    part.set_payload(data)
    encoders.encode_base64(part)
    part.add_header("Content-Disposition", "attachment",
                    filename=shown if shown.isascii() else ("utf-8", "", shown))
    return part


def _address(text: str) -> str:
    """`Ban Tổ chức <btc@example.vn>` with its display name encoded (RFC 2047); anything but one
    mailbox stops the letter (a misread address would send it to someone else)."""
    found = mailbox(text)
    if found is None:
        raise PipelineError(f"Địa chỉ thư không dùng được: \"{header_text(text)}\" (ghi đúng một địa chỉ, "
                            "ví dụ ten@co-quan.vn hoặc Tên <ten@co-quan.vn>).")
    name, addr = found
    return formataddr((name, addr), charset="utf-8") if name else addr


def _keep_breaks(value):
    """Jinja `finalize` for letters: a line break inside a value is held as VALUE_BREAK until the
    subject line has been split off."""
    if isinstance(value, str):
        return value.replace("\r\n", VALUE_BREAK).replace("\r", VALUE_BREAK).replace("\n", VALUE_BREAK)
    return value


@functools.cache
def _letters():
    """The documents' environment, with `_keep_breaks` on every value (its own template cache:
    templates compiled without `finalize` must not be shared with it)."""
    return environment().overlay(finalize=_keep_breaks, cache_size=50)


def compose(letter: Letter, *, sender: str, reply_to: str = "", correction_of: str | None = None,
            attachments: list[tuple[str, bytes]] | None = None) -> MIMEMultipart:
    """The message for `letter`. `correction_of`: the Message-ID of the message this one corrects
    (its content changed): the subject says so and the headers thread it under that message."""
    rendered = _letters().get_template(letter.template).render(**letter.context, correction=bool(correction_of))
    subject, _, body = rendered.partition("\n")
    subject = header_text(subject.replace(VALUE_BREAK, " ").removeprefix("Subject:"))
    if correction_of:
        subject = f"{CORRECTION}: {subject}"
    message = MIMEMultipart()
    message["Subject"] = Header(subject, "utf-8")
    message["From"] = _address(sender)
    message["To"] = _address(letter.to)
    if reply_to:
        message["Reply-To"] = _address(reply_to)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=mailbox(sender)[1].rpartition("@")[2])
    if correction_of:
        message["In-Reply-To"] = header_text(correction_of)
        message["References"] = header_text(correction_of)
    message.attach(MIMEText(body.replace(VALUE_BREAK, "\n").lstrip("\n"), "plain", "utf-8"))
    for name, data in attachments if attachments is not None else [(p.name, p.read_bytes()) for p in letter.files]:
        message.attach(attachment(data, name))
    return message
