"""Run one submission in a sandboxed kernel and report what happened, as JSON.

``python -m teachkit.grading._driver`` reads a job (JSON) on stdin and writes one JSON
object on stdout. It runs in the grader's own, trusted, Python: it starts the kernel
inside the sandbox (:mod:`.sandbox`), sends it the submission's code cells one by one
(nbclient), then the extraction cells written by the grader (one per answer), and keeps only:

- for each cell, whether it raised (name and first line of the message) or timed out;
- the record each extraction cell displayed (one answer each, as plain data, then the
  tamper check), and how many look-alike records anything else displayed (a forgery);
- whether the kernel died, or the whole notebook ran out of time and was killed.

Everything else the kernel sends (printed text, figures) is dropped unread, so a
submission that prints gigabytes cannot exhaust the grader's memory. The driver never
judges: the answers go back to the grader's process as data.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from .judge import ANSWERS_MIME, UNUSED_SLOW_IMPORTS

MAX_PAYLOAD_CHARS = 5_000_000
MAX_TEXT = 300


def _short(text, limit=MAX_TEXT):
    text = str(text).strip().splitlines()[0] if str(text).strip() else ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sandbox_children(km) -> list[int]:
    """The processes the sandbox's outer process (prlimit, then unshare) started."""
    process = getattr(km.provisioner, "process", None) if km.provisioner else None
    if process is None:
        return []
    try:
        with open(f"/proc/{process.pid}/task/{process.pid}/children") as fh:
            return [int(p) for p in fh.read().split()]
    except OSError:
        return []


def kill_sandbox(km) -> None:
    """Kill the sandbox: its init (the kernel) and the unshare process around it."""
    for pid in _sandbox_children(km):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    process = getattr(km.provisioner, "process", None) if km.provisioner else None
    if process is not None and process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            process.kill()
        except OSError:
            pass


def run_job(job: dict) -> dict:
    import nbformat
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    from ._cgroup import SubmissionCgroup, cgroup_support
    from .sandbox import Limits, SandboxPlan

    limits = Limits(**job["limits"])
    scratch = Path(job["scratch"])
    cgroup = None
    if job["mode"] == "root":
        version, _ = cgroup_support()
        if version:
            try:
                cgroup = SubmissionCgroup(version, limits.memory_mb * 1024 * 1024,
                                          limits.processes).create()
            except OSError:  # per-process limits still hold (prlimit)
                cgroup = None
    plan = SandboxPlan(job["mode"], scratch, hide=[Path(p) for p in job["hide"]],
                       limits=limits, cgroup_procs=cgroup.procs_files if cgroup else [])
    scratch.mkdir(parents=True, exist_ok=True)

    class SandboxedKernelManager(AsyncKernelManager):
        def format_kernel_cmd(self, extra_arguments=None):
            cmd = super().format_kernel_cmd(extra_arguments)
            if plan.mode == "root":  # the kernel (its own uid) must read its file
                os.chown(self.connection_file, plan.uid, plan.uid)
            return plan.wrap(cmd)

        async def interrupt_kernel(self):
            # SIGINT to the kernel itself (PID 1 of the sandbox), not to unshare, which
            # would die of it and take the kernel along.
            for pid in _sandbox_children(self):
                try:
                    os.kill(pid, signal.SIGINT)
                except OSError:
                    pass

    sources = [job["prelude"], *job["cells"], *job["extract"]]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    first_extract = len(sources) - len(job["extract"])
    report = {"cells": [None] * len(sources), "payloads": [None] * len(job["extract"]),
              "forged_payloads": 0, "kernel_died": False, "notebook_timed_out": False,
              "startup_error": None}

    class Client(NotebookClient):
        async def async_start_new_kernel_client(self):
            kc = await super().async_start_new_kernel_client()
            if plan.mode == "root":  # the sockets exist: the kernel may add no more files
                os.chmod(scratch, 0o750)
            return kc

        def output(self, outs, msg, display_id, cell_index):
            if msg["msg_type"] in ("display_data", "execute_result"):
                data = msg["content"].get("data", {})
                if ANSWERS_MIME in data:
                    k = cell_index - first_extract
                    payload = data[ANSWERS_MIME]
                    if k >= 0 and report["payloads"][k] is None and isinstance(payload, str) \
                            and len(payload) <= MAX_PAYLOAD_CHARS:
                        report["payloads"][k] = payload
                    else:  # displayed by the submission's own code: a forgery
                        report["forged_payloads"] += 1
            return None  # keep nothing else: printed text and figures are not graded

    def on_executed(cell, cell_index, execute_reply):
        content = (execute_reply or {}).get("content", {})
        entry = {"status": content.get("status", "unknown")}
        if entry["status"] == "error":
            entry["ename"] = _short(content.get("ename", "Error"), 80)
            entry["evalue"] = _short(content.get("evalue", ""))
        report["cells"][cell_index] = entry

    km = SandboxedKernelManager(kernel_name="python3")
    km.transport = "ipc"
    km.ip = str(scratch / "kernel")
    km.connection_file = str(scratch / "kernel.json")
    client = Client(
        nb, km=km, timeout=int(limits.cell_timeout), interrupt_on_timeout=True,
        error_on_timeout={"ename": "CellTimeoutError",
                          "evalue": f"the cell ran longer than {limits.cell_timeout:g} s"},
        allow_errors=True, record_timing=False, startup_timeout=90,
        shutdown_kernel="immediate", on_cell_executed=on_executed,
        extra_arguments=["--HistoryManager.enabled=False", "--colors=nocolor"],
    )

    def kill():
        report["notebook_timed_out"] = True
        kill_sandbox(km)

    timer = threading.Timer(limits.notebook_timeout, kill)
    timer.daemon = True
    start = time.monotonic()
    timer.start()
    log_path = scratch.parent / f"{scratch.name}.kernel.log"
    log = open(log_path, "wb")  # noqa: SIM115  closed below; size capped by RLIMIT_FSIZE
    try:
        client.execute(env=plan.environment(), cwd=str(scratch),
                       stdout=subprocess.DEVNULL, stderr=log)
    except DeadKernelError:
        report["kernel_died"] = True
    except RuntimeError as exc:  # the kernel did not start (e.g. the jail failed)
        if report["notebook_timed_out"]:
            report["kernel_died"] = True
        else:
            report["startup_error"] = _short(exc)
    except Exception as exc:  # noqa: BLE001  anything else is the sandbox failing
        if report["notebook_timed_out"]:
            report["kernel_died"] = True
        else:
            report["startup_error"] = f"{type(exc).__name__}: {_short(exc)}"
    finally:
        timer.cancel()
        log.close()
        kill_sandbox(km)
        if cgroup is not None:
            report["oom_killed"] = cgroup.oom_killed()
            cgroup.remove()
    report["seconds"] = round(time.monotonic() - start, 2)
    return report


def skip_unused_imports() -> None:
    """Mark :data:`.judge.UNUSED_SLOW_IMPORTS` missing in this process (before nbformat)."""
    for name in UNUSED_SLOW_IMPORTS:
        sys.modules.setdefault(name, None)  # "import name" now raises ImportError


def main() -> int:
    import resource

    skip_unused_imports()

    # The driver itself is trusted, but keep it from ever taking the machine down.
    # (soft limit only: the kernel's own, higher cap is set by prlimit under it)
    cap = 2 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (cap, resource.getrlimit(resource.RLIMIT_AS)[1]))
    job = json.loads(sys.stdin.read())
    report = run_job(job)
    sys.stdout.write(json.dumps(report))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
