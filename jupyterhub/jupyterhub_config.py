"""JupyterHub for a teachkit workshop room: each trainee logs in and lands on the lessons
in Voila (``/user/<name>/voila/tree``), served from a Jupyter server of their own that
runs as a system account of their own.

Start it as root from a teachkit checkout, with configurable-http-proxy installed by
``scripts/setup.sh hub`` (npm, into .venv/node):

    sudo .venv/bin/jupyterhub -f jupyterhub/jupyterhub_config.py

Settings come from the environment, so one file serves a rehearsal and the room:

TEACHKIT_HUB_IP / TEACHKIT_HUB_PORT  where trainees connect (default 127.0.0.1:8000;
                                     0.0.0.0 to serve the network, which needs a
                                     roster or a password)
TEACHKIT_HUB_ROSTER                  a roster, name,password per line (0600): each
                                     trainee logs in under their own name only. Make
                                     one, with a password per name for the slips:
                                     python jupyterhub/teachkit_hub.py names.txt roster.csv
TEACHKIT_HUB_PASSWORD                instead, the room's shared password (8+
                                     characters): any name with it logs in. Neither:
                                     any name and any password (the dummy
                                     authenticator), which the hub accepts on loopback
                                     only
TEACHKIT_HUB_STATE                   the hub's folder (default /var/lib/teachkit-hub):
                                     hub/ (database, cookie secret; root only),
                                     lessons/ (the read-only copy served), homes/

What is isolated (jupyterhub/teachkit_hub.py; tests/hub/test_hub_isolation.py attacks
each point through a running hub):

- Each trainee's server and kernels run as ``tk-<name>-<hash>``, a system account the
  hub makes with ``useradd`` at first login (no password, no login shell). Their home
  (``homes/<account>``, 0700) holds their reflections (``TEACHKIT_HOME``); another
  trainee's account cannot list or read it.
- Each trainee's server runs in a mount namespace of its own: empty /tmp, /var/tmp and
  /dev/shm of its own (kernel sockets, anything left there), and a folder other
  accounts cannot enter (a 0700 /root holding the Python install) shows only what the
  server needs.
- The hub lets a trainee reach their own server only (JupyterHub's own check).
- Trainees cannot run code: their kernels accept only the widget messages Voila's pages
  send (the list standalone Voila uses), terminals and JupyterLab are off.
- Trainees cannot write: their server's API reads and runs kernels, nothing else
  (``ReadOnlyAuthorizer``: no notebook written, uploaded, renamed or deleted), and the
  lessons it serves are a copy made at start-up, owned by root, 0444 in a 0555 folder.
  It serves that folder only: no data, solutions, homes or anything else on the machine.
- Who is who: with the roster each trainee logs in under their own name only.
- On the network (``TEACHKIT_HUB_IP`` not loopback) the hub refuses to start without a
  roster or a password; it refuses to start as anyone but root, or where it cannot
  make mount namespaces.

What is not isolated:

- With the shared password (not the roster) anyone who has it can log in under another
  trainee's name and see that trainee's reflections: use the roster when notes must
  stay private from classmates. The dummy authenticator (loopback) checks nothing.
- CPU, memory and processes are shared: no per-trainee limit (a container spawner
  gives one).
- Trainees' servers share the machine's network, process list and the rest of its file
  system (read-only to them, as to any unprivileged account); a kernel is a process on
  the hub's machine, isolated by its Unix account and mount namespace only. The lessons
  run trusted code; what keeps trainees from running their own is the message filter
  and the read-only API above, not a container.
- Changing a lesson needs a hub restart (the copy is made at start-up).
"""

import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from teachkit_hub import (  # noqa: E402
    check_room,
    publish_lessons,
    read_roster,
    trainee_server_args,
)

ROOT = HERE.parent
JUPYTER_DATA = ROOT / "src" / "teachkit" / "jupyter_data"
STATE = Path(os.environ.get("TEACHKIT_HUB_STATE", "/var/lib/teachkit-hub")).resolve()
# The proxy scripts/setup.sh installs beside the Python environment (.venv/node).
PROXY = Path(sys.prefix) / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
ip = os.environ.get("TEACHKIT_HUB_IP", "127.0.0.1")
password = os.environ.get("TEACHKIT_HUB_PASSWORD", "")
roster = os.environ.get("TEACHKIT_HUB_ROSTER", "")

check_room(ip=ip, authenticated=bool(password or roster))
if roster:
    read_roster(Path(roster))  # a roster others can read, or a bad line: stop here
for folder in (STATE, STATE / "hub"):
    folder.mkdir(parents=True, exist_ok=True)
STATE.chmod(0o711)
(STATE / "hub").chmod(0o700)
LESSONS = STATE / "lessons"
publish_lessons(ROOT / "notebooks", LESSONS)

c = get_config()  # noqa: F821 - JupyterHub provides get_config in its config file

# -- where the hub listens, and its state -------------------------------------------------
c.JupyterHub.bind_url = f"http://{ip}:{os.environ.get('TEACHKIT_HUB_PORT', '8000')}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("TEACHKIT_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = (
    f"http://127.0.0.1:{os.environ.get('TEACHKIT_HUB_PROXY_API_PORT', '8001')}")
c.ConfigurableHTTPProxy.command = [
    str(PROXY) if PROXY.exists() else shutil.which("configurable-http-proxy")
    or "configurable-http-proxy"]
c.JupyterHub.db_url = f"sqlite:///{STATE / 'hub' / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "hub" / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "hub" / "proxy.pid")
c.JupyterHub.pid_file = str(STATE / "hub" / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# -- who may log in -------------------------------------------------------------------------
if roster:
    c.JupyterHub.authenticator_class = "teachkit_hub.RosterAuthenticator"
    c.RosterAuthenticator.roster_file = str(Path(roster).resolve())
elif password:
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = password
else:
    c.JupyterHub.authenticator_class = "dummy"  # loopback only: check_room above
c.Authenticator.allow_all = True

# -- each trainee's server: their own account, Voila on the read-only lessons ------------
c.JupyterHub.spawner_class = "teachkit_hub.TraineeSpawner"
c.TraineeSpawner.homes = str(STATE / "homes")
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.notebook_dir = str(LESSONS)
c.Spawner.default_url = "/voila/tree"
# Trainees get the lessons, not a Python prompt: no terminals, no JupyterLab, the
# kernels accept only the messages Voila's pages send (the list standalone Voila uses),
# and the server's API reads and runs kernels only (teachkit_hub.ReadOnlyAuthorizer).
# Voila runs the lessons directly, not through that API. Kernels start the ordinary way:
# forked ones (teachkit.forking) would give each trainee's server a warm parent of its
# own, which pays for itself only from the second lesson open at once, and they are not
# yet checked under this hub's accounts and mount namespaces (the Kubernetes recipe,
# one trainee per pod, forks them).
c.Spawner.args = trainee_server_args(fork=False)
c.Spawner.environment = {
    # teachkit's Voila template (no CDN) and the server config (Voila with the template
    # and the landing page): src/teachkit/jupyter_data/config/jupyter_server_config.py
    "JUPYTER_PATH": str(JUPYTER_DATA),
    "JUPYTER_CONFIG_PATH": str(JUPYTER_DATA / "config"),
    # teachkit_hub (the authorizer) for the trainee's server; TEACHKIT_HOME and
    # JUPYTER_RUNTIME_DIR (short ipc socket paths) are the trainee's own, set at start.
    "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE),
                                                os.environ.get("PYTHONPATH", "")])),
    "OMP_NUM_THREADS": "1",
}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# A closed tab's kernel is culled by its server; an idle server is stopped after 2 hours
# by the hub's own idle check when jupyterhub-idle-culler is installed (not required).
