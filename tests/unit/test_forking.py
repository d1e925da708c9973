"""Kernels forked from the warm parent (teachkit.forking) are kept apart like ordinary ones.

Each test drives real kernels through jupyter_client's KernelManager with the
``teachkit-fork`` provisioner, as Voila does: one trainee's state never reaches another's
kernel or the parent, a kernel that crashes or calls ``os._exit`` leaves the parent and
the others serving, its exit is reported and it is reaped, and each kernel writes
reflections where its own environment says.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

pytest.importorskip("jupyter_client")
if not sys.platform.startswith("linux"):
    pytest.skip("forked kernels are Linux-only", allow_module_level=True)

from jupyter_client.manager import KernelManager  # noqa: E402
from jupyter_client.provisioning.factory import KernelProvisionerFactory  # noqa: E402

from teachkit.forking import ENTRY_POINT, PROVISIONER_GROUP  # noqa: E402
from teachkit.forking import provisioner as fp  # noqa: E402
from teachkit.forking.parent import threads_and_sockets  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def kernels(tmp_path_factory):
    """``start(name, **env)`` -> (KernelManager, client) of a forked kernel; every kernel
    is shut down at the end, and the parent stopped."""
    factory = KernelProvisionerFactory.instance()
    # The entry point from pyproject.toml, whether or not this checkout is installed.
    factory.provisioners[ENTRY_POINT] = EntryPoint(
        name=ENTRY_POINT, group=PROVISIONER_GROUP,
        value="teachkit.forking.provisioner:ForkingProvisioner")
    folder = tmp_path_factory.mktemp("forked")
    started = []
    # As under ``teachkit serve``: the parent is started first and handed over through
    # the environment (the process adopts it at its first kernel).
    parent, spec = fp.start_parent(dict(os.environ))
    request, reply = os.dup(parent.stdin.fileno()), os.dup(parent.stdout.fileno())
    parent.stdin.close()
    parent.stdout.close()
    os.environ[fp.HANDOFF_ENV] = f"{parent.pid}:{request}:{reply}"

    def start(name: str, **env):
        km = KernelManager(kernel_name="python3", transport="ipc",
                           connection_file=str(folder / f"kernel-{name}.json"))
        km.kernel_spec.metadata["kernel_provisioner"] = {"provisioner_name": ENTRY_POINT}
        km.start_kernel(env=dict(os.environ, **env), cwd=str(folder))
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=120)
        started.append((km, kc))
        return km, kc

    yield start
    for km, kc in started:
        kc.stop_channels()
        if km.is_alive():
            km.shutdown_kernel(now=True)
    server = fp.ForkServer._shared
    if server is not None and server.proc is not None:
        server.proc.stdin.close()
        fp.ForkServer._shared = None
    parent.wait(timeout=30)  # its stdin closed: it ends its children and exits
    os.environ.pop(fp.HANDOFF_ENV, None)


def run(kc, code: str) -> str:
    """Run ``code`` in the kernel; its stdout (an error fails the test)."""
    out = []

    def hook(msg):
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])

    reply = kc.execute_interactive(code, output_hook=hook, timeout=120)
    assert reply["content"]["status"] == "ok", reply["content"]
    return "".join(out).strip()


def children_of(pid: int) -> set[int]:
    kids = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        kids |= {int(p) for p in (task / "children").read_text().split()}
    return kids


def gone(pid: int) -> bool:
    """The process has exited and been reaped (a zombie is not gone)."""
    return not Path(f"/proc/{pid}").exists()


def test_a_forked_kernel_is_an_ordinary_warm_ipykernel(kernels):
    km, kc = kernels("a")
    assert isinstance(km.provisioner, fp.ForkingProvisioner) and km.provisioner.forked
    server = fp.ForkServer._shared
    assert isinstance(server.proc, fp.HandedParent), "the parent handed over is used"
    assert fp.HANDOFF_ENV not in os.environ and \
        run(kc, f"import os; print(os.environ.get({fp.HANDOFF_ENV!r}))") == "None"
    pid = km.provisioner.pid
    assert os.getpgid(pid) == pid, "a kernel leads its own process group, as usual"
    assert f"{pid}" in run(kc, "import os; print(os.getpid())")
    assert run(kc, "print(os.getppid())") == str(server.pid)
    # warm: the parent built the lesson cohort and models; the child did not import them
    assert run(kc, "import sys; print('sklearn.ensemble' in sys.modules)") == "True"
    assert run(kc, "from teachkit import models; print(len(models._SCORE_CACHE) >= 3)") \
        == "True", "the models the parent trained are the kernel's from the start"
    # and lesson 01's figure at rest: its lab draws no whole figure, nor at a lever move
    assert run(kc, "from matplotlib.backends.backend_agg import FigureCanvasAgg as C\n"
                   "draws = []; draw = C.draw\n"
                   "C.draw = lambda canvas: (draws.append(canvas), draw(canvas))[1]\n"
                   "from teachkit.ui import TriageLab\n"
                   "lab = TriageLab(); lab.panel.rows['threshold'].value = 0.02\n"
                   "C.draw = draw; print(lab.dashboard.updates, len(draws))") == "2 0"
    # nor did its start import the kernel's own modules (the debugger, IPython's history):
    # the parent froze every object it had (gc.freeze), so a module the child imported
    # itself is the only kind whose namespace is in one of the collector's generations
    assert run(kc, "import gc, sys\nlive = {id(o) for o in gc.get_objects()}\n"
                   "print([n for n in ('debugpy', 'IPython.core.history', 'sqlite3', "
                   "'tornado.queues', 'pdb') if id(vars(sys.modules[n])) in live])") == "[]"
    reply = kc.kernel_info(reply=True, timeout=60)["content"]
    assert "debugger" in reply["supported_features"], "the debugger works, as usual"
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    assert "ipykernel_launcher -f" in cmdline and km.connection_file in cmdline
    # widgets talk to the page: the comm target is registered in the child
    assert run(kc, "import ipywidgets; w = ipywidgets.IntSlider(); "
                   "print(w.comm is not None)") == "True"
    # interrupt reaches the running cell
    kc.execute("import time; time.sleep(60)")
    time.sleep(1.0)
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=30)
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"


def test_one_trainees_state_never_reaches_another_kernel_or_the_parent(kernels):
    _, first = kernels("state-1")
    run(first, "secret = 'trainee one'\n"
               "from teachkit import pipeline\n"
               "pipeline.DEFAULT_COHORT['leak'] = 1\n"
               "pipeline.lesson_cohort().iloc[0, 0]  # read, as a lesson does")
    _, second = kernels("state-2")  # forked after the first changed its copy
    assert run(second, "print('secret' in globals())") == "False"
    assert run(second, "from teachkit import pipeline; "
                       "print('leak' in pipeline.DEFAULT_COHORT)") == "False"
    assert run(first, "print(secret, 'leak' in pipeline.DEFAULT_COHORT)") == \
        "trainee one True"
    # the same seed gives the same numbers in both: the parent's cohort is shared
    code = ("from teachkit.pipeline import Settings, simulate; "
            "print(simulate(Settings(model='logistic')).scores[:5].round(6).tolist())")
    assert run(first, code) == run(second, code)


def test_a_kernel_that_exits_leaves_the_parent_and_the_others_serving(kernels):
    km_dead, dead = kernels("crash")
    _, alive = kernels("survivor")
    server = fp.ForkServer._shared
    pid = km_dead.provisioner.pid
    dead.execute("import os; os._exit(3)")
    deadline = time.monotonic() + 30
    while km_dead.is_alive() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not km_dead.is_alive()
    assert km_dead.provisioner.process.returncode == 3, "the exit code is reported"
    deadline = time.monotonic() + 10
    while not gone(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert gone(pid) and pid not in children_of(server.pid), "the child was reaped"
    assert server.proc.poll() is None, "the parent still serves"
    assert run(alive, "print(6 * 7)") == "42"
    _, late = kernels("after-crash")
    assert run(late, "print(6 * 7)") == "42"


def test_kernels_asked_for_at_once_each_get_their_own_child(kernels, tmp_path, in_own_thread):
    """A pool asks for its kernels together: the parent forks each while the others
    set up, and each request gets its own child."""
    import asyncio

    from jupyter_client.manager import AsyncKernelManager

    kernels("first")  # the parent is warm (and handed over) before the pool asks

    async def pool(n: int) -> list[str]:
        managers = []
        for i in range(n):
            km = AsyncKernelManager(kernel_name="python3", transport="ipc",
                                    connection_file=str(tmp_path / f"pool-{i}.json"))
            km.kernel_spec.metadata["kernel_provisioner"] = {"provisioner_name": ENTRY_POINT}
            managers.append(km)
        await asyncio.gather(*(km.start_kernel(env=dict(os.environ), cwd=str(tmp_path))
                               for km in managers))
        try:
            pids = []
            for km in managers:
                kc = km.client()
                kc.start_channels()
                await kc.wait_for_ready(timeout=120)
                reply = await kc.execute("import os; print(os.getpid())", reply=True,
                                         timeout=60)
                assert reply["content"]["status"] == "ok"
                pids.append(km.provisioner.pid)
                kc.stop_channels()
            assert all(km.provisioner.forked for km in managers)
            assert set(pids) <= children_of(fp.ForkServer._shared.pid)
            return pids
        finally:
            await asyncio.gather(*(km.shutdown_kernel(now=True) for km in managers))

    pids = in_own_thread(asyncio.run, pool(4))
    assert len(set(pids)) == 4, "a child per request"


def test_reflections_go_where_each_kernels_environment_says(kernels, tmp_path):
    homes = {name: tmp_path / name for name in ("ana", "ben")}
    code = ("from teachkit.reflections import default_store\n"
            "default_store().save('01', {name!r}, {text!r})\n"
            "print(default_store().load('01', {name!r}))")
    for name, home in homes.items():
        _, kc = kernels(f"reflect-{name}", TEACHKIT_HOME=str(home))
        assert run(kc, code.format(name=name, text=f"{name}'s note")) == f"{name}'s note"
    for name, home in homes.items():
        from teachkit.reflections import ReflectionStore

        other = next(n for n in homes if n != name)
        assert ReflectionStore(home).load("01", name) == f"{name}'s note"
        assert ReflectionStore(home).load("01", other) == ""


def test_a_shut_down_kernel_is_reaped_and_nothing_is_left(kernels):
    km, kc = kernels("shutdown")
    pid = km.provisioner.pid
    kc.stop_channels()
    km.shutdown_kernel(now=False)
    assert not km.is_alive()
    deadline = time.monotonic() + 10
    while not gone(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert gone(pid)


def test_when_forking_fails_an_ordinary_kernel_starts_and_it_is_said_once(
        monkeypatch, tmp_path, caplog, in_own_thread):
    class Broken:
        pid = None
        warm_info: dict = {}

        async def fork(self, *args, **kwargs):
            raise fp.ForkUnavailable("the parent could not warm up (test)")

    monkeypatch.setattr(fp.ForkServer, "shared", classmethod(lambda cls, env: Broken()))
    monkeypatch.setattr(fp, "_SAID", set())
    provisioner = fp.ForkingProvisioner(kernel_id="k", kernel_spec=None, parent=None)
    launched = []

    async def ordinary(self, cmd, **kwargs):
        launched.append(cmd)
        return {}

    monkeypatch.setattr(fp.LocalProvisioner, "launch_kernel", ordinary)
    import asyncio

    cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", str(tmp_path / "k.json")]
    with caplog.at_level("WARNING"):
        for _ in range(2):
            in_own_thread(asyncio.run, provisioner.launch_kernel(cmd, env={},
                                                                 cwd=str(tmp_path)))
    assert launched == [cmd, cmd]
    said = [r.getMessage() for r in caplog.records if "not forked" in r.getMessage()]
    assert len(said) == 1 and "could not warm up (test)" in said[0]


def test_only_this_pythons_ipykernel_is_forked():
    assert fp.kernel_arguments([sys.executable, "-m", "ipykernel_launcher", "-f", "x"]) \
        == ["-f", "x"]
    assert fp.kernel_arguments(["/usr/bin/python3.9", "-m", "ipykernel_launcher"]) is None
    assert fp.kernel_arguments(["R", "--slave"]) is None


def test_the_parent_sees_a_thread_it_must_not_fork_with():
    # The thread names itself in /proc (its "comm"), so threads other tests leave behind,
    # starting or stopping meanwhile, cannot change what is counted.
    named, stop = threading.Event(), threading.Event()

    def probe():
        with open(f"/proc/self/task/{threading.get_native_id()}/comm", "w") as handle:
            handle.write("tk-fork-probe")
        named.set()
        stop.wait()

    assert "tk-fork-probe" not in threads_and_sockets()[0]
    thread = threading.Thread(target=probe)
    thread.start()
    try:
        assert named.wait(10)
        assert threads_and_sockets()[0].count("tk-fork-probe") == 1
    finally:
        stop.set()
        thread.join()
    # A joined thread can stay listed in /proc/self/task for a moment (flaky otherwise).
    deadline = time.monotonic() + 5
    while "tk-fork-probe" in threads_and_sockets()[0] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert "tk-fork-probe" not in threads_and_sockets()[0]


def test_pyproject_registers_the_provisioner():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    target = project["entry-points"][PROVISIONER_GROUP][ENTRY_POINT]
    module, name = target.split(":")
    assert getattr(__import__(module, fromlist=[name]), name) is fp.ForkingProvisioner


def test_set_cmdline_keeps_within_the_original_space():
    import subprocess

    script = ("from teachkit.forking.parent import set_cmdline; import os\n"
              "print(set_cmdline('x' * 10_000))\n"
              "print(len(open('/proc/self/cmdline','rb').read()))")
    pad = "." * 50
    out = subprocess.run([sys.executable, "-c", script, pad], capture_output=True,
                         text=True, timeout=60, env=dict(os.environ)).stdout.split()
    assert out[0] == "True"
    assert int(out[1]) <= len(sys.executable) + len(script) + len(pad) + 8


def test_the_parents_environment_holds_no_secret_and_a_bad_handoff_is_refused(tmp_path):
    env = {"PATH": "/usr/bin", "TEACHKIT_VOILA_TOKEN": "room", "JPY_PARENT_PID": "1",
           "TEACHKIT_INSTRUCTOR_TOKEN": "key", fp.HANDOFF_ENV: "1:2:3", "OMP_NUM_THREADS": "4"}
    cmd, parent_env = fp.parent_command(env, 4321)
    assert cmd[1:5] == ["-m", "teachkit.forking.parent", "--server-pid", "4321"]
    assert parent_env["PATH"] == "/usr/bin" and parent_env["OMP_NUM_THREADS"] == "1"
    assert not {"TEACHKIT_VOILA_TOKEN", "TEACHKIT_INSTRUCTOR_TOKEN", "JPY_PARENT_PID",
                fp.HANDOFF_ENV} & set(parent_env)
    closed = os.open(tmp_path / "f", os.O_CREAT | os.O_WRONLY)
    os.close(closed)
    for spec in ("", "12", "a:b:c", f"{os.getpid()}:{closed}:{closed}", "999999999:0:1"):
        with pytest.raises(ValueError, match=fp.HANDOFF_ENV):
            fp.HandedParent.from_spec(spec)
    server = fp.ForkServer({}, adopt="not:a:parent")  # falls back, with the reason
    with pytest.raises(fp.ForkUnavailable, match="pid:fd:fd"):
        server.ready.result(timeout=1)
