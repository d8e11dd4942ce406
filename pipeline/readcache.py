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
folder's access), data a pandas user can open (`pd.read_sql("SELECT * FROM members_1", db)`):

- `entries`: one row per read file — its key, its name, when a run last used it, and as JSON what
  the Workbook holds besides its rows (the info sheet's values, the tables' headers, positions
  and Excel rows, the file's issues) and the issues typing its rows gave;
- `members_N`, `candidates_N`: the typed rows, one SQL column per frame column, one table per
  set of columns and types (`frames` lists them). Dates are nanoseconds since 1970, yes/no 0/1,
  text as text; a column holding other values (numbers, yes/no among text) as JSON per value.

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
from collections import Counter
from dataclasses import asdict, dataclass, fields
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

import pipeline
from pipeline.config import LimitSettings
from pipeline.resources import PACKAGE_DIR
from pipeline.roster import Workbook
from pipeline.rulebook import Issue, Severity
from pipeline.rules import Prepared, prepare
from pipeline.tables import Table

CACHE_DIR = "cache"
CACHE_NAME = "reads.sqlite"
# SQLite's application_id ("PDVR") and this layout's version: any other file is not trusted.
APPLICATION_ID = 0x50445652
FORMAT = 1
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
    digest = hashlib.sha256(f"pipeline {pipeline.__version__}\nformat {FORMAT}\n".encode())
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name in READ_LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name} {version}\n".encode())
    return digest.hexdigest()


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
        metas = {entry: (key, json.loads(meta)) for entry, key, meta in db.execute(
            "SELECT e.id, e.key, e.meta FROM entries e JOIN wanted w ON w.key = e.key")}
        parts: dict[str, list[tuple[np.ndarray, pd.DataFrame]]] = {kind: [] for kind in _KINDS}
        for table, kind, spec in db.execute("SELECT name, kind, columns FROM frames").fetchall():
            read = _read_table(db, table, json.loads(spec))
            if read is not None:
                parts[kind].append(read)
        # An entry is whole when each kind's rows number what its meta says, and it names its file.
        bad = {entry for entry, (key, meta) in metas.items() if meta["name"] != by_key[key][0]}
        for kind in _KINDS:
            held = Counter()
            for owners, _ in parts[kind]:
                held.update(dict(zip(*np.unique(owners, return_counts=True))))
            bad |= {entry for entry, (_, meta) in metas.items() if held.get(entry, 0) != meta["rows"][kind]}
            bad |= set(held) - set(metas)
        workbooks = {}
        issues = []
        for entry, (key, meta) in metas.items():
            if entry in bad:
                continue
            name, path = by_key[key]
            workbooks[name] = _workbook(meta["workbook"], name, path)
            issues += [_issue(i) for i in meta["prepared_issues"]]
        frames = {kind: [frame[~np.isin(owners, list(bad))] if bad else frame for owners, frame in parts[kind]]
                  for kind in _KINDS}
        prepared = Prepared.concat([Prepared(frame, _EMPTY().candidates, []) for frame in frames["members"]]
                                   + [Prepared(_EMPTY().members, frame, []) for frame in frames["candidates"]]
                                   + [Prepared(_EMPTY().members, _EMPTY().candidates, issues)])
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
        name → key. A file whose values cannot be kept as data (a cell type the cache does not
        know) is not kept: the next run reads it again."""
        if not (workbooks or self.db is not None) or not self._writable():
            return
        issues: dict[str, list] = {}
        for issue in prepared.issues:
            issues.setdefault(issue.file, []).append(_issue_data(issue))
        rows = {kind: Counter(getattr(prepared, kind)["file"]) for kind in _KINDS}
        entries = []
        for wb in workbooks:
            if wb.file not in keys:
                continue
            try:
                meta = {"name": wb.file, "workbook": _workbook_data(wb), "prepared_issues": issues.get(wb.file, []),
                        "rows": {kind: rows[kind].get(wb.file, 0) for kind in _KINDS}}
                entries.append((keys[wb.file], wb.file, json.dumps(meta, ensure_ascii=False, allow_nan=False)))
            except (_NotData, TypeError, ValueError):   # not plain data (TypeError, ValueError: json's)
                continue
        try:
            encoded = {kind: _encode(getattr(prepared, kind)) for kind in _KINDS}
        except _NotData:   # a frame column of another type: keep no rows, so no entry either
            return
        try:
            with self.db:
                self.db.execute("BEGIN IMMEDIATE")
                self._store(entries, encoded)
        except sqlite3.Error as exc:
            self.warnings.append(f"Không ghi được bộ nhớ đệm {self.path} ({exc}): lần sau các tệp này được đọc lại.")

    def _store(self, entries: list[tuple[str, str, str]], encoded: dict[str, tuple[list, list[list]]]) -> None:
        db = self.db
        now = time.time()
        db.executemany("DELETE FROM entries WHERE key = ?", [(key,) for key, _, _ in entries])
        db.executemany("INSERT INTO entries (key, name, used, meta) VALUES (?, ?, ?, ?)",
                       [(key, name, now, meta) for key, name, meta in entries])
        db.execute("CREATE TEMP TABLE IF NOT EXISTS stored (key TEXT PRIMARY KEY)")
        db.execute("DELETE FROM stored")
        db.executemany("INSERT INTO stored VALUES (?)", [(key,) for key, _, _ in entries])
        ids = dict(db.execute("SELECT e.name, e.id FROM entries e JOIN stored s ON s.key = e.key"))
        for kind in _KINDS:
            spec, values = encoded[kind]
            if not values or not values[0]:
                continue
            files = values[[column for column, _, _ in spec].index("file")]
            owners = [ids.get(name) for name in files]
            keep = [i for i, owner in enumerate(owners) if owner is not None]
            if not keep:
                continue
            seq = _sequence(owners)
            table = _frame_table(db, kind, spec)
            marks = ", ".join("?" * (len(spec) + 2))
            columns = [owners, seq, *values]
            rows = zip(*columns) if len(keep) == len(owners) else (tuple(c[i] for c in columns) for i in keep)
            db.executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows)

    def prune(self, used: set[str], names: set[str]) -> None:
        """After a run: drop the entries of this inbox's file names that it did not use (an older
        content of a file sent again), and any entry no run has used for KEEP_UNUSED."""
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
                if not gone:
                    return
                self.db.executemany("DELETE FROM entries WHERE id = ?", gone)
                for (table,) in self.db.execute("SELECT name FROM frames").fetchall():
                    self.db.executemany(f'DELETE FROM "{table}" WHERE entry = ?', gone)
        except sqlite3.Error as exc:
            self.warnings.append(f"Không dọn được bộ nhớ đệm {self.path} ({exc}).")


# ---------- the file ----------

class _Foreign(Exception):
    """A file that is an SQLite database, but not this cache (or a newer layout of it)."""


class _NotData(Exception):
    """A value the cache cannot keep as data."""


_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (id INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL, name TEXT NOT NULL,
                                    used REAL NOT NULL, meta TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS frames (name TEXT PRIMARY KEY, kind TEXT NOT NULL, columns TEXT UNIQUE NOT NULL);
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


def _frame_table(db: sqlite3.Connection, kind: str, spec: list) -> str:
    """The table holding `kind` rows with exactly these columns and encodings (made once)."""
    text = json.dumps(spec, ensure_ascii=False)
    found = db.execute("SELECT name FROM frames WHERE columns = ?", (text,)).fetchone()
    if found:
        return found[0]
    count = db.execute("SELECT COUNT(*) FROM frames WHERE kind = ?", (kind,)).fetchone()[0]
    name = f"{kind}_{count + 1}"
    columns = ", ".join(f'"{column}"' for column, _, _ in spec)
    db.execute(f'CREATE TABLE "{name}" (entry INTEGER NOT NULL, seq INTEGER NOT NULL, {columns})')
    db.execute(f'CREATE INDEX "{name}_entry" ON "{name}" (entry)')
    db.execute("INSERT INTO frames VALUES (?, ?, ?)", (name, kind, text))
    return name


# ---------- rows as SQL columns ----------

def _encode(frame: pd.DataFrame) -> tuple[list, list[list]]:
    """A frame → its spec [(column, dtype, encoding)] and one list of SQL values per column."""
    spec, values = [], []
    for column in frame.columns:
        series = frame[column]
        dtype = str(series.dtype)
        if dtype.startswith("datetime64"):
            data = series.to_numpy().astype("datetime64[ns]").view("int64")
            encoding, out = "ns", np.where(data == _NAT, None, data).tolist()
        elif dtype == "bool":
            encoding, out = "bool", series.to_numpy().astype("int64").tolist()
        elif dtype == "int64":
            encoding, out = "int", series.tolist()
        elif dtype == "object":
            items = series.to_numpy()
            missing = pd.isna(items)
            if pd.api.types.infer_dtype(items, skipna=True) in ("string", "empty") and \
                    all(v is None for v in items[missing]):
                encoding, out = "text", items.tolist()
            else:
                encoding, out = "json", [_json_value(v) for v in items.tolist()]
        else:
            raise _NotData(dtype)
        spec.append([str(column), dtype, encoding])
        values.append(out)
    return spec, values


def _json_value(value) -> str:
    if value is None or type(value) in (str, bool, int, float):
        return json.dumps(value, ensure_ascii=False)   # NaN as NaN: read back as NaN
    raise _NotData(type(value).__name__)


def _read_table(db: sqlite3.Connection, table: str, spec: list) -> tuple[np.ndarray, pd.DataFrame] | None:
    """The wanted entries' rows held in `table`, each entry's in their order: (entry of each row, frame)."""
    rows = db.execute(f'SELECT t.* FROM "{table}" t JOIN entries e ON e.id = t.entry '
                      f'JOIN wanted w ON w.key = e.key ORDER BY t.entry, t.seq').fetchall()
    if not rows:
        return None
    columns = list(zip(*rows))
    owners = np.asarray(columns[0], dtype="int64")
    data = {name: _decode(values, dtype, encoding) for (name, dtype, encoding), values in zip(spec, columns[2:])}
    return owners, pd.DataFrame(data)


def _sequence(owners: list) -> list[int]:
    """Each row's place among its entry's rows (0, 1, …), rows of one entry in their order."""
    seen: Counter = Counter()
    out = []
    for owner in owners:
        out.append(seen[owner])
        seen[owner] += 1
    return out


def _decode(values: tuple, dtype: str, encoding: str) -> pd.Series | np.ndarray:
    if encoding == "ns":
        data = np.array([_NAT if v is None else v for v in values], dtype="int64").view("datetime64[ns]")
        return data.astype(dtype) if dtype != "datetime64[ns]" else data
    if encoding == "bool":
        return np.array(values, dtype=bool)
    if encoding == "int":
        return np.array(values, dtype="int64")
    if encoding == "json":
        return pd.Series([json.loads(v) for v in values], dtype=object)
    return pd.Series(list(values), dtype=object)


def _rows(frame: pd.DataFrame | None) -> int:
    return 0 if frame is None else len(frame)


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
