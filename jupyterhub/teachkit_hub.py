"""What keeps trainees apart on teachkit's JupyterHub (``jupyterhub_config.py`` uses it).

- :class:`TraineeSpawner`: each trainee's server runs as a system account of their own
  (``tk-<name>-<hash>``, made with ``useradd`` on first login, no password, no shell),
  with a private home (0700) that holds their reflections and a private runtime folder.
- :class:`ReadOnlyAuthorizer`: a trainee's server reads and runs kernels, nothing else:
  no notebook written, uploaded, renamed or deleted through its API.
- :func:`publish_lessons`: the lessons are copied into a folder owned by root and
  read-only on disk (files 0444, folder 0555); a trainee's server serves that folder
  only.
- :class:`RosterAuthenticator`: a password per trainee, from a roster file the
  instructor hands out (:func:`make_roster` writes one), so nobody can log in under a
  classmate's name, as anyone with a room's shared password can.
- :func:`check_room`: the hub starts only as root (it makes the accounts), and never on
  the network with the dummy authenticator.

The trainee's server imports this module (its ``PYTHONPATH`` holds this folder), so the
module imports only what a Jupyter server has.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import ipaddress
import os
import pwd
import re
import secrets
import shutil
import stat
import subprocess
import sys
from pathlib import Path

__all__ = ["ReadOnlyAuthorizer", "RosterAuthenticator", "TraineeSpawner", "WIDGET_MESSAGES",
           "account_name", "check_room", "ensure_account", "is_loopback", "make_roster",
           "publish_lessons", "read_roster", "trainee_server_args"]

#: Prefix and comment (GECOS) of the system accounts the hub makes for trainees.
ACCOUNT_PREFIX = "tk-"
ACCOUNT_COMMENT = "teachkit trainee"
#: Resources a trainee may change or run through their server's API (everything may be
#: read): kernels only; their websocket lets through only the widget messages.
WRITABLE_RESOURCES = frozenset({"kernels"})
#: The only kernel messages a trainee's page may send (the list standalone Voila uses).
WIDGET_MESSAGES = ["comm_open", "comm_close", "comm_msg", "comm_info_request",
                   "kernel_info_request", "shutdown_request"]
#: Server extensions a trainee's server never loads: no JupyterLab, no terminals.
EXTENSIONS_OFF = ("jupyterlab", "notebook", "jupyter_lsp", "jupyter_server_terminals",
                  "nbclassic", "notebook_shim")


def trainee_server_args(*, fork: bool) -> list[str]:
    """The command-line arguments of a trainee's Jupyter server, the lock-down shared by
    this hub (``jupyterhub_config.py``) and the Kubernetes recipe
    (``kubernetes/values.yaml``, which a test keeps equal): no terminals, no JupyterLab,
    the kernels accept only the widgets' messages, the server's API reads and runs
    kernels only; ``fork``: kernels forked from a warm parent (teachkit.forking).

    Examples
    --------
    >>> trainee_server_args(fork=False)[0]
    '--ServerApp.terminals_enabled=False'
    >>> trainee_server_args(fork=True)[-1]
    '--KernelProvisionerFactory.default_provisioner_name=teachkit-fork'
    """
    args = [
        "--ServerApp.terminals_enabled=False",
        f"--ServerApp.jpserver_extensions={dict.fromkeys(EXTENSIONS_OFF, False)!r}",
        "--ServerApp.authorizer_class=teachkit_hub.ReadOnlyAuthorizer",
        f"--MappingKernelManager.allowed_message_types={WIDGET_MESSAGES!r}",
    ]
    if fork:
        args.append("--KernelProvisionerFactory.default_provisioner_name=teachkit-fork")
    return args


def is_loopback(host: str) -> bool:
    """True when ``host`` is this machine only (127.0.0.0/8, ::1, ``localhost``).

    Examples
    --------
    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def account_name(hub_name: str) -> str:
    """The system account of the trainee logged in as ``hub_name``: readable, at most
    32 characters, distinct for distinct names (a hash of the whole name).

    Examples
    --------
    >>> account_name("trainee-07")
    'tk-trainee-07-74f4a813'
    >>> account_name("José") != account_name("Jose")
    True
    """
    readable = re.sub(r"[^a-z0-9-]", "", hub_name.lower())[:16].strip("-")
    digest = hashlib.sha256(hub_name.encode("utf-8")).hexdigest()[:8]
    return f"{ACCOUNT_PREFIX}{readable + '-' if readable else ''}{digest}"


def ensure_account(account: str, home: Path) -> pwd.struct_passwd:
    """The system account ``account`` with ``home`` (0700, theirs), made if missing.

    Raises
    ------
    RuntimeError
        An account of that name exists that no teachkit hub made.
    """
    try:
        entry = pwd.getpwnam(account)
    except KeyError:
        subprocess.run(["useradd", "--system", "--user-group", "--no-create-home",
                        "--home-dir", str(home), "--shell", "/usr/sbin/nologin",
                        "--comment", ACCOUNT_COMMENT, account],
                       check=True, capture_output=True)
        entry = pwd.getpwnam(account)
    if Path(entry.pw_dir) != home:
        if entry.pw_gecos != ACCOUNT_COMMENT:
            raise RuntimeError(f"The system account {account!r} exists with the home "
                               f"{entry.pw_dir!r}, not {str(home)!r}: the hub did not "
                               "make it.")
        # Made by a hub with another TEACHKIT_HUB_STATE: moved to this one's homes.
        subprocess.run(["usermod", "--home", str(home), account], check=True,
                       capture_output=True)
        entry = pwd.getpwnam(account)
    home.mkdir(parents=True, exist_ok=True)
    os.chown(home, entry.pw_uid, entry.pw_gid)
    home.chmod(0o700)
    return entry


def private_dir(path: Path, entry: pwd.struct_passwd) -> Path:
    """``path`` as a folder only ``entry``'s account can use (remade if anyone else owns
    it: a shared place such as /tmp may hold a folder someone made in advance)."""
    if path.is_symlink() or (path.exists() and path.lstat().st_uid != entry.pw_uid):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    path.mkdir(mode=0o700, exist_ok=True)
    os.chown(path, entry.pw_uid, entry.pw_gid)
    path.chmod(0o700)
    return path


def publish_lessons(source: Path, target: Path) -> list[str]:
    """Copy the lessons (``source/*.ipynb``) into ``target``, read-only for everyone but
    root: files 0444, the folder 0555, both owned by the hub's user. Returns the names.

    A lesson removed from ``source`` is removed from ``target``; nothing else is copied
    (no data, no solutions, no links).
    """
    names = sorted(p.name for p in source.glob("*.ipynb")
                   if p.is_file() and not p.is_symlink() and not p.name.startswith("."))
    if target.exists():
        target.chmod(0o755)
        for old in target.iterdir():
            if old.is_dir() and not old.is_symlink():
                shutil.rmtree(old)
            else:
                old.unlink()
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        copy = target / name
        shutil.copyfile(source / name, copy)
        copy.chmod(0o444)
    target.chmod(0o555)
    return names


def check_room(*, ip: str, authenticated: bool) -> None:
    """Refuse to start a hub that could not keep trainees apart (one line, exit 1).

    - not root: the hub could not run each trainee as their own account;
    - on the network without a password: anyone could log in under any name;
    - no mount namespaces (a container without ``CAP_SYS_ADMIN``): the hub could not
      give each trainee their own /tmp.
    """
    if os.geteuid() != 0:
        raise SystemExit(
            "teachkit hub: start the hub as root (sudo make hub): it runs each trainee "
            "as a system account of their own. On one machine, `teachkit serve` needs "
            "no root.")
    if not is_loopback(ip) and not authenticated:
        raise SystemExit(
            f"teachkit hub: TEACHKIT_HUB_IP={ip} serves the network, which needs "
            "TEACHKIT_HUB_ROSTER (a password per trainee) or TEACHKIT_HUB_PASSWORD (8+ "
            "characters): without either anyone who reaches the machine logs in under "
            "any name.")
    probe = subprocess.run(  # in a child: unsharing here would change the hub's mounts
        [sys.executable, "-c", "import ctypes, os, sys; libc = ctypes.CDLL(None, "
         "use_errno=True); sys.exit(libc.unshare(0x20000) and "
         "os.strerror(ctypes.get_errno()))"], capture_output=True, text=True)
    if probe.returncode:
        raise SystemExit(
            "teachkit hub: this machine refuses a private mount namespace, which gives "
            "each trainee their own /tmp (a container needs CAP_SYS_ADMIN): "
            + (probe.stderr.strip().splitlines() or ["no message"])[-1])


# -- a trainee's view of the file system ----------------------------------------------------
#: Folders every trainee gets a private, empty copy of (tmpfs), writable by all with the
#: sticky bit, as /tmp is: nothing one trainee leaves there reaches another.
PRIVATE_TMP = ("/tmp", "/var/tmp", "/dev/shm")
_CLONE_NEWNS = 0x00020000
_MS_NOSUID, _MS_NODEV, _MS_BIND, _MS_REC, _MS_PRIVATE = 2, 4, 4096, 16384, 1 << 18
_MNT_DETACH = 2


def _libc():
    import ctypes

    return ctypes, ctypes.CDLL(None, use_errno=True)


def _mount(source: str, target: str, fstype: str | None, flags: int,
           data: str | None = None) -> None:
    ctypes, libc = _libc()
    if libc.mount(source.encode(), target.encode(), fstype.encode() if fstype else None,
                  flags, data.encode() if data else None) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {source} on {target}: {os.strerror(errno)}")


def hidden_folders(needed: list[str]) -> dict[str, list[str]]:
    """Folders to cover for a trainee, each with the paths in it to show again.

    The private temporary folders (:data:`PRIVATE_TMP`) are always covered; so is the
    highest folder others cannot enter (a 0700 ``/root`` holding the Python install)
    above each ``needed`` path, which is then shown alone (so the server can start).

    Examples
    --------
    >>> hidden_folders(["/tmp/hub/lessons", "/tmp/hub", "/usr/lib"])["/tmp"]
    ['/tmp/hub']
    """
    hidden: dict[str, list[str]] = {folder: [] for folder in PRIVATE_TMP}
    for path in dict.fromkeys(os.path.realpath(p) for p in needed):
        parts = Path(path).parts
        for depth in range(2, len(parts) + 1):
            folder = str(Path(*parts[:depth]))
            covered = folder in PRIVATE_TMP or (
                os.path.isdir(folder) and not os.stat(folder).st_mode & stat.S_IXOTH)
            if covered:
                hidden.setdefault(folder, []).append(path)
                break
    # A path inside another one shown is shown with it.
    return {folder: [p for p in paths
                     if not any(p != q and p.startswith(q + os.sep) for q in paths)]
            for folder, paths in hidden.items()}


def _mount_point(path: str, *, like: str) -> None:
    """An empty folder, or an empty file when ``like`` is a file, to bind onto."""
    if os.path.isdir(like):
        os.makedirs(path, mode=0o755, exist_ok=True)
    elif not os.path.exists(path):
        os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
        open(path, "x").close()


def private_mounts(hidden: dict[str, list[str]]) -> None:
    """In the calling process (root, about to become a trainee): a mount namespace of
    its own where each folder of ``hidden`` is an empty tmpfs showing only its listed
    paths (bound from the real ones). Run by the spawner between fork and exec.
    """
    ctypes, libc = _libc()
    if libc.unshare(_CLONE_NEWNS) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"unshare(CLONE_NEWNS): {os.strerror(errno)}")
    _mount("none", "/", None, _MS_REC | _MS_PRIVATE)
    stash = []
    if hidden:  # the paths to show again, kept aside before their folder is covered
        _mount("tmpfs", "/mnt", "tmpfs", _MS_NOSUID | _MS_NODEV, "mode=0700,size=1m")
    for keep in (p for paths in hidden.values() for p in paths):
        aside = f"/mnt/{len(stash)}"
        _mount_point(aside, like=keep)
        _mount(keep, aside, None, _MS_BIND | _MS_REC)
        stash.append((aside, keep))
    for folder in hidden:
        if os.path.isdir(folder):
            mode = "1777" if folder in PRIVATE_TMP else "0755"
            _mount("tmpfs", folder, "tmpfs", _MS_NOSUID | _MS_NODEV,
                   f"mode={mode},size=256m")
    for aside, keep in stash:
        _mount_point(keep, like=aside)
        _mount(aside, keep, None, _MS_BIND | _MS_REC)
        libc.umount2(aside.encode(), _MNT_DETACH)
    if hidden:
        libc.umount2(b"/mnt", _MNT_DETACH)


# -- who is who: a roster of trainees, each with a password of their own ------------------
def make_roster(names: list[str]) -> list[tuple[str, str]]:
    """A random password (8 letters and digits, ~41 bits) for each name, for the
    instructor to hand out on slips. Names are kept as given; blank lines are dropped.

    Examples
    --------
    >>> [(name, len(password)) for name, password in make_roster(["Ana", " ", "Bo"])]
    [('Ana', 8), ('Bo', 8)]
    """
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # nothing to misread on a slip
    return [(name.strip(), "".join(secrets.choice(alphabet) for _ in range(8)))
            for name in names if name.strip()]


def read_roster(path: Path) -> dict[str, str]:
    """``{name (lower case, as JupyterHub keeps it): password}`` from a ``name,password``
    CSV that only its owner can read.

    Raises
    ------
    SystemExit
        The file can be read by others, or a row is not ``name,password`` with a
        password of 8 or more characters.
    """
    if path.stat().st_mode & 0o077:
        raise SystemExit(f"teachkit hub: the roster {path} can be read by other accounts: "
                         f"chmod 600 {path}")
    roster: dict[str, str] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            if not row or not "".join(row).strip():
                continue
            if len(row) != 2 or not row[0].strip() or len(row[1].strip()) < 8:
                raise SystemExit(f"teachkit hub: line {number} of the roster {path} must "
                                 "be name,password (8+ characters).")
            roster[row[0].strip().lower()] = row[1].strip()
    if not roster:
        raise SystemExit(f"teachkit hub: the roster {path} names nobody.")
    return roster


def write_roster(names: Path, out: Path) -> list[tuple[str, str]]:
    """Write ``out`` (0600, never over an existing file): a password for each name in
    ``names`` (one per line). Returns the rows, for the slips."""
    rows = make_roster(names.read_text(encoding="utf-8").splitlines())
    with open(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w",
              newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return rows


# -- inside JupyterHub (the hub process) -------------------------------------------------------
try:
    from jupyterhub.auth import Authenticator
    from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
    from traitlets import Unicode
except ImportError:  # a trainee's server imports only the authorizer below
    LocalProcessSpawner = None

if LocalProcessSpawner is not None:

    class RosterAuthenticator(Authenticator):
        """Each trainee logs in with their own name and password from the roster
        (``read_roster``); anyone else, or a wrong password, is refused."""

        roster_file = Unicode(config=True, help="The roster: name,password per line.")

        async def authenticate(self, handler, data):
            try:  # read at each login: a name added to the roster needs no restart
                roster = read_roster(Path(self.roster_file))
            except (SystemExit, OSError) as exc:
                self.log.error("teachkit: nobody can log in: %s", exc)
                return None
            name = self.normalize_username(data.get("username", ""))
            expected = roster.get(name)
            given = data.get("password", "")
            if expected and hmac.compare_digest(given.encode(), expected.encode()):
                return {"name": name, "admin": False}
            return None

    class TraineeSpawner(LocalProcessSpawner):
        """LocalProcessSpawner that runs each trainee as ``account_name(name)``, a
        system account made on first login, with a private home and a private /tmp.

        The home holds the trainee's reflections (``TEACHKIT_HOME``); nobody else's
        account can read it. The server runs in a mount namespace of its own
        (:func:`private_mounts`): empty /tmp, /var/tmp and /dev/shm of its own, and
        folders other accounts cannot enter (``/root``) show only what the server needs.
        """

        homes = Unicode(config=True, help="Folder of the trainees' homes (0711, root's).")

        @property
        def account(self) -> str:
            return account_name(self.user.name)

        def needed_paths(self) -> list[str]:
            """What the trainee's server reads: Python, the paths in its environment,
            the lessons, the homes."""
            paths = [sys.prefix, sys.base_prefix, os.path.dirname(sys.executable),
                     self.notebook_dir, self.homes, *sys.path]
            for value in self.environment.values():
                if isinstance(value, str):
                    paths += value.split(os.pathsep)
            return [p for p in paths if p and os.path.isabs(p) and os.path.exists(p)]

        async def start(self):
            homes = Path(self.homes)
            homes.mkdir(parents=True, exist_ok=True)
            homes.chmod(0o711)  # enter, never list: nobody sees who else is here
            entry = ensure_account(self.account, homes / self.account)
            teachkit_home = private_dir(Path(entry.pw_dir) / "teachkit", entry)
            self.environment = {**self.environment,
                                "TEACHKIT_HOME": str(teachkit_home),
                                "JUPYTER_RUNTIME_DIR": "/tmp/jupyter-runtime"}
            return await super().start()

        def make_preexec_fn(self, name):
            become = set_user_setuid(account_name(name))
            hidden = hidden_folders(self.needed_paths())

            def preexec():
                private_mounts(hidden)
                become()

            return preexec

        def user_env(self, env):
            entry = pwd.getpwnam(self.account)
            env.update(USER=entry.pw_name, LOGNAME=entry.pw_name, HOME=entry.pw_dir,
                       SHELL=entry.pw_shell)
            return env

        async def move_certs(self, paths):  # pragma: no cover - internal SSL is off
            raise NotImplementedError("teachkit's hub does not use internal SSL")


# -- inside a trainee's server ------------------------------------------------------------
try:
    from jupyterhub.singleuser.extension import JupyterHubAuthorizer
except ImportError:  # pragma: no cover - jupyterhub is always there under the hub
    JupyterHubAuthorizer = None

if JupyterHubAuthorizer is not None:

    class ReadOnlyAuthorizer(JupyterHubAuthorizer):
        """A trainee may read (the lessons, the landing page) and use kernels; every
        other change through the server's API is refused: no notebook is written,
        uploaded, copied, renamed or deleted, no terminal or session made.
        """

        def is_authorized(self, handler, user, action, resource):
            if not super().is_authorized(handler, user, action, resource):
                return False
            if action == "read" or resource in WRITABLE_RESOURCES:
                return True
            self.log.warning("teachkit: refused %s on %s for %s (trainees read only)",
                             action, resource, user.username)
            return False


if __name__ == "__main__":  # python jupyterhub/teachkit_hub.py NAMES.txt ROSTER.csv
    if len(sys.argv) != 3:
        raise SystemExit("usage: python jupyterhub/teachkit_hub.py NAMES.txt ROSTER.csv "
                         "(one trainee per line in NAMES.txt; ROSTER.csv must not exist)")
    try:
        slips = write_roster(Path(sys.argv[1]), Path(sys.argv[2]))
    except OSError as exc:
        raise SystemExit(f"teachkit hub: {exc.strerror}: {exc.filename}") from None
    for trainee, password in slips:
        print(f"{trainee}\t{password}")
