"""A cell's feedback report as a PDF (Jinja2 → HTML → WeasyPrint), from its plain `view` dict
(`pipeline.feedback.views.unit_view`), never from the Report, so one cell's package can be
rendered in another process. The sentences live in `templates/feedback.html.j2`.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.files import atomic_path
from pipeline.render.pdf import environment, write_pdf

TEMPLATE = "feedback.html.j2"


def render_feedback_html(view: dict) -> str:
    """The unit's feedback report as an HTML document (links print.css and the fonts relatively)."""
    return environment().get_template(TEMPLATE).render(**view)


def write_feedback_pdf(view: dict, path: Path) -> Path:
    """Render the unit's feedback report to `path` as PDF (written atomically); returns the path."""
    html = render_feedback_html(view)
    with atomic_path(Path(path)) as tmp:
        write_pdf(html, tmp, shared_fonts=True)
    return Path(path)
