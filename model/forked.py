"""Run one function in a forked child process while this one goes on (charts beside plan.xlsx).

Only from a main process on a machine with two or more cores where fork exists (Linux, macOS):
in a batch or cluster worker the cores are already busy, and spawning a fresh interpreter would
cost more than it saves. The exception is a batch worker's scenario that no other waits behind
(SPARE_CORES, Linux only): the other workers are going idle. Elsewhere the function simply runs
when its result is asked for. The child gets this process's memory as it is (arguments given
later are pickled and sent through a pipe); its result, or the exception it raised, comes back
pickled through another. On Linux the child is killed when its parent dies, however it dies.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
from typing import Any, Callable

from .write.folder import deferred_signals

try:
    from fcntl import F_SETPIPE_SZ, fcntl
except ImportError:  # not Linux: sending more than the pipe holds waits for the child to read
    F_SETPIPE_SZ = fcntl = None

# Bytes the pipe to the child holds (Linux's default largest; 64 kB otherwise): arguments up to
# this size are sent without waiting for a busy child to read them, and without a sending thread
# (a thread could take the signals meant for this process's main thread).
PIPE_BYTES = 1 << 20


# A batch worker sets it while it runs a scenario no other task waits behind (batch.run_shared):
# the other workers are about to go idle, so its charts may be drawn beside it on their cores.
SPARE_CORES = False


def can_fork() -> bool:
    return ("fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) >= 2
            and (multiprocessing.parent_process() is None or (SPARE_CORES and _dies_with_parent())))


def _dies_with_parent(parent: int | None = None) -> bool:
    """Linux: have the kernel kill this process (SIGKILL) when its parent dies; called in a
    child with the parent's pid, or without to ask whether it can be done. A batch worker killed
    by an interrupt (batch.stop) runs no clean-up: its chart child must not go on writing into
    the staging folder the batch removes."""
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux
        return False
    if parent is not None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # it died before that was set
            os._exit(0)
    return True


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _child(inbox, outbox, others, fn: Callable, args: tuple | None, warm: Callable | None, idle: Callable | None,
           early: Callable | None, parent: int) -> None:
    _dies_with_parent(parent)
    for end in others:  # this process's copies of the parent's ends: the parent closing its own is an EOF here
        end.close()
    # Ctrl-C reaches the whole process group: the parent decides (and kills this child); SIGTERM
    # ends it quietly rather than through the parent's handler
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        if warm is not None:
            warm()
        if idle is not None and args is None:
            idle(inbox.poll)  # True once a message (or the parent's EOF) is there
        done = {}  # fn(*args, early=what early returned), if it ran
        while args is None:
            kind, message = inbox.recv()  # EOFError: the parent gave up on it
            if kind == "early":
                done["early"] = early(*message)
            else:
                args = message
        result = ("ok", fn(*args, **done))
    except EOFError:
        return
    except BaseException as e:  # noqa: BLE001 - handed to the parent, which raises it
        result = ("error", e)
    try:
        try:
            outbox.send(result)
        except (pickle.PicklingError, TypeError, AttributeError) as e:  # an unpicklable result or exception
            outbox.send(("error", RuntimeError(f"{type(e).__name__}: {e}")))
    except OSError:  # the parent is gone (interrupted): nobody to tell
        pass
    outbox.close()


def _pipes(ctx):
    """(child's inbox, this process's end of it, this process's inbox, child's end of it)."""
    inbox, to_child = ctx.Pipe(duplex=False)
    if fcntl is not None:
        try:
            fcntl(to_child.fileno(), F_SETPIPE_SZ, PIPE_BYTES)
        except OSError:  # a lower limit (/proc/sys/fs/pipe-max-size): sends of more wait
            pass
    from_child, outbox = ctx.Pipe(duplex=False)
    return inbox, to_child, from_child, outbox


class Later:
    """fn(*args), computed in a forked child when possible; `result()` waits for it (and raises
    what the child raised). `cancel()` kills the child.

    `Later(fn, warm=w)` without args forks at once: the child runs w() (imports, say) while this
    process goes on, then waits for `give(*args)`. `idle=i`: meanwhile the child runs i(ready)
    (work made ahead for fn), which returns as soon as ready() is True. `early=e`: `early(*a)`
    has the child run e(*a) (part of fn's work, on part of its arguments) before `give`, then
    fn(*args, early=<what e returned>); without a child it does nothing, and fn does it all."""

    def __init__(self, fn: Callable, *args: Any, fork: bool = True, warm: Callable | None = None,
                 idle: Callable[[Callable[[], bool]], None] | None = None, early: Callable | None = None):
        self.fn, self.args, self.proc = fn, args, None
        if fork and can_fork():
            ctx = multiprocessing.get_context("fork")
            inbox, self.to_child, self.from_child, outbox = _pipes(ctx)
            self.proc = ctx.Process(target=_child, args=(inbox, outbox, (self.to_child, self.from_child), fn,
                                                         args if args else None, warm, idle, early, os.getpid()),
                                    daemon=True)
            try:
                with deferred_signals():  # an interrupt during fork() would run, and be lost, in an at-fork hook
                    self.proc.start()
            except BaseException:  # that interrupt, raised now: the child is not wanted
                if self.proc.pid is not None:
                    self.cancel()
                raise
            finally:
                inbox.close()
                outbox.close()

    @property
    def forked(self) -> bool:
        return self.proc is not None

    def early(self, *args: Any) -> None:
        """Arguments for the child's `early` function (nothing without a child)."""
        if self.proc is not None:
            self.to_child.send(("early", args))

    def give(self, *args: Any) -> None:
        """The arguments of a Later made without them."""
        if self.proc is None:
            self.args = args
        else:
            self.to_child.send(("args", args))

    def result(self) -> Any:
        if self.proc is None:
            return self.fn(*self.args)
        try:
            status, value = self.from_child.recv()
        except EOFError:
            self.proc.join(5)  # the pipe closes as it dies: wait for its exit code
            raise RuntimeError(f"the process running {self.fn.__name__} died "
                               f"(exit code {self.proc.exitcode})") from None
        finally:
            self.proc.join(5)  # it has sent its result and is exiting
            self.cancel()
        if status == "error":
            raise value
        return value

    def cancel(self) -> None:
        """Kill the child now if it still runs (an interrupt, or an error in this process)."""
        if self.proc is not None:
            if self.proc.is_alive():
                self.proc.kill()
            self.proc.join()
            self.to_child.close()
            self.from_child.close()
            self.proc = None
