"""HTML → PDF for every document: one Jinja environment over the package's templates, and
WeasyPrint, loaded once per process.

Every roster value reaches HTML through Jinja's autoescaping (StrictUndefined: a name the
template uses and the context lacks is an error, not an empty gap).
"""

from __future__ import annotations

import functools
from multiprocessing import util
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from pipeline.render import vn
from pipeline.resources import TEMPLATES_DIR

BASE_URL = str(TEMPLATES_DIR) + "/"   # print.css and the fonts are linked relative to the templates


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


@functools.cache
def weasy_html():
    from weasyprint import HTML  # imported when the first PDF is made, not at start-up: it takes a second

    return HTML


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
    from weasyprint.text.fonts import FontConfiguration  # as weasy_html: at the first PDF

    config = FontConfiguration()
    util.Finalize(config, config.__del__, exitpriority=0)
    return config


def write_pdf(html: str, path: Path, *, shared_fonts: bool = False) -> None:
    """Lay out `html` and write the PDF to `path`. `shared_fonts`: use this process's one font
    configuration (for the many feedback PDFs of a worker) instead of one per document."""
    document = weasy_html()(string=html, base_url=BASE_URL)
    if shared_fonts:
        document.write_pdf(path, font_config=shared_font_config())
    else:
        document.write_pdf(path)
