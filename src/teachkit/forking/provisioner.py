"""A kernel provisioner whose kernels are forked from one warm parent.

:class:`ForkingProvisioner` is jupyter_client's
:class:`~jupyter_client.provisioning.LocalProvisioner` with one change: instead of
``Popen(python -m ipykernel_launcher -f FILE)``, it asks the server's warm parent
(:mod:`teachkit.forking.parent`, shared by all its kernels) for a child that runs that
same command's kernel. ``teachkit serve`` starts the parent before Voila and hands it
over (:data:`HANDOFF_ENV`), so its warm-up runs while Voila starts; a server not started
so starts its own at the first kernel. Everything else (the connection file, its
ports or ipc sockets, interrupt by SIGINT to the kernel's group, shutdown, kill,
culling, clean-up) is LocalProvisioner's, applied to :class:`ForkedProcess`, a
Popen-like handle on the child.

Registered as the entry point ``teachkit-fork`` of ``jupyter_client.kernel_provisioners``
(pyproject.toml); ``teachkit serve`` makes it Voila's default (``--no-fork`` does not) with
``--KernelProvisionerFactory.default_provisioner_name=teachkit-fork``.

Pages that once did not render (issue 19): ipykernel 7 sends a cell's reply on the shell
channel while the cell's outputs still wait in its IOPub thread (measured: comm messages
made 3 s before the reply arrived just after it, in forked and ordinary kernels alike),
and nbclient, which runs a preheated lesson for Voila, drops outputs that arrive more
than ``iopub_timeout`` (4 s) after the reply. Forked kernels met that limit more often
(17 timeouts against 7 under the same load), because a pool's kernels all fork the
moment the parent is warm and run their lessons together, where ordinary ones are
spread out by their imports. Voila now waits 2 minutes (``jupyter_data/config/voila.py``).

Where forking is unavailable or fails (not Linux, the parent cannot warm up or would
fork with threads, a kernel that is not this Python's ipykernel), the kernel is
launched the ordinary way and the server's log says so once.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
from concurrent.futures import Future
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

__all__ = ["HANDOFF_ENV", "ForkServer", "ForkUnavailable", "ForkedProcess",
           "ForkingProvisioner", "HandedParent", "kernel_arguments", "parent_command",
           "read_ready", "start_parent"]

#: Seconds the first kernel waits for the parent to warm up (imports, cohort, models;
#: ~10-15 s on a busy 2-core machine) before ordinary kernels are used instead.
WARM_UP_TIMEOUT = 600.0
#: Seconds to wait for a child once the parent is warm.
FORK_TIMEOUT = 60.0
#: Command-line space the parent reserves for its children's titles (``ps``).
TITLE_SPACE = 600

#: How ``teachkit serve`` hands the warm parent it started to Voila's process:
#: ``"<pid>:<request fd>:<reply fd>"``, the two pipe ends inherited by Voila.
HANDOFF_ENV = "TEACHKIT_FORK_PARENT"
#: Variables of the server's environment the parent must not hold (its environment is
#: readable in /proc by the kernels' user): the room's token and the facilitator's key.
SECRETS = ("TEACHKIT_VOILA_TOKEN", "TEACHKIT_INSTRUCTOR_TOKEN")

_SAID: set[str] = set()


def _say_once(log, message: str) -> None:
    if message not in _SAID:
        _SAID.add(message)
        log.warning("teachkit: %s", message)


class ForkUnavailable(RuntimeError):
    """The warm parent cannot give this kernel (the caller starts an ordinary one)."""


def kernel_arguments(cmd: list[str], executable: str = sys.executable) -> list[str] | None:
    """The ipykernel arguments of a kernel command this Python can fork, or None.

    Examples
    --------
    >>> import sys
    >>> kernel_arguments([sys.executable, "-m", "ipykernel_launcher", "-f", "k.json"])
    ['-f', 'k.json']
    >>> kernel_arguments(["/opt/R/bin/R", "--slave", "-f", "k.json"]) is None
    True
    """
    if len(cmd) < 3 or list(cmd[1:3]) != ["-m", "ipykernel_launcher"]:
        return None
    if os.path.abspath(cmd[0]) != os.path.abspath(executable):
        return None
    return list(cmd[3:])


class ForkedProcess:
    """A Popen-like handle on a kernel forked by the warm parent (not our child: the
    parent reaps it and reports its exit code).

    Parameters
    ----------
    pid : int
        The child's pid; it leads its own process group.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        self._exited = threading.Event()

    def _set_exited(self, code: int) -> None:
        if self.returncode is None:
            self.returncode = code
        self._exited.set()

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if not self._exited.wait(timeout):
            raise subprocess.TimeoutExpired(f"forked kernel {self.pid}", timeout)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:  # once reaped, the pid may be someone else's
            try:
                os.kill(self.pid, signum)
            except ProcessLookupError:
                pass

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def parent_command(env: dict[str, str], server_pid: int) -> tuple[list[str], dict[str, str]]:
    """The warm parent's command and environment, for a server of pid ``server_pid``
    whose kernels get ``env``: without Jupyter's per-kernel variables and the room's
    secrets, with :data:`~teachkit.forking.parent.WARM_ENV`."""
    from .parent import WARM_ENV  # before any import: ``-m`` imports teachkit first

    parent_env = {k: v for k, v in env.items()
                  if not k.startswith("JPY_") and k not in SECRETS and k != HANDOFF_ENV}
    parent_env.update({k: v for k, v in WARM_ENV.items() if k not in parent_env
                       or k.endswith(("_THREADS", "_CONF"))})
    cmd = [sys.executable, "-m", "teachkit.forking.parent",
           "--server-pid", str(server_pid), "--room", "." * TITLE_SPACE]
    return cmd, parent_env


def start_parent(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """Start the warm parent now, for a server about to be started with ``env`` as this
    process's child: its warm-up (imports, cohort, models) then runs while the server
    starts instead of after. Returns the process and the value of :data:`HANDOFF_ENV`
    for the server, which must inherit both pipe ends (``pass_fds``); close them here
    once the server has started (:func:`handed_fds`).

    Raises
    ------
    OSError
        The parent could not be started (the server then starts its own).
    """
    cmd, parent_env = parent_command(env, os.getpid())
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            env=parent_env, start_new_session=True)
    return proc, f"{proc.pid}:{proc.stdin.fileno()}:{proc.stdout.fileno()}"


def read_ready(proc) -> dict:
    """The warm parent's ready event (``{"ready": ...}``), read from the stdout of
    ``proc`` (started with :func:`parent_command`); other lines before it are skipped.
    ``{}`` if its output ends first."""
    for line in proc.stdout:
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if isinstance(message, dict) and "ready" in message:
            return message
    return {}


def handed_fds(spec: str) -> tuple[int, int]:
    """The two descriptors a :data:`HANDOFF_ENV` value names.

    Examples
    --------
    >>> handed_fds("4321:5:7")
    (5, 7)
    """
    return tuple(int(x) for x in spec.split(":")[1:3])


class HandedParent:
    """A Popen-like handle on a warm parent started by ``teachkit serve`` and handed to
    this server (not this process's child: its end is the end of its replies, and its
    exit code is never known here)."""

    returncode = None

    def __init__(self, pid: int, request_fd: int, reply_fd: int):
        self.pid = pid
        for fd in (request_fd, reply_fd):
            os.set_inheritable(fd, False)  # no ordinary kernel inherits them
        self.stdin = os.fdopen(request_fd, "wb")
        self.stdout = os.fdopen(reply_fd, "rb")

    @classmethod
    def from_spec(cls, spec: str) -> HandedParent:
        """From a :data:`HANDOFF_ENV` value.

        Raises
        ------
        ValueError
            The value is not ``pid:fd:fd`` of a live process and two open pipes.
        """
        try:
            pid, request_fd, reply_fd = (int(x) for x in spec.split(":"))
            os.kill(pid, 0)
            for fd in (request_fd, reply_fd):
                os.fstat(fd)
        except (ValueError, OSError) as exc:
            raise ValueError(f"{HANDOFF_ENV} must be pid:fd:fd of the warm parent "
                             f"teachkit serve started; got {spec!r} ({exc})") from None
        return cls(pid, request_fd, reply_fd)

    def poll(self) -> None:
        """None: its exit code is ``teachkit serve``'s to read."""
        return self.returncode

    def wait(self, timeout: float | None = None) -> None:
        return self.returncode


class ForkServer:
    """The warm parent of one server's kernels, and the thread that reads its replies.

    One per server process (:meth:`shared`). Handed over by ``teachkit serve``, which
    starts it before the server (``adopt``: a :data:`HANDOFF_ENV` value), or else
    started by the server's kernel manager with the kernels' environment; ``ready``
    resolves when it is warm, or with the reason why it cannot fork.
    """

    _shared: ForkServer | None = None
    _lock = threading.Lock()

    def __init__(self, env: dict[str, str], *, adopt: str | None = None):
        self.ready: Future = Future()
        self.warm_info: dict = {}
        self._pending: dict[int, Future] = {}
        self._children: dict[int, ForkedProcess] = {}
        self._exits: dict[int, int] = {}
        self._next_id = 0
        self._write_lock = threading.Lock()
        self._send_lock = threading.Lock()
        if adopt is not None:
            try:
                self.proc = HandedParent.from_spec(adopt)
            except ValueError as exc:
                self.proc = None
                self.ready.set_exception(ForkUnavailable(str(exc)))
                return
        else:
            cmd, parent_env = parent_command(env, os.getpid())
            try:
                self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, env=parent_env,
                                             start_new_session=True)
            except OSError as exc:
                self.proc = None
                self.ready.set_exception(ForkUnavailable(
                    f"the warm parent did not start: {exc}"))
                return
        threading.Thread(target=self._read, name="teachkit-fork-reader", daemon=True).start()

    @classmethod
    def shared(cls, env: dict[str, str]) -> ForkServer:
        """This server's warm parent: the one ``teachkit serve`` started and handed to
        this process (:data:`HANDOFF_ENV`, taken out of the environment here, so no
        kernel sees it), or else one started now with ``env``."""
        with cls._lock:
            if cls._shared is None:
                handed = os.environ.pop(HANDOFF_ENV, None)
                env.pop(HANDOFF_ENV, None)
                cls._shared = cls(env, adopt=handed)
            return cls._shared

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def _read(self) -> None:
        for line in self.proc.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if "ready" in message:
                if message["ready"]:
                    self.warm_info = message
                    self.ready.set_result(message)
                else:
                    self.ready.set_exception(ForkUnavailable(message.get("reason", "")))
            elif "exited" in message:
                child = self._children.pop(message["exited"], None)
                if child is not None:
                    child._set_exited(int(message["code"]))
            elif "id" in message:
                future = self._pending.pop(message["id"], None)
                if future is None:
                    continue
                if "pid" in message:
                    child = ForkedProcess(int(message["pid"]))
                    self._children[child.pid] = child
                    future.set_result(child)
                else:
                    future.set_exception(ForkUnavailable(message.get("error", "")))
        # The parent is gone: its children were sent SIGTERM (PR_SET_PDEATHSIG); make
        # sure, and count them as ended.
        self.proc.wait()
        gone = ForkUnavailable(f"the warm parent exited (code {self.proc.returncode})")
        if not self.ready.done():
            self.ready.set_exception(gone)
        for future in list(self._pending.values()):
            if not future.done():
                future.set_exception(gone)
        for child in list(self._children.values()):
            child.kill()
            child._set_exited(-signal.SIGKILL)
        self._children.clear()

    def _send(self, line: bytes) -> None:
        with self._send_lock:
            self.proc.stdin.write(line)
            self.proc.stdin.flush()

    async def fork(self, argv: list[str], *, env: dict[str, str], cwd: str) -> ForkedProcess:
        """A kernel forked from the warm parent, running ipykernel with ``argv``.

        Raises
        ------
        ForkUnavailable
            The parent could not warm up, exited, or could not fork this kernel.
        """
        try:
            await asyncio.wait_for(asyncio.wrap_future(self.ready), WARM_UP_TIMEOUT)
        except TimeoutError:
            raise ForkUnavailable(f"the warm parent was not ready after "
                                  f"{WARM_UP_TIMEOUT:.0f} s") from None
        future: Future = Future()
        with self._write_lock:
            self._next_id += 1
            request_id = self._next_id
            self._pending[request_id] = future
        line = (json.dumps({"id": request_id, "argv": argv, "env": env, "cwd": cwd})
                + "\n").encode()
        try:
            # Off the event loop: a pool's requests can fill the pipe while the parent
            # forks, and the server's one thread must not wait for it.
            await asyncio.to_thread(self._send, line)
        except (OSError, ValueError) as exc:
            self._pending.pop(request_id, None)
            raise ForkUnavailable(f"the warm parent is gone ({exc})") from None
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), FORK_TIMEOUT)
        except TimeoutError:
            raise ForkUnavailable(f"no kernel from the warm parent after "
                                  f"{FORK_TIMEOUT:.0f} s") from None


class ForkingProvisioner(LocalProvisioner):
    """LocalProvisioner whose Python kernels are forked from the server's warm parent.

    Examples
    --------
    A kernel spec can name it (``"metadata": {"kernel_provisioner": {"provisioner_name":
    "teachkit-fork"}}``), or a server can make it the default::

        voila notebooks/ --KernelProvisionerFactory.default_provisioner_name=teachkit-fork
    """

    forked = False

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        argv = kernel_arguments(cmd)
        if argv is None:
            _say_once(self.log, f"kernel {cmd[:3]} is not this Python's ipykernel: it is "
                                "started the ordinary way, not forked")
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        try:
            server = ForkServer.shared(env)
            process = await server.fork(argv, env=env, cwd=cwd)
        except ForkUnavailable as exc:
            _say_once(self.log, f"kernels are not forked ({exc}); starting ordinary "
                                "kernels instead")
            return await super().launch_kernel(cmd, **kwargs)
        if not self.forked:
            _say_once(self.log, f"kernels are forked from a warm parent (pid {server.pid}, "
                                f"warm in {server.warm_info.get('seconds')} s: "
                                f"{', '.join(server.warm_info.get('warm', []))})")
        self.forked = True
        self.process = process
        self.pid = self.pgid = process.pid  # the child made its own session and group
        self.cwd = cwd
        return self.connection_info
