"""What a file really is, told by its bytes, and whether reading it stays within the limits.

Nothing here trusts a file's name, and nothing here hands the file to a parser: the first bytes
say what kind of container it is (zip, OLE, PDF, text…), the container's own directory says what
it holds, and every part of a zip that calamine reads is unpacked once, in bounded pieces, before
calamine sees it. That pass checks each part's real size against what the zip's directory claims,
refuses document type declarations (XML entities: the "billion laughs" and external-entity
tricks), and works out how far each worksheet's cells reach. calamine keeps a sheet's used range as one dense
block, about 32 bytes a cell, whatever the file holds, so a 20 KB file with one cell in A1 and one
in XFD1048576 would ask it for 17 billion cells and abort the process: the extent must be known
before calamine is asked: the XML of an .xlsx and an .ods, the records of an .xlsb. (An .xls
sheet, at most 65,536 × 256 cells, is judged from calamine's sheet before its values are turned
into Python objects, `sheets.load_grids`.)

`sniff` returns a `Sniffed`: the spreadsheet format to read (`kind`), or why the file is refused
(`refusal`: a rule of `pipeline.rulebook` and the fields of its message, in Vietnamese), plus
what the pass saw that the reader uses (error cells, formulas without a computed value), and,
for a plainly laid out .xlsx, the same zip with the parts the pass unpacked stored unpacked
(`stored`): calamine reads each sheet twice (its values, then its merged cells), and would
otherwise unpack every part again each time. The limits are `config.LimitSettings` ([limits]
in the configuration).
"""

from __future__ import annotations

import functools
import html
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeTree
from defusedxml.ElementTree import ParseError

from pipeline.config import DEFAULT_LIMITS, LimitSettings

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"}
# The suffix each readable kind is saved with (what a wrongly named file should be renamed to).
KIND_SUFFIX = {"xlsx": ".xlsx", "xlsb": ".xlsb", "xls": ".xls", "ods": ".ods"}

MB = 1024 * 1024
# The compression ratio is judged only for parts larger than this once unpacked: a small part of
# repeated markup (an empty sheet's styles) packs at high ratios and costs nothing.
RATIO_FLOOR = MB
_IN_CHUNK = 256 * 1024      # packed bytes handed to zlib at a time
_OUT_CHUNK = 4 * MB         # most unpacked bytes looked at at a time
_CARRY_CAP = MB             # how much of a piece is kept for the next one (a cell cut in two)
_LARGE_PART = 32 * MB       # a sheet part this large is measured exactly at once (it rarely fits the bound)

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_CUT_SHORT = "tệp bị cắt ngắn hoặc bị hỏng, có thể do tải về chưa xong"


@dataclass(frozen=True)
class Refusal:
    """Why a file is not read: a rule code and the fields of its message (`rulebook.make`)."""

    rule: str
    fields: dict = field(default_factory=dict)


@dataclass
class Sniffed:
    kind: str | None = None                 # xlsx (and .xlsm), xlsb, xls, ods: what calamine is to read
    refusal: Refusal | None = None
    error_cells: bool = False               # a sheet holds an error value (#REF!…) calamine reads as empty
    # Sheet name → (row, column), from 0, of formula cells saved without a computed value.
    uncalculated: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    long_parts: bool = False                # a part is longer than a cell's text limit: look at the text
    # The same workbook with the parts this look unpacked stored unpacked (`_stored_copy`): what
    # calamine is given to read, so that it does not unpack them again. None: the file as it is.
    stored: bytes | None = None


def _number(n: int) -> str:
    """1000000 → 1.000.000, as Vietnamese writes it."""
    return f"{n:,}".replace(",", ".")


def _mb(size: int) -> str:
    return _number(max(1, round(size / MB)))


def _refuse(rule: str, **fields) -> Sniffed:
    return Sniffed(refusal=Refusal(rule, fields))


def too_large(detail: str) -> Sniffed:
    return _refuse("FILE_TOO_LARGE", detail=detail)


def file_too_large(size: int, limits: LimitSettings) -> Sniffed | None:
    """The file on disk is over `max_file_mb` (said before a byte of it is read)."""
    if size > limits.max_file_mb * MB:
        return too_large(f"{_number(limits.max_file_mb)} MB một tệp (tệp này {_mb(size)} MB)")
    return None


def column_letters(n: int) -> str:
    """1 → A, 27 → AA, 16384 → XFD."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def extent_refusal(sheet: str, rows: int, columns: int, limits: LimitSettings) -> Sniffed | None:
    """A sheet whose data reaches past row `max_rows` or column `max_columns`."""
    if rows > limits.max_rows:
        return too_large(f"{_number(limits.max_rows)} dòng một trang (trang \"{sheet}\" có dữ liệu đến dòng "
                         f"{_number(rows)})")
    if columns > limits.max_columns:
        return too_large(f"{_number(limits.max_columns)} cột một trang (trang \"{sheet}\" có dữ liệu đến cột "
                         f"{column_letters(columns)}, cột thứ {_number(columns)})")
    return None


def cells_refusal(cells: int, limits: LimitSettings) -> Sniffed | None:
    if cells > limits.max_cells:
        return too_large(f"{_number(limits.max_cells)} ô cả tệp, tính theo vùng có dữ liệu của từng trang "
                         f"(tệp này có {_number(cells)} ô)")
    return None


# ---------- what the bytes are ----------

def sniff(data: bytes, suffix: str, limits: LimitSettings = DEFAULT_LIMITS) -> Sniffed:
    """What `data` (a file named with `suffix`) is, and whether it may be read within `limits`."""
    suffix = suffix.lower()
    if not data:
        return _not_spreadsheet("tệp rỗng (0 byte: lưu hoặc gửi bị lỗi)", suffix, renamed=False)
    refused = file_too_large(len(data), limits)
    if refused:
        return refused
    if data.startswith(b"PK"):
        return _zip(data, suffix, limits)
    if data.startswith(_OLE):
        return _ole(data, suffix)
    return _not_spreadsheet(_other_kind(data), suffix)


def _not_spreadsheet(what: str, suffix: str, renamed: bool = True) -> Sniffed:
    """FILE_NOT_SPREADSHEET, saying what the file is (and that it was renamed, when its name
    claims a spreadsheet)."""
    if renamed and suffix in SPREADSHEET_SUFFIXES:
        what = f"{what} đổi đuôi thành {suffix}"
    return _refuse("FILE_NOT_SPREADSHEET", value=suffix or None, detail=what)


def _spreadsheet(kind: str, suffix: str) -> Sniffed:
    """A spreadsheet calamine reads; one whose name says it is something else is refused, so
    nothing downstream takes it for what its name says."""
    if suffix not in SPREADSHEET_SUFFIXES:
        return _refuse("FILE_WRONG_SUFFIX", value=suffix or "(không có)", detail=KIND_SUFFIX[kind])
    return Sniffed(kind=kind)


_TEXT_STARTS = (
    (b"%PDF", "tệp PDF"),
    (b"{\\rtf", "tài liệu RTF (Word)"),
    (b"\x89PNG", "ảnh (ảnh chụp hoặc ảnh quét)"),
    (b"\xff\xd8\xff", "ảnh (ảnh chụp hoặc ảnh quét)"),
    (b"GIF8", "ảnh (ảnh chụp hoặc ảnh quét)"),
    (b"BM", None),   # a bitmap, but two letters begin many texts: see below
    (b"II*\x00", "ảnh (ảnh quét)"),
    (b"MM\x00*", "ảnh (ảnh quét)"),
    (b"Rar!", "tệp nén RAR (giải nén ra trước khi gửi)"),
    (b"7z\xbc\xaf\x27\x1c", "tệp nén 7z (giải nén ra trước khi gửi)"),
    (b"\x1f\x8b", "tệp nén gzip"),
)


def _other_kind(data: bytes) -> str:
    """Neither a zip nor an OLE container: what it is, in the clerk's words."""
    for start, what in _TEXT_STARTS:
        if data.startswith(start) and what:
            return what
    if data.startswith(b"BM") and len(data) > 26 and struct.unpack_from("<I", data, 2)[0] == len(data):
        return "ảnh (ảnh chụp hoặc ảnh quét)"
    text = _as_text(data[:64 * 1024])
    if text is None:
        return "tệp không rõ loại"
    head = text.lstrip("\ufeff \t\r\n").lower()
    if head.startswith("<?xml") or head.startswith("<"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in text.lower():
            return "bảng tính dạng XML của Excel 2003 (XML Spreadsheet)"
        if re.match(r"<(!doctype\s+html|html|head|body|table|meta|div|!--)", head) or "<html" in head[:4096]:
            return "trang web (HTML)"
        return "tệp XML"
    lines = [line for line in text.splitlines() if line.strip()][:20]
    if lines and all(any(sep in line for sep in ",;\t") for line in lines):
        return "tệp văn bản dạng bảng (CSV)"
    return "tệp văn bản"


def _as_text(head: bytes) -> str | None:
    """The first bytes as text when they are text (UTF-8, UTF-16 with its mark, or a legacy
    8-bit code page with no control characters); None for binary."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return head[:len(head) - len(head) % 2].decode("utf-16")
        except UnicodeDecodeError:
            return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:   # not only a character cut at the end of the look
            text = head.decode("latin-1")
        else:
            text = head[:exc.start].decode("utf-8")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    return None if controls else text


# ---------- OLE (Compound File Binary): .xls, encrypted OOXML, .doc ----------

_FREE, _END = 0xFFFFFFFF, 0xFFFFFFFE


def _ole(data: bytes, suffix: str) -> Sniffed:
    names = _ole_streams(data)
    if names is None:
        return _refuse("FILE_UNREADABLE", detail="tệp Office cũ (dạng OLE) bị hỏng hoặc bị cắt ngắn, có thể do tải về "
                                                 "chưa xong")
    if "encryptedpackage" in names:   # Excel's "Encrypt with Password" (EncryptionInfo beside it)
        return _refuse("FILE_PROTECTED")
    if "workbook" in names or "book" in names:
        return _spreadsheet("xls", suffix)
    if "worddocument" in names:
        return _not_spreadsheet("tài liệu Word", suffix)
    if "powerpoint document" in names:
        return _not_spreadsheet("bản trình chiếu PowerPoint", suffix)
    if any(n.startswith("__substg1.0_") for n in names):
        return _not_spreadsheet("thư điện tử Outlook (.msg; mở thư và lưu tệp đính kèm ra trước)", suffix)
    return _not_spreadsheet("tệp Office không phải bảng tính", suffix)


def _ole_streams(data: bytes) -> set[str] | None:
    """The names (lower case) of every entry of a Compound File's directory ([MS-CFB] 2.2, 2.6),
    or None when the container is damaged or cut short."""
    try:
        shift, = struct.unpack_from("<H", data, 0x1E)
        if shift not in (9, 12):
            return None
        size = 1 << shift
        fat_count, first_dir = struct.unpack_from("<II", data, 0x2C)
        first_difat, difat_count = struct.unpack_from("<II", data, 0x44)
        sectors = (len(data) - 512) // size + 1
        difat = list(struct.unpack_from("<109I", data, 0x4C))
        next_difat, seen = first_difat, 0
        while next_difat not in (_FREE, _END) and seen <= difat_count and seen < sectors:
            entries = struct.unpack_from(f"<{size // 4}I", data, (next_difat + 1) * size)
            difat += entries[:-1]
            next_difat, seen = entries[-1], seen + 1
        fat: list[int] = []
        for sector in difat[:fat_count]:
            if sector >= sectors:
                return None
            fat += struct.unpack_from(f"<{size // 4}I", data, (sector + 1) * size)
        names: set[str] = set()
        sector, steps = first_dir, 0
        while sector not in (_FREE, _END):
            if sector >= len(fat) or steps > sectors:
                return None
            base = (sector + 1) * size
            for entry in range(size // 128):
                at = base + entry * 128
                length, kind = struct.unpack_from("<HB", data, at + 0x40)
                if kind in (1, 2, 5) and 2 <= length <= 64:
                    names.add(data[at:at + length - 2].decode("utf-16-le", "replace").lower())
            sector, steps = fat[sector], steps + 1
        return names or None
    except struct.error:
        return None


# ---------- zip: .xlsx, .xlsm, .xlsb, .ods (and what is not a spreadsheet) ----------

class _Refused(Exception):
    def __init__(self, sniffed: Sniffed):
        self.sniffed = sniffed


def _suspicious(detail: str) -> _Refused:
    return _Refused(_refuse("FILE_SUSPICIOUS", detail=detail))


def _unreadable(detail: str = _CUT_SHORT) -> _Refused:
    return _Refused(_refuse("FILE_UNREADABLE", detail=detail))


class _Part(NamedTuple):
    """One entry of a zip's central directory ([APPNOTE] 4.3.12). (A tuple: a roster's dozen
    parts are made for every file, and a frozen dataclass costs several times as much to make.)"""

    name: str
    raw_name: bytes     # as the directory spells it: the local header must spell it the same
    flags: int
    method: int
    packed: int         # compressed size
    size: int           # uncompressed size, as claimed
    offset: int         # of the local header
    key: str            # the name as calamine looks it up: `\` as `/`, any case (`_part`)
    entry: int = -1     # where its directory entry is, when read by `_short_directory` (`_stored_copy`)


def _part(name: str, raw_name: bytes, flags: int, method: int, packed: int, size: int, offset: int,
          entry: int = -1) -> _Part:
    """A directory entry, its lookup key worked out once (every part's is compared several times)."""
    return _Part(name, raw_name, flags, method, packed, size, offset, name.replace("\\", "/").lower(), entry)


def _zip(data: bytes, suffix: str, limits: LimitSettings) -> Sniffed:
    try:
        return _read_zip(data, suffix, limits)
    except _Refused as refused:
        return refused.sniffed


def _read_zip(data: bytes, suffix: str, limits: LimitSettings) -> Sniffed:
    parts = _directory(data, limits)
    by_name = {part.name: part for part in parts}
    kind = _zip_kind(data, by_name)
    if kind is None:
        return _not_spreadsheet(_zip_document(by_name), suffix)
    sniffed = _spreadsheet(kind, suffix)
    if sniffed.refusal:
        return sniffed
    _check_parts(data, parts, limits)
    if kind == "ods":
        manifest = by_name.get("META-INF/manifest.xml")
        if manifest is not None and any(b"encryption-data" in piece for piece in _pieces(data, manifest)):
            return _refuse("FILE_PROTECTED")
        _scan_ods(data, parts, sniffed, limits)
    else:
        _scan_ooxml(data, parts, by_name, sniffed, limits)
    return sniffed


def _directory(data: bytes, limits: LimitSettings) -> list[_Part]:
    """The zip's parts, from its central directory; a zip that lists more parts than allowed is
    refused before they are read ([APPNOTE] 4.3.16 end record, 4.3.14 its zip64 form)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        raise _unreadable()
    count, size, start = struct.unpack_from("<HII", data, end + 10)
    zip64 = count == 0xFFFF or size == 0xFFFFFFFF or start == 0xFFFFFFFF
    if zip64 and end >= 20 and data[end - 20:end - 16] == b"PK\x06\x07":
        record, = struct.unpack_from("<Q", data, end - 12)
        if record + 56 <= len(data) and data[record:record + 4] == b"PK\x06\x06":
            count, size = struct.unpack_from("<QQ", data, record + 32)
    # A directory entry is 46 bytes and a name; a real part's name is well under 1 KB.
    if count > limits.max_zip_members or size > limits.max_zip_members * 1024:
        raise _Refused(too_large(f"{_number(limits.max_zip_members)} phần trong một tệp (tệp này có "
                                 f"{_number(max(count, size // 1024))} phần)"))
    if not zip64:
        try:
            return _short_directory(data, count, start)
        except (ValueError, struct.error):
            pass   # prefixed data, a damaged entry…: the general reader decides
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error):
        raise _unreadable() from None
    if len(infos) > limits.max_zip_members:
        raise _Refused(too_large(f"{_number(limits.max_zip_members)} phần trong một tệp (tệp này có "
                                 f"{_number(len(infos))} phần)"))
    parts = []
    for info in infos:
        try:
            raw = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
        except UnicodeEncodeError:
            raw = b""
        parts.append(_part(info.filename, raw, info.flag_bits, info.compress_type, info.compress_size,
                           info.file_size, info.header_offset))
    return parts


# A central directory entry's fixed 46 bytes, the fields read: signature, flags, method, packed
# and unpacked sizes, the lengths of the name, extra field and comment, the local header's offset.
_ENTRY = struct.Struct("<4s4xHH8xIIHHH8xI")


def _short_directory(data: bytes, count: int, at: int) -> list[_Part]:
    """The central directory read entry by entry: for a roster of a dozen parts, zipfile's general
    reader costs as much as calamine's whole read. Anything unusual raises ValueError."""
    parts = []
    for _ in range(count):
        signature, flags, method, packed, size, name_len, extra_len, comment_len, offset = _ENTRY.unpack_from(data, at)
        if signature != b"PK\x01\x02":
            raise ValueError("not a directory entry")
        if 0xFFFFFFFF in (packed, size, offset):
            raise ValueError("zip64 sizes")
        raw = data[at + 46:at + 46 + name_len]
        name = raw.decode("ascii" if raw.isascii() else "utf-8" if flags & 0x800 else "cp437")
        parts.append(_part(name, raw, flags, method, packed, size, offset, at))
        at += 46 + name_len + extra_len + comment_len
    return parts


def _zip_kind(data: bytes, by_name: dict[str, _Part]) -> str | None:
    """xlsx (an .xlsm is one too), xlsb or ods by the parts the zip holds; None for any other zip."""
    if "xl/workbook.xml" in by_name:
        return "xlsx"
    if "xl/workbook.bin" in by_name:
        return "xlsb"
    mimetype = by_name.get("mimetype")
    if mimetype is not None and mimetype.size <= 200 and mimetype.packed <= 200 \
            and b"".join(_inflate(data, mimetype)).strip() == _ODS_MIME:
        return "ods"
    return None


def _zip_document(by_name: dict[str, _Part]) -> str:
    """What a zip that is not a spreadsheet holds."""
    if "word/document.xml" in by_name:
        return "tài liệu Word"
    if "ppt/presentation.xml" in by_name:
        return "bản trình chiếu PowerPoint"
    if "mimetype" in by_name or "content.xml" in by_name:
        return "tài liệu OpenDocument không phải bảng tính (văn bản hoặc trình chiếu)"
    return "tệp nén .zip (giải nén ra trước khi gửi)"


def _check_parts(data: bytes, parts: list[_Part], limits: LimitSettings) -> None:
    """What the directory says about each part, before anything is unpacked: that no two parts
    share their bytes (the overlapping-entry zip bomb), how each is packed, how much it would
    unpack to."""
    # Where each part's bytes end at the least (its local header is at least as long as its
    # name): a part starting before that shares bytes with the one before.
    spans = sorted((part.offset, part.offset + 30 + len(part.raw_name) + part.packed, part.name) for part in parts)
    for (_, end, name), (start, _, other) in zip(spans, spans[1:]):
        if start < end:
            raise _suspicious(f"phần \"{name}\" và \"{other}\" dùng chung một vùng dữ liệu của tệp nén")
    for part in parts:
        if part.flags & 0x1:
            raise _suspicious(f"phần \"{part.name}\" được khóa bằng mật khẩu của tệp nén")
        if part.method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _suspicious(f"phần \"{part.name}\" được nén theo cách bảng tính không dùng")
        if part.size > RATIO_FLOOR and part.size > limits.max_compression_ratio * max(part.packed, 1):
            raise _suspicious(f"phần \"{part.name}\" khi giải nén lớn gấp {_number(part.size // max(part.packed, 1))} "
                              f"lần, quá giới hạn {_number(limits.max_compression_ratio)} lần")
    total = sum(part.size for part in parts)
    if total > limits.max_uncompressed_mb * MB:
        raise _Refused(too_large(f"{_number(limits.max_uncompressed_mb)} MB khi giải nén (tệp này giải nén ra "
                                 f"{_mb(total)} MB)"))


def _data_start(data: bytes, part: _Part) -> int:
    """Where a part's packed bytes begin, from its local header ([APPNOTE] 4.3.7); the header
    must name the same part as the directory."""
    at = part.offset
    if at + 30 > len(data) or data[at:at + 4] != b"PK\x03\x04":
        raise _unreadable()
    name_len, extra_len = struct.unpack_from("<HH", data, at + 26)
    if data[at + 30:at + 30 + name_len] != part.raw_name:
        raise _suspicious(f"tên phần \"{part.name}\" ghi ở hai chỗ trong tệp nén không khớp nhau")
    start = at + 30 + name_len + extra_len
    if start + part.packed > len(data):
        raise _unreadable()
    return start


def _inflate(data: bytes, part: _Part) -> Iterator[bytes]:
    """A part unpacked in pieces of at most _OUT_CHUNK bytes; never more bytes than the directory
    says the part holds (a part that would unpack to more is refused, whatever it claims)."""
    start = _data_start(data, part)
    packed = memoryview(data)[start:start + part.packed]
    if part.method == zipfile.ZIP_STORED:
        for at in range(0, len(packed), _OUT_CHUNK):
            yield bytes(packed[at:at + _OUT_CHUNK])
        return
    if part.size < _OUT_CHUNK:   # a small part (nearly all of them): at once
        out = _unpack_small(part, packed)
        if out:
            yield out
        return
    inflater = zlib.decompressobj(-15)
    produced = 0
    try:
        for at in range(0, max(len(packed), 1), _IN_CHUNK):
            pending = packed[at:at + _IN_CHUNK]
            while True:
                out = inflater.decompress(pending, _OUT_CHUNK)
                produced += len(out)
                if produced > part.size:
                    raise _suspicious(f"phần \"{part.name}\" giải nén ra lớn hơn kích thước ghi trong tệp")
                if out:
                    yield out
                pending = inflater.unconsumed_tail
                if not pending and len(out) < _OUT_CHUNK:
                    break
            if inflater.eof:
                return
    except zlib.error:
        raise _unreadable(f"phần \"{part.name}\" của tệp bị hỏng") from None


def _unpack_small(part: _Part, packed) -> bytes:
    """A part of under _OUT_CHUNK bytes, unpacked in one call (never past its claimed size)."""
    return _unpack_whole(part, packed)[0]


def _unpack_whole(part: _Part, packed) -> tuple[bytes, bool]:
    """`_unpack_small`, and whether what it unpacked is the whole part, exactly: one complete
    deflate stream, nothing after it, as many bytes as the directory claims (`_stored_copy`)."""
    if part.method == zipfile.ZIP_STORED:
        return bytes(packed), False   # stored already: nothing to unpack again
    try:
        if len(packed) <= _SAME_PACKED and part.size <= _SAME_SIZE:
            return _inflated_again(bytes(packed), part.size)
        return _inflated(packed, part.size)
    except zlib.error:
        raise _unreadable(f"phần \"{part.name}\" của tệp bị hỏng") from None
    except _Longer:
        raise _suspicious(f"phần \"{part.name}\" giải nén ra lớn hơn kích thước ghi trong tệp") from None


class _Longer(Exception):
    """A part unpacks to more bytes than the directory claims."""


def _inflated(packed, size: int) -> tuple[bytes, bool]:
    """Deflated bytes unpacked, never past `size` + 1 bytes (more is `_Longer`), and whether they
    were one whole stream of exactly `size` bytes."""
    inflater = zlib.decompressobj(-15)
    out = inflater.decompress(packed, size + 1)
    if len(out) > size:
        raise _Longer
    return out, inflater.eof and not inflater.unused_data and len(out) == size


# The parts a template gives every file (styles, workbook, relationships) are the same packed
# bytes in each: a small part is unpacked once a run, and the same bytes give the same answer
# (a failure is not kept: it is met again, and said again, for each file).
_SAME_PACKED, _SAME_SIZE = 16 * 1024, 64 * 1024
_inflated_again = functools.lru_cache(maxsize=256)(_inflated)


def _whole_xml(data: bytes, part: _Part, kept: dict[str, bytes] | None = None) -> bytes:
    """A small XML part unpacked and checked as `_pieces` checks it, in one go; kept in `kept`
    when it was unpacked whole (`_unpack_whole`)."""
    start = _data_start(data, part)
    text, whole = _unpack_whole(part, memoryview(data)[start:start + part.packed])
    _refuse_doctype(part, text, _doctype_words(text))
    if whole and kept is not None:
        kept[part.name] = text
    return text


# How a document type declaration starts, in the encodings XML parts are written in.
_DOCTYPE_WORDS = {codec: tuple(word.encode(codec) for word in ("<!DOCTYPE", "<!ENTITY"))
                  for codec in ("ascii", "utf-16-le", "utf-16-be")}


def _doctype_words(head: bytes) -> tuple[bytes, bytes]:
    """The declaration's words as this part spells them (UTF-16 by its mark or its zero bytes)."""
    if head.startswith(b"\xff\xfe") or head[1:2] == b"\x00":
        return _DOCTYPE_WORDS["utf-16-le"]
    if head.startswith(b"\xfe\xff") or head[:1] == b"\x00":
        return _DOCTYPE_WORDS["utf-16-be"]
    return _DOCTYPE_WORDS["ascii"]


def _refuse_doctype(part: _Part, text: bytes, words: tuple[bytes, bytes]) -> None:
    if words[0] in text or words[1] in text:
        raise _suspicious(f"phần \"{part.name}\" khai báo thực thể XML bằng DOCTYPE")


def _pieces(data: bytes, part: _Part) -> Iterator[bytes]:
    """A part's unpacked pieces, refusing a document type declaration in an XML part (OOXML and
    ODF never use one; it is how entity bombs and external entities get in)."""
    tail, words = b"", None
    for piece in _inflate(data, part):
        words = words or _doctype_words(piece[:64])
        _refuse_doctype(part, piece, words)
        _refuse_doctype(part, tail + piece[:32], words)   # a declaration cut between two pieces
        tail = piece[-32:]
        yield piece


# ---------- where an .xlsx worksheet's cells reach ----------

_DIGITS = "0123456789"
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"')
_WELL_FORMED = re.compile(rb'<c r="[A-Z]{1,3}[1-9][0-9]{0,6}"(?:\s[^>]*)?>')
_VALUED_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"[^>]*(?<!/)>')
_HEAD = 64 * 1024
_PREFIXED_CELL = re.compile(rb"<[\w.-]+:c[\s/>]")
_TAG = re.compile(rb'<(/?)(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*?)(/?)>')
_R_ATTR = re.compile(rb"""\sr\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_A1 = re.compile(rb"([A-Za-z]*)([0-9]+)")
_UNCALCULATED = re.compile(
    rb'<c r="([A-Z]{1,3})(\d{1,7})"([^>]*)>\s*<f\b[^>]*?(?:/>|>[^<]*</f>)\s*(?P<v><v\s*/>|<v>\s*</v>)?\s*</c>')


def bounds(limits: LimitSettings) -> tuple[int, int]:
    """(rows, columns) within which any sheet is safe to hand to calamine: within the row and
    column limits, their product within the cell limit, the rows a round 99…9 so that the search
    for a cell beyond is short (99,999 × 200 by default)."""
    rows = min(limits.max_rows, limits.max_cells // limits.max_columns)
    return (10 ** (len(str(rows + 1)) - 1) - 1 if rows >= 9 else 0), limits.max_columns


def _upto(value: str, first: str, rest: str) -> str:
    """A regular expression for the strings that come up to `value` when strings are ordered by
    length, then character by character (how row numbers and column letters are ordered).
    `first` and `rest` are the characters allowed first and after, in order."""
    shorter = f"[{first[0]}-{first[-1]}][{rest[0]}-{rest[-1]}]{{0,{len(value) - 2}}}" if len(value) > 1 else None
    same = [value]
    for i, ch in enumerate(value):
        chars = first if i == 0 else rest
        lower = chars[:chars.index(ch)]
        if lower:
            same.append(f"{value[:i]}[{lower[0]}-{lower[-1]}]" + (f"[{rest[0]}-{rest[-1]}]{{{len(value) - i - 1}}}"
                                                                   if i < len(value) - 1 else ""))
    return "(?:" + "|".join(([shorter] if shorter else []) + same) + ")"


@functools.lru_cache(maxsize=256)
def _unusual(rows: int, columns: int) -> re.Pattern:
    """A cell tag that is not `<c r="B7"…` with B7 within `rows` × `columns` (a self-closed, empty
    cell beyond them aside): a cell beyond the bound, or written in a way the quick reading does
    not take (other spacing, `r` not first or missing, lower case, more letters or digits than a
    sheet has). One search a piece; none in nearly every file."""
    col = _upto(column_letters(columns), _LETTERS, _LETTERS)
    col = col if columns else "(?!)"
    row = _upto(str(rows), _DIGITS[1:], _DIGITS) if rows else "(?!)"
    return re.compile(f'<c(?=[\\s>/])(?! r="{col}{row}")(?! r="[A-Z]{{1,3}}[0-9]{{1,7}}"[^>]*/>)'.encode())


class _SheetScan:
    """One pass over a worksheet part's XML, piece by piece: how far its cells with content
    reach (a self-closed, styled empty cell does not count, as calamine skips it), whether it
    holds error cells, its formulas saved without a value.

    Nearly every writer (Excel, LibreOffice, openpyxl, xlsxwriter) opens each cell as
    `<c r="B7" …>`, in row order. Then the extent known so far is kept (at first the first rows'
    width and the piece's last cell), and one search a piece (`_unusual`) finds a cell beyond it
    or written another way; in a real file only the first rows move it, so the pass costs about
    what unpacking does. With `bound`, the pass only says whether every cell stays within it
    (`beyond`), and stops at the first that does not: nearly every sheet does, and is then known
    to be small. Any other shape (cells without `r`, `r` not first, lower case, namespace
    prefixes) makes `regular` false, and the caller places the cells tag by tag (`_exact_extent`)."""

    def __init__(self, bound: tuple[int, int] | None = None) -> None:
        self.rows, self.columns = bound or (0, 0)
        self.bounded = bound is not None
        self.beyond = False    # bounded: a cell lies beyond the bound (or is written another way)
        self.regular = True
        self.errors = False
        self.uncalculated: list[tuple[int, int]] = []
        self.cells = False     # the part has a sheetData element (calamine reads cells only there)
        self._carry = b""

    @property
    def done(self) -> bool:
        return self.beyond or not self.regular

    def feed(self, piece: bytes) -> None:
        text = self._carry + piece
        if not self.cells:
            at = text.find(b"sheetData")
            if at < 0:
                self._carry = text[-16:]
                return
            self.cells, text = True, text[at:]
        cut = text.rfind(b"<c ")   # a cell cut in two waits for its end
        cut = max(cut, text.rfind(b"<c>", cut + 1))   # (only a later `<c>` matters: no search of it all)
        if cut < 0 or len(text) - cut > _CARRY_CAP:
            cut = text.rfind(b"<")
        if cut < 0:
            cut = len(text)
        self._carry = text[cut:]
        self._look(text[:cut])

    def close(self) -> None:
        if self.cells:
            self._look(self._carry)
        self._carry = b""

    def _look(self, text: bytes) -> None:
        if self.done:
            return
        if not self.errors and b't="e"' in text:
            self.errors = True
        if b":c" in text and _PREFIXED_CELL.search(text):
            self.beyond = self.bounded
            self.regular = self.bounded   # bounded: the exact pass decides
            return
        if not self.bounded:
            self._reach(_VALUED_CELL.findall(text, 0, _HEAD))   # the header row gives the width
            self._reach(self._last_cell(text))
        at = 0
        while True:
            hit = _unusual(self.rows, self.columns).search(text, at)
            if hit is None:
                break
            ref = _CELL_REF.match(text, hit.start())
            if self.bounded or ref is None or not _WELL_FORMED.match(text, hit.start()):
                self.beyond = self.bounded
                self.regular = self.bounded   # bounded: the exact pass decides
                return
            self._reach([ref.groups()])
            at = hit.end()
        if b"<f" in text:
            for m in _UNCALCULATED.finditer(text):
                attrs = m.group(3)
                if b't="e"' in attrs or (b't="str"' in attrs and m.group("v")):
                    continue   # an error result, or a formula whose result is empty text
                self.uncalculated.append((int(m.group(2)) - 1, _column_number(m.group(1)) - 1))

    def _reach(self, refs: list[tuple[bytes, bytes]]) -> None:
        if refs:
            letters, rows = zip(*refs)
            self.columns = max(self.columns, *map(_column_number, set(letters)))
            self.rows = max(self.rows, *map(int, rows))

    @staticmethod
    def _last_cell(text: bytes) -> list[tuple[bytes, bytes]]:
        """The reference of the piece's last cell with content: in a real file the lowest row."""
        end = len(text)
        while True:
            at = text.rfind(b'<c r="', 0, end)
            if at < 0:
                return []
            found = _VALUED_CELL.match(text, at)
            if found:
                return [found.groups()]
            end = at


def _feed(scan: _SheetScan, pieces: Iterator[bytes]) -> _SheetScan:
    """`scan` over the pieces, up to where it has its answer (the part is unpacked to its end
    by the pass after, whatever that answer)."""
    for piece in pieces:
        scan.feed(piece)
        if scan.done:
            break
    scan.close()
    return scan


def _exact_extent(pieces: Iterator[bytes]) -> tuple[int, int]:
    """(rows, columns) reached by cells with content, every cell placed as calamine's cell reader
    places it: a cell's `r` (letters in either case), else the row's current row and the next
    column; a row's `r` sets the current row, its end moves to the next one."""
    row = col = rows = columns = 0
    carry = b""
    for piece in pieces:
        text = carry + piece
        cut = text.rfind(b"<")
        carry, text = (text[cut:], text[:cut]) if cut >= 0 else (b"", text)
        for closing, tag, attrs, empty in _TAG.findall(text):
            ref = _R_ATTR.search(attrs)
            at = _reference(ref.group(1) or ref.group(2)) if ref else None
            if tag == b"row":
                if not closing and at is not None:
                    row = at[0]
                if closing or empty:
                    row, col = row + 1, 0
                continue
            if closing:
                continue
            r, c = (at[0], at[1] if at[1] is not None else col) if at else (row, col)
            col = c + 1
            if not empty:
                rows, columns = max(rows, r + 1), max(columns, c + 1)
    return rows, columns


def _reference(ref: bytes) -> tuple[int, int | None] | None:
    """`B7` → (6, 1), as calamine reads a reference (either case; a row alone has no column)."""
    found = _A1.fullmatch(ref)
    if not found or not found.group(2):
        return None
    letters, digits = found.groups()
    row = int(digits) if len(digits) <= 12 else 10 ** 12   # past any sheet, however many digits
    return row - 1, (_column_number(letters[:12].upper()) - 1 if letters else None)


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml"))


def _scan_ooxml(data: bytes, parts: list[_Part], by_name: dict[str, _Part], sniffed: Sniffed,
                limits: LimitSettings) -> None:
    """The parts calamine reads, unpacked once (their real size checked): the package and
    workbook relationships, the workbook, the shared strings and styles, and each sheet, wherever
    the workbook's relationships point (`_sheet_parts`); each sheet's extent judged against the
    limits. When the workbook's sheets cannot be told for sure, every XML part is taken for a
    possible sheet. (.xlsb: `_scan_xlsb`.)"""
    if sniffed.kind == "xlsb":
        _scan_xlsb(data, parts, by_name, sniffed, limits)
        return
    read: set[str] = set()   # parts unpacked (and so checked) on the way
    kept: dict[str, bytes] = {}   # and what they unpacked to, for calamine (`_stored_copy`)
    sheets = _sheet_parts(data, parts, by_name, read, kept)
    wanted = None if sheets is None else _CALAMINE_KEYS | {name.lower() for name in sheets}
    bound = bounds(limits)
    cells = 0
    for part in parts:
        if part.name.endswith("/") or (wanted is not None and part.key not in wanted) \
                or (part.name in read and part.name not in (sheets or ())):
            continue
        if part.size > limits.max_cell_chars:
            sniffed.long_parts = True
        if not _is_xml(part.name):
            for _ in _inflate(data, part):
                pass
            continue
        # A large part is most likely a large sheet: it is measured at once.
        scan = _SheetScan(bound if part.size < _LARGE_PART else None)
        if part.size < _OUT_CHUNK:
            text = _whole_xml(data, part, kept)
            if b"sheetData" not in text:
                continue
            scan.feed(text)
            scan.close()
        else:
            _feed(scan, _pieces(data, part))
        if not scan.cells:
            continue
        if scan.bounded and not scan.beyond:
            rows, columns = 0, 0   # within the bound: calamine's block is small; its cells are added up after
        else:
            if scan.bounded:   # a large sheet (or an odd one): how far it reaches, exactly
                scan = _feed(_SheetScan(), _pieces(data, part))
            rows, columns = (scan.rows, scan.columns) if scan.regular else _exact_extent(_pieces(data, part))
        name = (sheets or {}).get(part.name, part.name)
        cells += rows * columns   # sheets beyond the bound only: the others are added up after (sheets._read_grids)
        refused = extent_refusal(name, rows, columns, limits) or cells_refusal(cells, limits)
        if refused:
            raise _Refused(refused)
        sniffed.error_cells = sniffed.error_cells or scan.errors
        if scan.uncalculated and sheets and part.name in sheets:
            sniffed.uncalculated.setdefault(name, []).extend(scan.uncalculated)
    if sheets is not None and kept and len(data) <= _OUT_CHUNK:   # a larger file: mostly a sheet too large to keep
        sniffed.stored = _stored_copy(data, parts, kept)


# The fields of a zip's records a copy writes ([APPNOTE] 4.3.7, 4.3.12, 4.3.16): flags and method;
# CRC-32 and sizes; one size or offset; the end record (signature, disks, entries on this disk
# and in all, directory size and offset, comment length).
_FLAGS_METHOD = struct.Struct("<HH")
_CRC_SIZES = struct.Struct("<III")
_WORD = struct.Struct("<I")
_END_RECORD = struct.Struct("<4sHHHHIIH")
# Flags a copy keeps the meaning of: deflate options (1, 2), data descriptor (3), UTF-8 names (11).
_PLAIN_FLAGS = 0x0002 | 0x0004 | 0x0008 | 0x0800


def _stored_copy(data: bytes, parts: list[_Part], kept: dict[str, bytes]) -> bytes | None:
    """The zip again, the parts in `kept` stored as they unpacked: calamine, given this, reads
    the same bytes it would unpack from the file, without unpacking them again (it reads each
    sheet twice: unpacking was a quarter of its time).

    The file is kept as it is up to its end record; the kept parts are written after it, stored,
    and a new directory (the old one, the kept parts' entries pointing at their new place) and
    end record after them. Every other part is where it was, its bytes untouched: calamine's zip
    reader finds it as in the file. Only for a zip laid out the plain way, where that reader and
    this look find the directory and each kept part alike, and nothing could make it decide
    otherwise than on the copy: the directory read by `_short_directory` right before an end
    record that ends the file, its entries one after the other (so none has an extra field or a
    comment), no zip64 record; every kept part with only the plain flags, one whole deflate stream
    whose CRC-32 is the one the directory gives (`_unpack_whole`). Anything else: None, and
    calamine reads the file itself."""
    end = len(data) - _END_RECORD.size
    if end < 20:
        return None
    signature, disk, first_disk, here, count, directory_size, directory, comment = _END_RECORD.unpack_from(data, end)
    if signature != b"PK\x05\x06" or disk or first_disk or here != count or count != len(parts) or comment \
            or directory + directory_size != end or data.startswith(b"PK\x06\x07", end - 20):
        return None
    central = bytearray(data[directory:end])
    pieces: list = [memoryview(data)[:end]]
    at, written = directory, end   # where in the file's directory, and in the copy
    for part in parts:
        if part.entry != at:
            return None
        at += 46 + len(part.raw_name)
        text = kept.get(part.name)
        if text is None:
            continue
        crc, = _WORD.unpack_from(data, part.entry + 16)
        if part.flags & ~_PLAIN_FLAGS or zlib.crc32(text) != crc:
            return None
        flags = part.flags & ~0x0008   # the sizes are in the local header: no data descriptor
        local = bytearray(data[part.offset:part.offset + 30])   # its version and time, as the file has them
        _FLAGS_METHOD.pack_into(local, 6, flags, zipfile.ZIP_STORED)
        _CRC_SIZES.pack_into(local, 14, crc, len(text), len(text))
        local[28:30] = b"\0\0"   # no extra field
        pieces += (local, part.raw_name, text)
        entry = part.entry - directory
        _FLAGS_METHOD.pack_into(central, entry + 8, flags, zipfile.ZIP_STORED)
        _WORD.pack_into(central, entry + 20, len(text))
        _WORD.pack_into(central, entry + 42, written)
        written += 30 + len(part.raw_name) + len(text)
    if at != end or written + len(central) > 0xFFFFFFFF:
        return None
    pieces += (central, _END_RECORD.pack(b"PK\x05\x06", 0, 0, count, count, len(central), written, 0))
    copy = b"".join(pieces)
    # The end record found from the end, and no zip64 locator before it, as in the file.
    if copy.rfind(b"PK\x05\x06", max(0, len(copy) - 65_557)) != len(copy) - 22 \
            or copy.startswith(b"PK\x06\x07", len(copy) - 42):
        return None
    return copy


# What calamine reads of an .xlsx besides its sheets (below `xl/`, the usual place).
_CALAMINE_PARTS = frozenset({"_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml",
                             "xl/styles.xml"})
_CALAMINE_KEYS = frozenset(name.lower() for name in _CALAMINE_PARTS)
_SHEET_TAG = re.compile(rb"<(?:[\w.-]+:)?sheet\s([^>]*)>")
_ANY_SHEET_TAG = re.compile(rb"<(?:[\w.-]+:)?sheet\b")
_RELATIONSHIP_TAG = re.compile(rb"<(?:[\w.-]+:)?Relationship\s([^>]*)>")
_ATTRIBUTE = re.compile(rb"""([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _attributes(text: bytes) -> dict[str, str]:
    """A tag's attributes by local name (`r:id` → `id`), entities resolved."""
    found = {}
    for name, double, single in _ATTRIBUTE.findall(text):
        value = (double or single).decode("utf-8", "replace")
        found[name.rsplit(b":", 1)[-1].decode("ascii", "replace")] = html.unescape(value) if "&" in value else value
    return found


def _read_xml(data: bytes, part: _Part, read: set[str], kept: dict[str, bytes] | None = None) -> bytes:
    read.add(part.name)
    return _whole_xml(data, part, kept) if part.size < _OUT_CHUNK else b"".join(_pieces(data, part))


def _relationships(text: bytes) -> list[dict[str, str]]:
    return [_attributes(tag) for tag in _RELATIONSHIP_TAG.findall(text)]


# The workbook parts read here are the same bytes in every file made from one template: parts up
# to this size are read once a run (`_once`), the rest each time.
_SMALL_XML = 64 * 1024


def _once(read: Callable, text: bytes):
    """`read(text)`, from its cache for a small part; a large one is read without keeping it."""
    return read(text) if len(text) <= _SMALL_XML else read.__wrapped__(text)


@functools.lru_cache(maxsize=64)
def _workbook_documents(package_xml: bytes) -> tuple[str, ...]:
    """The targets of the package's officeDocument relationships (`_rels/.rels`)."""
    return tuple(r.get("Target", "") for r in _relationships(package_xml)
                 if r.get("Type", "").endswith("/relationships/officeDocument"))


@functools.lru_cache(maxsize=64)
def _sheet_targets(rels_xml: bytes) -> dict[str, str]:
    """Relationship id → target, of the workbook's relationships (read only, shared by the files)."""
    return {r.get("Id"): r.get("Target", "") for r in _relationships(rels_xml)}


@functools.lru_cache(maxsize=64)
def _book_sheets(book_xml: bytes) -> tuple[tuple[str | None, str], ...] | None:
    """(relationship id, name) of each sheet `workbook.xml` lists; None when a sheet tag is one
    the quick reading does not take."""
    tags = _SHEET_TAG.findall(book_xml)
    if len(tags) != len(_ANY_SHEET_TAG.findall(book_xml)):
        return None
    return tuple((sheet.get("id"), sheet.get("name", "")) for sheet in map(_attributes, tags))


def _sheet_parts(data: bytes, parts: list[_Part], by_name: dict[str, _Part], read: set[str],
                 kept: dict[str, bytes] | None = None) -> dict[str, str] | None:
    """Sheet part → sheet name, as calamine finds them: the package's relationships name the
    workbook's folder (`xl/`); its `workbook.xml` lists the sheets, its `_rels/workbook.xml.rels`
    where each one is (under the folder unless the target starts with `/`); names are looked up
    in any case. None unless the layout is the usual one and every sheet is found as named (a part
    missing, two parts one name in any case, a sheet whose relationship or part is not found, a
    tag the quick reading does not take): then every XML part is looked at. Each part is unpacked
    and checked for every file; what its text says is worked out once for the same text."""
    if len({part.key for part in parts}) != len(parts):
        return None
    package, book, rels = (by_name.get(name) for name in ("_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"))
    if package is None or book is None or rels is None:
        return None
    documents = _once(_workbook_documents, _read_xml(data, package, read, kept))
    if len(documents) != 1 or documents[0].lstrip("/") != "xl/workbook.xml":
        return None
    targets = _once(_sheet_targets, _read_xml(data, rels, read, kept))
    sheets = _once(_book_sheets, _read_xml(data, book, read, kept))
    if sheets is None:
        return None   # a sheet tag the quick reading missed
    found = {}
    for sheet_id, name in sheets:
        target = targets.get(sheet_id)
        path = None if not target else target[1:] if target.startswith("/") else "xl/" + target
        if path not in by_name:
            return None
        found[path] = name
    if len(found) != len(sheets):
        return None   # two sheets on one part
    return found


# ---------- .xlsb: binary records ----------

def _scan_xlsb(data: bytes, parts: list[_Part], by_name: dict[str, _Part], sniffed: Sniffed,
               limits: LimitSettings) -> None:
    """Every part unpacked once (its size checked); the sheets — the targets of
    `xl/_rels/workbook.bin.rels` and the parts under `xl/worksheets/`, as calamine would find
    them — measured record by record ([MS-XLSB] 2.1.4: BrtRowHdr gives the row, each cell record
    its column)."""
    rels = by_name.get("xl/_rels/workbook.bin.rels")
    targets = {r.get("Target", "") for r in _relationships(b"".join(_pieces(data, rels)))} if rels else set()
    sheets = {(t[1:] if t.startswith("/") else "xl/" + t).lower() for t in targets if t}
    cells = 0
    for part in parts:
        if part.name.endswith("/"):
            continue
        if part.size > limits.max_cell_chars:
            sniffed.long_parts = True
        pieces = (_pieces if _is_xml(part.name) else _inflate)(data, part)
        if not (part.key in sheets or part.key.startswith("xl/worksheets/")) or not part.key.endswith(".bin"):
            for _ in pieces:
                pass
            continue
        rows, columns = _xlsb_extent(pieces)
        cells += rows * columns
        refused = extent_refusal(part.name, rows, columns, limits) or cells_refusal(cells, limits)
        if refused:
            raise _Refused(refused)


_XLSB_CELLS = range(0x0002, 0x000C)   # BrtCellRk … BrtFmlaError: the records calamine reads as values
_XLSB_ROW, _XLSB_END = 0x0000, 0x0092  # BrtRowHdr, BrtEndSheetData


def _xlsb_extent(pieces: Iterator[bytes]) -> tuple[int, int]:
    """(rows, columns) a binary sheet's cell records reach, read as calamine reads them: a record
    is its type (1–2 bytes of 7 bits), its size (1–4 bytes of 7 bits) and its data; a row header
    sets the row (past row 1,048,576 calamine stops), a cell record's first 4 bytes are its column.
    The part is unpacked to its end whatever the records say (its size is checked there)."""
    buffer = bytearray()
    row = rows = columns = 0
    reading = True
    for piece in pieces:
        if not reading:
            continue
        buffer += piece
        at, end = 0, len(buffer)
        while reading:
            head = at
            if head >= end:
                break
            typ = buffer[head] & 0x7F
            head += 1
            if buffer[head - 1] & 0x80:
                if head >= end:
                    break
                typ += (buffer[head] & 0x7F) << 7
                head += 1
            size, shift, complete = 0, 0, False
            for _ in range(4):
                if head >= end:
                    break
                byte = buffer[head]
                head += 1
                size += (byte & 0x7F) << shift
                shift += 7
                if not byte & 0x80:
                    complete = True
                    break
            else:
                complete = True
            if not complete or head + size > end:
                break   # the record goes on in the next piece
            if typ == _XLSB_ROW and size >= 4:
                row = int.from_bytes(buffer[head:head + 4], "little")
                reading = row <= 0x100000
            elif typ in _XLSB_CELLS and size >= 4:
                column = int.from_bytes(buffer[head:head + 4], "little")
                rows, columns = max(rows, row + 1), max(columns, column + 1)
            elif typ == _XLSB_END:
                reading = False
            at = head + size
        del buffer[:at]
    return rows, columns


# ---------- .ods: content.xml ----------

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_ODS_CELLS = (_TABLE + "table-cell", _TABLE + "covered-table-cell")


class _PieceReader(io.RawIOBase):
    """A part's unpacked pieces as a file, for a streaming XML parser."""

    def __init__(self, pieces: Iterator[bytes]):
        self._pieces = pieces
        self._piece = b""
        self._at = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while self._at >= len(self._piece):
            self._piece = next(self._pieces, b"")
            self._at = 0
            if not self._piece:
                return 0
        n = min(len(buffer), len(self._piece) - self._at)
        buffer[:n] = self._piece[self._at:self._at + n]
        self._at += n
        return n


def _scan_ods(data: bytes, parts: list[_Part], sniffed: Sniffed, limits: LimitSettings) -> None:
    """Every part unpacked once (its size checked, no DOCTYPE in XML); `content.xml` read as a
    stream with defusedxml: each table's extent, counting repeated rows and columns as calamine
    expands them, error cells, and formulas without a value."""
    content = None
    for part in parts:
        if part.name.endswith("/"):
            continue
        if part.name == "content.xml":
            content = part
            if part.size > limits.max_cell_chars:
                sniffed.long_parts = True
            continue
        for _ in (_pieces if _is_xml(part.name) else _inflate)(data, part):
            pass
    if content is None:
        raise _Refused(_refuse("FILE_UNREADABLE", detail="tệp .ods thiếu phần content.xml chứa các trang tính"))
    try:
        _ods_tables(SafeTree.iterparse(io.BufferedReader(_PieceReader(_pieces(data, content)), 1 << 16),
                                       events=("start", "end"), forbid_dtd=True), sniffed, limits)
    except DefusedXmlException:
        raise _suspicious("phần \"content.xml\" khai báo thực thể XML bằng DOCTYPE") from None
    except (ParseError, ValueError):
        raise _Refused(_refuse("FILE_UNREADABLE", detail="phần content.xml của tệp .ods bị hỏng")) from None


def _ods_tables(events, sniffed: Sniffed, limits: LimitSettings) -> None:
    cells = 0
    table = None
    stack: list = []
    r = c = rows = columns = row_reach = 0
    for event, elem in events:
        if event == "start":
            stack.append(elem)
            if elem.tag == _TABLE + "table":
                table, r, rows, columns = elem.get(_TABLE + "name", ""), 0, 0, 0
            elif elem.tag == _TABLE + "table-row":
                c = row_reach = 0
            continue
        stack.pop()
        parent = stack[-1] if stack else None
        if elem.tag in _ODS_CELLS and parent is not None and parent.tag == _TABLE + "table-row":
            span = int(elem.get(_TABLE + "number-columns-repeated", "1"))
            typed = elem.get(_OFFICE + "value-type")
            if typed is not None or len(elem):
                row_reach = c + span
            if elem.get(_CALCEXT + "value-type") == "error":
                sniffed.error_cells = True
            if elem.get(_TABLE + "formula") is not None and typed is None and len(sniffed.uncalculated.get(table, ())) < 1000:
                sniffed.uncalculated.setdefault(table, []).append((r, c))
            c += span
            elem.clear()
            parent.remove(elem)   # nothing read is kept: a row of a million cells costs nothing
        elif elem.tag == _TABLE + "table-row":
            repeat = int(elem.get(_TABLE + "number-rows-repeated", "1"))
            if row_reach:
                rows, columns = r + repeat, max(columns, row_reach)
            r += repeat
            elem.clear()
            if parent is not None:
                parent.remove(elem)
        elif elem.tag == _TABLE + "table":
            cells += rows * columns
            refused = extent_refusal(table, rows, columns, limits) or cells_refusal(cells, limits)
            if refused:
                raise _Refused(refused)
            elem.clear()
