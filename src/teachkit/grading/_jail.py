"""Build one submission's root from an allow-list, then exec the kernel inside it.

Run as a script (``python -I _jail.py SPEC.json -- CMD...``) by :mod:`.sandbox`, already
inside fresh network, mount and PID namespaces made by ``unshare``. It uses only the
standard library, because it runs before anything else in the sandbox:

1. it joins the submission's cgroups (memory and process limits for the whole
   submission, when the grader made them);
2. every allowed path (``binds``: the Python installation, the package, a few files of
   /etc, a few devices, the kernel's connection folder) is cloned, detached and marked
   read-only (except the connection folder), before anything else changes;
3. a fresh, empty tmpfs becomes the new root; the clones are attached in it at their
   own paths, the lesson modules covered by their grading stubs (the checks and the
   values they compare with stay with the grader); /tmp is a tmpfs of the scratch
   size (the only place the kernel may write, also its home); /proc is the new PID
   namespace's own; then the root is made read-only and swapped in (``pivot_root``),
   and the old root is detached: nothing else of the host (no ``.git``, no sockets, no
   other trainee, no writable folder) exists inside;
4. privileges are dropped: as root, to the submission's own unprivileged ``uid`` /
   ``gid``; in a user namespace, every capability is dropped, so no mount can be undone;
5. the parent-death signal is set, so killing the sandbox kills the kernel;
6. the command (the Jupyter kernel) is exec'd.

Nothing here reads the submission; a failure exits with status 111 and one line on
stderr, which the grader reports as a crash of the sandbox.
"""

import ctypes
import json
import os
import platform
import stat
import sys

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = (
    1, 2, 4, 32, 4096, 16384, 1 << 18)
MS_MOVE, MNT_DETACH = 8192, 2
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_SECUREBITS, PR_SET_NO_NEW_PRIVS = 1, 24, 28, 38
# New mount API (Linux 5.2+, mount_setattr 5.12+; the same numbers on every architecture).
SYS_OPEN_TREE, SYS_MOVE_MOUNT, SYS_MOUNT_SETATTR, AT_FDCWD = 428, 429, 442, -100
OPEN_TREE_CLONE, OPEN_TREE_CLOEXEC, AT_RECURSIVE, AT_EMPTY_PATH, MOVE_MOUNT_F_EMPTY_PATH = (
    1, 0o2000000, 0x8000, 0x1000, 4)
MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID, MOUNT_ATTR_NODEV = 1, 2, 4
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41}.get(platform.machine())
SECBITS_LOCK_ALL = 0x3F  # noroot, no_setuid_fixup, keep_caps: set and locked
#: Where the new root is assembled (a fresh tmpfs over it, in this mount namespace only).
STAGE = "/tmp"

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
_libc.syscall.restype = ctypes.c_long
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong,
                        ctypes.c_ulong]


class MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


def _fail(message):
    sys.stderr.write(f"teachkit sandbox: {message}\n")
    sys.exit(111)


def _errno():
    return os.strerror(ctypes.get_errno())


def _mount(source, target, fstype, flags, data=None):
    enc = [None if x is None else x.encode() for x in (source, target, fstype, data)]
    if _libc.mount(enc[0], enc[1], enc[2], flags, enc[3]) != 0:
        _fail(f"mount {source} on {target} failed: {_errno()}")


def _clone(path, attrs):
    """A detached copy of the mount at ``path`` (and below), with ``attrs`` added."""
    fd = _libc.syscall(SYS_OPEN_TREE, AT_FDCWD, path.encode(),
                       OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE)
    if fd < 0:
        _fail(f"open_tree {path} failed: {_errno()}")
    attr = MountAttr(attrs, 0, 0, 0)
    if _libc.syscall(SYS_MOUNT_SETATTR, fd, b"", AT_EMPTY_PATH | AT_RECURSIVE,
                     ctypes.byref(attr), ctypes.sizeof(attr)) != 0:
        _fail(f"mount_setattr {path} failed (Linux 5.12 or newer is needed): {_errno()}")
    return fd


def _attach(fd, path):
    if _libc.syscall(SYS_MOVE_MOUNT, fd, b"", AT_FDCWD, path.encode(),
                     MOVE_MOUNT_F_EMPTY_PATH) != 0:
        _fail(f"move_mount to {path} failed: {_errno()}")
    os.close(fd)


def _prctl(option, arg):
    return _libc.prctl(option, arg, 0, 0, 0)


def _make_target(path, is_dir):
    """Create ``path`` (a folder, or an empty file to bind a file on) in the new root."""
    if is_dir:
        os.makedirs(path, mode=0o755, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
        if not os.path.exists(path):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o644))


def _join_cgroups(procs_files):
    for path in procs_files:
        try:
            with open(path, "w") as fh:
                fh.write("0")
        except OSError as exc:
            _fail(f"could not join the submission's cgroup {path}: {exc.strerror}")


def _swap_root(root):
    """Make ``root`` the root of this mount namespace and drop the old one."""
    os.chdir(root)
    if SYS_PIVOT_ROOT is not None:
        if _libc.syscall(SYS_PIVOT_ROOT, b".", b".") != 0:
            _fail(f"pivot_root failed: {_errno()}")
        if _libc.umount2(b".", MNT_DETACH) != 0:
            _fail(f"detaching the old root failed: {_errno()}")
    else:  # another architecture: move the new root over the old one (switch_root)
        _mount(root, "/", None, MS_MOVE)
        os.chroot(".")
    os.chdir("/")


def main(argv):
    # Safety: the mounts below must only ever happen inside the fresh namespaces that
    # ``unshare --pid --fork --mount`` made, where this process is PID 1. Run anywhere
    # else, they would cover the host's own folders.
    if os.getpid() != 1:
        _fail("refusing to run outside a new PID and mount namespace (not PID 1)")
    spec_path, sep, *cmd = argv
    if sep != "--" or not cmd:
        _fail("usage: _jail.py SPEC.json -- COMMAND...")
    with open(spec_path) as fh:
        spec = json.load(fh)
    _join_cgroups(spec.get("cgroup_procs", []))
    _mount("none", "/", None, MS_REC | MS_PRIVATE)

    # 1. clone what is allowed (detached, held by a file descriptor), read-only unless
    #    it is the connection folder; devices keep working, nothing is setuid.
    clones = []
    for path, readonly in spec["binds"]:
        if not os.path.lexists(path):
            continue
        attrs = MOUNT_ATTR_NOSUID | (MOUNT_ATTR_RDONLY if readonly else 0)
        if not path.startswith("/dev/"):
            attrs |= MOUNT_ATTR_NODEV
        clones.append((path, os.path.isdir(path), _clone(path, attrs)))
    proc = _clone("/proc", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)
    overlays = [(target, _clone(source, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
                                MOUNT_ATTR_NODEV))
                for source, target in spec.get("overlays", [])]

    # 2. a fresh root: empty, then the clones at their own paths, the scratch tmpfs.
    if os.path.islink(STAGE) or not os.path.isdir(STAGE):
        _fail(f"{STAGE} must be a folder to build the sandbox's root in")
    _mount("tmpfs", STAGE, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,mode=755")
    root = STAGE
    for name, target in spec["symlinks"]:
        os.symlink(target, root + name)
    scratch = root + "/tmp"
    os.makedirs(scratch, mode=0o755)
    _mount("tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={int(spec['scratch_bytes'])},mode=1777")
    for path, is_dir, fd in sorted(clones, key=lambda c: c[0].count("/")):
        _make_target(root + path, is_dir)
        _attach(fd, root + path)
    for target, fd in overlays:  # e.g. a lesson's checks, replaced by its grading stub
        if not os.path.isfile(root + target):
            _fail(f"{target} is not in the sandbox, so it cannot be replaced")
        _attach(fd, root + target)
    _make_target(root + "/proc", True)
    _attach(proc, root + "/proc")
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2"),
                         ("shm", "/tmp")):
        if not os.path.lexists(root + "/dev/" + name):
            os.makedirs(root + "/dev", mode=0o755, exist_ok=True)
            os.symlink(target, root + "/dev/" + name)
    for path in spec.get("mask", []):  # allowed folders' parts that must stay unseen
        if os.path.isdir(root + path):
            _mount("tmpfs", root + path, "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY,
                   "size=4k,mode=755")
    _mount("none", root, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)

    # 3. swap the roots: nothing of the host is left but what was attached above.
    _swap_root(root)

    if spec.get("uid") is not None:
        os.setgroups([])
        os.setgid(spec["gid"])
        os.setuid(spec["uid"])
    else:  # a user namespace: keep our uid, give up every capability for good
        if _prctl(PR_SET_SECUREBITS, SECBITS_LOCK_ALL) != 0:
            _fail("could not lock the securebits")
        for cap in range(64):
            _prctl(PR_CAPBSET_DROP, cap)
    if _prctl(PR_SET_NO_NEW_PRIVS, 1) != 0:
        _fail("could not set no_new_privs")
    _prctl(PR_SET_PDEATHSIG, 9)
    os.chdir(spec["cwd"])
    if not stat.S_ISDIR(os.stat("/tmp").st_mode):
        _fail("the scratch folder is missing")
    os.execve(cmd[0], cmd, spec["env"])


if __name__ == "__main__":
    main(sys.argv[1:])
