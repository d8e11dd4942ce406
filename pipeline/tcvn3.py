"""Text typed in the legacy TCVN3 (ABC) encoding with the `.VnTime` fonts → Unicode.

Offices still type with the `.VnTime` font family: the file then holds Latin-1 look-alikes
(`NguyÔn V¨n An` for `Nguyễn Văn An`). The mapping is the public TCVN 5712:1993 (VN3) table.
Capitals typed with the `.VnTimeH` font use the lower-case code points; a word whose other
letters are capitals is given back in capitals.
"""

from __future__ import annotations

import re

# TCVN3 code point → Unicode letter.
_TABLE = {
    "µ": "à", "¶": "ả", "·": "ã", "¸": "á", "¹": "ạ",
    "¨": "ă", "»": "ằ", "¼": "ẳ", "½": "ẵ", "¾": "ắ", "Æ": "ặ",
    "©": "â", "Ç": "ầ", "È": "ẩ", "É": "ẫ", "Ê": "ấ", "Ë": "ậ",
    "®": "đ",
    "Ì": "è", "Î": "ẻ", "Ï": "ẽ", "Ð": "é", "Ñ": "ẹ",
    "ª": "ê", "Ò": "ề", "Ó": "ể", "Ô": "ễ", "Õ": "ế", "Ö": "ệ",
    "×": "ì", "Ø": "ỉ", "Ü": "ĩ", "Ý": "í", "Þ": "ị",
    "ß": "ò", "á": "ỏ", "â": "õ", "ã": "ó", "ä": "ọ",
    "«": "ô", "å": "ồ", "æ": "ổ", "ç": "ỗ", "è": "ố", "é": "ộ",
    "¬": "ơ", "ê": "ờ", "ë": "ở", "ì": "ỡ", "í": "ớ", "î": "ợ",
    "ï": "ù", "ñ": "ủ", "ò": "ũ", "ó": "ú", "ô": "ụ",
    "\xad": "ư", "õ": "ừ", "ö": "ử", "÷": "ữ", "ø": "ứ", "ù": "ự",
    "ú": "ỳ", "û": "ỷ", "ü": "ỹ", "ý": "ý", "þ": "ỵ",
    "¡": "Ă", "¢": "Â", "§": "Đ", "£": "Ê", "¤": "Ô", "¥": "Ơ", "¦": "Ư",
}
_TRANSLATE = str.maketrans(_TABLE)

# Characters that appear in TCVN3 text but never in Vietnamese written in Unicode.
ONLY_TCVN3 = set("µ¶·¸¹¨»¼½¾Æ©ÇË®§ªÎÏÐÑÖ×ØÞÜßäåæçëîïñö÷øûüþ«¬\xad¡¢£¤¥¦")
# Letters only Unicode Vietnamese has (outside Latin-1): their presence means the text is Unicode.
_UNICODE_VIET = re.compile(r"[\u0100-\u01b0\u1ea0-\u1ef9]")


LATIN1_ACCENTED = set(_TABLE) - ONLY_TCVN3


def looks_tcvn3(text: str) -> bool:
    """Surely TCVN3: it has a character Unicode Vietnamese never uses, and none only Unicode has."""
    return any(ch in ONLY_TCVN3 for ch in text) and not _UNICODE_VIET.search(text)


def maybe_tcvn3(text: str) -> bool:
    """Could be either (`Giíi tÝnh` is TCVN3 for `Giới tính`, `Lê` is Unicode): decided by the
    cell's font or the rest of the sheet."""
    return any(ch in LATIN1_ACCENTED for ch in text) and not _UNICODE_VIET.search(text) and not looks_tcvn3(text)


def has_unicode_vietnamese(text: str) -> bool:
    return bool(_UNICODE_VIET.search(text))


def to_unicode(text: str) -> str:
    converted = text.translate(_TRANSLATE)

    def case(match: re.Match) -> str:
        original, word = match.group(0), converted[match.start():match.end()]
        ascii_letters = [ch for ch in original if ch.isascii() and ch.isalpha()]
        if len(ascii_letters) >= 2 and all(ch.isupper() for ch in ascii_letters):
            return word.upper()
        return word

    return re.sub(r"\S+", case, text)
