"""Delivering what `report` wrote, by mail, each message exactly once.

The delivery ledger (SQLite, `<out>/delivery.sqlite`: beside the quarters' folders, so rebuilding a
report never replaces it) keeps one row per message and recipient: its period, kind (committee,
unit), unit, recipient, the SHA-256 of its attachments, subject, Message-ID, state, the server's
reply, attempts and times. A row is written as "sending" before the SMTP transaction and as "sent"
once the server has accepted the message. So:

- a second run sends only what has not been sent with the same content;
- a report whose content changed is sent again as a correction, threaded under the first;
- a row left "sending" (a crash, a connection dropped after the data) becomes "unknown": SMTP cannot
  say whether it arrived, so it is not sent again unless asked (`--resend-unknown`);
- a temporary refusal (4xx, a timeout) is retried a few times with a growing pause; a permanent one
  (5xx) is recorded; neither stops the other recipients.

Nothing here rebuilds a report; it reads `summary.json` and the files beside it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import smtplib
import sqlite3
import ssl
import time
from email.utils import parseaddr
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import Config
from pipeline.contract import CELL_TYPES
from pipeline.errors import PipelineError
from pipeline.files import atomic_path, safe_name
from pipeline.outputs import SUMMARY_NAME
from pipeline.mail import Letter, compose, header_text, mailbox, short_name
from pipeline.period import Period
from pipeline.render import vn
from pipeline.feedback.views import STATUS_RULES
from pipeline.template import template_name, write_template

LEDGER_NAME = "delivery.sqlite"
OUTBOX = "outbox"
RETRIES = 3            # attempts for a temporary failure
BACKOFF_S = 2.0        # pause before the second attempt; doubled before each next one

SENDING, SENT, FAILED, UNKNOWN = "sending", "sent", "failed", "unknown"


# ---------- the ledger ----------

class Ledger:
    """The delivery ledger; every change is committed at once (a crash loses nothing said)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.db = sqlite3.connect(self.path)
        self.db.row_factory = sqlite3.Row
        self.db.execute("""CREATE TABLE IF NOT EXISTS messages (
            id INTEGER PRIMARY KEY, period TEXT, kind TEXT, unit TEXT, recipient TEXT, digest TEXT,
            attachments TEXT, subject TEXT, message_id TEXT, state TEXT, reply TEXT, attempts INTEGER,
            created TEXT, updated TEXT)""")
        self.db.commit()

    def close(self) -> None:
        self.db.close()

    def interrupted(self) -> int:
        """Rows a previous run left "sending": whether they arrived is not known."""
        count = self.db.execute("UPDATE messages SET state = ?, updated = ? WHERE state = ?",
                                (UNKNOWN, _now(), SENDING)).rowcount
        self.db.commit()
        return count

    def last(self, period: str, kind: str, unit: str | None, recipient: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM messages WHERE period = ? AND kind = ? AND unit IS ? AND recipient = ? "
                               "ORDER BY id DESC LIMIT 1", (period, kind, unit, recipient)).fetchone()

    def last_sent(self, period: str, kind: str, unit: str | None, recipient: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM messages WHERE period = ? AND kind = ? AND unit IS ? AND recipient = ? "
                               "AND state = ? ORDER BY id DESC LIMIT 1",
                               (period, kind, unit, recipient, SENT)).fetchone()

    def begin(self, period, kind, unit, recipient, digest, attachments, subject, message_id) -> int:
        cursor = self.db.execute(
            "INSERT INTO messages (period, kind, unit, recipient, digest, attachments, subject, message_id, state, "
            "reply, attempts, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', 0, ?, ?)",
            (period, kind, unit, recipient, digest, json.dumps(attachments, ensure_ascii=False), subject,
             message_id, SENDING, _now(), _now()))
        self.db.commit()
        return cursor.lastrowid

    def finish(self, row: int, state: str, reply: str, attempts: int) -> None:
        self.db.execute("UPDATE messages SET state = ?, reply = ?, attempts = ?, updated = ? WHERE id = ?",
                        (state, reply, attempts, _now(), row))
        self.db.commit()

    def sent_on(self, period: str, kind: str, unit: str | None, recipient: str, day: dt.date) -> bool:
        """Whether a message was sent (or perhaps sent) to `recipient` on `day`, local time."""
        return self.db.execute(
            "SELECT 1 FROM messages WHERE period = ? AND kind = ? AND unit IS ? AND recipient = ? AND state != ? "
            "AND substr(created, 1, 10) = ? LIMIT 1",
            (period, kind, unit, recipient, FAILED, day.isoformat())).fetchone() is not None

    def rows(self) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM messages ORDER BY id").fetchall()


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


# ---------- what to send ----------

@dataclass
class Plan:
    """Every letter `send` would write, and what cannot be sent (said, never skipped silently)."""

    letters: list[Letter] = field(default_factory=list)
    no_address: list[str] = field(default_factory=list)   # "CB-PC02 Chi bộ …"
    bad_address: list[str] = field(default_factory=list)  # "CB-PC02 Chi bộ …: a@b, c@d" (not one mailbox)
    no_package: list[str] = field(default_factory=list)   # cells whose package is not there
    too_large: list[str] = field(default_factory=list)    # "CB-PC02: 14,2 MB"


def plan(folder: Path, config: Config, only: Iterable[str] = ()) -> Plan:
    """The letters for one quarter's reports in `folder` (`<out>/<year>-Q<q>`)."""
    summary = _summary(folder)
    only = {code.upper() for code in only}
    units = summary["units"]
    root = units[0]
    period = _period_label(summary["period"])
    figures = _figures_line(summary["totals"])
    coverage = summary["coverage"]
    coverage_text = (f"Số liệu của {vn.number(coverage['accepted'])}/{vn.number(coverage['expected'])} chi bộ"
                     + ("." if coverage["complete"] else "; các chi bộ còn thiếu được nêu trong báo cáo."))
    committee_name = config.committee_name or root["name"]
    signature = _signature(config)
    limit = config.send.max_message_mb * 1024 * 1024 / (4 / 3)   # base64 adds a third
    out = Plan()
    committee_files = sorted(folder.glob("bao-cao-phat-trien-dang-vien-*.pdf")) + \
        sorted(folder.glob("so-lieu-phat-trien-dang-vien-*.xlsx"))
    if not only or "COMMITTEE" in only or root["code"].upper() in only:
        for recipient in config.send.report_to:
            out.letters.append(Letter(
                kind="committee", unit=root["code"], to=recipient, template="mail_committee.txt.j2",
                files=tuple(committee_files),
                context={"period": period, "committee_name": committee_name, "figures": figures,
                         "coverage": coverage_text, "signature": signature,
                         # "Thường trực Đảng ủy <tt@…>" is greeted by its name; a bare address collectively
                         "recipient_name": parseaddr(recipient)[0] or "các đồng chí",
                         "attachments": [short_name(p.name) for p in committee_files]}))
    listed = _listed_counts(summary["issues"])
    for unit in units:
        if unit["type"] not in CELL_TYPES or (only and unit["code"].upper() not in only):
            continue
        code = unit["code"]
        where = f"{code} {unit['name']}"
        package = folder / "units" / safe_name(code)
        files = sorted(p for p in package.glob("*") if p.is_file() and p.suffix in (".pdf", ".xlsx")) \
            if package.is_dir() else []
        if not files:
            out.no_package.append(where)
            continue
        if not _addressable(unit, where, out):
            continue
        size = sum(p.stat().st_size for p in files)
        if size > limit:
            out.too_large.append(f"{where}: {vn.decimal(size / 1024 / 1024, 1)} MB")
            continue
        errors, warnings = listed.get(code, (0, 0))
        out.letters.append(Letter(
            kind="unit", unit=code, to=unit["email"], template="mail_unit.txt.j2", files=tuple(files),
            context={"period": period, "committee_name": committee_name, "unit": unit, "signature": signature,
                     "figures": _figures_line(unit),
                     "errors": errors, "warnings": warnings,
                     "returned": any(p.suffix == ".xlsx" for p in files),
                     "attachments": [short_name(p.name) for p in files]}))
    return out


def _summary(folder: Path) -> dict:
    path = folder / SUMMARY_NAME
    if not path.is_file():
        raise PipelineError(f"Chưa có báo cáo trong {folder} (không thấy summary.json). Chạy make report cho kỳ này "
                            "trước, rồi gửi.")
    return json.loads(path.read_text(encoding="utf-8"))


# ---------- reminders ----------

REMINDER = "reminder"
REMINDER_DIR = "reminders"     # inside the quarter's folder: the pre-filled templates sent with reminders


def plan_reminders(folder: Path, config: Config, today: dt.date, only: Iterable[str] = ()) -> Plan:
    """A reminder for each cell whose figures are not in the last report (it sent nothing, or
    nothing usable): what is wrong, the deadline and how far it is, and what to do — with a
    pre-filled roster template (nothing came) or its feedback package (its file could not be used)."""
    summary = _summary(folder)
    only = {code.upper() for code in only}
    period = Period(summary["period"]["year"], summary["period"]["quarter"])
    deadline = (summary.get("deadline") or {}).get("date")
    deadline = dt.date.fromisoformat(deadline) if deadline else None
    reasons = _rejection_reasons(folder)
    committee_name = config.committee_name or summary["units"][0]["name"]
    out = Plan()
    for unit in summary["units"]:
        code = unit["code"]
        if unit["type"] not in CELL_TYPES or unit["status"] not in ("missing", "rejected") or \
                (only and code.upper() not in only):
            continue
        where = f"{code} {unit['name']}"
        if not _addressable(unit, where, out):
            continue
        if unit["status"] == "missing":
            files = [write_template(folder / REMINDER_DIR / template_name(code, period), (code, unit["name"]), period)]
        else:
            package = folder / "units" / safe_name(code)
            files = sorted(p for p in package.glob("*") if p.is_file() and p.suffix in (".pdf", ".xlsx")) \
                if package.is_dir() else []
        out.letters.append(Letter(
            kind=REMINDER, unit=code, to=unit["email"], template="mail_reminder.txt.j2", files=tuple(files),
            context={"period": period.label, "committee_name": committee_name, "unit": unit,
                     "signature": _signature(config), "deadline": f"{deadline:%d/%m/%Y}" if deadline else None,
                     "days_left": (deadline - today).days if deadline else None,
                     "reasons": reasons.get(code, []), "attachments": [short_name(p.name) for p in files]}))
    return out


def _addressable(unit: dict, where: str, plan: Plan) -> bool:
    """Whether the register gives the unit one mailbox to write to; else it is listed (no address,
    or one that is not a single mailbox: two addresses, a typing slip), never skipped silently and
    never stopping the other letters."""
    if not unit.get("email"):
        plan.no_address.append(where)
        return False
    if mailbox(unit["email"]) is None:
        plan.bad_address.append(f"{where}: {header_text(unit['email'])}")
        return False
    return True


def _rejection_reasons(folder: Path) -> dict[str, list[str]]:
    """unit → why each of its files for the period could not be used (the run's manifest.json)."""
    try:
        listing = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out: dict[str, list[str]] = {}
    for f in listing.get("files", []):
        if f.get("status") == "rejected" and f.get("unit") and f.get("period") == folder.name:
            out.setdefault(f["unit"], []).append(f"{f['file']}: {f.get('reason') or 'không dùng được'}")
    return out


def remind(folder: Path, out: Path, config: Config, *, today: dt.date, dry_run: bool = False,
           only: Iterable[str] = (), progress: Callable[[Iterable], Iterable] = lambda items: items,
           sleep: Callable[[float], None] = time.sleep) -> tuple[Plan, Outcome]:
    """Send the reminders of `plan_reminders`, at most one per cell and address a calendar day (by
    the ledger's clock, the system's). `today`: the day the letters count the deadline from."""
    planned = plan_reminders(folder, config, today, only)
    sending_day = dt.datetime.now().astimezone().date()

    def decide(ledger: Ledger, letter: Letter, whole: str) -> tuple[str, str | None]:
        done = ledger.sent_on(folder.name, letter.kind, letter.unit, letter.to, sending_day)
        return (SKIP if done else SEND), None

    return planned, transmit(planned.letters, folder, out, config, decide, dry_run=dry_run, progress=progress,
                             sleep=sleep)


def _figures_line(figures: dict) -> str:
    """`25 đảng viên, kết nạp trong quý 1, từ đầu năm 3`: a unit's (or the totals') figures in a sentence."""
    return (f"{vn.number(figures['members'])} đảng viên, kết nạp trong quý {vn.number(figures['admitted_quarter'])}, "
            f"từ đầu năm {vn.number(figures['admitted_ytd'])}")


def _period_label(period: dict) -> str:
    return Period(period["year"], period["quarter"]).label


def _listed_counts(issues: list[dict]) -> dict[str, tuple[int, int]]:
    """unit → (errors, warnings) its feedback lists: the same issues as feedback.views._listed_issues
    (its files', status restatements left out)."""
    counts: dict[str, list[int]] = {}
    for i in issues:
        if not i.get("unit") or not i.get("file") or i["rule"] in STATUS_RULES:
            continue
        c = counts.setdefault(i["unit"], [0, 0])
        c[0 if i["severity"] == "error" else 1] += 1
    return {unit: (e, w) for unit, (e, w) in counts.items()}


def _signature(config: Config) -> str:
    name = config.smtp.sender.split("<")[0].strip().strip('"') if config.smtp.sender else ""
    return "\n".join(x for x in (name or "Ban Tổ chức", config.committee_name) if x)


def digest(attachments: list[tuple[str, bytes]]) -> tuple[str, list[list[str]]]:
    """The SHA-256 of each attachment, and one of them all: what a message's content is."""
    each = [[name, hashlib.sha256(data).hexdigest()] for name, data in attachments]
    whole = hashlib.sha256(json.dumps(sorted(each)).encode()).hexdigest()
    return whole, each


# ---------- sending ----------

@dataclass
class Outcome:
    sent: list[str] = field(default_factory=list)          # "CB-PC02 → a@b.vn"
    skipped: list[str] = field(default_factory=list)       # already sent with this content
    corrections: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)        # "… (550 …)"
    unknown: list[str] = field(default_factory=list)       # not known whether it arrived
    written: list[Path] = field(default_factory=list)      # --dry-run: the .eml files


class Transport:
    """One SMTP connection, opened when first needed, verified TLS unless security = "none"."""

    def __init__(self, config: Config, password: str | None):
        self.settings, self.password, self.client = config.smtp, password, None

    def _context(self) -> ssl.SSLContext:
        # Certificates and host names verified, with the organisation's own CA when given; never off.
        return ssl.create_default_context(cafile=self.settings.cafile or None)

    def open(self):
        s = self.settings
        try:
            if s.security == "ssl":
                client = smtplib.SMTP_SSL(s.host, s.effective_port, timeout=s.timeout, context=self._context())
            else:
                client = smtplib.SMTP(s.host, s.effective_port, timeout=s.timeout)
                if s.security == "starttls":
                    client.starttls(context=self._context())
            if s.user:
                client.login(s.user, self.password or "")
        except ssl.SSLError as exc:
            raise PipelineError(f"Không kiểm tra được chứng chỉ của máy chủ thư {s.host} ({exc.reason}). Nếu đơn vị "
                                "dùng chứng chỉ riêng, ghi đường dẫn tệp CA vào cafile trong mục [smtp].") from None
        except smtplib.SMTPAuthenticationError:
            raise PipelineError(f"Máy chủ thư {s.host} không nhận tên đăng nhập hoặc mật khẩu (user, "
                                f"biến môi trường {s.password_env}).") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise PipelineError(f"Không kết nối được máy chủ thư {s.host}:{s.effective_port} ({exc}). Kiểm tra host, "
                                "port, security trong mục [smtp].") from None
        self.client = client
        return client

    def send(self, message) -> str:
        """Hand `message` to the server; → its reply. Raises smtplib errors as they come."""
        client = self.client or self.open()
        client.send_message(message)   # one recipient: a refusal raises
        return "250 OK"

    def drop(self) -> None:
        if self.client is not None:
            try:
                self.client.close()
            finally:
                self.client = None

    def close(self) -> None:
        if self.client is not None:
            with suppress(smtplib.SMTPException, OSError):  # the messages are sent; a failed goodbye is not news
                self.client.quit()
            self.client = None


def deliver(folder: Path, out: Path, config: Config, *, dry_run: bool = False, only: Iterable[str] = (),
            resend_unknown: bool = False, progress: Callable[[Iterable], Iterable] = lambda items: items,
            sleep: Callable[[float], None] = time.sleep) -> tuple[Plan, Outcome]:
    """Send (or, `dry_run`, write as .eml into `folder/outbox/`) every letter of `plan(folder)`,
    recording each in the ledger at `out/delivery.sqlite`."""
    planned = plan(folder, config, only)

    def decide(ledger: Ledger, letter: Letter, whole: str) -> tuple[str, str | None]:
        previous = ledger.last(folder.name, letter.kind, letter.unit, letter.to)
        sent_before = ledger.last_sent(folder.name, letter.kind, letter.unit, letter.to)
        if previous is not None and previous["state"] == UNKNOWN and not resend_unknown:
            return UNKNOWN, None
        # (an "unknown" row here is one asked to be sent again: --resend-unknown)
        if sent_before is not None and sent_before["digest"] == whole and previous["state"] != UNKNOWN:
            return SKIP, None
        return SEND, sent_before["message_id"] if sent_before is not None and sent_before["digest"] != whole else None

    return planned, transmit(planned.letters, folder, out, config, decide, dry_run=dry_run, progress=progress,
                             sleep=sleep)


SEND, SKIP = "send", "skip"
Decision = Callable[[Ledger, Letter, str], tuple[str, str | None]]


def transmit(letters: list[Letter], folder: Path, out: Path, config: Config, decide: Decision, *,
             dry_run: bool = False, progress: Callable[[Iterable], Iterable] = lambda items: items,
             sleep: Callable[[float], None] = time.sleep) -> Outcome:
    """Send each letter that `decide(ledger, letter, digest)` says to send (SEND, with the
    Message-ID it corrects or None; SKIP; UNKNOWN: held back), recording it in the ledger; or,
    `dry_run`, write every letter as .eml into `folder/outbox/` and send nothing."""
    outcome = Outcome()
    period = folder.name
    s = config.smtp
    if dry_run:
        for letter in letters:
            message = compose(letter, sender=s.sender or "ban-to-chuc@localhost", reply_to=s.reply_to)
            address = parseaddr(letter.to)[1] or letter.to
            target = folder / OUTBOX / f"{letter.kind}-{safe_name(letter.unit or '')}-{safe_name(address)}.eml"
            with atomic_path(target) as tmp:
                tmp.write_bytes(message.as_bytes())
            outcome.written.append(target)
        return outcome
    if not s.host or not s.sender:
        raise PipelineError("Chưa ghi máy chủ thư: thêm mục [smtp] với host và sender vào tệp cấu hình "
                            "(xem README, mục gửi thư).")
    password = None
    if s.user:
        if not s.password_env or not os.environ.get(s.password_env):
            raise PipelineError(f"Mật khẩu thư lấy từ biến môi trường {s.password_env or '(chưa ghi password_env)'}, "
                                "nhưng biến này chưa có. Đặt biến rồi chạy lại (mật khẩu không ghi vào tệp).")
        password = os.environ[s.password_env]
    ledger = Ledger(out / LEDGER_NAME)
    transport = Transport(config, password)
    pause = 60.0 / s.rate_per_minute if s.rate_per_minute else 0.0
    try:
        ledger.interrupted()
        for letter in progress(letters):
            label = f"{letter.unit} → {letter.to}"
            attachments = [(p.name, p.read_bytes()) for p in letter.files]   # read once: digest and message
            whole, each = digest(attachments)
            action, correction_of = decide(ledger, letter, whole)
            if action == UNKNOWN:
                outcome.unknown.append(label)
                continue
            if action == SKIP:
                outcome.skipped.append(label)
                continue
            message = compose(letter, sender=s.sender, reply_to=s.reply_to, correction_of=correction_of,
                              attachments=attachments)
            if transport.client is None:
                transport.open()   # a server that cannot be reached or trusted stops here, before any record
            row = ledger.begin(period, letter.kind, letter.unit, letter.to, whole, each, str(message["Subject"]),
                               str(message["Message-ID"]))
            state, reply, attempts = _send_one(transport, message, sleep)
            ledger.finish(row, state, reply, attempts)
            if state == SENT:
                (outcome.corrections if correction_of else outcome.sent).append(label)
            elif state == UNKNOWN:
                outcome.unknown.append(label)
            else:
                outcome.failed.append(f"{label} ({reply})")
            if pause:
                sleep(pause)
    finally:
        transport.close()
        ledger.close()
    return outcome


def _send_one(transport: Transport, message, sleep) -> tuple[str, str, int]:
    """→ (state, the server's reply, attempts). A temporary failure is tried again; a dropped
    connection after the data is "unknown"."""
    wait = BACKOFF_S
    reply = ""
    for attempt in range(1, RETRIES + 1):
        try:
            return SENT, transport.send(message), attempt
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            reply = f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            if not 400 <= code < 500:
                return FAILED, reply, attempt
        except smtplib.SMTPResponseException as exc:
            reply = f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace') if isinstance(exc.smtp_error, bytes) else exc.smtp_error}"
            transport.drop()
            if not 400 <= exc.smtp_code < 500:
                return FAILED, reply, attempt
        except smtplib.SMTPServerDisconnected as exc:
            transport.drop()
            return UNKNOWN, f"mất kết nối ({exc})", attempt
        except (TimeoutError, ConnectionError) as exc:
            transport.drop()
            reply = f"hết thời gian chờ hoặc mất kết nối ({exc})"
            return UNKNOWN, reply, attempt
        if attempt < RETRIES:
            sleep(wait)
            wait *= 2
    return FAILED, reply, RETRIES
