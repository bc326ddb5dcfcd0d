"""Write a result folder completely in a temporary place, then swap it into place.

Nothing lost, nothing half-written:

* The new folder is staged as `DIR/<stem>/.<scenario>.tmp-<uuid>/` (uuid4: names never collide,
  whatever the PIDs) created with `mkdir`, so its mode follows the umask like any folder.
* Swap: on Linux `renameat2(RENAME_EXCHANGE)` exchanges the old and the new folder in one system
  call, so a reader always sees either the complete old folder or the complete new one. Where it
  is not available (macOS, Windows, some file systems) the old folder is renamed aside to
  `.<scenario>.old-<uuid>` and the new one renamed in: between these two renames (microseconds)
  the folder is absent; a run killed exactly there leaves the old folder aside, and the next run
  puts it back.
* A run without a plan (infeasible, unbounded, time limit without a feasible plan, an error
  while writing its diagnosis) never replaces a plan: if `<scenario>/` holds a plan (a `csv/`
  folder) the diagnosis goes to `DIR/<stem>/_failed/<scenario>/` instead (`_` cannot start a
  scenario name, so this never collides with a scenario). Whenever `<scenario>/` itself is
  written, an older `_failed/<scenario>/` is removed: it no longer describes the latest run.
* Each staging folder has a lock file `.<scenario>.lock-<uuid>`, locked (flock) by its run until
  the swap is finished. A run starts by removing staging folders whose lock is free (their run
  died, even by SIGKILL); without flock (Windows) those older than an hour.
* SIGINT and SIGTERM are held back during the swap and during the removal of a staging folder,
  so an interrupt never splits them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import re
import shutil
import signal
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: stale staging folders are recognised by age only
    fcntl = None

FAILED = "_failed"
STALE_SECONDS = 3600
_PART = re.compile(r"^\.(?P<name>.+)\.(?P<kind>tmp|old|lock)-(?P<uid>[0-9a-f]{32})$")


@dataclass
class Stage:
    """A staging folder: write into `path`; after the `with` block `folder` is where it went."""
    path: Path
    folder: Path | None = None


def holds_plan(folder: Path) -> bool:
    return (Path(folder) / "csv").is_dir()


def failed_folder(target: Path) -> Path:
    """Where a run without a plan writes its diagnosis when `target` holds a plan."""
    return target.parent / FAILED / target.name


@contextmanager
def deferred_signals():
    """Hold SIGINT and SIGTERM back for the block, then deliver them (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    sigs = [s for s in (signal.SIGINT, getattr(signal, "SIGTERM", None))
            if s is not None and signal.getsignal(s) is not None]  # None: not set from Python
    old = {s: signal.signal(s, lambda n, f: caught.append(n)) for s in sigs}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        for s in dict.fromkeys(caught):
            signal.raise_signal(s)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C's KeyboardInterrupt so the same clean-up runs."""


def raise_interrupt(signum, frame) -> None:
    """SIGINT and SIGTERM handler. Code cut short by it (openpyxl's generators) reports errors
    while being unwound; the run is stopping, so those reports are not shown."""
    sys.unraisablehook = lambda unraisable: None
    raise Terminated() if signum == getattr(signal, "SIGTERM", None) else KeyboardInterrupt()


def ignore_interrupts() -> None:
    """From here on SIGINT and SIGTERM are ignored (a second Ctrl-C must not stop the clean-up)."""
    if threading.current_thread() is threading.main_thread():
        for s in (signal.SIGINT, getattr(signal, "SIGTERM", None)):
            if s is not None:
                signal.signal(s, signal.SIG_IGN)


# ---------------------------------------------------------------- locks
def _lock(path: Path) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def _owner_gone(lock: Path, entry: Path) -> bool:
    """True when the run that owns `entry` is over: its lock is free (or gone), or, without
    flock, `entry` is older than STALE_SECONDS. A free lock stays held by the caller until closed."""
    if fcntl is None:
        try:
            return time.time() - entry.lstat().st_mtime > STALE_SECONDS
        except FileNotFoundError:
            return True
    try:
        fd = os.open(lock, os.O_RDWR)
    except FileNotFoundError:
        return True  # the lock is created before and removed after everything it covers
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def clean_stale(parent: Path) -> list[Path]:
    """Remove what runs that died left in `parent` (staging folders, set-aside folders, locks);
    a set-aside old folder whose scenario folder is missing is put back. Returns what was removed."""
    parent = Path(parent)
    try:
        names = sorted(os.listdir(parent), key=lambda n: "tmp old lock".find(n.rsplit(".", 1)[-1][:3]))
    except OSError:
        return []
    removed = []
    for n in names:
        m = _PART.match(n)
        if not m:
            continue
        entry, lock = parent / n, parent / f".{m['name']}.lock-{m['uid']}"
        if not _owner_gone(lock, entry):
            continue
        if m["kind"] == "old" and not (parent / m["name"]).exists():
            os.replace(entry, parent / m["name"])  # killed between the two renames of the fallback
            continue
        with deferred_signals():
            if m["kind"] == "lock":
                entry.unlink(missing_ok=True)
            else:
                shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


# ---------------------------------------------------------------- the swap
def _renameat2():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        f = libc.renameat2
    except (OSError, AttributeError):
        return None
    f.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return f


_RENAMEAT2 = _renameat2() if os.name == "posix" else None
AT_FDCWD, RENAME_EXCHANGE = -100, 2


def exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths atomically; False when the system cannot (then nothing changed)."""
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    e = ctypes.get_errno()
    if e in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(e, os.strerror(e), str(b))


def _swap_in(tmp: Path, target: Path, aside: Path) -> None:
    """Put `tmp` at `target`; whatever was at `target` ends at `tmp` or at `aside`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and exchange(tmp, target):
        return
    if target.exists():
        os.replace(target, aside)
    os.replace(tmp, target)


@contextmanager
def staged_folder(target: Path, plan: bool = True):
    """Yield a Stage beside `target`; on success it is swapped in (see the module docstring).
    `plan=False` (a run without a plan) never replaces a folder that holds a plan."""
    target = Path(target)
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    for d in (parent, parent / FAILED):
        clean_stale(d)
    uid = uuid.uuid4().hex
    lock = parent / f".{target.name}.lock-{uid}"
    tmp, aside = parent / f".{target.name}.tmp-{uid}", parent / f".{target.name}.old-{uid}"
    fd = _lock(lock)
    stage = Stage(tmp)
    try:
        os.mkdir(tmp)  # mode 0o777 & ~umask, like any folder the user makes
        yield stage
        with deferred_signals():
            dest = target if plan or not holds_plan(target) else failed_folder(target)
            _swap_in(tmp, dest, aside)
            stage.folder = dest
            if dest == target:
                _remove_failed(target)
    finally:
        with deferred_signals():
            shutil.rmtree(tmp, ignore_errors=True)  # the new folder on failure, the old one on success
            shutil.rmtree(aside, ignore_errors=True)
            lock.unlink(missing_ok=True)
            os.close(fd)


def _remove_failed(target: Path) -> None:
    shutil.rmtree(failed_folder(target), ignore_errors=True)
    try:
        os.rmdir(target.parent / FAILED)
    except OSError:
        pass  # not empty, or absent


def identity(folder: Path) -> tuple[int, int] | None:
    """(device, inode) of a folder, None when absent: a swapped-in folder has a new identity."""
    try:
        st = os.stat(folder)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def check_writable(folder: Path) -> None:
    """Raise OSError when `folder` (or the nearest existing parent it would be made in) cannot
    receive a new folder. Nothing is left behind."""
    base = Path(folder).absolute()
    while not base.exists() and base != base.parent:
        base = base.parent
    if not base.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(base))
    probe = base / f".reeplan-probe-{uuid.uuid4().hex}"
    os.mkdir(probe)
    os.rmdir(probe)
