"""When each file of the inbox was first seen, and what it is (size, SHA-256, modification time).

A cell's timeliness is judged by when the pipeline first saw its file, not by the file's own
modification time (a copy keeps the time the cell last saved it; a mail attachment takes the time
it was saved). The arrivals log (SQLite, `<out>/arrivals.sqlite`, beside the quarters' folders like
the delivery ledger) keeps one row per file name and content: a file seen again unchanged keeps its
first time; a file sent again with new content is a new arrival. `watch` sees a file within seconds
of its arrival; a `report` run by hand sees it when it runs. The inbox itself is only read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

LOG_NAME = "arrivals.sqlite"


@dataclass(frozen=True)
class Arrival:
    """One file of the inbox as it is now, and when this content was first seen."""

    file: str                  # its path inside the inbox
    size: int
    sha256: str
    modified: dt.datetime      # the file's own modification time
    first_seen: dt.datetime


def sha256_of(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def record(out: Path, files: list[tuple[Path, str]], now: dt.datetime,
           digests: dict[str, str] | None = None) -> dict[str, Arrival]:
    """Hash each (path, name inside the inbox) and note the ones not seen before as seen `now`.
    → name → Arrival. A file that cannot be read is left out (its reading says why). `digests`:
    name → SHA-256 already taken by this run (reading with a cache), not taken again."""
    digests = digests or {}
    out.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(out / LOG_NAME)
    try:
        db.execute("CREATE TABLE IF NOT EXISTS seen (file TEXT, sha256 TEXT, size INTEGER, first_seen TEXT, "
                   "PRIMARY KEY (file, sha256))")
        known = {(f, h): t for f, h, t in db.execute("SELECT file, sha256, first_seen FROM seen")}
        found: dict[str, Arrival] = {}
        new = []
        stamp = now.isoformat(timespec="seconds")
        for path, name in files:
            try:
                stat = path.stat()
                digest = digests.get(name) or sha256_of(path)
            except OSError:
                continue
            first = known.get((name, digest))
            if first is None:
                first = stamp
                new.append((name, digest, stat.st_size, stamp))
            found[name] = Arrival(file=name, size=stat.st_size, sha256=digest,
                                  modified=dt.datetime.fromtimestamp(stat.st_mtime).astimezone(),
                                  first_seen=dt.datetime.fromisoformat(first))
        db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?, ?, ?)", new)
        db.commit()
    finally:
        db.close()
    return found
