"""The PDFs against hostile text, and as records: markup in a name prints as the text it is and
loads nothing; WeasyPrint loads only the project's own stylesheet, fonts and chart; the same
inputs give the same bytes; every PDF is PDF/A-3b with every font embedded.

The inbox (quý III năm 2022, report dated 27/10/2022): two chi bộ whose names in the register are
markup, and in CB-A's roster a member admitted in the quarter whose name and "Dân tộc" are markup.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import pytest
from pypdf import PdfReader

from builders import SMALL_REGISTER, member, sample_config, write_register, write_roster
from pdfcheck import fonts, page_texts
from pipeline.app import make_report
from pipeline.render import pdf
from pipeline.resources import TEMPLATES_DIR

IMG = '<img src="file:///etc/passwd">'
LINK = '<link rel=stylesheet href="http://example.invalid/x.css">'
REGISTER = [[code, {"CB-A": f"Chi bộ {IMG}", "CB-B": f"Chi bộ {LINK}"}.get(code, name), *rest]
            for code, name, *rest in SMALL_REGISTER]
HOSTILE_MEMBER = f"Trần Thị {IMG} Bình"
REPORT_DATE = dt.date(2022, 10, 27)
COMMITTEE_PDF = "bao-cao-phat-trien-dang-vien-2022-Q3.pdf"
FEEDBACK_PDF = Path("units") / "CB-A" / "phan-hoi-CB-A-2022-Q3.pdf"
TEMPLATES = TEMPLATES_DIR.resolve().as_uri() + "/"
# What print.css brings in: itself and the four faces of the shipped font.
PRINT_ASSETS = {TEMPLATES + name for name in (
    "print.css", "fonts/LiberationSerif-Regular.ttf", "fonts/LiberationSerif-Bold.ttf",
    "fonts/LiberationSerif-Italic.ttf", "fonts/LiberationSerif-BoldItalic.ttf")}


def _squeezed(text: str) -> str:
    """Text without whitespace: a long name may wrap anywhere in a table cell."""
    return "".join(text.split())


class AssetSpy:
    """Stands in for pdf.template_asset and remembers every URL asked and what became of it."""

    def __init__(self):
        self.asked: list[tuple[str, str]] = []   # (url, "served" or "refused")
        self._real = pdf.template_asset

    def __call__(self, url: str):
        try:
            found = self._real(url)
        except pdf.ResourceRefused:
            self.asked.append((url, "refused"))
            raise
        self.asked.append((url, "served"))
        return found


@pytest.fixture
def spy(monkeypatch):
    asset_spy = AssetSpy()
    monkeypatch.setattr(pdf, "template_asset", asset_spy)

    def no_urllib(*args, **kwargs):
        raise AssertionError(f"urllib was asked to open {args[1:]!r}")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_urllib)
    return asset_spy


def _make_inbox(root: Path) -> tuple[Path, Path]:
    units = write_register(root / "units.xlsx", REGISTER)
    inbox = root / "inbox"
    inbox.mkdir()
    write_roster(inbox / "CB-A_2022-Q3.xlsx", "CB-A", [
        member("Nguyễn Văn An", 1990, n=1),
        member(HOSTILE_MEMBER, 1996, "Nữ", n=2, admitted=dt.date(2022, 8, 1), official=None,
               **{"Dân tộc": LINK}),
    ])
    write_roster(inbox / "CB-B_2022-Q3.xlsx", "CB-B", [member("Vũ Văn Hải", 1987, n=5)])
    return inbox, units


def _run(inbox: Path, units: Path, out: Path):
    return make_report(inbox=inbox, units=units, quarter=3, out=out, config=sample_config(),
                       report_date=REPORT_DATE, workers=1, today=REPORT_DATE,
                       now=dt.datetime(2022, 10, 3, 9, 0))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The same inbox and configuration reported twice, into two output folders (the feedback
    packages are cached by their inputs: a fresh folder renders them again)."""
    root = tmp_path_factory.mktemp("pdf-safety")
    inbox, units = _make_inbox(root)
    return [_run(inbox, units, root / name).folder for name in ("first", "second")]


# --- untrusted text ------------------------------------------------------------------------------

def test_markup_in_names_and_values_prints_as_text_and_loads_only_the_projects_assets(tmp_path, spy):
    inbox, units = _make_inbox(tmp_path)
    folder = _run(inbox, units, tmp_path / "out").folder
    committee_text = _squeezed(" ".join(page_texts(PdfReader(folder / COMMITTEE_PDF))))
    feedback_text = _squeezed(" ".join(page_texts(PdfReader(folder / FEEDBACK_PDF))))
    for literal in (f"Chi bộ {IMG}", f"Chi bộ {LINK}", HOSTILE_MEMBER):   # table by unit, appendix 1
        assert _squeezed(literal) in committee_text
    assert _squeezed(f"năm 2022 của Chi bộ {IMG}") in feedback_text      # the notice's trích yếu
    assert _squeezed(f"Nơi nhận: - Chi bộ {IMG},") in feedback_text       # and its first recipient
    assert _squeezed(LINK) in feedback_text    # the "Dân tộc" value its issue quotes
    assert "root:" not in committee_text + feedback_text
    assert spy.asked and all(outcome == "served" for _, outcome in spy.asked)
    assert {url for url, _ in spy.asked if not url.startswith("data:")} == PRINT_ASSETS
    charts = [url for url, _ in spy.asked if url.startswith("data:")]
    assert len(charts) == 1 and charts[0].startswith("data:image/svg+xml;base64,")   # the committee's chart


HOSTILE_HTML = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Thử</title>
<link rel="stylesheet" href="print.css">
<link rel="stylesheet" href="http://example.invalid/x.css">
<style>@import url("file:///etc/hostname");</style>
</head><body><p>Văn bản vẫn in ra.</p>
<img src="file:///etc/passwd"><img src="../pyproject.toml"><img src="fonts/../../pyproject.toml">
<img src="https://example.invalid/a.png"><img src="data:image/png;base64,iVBORw0KGgo=">
<img src="data:text/html,<b>x</b>"><img src="committee.html.j2">
</body></html>"""
REFUSED = {"http://example.invalid/x.css", "file:///etc/hostname", "file:///etc/passwd",
           "https://example.invalid/a.png", "data:image/png;base64,iVBORw0KGgo="}


def test_any_other_resource_is_refused_without_being_opened_and_the_page_still_prints(tmp_path, spy):
    target = tmp_path / "x.pdf"
    pdf.write_pdf(HOSTILE_HTML, target, issued=REPORT_DATE)
    assert "Văn bản vẫn in ra." in page_texts(PdfReader(target))[0]
    refused = {url for url, outcome in spy.asked if outcome == "refused"}
    assert refused >= REFUSED
    assert any(url.endswith("/pyproject.toml") for url in refused)       # outside the templates folder
    assert any(url.endswith("/committee.html.j2") for url in refused)    # inside, but not an asset
    assert any(url.startswith("data:text/html") for url in refused)
    assert {url for url, outcome in spy.asked if outcome == "served"} == PRINT_ASSETS


def test_a_refused_resource_prints_nothing_on_the_terminal_even_with_logging_set_up(tmp_path):
    script = textwrap.dedent(f"""
        import datetime, logging, sys
        logging.basicConfig(level=logging.WARNING)   # a handler on the root logger, as an app might
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_pdf_safety import HOSTILE_HTML
        from pipeline.render.pdf import write_pdf
        write_pdf(HOSTILE_HTML, {str(tmp_path / "x.pdf")!r}, issued=datetime.date(2022, 10, 27))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (done.stdout, done.stderr) == ("", "")
    assert (tmp_path / "x.pdf").is_file()


# --- reproducible, archival ----------------------------------------------------------------------

@pytest.mark.parametrize("name", [COMMITTEE_PDF, FEEDBACK_PDF], ids=["committee", "feedback"])
def test_the_same_inputs_give_the_same_pdf_bytes(runs, name):
    first, second = (folder / name for folder in runs)
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("name", [COMMITTEE_PDF, FEEDBACK_PDF], ids=["committee", "feedback"])
def test_the_pdf_is_pdf_a_3b_dated_the_report_date_with_a_stable_identifier(runs, name):
    reader = PdfReader(runs[0] / name)
    xmp = reader.xmp_metadata.stream.get_data().decode("utf-8")
    assert re.search(r'pdfaid:part="3"', xmp) and re.search(r'pdfaid:conformance="B"', xmp)
    assert "<xmp:CreateDate>2022-10-27</xmp:CreateDate>" in xmp
    assert reader.metadata["/CreationDate"] == reader.metadata["/ModDate"] == "D:20221027"
    assert "/OutputIntents" in reader.trailer["/Root"]     # sRGB, as PDF/A asks
    assert "/StructTreeRoot" in reader.trailer["/Root"]    # tagged
    identifier = reader.trailer["/ID"]
    assert len(identifier) == 2 and identifier[0] == PdfReader(runs[1] / name).trailer["/ID"][0]


@pytest.mark.parametrize("name", [COMMITTEE_PDF, FEEDBACK_PDF], ids=["committee", "feedback"])
def test_every_font_is_embedded_and_is_the_shipped_liberation_serif(runs, name):
    found = fonts(PdfReader(runs[0] / name))
    assert found and all(found.values()), found
    assert all("Liberation-Serif" in font for font in found), found
