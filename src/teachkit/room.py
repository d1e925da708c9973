"""A workshop room: how many kernels to preheat, who may connect, the landing page.

``teachkit serve`` reads these decisions from here, so they can be tested without a
server:

- :func:`pool_sizes`: a preheated kernel per expected trainee for the lessons the room
  opens together, one for every other lesson (a room of 20-40 arriving within a minute
  otherwise waits a minute for kernel starts; VOILA-NOTES.md);
- :func:`needs_token` / :func:`make_token`: off this machine, a page needs the token;
- :func:`page_config_hook`: Voila's ``page_config_hook``; it gives the landing page
  (the teachkit template's ``tree.html``) each lesson's title, length and objectives,
  read from the notebooks at every visit, so new lessons appear without a restart, and
  keeps MathJax local.
"""

from __future__ import annotations

import math
import os
import secrets
import socket
from pathlib import Path

from ._validation import TeachkitError
from .lessons import Lesson, find_lessons

__all__ = ["KERNEL_MB", "KERNEL_START_CPU_S", "FORKED_KERNEL_MB", "FORK_PARENT_MB",
           "LOOPBACK", "pool_sizes", "refill_size",
           "needs_token",
           "make_token", "lan_address", "memory_available_mb", "room_plan",
           "page_config_hook"]

#: Memory (PSS, MB) of one trainee's kernel after a lesson has rendered, as measured by
#: benchmarks/bench_voila.py and bench_room.py on these machines.
KERNEL_MB = 200
#: CPU seconds to start a kernel and execute a lesson in it (VOILA-NOTES.md: ~7 s).
KERNEL_START_CPU_S = 7.0
#: The same for a kernel forked from the warm parent: the room's lesson (lesson 01: the
#: child's run and Voila's share, 0.3 CPU-s on a 2-core machine on 2026-12-02, 0.6 on
#: the slower one of the day before; bench_room.py, PSS 50-75 MB), another lesson (its
#: own imports: fpdf, shap, cryptography, 0.5-3.1 CPU-s), and the parent's own memory
#: (RSS 300-330 MB once warm) and warm-up (a room's: 5.3 CPU-s computed, 1.8 put back
#: from its snapshot, teachkit.forking.snapshot; taken at the slower machine's 2x).
FORKED_KERNEL_MB = 75
FORKED_KERNEL_START_CPU_S = 0.6
FORKED_OTHER_LESSON_CPU_S = 3.0
FORK_PARENT_MB = 300
FORK_PARENT_CPU_S = 6.0
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def pool_sizes(lessons: list[Lesson], *, trainees: int | None,
               opening: list[str] | None = None) -> dict[str, int]:
    """Preheated kernels per lesson notebook, for ``trainees`` expected at once.

    Parameters
    ----------
    lessons : list of Lesson
        The lessons served.
    trainees : int or None
        How many trainees open a lesson together. None: one kernel per lesson (a
        single user, a rehearsal).
    opening : list of str, default=the first lesson
        Lesson numbers (``"01"``) or file names the room opens together; each gets
        ``trainees`` kernels, every other lesson one.

    Returns
    -------
    dict
        ``{notebook name: pool size}``, with every lesson present.

    Raises
    ------
    TeachkitError
        ``trainees`` below 1 or above 200, or an opening lesson that does not exist.

    Examples
    --------
    >>> from pathlib import Path
    >>> two = [Lesson(Path("00_a.ipynb"), "00", "A"), Lesson(Path("01_b.ipynb"), "01", "B")]
    >>> pool_sizes(two, trainees=None)
    {'00_a.ipynb': 1, '01_b.ipynb': 1}
    >>> pool_sizes(two, trainees=30, opening=["01"])
    {'00_a.ipynb': 1, '01_b.ipynb': 30}
    >>> pool_sizes(two, trainees=30, opening=["05"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: --lesson must name a lesson served: 00, 01. Got ...
    """
    sizes = {lesson.name: 1 for lesson in lessons}
    if trainees is None:
        return sizes
    if not 1 <= trainees <= 200:
        raise TeachkitError(
            f"--trainees must be a whole number from 1 to 200. Got {trainees} instead.")
    wanted = opening or ([lessons[0].number or lessons[0].name] if lessons else [])
    for key in wanted:
        match = [ls for ls in lessons if key in (ls.number, ls.name, ls.path.stem)]
        if not match:
            served = ", ".join(ls.number or ls.name for ls in lessons)
            raise TeachkitError(
                f"--lesson must name a lesson served: {served}. Got {key!r} instead.")
        sizes[match[0].name] = trainees
    return sizes


def refill_size(pool: int) -> int:
    """Kernels kept warm for a room lesson once its pool of ``pool`` has been taken:
    one per ten trainees (latecomers, reloads), at least one.

    Examples
    --------
    >>> refill_size(30), refill_size(10), refill_size(4)
    (3, 1, 1)
    """
    return max(1, math.ceil(pool / 10))


def needs_token(host: str) -> bool:
    """True when pages are served beyond this machine (then a token is required).

    Examples
    --------
    >>> needs_token("127.0.0.1"), needs_token("0.0.0.0")
    (False, True)
    """
    return host not in LOOPBACK


def make_token() -> str:
    """A fresh random token for a room (12 URL-safe characters, ~72 bits)."""
    return secrets.token_urlsafe(9)


def lan_address() -> str:
    """This machine's address on the local network, as trainees' browsers reach it.

    Uses the routing table only (a UDP socket is "connected", nothing is sent), so it
    works on a network with no internet. Falls back to the host name.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("10.254.254.254", 1))
            address = sock.getsockname()[0]
        except OSError:
            address = ""
    return address if address and not address.startswith("127.") else socket.gethostname()


def memory_available_mb() -> float | None:
    """MemAvailable from /proc/meminfo, in MB (None where there is no /proc)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def room_plan(sizes: dict[str, int], *, cpus: int | None = None,
              available_mb: float | None = None, forked: bool = False) -> list[str]:
    """Lines for the instructor: kernels preheated, memory, warm-up time, warnings.

    Examples
    --------
    >>> for line in room_plan({"00_a.ipynb": 30, "01_b.ipynb": 1}, cpus=2,
    ...                       available_mb=20_000):
    ...     print(line)
    preheating 31 kernels (30 for 00_a.ipynb): about 6.2 GB of memory, ready in about 2 min
    each trainee who opens another lesson adds about 0.2 GB
    >>> room_plan({"00_a.ipynb": 30, "01_b.ipynb": 1}, cpus=2, available_mb=20_000,
    ...           forked=True)[0].split(": ")[1]
    'about 2.6 GB of memory, ready in about 20 s'
    >>> room_plan({"00_a.ipynb": 30, **{f"0{i}.ipynb": 1 for i in range(1, 9)}}, cpus=2,
    ...           available_mb=20_000, forked=True)[0].split(", ")[1]
    "ready in about 20 s (the room's lessons; every lesson in 30 s)"
    """
    cpus = cpus or os.cpu_count() or 1
    total = sum(sizes.values())
    if total == 0:
        return ["no kernel is preheated: each page starts its own (seconds to a minute "
                "when many open at once)"]
    big = ", ".join(f"{n} for {name}" for name, n in sizes.items() if n > 1)
    kernel_mb, start_s = ((FORKED_KERNEL_MB, FORKED_KERNEL_START_CPU_S) if forked
                          else (KERNEL_MB, KERNEL_START_CPU_S))
    need_mb = total * kernel_mb + (FORK_PARENT_MB if forked else 0)

    other_s = FORKED_OTHER_LESSON_CPU_S if forked else KERNEL_START_CPU_S

    def ready_after(room: int, others: int) -> str:
        seconds = ((room * start_s + others * other_s) / cpus
                   + (FORK_PARENT_CPU_S if forked else 0))
        return (f"{math.ceil(seconds / 60)} min" if seconds > 90
                else f"{10 * math.ceil(seconds / 10):.0f} s")

    # A room's lessons fill first (teachkit.kernel_pool.RoomKernelManager.room_first).
    room = sum(n for n in sizes.values() if n > 1)
    others = total - room if room else 0
    ready = ready_after(total - others, others)
    if room and ready_after(room, 0) != ready:
        ready = f"{ready_after(room, 0)} (the room's lessons; every lesson in {ready})"
    lines = [f"preheating {total} kernels{f' ({big})' if big else ''}"
             f"{' forked from a warm parent' if forked else ''}: about "
             f"{need_mb / 1000:.1f} GB of memory, ready in about {ready}",
             f"each trainee who opens another lesson adds about {kernel_mb / 1000:.1f} GB"]
    available_mb = memory_available_mb() if available_mb is None else available_mb
    if available_mb is not None and need_mb > 0.8 * available_mb:
        lines.append(f"WARNING: only {available_mb / 1000:.1f} GB of memory is free; "
                     "lower --trainees or close other programs")
    return lines


def page_config_hook(page_config: dict, *, settings: dict, notebook_path: str | None,
                     **_) -> dict:
    """Voila's ``page_config_hook`` for teachkit's pages.

    - Every page typesets maths with the MathJax bundled in Voila's own JavaScript: with
      no MathJax URL set (as under JupyterHub), Voila's page would load MathJax 2 from
      a CDN, which a hospital network does not reach.
    - Folder pages (the landing page) get ``teachkitLessons``: each lesson's title,
      length and objectives, read from the notebooks at every visit, and its path
      from the server's root (what Voila's render URL takes).

    Examples
    --------
    >>> import tempfile
    >>> class Contents:
    ...     root_dir = tempfile.mkdtemp()
    >>> page_config_hook({}, settings={"contents_manager": Contents()}, notebook_path="")
    {'fullMathjaxUrl': None, 'mathjaxConfig': None, 'teachkitLessons': []}
    >>> page_config_hook({}, settings={}, notebook_path="01_a.ipynb")
    {'fullMathjaxUrl': None, 'mathjaxConfig': None}
    """
    page_config["fullMathjaxUrl"] = None
    page_config["mathjaxConfig"] = None
    if notebook_path is None or not str(notebook_path).endswith(".ipynb"):
        manager = settings.get("contents_manager")
        root = getattr(manager, "root_dir", None) or settings.get("server_root_dir", ".")
        relative = (notebook_path or "").strip("/")
        folder = Path(os.path.expanduser(root)) / relative
        page_config["teachkitLessons"] = [
            {**ls.as_dict(), "path": f"{relative}/{ls.name}" if relative else ls.name}
            for ls in find_lessons(folder)]
    return page_config
