"""Run one function in a forked child process while this one goes on (charts beside plan.xlsx).

Only from a main process on a machine with two or more cores where fork exists (Linux, macOS):
in a batch or cluster worker the cores are already busy, and spawning a fresh interpreter would
cost more than it saves. Elsewhere the function simply runs when its result is asked for.
The child gets this process's memory as it is (arguments given later with `give` are pickled);
its result, or the exception it raised, comes back pickled through a pipe.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
from typing import Any, Callable


def can_fork() -> bool:
    return ("fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) >= 2
            and multiprocessing.parent_process() is None)


def _child(conn, other, fn: Callable, args: tuple | None, warm: Callable | None) -> None:
    other.close()  # this process's copy of the parent's end: the parent closing its own is an EOF here
    # Ctrl-C reaches the whole process group: the parent decides (and kills this child); SIGTERM
    # ends it quietly rather than through the parent's handler
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        if warm is not None:
            warm()
        if args is None:
            args = conn.recv()  # EOFError: the parent gave up on it
        result = ("ok", fn(*args))
    except EOFError:
        return
    except BaseException as e:  # noqa: BLE001 - handed to the parent, which raises it
        result = ("error", e)
    try:
        try:
            conn.send(result)
        except (pickle.PicklingError, TypeError, AttributeError) as e:  # an unpicklable result or exception
            conn.send(("error", RuntimeError(f"{type(e).__name__}: {e}")))
    except OSError:  # the parent is gone (interrupted): nobody to tell
        pass
    conn.close()


class Later:
    """fn(*args), computed in a forked child when possible; `result()` waits for it (and raises
    what the child raised). `cancel()` kills the child.

    `Later(fn, warm=w)` without args forks at once: the child runs w() (imports, say) while this
    process goes on, then waits for `give(*args)` (sent pickled)."""

    def __init__(self, fn: Callable, *args: Any, fork: bool = True, warm: Callable | None = None):
        self.fn, self.args, self.proc, self.conn = fn, args, None, None
        if fork and can_fork():
            ctx = multiprocessing.get_context("fork")
            self.conn, child = ctx.Pipe()
            self.proc = ctx.Process(target=_child, args=(child, self.conn, fn, args if args else None, warm),
                                    daemon=True)
            self.proc.start()
            child.close()

    def give(self, *args: Any) -> None:
        """The arguments of a Later made without them."""
        if self.proc is None:
            self.args = args
        else:
            self.conn.send(args)

    def result(self) -> Any:
        if self.proc is None:
            return self.fn(*self.args)
        try:
            status, value = self.conn.recv()
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
            self.conn.close()
            self.proc = None
