"""HTML → PDF for every document: one Jinja environment over the package's templates, and
WeasyPrint, loaded once per process.

Every roster value reaches HTML through Jinja's autoescaping (StrictUndefined: a name the
template uses and the context lacks is an error, not an empty gap), so a name written as markup
prints as the text it is. WeasyPrint loads resources only through `template_asset`: the shipped
stylesheet and fonts, and the chart's SVG data URI; any other URL (a file elsewhere, the
network, another data: URI) is refused and the document is laid out without it.

The PDFs are PDF/A-3b (tagged as well) and reproducible: the same HTML and date give the same
bytes, with the report's date as their creation date and an identifier made from the HTML.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import importlib
import threading
import hashlib
import logging
from multiprocessing import util
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from pipeline.render import vn
from pipeline.resources import TEMPLATES_DIR

BASE_URL = str(TEMPLATES_DIR) + "/"   # print.css and the fonts are linked relative to the templates

# Archival PDF (ISO 19005-3, level B: the pages look the same wherever they are opened), with the
# document's structure tagged too (headings, paragraphs, tables) for screen readers.
PDF_OPTIONS = {"pdf_variant": "pdf/a-3b", "pdf_tags": True}
# What a document may load from the templates folder, by suffix, with the media type it is
# served as (WeasyPrint takes a stylesheet only as text/css).
ASSET_TYPES = {".css": "text/css", ".ttf": "font/ttf"}
# The data: URIs the project makes itself: the committee report's chart (committee.chart_data_uri).
DATA_URI_TYPES = ("image/svg+xml",)


@functools.cache
def environment():
    """One Jinja environment per process, with the Vietnamese filters (shared by every document)."""
    return _make_environment()


def _make_environment():
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.do"],
    )
    vn.register_filters(env)
    return env


class ResourceRefused(ValueError):
    """A document asked for a resource that is not one of the project's own."""


def template_asset(url: str) -> tuple[bytes, str]:
    """The bytes and media type of a resource a document may load: a file inside the templates
    folder whose suffix ASSET_TYPES lists, or a base64 data: URI of a DATA_URI_TYPES type.
    Anything else raises ResourceRefused, before anything is opened or decoded."""
    if url.startswith("data:"):
        head, comma, payload = url[5:].partition(",")
        media_type, *params = head.split(";")
        if not comma or media_type.strip().lower() not in DATA_URI_TYPES or params != ["base64"]:
            raise ResourceRefused(f"data: URI of another kind ({head[:40]!r})")
        try:
            return base64.b64decode(payload, validate=True), media_type.strip().lower()
        except (binascii.Error, ValueError) as exc:
            raise ResourceRefused("data: URI that is not base64") from exc
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        raise ResourceRefused(f"not a file of the templates folder: {url[:80]!r}")
    path = Path(url2pathname(parts.path)).resolve()
    media_type = ASSET_TYPES.get(path.suffix.lower())
    if media_type is None or not path.is_relative_to(_templates_root()) or not path.is_file():
        raise ResourceRefused(f"not a file of the templates folder: {url[:80]!r}")
    return path.read_bytes(), media_type


@functools.cache
def _templates_root() -> Path:
    return TEMPLATES_DIR.resolve()


class _RefusalsUnlogged(logging.Filter):
    """Drops WeasyPrint's report of a resource it could not load when the reason is our refusal:
    refusing is the intended outcome, not a fault to print to the user's terminal."""

    def filter(self, record: logging.LogRecord) -> bool:
        causes = [a for a in record.args if isinstance(a, BaseException)] if isinstance(record.args, tuple) else []
        if record.exc_info and record.exc_info[1] is not None:
            causes.append(record.exc_info[1])
        return not any(_refused(exc) for exc in causes)


def _refused(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 10:  # WeasyPrint wraps the fetcher's error in its own
        if isinstance(exc, ResourceRefused):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


@functools.cache
def _weasyprint():
    """(HTML, the process's one URL fetcher), imported when the first PDF is made, not at
    start-up: WeasyPrint takes a second to import."""
    from weasyprint import HTML
    from weasyprint.logger import LOGGER
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetFetcher(URLFetcher):
        """WeasyPrint's fetcher with one source: template_asset (never the network or urllib)."""

        def fetch(self, url, headers=None):
            data, media_type = template_asset(url)
            return URLFetcherResponse(url, data, {"Content-Type": media_type})

    LOGGER.addFilter(_RefusalsUnlogged())
    return HTML, AssetFetcher()


def preload() -> threading.Thread:
    """Import WeasyPrint and matplotlib (a second or so) on a thread while the run does something
    else that waits more than it computes: reading the inbox on its workers. Join the thread
    before forking (an import holds a lock a forked child would inherit)."""
    def load() -> None:
        _weasyprint()
        importlib.import_module("matplotlib.figure")
        importlib.import_module("matplotlib.backends.backend_svg")

    thread = threading.Thread(target=load, name="import-renderers", daemon=True)
    thread.start()
    return thread


@functools.cache
def shared_font_config():
    """One WeasyPrint font configuration for every feedback PDF this process renders.

    By default WeasyPrint makes one per document: it reloads the system's fontconfig each time
    and never gives that memory back (about 0.25 MB a document, so some 900 MB in each of two
    workers at 7,100 cells), and copies the @font-face fonts (1.5 MB) to a temporary folder that
    only garbage collection removes. Shared, the fonts are loaded once and memory stays flat.
    The folder is removed when the process ends: a pool worker ends with os._exit, which collects
    nothing, but runs multiprocessing's finalizers first (so does a normal exit).
    """
    from weasyprint.text.fonts import FontConfiguration  # as _weasyprint: at the first PDF

    config = FontConfiguration()
    util.Finalize(config, config.__del__, exitpriority=0)
    return config


def write_pdf(html: str, path: Path, *, issued: dt.date, shared_fonts: bool = False) -> None:
    """Lay out `html` and write it to `path` as PDF/A-3b. `issued`: the document's date, written
    as its creation and modification date (never the clock), so the same `html` and date give
    the same bytes; its identifier is a digest of both. `shared_fonts`: use this process's one
    font configuration (for the many feedback PDFs of a worker) instead of one per document."""
    weasy_html, fetcher = _weasyprint()
    font_config = shared_font_config() if shared_fonts else None
    document = weasy_html(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
        font_config=font_config, **PDF_OPTIONS)
    stamp = issued.isoformat()
    document.metadata.created = document.metadata.modified = stamp
    identifier = hashlib.sha256(f"{PDF_OPTIONS['pdf_variant']}\n{stamp}\n{html}".encode()).hexdigest()[:32]
    document.write_pdf(path, pdf_identifier=identifier.encode("ascii"), **PDF_OPTIONS)
