"""Where the package's own files are: the Jinja templates, the print CSS and the fonts.

In an installed wheel they are package data, `pipeline/templates/` (pyproject.toml maps the
repository's top-level `templates/` there); in a source checkout (an editable install, or
`python -m pipeline` from the repository) they are that top-level folder itself.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _templates_dir() -> Path:
    installed = _PACKAGE / "templates"
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / "templates"


TEMPLATES_DIR = _templates_dir()
PACKAGE_DIR = _PACKAGE
