"""Set up one submission's sandbox, then exec the kernel inside it.

Run as a script (``python -I _jail.py SPEC.json -- CMD...``) by :mod:`.sandbox`, already
inside fresh network, mount and PID namespaces made by ``unshare``. It uses only the
standard library, because it runs before anything else in the sandbox:

1. every path in ``expose`` is cloned (a detached copy of its mount, held open);
2. every path in ``hide`` is covered by an empty tmpfs (the solutions, the tests, the
   grading output, the other trainees' submissions, /tmp ...);
3. the clones are attached back at their own paths, even under a hidden folder (the
   Python installation, the package, the scratch folder); ``readonly`` ones read-only;
4. privileges are dropped: as root, to the unprivileged ``uid`` / ``gid`` (``nobody``);
   in a user namespace, every capability is dropped, so the mounts cannot be undone;
5. the parent-death signal is set, so killing the sandbox kills the kernel;
6. the command (the Jupyter kernel) is exec'd.

Nothing here reads the submission; a failure exits with status 111 and one line on
stderr, which the grader reports as a crash of the sandbox.
"""

import ctypes
import json
import os
import sys

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = (
    1, 2, 4, 32, 4096, 16384, 1 << 18)
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_SECUREBITS, PR_SET_NO_NEW_PRIVS = 1, 24, 28, 38
# New mount API (Linux 5.2+; the same numbers on every architecture).
SYS_OPEN_TREE, SYS_MOVE_MOUNT, AT_FDCWD = 428, 429, -100
OPEN_TREE_CLONE, OPEN_TREE_CLOEXEC, AT_RECURSIVE, MOVE_MOUNT_F_EMPTY_PATH = (
    1, 0o2000000, 0x8000, 4)
SECBITS_LOCK_ALL = 0x3F  # noroot, no_setuid_fixup, keep_caps: set and locked

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
_libc.syscall.restype = ctypes.c_long
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong,
                        ctypes.c_ulong]


def _fail(message):
    sys.stderr.write(f"teachkit sandbox: {message}\n")
    sys.exit(111)


def _mount(source, target, fstype, flags, data=None):
    enc = [None if x is None else x.encode() for x in (source, target, fstype, data)]
    if _libc.mount(enc[0], enc[1], enc[2], flags, enc[3]) != 0:
        err = ctypes.get_errno()
        _fail(f"mount {source} on {target} failed: {os.strerror(err)}")


def _clone(path):
    fd = _libc.syscall(SYS_OPEN_TREE, AT_FDCWD, path.encode(),
                       OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE)
    if fd < 0:
        _fail(f"open_tree {path} failed: {os.strerror(ctypes.get_errno())}")
    return fd


def _attach(fd, path):
    if _libc.syscall(SYS_MOVE_MOUNT, fd, b"", AT_FDCWD, path.encode(),
                     MOVE_MOUNT_F_EMPTY_PATH) != 0:
        _fail(f"move_mount to {path} failed: {os.strerror(ctypes.get_errno())}")
    os.close(fd)


def _prctl(option, arg):
    return _libc.prctl(option, arg, 0, 0, 0)


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
    _mount("none", "/", None, MS_REC | MS_PRIVATE)

    # 1. clone what must stay visible (detached, held by a file descriptor), 2. hide,
    # 3. attach the clones back at their own paths.
    exposed = [(path, _clone(path), readonly) for path, readonly in spec["expose"]]
    for path in spec["hide"]:
        if os.path.isdir(path):
            _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, spec["hide_options"])
    for path, fd, readonly in exposed:
        os.makedirs(path, exist_ok=True)
        _attach(fd, path)
        if readonly:
            _mount("none", path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC)
    for path in spec.get("readonly", []):
        if os.path.isdir(path):
            _mount(path, path, None, MS_BIND | MS_REC)
            _mount("none", path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC)

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
    os.execve(cmd[0], cmd, spec["env"])


if __name__ == "__main__":
    main(sys.argv[1:])
