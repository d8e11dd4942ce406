"""Reading the whole inbox: every file read, matched to its unit and period, and its rows typed.

The one stage that touches the inbox's files (it only reads them). Many files are read on
forked workers (`pipeline.parallel`), a few large chunks each; each worker also types its
chunk's rows (`rules.prepare`), so what comes back is a few typed columns per chunk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline import intake, rules
from pipeline.bulk import paused_gc
from pipeline.config import DEFAULT_LIMITS, LimitSettings
from pipeline.parallel import make_reader_executor, reader_count, run_tasks
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


def read_inbox(inbox: Path, register: Register, progress: Progress = lambda it: it,
               workers: int | None = None, limits: LimitSettings = DEFAULT_LIMITS) -> Inbox:
    """Read, match and prepare every file of the inbox (nothing in it is ever written).

    Many files are read on `workers` processes (None: one per core), in a few large chunks:
    each worker also types its chunk's rows (`rules.prepare`), so what comes back is a few
    typed columns per chunk, not every cell as a Python object. The tables' raw rows are dropped
    once typed. A file over one of `limits` ([limits]) is refused alone, before it is parsed."""
    submissions, parts = _read(inbox, register, progress, workers, prepare=True, limits=limits)
    return Inbox(submissions, Prepared.concat(parts))


def load_inbox(inbox: Path, register: Register, progress: Progress = lambda it: it,
               workers: int | None = None, limits: LimitSettings = DEFAULT_LIMITS) -> list[intake.Submission]:
    """Read and match every file of the inbox, keeping each table's raw rows (for `check`, tests,
    and whatever looks at one file); `validate` then prepares the accepted files' rows itself."""
    return _read(inbox, register, progress, workers, prepare=False, limits=limits)[0]


def _read(inbox, register, progress, workers, prepare: bool, limits: LimitSettings):
    paths = intake.list_inbox(inbox)
    readers = reader_count(workers, len(paths))
    files = [(p, str(p.relative_to(inbox))) for p in paths]
    read: list[tuple] = []
    with paused_gc(), make_reader_executor(readers) as executor:
        chunks = _chunks(files, readers)
        for _, result in progress(run_tasks(executor, read_chunk, [(c, prepare, limits) for c in chunks])):
            read.append(result)
    order = {name: i for i, (_, name) in enumerate(files)}
    workbooks = sorted((wb for books, _ in read for wb in books), key=lambda wb: order[wb.file])
    return intake.match(workbooks, register), [prepared for _, prepared in read if prepared is not None]


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
