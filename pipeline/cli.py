"""Command line: arguments, exit codes, progress and printing. No business logic here.

    python -m pipeline report --quarter 3 [...]   the committee report and the feedback packages
    python -m pipeline check FILE...              validate rosters before sending them
    python -m pipeline template [...]             ready-to-fill roster workbooks
"""

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
    FAILED = 1        # nothing could be produced (the message says why)
    USAGE = 2         # bad arguments
    DATA_ERRORS = 3   # `check`: at least one file has an error
    INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not usage + noise
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


def _workers(text: str) -> int:
    if not (text.isdigit() and int(text) >= 1):
        raise argparse.ArgumentTypeError(f"số tiến trình phải là số nguyên từ 1 trở lên (đang là \"{text}\")")
    return int(text)


DEFAULT_UNITS = Path("input_samples/units.xlsx")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--quiet", action="store_true", help="không hiện thanh tiến trình và tóm tắt")
    common.add_argument("--debug", action="store_true", help="in chi tiết lỗi (traceback) khi chạy hỏng")

    parser = _Parser(prog="pipeline", description="Báo cáo quý về công tác phát triển đảng viên từ danh sách các chi bộ.")
    parser.add_argument("--version", action="version", version=f"pipeline {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    report = commands.add_parser(
        "report", parents=[common], help="đọc, kiểm tra các danh sách và làm báo cáo quý",
        description="Đọc mọi danh sách trong thư mục nhận, kiểm tra, tổng hợp theo cây tổ chức và viết báo cáo "
                    "(PDF), summary.json, tệp Excel và gói phản hồi cho từng chi bộ vào OUT/<năm>-Q<quý>/. "
                    "Thoát 0 khi đã có báo cáo (kể cả khi dữ liệu có lỗi: lỗi được ghi trong báo cáo); "
                    "1 khi không làm được báo cáo; 2 khi tham số sai.")
    report.add_argument("--quarter", "-q", type=_quarter, required=True, help="quý báo cáo: 1, 2, 3 hoặc 4")
    report.add_argument("--year", "-y", type=_year, help="năm báo cáo; bỏ trống thì lấy theo các tệp đã gửi")
    report.add_argument("--inbox", type=Path, default=Path("input_samples/inbox"),
                        help="thư mục chứa các tệp danh sách (mặc định: input_samples/inbox); không bao giờ bị sửa")
    report.add_argument("--units", type=Path, default=DEFAULT_UNITS,
                        help=f"tệp danh mục đơn vị (mặc định: {DEFAULT_UNITS})")
    report.add_argument("--out", type=Path, default=Path("output"), help="thư mục ghi kết quả (mặc định: output)")
    report.add_argument("--config", type=Path, default=None,
                        help="tệp cấu hình TOML (mặc định: pipeline.toml ở thư mục hiện tại nếu có, "
                             "nếu không thì các giá trị mặc định)")
    report.add_argument("--date", type=_date, default=None,
                        help="ngày ghi trên báo cáo, YYYY-MM-DD (mặc định: report_date trong cấu hình, nếu không thì hôm nay)")
    report.add_argument("--no-feedback", action="store_true",
                        help="chỉ làm báo cáo của Đảng ủy, không làm gói phản hồi cho từng chi bộ")
    report.add_argument("--workers", type=_workers, default=None, metavar="N",
                        help="số tiến trình đọc tệp và làm gói phản hồi song song (mặc định: bằng số lõi CPU; 1: không song song)")
    report.add_argument("--dask", metavar="ADDRESS", default=None,
                        help="làm gói phản hồi trên cụm Dask có scheduler ở ADDRESS (ví dụ tcp://10.0.0.5:8786); "
                             "cần pip install .[dask] và thư mục nhận, thư mục kết quả dùng chung cùng đường dẫn")
    report.add_argument("--rebuild-feedback", action="store_true",
                        help="làm lại mọi gói phản hồi, kể cả gói có dữ liệu không đổi từ lần chạy trước")
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
    check.set_defaults(run=run_check)

    template = commands.add_parser(
        "template", parents=[common], help="tạo tệp mẫu danh sách để các chi bộ điền",
        description="Tạo tệp mẫu danh sách đảng viên: một tệp cho mỗi chi bộ trong danh mục (đã ghi sẵn mã, tên "
                    "đơn vị và kỳ báo cáo) và một tệp trống; hoặc chỉ cho một đơn vị với --unit.")
    template.add_argument("--units", type=Path, default=DEFAULT_UNITS,
                          help=f"tệp danh mục đơn vị (mặc định: {DEFAULT_UNITS})")
    template.add_argument("--unit", help="chỉ tạo mẫu cho đơn vị có mã này")
    template.add_argument("--blank", action="store_true", help="chỉ tạo một mẫu trống, không cần danh mục")
    template.add_argument("--quarter", "-q", type=_quarter, help="quý ghi sẵn trong mẫu")
    template.add_argument("--year", "-y", type=_year, help="năm ghi sẵn trong mẫu")
    template.add_argument("--out", type=Path, default=Path("output/mau"), help="thư mục ghi mẫu (mặc định: output/mau)")
    template.set_defaults(run=run_template)
    return parser


def _progress(enabled: bool, label: str):
    """A progress bar over an iterable when stderr is a terminal; else the iterable itself."""
    if not enabled:
        return lambda items: items

    def wrap(items):
        from rich.progress import track

        if not hasattr(items, "__len__"):  # a sized iterable (pipeline.parallel.Tasks) moves as it goes
            items = list(items)
        return track(items, description=label, total=len(items), transient=True)

    return wrap


def _console(args):
    from rich.console import Console

    return Console(stderr=True, quiet=args.quiet), sys.stderr.isatty() and not args.quiet


def run_report(args) -> Exit:
    from pipeline.build import build_report, choose_period, read_inbox
    from pipeline.config import load_config
    from pipeline.outputs import atomic_path, pdf_name, workbook_name, write_summary, write_workbook
    from pipeline.register import read_register
    from pipeline.render.committee import write_committee_pdf
    from pipeline.render.vn import number

    console, interactive = _console(args)
    config_path = args.config
    if config_path is None and Path("pipeline.toml").is_file():
        config_path = Path("pipeline.toml")
    config = load_config(config_path)
    if args.date:
        from dataclasses import replace

        config = replace(config, report_date=args.date)
    register = read_register(args.units)
    inbox = read_inbox(args.inbox, register, _progress(interactive, "Đọc danh sách"), workers=args.workers)
    submissions = inbox.submissions
    if not submissions:
        raise PipelineError(f"Thư mục nhận {args.inbox} không có tệp nào. Chép các tệp danh sách vào rồi chạy lại.")
    period = choose_period(submissions, args.year, args.quarter)
    report = build_report(register, submissions, period, config, today=dt.date.today(), prepared=inbox.prepared)

    folder = args.out / period.slug
    folder.mkdir(parents=True, exist_ok=True)
    with console.status("Đang viết báo cáo PDF…") if interactive else _nothing():
        pdf = folder / pdf_name(report)
        with atomic_path(pdf) as tmp:
            write_committee_pdf(report, tmp)
    xlsx = write_workbook(report, folder / workbook_name(report))
    summary = write_summary(report, folder)
    packages = feedback = None
    if not args.no_feedback:
        from pipeline.feedback import write_feedback
        from pipeline.parallel import make_executor

        with make_executor(args.workers, args.dask) as executor:
            feedback = write_feedback(report, folder, _progress(interactive, "Gói phản hồi"),
                                      executor=executor, reuse=not args.rebuild_feedback)
        packages = folder / "units"

    cov = report.coverage
    totals = report.totals
    console.print(f"Báo cáo {period.label}: {number(totals['members'])} đảng viên, kết nạp trong quý "
                  f"{number(totals['admitted_quarter'])}, từ đầu năm {number(totals['admitted_ytd'])}.")
    console.print(f"Chi bộ có số liệu: {number(cov.accepted)}/{number(cov.expected)}"
                  + (f"; chưa gửi: {number(len(cov.missing))}" if cov.missing else "")
                  + (f"; không dùng được: {number(len(cov.rejected))}" if cov.rejected else "")
                  + f". Lỗi: {number(report.error_count())}, cảnh báo: {number(report.warning_count())}.")
    if feedback is not None:
        console.print(f"Phản hồi: {number(len(feedback.rendered))} chi bộ làm mới, "
                      f"{number(len(feedback.reused))} dùng lại.")
    print(f"Báo cáo: {pdf}")
    print(f"Số liệu Excel: {xlsx}")
    print(f"summary.json: {summary}")
    if packages:
        print(f"Phản hồi cho từng chi bộ: {packages}")
    return Exit.OK


def run_check(args) -> Exit:
    from pipeline.check import check_files
    from pipeline.issues import SEVERITY_VI
    from pipeline.period import Period
    from pipeline.register import read_register

    missing = [str(p) for p in args.files if not p.is_file()]
    if missing:
        raise PipelineError(f"Không tìm thấy tệp: {', '.join(missing)}.")
    if (args.year is None) != (args.quarter is None):
        raise PipelineError("Ghi cả --year và --quarter, hoặc bỏ cả hai (khi đó dùng kỳ ghi trong tệp).")
    period = Period(args.year, args.quarter) if args.year else None
    register = read_register(args.units) if args.units else None
    results = check_files(args.files, register, period, dt.date.today())
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
            print(f"  [{SEVERITY_VI[i.severity]}] {where + ': ' if where else ''}{i.message}")
    total = sum(r.errors for r in results)
    print(f"Tổng cộng: {len(results)} tệp, {total} lỗi, {sum(r.warnings for r in results)} cảnh báo."
          + (" Sửa các lỗi rồi kiểm tra lại trước khi gửi." if total else " Có thể gửi."))
    return Exit.DATA_ERRORS if total else Exit.OK


def run_template(args) -> Exit:
    from pipeline.period import Period
    from pipeline.register import read_register
    from pipeline.template import write_template, write_templates

    if (args.year is None) != (args.quarter is None):
        raise PipelineError("Ghi cả --year và --quarter, hoặc bỏ cả hai.")
    period = Period(args.year, args.quarter) if args.year else None
    args.out.mkdir(parents=True, exist_ok=True)
    if args.blank:
        written = [write_template(args.out / "mau-danh-sach-trong.xlsx", None, period)]
    else:
        register = read_register(args.units)
        if args.unit:
            units = register.units
            code = next((c for c in units.index if c.upper() == args.unit.strip().upper()), None)
            if code is None or not units.at[code, "is_cell"]:
                raise PipelineError(f"Mã \"{args.unit}\" không phải chi bộ trong danh mục {args.units}.")
            suffix = f"-{period.slug}" if period else ""
            written = [write_template(args.out / f"mau-danh-sach-{code}{suffix}.xlsx",
                                      (code, units.at[code, "name"]), period)]
        else:
            written = write_templates(register, args.out, period)
    print(f"Đã tạo {len(written)} tệp mẫu trong {args.out}")
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
        return args.run(args)
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
