"""Command line: arguments, exit codes, progress and printing. No business logic here."""

from __future__ import annotations

import argparse
import datetime as dt
import enum
import sys
from pathlib import Path

from pipeline import __version__
from pipeline.errors import PipelineError


class Exit(enum.IntEnum):
    OK = 0
    FAILED = 1      # the report could not be produced (message says why)
    USAGE = 2       # bad arguments
    INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not usage + traceback-like noise
        self.exit(Exit.USAGE, f"Lỗi tham số: {message}. Xem: python -m pipeline {self.prog.split()[-1]} --help\n")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ngày \"{text}\" phải có dạng YYYY-MM-DD")


def _quarter(text: str) -> int:
    if text not in ("1", "2", "3", "4"):
        raise argparse.ArgumentTypeError(f"quý phải là 1, 2, 3 hoặc 4 (đang là \"{text}\")")
    return int(text)


def _year(text: str) -> int:
    if not (text.isdigit() and 1990 <= int(text) <= 2100):
        raise argparse.ArgumentTypeError(f"năm \"{text}\" không hợp lệ (ví dụ 2022)")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pipeline", description="Báo cáo quý về công tác phát triển đảng viên từ danh sách các chi bộ.")
    parser.add_argument("--version", action="version", version=f"pipeline {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    report = commands.add_parser(
        "report", help="đọc, kiểm tra các danh sách và làm báo cáo quý",
        description="Đọc mọi danh sách trong thư mục nhận, kiểm tra, tổng hợp theo cây tổ chức và viết báo cáo "
                    "(PDF), summary.json và tệp Excel vào OUT/<năm>-Q<quý>/. Thoát 0 khi đã có báo cáo (kể cả khi "
                    "dữ liệu có lỗi: lỗi được ghi trong báo cáo); khác 0 khi không làm được báo cáo.")
    report.add_argument("--quarter", "-q", type=_quarter, required=True, help="quý báo cáo: 1, 2, 3 hoặc 4")
    report.add_argument("--year", "-y", type=_year, help="năm báo cáo; bỏ trống thì lấy theo các tệp đã gửi")
    report.add_argument("--inbox", type=Path, default=Path("input_samples/inbox"),
                        help="thư mục chứa các tệp danh sách (mặc định: input_samples/inbox); không bao giờ bị sửa")
    report.add_argument("--units", type=Path, default=Path("input_samples/units.xlsx"),
                        help="tệp danh mục đơn vị (mặc định: input_samples/units.xlsx)")
    report.add_argument("--out", type=Path, default=Path("output"), help="thư mục ghi kết quả (mặc định: output)")
    report.add_argument("--config", type=Path, default=None,
                        help="tệp cấu hình TOML (mặc định: pipeline.toml ở thư mục hiện tại nếu có, "
                             "nếu không thì các giá trị mặc định)")
    report.add_argument("--date", type=_date, default=None,
                        help="ngày ghi trên báo cáo, YYYY-MM-DD (mặc định: report_date trong cấu hình, nếu không thì hôm nay)")
    report.add_argument("--quiet", action="store_true", help="không hiện thanh tiến trình và tóm tắt")
    report.add_argument("--debug", action="store_true", help="in chi tiết lỗi (traceback) khi chạy hỏng")
    return parser


def _progress(enabled: bool, label: str):
    """A progress bar over an iterable when stderr is a terminal; else the iterable itself."""
    if not enabled:
        return lambda items: items

    def wrap(items):
        from rich.progress import track

        items = list(items)
        return track(items, description=label, total=len(items), transient=True)

    return wrap


def run_report(args) -> Exit:
    from rich.console import Console

    from pipeline.build import build_report, choose_period, load_inbox
    from pipeline.config import load_config
    from pipeline.outputs import atomic_path, pdf_name, workbook_name, write_summary, write_workbook
    from pipeline.register import read_register
    from pipeline.render.committee import write_committee_pdf
    from pipeline.render.vn import number

    console = Console(stderr=True, quiet=args.quiet)
    interactive = sys.stderr.isatty() and not args.quiet
    config_path = args.config
    if config_path is None and Path("pipeline.toml").is_file():
        config_path = Path("pipeline.toml")
    config = load_config(config_path)
    if args.date:
        from dataclasses import replace

        config = replace(config, report_date=args.date)
    register = read_register(args.units)
    submissions = load_inbox(args.inbox, register, _progress(interactive, "Đọc danh sách"))
    if not submissions:
        raise PipelineError(f"Thư mục nhận {args.inbox} không có tệp nào. Chép các tệp danh sách vào rồi chạy lại.")
    period = choose_period(submissions, args.year, args.quarter)
    report = build_report(register, submissions, period, config, today=dt.date.today())

    folder = args.out / period.slug
    folder.mkdir(parents=True, exist_ok=True)
    with console.status("Đang viết báo cáo PDF…") if interactive else _nothing():
        pdf = folder / pdf_name(report)
        with atomic_path(pdf) as tmp:
            write_committee_pdf(report, tmp)
    xlsx = write_workbook(report, folder / workbook_name(report))
    summary = write_summary(report, folder)

    cov = report.coverage
    totals = report.totals
    console.print(f"Báo cáo {period.label}: {number(totals['members'])} đảng viên, kết nạp trong quý "
                  f"{number(totals['admitted_quarter'])}, từ đầu năm {number(totals['admitted_ytd'])}.")
    console.print(f"Chi bộ có số liệu: {cov.accepted}/{cov.expected}"
                  + (f"; chưa gửi: {len(cov.missing)}" if cov.missing else "")
                  + (f"; không dùng được: {len(cov.rejected)}" if cov.rejected else "")
                  + f". Lỗi: {report.error_count()}, cảnh báo: {report.warning_count()}.")
    print(f"Báo cáo: {pdf}")
    print(f"Số liệu Excel: {xlsx}")
    print(f"summary.json: {summary}")
    return Exit.OK


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return Exit.USAGE
    try:
        return run_report(args)
    except PipelineError as exc:
        if args.debug:
            raise
        print(f"Lỗi: {exc}", file=sys.stderr)
        return Exit.FAILED
    except KeyboardInterrupt:
        print("Đã dừng.", file=sys.stderr)
        return Exit.INTERRUPTED
    except Exception as exc:  # a bug: one line unless --debug
        if args.debug:
            raise
        print(f"Lỗi không mong đợi ({type(exc).__name__}: {exc}). Chạy lại với --debug và gửi nội dung cho bộ phận kỹ thuật.",
              file=sys.stderr)
        return Exit.FAILED
