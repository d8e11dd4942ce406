"""What reading each file gave, kept by the file's content: a re-run reads only what changed.

    cache = ReadCache.open(out / "cache" / CACHE_NAME, limits)
    found = cache.load(entries)            # the entries already read, as Workbooks and typed rows
    cache.store(read)                      # what this run had to read

Reading a roster (`roster.read_workbook`) and typing its rows (`rules.prepare`) depend on the
file's bytes, its name in the inbox (every issue and row names it), what one file may cost to
read ([limits]) and the program that reads it, and on nothing else: no other file, no period, no
other setting. So the key of an entry is the SHA-256 of those four (`entry_key`); the program is
this package's version, the digest of its source files and the versions of the libraries that
parse workbooks, so any change to the reading code reads everything again.

The cache is one SQLite file (`<out>/cache/reads.sqlite`, personal data: made under the output
folder's access), data and never code (no pickle); `read_frames(path)` gives its rows as pandas
frames:

- `entries`: one row per read file — its key, its name, when a run last used it, its batch and
  where its rows start in it, and as JSON what the Workbook holds besides its rows (the info
  sheet's values, the tables' headers, positions and Excel rows, the file's issues), the issues
  typing its rows gave, and how many rows of each kind it has;
- `batches`, `frames`, `columns`: the typed rows of the files one run read, column by column (a
  column's values in one zlib-compressed blob: dates as nanoseconds, yes/no and whole numbers as
  little-endian int64, text as its distinct values in a JSON array and an int32 index per row,
  anything else as a JSON array), so that 110,000 rows load in a fraction of a second.
  A batch goes when no entry needs it any more.

Nothing in it is trusted: a file that is not this cache (another program's, a newer format), or
one SQLite cannot read (cut short, damaged), is set aside and a new one begun; an entry whose
rows do not add up to what it says it holds is read again from its file. A run that cannot write
the cache still writes its report (the problem is noted in the returned warnings).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import sqlite3
import time
import zlib
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

import pipeline
from pipeline.config import LimitSettings
from pipeline import resources
from pipeline.roster import Workbook
from pipeline.rulebook import Issue, Severity
from pipeline.rules import Prepared, prepare
from pipeline.tables import Table

CACHE_DIR = "cache"
CACHE_NAME = "reads.sqlite"
# SQLite's application_id ("PDVR") and this layout's version: any other file is not trusted.
APPLICATION_ID = 0x50445652
FORMAT = 2
# Libraries whose version can change what a file reads as.
READ_LIBRARIES = ("python-calamine", "openpyxl", "xlrd", "odfpy", "defusedxml", "pandas", "numpy")
# An entry no run has used for this long is dropped (a file no longer in any inbox written here).
KEEP_UNUSED = dt.timedelta(days=120)
# How long a run waits for another run writing the cache before it goes on without storing.
BUSY_SECONDS = 30
_KINDS = ("members", "candidates")
_NAT = np.iinfo("int64").min


@functools.cache
def program_digest() -> str:
    """The reading program: version, every source file of the package, the parsing libraries."""
    return resources.program_digest(f"pipeline {pipeline.__version__}\nformat {FORMAT}\n",
                                    libraries=READ_LIBRARIES)


def entry_key(content_sha256: str, name: str, limits: LimitSettings, program: str | None = None) -> str:
    """The key of one read file: its bytes (their SHA-256), its name in the inbox, [limits], the program."""
    digest = _setting_digest(limits, program or program_digest()).copy()
    digest.update(f"{content_sha256}\0{name}".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


@functools.lru_cache(maxsize=8)
def _setting_digest(limits: LimitSettings, program: str):
    return hashlib.sha256(json.dumps({"limits": asdict(limits), "program": program}, sort_keys=True).encode() + b"\0")


@dataclass
class Found:
    """What a run found in the cache: name in the inbox → Workbook, and all their typed rows
    (None: nothing found)."""

    workbooks: dict[str, Workbook]
    prepared: Prepared | None


class ReadCache:
    """The cache file of one output folder; `open` never fails on what it finds there."""

    def __init__(self, path: Path, db: sqlite3.Connection | None, warnings: list[str], reuse: bool = True,
                 damaged: bool = False):
        self.path = path
        self.db = db
        self.warnings = warnings
        self.reuse = reuse
        self.damaged = damaged

    # ---------- opening ----------

    @classmethod
    def open(cls, path: Path, reuse: bool = True) -> ReadCache:
        """The cache at `path`, only read: nothing is written until `store` (a run that stops
        before writing its report leaves the output folder as it was). A file that cannot be
        trusted gives nothing, and is set aside as `<name>.damaged` when the run stores (a new one
        begun). `reuse=False`: it gives nothing (every file is read) but is still brought up to date."""
        path = Path(path)
        if not path.exists():
            return cls(path, None, [], reuse)
        try:
            return cls(path, _connect(path), [], reuse)
        except (sqlite3.Error, _Foreign) as exc:
            return cls(path, None, [f"Bộ nhớ đệm {path} không dùng được ({exc}): đã để sang một bên và làm lại "
                                    "từ đầu."], reuse, damaged=True)
        except OSError as exc:
            return cls(path, None, [f"Không mở được bộ nhớ đệm {path} ({exc}): lần chạy này đọc lại mọi tệp."],
                       reuse)

    def _writable(self) -> bool:
        """The file open to write (made, or a damaged one set aside, first); False: it cannot be."""
        if self.db is not None:
            return True
        try:
            if self.damaged:
                os.replace(self.path, self.path.with_name(self.path.name + ".damaged"))
                for suffix in ("-journal", "-wal", "-shm"):
                    Path(str(self.path) + suffix).unlink(missing_ok=True)
                self.damaged = False
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = _connect(self.path)
            return True
        except (OSError, sqlite3.Error, _Foreign) as exc:
            self.warnings.append(f"Không tạo được bộ nhớ đệm {self.path} ({exc}): lần sau các tệp được đọc lại.")
            return False

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    def __enter__(self) -> ReadCache:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---------- reading from it ----------

    def load(self, wanted: dict[str, tuple[str, Path]]) -> Found:
        """name in the inbox → (its key, its path now), for the files a run has → what the cache
        holds of them, whole: their Workbooks and their typed rows. An entry whose rows do not add
        up to what it says it holds is left out (its file is read again)."""
        if self.db is None or not wanted or not self.reuse:
            return Found({}, None)
        try:
            return self._load(wanted)
        except (sqlite3.Error, ValueError, KeyError, TypeError) as exc:
            self.warnings.append(f"Bộ nhớ đệm {self.path} đọc không được ({exc}): lần chạy này đọc lại mọi tệp.")
            return Found({}, None)

    def _load(self, wanted: dict[str, tuple[str, Path]]) -> Found:
        db = self.db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (key TEXT PRIMARY KEY)")
        db.execute("DELETE FROM wanted")
        by_key = {key: (name, path) for name, (key, path) in wanted.items()}
        db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", [(k,) for k in by_key])
        found = db.execute("SELECT e.key, e.meta, e.batch, e.member_start, e.candidate_start FROM entries e "
                           "JOIN wanted w ON w.key = e.key").fetchall()
        entries = []   # (key, meta, batch, start of each kind's rows)
        for key, meta, batch, member_start, candidate_start in found:
            meta = json.loads(meta)
            if meta["name"] == by_key[key][0]:
                entries.append((key, meta, batch, {"members": member_start, "candidates": candidate_start}))
        by_batch: dict[int, list] = {}
        for entry in entries:
            by_batch.setdefault(entry[2], []).append(entry)
        parts: dict[str, list[pd.DataFrame]] = {kind: [] for kind in _KINDS}
        whole: list = []
        for batch, members in by_batch.items():
            frames = {kind: _batch_frame(db, batch, kind) for kind in _KINDS}
            kept = []
            for entry in members:
                key, meta, _, starts = entry
                # whole: each kind's rows there, as many as the entry says it has
                if all(meta["rows"][kind] == 0 or (frames[kind] is not None and starts[kind] is not None
                                                   and starts[kind] + meta["rows"][kind] <= len(frames[kind]))
                       for kind in _KINDS):
                    kept.append(entry)
            for kind in _KINDS:
                frame = frames[kind]
                spans = [(e[3][kind], e[1]["rows"][kind]) for e in kept if e[1]["rows"][kind]]
                if frame is None or not spans:
                    continue
                if sum(n for _, n in spans) == len(frame):   # every row of the batch wanted
                    parts[kind].append(frame)
                else:
                    rows = np.concatenate([np.arange(start, start + n) for start, n in spans])
                    parts[kind].append(frame.iloc[rows])
            whole += kept
        workbooks = {}
        issues = []
        for key, meta, _, _ in whole:
            name, path = by_key[key]
            workbooks[name] = _workbook(meta["workbook"], name, path)
            issues += [_issue(i) for i in meta["prepared_issues"]]
        empty = _EMPTY()
        prepared = Prepared.concat([Prepared(frame, empty.candidates, []) for frame in parts["members"]]
                                   + [Prepared(empty.members, frame, []) for frame in parts["candidates"]]
                                   + [Prepared(empty.members, empty.candidates, issues)])
        self._touch()
        return Found(workbooks, prepared)

    def _touch(self) -> None:
        try:
            with self.db:
                self.db.execute("UPDATE entries SET used = ? WHERE key IN (SELECT key FROM wanted)", (time.time(),))
        except sqlite3.OperationalError:   # another run writing: its own use counts as well
            pass

    # ---------- writing to it ----------

    def store(self, keys: dict[str, str], workbooks: list[Workbook], prepared: Prepared) -> None:
        """What this run read: its Workbooks, their typed rows (`prepared`, of these files), and
        name → key, kept as one batch. A file whose values cannot be kept as data (a cell type
        the cache does not know) is not kept: the next run reads it again."""
        if not (workbooks or self.db is not None) or not self._writable():
            return
        order = {wb.file: i for i, wb in enumerate(workbooks)}
        frames = {kind: _grouped(getattr(prepared, kind), order) for kind in _KINDS}
        issues: dict[str, list] = {}
        for issue in prepared.issues:
            issues.setdefault(issue.file, []).append(_issue_data(issue))
        spans = {kind: _spans(frames[kind]) for kind in _KINDS}
        entries = []
        for wb in workbooks:
            if wb.file not in keys:
                continue
            starts = {kind: spans[kind].get(wb.file, (None, 0)) for kind in _KINDS}
            try:
                meta = {"name": wb.file, "workbook": _workbook_data(wb), "prepared_issues": issues.get(wb.file, []),
                        "rows": {kind: starts[kind][1] for kind in _KINDS}}
                text = json.dumps(meta, ensure_ascii=False, allow_nan=False)
            except (_NotData, TypeError, ValueError):   # not plain data (TypeError, ValueError: json's)
                continue
            entries.append((keys[wb.file], wb.file, text, starts["members"][0], starts["candidates"][0]))
        try:
            columns = {kind: _encode(frames[kind]) for kind in _KINDS}
        except (_NotData, TypeError, ValueError):   # a column of another type: keep no rows, so no entry either
            return
        try:
            with self.db:
                self.db.execute("BEGIN IMMEDIATE")
                self._store(entries, columns, {kind: len(frames[kind]) for kind in _KINDS})
        except sqlite3.Error as exc:
            self.warnings.append(f"Không ghi được bộ nhớ đệm {self.path} ({exc}): lần sau các tệp này được đọc lại.")

    def _store(self, entries: list[tuple], columns: dict[str, tuple[list, list[bytes]]], rows: dict[str, int]) -> None:
        db = self.db
        now = time.time()
        batch = db.execute("INSERT INTO batches (made) VALUES (?)", (now,)).lastrowid
        for kind in _KINDS:
            spec, blobs = columns[kind]
            db.execute("INSERT INTO frames VALUES (?, ?, ?, ?)", (batch, kind, json.dumps(spec), rows[kind]))
            db.executemany("INSERT INTO columns VALUES (?, ?, ?, ?)",
                           [(batch, kind, position, blob) for position, blob in enumerate(blobs)])
        db.executemany("DELETE FROM entries WHERE key = ?", [(entry[0],) for entry in entries])
        db.executemany("INSERT INTO entries (key, name, used, meta, batch, member_start, candidate_start) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [(key, name, now, meta, batch, m, c) for key, name, meta, m, c in entries])
        self._drop_empty_batches()

    def _drop_empty_batches(self) -> None:
        """Batches no entry points at any more: their rows are only dead weight."""
        db = self.db
        gone = [(b,) for (b,) in db.execute(
            "SELECT id FROM batches WHERE id NOT IN (SELECT DISTINCT batch FROM entries)").fetchall()]
        for table, column in (("columns", "batch"), ("frames", "batch"), ("batches", "id")):
            db.executemany(f"DELETE FROM {table} WHERE {column} = ?", gone)

    def prune(self, used: set[str], names: set[str]) -> None:
        """After a run: drop the entries of this inbox's file names that it did not use (an older
        content of a file sent again), and any entry no run has used for KEEP_UNUSED; then the
        batches of rows no entry needs."""
        if self.db is None and not self.damaged:
            return
        if not self._writable():
            return
        try:
            with self.db:
                self.db.execute("BEGIN IMMEDIATE")
                old = time.time() - KEEP_UNUSED.total_seconds()
                gone = [(entry,) for entry, key, name, last in
                        self.db.execute("SELECT id, key, name, used FROM entries").fetchall()
                        if (name in names and key not in used) or last < old]
                if gone:
                    self.db.executemany("DELETE FROM entries WHERE id = ?", gone)
                    self._drop_empty_batches()
        except sqlite3.Error as exc:
            self.warnings.append(f"Không dọn được bộ nhớ đệm {self.path} ({exc}).")


# ---------- the file ----------

class _Foreign(Exception):
    """A file that is an SQLite database, but not this cache (or a newer layout of it)."""


class _NotData(Exception):
    """A value the cache cannot keep as data."""


_SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (id INTEGER PRIMARY KEY, made REAL NOT NULL);
CREATE TABLE IF NOT EXISTS entries (id INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL, name TEXT NOT NULL,
                                    used REAL NOT NULL, meta TEXT NOT NULL, batch INTEGER NOT NULL,
                                    member_start INTEGER, candidate_start INTEGER);
CREATE INDEX IF NOT EXISTS entries_batch ON entries (batch);
CREATE TABLE IF NOT EXISTS frames (batch INTEGER NOT NULL, kind TEXT NOT NULL, columns TEXT NOT NULL,
                                   rows INTEGER NOT NULL, PRIMARY KEY (batch, kind));
CREATE TABLE IF NOT EXISTS columns (batch INTEGER NOT NULL, kind TEXT NOT NULL, position INTEGER NOT NULL,
                                    data BLOB NOT NULL, PRIMARY KEY (batch, kind, position));
"""


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
    try:
        application, version = (db.execute("PRAGMA application_id").fetchone()[0],
                                db.execute("PRAGMA user_version").fetchone()[0])
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables and application == 0:
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {FORMAT}")
        elif application != APPLICATION_ID or version != FORMAT:
            raise _Foreign(f"application_id {application}, user_version {version}")
        db.executescript(_SCHEMA)
        if db.execute("PRAGMA quick_check(1)").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("quick_check")
        return db
    except BaseException:
        db.close()
        raise


# ---------- rows as columns ----------

def read_frames(path: Path) -> dict[str, pd.DataFrame]:
    """Every row the cache at `path` holds, as pandas frames ("members", "candidates"), each with
    the column `file`: what a user who wants to look at the cache opens it with."""
    db = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True)
    try:
        batches = [b for (b,) in db.execute("SELECT id FROM batches ORDER BY id")]
        out = {}
        for kind in _KINDS:
            frames = [f for f in (_batch_frame(db, b, kind) for b in batches) if f is not None]
            out[kind] = pd.concat(frames, ignore_index=True) if frames else getattr(_EMPTY(), kind)
        return out
    finally:
        db.close()


def _grouped(frame: pd.DataFrame, order: dict[str, int]) -> pd.DataFrame:
    """The rows of the files in `order` only, each file's rows together (in their order)."""
    if frame.empty:
        return frame.iloc[:0]
    position = frame["file"].map(order)
    frame = frame[position.notna()]
    rows = np.argsort(position[position.notna()].to_numpy(), kind="stable")
    return frame.iloc[rows].reset_index(drop=True)


def _spans(frame: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """file → (its first row, how many) in a frame whose files' rows are together."""
    if frame.empty:
        return {}
    files = frame["file"].to_numpy()
    starts = np.flatnonzero(np.r_[True, files[1:] != files[:-1]])
    counts = np.diff(np.r_[starts, len(files)])
    return {files[s]: (int(s), int(n)) for s, n in zip(starts, counts)}


def _encode(frame: pd.DataFrame) -> tuple[list, list[bytes]]:
    """A frame → its spec [(column, dtype, encoding)] and one blob per column, zlib-compressed:
    int64 little-endian for dates (nanoseconds), yes/no (0/1) and whole numbers; text as its
    distinct values (a JSON array) then each row's int32 index into them (-1: blank), so a value
    repeated down a column ("Nam", "Kinh") is one object when read back; any other column
    (numbers among text) as a JSON array."""
    spec, blobs = [], []
    for column in frame.columns:
        series = frame[column]
        dtype = str(series.dtype)
        if dtype.startswith("datetime64"):
            encoding, data = "int64", series.to_numpy().astype("datetime64[ns]").view("<i8").tobytes()
        elif dtype in ("bool", "int64"):
            encoding, data = "int64", series.to_numpy().astype("<i8").tobytes()
        elif dtype == "object":
            items = series.to_numpy()
            missing = pd.isna(items)
            if pd.api.types.infer_dtype(items, skipna=True) in ("string", "empty") and \
                    all(v is None for v in items[missing]):
                codes, uniques = pd.factorize(items, use_na_sentinel=True)
                text = json.dumps(list(uniques), ensure_ascii=False).encode("utf-8")
                encoding, data = "text", len(text).to_bytes(8, "little") + text + codes.astype("<i4").tobytes()
            else:
                values = items.tolist()
                if not all(v is None or type(v) in (str, bool, int, float) for v in values):
                    raise _NotData(dtype)
                encoding, data = "json", json.dumps(values, ensure_ascii=False).encode("utf-8")
        else:
            raise _NotData(dtype)
        spec.append([str(column), dtype, encoding])
        blobs.append(zlib.compress(data, 1))
    return spec, blobs


def _decode(blob: bytes, dtype: str, encoding: str):
    data = zlib.decompress(blob)
    if encoding == "int64":
        values = np.frombuffer(data, dtype="<i8").astype("int64")
        if dtype.startswith("datetime64"):
            return values.view("datetime64[ns]")
        return values.astype(bool) if dtype == "bool" else values
    if encoding == "text":
        size = int.from_bytes(data[:8], "little")
        uniques = np.array([*json.loads(data[8:8 + size]), None], dtype=object)
        if uniques.ndim != 1:
            raise ValueError("text values")
        codes = np.frombuffer(data[8 + size:], dtype="<i4")
        if len(codes) and (codes.min() < -1 or codes.max() >= len(uniques) - 1):
            raise ValueError("text codes")
        return pd.Series(uniques[codes], dtype=object)   # -1 → the None at the end
    return pd.Series(json.loads(data), dtype=object)


def _batch_frame(db: sqlite3.Connection, batch: int, kind: str) -> pd.DataFrame | None:
    """One batch's rows of `kind` as a frame; None when there are none, or they do not add up
    (a column missing, or not as long as the batch says: the batch's entries are read again)."""
    found = db.execute("SELECT columns, rows FROM frames WHERE batch = ? AND kind = ?", (batch, kind)).fetchone()
    if found is None or not found[1]:
        return None
    spec, rows = json.loads(found[0]), found[1]
    blobs = dict(db.execute("SELECT position, data FROM columns WHERE batch = ? AND kind = ?", (batch, kind)))
    data = {}
    for position, (name, dtype, encoding) in enumerate(spec):
        blob = blobs.get(position)
        if blob is None:
            return None
        try:
            values = _decode(blob, dtype, encoding)
        except (zlib.error, ValueError, TypeError):   # cut short, damaged
            return None
        if len(values) != rows:
            return None
        data[name] = values
    return pd.DataFrame(data)


@functools.cache
def _EMPTY() -> Prepared:  # noqa: N802 - a constant, made on first use
    return prepare([])


# ---------- a Workbook and its issues as JSON ----------

_TABLE_FIELDS = ("sheet", "headers", "row", "header_row", "positions", "next_header")


def _workbook_data(wb: Workbook) -> dict:
    if any(t is not None and t.columns is not None for t in (wb.members, wb.candidates)):
        raise _NotData("raw rows")   # only what `read_inbox` keeps, the rows typed
    return {"info": {k: _value(v) for k, v in wb.info.items()}, "info_rows": wb.info_rows,
            "info_sheet": wb.info_sheet, "titles": [_value(t) for t in wb.titles],
            "members": _table_data(wb.members), "candidates": _table_data(wb.candidates),
            "issues": [_issue_data(i) for i in wb.issues]}


def _table_data(table: Table | None) -> dict | None:
    if table is None:
        return None
    return {name: (list(map(int, table.row)) if name == "row" else getattr(table, name)) for name in _TABLE_FIELDS}


def _workbook(data: dict, name: str, path: Path) -> Workbook:
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        mtime = 0.0
    return Workbook(file=name, path=path, mtime=mtime, info={k: _unvalue(v) for k, v in data["info"].items()},
                    info_rows=data["info_rows"], info_sheet=data["info_sheet"],
                    titles=[_unvalue(t) for t in data["titles"]],
                    members=_table(data["members"]), candidates=_table(data["candidates"]),
                    issues=[_issue(i) for i in data["issues"]])


def _table(data: dict | None) -> Table | None:
    if data is None:
        return None
    return Table(columns=None, **{name: data[name] for name in _TABLE_FIELDS})


_ISSUE_FIELDS = tuple(f.name for f in fields(Issue))


def _issue_data(issue: Issue) -> list:
    return [getattr(issue, name) for name in _ISSUE_FIELDS]


def _issue(data: list) -> Issue:
    issue = dict(zip(_ISSUE_FIELDS, data))
    issue["severity"] = Severity(issue["severity"])
    return Issue(**issue)


def _value(value):
    """A cell's value as JSON: text, numbers, yes/no, blank natively; dates and times tagged."""
    if value is None or type(value) in (str, bool, int):
        return value
    if type(value) is float:
        return {"float": repr(value)}   # NaN and infinities too
    for kind in (dt.datetime, dt.date, dt.time):
        if type(value) is kind:
            return {kind.__name__: value.isoformat()}
    if type(value) is dt.timedelta:
        return {"timedelta": [value.days, value.seconds, value.microseconds]}
    if type(value) is pd.Timestamp:
        return {"timestamp": value.isoformat()}
    raise _NotData(type(value).__name__)


def _unvalue(value):
    if not isinstance(value, dict):
        return value
    (kind, text), = value.items()
    if kind == "float":
        return float(text)
    if kind == "timedelta":
        return dt.timedelta(*text)
    if kind == "timestamp":
        return pd.Timestamp(text)
    return getattr(dt, kind).fromisoformat(text)
