"""Writing output files safely: each file whole or not at all, a quarter's whole set of outputs
replaced at once, readable only by whom the configuration says; names a file system accepts."""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path: Path):
    """Yield a temporary path beside `path`; it replaces `path` only if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=path.suffix)
    os.close(fd)
    try:
        yield Path(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs are ordinary files
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def safe_name(text: str) -> str:
    """A unit code as a file or folder name: nothing a file system refuses."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", str(text)).strip(" .") or "_"


# ---------- who may read the outputs ----------

# `output_access` in the configuration: outputs carry citizen IDs and birth dates.
ACCESS_UMASK = {"owner": 0o077,   # folders 0700, files 0600: only the account that runs the pipeline
                "group": 0o007}   # 0770 / 0660: a department's shared group folder


@contextmanager
def access(kind: str):
    """Files and folders made inside the block are readable as `kind` says (ACCESS_UMASK), the
    process's umask restored after. Files written through `atomic_path` follow it too."""
    previous = os.umask(ACCESS_UMASK[kind])
    try:
        yield
    finally:
        os.umask(previous)


def restrict(root: Path, kind: str) -> None:
    """Every folder and file below `root` (and `root`) set to what `kind` allows: files carried over
    from an earlier run (linked, not rewritten) keep the mode they were made with otherwise."""
    umask = ACCESS_UMASK[kind]
    for path in [Path(root), *Path(root).rglob("*")]:
        if path.is_symlink():
            continue
        os.chmod(path, (0o777 if path.is_dir() else 0o666) & ~umask)


# ---------- a whole set of outputs replaced at once ----------

def staging_for(live: Path) -> Path:
    """Where the next set of `live`'s outputs is written before it replaces them (`.2022-Q3.new`)."""
    return live.with_name(f".{live.name}.new")


def _retired(live: Path) -> Path:
    return live.with_name(f".{live.name}.old")


def recover(live: Path) -> None:
    """Undo what a run killed in mid-switch left: the previous set put back when the new one never
    took its place; a half-written next set, or a replaced set not yet removed, deleted."""
    retired = _retired(live)
    if not live.exists() and retired.is_dir():
        os.rename(retired, live)
    for leftover in (staging_for(live), retired):
        if leftover.exists():
            shutil.rmtree(leftover, ignore_errors=True)


def seed(live: Path, staging: Path, copied: tuple[str, ...] = ()) -> None:
    """Start the next set from the current one: every file hard-linked (kept packages cost nothing
    and are never rewritten in place: every write replaces its file, `atomic_path`), except the
    `copied` names, which are real copies (a file appended to, such as a history)."""
    if staging.exists():
        shutil.rmtree(staging)
    if not live.is_dir():
        staging.mkdir(parents=True)
        return
    for source in [live, *sorted(live.rglob("*"))]:
        target = staging / source.relative_to(live)
        if source.is_dir() and not source.is_symlink():
            target.mkdir(exist_ok=True)
        elif source.is_file() and not source.is_symlink():
            if source.name in copied:
                shutil.copy2(source, target)
                continue
            try:
                os.link(source, target)
            except OSError:            # a file system without hard links
                shutil.copy2(source, target)


def switch(staging: Path, live: Path) -> None:
    """Put the complete set `staging` in `live`'s place. On Linux one atomic exchange of the two
    folders (renameat2 RENAME_EXCHANGE): at every moment `live` is the old set or the new one.
    Elsewhere two renames, and `recover` puts the old set back if the process dies between them."""
    if not live.exists():
        os.rename(staging, live)
        return
    if _exchange(staging, live):
        shutil.rmtree(staging, ignore_errors=True)   # the old set, now under the staging name
        return
    retired = _retired(live)
    os.rename(live, retired)
    os.rename(staging, live)
    shutil.rmtree(retired, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """renameat2(a, b, RENAME_EXCHANGE); False where the system or file system has no such call."""
    try:
        call = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if call(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EXDEV, errno.EPERM, getattr(errno, "ENOTSUP", errno.EINVAL)):
        return False
    raise OSError(code, os.strerror(code), str(b))
