"""`send`: the reports delivered by mail through a real SMTP server on loopback (aiosmtpd on a free
port; plain, STARTTLS with AUTH and implicit TLS, with a certificate the test makes with trustme and
verification on). What is checked is what arrived."""

from __future__ import annotations

import datetime as dt
import email
import ssl
from dataclasses import replace
from email import policy
from email.header import decode_header, make_header

import pytest

aiosmtpd = pytest.importorskip("aiosmtpd")
trustme = pytest.importorskip("trustme")
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

from builders import member, sample_config, write_register, write_roster  # noqa: E402
from mailserver import Mailbox as Inbox, free_port  # noqa: E402
from pipeline import delivery  # noqa: E402
from pipeline.app import make_report, send_reminders, send_reports  # noqa: E402
from pipeline.cli import main  # noqa: E402
from pipeline.config import DeadlineSettings, SendSettings, SmtpSettings  # noqa: E402
from pipeline.errors import PipelineError  # noqa: E402

REGISTER = [
    ["DB-T", "Đảng bộ Khối Thử nghiệm", "Đảng bộ", None, None, None],
    ["CB-A", "Chi bộ Phòng Tham mưu", "Chi bộ cơ sở", "DB-T", "cb-a@example.vn", 3],
    ["CB-B", "Chi bộ Phòng Hậu cần", "Chi bộ cơ sở", "DB-T", "cb-b@example.vn", 2],
    ["CB-C", "Chi bộ Văn phòng", "Chi bộ cơ sở", "DB-T", None, None],
]
RETURNED = "DS đảng viên Phòng Tham mưu quý 3 - da kiem tra.xlsx"


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    base = tmp_path_factory.mktemp("send")
    write_register(base / "units.xlsx", REGISTER)
    inbox = base / "inbox"
    inbox.mkdir()
    write_roster(inbox / "DS đảng viên Phòng Tham mưu quý 3.xlsx", "CB-A",
                 [member("Nguyễn Văn An", 1990, n=1, **{"Ngày sinh": "31/02/1990"}), member("Hà Thị Cúc", 1993, "Nữ", n=2)])
    write_roster(inbox / "CB-B_2022-Q3.xlsx", "CB-B", [member("Trần Văn Bảo", 1985, n=3)])
    write_roster(inbox / "CB-C_2022-Q3.xlsx", "CB-C", [member("Lê Văn Cường", 1980, n=4)])
    return base


def fresh_reports(reports, tmp_path):
    out = tmp_path / "out"
    make_report(inbox=reports / "inbox", units=reports / "units.xlsx", quarter=3, out=out,
                config=sample_config(), report_date=dt.date(2022, 10, 27), workers=1)
    return out


def settings(port, **smtp) -> object:
    base = {"host": "127.0.0.1", "port": port, "security": "none", "sender": "Ban Tổ chức <btc@example.vn>",
            "reply_to": "btc@example.vn", "timeout": 10.0, "rate_per_minute": 0}
    base.update(smtp)
    return sample_config(smtp=SmtpSettings(**base), send=SendSettings(report_to=("bch@example.vn",)))


@pytest.fixture
def server():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr(delivery, "BACKOFF_S", 0.01)


def test_each_report_goes_to_its_address_with_vietnamese_names_intact(reports, tmp_path, server):
    inbox, port = server
    out = fresh_reports(reports, tmp_path)
    planned, outcome = send_reports(year=2022, quarter=3, out=out, config=settings(port))
    assert sorted(outcome.sent) == ["CB-A → cb-a@example.vn", "CB-B → cb-b@example.vn", "DB-T → bch@example.vn"]
    assert planned.no_address == ["CB-C Chi bộ Văn phòng"]          # listed, never silently skipped
    [to_a] = inbox.to("cb-a@example.vn")
    assert str(to_a["Subject"]) == ("Kết quả kiểm tra danh sách đảng viên quý III năm 2022 — Chi bộ Phòng Tham mưu")
    assert to_a["Reply-To"] == "btc@example.vn" and to_a["Message-ID"] and to_a["Date"]
    names = sorted(p.get_filename() for p in to_a.iter_attachments())
    assert names == [RETURNED, "phan-hoi-CB-A-2022-Q3.pdf"]
    for part in to_a.iter_attachments():      # the RFC 2047 fallback Outlook reads says the same
        assert str(make_header(decode_header(part.get_param("name")))) == part.get_filename()
    body = to_a.get_body(("plain",)).get_content()
    assert "1 lỗi, 0 cảnh báo" in body and "2 đảng viên" in body
    [to_bch] = inbox.to("bch@example.vn")
    assert sorted(p.get_filename() for p in to_bch.iter_attachments()) == [
        "bao-cao-phat-trien-dang-vien-2022-Q3.pdf", "so-lieu-phat-trien-dang-vien-2022-Q3.xlsx"]
    raw = inbox.raw["cb-a@example.vn"]
    assert b"filename*0" not in raw and b"name*0" not in raw        # no continuations
    assert b'name="=?utf-8?b?' in raw and b"filename*=utf-8''" in raw


def test_a_second_run_sends_nothing_twice(reports, tmp_path, server):
    inbox, port = server
    out = fresh_reports(reports, tmp_path)
    send_reports(year=2022, quarter=3, out=out, config=settings(port))
    _, again = send_reports(year=None, quarter=3, out=out, config=settings(port))
    assert again.sent == [] and len(again.skipped) == 3
    assert len(inbox.arrived) == 3


def test_a_changed_report_is_sent_again_as_a_correction_threaded_under_the_first(reports, tmp_path, server):
    inbox, port = server
    out = fresh_reports(reports, tmp_path)
    send_reports(year=2022, quarter=3, out=out, config=settings(port))
    first = inbox.to("cb-b@example.vn")[0]
    changed = tmp_path / "inbox2"
    changed.mkdir()
    for path in (reports / "inbox").iterdir():
        (changed / path.name).write_bytes(path.read_bytes())
    write_roster(changed / "CB-B_2022-Q3.xlsx", "CB-B", [member("Trần Văn Bảo", 1985, n=3),
                                                         member("Vũ Văn Mới", 1996, n=5)])
    make_report(inbox=changed, units=reports / "units.xlsx", quarter=3, out=out, config=sample_config(),
                report_date=dt.date(2022, 10, 27), workers=1)
    _, outcome = send_reports(year=2022, quarter=3, out=out, config=settings(port))
    assert "CB-B → cb-b@example.vn" in outcome.corrections
    correction = inbox.to("cb-b@example.vn")[-1]
    assert str(correction["Subject"]).startswith("Đính chính: Kết quả kiểm tra danh sách đảng viên")
    assert correction["In-Reply-To"] == first["Message-ID"] == correction["References"]


def test_a_permanent_refusal_for_one_recipient_leaves_the_others_delivered(reports, tmp_path, server):
    inbox, port = server
    inbox.refuse["cb-a@example.vn"] = "550 Không có hộp thư này"
    out = fresh_reports(reports, tmp_path)
    _, outcome = send_reports(year=2022, quarter=3, out=out, config=settings(port))
    assert [f for f in outcome.failed if f.startswith("CB-A")] == ["CB-A → cb-a@example.vn (550 Không có hộp thư này)"]
    assert sorted(outcome.sent) == ["CB-B → cb-b@example.vn", "DB-T → bch@example.vn"]


def test_a_temporary_refusal_is_tried_again_and_delivered_once(reports, tmp_path, server):
    inbox, port = server
    inbox.busy_once = True
    out = fresh_reports(reports, tmp_path)
    _, outcome = send_reports(year=2022, quarter=3, out=out, config=settings(port), only=("committee",))
    assert outcome.sent == ["DB-T → bch@example.vn"] and len(inbox.to("bch@example.vn")) == 1
    [row] = delivery.Ledger(out / delivery.LEDGER_NAME).rows()
    assert (row["state"], row["attempts"]) == ("sent", 2)


def test_a_connection_dropped_after_the_data_is_unknown_and_not_sent_again(reports, tmp_path, server):
    inbox, port = server
    inbox.drop_after_data = True
    out = fresh_reports(reports, tmp_path)
    _, outcome = send_reports(year=2022, quarter=3, out=out, config=settings(port), only=("CB-B",))
    assert outcome.unknown == ["CB-B → cb-b@example.vn"] and outcome.sent == []
    inbox.drop_after_data = False
    _, again = send_reports(year=2022, quarter=3, out=out, config=settings(port), only=("CB-B",))
    assert again.unknown == ["CB-B → cb-b@example.vn"] and again.sent == []
    assert len(inbox.to("cb-b@example.vn")) == 1
    _, asked = send_reports(year=2022, quarter=3, out=out, config=settings(port), only=("CB-B",), resend_unknown=True)
    assert asked.sent == ["CB-B → cb-b@example.vn"] and len(inbox.to("cb-b@example.vn")) == 2


def test_dry_run_writes_the_messages_and_sends_nothing(reports, tmp_path, server):
    inbox, port = server
    out = fresh_reports(reports, tmp_path)
    _, outcome = send_reports(year=2022, quarter=3, out=out, config=settings(port), dry_run=True)
    assert sorted(p.name for p in outcome.written) == [
        "committee-DB-T-bch@example.vn.eml", "unit-CB-A-cb-a@example.vn.eml", "unit-CB-B-cb-b@example.vn.eml"]
    assert inbox.arrived == [] and not (out / delivery.LEDGER_NAME).exists()
    written = email.message_from_bytes(outcome.written[1].read_bytes(), policy=policy.default)
    assert str(written["Subject"]).endswith("Chi bộ Phòng Tham mưu")


def test_without_reports_send_says_so(tmp_path):
    with pytest.raises(PipelineError, match="Chưa có báo cáo"):
        send_reports(year=2022, quarter=3, out=tmp_path, config=settings(25))


# --- TLS ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    cafile = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    return context, cafile


def _accept_one(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"btc" and auth_data.password == b"mat-khau"
    return AuthResult(success=ok)


def test_starttls_with_auth_verifies_the_certificate(reports, tmp_path, tls, monkeypatch):
    context, cafile = tls
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), tls_context=context,
                            require_starttls=True, auth_required=True, authenticator=_accept_one)
    controller.start()
    try:
        out = fresh_reports(reports, tmp_path)
        monkeypatch.setenv("PIPELINE_TEST_SMTP", "mat-khau")
        config = settings(controller.port, security="starttls", user="btc", password_env="PIPELINE_TEST_SMTP",
                          cafile=str(cafile))
        _, outcome = send_reports(year=2022, quarter=3, out=out, config=config, only=("committee",))
        assert outcome.sent == ["DB-T → bch@example.vn"] and len(handler.arrived) == 1
        # Without the organisation's CA the certificate is not trusted: nothing is sent, nothing recorded.
        (out / delivery.LEDGER_NAME).unlink()
        unverified = replace(config, smtp=replace(config.smtp, cafile=""))
        with pytest.raises(PipelineError, match="chứng chỉ"):
            send_reports(year=2022, quarter=3, out=out, config=unverified, only=("committee",))
        assert len(handler.arrived) == 1
        assert delivery.Ledger(out / delivery.LEDGER_NAME).rows() == []
    finally:
        controller.stop()


def test_implicit_tls_delivers(reports, tmp_path, tls):
    context, cafile = tls
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), ssl_context=context)
    controller.start()
    try:
        out = fresh_reports(reports, tmp_path)
        config = settings(controller.port, security="ssl", cafile=str(cafile))
        _, outcome = send_reports(year=2022, quarter=3, out=out, config=config, only=("CB-A",))
        assert outcome.sent == ["CB-A → cb-a@example.vn"] and len(handler.to("cb-a@example.vn")) == 1
    finally:
        controller.stop()


def test_the_password_comes_only_from_the_environment(reports, tmp_path, monkeypatch):
    monkeypatch.delenv("PIPELINE_TEST_SMTP", raising=False)
    out = fresh_reports(reports, tmp_path)
    config = settings(25, user="btc", password_env="PIPELINE_TEST_SMTP")
    with pytest.raises(PipelineError, match="PIPELINE_TEST_SMTP"):
        send_reports(year=2022, quarter=3, out=out, config=config)


def test_a_recipient_with_a_name_is_greeted_by_it(reports, tmp_path, server):
    inbox, port = server
    out = fresh_reports(reports, tmp_path)
    config = settings(port)
    config = replace(config, send=SendSettings(report_to=("Thường trực Đảng ủy Khối <tt@example.vn>",)))
    _, outcome = send_reports(year=2022, quarter=3, out=out, config=config, only=("committee",))
    [message] = inbox.to("tt@example.vn")
    assert str(message["To"]) == "Thường trực Đảng ủy Khối <tt@example.vn>"
    assert message.get_body(("plain",)).get_content().startswith("Kính gửi: Thường trực Đảng ủy Khối,")


# ---------- reminders ----------

REMIND_REGISTER = REGISTER + [
    ["CB-D", "Chi bộ Phòng Kỹ thuật", "Chi bộ cơ sở", "DB-T", "cb-d@example.vn", 1],
    ["CB-E", "Chi bộ Phòng Đối ngoại", "Chi bộ cơ sở", "DB-T", "cb-e@example.vn", 1],
    ["CB-F", "Chi bộ Phòng Lưu trữ", "Chi bộ cơ sở", "DB-T", None, None],
]


@pytest.fixture
def late_quarter(reports, tmp_path):
    """The `reports` committee with three more cells: CB-D sent nothing, CB-E a file that cannot be
    read, CB-F nothing and has no address; the deadline (05/10/2022) has passed."""
    write_register(tmp_path / "units.xlsx", REMIND_REGISTER)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for path in (reports / "inbox").iterdir():
        (inbox / path.name).write_bytes(path.read_bytes())
    (inbox / "CB-E_2022-Q3.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    out = tmp_path / "out"
    make_report(inbox=inbox, units=tmp_path / "units.xlsx", quarter=3, out=out,
                config=sample_config(deadlines=DeadlineSettings(days_after_quarter=5)),
                report_date=dt.date(2022, 10, 27), workers=1,
                now=dt.datetime(2022, 10, 8, 9, 0).astimezone())
    return out


def test_a_reminder_goes_to_each_cell_without_figures_once_a_day(late_quarter, server):
    inbox, port = server
    config = replace(settings(port), deadlines=DeadlineSettings(days_after_quarter=5))
    planned, outcome = send_reminders(year=2022, quarter=3, out=late_quarter, config=config,
                                      today=dt.date(2022, 10, 8))
    assert sorted(outcome.sent) == ["CB-D → cb-d@example.vn", "CB-E → cb-e@example.vn"]
    assert planned.no_address == ["CB-F Chi bộ Phòng Lưu trữ"]              # said, not skipped silently
    assert inbox.to("cb-a@example.vn") == []                                  # its figures are in: no reminder
    [missing] = inbox.to("cb-d@example.vn")
    assert str(missing["Subject"]) == "Nhắc gửi danh sách đảng viên quý III năm 2022 — Chi bộ Phòng Kỹ thuật"
    body = missing.get_body(("plain",)).get_content()
    assert "chưa nhận được danh sách đảng viên quý III năm 2022" in body
    assert "Hạn gửi là ngày 05/10/2022, đã quá 3 ngày" in body
    [template] = list(missing.iter_attachments())
    assert template.get_filename() == "mau-danh-sach-CB-D-2022-Q3.xlsx"
    [rejected] = inbox.to("cb-e@example.vn")
    body = rejected.get_body(("plain",)).get_content()
    assert "tệp chưa dùng được" in body and "CB-E_2022-Q3.xlsx:" in body
    assert sorted(p.get_filename() for p in rejected.iter_attachments()) == ["phan-hoi-CB-E-2022-Q3.pdf"]

    _, again = send_reminders(year=2022, quarter=3, out=late_quarter, config=config, today=dt.date(2022, 10, 8))
    assert again.sent == [] and len(again.skipped) == 2 and len(inbox.arrived) == 2     # once a day
    rows = [r for r in delivery.Ledger(late_quarter / delivery.LEDGER_NAME).rows() if r["kind"] == "reminder"]
    assert [(r["unit"], r["state"]) for r in rows] == [("CB-D", "sent"), ("CB-E", "sent")]


def test_remind_from_the_command_line_dry_run_writes_the_letters(late_quarter, capsys):
    code = main(["remind", "--quarter", "3", "--out", str(late_quarter), "--dry-run", "--only", "CB-D"])
    printed = capsys.readouterr().out
    assert code == 0
    [letter] = list((late_quarter / "2022-Q3" / "outbox").glob("reminder-*.eml"))
    assert letter.name == "reminder-CB-D-cb-d@example.vn.eml" and f"Thư nhắc (chưa gửi): {letter}" in printed
    message = email.message_from_bytes(letter.read_bytes(), policy=policy.default)
    assert "Hạn gửi là ngày 05/10/2022" in message.get_body(("plain",)).get_content()
    assert not (late_quarter / delivery.LEDGER_NAME).exists() or not delivery.Ledger(
        late_quarter / delivery.LEDGER_NAME).rows()


def test_an_email_that_is_not_one_mailbox_is_listed_and_the_others_still_go(tmp_path, server):
    inbox, port = server
    rows = [list(r) for r in REGISTER]
    rows[2][4] = "cb-b@example.vn, truong-cb-b@example.vn"     # two addresses in one cell of the register
    write_register(tmp_path / "units.xlsx", rows)
    (tmp_path / "inbox").mkdir()
    write_roster(tmp_path / "inbox" / "CB-A_2022-Q3.xlsx", "CB-A", [member("Nguyễn Văn An", 1990, n=1)])
    write_roster(tmp_path / "inbox" / "CB-B_2022-Q3.xlsx", "CB-B", [member("Trần Văn Bảo", 1985, n=3)])
    out = tmp_path / "out"
    make_report(inbox=tmp_path / "inbox", units=tmp_path / "units.xlsx", quarter=3, out=out, config=sample_config(),
                report_date=dt.date(2022, 10, 27), workers=1)
    planned, outcome = send_reports(year=2022, quarter=3, out=out, config=settings(port))
    assert planned.bad_address == ["CB-B Chi bộ Phòng Hậu cần: cb-b@example.vn, truong-cb-b@example.vn"]
    assert "CB-A → cb-a@example.vn" in outcome.sent and inbox.to("cb-b@example.vn") == []
