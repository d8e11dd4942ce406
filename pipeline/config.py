"""Report settings: one TOML file → a frozen dataclass.

The built-in defaults carry no committee's identity: the names, place, signer and recipients of a
committee come only from its own file (`python -m pipeline init` writes one, commented; the
samples' is `input_samples/pipeline.toml`, used with the samples only). A key left out of a file takes the default below;
a key the file misspells, or a value of the wrong kind, is an error, never ignored.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.period import Period
from pipeline.workdays import WorkCalendar


SECURITY = ("ssl", "starttls", "none")
OUTPUT_ACCESS = ("owner", "group")


@dataclass(frozen=True)
class SmtpSettings:
    """[smtp]: the department's mail server. The password is never in the file: only the name of
    the environment variable that holds it."""

    host: str = ""
    port: int = 0                 # 0: the usual port for `security` (465 ssl, 587 starttls, 25 none)
    security: str = "starttls"    # "ssl" (implicit TLS), "starttls", or "none" (a trusted local relay)
    user: str = ""
    password_env: str = ""        # e.g. "PIPELINE_SMTP_PASSWORD"
    sender: str = ""              # From: "Ban Tổ chức <btc@example.vn>"
    reply_to: str = ""
    timeout: float = 30.0         # seconds
    cafile: str = ""              # the organisation's own CA, when its server's certificate is signed by it
    rate_per_minute: int = 30     # messages at most, so a government server does not take it for spam

    @property
    def effective_port(self) -> int:
        return self.port or {"ssl": 465, "starttls": 587, "none": 25}[self.security]


@dataclass(frozen=True)
class SendSettings:
    """[send]: who gets the committee's report, and how large one message may be."""

    report_to: tuple[str, ...] = ()
    max_message_mb: float = 10.0  # what many government servers accept; base64 adds a third


@dataclass(frozen=True)
class DeadlineSettings:
    """[deadlines]: when the cells' files are due. `days_after_quarter = 5`: by the 5th day after
    the quarter's last day; a quarter's own date wins (`"2022-Q3" = "07/10/2022"`). Neither: no
    deadline, and timeliness is not judged."""

    days_after_quarter: int | None = None
    dates: tuple[tuple[str, dt.date], ...] = ()    # (period slug "2022-Q3", its deadline)

    def for_period(self, period: Period) -> tuple[dt.date | None, str | None]:
        """The deadline of `period` and how it was set, in words (None, None: no deadline)."""
        own = dict(self.dates).get(period.slug)
        if own is not None:
            return own, f"hạn do Ban Tổ chức định cho {period.label}"
        if self.days_after_quarter is not None:
            return (period.end + dt.timedelta(days=self.days_after_quarter),
                    f"{self.days_after_quarter} ngày sau khi hết quý")
        return None, None


@dataclass(frozen=True)
class NarrativeSettings:
    """[narrative]: the committee report's opening, assessment and tasks, a text file the
    department writes each quarter (pipeline.render.narrative). `file`: its path, `{year}` and
    `{quarter}` filled in ("loi-van/{year}-Q{quarter}.md"), relative to the configuration file's
    folder; empty: the shipped templates/narrative.md."""

    file: str = ""


@dataclass(frozen=True)
class WordSettings:
    """[word]: the Word template of the committee report's editable copy (pipeline.render.word),
    a .docx relative to the configuration file's folder; empty: the shipped templates/committee.docx."""

    template: str = ""


@dataclass(frozen=True)
class LimitSettings:
    """[limits]: what one file of the inbox may cost to read. A file over a limit is rejected
    alone (FILE_TOO_LARGE, the limit named), and the run goes on. The defaults accept any real
    roster, a whole province's export included (the bench's 200,000-row workbook is 14 MB, 121 MB
    unpacked, 13 columns, 9:1), and keep a hostile file cheap; docs/roster-format.md says why each."""

    max_file_mb: int = 200                # the file as it is on disk
    max_uncompressed_mb: int = 1_000      # every part of an .xlsx/.ods unpacked, added up
    max_zip_members: int = 10_000         # parts of an .xlsx/.ods (a roster has about a dozen)
    max_compression_ratio: int = 200      # unpacked / packed, for a part over 1 MB unpacked
    max_rows: int = 1_000_000             # rows of one sheet (Excel's own limit is 1,048,576)
    max_columns: int = 200                # columns of one sheet (the template has 13)
    max_cells: int = 20_000_000           # rows × columns of every sheet's used area, added up
    max_cell_chars: int = 32_767          # text of one cell (Excel's own limit); longer is cut


DEFAULT_LIMITS = LimitSettings()


@dataclass(frozen=True)
class CalendarSettings:
    """[calendar]: the days the government moves each year, on top of Vietnam's public holidays
    (`pipeline.workdays`), for the Party's time limits counted in working days. `days_off`: extra
    days off (a day given next to a holiday); `working_days`: days worked that are usually off
    (a Saturday worked to make up for one, ngày làm bù)."""

    days_off: tuple[dt.date, ...] = ()
    working_days: tuple[dt.date, ...] = ()

    def work_calendar(self) -> WorkCalendar:
        return WorkCalendar(days_off=self.days_off, working_days=self.working_days)


@dataclass(frozen=True)
class FeedbackSettings:
    """[feedback]: who issues the notice (THÔNG BÁO) each cell gets with its results, and who else
    receives it. Without `issuing_body` the notice is the committee's own: a key left out takes the
    committee report's value (`issuer_name`: its standing_committee; `document_code`: TB over the
    report's abbreviation, "BC/ĐUCA" → "TB/ĐUCA"). With `issuing_body` another body issues it (a Ban
    Tổ chức: superior_body = "ĐẢNG ỦY CÔNG AN TỈNH", issuing_body = "BAN TỔ CHỨC"), so its names,
    code and signer are its own and must be given (FEEDBACK_OWN_KEYS); signer_on_behalf may stay
    out (a head signing in their own right: no "T/M" line). The notice's Nơi nhận is the cell first,
    then `recipients`. None: not given."""

    superior_body: str | None = None
    issuing_body: str | None = None
    issuer_name: str | None = None       # the issuing body inside sentences: "Ban Tổ chức Đảng ủy …"
    document_code: str | None = None     # "TB/BTC"
    signer_on_behalf: str | None = None  # "T/M BAN THƯỜNG VỤ"; "" : no such line
    signer_title: str | None = None
    signer_name: str | None = None
    recipients: tuple[str, ...] = ("Lưu VT.",)

    def resolved(self, config: Config) -> FeedbackSettings:
        """Every value set: those left out taken from the committee report's settings."""
        own = self.issuing_body is not None

        def pick(key: str, inherited: str) -> str:
            value = getattr(self, key)
            return value if value is not None else ("" if own else inherited)

        suffix = config.document_code.rpartition("/")[2]
        return replace(
            self,
            superior_body=pick("superior_body", config.superior_body),
            issuing_body=pick("issuing_body", config.issuing_body),
            issuer_name=pick("issuer_name", config.standing_committee),
            document_code=pick("document_code", f"{NOTICE_TYPE}/{suffix}" if suffix else NOTICE_TYPE),
            signer_on_behalf=pick("signer_on_behalf", config.signer_on_behalf),
            signer_title=pick("signer_title", config.signer_title),
            signer_name=pick("signer_name", config.signer_name))

    @property
    def number_line(self) -> str:
        """"Số  -TB/BTC": each notice is numbered by hand in the register of outgoing documents."""
        return f"Số {HAND_NUMBER}-{self.document_code}"


# The abbreviation of the document type of a cell's notice (thông báo).
NOTICE_TYPE = "TB"
# Room left for a number written by hand (two em spaces).
HAND_NUMBER = "\u2003\u2003"
# What a notice issued by another body (issuing_body given) cannot take from the committee's report.
FEEDBACK_OWN_KEYS = ("superior_body", "issuer_name", "document_code", "signer_title", "signer_name")
FEEDBACK_WORDS = {
    "superior_body": "cơ quan cấp trên của cơ quan ra thông báo, ví dụ ĐẢNG ỦY CÔNG AN TỈNH",
    "issuing_body": "cơ quan ra thông báo, ví dụ BAN TỔ CHỨC",
    "issuer_name": "cơ quan ra thông báo trong câu văn, ví dụ Ban Tổ chức Đảng ủy Công an tỉnh",
    "document_code": "ký hiệu thông báo, ví dụ TB/BTC",
    "signer_on_behalf": "dòng thay mặt hoặc ký thay, ví dụ K/T TRƯỞNG BAN (để trống nếu không có)",
    "signer_title": "chức vụ người ký, ví dụ PHÓ TRƯỞNG BAN",
    "signer_name": "họ tên người ký",
    "recipients": "nơi nhận sau chi bộ, ví dụ [\"Lưu VT, BTC.\"]",
}


@dataclass(frozen=True)
class Config:
    # The body above the issuing committee, first line top left of the document
    # ("ĐẢNG BỘ TỈNH …").
    superior_body: str = ""
    # The issuing committee, second line top left, in bold ("ĐẢNG ỦY …").
    issuing_body: str = ""
    # How the committee is named inside sentences ("… của Đảng bộ …").
    committee_name: str = ""
    # Who reports: the committee's standing committee ("Ban Thường vụ Đảng ủy …").
    standing_committee: str = ""
    # Who decides admissions, as the results sentence names it. Empty: the standing committee
    # itself, which is right for a committee above grassroots level; a grassroots committee's
    # admissions are decided by its superior's standing committee, named here.
    admitting_body: str = ""
    # Document number; empty leaves room to write it by hand ("Số     -BC/ĐU").
    document_number: str = ""
    # The code after the number: report (BC) / issuing body's abbreviation ("BC/ĐU").
    document_code: str = ""
    # Place in the place-and-date line.
    place: str = ""
    # Date of the report; None means the day the report is made.
    report_date: dt.date | None = None
    # Signature block.
    signer_on_behalf: str = "T/M BAN THƯỜNG VỤ"
    signer_title: str = ""
    signer_name: str = ""
    # Nơi nhận: one line each.
    recipients: tuple[str, ...] = ()
    # Decimals shown for the admissions ratio (0 → "3%", 1 → "3,1%").
    ratio_decimals: int = 0
    # Mail delivery (`send`): the [smtp] and [send] sections.
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    send: SendSettings = field(default_factory=SendSettings)
    # When the cells' files are due (`watch`, `status`, the coverage section): [deadlines].
    deadlines: DeadlineSettings = field(default_factory=DeadlineSettings)
    # The narrative the department writes ([narrative] file) and the Word template ([word] template).
    narrative: NarrativeSettings = field(default_factory=NarrativeSettings)
    word: WordSettings = field(default_factory=WordSettings)
    # What one file may cost to read (reading, check): [limits].
    limits: LimitSettings = field(default_factory=LimitSettings)
    # Who issues and signs the notice each cell gets (feedback packages): [feedback].
    feedback: FeedbackSettings = field(default_factory=FeedbackSettings)
    # Days off and working days the holiday calendar does not know (the rules' working days): [calendar].
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    # Who may read the outputs (they hold citizen IDs and birth dates): "owner" (folders 0700,
    # files 0600) or "group" (0770 / 0660, a department's shared folder). files.ACCESS_UMASK.
    output_access: str = "owner"

    @property
    def document_number_line(self) -> str:
        number = self.document_number or "\u2003\u2003"
        return f"Số {number}-{self.document_code}"

    @property
    def deciding_body(self) -> str:
        return self.admitting_body or self.standing_committee

    def missing_identity(self) -> list[str]:
        """The keys a report cannot be signed without, left empty."""
        return [key for key in IDENTITY_KEYS if not getattr(self, key)]


# What names the committee on its report: without these a report would go out nameless.
IDENTITY_KEYS = ("superior_body", "issuing_body", "committee_name", "standing_committee", "document_code",
                 "place", "signer_on_behalf", "signer_title", "signer_name", "recipients")
# What each key is, in the clerk's words (messages, `init`).
KEY_WORDS = {
    "superior_body": "cơ quan cấp trên, dòng đầu góc trái, ví dụ ĐẢNG BỘ TỈNH …",
    "issuing_body": "cơ quan ban hành, dòng thứ hai in đậm, ví dụ ĐẢNG ỦY …",
    "committee_name": "tên đảng bộ trong câu văn, ví dụ Đảng bộ Trường Đại học …",
    "standing_committee": "cơ quan báo cáo, ví dụ Ban Thường vụ Đảng ủy …",
    "admitting_body": "cơ quan quyết định kết nạp; đảng bộ cơ sở ghi ban thường vụ cấp ủy cấp trên",
    "document_number": "số văn bản",
    "document_code": "ký hiệu văn bản, ví dụ BC/ĐU",
    "place": "địa danh ở dòng ngày tháng",
    "report_date": "ngày báo cáo",
    "signer_on_behalf": "dòng thay mặt, mặc định T/M BAN THƯỜNG VỤ",
    "signer_title": "chức vụ người ký, ví dụ BÍ THƯ",
    "signer_name": "họ tên người ký",
    "recipients": "nơi nhận",
    "ratio_decimals": "số chữ số thập phân của tỷ lệ",
    "output_access": "ai đọc được kết quả: owner (chỉ tài khoản chạy chương trình) hoặc group (cả nhóm)",
}
TEXT_KEYS = tuple(f.name for f in fields(Config) if f.type == "str")
DEFAULT_FILE = Path("pipeline.toml")


def find_config(path: Path | None) -> Path | None:
    """The configuration file to use: `path` when given, else `pipeline.toml` in the current
    folder when there is one, else None (the defaults)."""
    if path is not None:
        return Path(path)
    return DEFAULT_FILE if DEFAULT_FILE.is_file() else None


_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def parse_day(text: str) -> dt.date | None:
    """A date as a clerk types it: `27/10/2022` (day first, always) or `2022-10-27`; None if neither."""
    text = text.strip()
    found = _DAY_MONTH_YEAR.fullmatch(text)
    try:
        if found:
            day, month, year = (int(g) for g in found.groups())
            return dt.date(year, month, day)
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def load_config(path: Path | None) -> Config:
    """Read a TOML file into a Config; no file gives the defaults."""
    if path is None:
        return Config()
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise PipelineError(f"Không tìm thấy tệp cấu hình {path}. Kiểm tra lại đường dẫn --config.") from None
    except IsADirectoryError:
        raise PipelineError(f"{path} là một thư mục, không phải tệp cấu hình .toml.") from None
    except tomllib.TOMLDecodeError as exc:
        raise PipelineError(f"Tệp cấu hình {path} viết sai cú pháp TOML: {exc}. Sửa lại rồi chạy lại.") from None
    flat: dict = {}
    for key, value in data.items():
        if key in SECTIONS:
            if not isinstance(value, dict):
                raise PipelineError(f"{key} trong {path} phải là một mục [{key}].")
            flat[key] = SECTIONS[key](value, path)
        elif isinstance(value, dict):  # other sections are only for readability
            flat.update(value)
        else:
            flat[key] = value
    known = {f.name for f in fields(Config)}
    unknown = sorted(set(flat) - known)
    if unknown:
        raise PipelineError(
            f"Tệp cấu hình {path} có khóa không biết: {', '.join(unknown)}. "
            f"Các khóa hợp lệ: {', '.join(sorted(known))}."
        )
    for key in TEXT_KEYS:
        if key in flat:
            if not isinstance(flat[key], str):
                raise PipelineError(f"{key} trong {path} phải là chữ trong dấu ngoặc kép, ví dụ {key} = \"…\".")
            flat[key] = " ".join(flat[key].split())
    if "recipients" in flat:
        if not (isinstance(flat["recipients"], list) and all(isinstance(r, str) for r in flat["recipients"])):
            raise PipelineError(f"recipients trong {path} phải là danh sách, ví dụ recipients = [\"Lưu VT.\"].")
        flat["recipients"] = tuple(r.strip() for r in flat["recipients"] if r.strip())
    if "report_date" in flat:
        day = _toml_day(flat["report_date"])
        if day is None:
            raise PipelineError(f"report_date trong {path} phải là một ngày, ví dụ report_date = \"27/10/2022\".")
        flat["report_date"] = day
    if "output_access" in flat and flat["output_access"] not in OUTPUT_ACCESS:
        raise PipelineError(f"output_access trong {path} phải là \"owner\" (chỉ tài khoản chạy chương trình đọc "
                            f"được kết quả) hoặc \"group\" (cả nhóm của thư mục dùng chung); đang là "
                            f"{flat['output_access']!r}.")
    if "ratio_decimals" in flat and not (
        isinstance(flat["ratio_decimals"], int) and not isinstance(flat["ratio_decimals"], bool)
        and 0 <= flat["ratio_decimals"] <= 3
    ):
        raise PipelineError(f"ratio_decimals trong {path} phải là số nguyên từ 0 đến 3.")
    return replace(Config(), **flat)


def _nested(kind, values: dict, section: str, path: Path):
    """One [smtp] or [send] section → its settings, every key and type checked."""
    known = {f.name: f for f in fields(kind)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise PipelineError(f"Mục [{section}] trong {path} có khóa không biết: {', '.join(unknown)}. "
                            f"Các khóa hợp lệ: {', '.join(known)}.")
    out = {}
    for key, value in values.items():
        wanted = known[key].type
        if wanted == "str":
            ok = isinstance(value, str)
        elif wanted == "int":
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        elif wanted == "float":
            ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
        else:  # tuple[str, ...]
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
            value = tuple(v.strip() for v in value if v.strip()) if ok else value
        if not ok:
            raise PipelineError(f"{key} trong mục [{section}] của {path} có giá trị sai kiểu: {value!r}.")
        out[key] = value
    if out.get("security", "starttls") not in SECURITY:
        raise PipelineError(f"security trong mục [{section}] của {path} phải là một trong: {', '.join(SECURITY)}.")
    return kind(**out)


def _limits(values: dict, path: Path) -> LimitSettings:
    """[limits]: every limit a whole number above zero (a limit of 0 would refuse every file)."""
    limits = _nested(LimitSettings, values, "limits", path)
    for key in values:
        if getattr(limits, key) <= 0:
            raise PipelineError(f"{key} trong mục [limits] của {path} phải là số nguyên lớn hơn 0, ví dụ "
                                f"{key} = {getattr(LimitSettings(), key)}; đang là {values[key]!r}.")
    return limits


def _file_settings(kind, values: dict, section: str, path: Path):
    """[narrative] or [word]: each path made relative to the configuration's folder (so the
    settings mean the same whoever loads them, watch included); a file name pattern may hold only
    {year} and {quarter}."""
    settings = _nested(kind, values, section, path)
    resolved = {}
    for key, value in values.items():
        value = value.strip()
        if section == "narrative" and key == "file":
            try:
                value.format(year=2022, quarter=3)
            except (KeyError, IndexError, ValueError):
                raise PipelineError(f"file trong mục [narrative] của {path} chỉ được có {{year}} và {{quarter}} "
                                    f"trong dấu ngoặc nhọn, ví dụ file = \"loi-van/{{year}}-Q{{quarter}}.md\"; "
                                    f"đang là {value!r}.") from None
        resolved[key] = str(Path(path).parent / value) if value else ""
    return replace(settings, **resolved)


def _toml_day(value) -> dt.date | None:
    """A TOML date, or text read as a date day first ("27/10/2022"); None for anything else."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    return parse_day(value) if isinstance(value, str) else None


_SLUG = re.compile(r"(\d{4})-Q([1-4])", re.IGNORECASE)


def _deadlines(values: dict, path: Path) -> DeadlineSettings:
    """[deadlines]: `days_after_quarter` (a whole number of days) and any number of
    `"2022-Q3" = "07/10/2022"` lines."""
    days = values.get("days_after_quarter")
    if days is not None and not (isinstance(days, int) and not isinstance(days, bool) and 0 <= days <= 366):
        raise PipelineError(f"days_after_quarter trong mục [deadlines] của {path} phải là số ngày (số nguyên "
                            f"từ 0 đến 366), ví dụ days_after_quarter = 5; đang là {days!r}.")
    dates = []
    for key, value in values.items():
        if key == "days_after_quarter":
            continue
        slug = _SLUG.fullmatch(key.strip())
        if slug is None:
            raise PipelineError(f"Mục [deadlines] trong {path} có khóa không biết: {key}. Ghi days_after_quarter = 5, "
                                "hoặc hạn của từng quý, ví dụ \"2022-Q3\" = \"07/10/2022\".")
        period = Period(int(slug.group(1)), int(slug.group(2)))
        day = _toml_day(value)
        if day is None:
            raise PipelineError(f"Hạn của {period.label} trong mục [deadlines] của {path} phải là một ngày, "
                                f"ví dụ \"{period.slug}\" = \"07/10/2022\"; đang là {value!r}.")
        if day <= period.end:
            raise PipelineError(f"Hạn của {period.label} trong mục [deadlines] của {path} ({day:%d/%m/%Y}) chưa sau "
                                f"ngày cuối quý ({period.end:%d/%m/%Y}). Kiểm tra lại.")
        dates.append((period.slug, day))
    return DeadlineSettings(days_after_quarter=days, dates=tuple(dates))


CALENDAR_KEYS = {"days_off": "ngày nghỉ thêm", "working_days": "ngày làm việc bù"}


def _calendar(values: dict, path: Path) -> CalendarSettings:
    """[calendar]: `days_off = ["02/05/2025"]` and `working_days = ["26/04/2025"]`, each a list of
    days (day first, or TOML dates); no day in both."""
    unknown = sorted(set(values) - set(CALENDAR_KEYS))
    if unknown:
        raise PipelineError(f"Mục [calendar] trong {path} có khóa không biết: {', '.join(unknown)}. "
                            "Các khóa hợp lệ: days_off (ngày nghỉ thêm), working_days (ngày làm việc bù), "
                            "ví dụ days_off = [\"02/05/2025\"].")
    days: dict[str, tuple[dt.date, ...]] = {}
    for key, words in CALENDAR_KEYS.items():
        given = values.get(key, [])
        if not isinstance(given, list):
            raise PipelineError(f"{key} trong mục [calendar] của {path} phải là danh sách ngày ({words}), ví dụ "
                                f"{key} = [\"26/04/2025\"]; đang là {given!r}.")
        read = []
        for value in given:
            day = _toml_day(value)
            if day is None:
                raise PipelineError(f"{key} trong mục [calendar] của {path} có giá trị không phải ngày: {value!r}. "
                                    f"Ghi ngày theo dạng ngày/tháng/năm, ví dụ {key} = [\"26/04/2025\"].")
            read.append(day)
        days[key] = tuple(sorted(set(read)))
    both = sorted(set(days["days_off"]) & set(days["working_days"]))
    if both:
        listed = ", ".join(f"{d:%d/%m/%Y}" for d in both)
        raise PipelineError(f"Ngày {listed} có ở cả days_off và working_days trong mục [calendar] của {path}. "
                            "Một ngày chỉ là ngày nghỉ hoặc ngày làm việc; xóa ngày đó khỏi một trong hai danh sách.")
    return CalendarSettings(days_off=days["days_off"], working_days=days["working_days"])


def _feedback(values: dict, path: Path) -> FeedbackSettings:
    """[feedback]: text keys (spaces tidied; only signer_on_behalf may be empty) and `recipients`, a
    list; with `issuing_body`, every key of FEEDBACK_OWN_KEYS too."""
    unknown = sorted(set(values) - set(FEEDBACK_WORDS))
    if unknown:
        raise PipelineError(f"Mục [feedback] trong {path} có khóa không biết: {', '.join(unknown)}. "
                            f"Các khóa hợp lệ: {', '.join(FEEDBACK_WORDS)}.")
    out: dict = {}
    for key, value in values.items():
        if key == "recipients":
            if not (isinstance(value, list) and all(isinstance(r, str) for r in value)):
                raise PipelineError(f"recipients trong mục [feedback] của {path} phải là danh sách, ví dụ "
                                    f"recipients = [\"Lưu VT, BTC.\"]; đang là {value!r}.")
            out[key] = tuple(" ".join(r.split()) for r in value if r.strip())
            continue
        if not isinstance(value, str):
            raise PipelineError(f"{key} trong mục [feedback] của {path} phải là chữ trong dấu ngoặc kép "
                                f"({FEEDBACK_WORDS[key]}); đang là {value!r}.")
        value = " ".join(value.split())
        if not value and key != "signer_on_behalf":
            raise PipelineError(f"{key} trong mục [feedback] của {path} để trống. Ghi {FEEDBACK_WORDS[key]}, "
                                "hoặc xóa dòng này để dùng giá trị của báo cáo.")
        out[key] = value
    if "issuing_body" in out:
        missing = [key for key in FEEDBACK_OWN_KEYS if key not in out]
        if missing:
            raise PipelineError(
                f"Mục [feedback] trong {path} ghi issuing_body = \"{out['issuing_body']}\" (thông báo do cơ quan "
                f"này ban hành) nhưng chưa ghi: {'; '.join(f'{key} — {FEEDBACK_WORDS[key]}' for key in missing)}. "
                "Ghi đủ các khóa này, hoặc xóa issuing_body để thông báo mang tên cơ quan ra báo cáo.")
    return FeedbackSettings(**out)


def require_identity(config: Config, source: Path | None) -> None:
    """Stop before a report would go out without the committee's names."""
    missing = config.missing_identity()
    if not missing:
        return
    where = f"tệp cấu hình {source}" if source else "cấu hình (không có tệp pipeline.toml ở thư mục này)"
    wanted = "; ".join(f"{key} — {KEY_WORDS[key]}" for key in missing)
    raise PipelineError(
        f"Báo cáo cần tên và thông tin của đảng bộ, nhưng {where} chưa ghi: {wanted}. "
        "Ghi các khóa này vào tệp cấu hình (lệnh init tạo sẵn một tệp có chú thích) rồi chạy lại.")


# The configuration's sections that are settings of their own, each with its reader (values of
# the section, the file's path) → the Config field of the same name. The other sections only
# group the flat keys for readability.
SECTIONS = {
    "smtp": lambda values, path: _nested(SmtpSettings, values, "smtp", path),
    "send": lambda values, path: _nested(SendSettings, values, "send", path),
    "limits": _limits,
    "deadlines": _deadlines,
    "calendar": _calendar,
    "feedback": _feedback,
    # Files of the department's, their paths relative to the configuration file's folder.
    "narrative": lambda values, path: _file_settings(NarrativeSettings, values, "narrative", path),
    "word": lambda values, path: _file_settings(WordSettings, values, "word", path),
}
