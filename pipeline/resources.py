"""Where the package's own files are: the Jinja templates, the print CSS and the fonts.

In an installed wheel they are package data, `pipeline/templates/` (pyproject.toml maps the
repository's top-level `templates/` there); in a source checkout (an editable install, or
`python -m pipeline` from the repository) they are that top-level folder itself.
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _templates_dir() -> Path:
    installed = _PACKAGE / "templates"
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / "templates"


TEMPLATES_DIR = _templates_dir()
PACKAGE_DIR = _PACKAGE


def program_digest(header: str, files: list[tuple[str, Path]] = (), libraries: tuple[str, ...] = ()) -> str:
    """sha256 of what a cached result was made by: `header` (a version, a format), every source
    file of the package (so a change made without a version bump counts), `files` (label, path:
    templates, fonts) and the installed versions of `libraries`."""
    digest = hashlib.sha256(header.encode())
    sources = [(f"pipeline/{p.relative_to(PACKAGE_DIR).as_posix()}", p) for p in PACKAGE_DIR.rglob("*.py")]
    for label, path in sorted([*sources, *files]):
        digest.update(label.encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name in libraries:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name} {version}\n".encode())
    return digest.hexdigest()
