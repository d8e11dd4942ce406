"""Make `mat-khau.xlsx`: a roster saved with a password (Excel's "Encrypt with password").

Needs msoffcrypto-tool (`pip install msoffcrypto-tool openpyxl`), only to remake the file;
the tests read the committed file and need nothing extra.
"""

import io
from pathlib import Path

import openpyxl
from msoffcrypto.format.ooxml import OOXMLFile

wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Đảng viên"
ws.append(["Họ và tên", "Ngày sinh"])
ws.append(["Nguyễn Văn An", "01/02/1990"])
plain = io.BytesIO()
wb.save(plain)
plain.seek(0)
with open(Path(__file__).with_name("mat-khau.xlsx"), "wb") as out:
    OOXMLFile(plain).encrypt("matkhau", out)
