"""Podman, and the base images a generated Dockerfile builds on, made on this machine.

No image registry can be reached from the machines the tests run on, so the images
that a generated Dockerfile's FROM lines name are made locally, under those exact
names, and ``podman build --pull=never`` builds the Dockerfile unchanged:

* ``golang:<version>`` (the build stage): busybox-static for the shell of RUN, the
  Go installation that runs the tests (its GOROOT, at /usr/local/go as in the
  official image, with the same GOPATH, PATH and GOTOOLCHAIN), the machine's CA
  bundle. It stands for the official image only when the Go version asked for is
  the local one: another version fails instead of being built with the wrong Go.
* ``gcr.io/distroless/static-debian12:nonroot`` (the runtime): what distroless's
  static image holds, and nothing more: /etc/passwd and /etc/group with nonroot
  (65532) and its home, the CA bundle, the time zone database, a 1777 /tmp, and
  the image's user 65532 and working directory /home/nonroot.

Each image is made once per machine: it carries a label with a digest of this
file and of the Go version, and a run that finds it with the same label makes
nothing. A lock file makes the test workers of one run wait for the one that
makes them.

Podman runs as the tests need it on machines without systemd and in containers:
runc, cgroupfs, events in a file, a containers.conf without default ulimits, and
the overlay storage driver, or vfs where the kernel cannot mount overlay there.
Its storage is the tests' own (beside the cache of tests/tools.py), never the
machine's default one, whose driver may differ.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import tools

# What the image tests need, as Debian packages: scripts/services.sh installs them
# (as root) when the tests it runs for include slow ones.
PACKAGES = ("podman", "runc", "busybox-static")
BUSYBOX = Path("/bin/busybox")
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
ZONEINFO = Path("/usr/share/zoneinfo")

GOLANG = re.compile(r"^(?:docker\.io/library/|localhost/)?golang:(?P<version>[0-9.]+)$")
DISTROLESS_STATIC = "gcr.io/distroless/static-debian12:nonroot"
# The label that tells which recipe made a base image.
RECIPE_LABEL = "org.gofactory.test.recipe"

NONROOT = 65532
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
BUILD_TIMEOUT = 1800


class PodmanError(Exception):
    """Podman is missing or a podman command failed: the message says which and why."""


def missing() -> list[str]:
    """The packages of PACKAGES that are not installed, by the commands they provide."""
    found = {
        "podman": shutil.which("podman"),
        "runc": shutil.which("runc"),
        "busybox-static": BUSYBOX.is_file() or None,
    }
    return [name for name in PACKAGES if not found[name]]


def require() -> None:
    """Fail, naming what to install, unless podman and the base images' parts are here."""
    absent = missing()
    if absent:
        raise PodmanError(
            f"the image tests need {', '.join(absent)} (Debian packages): as root, "
            "`bash scripts/test.sh` installs them with the servers (scripts/services.sh); "
            f"otherwise run `apt-get install {' '.join(PACKAGES)}` as root first"
        )


def home() -> Path:
    """The tests' podman storage and configuration, kept across runs."""
    return tools.cache_root().parent / "podman"


def run_dir() -> Path:
    """Podman's run-time state: a temporary directory, emptied when the machine restarts."""
    return Path(tempfile.gettempdir()) / f"gofactory-podman-{os.getuid()}"


def environment() -> dict[str, str]:
    conf = home() / "containers.conf"
    if not conf.is_file():
        conf.parent.mkdir(parents=True, exist_ok=True)
        # Without systemd or a cgroup delegation the default ulimits cannot be set.
        conf.write_text("[containers]\ndefault_ulimits = []\n", encoding="utf-8")
    return {**os.environ, "CONTAINERS_CONF": str(conf)}


def command(*args: str, driver: str | None = None) -> list[str]:
    """A podman command line with the tests' storage and the flags this machine needs."""
    driver = driver or storage_driver()
    return [
        "podman",
        "--root",
        str(home() / f"storage-{driver}"),
        "--runroot",
        str(run_dir() / f"storage-{driver}"),
        "--tmpdir",
        str(run_dir() / "libpod"),
        "--storage-driver",
        driver,
        "--runtime",
        "runc",
        "--cgroup-manager",
        "cgroupfs",
        "--events-backend",
        "file",
        *args,
    ]


@functools.cache
def storage_driver() -> str:
    """overlay where podman can mount it here (it checks that when it starts), else vfs,
    which works everywhere but copies every layer whole: several times slower."""
    probe = subprocess.run(
        command("info", "--format", "{{.Store.GraphDriverName}}", driver="overlay"),
        capture_output=True,
        text=True,
        timeout=120,
        env=environment(),
        check=False,
    )
    return "overlay" if probe.returncode == 0 and probe.stdout.strip() == "overlay" else "vfs"


def podman(
    *args: str, timeout: float = 120, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a podman command; on failure (with check) raise its command line and output."""
    done = subprocess.run(
        command(*args),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment(),
        check=False,
    )
    if check and done.returncode != 0:
        raise PodmanError(
            f"podman {' '.join(args)} exited with {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done


def base_images(dockerfile: Path) -> list[str]:
    """The images a Dockerfile's FROM lines name, less its own stages, in order."""
    names: list[str] = []
    stages: set[str] = set()
    for line in dockerfile.read_text(encoding="utf-8").splitlines():
        words = line.split()
        if not words or words[0].upper() != "FROM":
            continue
        words = [w for w in words[1:] if not w.startswith("--")]
        if len(words) == 3 and words[1].upper() == "AS":
            stages.add(words[2].lower())
        if words[0].lower() not in stages and words[0] not in names:
            names.append(words[0])
    return names


@functools.cache
def local_go() -> tuple[str, Path]:
    """The Go that runs the tests: its version (go1.26.8) and GOROOT."""
    out = subprocess.run(
        [tools.go(), "env", "GOVERSION", "GOROOT"], capture_output=True, text=True, check=True
    ).stdout.split()
    return out[0], Path(out[1])


def recipe(name: str) -> str:
    """The label value of a base image: this file's recipe, and the Go it holds."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(f"{name}\n{local_go()[0]}\n".encode())
    return digest.hexdigest()[:16]


@contextmanager
def _flock(name: str, operation: int) -> Iterator[bool]:
    """Hold a lock file beside the storage; False when LOCK_NB finds it held."""
    home().mkdir(parents=True, exist_ok=True)
    with (home() / name).open("w") as lock:
        try:
            fcntl.flock(lock.fileno(), operation)
        except BlockingIOError:
            yield False
            return
        yield True


@contextmanager
def in_use() -> Iterator[None]:
    """Hold the storage for a build or a run: prune() waits for no one, and skips."""
    with _flock("storage.lock", fcntl.LOCK_SH):
        yield


def prune() -> None:
    """Remove the images no tag and no other image needs (the build stages of earlier
    builds), unless another test builds or runs meanwhile: a later run prunes then."""
    with _flock("storage.lock", fcntl.LOCK_EX | fcntl.LOCK_NB) as alone:
        if alone:
            podman("image", "prune", "--force", check=False)


def _labels(name: str) -> dict[str, str]:
    done = podman("image", "inspect", "--format", "{{json .Labels}}", name, check=False)
    if done.returncode != 0:
        return {}
    labels: dict[str, str] | None = json.loads(done.stdout or "null")
    return labels or {}


def ensure(dockerfile: Path) -> dict[str, float]:
    """Make every base image the Dockerfile names that is not here yet; return the
    seconds each one that was made took."""
    require()
    made: dict[str, float] = {}
    with _flock("base-images.lock", fcntl.LOCK_EX):
        for name in base_images(dockerfile):
            match = GOLANG.match(name)
            if match is not None:
                version, goversion = match["version"], local_go()[0]
                if not (goversion + ".").startswith(f"go{version}."):
                    raise PodmanError(
                        f"{dockerfile} builds with golang:{version}, and this machine's Go is "
                        f"{goversion}: only an image of that version can be made here"
                    )
                names = golang_names(version)
                changes, rootfs = golang_changes(), golang_rootfs
            elif name == DISTROLESS_STATIC:
                names = [name]
                changes, rootfs = static_changes(), static_rootfs
            else:
                raise PodmanError(f"no local recipe for the base image {name}")
            if all(_labels(n).get(RECIPE_LABEL) == recipe(names[0]) for n in names):
                continue
            begin = time.monotonic()
            _import(names[0], [*changes, f"LABEL {RECIPE_LABEL}={recipe(names[0])}"], rootfs)
            for alias in names[1:]:
                podman("tag", names[0], alias)
            made[name] = time.monotonic() - begin
    return made


def _import(name: str, changes: list[str], rootfs: Callable[[_Tree], None]) -> None:
    """``podman import`` of the tree that rootfs writes, streamed to podman."""
    proc = subprocess.Popen(
        command("import", *(f"--change={c}" for c in changes), "-", name),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=environment(),
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        with proc.stdin, tarfile.open(fileobj=proc.stdin, mode="w|") as tar:
            rootfs(_Tree(tar))
    except BrokenPipeError:
        pass
    out = proc.stdout.read().decode(errors="replace")
    if proc.wait(timeout=BUILD_TIMEOUT) != 0:
        raise PodmanError(f"podman import of {name} exited with {proc.returncode}:\n{out}")


def golang_names(version: str) -> list[str]:
    """The names of the toolchain image: Docker Hub's, and localhost's, where podman
    looks for a short name first."""
    return [f"docker.io/library/golang:{version}", f"localhost/golang:{version}"]


def golang_changes() -> list[str]:
    return [
        f"ENV PATH=/go/bin:/usr/local/go/bin:{SYSTEM_PATH}",
        "ENV GOPATH=/go",
        "ENV GOTOOLCHAIN=local",
        "WORKDIR /go",
        'CMD ["/bin/sh"]',
    ]


def static_changes() -> list[str]:
    return [
        f"ENV PATH={SYSTEM_PATH}",
        f"ENV SSL_CERT_FILE={CA_BUNDLE}",
        f"USER {NONROOT}",
        "WORKDIR /home/nonroot",
    ]


class _Tree:
    """A root file system written as a tar archive, in memory."""

    def __init__(self, tar: tarfile.TarFile) -> None:
        self.tar = tar

    def directory(self, path: str, mode: int = 0o755, owner: int = 0) -> None:
        info = tarfile.TarInfo(path)
        info.type, info.mode, info.uid, info.gid = tarfile.DIRTYPE, mode, owner, owner
        self.tar.addfile(info)

    def text(self, path: str, content: str, mode: int = 0o644) -> None:
        data = content.encode()
        info = tarfile.TarInfo(path)
        info.size, info.mode = len(data), mode
        self.tar.addfile(info, io.BytesIO(data))

    def symlink(self, path: str, target: str) -> None:
        info = tarfile.TarInfo(path)
        info.type, info.linkname, info.mode = tarfile.SYMTYPE, target, 0o777
        self.tar.addfile(info)

    def copy(self, source: Path, path: str) -> None:
        """A file or a whole tree of this machine, owned by root."""

        def as_root(info: tarfile.TarInfo) -> tarfile.TarInfo:
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            return info

        self.tar.add(source, path, filter=as_root)


def _system(tree: _Tree, passwd: Sequence[tuple[str, int, str, str]]) -> None:
    """The directories, users and certificates both base images have."""
    for path in ("etc", "etc/ssl", "etc/ssl/certs", "usr", "usr/share", "root"):
        tree.directory(path, 0o700 if path == "root" else 0o755)
    tree.directory("tmp", 0o1777)
    tree.text(
        "etc/passwd",
        "".join(
            f"{name}:x:{uid}:{uid}:{name}:{home}:{shell}\n" for name, uid, home, shell in passwd
        ),
    )
    tree.text("etc/group", "".join(f"{name}:x:{uid}:\n" for name, uid, _, _ in passwd))
    tree.copy(CA_BUNDLE, str(CA_BUNDLE).lstrip("/"))


def golang_rootfs(tree: _Tree) -> None:
    _system(tree, [("root", 0, "/root", "/bin/sh")])
    for path in ("bin", "sbin", "usr/bin", "usr/sbin", "usr/local", "go", "go/bin"):
        tree.directory(path)
    tree.copy(BUSYBOX, "bin/busybox")
    applets = subprocess.run(
        [str(BUSYBOX), "--list-full"], capture_output=True, text=True, check=True
    ).stdout.split()
    for applet in applets:
        if applet != "bin/busybox":
            tree.symlink(applet, "/bin/busybox")
    tree.copy(local_go()[1], "usr/local/go")


def static_rootfs(tree: _Tree) -> None:
    _system(
        tree,
        [
            ("root", 0, "/root", "/sbin/nologin"),
            ("nobody", 65534, "/nonexistent", "/sbin/nologin"),
            ("nonroot", NONROOT, "/home/nonroot", "/sbin/nologin"),
        ],
    )
    tree.directory("home")
    tree.directory("home/nonroot", 0o700, NONROOT)
    tree.text("etc/nsswitch.conf", "hosts: files dns\n")
    tree.copy(ZONEINFO, str(ZONEINFO).lstrip("/"))
