"""JupyterHub for a teachkit workshop room: each trainee logs in and lands on the lessons
in Voila (``/user/<name>/voila/tree``), served from their own Jupyter server.

Run it from a teachkit checkout, with configurable-http-proxy installed by
``scripts/setup.sh hub`` (npm, into .venv/node):

    .venv/bin/jupyterhub -f jupyterhub/jupyterhub_config.py

Settings come from the environment, so one file serves a rehearsal and the room:

TEACHKIT_HUB_IP / TEACHKIT_HUB_PORT  where trainees connect (default 127.0.0.1:8000;
                                     0.0.0.0 to serve the network)
TEACHKIT_HUB_PASSWORD                the room's shared password (8+ characters): any
                                     name with it logs in. Unset: any name and any
                                     password (the dummy authenticator; loopback only)
TEACHKIT_HUB_STATE                   where the hub keeps its database and cookie secret
                                     (default ~/.local/share/teachkit/hub)
TEACHKIT_HOME                        where trainees' reflections are written (shared by
                                     the room; default ~/.local/share/teachkit)

Every trainee's server runs as the user who starts the hub (SimpleLocalProcessSpawner:
no system accounts to create on a workshop laptop). So that a trainee cannot run code on
it, their kernels accept only the widget messages Voila's pages send (the same list as
standalone Voila), and terminals are off (``c.Spawner.args`` below). For a hub that also
gives developers JupyterLab with code, use system accounts (LocalProcessSpawner) or
containers.
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_DATA = ROOT / "src" / "teachkit" / "jupyter_data"
STATE = Path(os.environ.get(
    "TEACHKIT_HUB_STATE", Path.home() / ".local" / "share" / "teachkit" / "hub")).resolve()
STATE.mkdir(parents=True, exist_ok=True)
PROXY = ROOT / ".venv" / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
ip = os.environ.get("TEACHKIT_HUB_IP", "127.0.0.1")
password = os.environ.get("TEACHKIT_HUB_PASSWORD", "")

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
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# -- who may log in -------------------------------------------------------------------------
if password:
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = password
else:
    c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True

# -- each trainee's server: Voila with teachkit's template, the lessons as landing page ----
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "homes" / "{username}")
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.notebook_dir = str(ROOT / "notebooks")
c.Spawner.default_url = "/voila/tree"
# Trainees get the lessons, not a Python prompt: no terminals, and the kernels accept
# only the messages Voila's pages send (the list standalone Voila uses), so no code can
# be run through the server's API. Voila runs the notebooks directly, not through it.
WIDGET_MESSAGES = ["comm_open", "comm_close", "comm_msg", "comm_info_request",
                   "kernel_info_request", "shutdown_request"]
c.Spawner.args = ["--ServerApp.terminals_enabled=False",
                  f"--MappingKernelManager.allowed_message_types={WIDGET_MESSAGES!r}"]
if os.geteuid() == 0:  # a container or CI machine: better, start the hub as a plain user
    c.Spawner.args.append("--ServerApp.allow_root=True")
c.Spawner.environment = {
    # teachkit's Voila template (no CDN) and the server config (Voila with the template
    # and the landing page): src/teachkit/jupyter_data/config/jupyter_server_config.py
    "JUPYTER_PATH": str(JUPYTER_DATA),
    "JUPYTER_CONFIG_PATH": str(JUPYTER_DATA / "config"),
    "TEACHKIT_HOME": os.environ.get(
        "TEACHKIT_HOME", str(Path.home() / ".local" / "share" / "teachkit")),
    "OMP_NUM_THREADS": "1",
    # Kernels talk over ipc sockets, whose paths must stay under 107 characters: a
    # short runtime folder per trainee, not one deep in their home.
    "JUPYTER_RUNTIME_DIR": lambda spawner: os.path.join(
        tempfile.gettempdir(), f"teachkit-hub-{spawner.user.name}"),
}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# A closed tab's kernel is culled by its server; an idle server is stopped after 2 hours
# by the hub's own idle check when jupyterhub-idle-culler is installed (not required).
