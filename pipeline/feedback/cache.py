"""What a feedback package is made from (its key), and whether the package a previous run left
is still right for it. A package is re-rendered only when its key changes.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path

import pipeline
from pipeline.files import atomic_path
from pipeline.resources import PACKAGE_DIR, TEMPLATES_DIR

# Beside each package: the key of its inputs and the files made from them (JSON).
KEY_FILE = ".key"
# Bump when the key's recipe changes, so old keys stop matching.
KEY_FORMAT = 1

# The feedback PDF's template, its stylesheet and the fonts the stylesheet loads.
RENDER_TEMPLATES = ("feedback.html.j2", "print.css", "fonts")
# Libraries whose version can change the bytes of a PDF or a returned workbook.
RENDER_LIBRARIES = ("weasyprint", "pydyf", "fonttools", "openpyxl", "python-calamine", "jinja2")


def renderer_digest() -> str:
    """The program side of every package's key: the version, the feedback template, its CSS and
    fonts, the package's own source (so a change made without a version bump still re-renders)
    and the rendering libraries' versions."""
    digest = hashlib.sha256(f"pipeline {pipeline.__version__}\n".encode())
    sources = [(f"pipeline/{p.relative_to(PACKAGE_DIR).as_posix()}", p)
               for p in PACKAGE_DIR.rglob("*.py")]
    for name in RENDER_TEMPLATES:
        path = TEMPLATES_DIR / name
        found = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
        sources += [(f"templates/{p.relative_to(TEMPLATES_DIR).as_posix()}", p) for p in found]
    for label, path in sorted(sources):
        digest.update(label.encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name in RENDER_LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name} {version}\n".encode())
    return digest.hexdigest()


def package_key(view: dict, renderer: str) -> str:
    """sha256 of everything one package is made from: the bytes of each of the unit's submitted
    files, its view (its figures, its parent's and the committee's, its issues, the names and
    settings it shows) and the program (renderer_digest).

    Where a file was read from is left out (its bytes are in): moving the inbox re-renders
    nothing. A file's modification time is not in it either.
    """
    sources = {f["file"]: _file_digest(f["path"]) for f in view["files"] if f["path"]}
    content = {"format": KEY_FORMAT, "renderer": renderer, "sources": sources,
               "view": _without_paths(view)}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _file_digest(path: str) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:  # gone or unreadable since it was read: the package says so, keyed as such
        return "unreadable"
    return digest.hexdigest()


def _without_paths(value):
    if isinstance(value, dict):
        return {k: _without_paths(v) for k, v in value.items() if k != "path"}
    if isinstance(value, list):
        return [_without_paths(v) for v in value]
    return value


def kept_package(out_dir: Path, key: str) -> list[Path] | None:
    """The package's files if `out_dir` holds one made from `key` and each file is still the size
    it was written at (a returned workbook opened and saved by hand is made again); else None."""
    try:
        stored = json.loads((out_dir / KEY_FILE).read_text(encoding="utf-8"))
        if stored["key"] != key:
            return None
        paths = []
        for name, size in stored["files"]:
            path = out_dir / name
            if path.stat().st_size != size:
                return None
            paths.append(path)
        return paths
    except (OSError, ValueError, KeyError, TypeError):  # no key yet, a file gone, a damaged key
        return None


def record_package(out_dir: Path, key: str, written: list[Path]) -> None:
    record = {"key": key, "files": [[p.name, p.stat().st_size] for p in written]}
    with atomic_path(out_dir / KEY_FILE) as tmp:
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
