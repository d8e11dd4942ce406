"""One run at a time per output folder.

`report`, `send`, `remind` and each rebuild of `watch` write into the same output folder (the
quarter's files, the delivery ledger, the history): two of them at once would interleave. Each
holds the folder's lock (`<out>/.pipeline.lock`, an OS file lock through `filelock`: released by the
system if the process dies) for as long as it writes. A second run waits for the first to finish,
saying who holds it, or refuses at once (`wait=False`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from filelock import FileLock, Timeout

from pipeline.errors import PipelineError

LOCK_NAME = ".pipeline.lock"
HOLDER_NAME = ".pipeline.lock.json"   # who holds it: shown to whoever waits


class Busy(PipelineError):
    """The output folder is in use by another run and the caller asked not to wait."""


def holder(out: Path) -> str:
    """Who holds the lock, as a clerk would read it ("lệnh report, tiến trình 4127, từ 09:12:03")."""
    try:
        info = json.loads((Path(out) / HOLDER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "một lệnh khác"
    since = info.get("since", "")[11:19]
    return f"lệnh {info.get('command', '?')}, tiến trình {info.get('pid', '?')} trên máy {info.get('host', '?')}" + \
        (f", từ {since}" if since else "")


@contextmanager
def folder_lock(out: Path, command: str, *, wait: bool = True,
                on_wait: Callable[[str], None] = lambda message: None) -> Iterator[None]:
    """Hold `out`'s lock while the block runs. Taken already: wait (after telling `on_wait` who has
    it) or, `wait=False`, raise Busy. Not re-entrant: a block holding it must not take it again
    (`make_report`, `send_reports` and `send_reminders` each take it once; `watch` calls them
    without holding it)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    lock = FileLock(out / LOCK_NAME)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        message = f"Thư mục kết quả {out} đang được dùng bởi {holder(out)}."
        if not wait:
            raise Busy(message + " Đợi lệnh đó xong rồi chạy lại (hoặc bỏ --no-wait để tự đợi).") from None
        on_wait(message + " Đang đợi lệnh đó xong…")
        lock.acquire()
    try:
        info = {"command": command, "pid": os.getpid(), "host": socket.gethostname(),
                "since": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "argv": sys.argv}
        with suppress(OSError):
            (out / HOLDER_NAME).write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
        yield
    finally:
        with suppress(OSError):
            (out / HOLDER_NAME).unlink()
        lock.release()
