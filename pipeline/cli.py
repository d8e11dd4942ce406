"""Command line: arguments, exit codes, progress and printing. No business logic here.

    python -m pipeline report --quarter 3 [...]   the committee report and the feedback packages
    python -m pipeline check FILE...              validate rosters before sending them
    python -m pipeline template [...]             ready-to-fill roster workbooks
    python -m pipeline watch [...]                the reports remade as the cells' files come
    python -m pipeline status --quarter 3         where the quarter stands (what the runs wrote)
    python -m pipeline send / remind --quarter 3  the reports, the feedback, reminders by mail
    python -m pipeline init DIR                   a committee's folder
"""

from __future__ import annotations

import argparse
import datetime as dt
import enum
import os
import sys

from contextlib import nullcontext, suppress
from pathlib import Path

from pipeline import __version__
from pipeline.config import KEY_WORDS
from pipeline.errors import PipelineError
from pipeline.lock import Busy


class Exit(enum.IntEnum):
    OK = 0
    FAILED = 1        # nothing could be produced (the message says why)
    USAGE = 2         # bad arguments
    DATA_ERRORS = 3   # `check`: at least one file has an error
    NOT_ALL_SENT = 4  # `send`: a message failed, or whether it arrived is not known
    BUSY = 5          # --no-wait: another run holds the output folder
    INTERRUPTED = 130


def invocation() -> str:
    """This program as the user would type it again in the same folder (`.venv/bin/python -m
    pipeline`): a plain `python` may not be the one with the libraries installed."""
    exe = Path(sys.executable)
    with suppress(ValueError):  # not below this folder: the full path
        exe = exe.relative_to(Path.cwd())
    return f"{exe} -m pipeline"


# argparse's own words, in Vietnamese (it looks each one up through `argparse._` as it runs).
_ARGPARSE_VI = {
    "usage: ": "Cách dùng: ",
    "positional arguments": "tham số",
    "options": "tùy chọn",
    "show this help message and exit": "in hướng dẫn này rồi thoát",
    "show program's version number and exit": "in phiên bản rồi thoát",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "unrecognized arguments: %s": "tham số không biết: %s",
    "expected one argument": "cần một giá trị",
    "invalid choice: %(value)r (choose from %(choices)s)": "lệnh không có: %(value)r (chọn một trong %(choices)s)",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "ambiguous option: %(option)s could match %(matches)s": "tùy chọn %(option)s không rõ: có thể là %(matches)s",
    "invalid %(type)s value: %(value)r": "giá trị không hợp lệ: %(value)r",
    "not allowed with argument %s": "không dùng cùng %s",
}
_english = argparse._
argparse._ = lambda text: _ARGPARSE_VI.get(text, _english(text))


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not usage + noise
        self.exit(Exit.USAGE, f"Lỗi tham số: {message}. Xem: {invocation()} {self.prog.split()[-1]} --help\n")


def _date(text: str) -> dt.date:
    from pipeline.config import parse_day

    day = parse_day(text)
    if day is None:
        raise argparse.ArgumentTypeError(f"ngày \"{text}\" không đọc được; ghi dạng ngày/tháng/năm, ví dụ 27/10/2022")
    return day


_QUARTERS = {"1": 1, "2": 2, "3": 3, "4": 4, "i": 1, "ii": 2, "iii": 3, "iv": 4}


def _quarter(text: str) -> int:
    quarter = _QUARTERS.get(text.strip().lower().removeprefix("q").strip())
    if quarter is None:
        raise argparse.ArgumentTypeError(f"quý phải là 1, 2, 3 hoặc 4 (hoặc I, II, III, IV; đang là \"{text}\")")
    return quarter


def _year(text: str) -> int:
    if not (text.isdigit() and 1990 <= int(text) <= 2100):
        raise argparse.ArgumentTypeError(f"năm \"{text}\" không hợp lệ (ví dụ 2022)")
    return int(text)


def _workers(text: str) -> int:
    if not (text.isdigit() and int(text) >= 1):
        raise argparse.ArgumentTypeError(f"số tiến trình phải là số nguyên từ 1 trở lên (đang là \"{text}\")")
    return int(text)


# The sample committee's inbox, register and settings: used together, only when no inbox and no
# register are given (its settings then unless --config names others).
SAMPLE_INBOX = Path("input_samples/inbox")
SAMPLE_UNITS = Path("input_samples/units.xlsx")
SAMPLE_CONFIG = Path("input_samples/pipeline.toml")


def _inputs(args) -> tuple[Path, Path]:
    """The inbox and the register: both given, or neither (the samples). One without the other is
    refused: the sample register goes only with the sample inbox."""
    if args.inbox is None and args.units is None:
        return SAMPLE_INBOX, SAMPLE_UNITS
    if args.units is None:
        raise PipelineError(f"Đã chỉ thư mục nhận {args.inbox} nhưng chưa chỉ danh mục đơn vị của đảng bộ. "
                            "Thêm --units TỆP.xlsx (make: UNITS=…); danh mục mẫu chỉ dùng với thư mục mẫu.")
    if args.inbox is None:
        raise PipelineError(f"Đã chỉ danh mục đơn vị {args.units} nhưng chưa chỉ thư mục nhận danh sách. "
                            "Thêm --inbox THƯ_MỤC (make: INBOX=…).")
    return args.inbox, args.units


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--quiet", action="store_true", help="không hiện thanh tiến trình và tóm tắt")
    common.add_argument("--debug", action="store_true", help="in chi tiết lỗi (traceback) khi chạy hỏng")

    # Commands that write into the output folder: one at a time (pipeline.lock).
    locking = argparse.ArgumentParser(add_help=False)
    locking.add_argument("--no-wait", action="store_true",
                         help="khi thư mục kết quả đang được một lệnh khác dùng: dừng ngay thay vì đợi (thoát 5)")

    parser = _Parser(prog="pipeline", description="Báo cáo quý về công tác phát triển đảng viên từ danh sách các chi bộ.")
    parser.add_argument("--version", action="version", version=f"pipeline {__version__}", help="in phiên bản rồi thoát")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    report = commands.add_parser(
        "report", parents=[common, locking], help="đọc, kiểm tra các danh sách và làm báo cáo quý",
        description="Đọc mọi danh sách trong thư mục nhận, kiểm tra, tổng hợp theo cây tổ chức và viết báo cáo "
                    "(PDF), summary.json, tệp Excel và gói phản hồi cho từng chi bộ vào OUT/<năm>-Q<quý>/. "
                    "Thoát 0 khi đã có báo cáo (kể cả khi dữ liệu có lỗi: lỗi được ghi trong báo cáo); "
                    "1 khi không làm được báo cáo; 2 khi tham số sai.")
    report.add_argument("--quarter", "-q", type=_quarter, required=True, help="quý báo cáo: 1, 2, 3, 4 (hoặc I–IV)")
    report.add_argument("--year", "-y", type=_year, help="năm báo cáo; bỏ trống thì lấy theo các tệp đã gửi")
    report.add_argument("--inbox", type=Path, default=None,
                        help="thư mục chứa các tệp danh sách; không bao giờ bị sửa. Ghi cùng --units; bỏ cả hai "
                             f"thì dùng dữ liệu mẫu ({SAMPLE_INBOX}, {SAMPLE_UNITS})")
    report.add_argument("--units", type=Path, default=None, help="tệp danh mục đơn vị của đảng bộ (ghi cùng --inbox)")
    report.add_argument("--out", type=Path, default=Path("output"), help="thư mục ghi kết quả (mặc định: output)")
    report.add_argument("--config", type=Path, default=None,
                        help="tệp cấu hình TOML của đảng bộ (mặc định: pipeline.toml ở thư mục hiện tại; "
                             f"với dữ liệu mẫu: {SAMPLE_CONFIG})")
    report.add_argument("--date", type=_date, default=None,
                        help="ngày ghi trên báo cáo, ngày/tháng/năm (mặc định: report_date trong cấu hình, nếu không thì hôm nay)")
    report.add_argument("--no-feedback", action="store_true",
                        help="chỉ làm báo cáo của Đảng ủy, không làm gói phản hồi cho từng chi bộ")
    report.add_argument("--workers", type=_workers, default=None, metavar="N",
                        help="số tiến trình đọc tệp và làm gói phản hồi song song (mặc định: bằng số lõi CPU; 1: không song song)")
    report.add_argument("--dask", metavar="ADDRESS", default=None,
                        help="làm gói phản hồi trên cụm Dask có scheduler ở ADDRESS (ví dụ tcp://10.0.0.5:8786); "
                             "cần pip install .[dask] và thư mục nhận, thư mục kết quả dùng chung cùng đường dẫn")
    report.add_argument("--rebuild-feedback", action="store_true",
                        help="làm lại mọi gói phản hồi, kể cả gói có dữ liệu không đổi từ lần chạy trước")
    report.add_argument("--reread", action="store_true",
                        help="đọc lại mọi tệp, không lấy kết quả đọc của lần chạy trước (lưu ở <thư mục kết quả>/cache)")
    report.set_defaults(run=run_report)

    check = commands.add_parser(
        "check", parents=[common], help="kiểm tra tệp danh sách trước khi gửi (không làm báo cáo)",
        description="Kiểm tra một hay nhiều tệp danh sách và in các lỗi, cảnh báo. Thoát 0 khi không có lỗi "
                    "(có thể có cảnh báo), 3 khi có ít nhất một lỗi, 1 khi không kiểm tra được, 2 khi tham số sai.")
    check.add_argument("files", nargs="+", type=Path, metavar="FILE", help="tệp danh sách (.xlsx, .xlsm, .xls, .ods)")
    check.add_argument("--units", type=Path, default=None,
                       help="danh mục đơn vị, để kiểm tra cả mã đơn vị (mặc định: không dùng)")
    check.add_argument("--quarter", "-q", type=_quarter, help="quý để kiểm tra (mặc định: quý ghi trong tệp)")
    check.add_argument("--year", "-y", type=_year, help="năm để kiểm tra (mặc định: năm ghi trong tệp)")
    check.add_argument("--config", type=Path, default=None,
                       help="tệp cấu hình: ngày nghỉ, ngày làm bù ([calendar]) và giới hạn đọc tệp ([limits]) như khi "
                            "làm báo cáo (mặc định: pipeline.toml ở thư mục hiện tại nếu có)")
    check.set_defaults(run=run_check)

    template = commands.add_parser(
        "template", parents=[common], help="tạo tệp mẫu danh sách để các chi bộ điền",
        description="Tạo tệp mẫu danh sách đảng viên: một tệp cho mỗi chi bộ trong danh mục (đã ghi sẵn mã, tên "
                    "đơn vị và kỳ báo cáo) và một tệp trống; hoặc chỉ cho một đơn vị với --unit.")
    template.add_argument("--units", type=Path, default=None,
                          help="tệp danh mục đơn vị của đảng bộ (bắt buộc, trừ khi dùng --blank)")
    template.add_argument("--unit", help="chỉ tạo mẫu cho đơn vị có mã này")
    template.add_argument("--blank", action="store_true", help="chỉ tạo một mẫu trống, không cần danh mục")
    template.add_argument("--quarter", "-q", type=_quarter, help="quý ghi sẵn trong mẫu")
    template.add_argument("--year", "-y", type=_year, help="năm ghi sẵn trong mẫu")
    template.add_argument("--out", type=Path, default=Path("output/mau"), help="thư mục ghi mẫu (mặc định: output/mau)")
    template.set_defaults(run=run_template)

    send = commands.add_parser(
        "send", parents=[common, locking], help="gửi báo cáo và gói phản hồi bằng thư điện tử, mỗi thư một lần",
        description="Gửi những gì lệnh report đã ghi vào OUT/<năm>-Q<quý>/ (không làm lại báo cáo): báo cáo của "
                    "Đảng ủy tới các địa chỉ [send] report_to, gói phản hồi của từng chi bộ tới Email của chi bộ "
                    "trong danh mục. Sổ gửi thư OUT/delivery.sqlite giữ mỗi thư đã gửi: chạy lại chỉ gửi thư chưa "
                    "gửi; báo cáo đổi thì gửi thư đính chính. Thoát 0 khi mọi thư đã gửi; 4 khi có thư không "
                    "gửi được hoặc chưa rõ đã tới chưa; 1 khi không gửi được gì.",
        epilog=f"Ví dụ: {invocation()} send --year 2022 --quarter 3 --dry-run")
    _mail_options(send, "quý của báo cáo cần gửi", "chỉ gửi cho các đơn vị này (committee: báo cáo của Đảng ủy)")
    send.add_argument("--resend-unknown", action="store_true",
                      help="gửi lại cả thư chưa rõ đã tới chưa (mất kết nối giữa chừng)")
    send.set_defaults(run=run_send)

    remind = commands.add_parser(
        "remind", parents=[common, locking], help="gửi thư nhắc các chi bộ chưa gửi hoặc có tệp không dùng được",
        description="Theo báo cáo gần nhất trong OUT/<năm>-Q<quý>/ (chạy report hoặc watch trước): gửi thư nhắc tới "
                    "Email của từng chi bộ chưa gửi danh sách (kèm mẫu đã ghi sẵn mã đơn vị) hoặc có tệp không dùng "
                    "được (kèm báo cáo phản hồi), nói rõ hạn gửi. Mỗi chi bộ nhiều nhất một thư nhắc mỗi ngày (sổ "
                    "gửi thư). Thoát 0 khi mọi thư đã gửi; 4 khi có thư không gửi được hoặc chưa rõ đã tới chưa.",
        epilog=f"Ví dụ: {invocation()} remind --year 2022 --quarter 3 --dry-run")
    _mail_options(remind, "quý cần nhắc", "chỉ nhắc các chi bộ này")
    remind.set_defaults(run=run_remind)

    status = commands.add_parser(
        "status", parents=[common], help="xem tình hình báo cáo của một quý: ai đã gửi, ai muộn, lỗi, phản hồi",
        description="In bảng các đơn vị theo cây tổ chức: tình trạng, đúng hạn hay muộn, số lỗi và cảnh báo, "
                    "phản hồi đã gửi chưa; rồi số liệu tổng, phạm vi số liệu và các thay đổi so với lần chạy trước. "
                    "Chỉ đọc những gì lệnh report (hoặc watch) và send đã ghi vào OUT/<năm>-Q<quý>/ và sổ gửi thư; "
                    "không đọc tệp Excel nào. Thoát 0; 1 khi chưa có báo cáo của quý đó.",
        epilog=f"Ví dụ: {invocation()} status --quarter 3 --json")
    status.add_argument("--quarter", "-q", type=_quarter, required=True, help="quý cần xem")
    status.add_argument("--year", "-y", type=_year, help="năm (bỏ trống nếu OUT chỉ có một báo cáo của quý này)")
    status.add_argument("--out", type=Path, default=Path("output"), help="thư mục kết quả (mặc định: output)")
    status.add_argument("--json", action="store_true", help="in một tài liệu JSON thay cho bảng")
    status.set_defaults(run=run_status)

    watch = commands.add_parser(
        "watch", help="theo dõi thư mục nhận, tự làm lại báo cáo khi chi bộ gửi tệp",
        description="Làm báo cáo của kỳ đã chọn (hoặc kỳ mới nhất trong thư mục nhận), rồi theo dõi thư mục nhận: "
                    "có tệp mới, tệp gửi lại hay tệp bị xóa thì đợi tệp chép xong (--settle giây không đổi, tệp Excel "
                    "mở được) rồi làm lại báo cáo của kỳ có tệp đó; nhiều tệp cùng lúc thì mỗi kỳ làm lại một lần. "
                    "Bỏ qua tệp khóa của Office (~$…, .~lock…), tệp đang tải dở (.tmp, .part, .crdownload), tệp ẩn và "
                    "tệp hệ thống. Mỗi việc một dòng, có giờ. Tệp hỏng không làm dừng việc theo dõi. Ctrl-C để dừng "
                    "(thoát 0); mỗi thư mục kết quả chỉ một lệnh watch (lệnh thứ hai thoát 1 ngay).",
        epilog=f"Ví dụ: {invocation()} watch --inbox hop-thu --units danh-muc-don-vi.xlsx --out ket-qua "
               "--config pipeline.toml --send")
    watch.add_argument("--debug", action="store_true",
                       help="in chi tiết lỗi (traceback) khi không bắt đầu được hoặc một lần làm lại báo cáo hỏng")
    watch.add_argument("--inbox", type=Path, default=None,
                       help="thư mục chứa các tệp danh sách; không bao giờ bị sửa. Ghi cùng --units; bỏ cả hai "
                            f"thì dùng dữ liệu mẫu ({SAMPLE_INBOX}, {SAMPLE_UNITS})")
    watch.add_argument("--units", type=Path, default=None, help="tệp danh mục đơn vị của đảng bộ (ghi cùng --inbox)")
    watch.add_argument("--out", type=Path, default=Path("output"), help="thư mục ghi kết quả (mặc định: output)")
    watch.add_argument("--config", type=Path, default=None,
                       help="tệp cấu hình TOML của đảng bộ, đọc lại mỗi lần làm lại báo cáo (mặc định: pipeline.toml "
                            f"ở thư mục hiện tại; với dữ liệu mẫu: {SAMPLE_CONFIG})")
    watch.add_argument("--quarter", "-q", type=_quarter,
                       help="quý làm báo cáo khi bắt đầu (mặc định: kỳ mới nhất trong thư mục nhận)")
    watch.add_argument("--year", "-y", type=_year, help="năm, ghi cùng --quarter (bỏ trống thì lấy theo các tệp)")
    watch.add_argument("--send", action="store_true",
                       help="gửi ngay gói phản hồi mới cho chi bộ có tệp vừa đến hoặc vừa đổi (qua sổ gửi thư: mỗi "
                            "gói một lần; cấu hình cần mục [smtp])")
    watch.add_argument("--poll", action="store_true",
                       help="dò thư mục định kỳ thay vì đợi thông báo của hệ thống tệp: dùng cho thư mục dùng chung "
                            "qua mạng, nơi thông báo không tới")
    watch.add_argument("--settle", type=_seconds, default=None, metavar="GIÂY",
                       help="số giây một tệp phải không đổi (kích thước, thời gian sửa) mới coi là đã chép xong "
                            "(mặc định: 3)")
    watch.add_argument("--no-feedback", action="store_true",
                       help="chỉ làm báo cáo của Đảng ủy, không làm gói phản hồi cho từng chi bộ")
    watch.add_argument("--workers", type=_workers, default=None, metavar="N",
                       help="số tiến trình đọc tệp và làm gói phản hồi song song (mặc định: bằng số lõi CPU)")
    watch.set_defaults(run=run_watch)

    init = commands.add_parser(
        "init", parents=[common], help="chuẩn bị thư mục làm việc cho một đảng bộ (cấu hình, danh mục, thư mục nhận)",
        description="Tạo trong DIR: tệp cấu hình pipeline.toml có chú thích, danh mục đơn vị trống đúng mẫu (có danh "
                    "sách chọn loại đơn vị), thư mục nhận hop-thu/ và thư mục kết quả ket-qua/; rồi in ba lệnh tiếp "
                    "theo. Thông tin chưa ghi bằng tham số thì được hỏi (khi chạy ở cửa sổ lệnh).",
        epilog=f"Ví dụ: {invocation()} init \"Ban To chuc/2025\" --committee-name \"Đảng bộ Trường Đại học A\" …")
    init.add_argument("dir", type=Path, metavar="DIR", help="thư mục làm việc của đảng bộ (tạo mới nếu chưa có)")
    for key, words in INIT_OPTIONS.items():
        if key == "recipients":
            init.add_argument("--recipient", dest="recipients", action="append", metavar="NƠI_NHẬN",
                              help=f"{words} (ghi nhiều lần, mỗi lần một nơi)")
        else:
            init.add_argument("--" + key.replace("_", "-"), dest=key, metavar="CHỮ", help=words)
    init.add_argument("--root-code", metavar="MÃ", help="mã đơn vị gốc, ghi sẵn vào dòng đầu của danh mục")
    init.add_argument("--root-type", metavar="LOẠI", help="loại đơn vị gốc: Đảng bộ, Đảng bộ cấp trên cơ sở, "
                                                          "Đảng bộ cơ sở…")
    init.add_argument("--force", action="store_true", help="ghi đè cấu hình và danh mục đã có")
    init.set_defaults(run=run_init)
    return parser


def _mail_options(command: argparse.ArgumentParser, quarter_help: str, only_help: str) -> None:
    """What `send` and `remind` share: the report to mail from, the settings, a dry run, some units."""
    command.add_argument("--quarter", "-q", type=_quarter, required=True, help=quarter_help)
    command.add_argument("--year", "-y", type=_year, help="năm (bỏ trống nếu OUT chỉ có một báo cáo của quý này)")
    command.add_argument("--out", type=Path, default=Path("output"),
                         help="thư mục kết quả của lệnh report (mặc định: output)")
    command.add_argument("--config", type=Path, default=None, help="tệp cấu hình có mục [smtp] (và [send])")
    command.add_argument("--dry-run", action="store_true",
                         help="không gửi: ghi từng thư thành tệp .eml vào OUT/<năm>-Q<quý>/outbox/ để xem trước")
    command.add_argument("--only", nargs="+", default=(), metavar="MÃ", help=only_help)


# `init`'s options, in the order it asks: every key that names the committee, in the configuration's
# own words (config.KEY_WORDS).
INIT_OPTIONS = {key: KEY_WORDS[key] for key in (
    "superior_body", "issuing_body", "committee_name", "standing_committee", "admitting_body", "document_code",
    "place", "signer_on_behalf", "signer_title", "signer_name", "recipients")}


# Each command imports the library when it runs, not at start-up (for start-up time only):
# `--help` and a mistyped argument answer at once instead of after importing pandas.


class _Console:
    """The app's Display on a terminal: rich progress bars and a status line on stderr, shown
    only when stderr is a terminal and not --quiet. What the run says goes to stdout (the summary
    unless --quiet; the paths written always); errors go to stderr."""

    def __init__(self, quiet: bool):
        from rich.console import Console  # lazy: start-up time of `--help` and argument errors

        self.console = Console(stderr=True, quiet=quiet)
        self.quiet = quiet
        self.interactive = sys.stderr.isatty() and not quiet

    def track(self, label: str, items):
        if not self.interactive:
            return items
        from rich.progress import track

        if not hasattr(items, "__len__"):  # a sized iterable (pipeline.parallel.Tasks) moves as it goes
            items = list(items)
        return track(items, description=label, total=len(items), transient=True)

    def status(self, label: str):
        return self.console.status(label) if self.interactive else nullcontext()

    def print(self, text: str) -> None:
        if not self.quiet:
            print(text)

    def say(self, text: str) -> None:
        print(text, file=sys.stderr)


def run_report(args) -> Exit:
    from pipeline.app import make_report
    from pipeline.render.vn import number

    console = _Console(args.quiet)
    inbox, units = _inputs(args)
    config = args.config
    if config is None and (inbox, units) == (SAMPLE_INBOX, SAMPLE_UNITS) and SAMPLE_CONFIG.is_file():
        config = SAMPLE_CONFIG
    run = make_report(inbox=inbox, units=units, quarter=args.quarter, year=args.year, out=args.out,
                      config=config, report_date=args.date, feedback=not args.no_feedback,
                      workers=args.workers, dask=args.dask, rebuild_feedback=args.rebuild_feedback,
                      display=console, wait=not args.no_wait, reuse_reads=not args.reread)
    report = run.report
    for warning in run.warnings:
        print(f"Cảnh báo: {warning}", file=sys.stderr)
    cov = report.coverage
    totals = report.totals
    console.print(f"Báo cáo {report.period.label}: {number(totals['members'])} đảng viên, kết nạp trong quý "
                  f"{number(totals['admitted_quarter'])}, từ đầu năm {number(totals['admitted_ytd'])}.")
    console.print(f"Chi bộ có số liệu: {number(cov.accepted)}/{number(cov.expected)}"
                  + (f"; chưa gửi: {number(len(cov.missing))}" if cov.missing else "")
                  + (f"; không dùng được: {number(len(cov.rejected))}" if cov.rejected else "")
                  + f". Lỗi: {number(report.error_count())}, cảnh báo: {number(report.warning_count())}.")
    if report.deadline is not None:
        console.print(f"Hạn gửi {report.deadline:%d/%m/%Y}: đúng hạn {number(cov.on_time)}, muộn {number(cov.late)}.")
    if run.files_cached:
        console.print(f"Tệp đọc mới: {number(run.files_read)}; không đổi từ lần trước: {number(run.files_cached)}.")
    if run.feedback is not None:
        console.print(f"Phản hồi: {number(len(run.feedback.rendered))} chi bộ làm mới, "
                      f"{number(len(run.feedback.reused))} dùng lại.")
    if run.changes:
        console.print(f"Thay đổi so với lần chạy trước ({number(len(run.changes))} chi bộ):")
        for change in run.changes:
            console.print(f"  {change['text']}")
    print(f"Báo cáo: {run.pdf}")
    if run.docx:
        print(f"Bản Word để chỉnh sửa: {run.docx}")
    print(f"Số liệu Excel: {run.workbook}")
    print(f"summary.json: {run.summary}")
    if run.packages:
        print(f"Phản hồi cho từng chi bộ: {run.packages}")
    if run.page:
        print(f"Trang tổng quan (mở bằng trình duyệt): {run.page}")
    return Exit.OK


def run_check(args) -> Exit:
    from pipeline.app import check_files
    from pipeline.rulebook import Severity

    results = check_files(args.files, args.units, year=args.year, quarter=args.quarter, config=args.config)
    for result in results:
        head = (f"{result.file}: {result.members} đảng viên"
                + (f", {result.period.label}" if result.period else "")
                + f" — {result.errors} lỗi, {result.warnings} cảnh báo")
        print(head)
        for i in result.issues:
            where = " ".join(x for x in (
                f"trang \"{i.sheet}\"" if i.sheet else "",
                f"ô {i.cell}" if i.cell else (f"dòng {i.row}" if i.row else ""),
                f"cột \"{i.column}\"" if i.column else "") if x)
            print(f"  [{Severity(i.severity).vi}] {where + ': ' if where else ''}{i.message}")
    total = sum(r.errors for r in results)
    print(f"Tổng cộng: {len(results)} tệp, {total} lỗi, {sum(r.warnings for r in results)} cảnh báo."
          + (" Sửa các lỗi rồi kiểm tra lại trước khi gửi." if total else " Có thể gửi."))
    return Exit.DATA_ERRORS if total else Exit.OK


def run_send(args) -> Exit:
    from pipeline.app import send_reports

    console = _Console(args.quiet)
    planned, outcome = send_reports(year=args.year, quarter=args.quarter, out=args.out, config=args.config,
                                    dry_run=args.dry_run, only=tuple(args.only),
                                    resend_unknown=args.resend_unknown, display=console, wait=not args.no_wait)
    if args.dry_run:
        for path in outcome.written:
            print(f"Thư (chưa gửi): {path}")
        console.print(f"Đã ghi {len(outcome.written)} thư vào {outcome.written[0].parent if outcome.written else '…'}; "
                      "không gửi thư nào.")
    else:
        console.print(f"Đã gửi {len(outcome.sent)} thư, đính chính {len(outcome.corrections)}, đã gửi từ trước "
                      f"{len(outcome.skipped)}, không gửi được {len(outcome.failed)}, chưa rõ đã tới "
                      f"{len(outcome.unknown)}.")
    for title, items in (("Không gửi được", outcome.failed), ("Chưa rõ đã tới chưa (gửi lại bằng --resend-unknown)",
                                                             outcome.unknown),
                         ("Chi bộ chưa có Email trong danh mục", planned.no_address),
                         ("Email trong danh mục không đúng dạng một địa chỉ (sửa danh mục)", planned.bad_address),
                         ("Chi bộ chưa có gói phản hồi (chạy report không có --no-feedback)", planned.no_package),
                         ("Thư quá lớn, không gửi", planned.too_large)):
        if items:
            print(f"{title} ({len(items)}): " + "; ".join(items))
    return Exit.NOT_ALL_SENT if outcome.failed or outcome.unknown else Exit.OK


def run_remind(args) -> Exit:
    from pipeline.app import send_reminders

    console = _Console(args.quiet)
    planned, outcome = send_reminders(year=args.year, quarter=args.quarter, out=args.out, config=args.config,
                                      dry_run=args.dry_run, only=tuple(args.only), display=console,
                                      wait=not args.no_wait)
    if args.dry_run:
        for path in outcome.written:
            print(f"Thư nhắc (chưa gửi): {path}")
        console.print(f"Đã ghi {len(outcome.written)} thư nhắc; không gửi thư nào.")
    else:
        console.print(f"Đã gửi {len(outcome.sent)} thư nhắc, đã nhắc hôm nay từ trước {len(outcome.skipped)}, "
                      f"không gửi được {len(outcome.failed)}, chưa rõ đã tới {len(outcome.unknown)}.")
    if not planned.letters and not planned.no_address:
        console.print("Không có chi bộ nào cần nhắc: mọi chi bộ đã có số liệu trong báo cáo gần nhất.")
    for title, items in (("Không gửi được", outcome.failed), ("Chưa rõ đã tới chưa", outcome.unknown),
                         ("Chi bộ chưa có Email trong danh mục", planned.no_address),
                         ("Email trong danh mục không đúng dạng một địa chỉ (sửa danh mục)", planned.bad_address)):
        if items:
            print(f"{title} ({len(items)}): " + "; ".join(items))
    return Exit.NOT_ALL_SENT if outcome.failed or outcome.unknown else Exit.OK


def run_status(args) -> Exit:
    import json

    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from pipeline.app import quarter_status
    from pipeline.render.page import change_lines, status_document, total_lines, unit_rows
    from pipeline.render.vn import number

    standing = quarter_status(out=args.out, year=args.year, quarter=args.quarter)
    if args.json:
        print(json.dumps(status_document(standing), ensure_ascii=False, indent=2))
        return Exit.OK
    table = Table(title=f"{standing.committee} — {standing.label}", box=box.SIMPLE_HEAD, title_justify="left")
    for header, justify in (("Mã", "left"), ("Đơn vị", "left"), ("Tình trạng", "left"), ("Thời hạn", "left"),
                            ("Lỗi", "right"), ("Cảnh báo", "right"), ("Phản hồi", "left")):
        table.add_column(header, justify=justify)
    for row in unit_rows(standing):
        u = row.unit
        table.add_row(*(Text(x) for x in (u.code, "  " * u.depth + u.name, row.status, row.timeliness,
                                          number(u.errors), number(u.warnings), row.said_feedback)),
                      style=None if u.is_cell else "bold")
    # Into a pipe or a file: each row on one line, however long (and no colours).
    Console(width=None if sys.stdout.isatty() else 1000, highlight=False).print(table)
    for line in total_lines(standing) + change_lines(standing):
        print(line)
    return Exit.OK


def _seconds(text: str) -> float:
    try:
        seconds = float(text.replace(",", "."))
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 3600:
        raise argparse.ArgumentTypeError(f"số giây phải lớn hơn 0, ví dụ 3 hoặc 1,5 (đang là \"{text}\")")
    return seconds


def run_watch(args) -> Exit:
    from pipeline.watch import DEFAULT_SETTLE, watch

    inbox, units = _inputs(args)
    config = args.config
    if config is None and (inbox, units) == (SAMPLE_INBOX, SAMPLE_UNITS) and SAMPLE_CONFIG.is_file():
        config = SAMPLE_CONFIG
    watch(inbox, units, args.out, config=config, year=args.year, quarter=args.quarter, send=args.send,
          poll=args.poll, settle=DEFAULT_SETTLE if args.settle is None else args.settle,
          feedback=not args.no_feedback, workers=args.workers, log=lambda line: print(line, flush=True),
          debug=args.debug)
    return Exit.OK   # stopped by Ctrl-C or SIGTERM: the watch's normal end


def run_init(args) -> Exit:
    from pipeline.app import init_workspace
    from pipeline.config import Config

    settings = {key: getattr(args, key) for key in INIT_OPTIONS if getattr(args, key) is not None}
    if "recipients" in settings:
        settings["recipients"] = tuple(settings["recipients"])
    settings.setdefault("signer_on_behalf", Config.signer_on_behalf)
    if sys.stdin.isatty():
        _ask(settings, args.root_type)
    else:
        missing = [key for key in INIT_OPTIONS if key != "admitting_body" and not settings.get(key)]
        if args.root_type == "Đảng bộ cơ sở" and not settings.get("admitting_body"):
            missing.append("admitting_body")
        if missing:
            option = {"recipients": "--recipient"}
            raise PipelineError(
                "Chưa có: " + "; ".join(f"{option.get(k, '--' + k.replace('_', '-'))} — {INIT_OPTIONS[k]}"
                                        for k in missing)
                + f". Ghi các tham số này, hoặc chạy {invocation()} init ở cửa sổ lệnh để được hỏi từng câu.")
    root = None
    if args.root_code:
        root = (args.root_code, settings.get("committee_name", args.root_code), args.root_type or "Đảng bộ")
    space = init_workspace(args.dir, settings, root, force=args.force)
    q = lambda path: f"\"{path}\""  # noqa: E731
    print(f"Đã tạo cấu hình {space.config}, danh mục đơn vị {space.register},")
    print(f"thư mục nhận {space.inbox}, thư mục kết quả {space.out} và lời văn mẫu của báo cáo {space.narrative}.")
    print("Ba bước tiếp theo (chạy ở thư mục của chương trình):")
    print(f"  1. Điền các đơn vị vào danh mục (mở bằng Excel): {space.register}")
    print(f"  2. Tạo mẫu danh sách gửi các chi bộ: make template UNITS={q(space.register)} "
          f"TEMPLATES={q(space.templates)} YEAR=… QUARTER=…")
    print(f"  3. Khi các chi bộ đã gửi tệp vào {space.inbox}: make report QUARTER=… INBOX={q(space.inbox)} "
          f"UNITS={q(space.register)} CONFIG={q(space.config)} OUT={q(space.out)}")
    return Exit.OK


def _ask(settings: dict, root_type: str | None) -> None:
    """Ask at the terminal for what the options did not give; a required answer left empty is
    asked again (the end of input stops the questions, and what is still missing is then said)."""
    try:
        for key, words in INIT_OPTIONS.items():
            if settings.get(key):
                continue
            if key == "admitting_body" and root_type != "Đảng bộ cơ sở":
                continue
            question = f"{words[0].upper()}{words[1:]}"
            if key == "recipients":
                print(f"{question}, mỗi dòng một nơi (dòng trống để kết thúc):")
                settings[key] = tuple(iter(lambda: input("  ").strip(), ""))
                continue
            answer = ""
            while not answer:
                answer = input(f"{question}: ").strip()
                if not answer:
                    print("  Cần ghi thông tin này.")
            settings[key] = answer
    except EOFError:
        print()


def run_template(args) -> Exit:
    from pipeline.app import make_templates

    written = make_templates(None if args.blank else args.units, args.out, unit=args.unit, blank=args.blank,
                             year=args.year, quarter=args.quarter)
    print(f"Đã tạo {len(written)} tệp mẫu trong {args.out}")
    return Exit.OK


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return Exit.USAGE
    try:
        return args.run(args)
    except Busy as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return Exit.BUSY
    except PipelineError as exc:
        if args.debug:
            raise
        print(f"Lỗi: {exc}", file=sys.stderr)
        return Exit.FAILED
    except KeyboardInterrupt:
        print("Đã dừng.", file=sys.stderr)
        return Exit.INTERRUPTED
    except BrokenPipeError:  # `… | head`: the reader has what it wanted
        with suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 — nothing more is written; no flush error at exit
        return Exit.OK
    except Exception as exc:  # a bug: one line unless --debug
        if args.debug:
            raise
        print(f"Lỗi không mong đợi ({type(exc).__name__}: {exc}). Chạy lại với --debug và gửi nội dung cho bộ phận kỹ thuật.",
              file=sys.stderr)
        return Exit.FAILED
