"""Reading the whole inbox: every file read, matched to its unit and period, and its rows typed.

The one stage that touches the inbox's files (it only reads them). Many files are read on
forked workers (`pipeline.parallel`), a few large chunks each; each worker also types its
chunk's rows (`rules.prepare`), so what comes back is a few typed columns per chunk. With a
`ReadCache` (`pipeline.readcache`), a file read before with the same bytes, name and limits is
taken from the cache instead, and only the others are read (then kept there): a re-run after one
file changed reads one file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pipeline import intake, rules
from pipeline.arrivals import sha256_of
from pipeline.bulk import paused_gc
from pipeline.config import DEFAULT_LIMITS, LimitSettings
from pipeline.parallel import make_reader_executor, reader_count, run_tasks
from pipeline.readcache import ReadCache, entry_key
from pipeline.register import Register
from pipeline.roster import Workbook, read_workbooks
from pipeline.rules import Prepared

Progress = Callable[[Iterable], Iterable]
READ_CHUNK = 500


@dataclass
class Inbox:
    """Every file of the inbox read and matched to its unit, and their rows typed (`prepared`)."""

    submissions: list[intake.Submission]
    prepared: Prepared
    digests: dict[str, str] = field(default_factory=dict)   # name in the inbox → SHA-256 (with a cache)
    cached: int = 0                                         # files taken from the cache, not read
    # What this run read, for the cache (`remember`): each file's key, its Workbook, their rows.
    keys: dict[str, str] = field(default_factory=dict)
    fresh: list[Workbook] = field(default_factory=list)
    fresh_prepared: Prepared | None = None


def read_inbox(inbox: Path, register: Register, progress: Progress = lambda it: it,
               workers: int | None = None, limits: LimitSettings = DEFAULT_LIMITS,
               cache: ReadCache | None = None, started: Callable[[], object] = lambda: None) -> Inbox:
    """Read, match and prepare every file of the inbox (nothing in it is ever written).

    Many files are read on `workers` processes (None: one per core), in a few large chunks:
    each worker also types its chunk's rows (`rules.prepare`), so what comes back is a few
    typed columns per chunk, not every cell as a Python object. The tables' raw rows are dropped
    once typed. A file over one of `limits` ([limits]) is refused alone, before it is parsed.
    `cache`: files it holds (same bytes, name, limits, program) are not read again; `remember`
    then stores the others in it (when the run writes). The rows come back in the inbox's order
    of files, however they were read. `started` is called once the reading workers are forked
    (what the caller does meanwhile on a thread cannot reach them)."""
    paths = intake.list_inbox(inbox)
    files = [(p, str(p.relative_to(inbox))) for p in paths]
    if cache is None:
        workbooks, parts = _read(files, progress, workers, prepare=True, limits=limits, started=started)
        return Inbox(intake.match(workbooks, register), _in_order(Prepared.concat(parts), files))
    digests = _digests(files)
    keys = {name: entry_key(digests[name], name, limits) for _, name in files if name in digests}
    found = cache.load({name: (keys[name], path) for path, name in files if name in keys})
    todo = [(path, name) for path, name in files if name not in found.workbooks]
    workbooks, parts = _read(todo, progress, workers, prepare=True, limits=limits, started=started)
    new = Prepared.concat(parts)
    order = {name: i for i, (_, name) in enumerate(files)}
    every = sorted(workbooks + list(found.workbooks.values()), key=lambda wb: order[wb.file])
    prepared = Prepared.concat([new] + ([found.prepared] if found.prepared is not None else []))
    return Inbox(intake.match(every, register), _in_order(prepared, files), digests, cached=len(found.workbooks),
                 keys=keys, fresh=workbooks, fresh_prepared=new)


def remember(inbox: Inbox, cache: ReadCache) -> None:
    """Keep in `cache` what `read_inbox` had to read, and drop its entries of older contents of
    these files: done by a run once it writes its report (under the output folder's lock)."""
    if inbox.fresh_prepared is not None:
        cache.store(inbox.keys, inbox.fresh, inbox.fresh_prepared)
    if inbox.keys:
        cache.prune(set(inbox.keys.values()), {s.file for s in inbox.submissions})


def load_inbox(inbox: Path, register: Register, progress: Progress = lambda it: it,
               workers: int | None = None, limits: LimitSettings = DEFAULT_LIMITS) -> list[intake.Submission]:
    """Read and match every file of the inbox, keeping each table's raw rows (for `check`, tests,
    and whatever looks at one file); `validate` then prepares the accepted files' rows itself."""
    files = [(p, str(p.relative_to(inbox))) for p in intake.list_inbox(inbox)]
    return intake.match(_read(files, progress, workers, prepare=False, limits=limits)[0], register)


def _read(files: list[tuple[Path, str]], progress, workers, prepare: bool, limits: LimitSettings,
          started: Callable[[], object] = lambda: None):
    """(path, name) → their Workbooks in this order, and the Prepared rows of each chunk."""
    if not files:
        started()
        return [], []
    readers = reader_count(workers, len(files))
    read: list[tuple] = []
    with paused_gc(), make_reader_executor(readers) as executor:
        started()
        chunks = _chunks(files, readers)
        for _, result in progress(run_tasks(executor, read_chunk, [(c, prepare, limits) for c in chunks])):
            read.append(result)
    order = {name: i for i, (_, name) in enumerate(files)}
    workbooks = sorted((wb for books, _ in read for wb in books), key=lambda wb: order[wb.file])
    return workbooks, [prepared for _, prepared in read if prepared is not None]


def _digests(files: list[tuple[Path, str]]) -> dict[str, str]:
    """name → SHA-256 of the file's bytes; a file that cannot be read now is left out (read, it
    gets its own issue, and is not cached)."""
    digests = {}
    for path, name in files:
        with suppress(OSError):
            digests[name] = sha256_of(path)
    return digests


def _in_order(prepared: Prepared, files: list[tuple[Path, str]]) -> Prepared:
    """The rows in the inbox's order of files (each file's rows as they came): the same frame
    whether the files were read in one process, in chunks on several, or taken from the cache."""
    order = {name: i for i, (_, name) in enumerate(files)}

    def ordered(frame):
        if len(frame) < 2:
            return frame
        position = frame["file"].map(order).to_numpy()
        sorted_rows = np.argsort(position, kind="stable")
        if (sorted_rows == np.arange(len(frame))).all():
            return frame
        return frame.iloc[sorted_rows].reset_index(drop=True)

    issues = sorted(prepared.issues, key=lambda i: order.get(i.file, -1))   # stable: as found within a file
    return Prepared(ordered(prepared.members), ordered(prepared.candidates), issues)


def _chunks(files: list[tuple[Path, str]], readers: int) -> list[list[tuple[Path, str]]]:
    """Few, large chunks: typing rows costs ~40 ms a call whatever its size. With several readers,
    two chunks each of about equal bytes (the biggest file first to the lightest chunk), so no
    reader waits on another; in one process, chunks of READ_CHUNK files keep a progress bar moving."""
    if readers <= 1:
        return [files[i:i + READ_CHUNK] for i in range(0, len(files), READ_CHUNK)]
    sizes = {path: _size(path) for path, _ in files}
    chunks: list[list] = [[] for _ in range(min(2 * readers, len(files)))]
    loads = [0] * len(chunks)
    for item in sorted(files, key=lambda f: -sizes[f[0]]):
        lightest = loads.index(min(loads))
        chunks[lightest].append(item)
        loads[lightest] += sizes[item[0]]
    return chunks


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def read_chunk(files: list[tuple[Path, str]], prepare: bool,
               limits: LimitSettings = DEFAULT_LIMITS) -> tuple[list[Workbook], Prepared | None]:
    """One task of the reading pool: read these files and, when `prepare`, type their rows."""
    with paused_gc():
        workbooks = read_workbooks(files, limits)
        if not prepare:
            return workbooks, None
        prepared = rules.prepare(workbooks)
        for wb in workbooks:
            for table in (wb.members, wb.candidates):
                if table is not None:
                    table.columns = None  # typed in `prepared` now
        return workbooks, prepared
