"""A cell's feedback report as a PDF (Jinja2 → HTML → WeasyPrint), from its plain `view` dict
(`pipeline.feedback.views.unit_view`), never from the Report, so one cell's package can be
rendered in another process. The sentences live in `templates/feedback.html.j2`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline.files import atomic_path
from pipeline.render.pdf import environment, write_pdf

TEMPLATE = "feedback.html.j2"


def render_feedback_html(view: dict) -> str:
    """The unit's feedback report as an HTML document (links print.css and the fonts relatively)."""
    return environment().get_template(TEMPLATE).render(**view)


def write_feedback_pdf(view: dict, path: Path) -> Path:
    """Render the unit's feedback report to `path` as PDF (written atomically), dated the report's
    date as the view shows it (`27/10/2022`); returns the path."""
    html = render_feedback_html(view)
    issued = dt.datetime.strptime(view["report_date"], "%d/%m/%Y").date()
    with atomic_path(Path(path)) as tmp:
        write_pdf(html, tmp, issued=issued, shared_fonts=True)
    return Path(path)
