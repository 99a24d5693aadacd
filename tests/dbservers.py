"""Private database servers, for tests that stop and restart one.

The shared servers (scripts/services.sh, exported as GOFACTORY_*_URL) serve every
test at once under pytest-xdist: a test that stops its database to see how a
service copes would break the others. These context managers start a throwaway
PostgreSQL or MariaDB instead, with its own data directory, loopback port and unix
socket, stopped and removed on exit:

    with private_postgres(tmp_path) as db:
        ...          # a service reaches it at db.url
        db.stop()    # now connections are refused
        db.start()   # same port, same data

Both servers refuse to run as root: run by root (as in CI), they run as their
packages' OS users (postgres, mysql); run by another user, as that user. The
server binaries come with the packages scripts/services.sh installs.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from ports import free_port

# How long a server may take to start, or to stop.
TIMEOUT = 30.0

# The login of each private server (a superuser / all privileges, so tests may
# create what they need) and the database its URL names.
USER = "gofactory"
PASSWORD = "gofactory"
DATABASE = "gofactory"


class ServerError(RuntimeError):
    """A private server could not be set up, started or stopped."""


class PrivateServer(Protocol):
    """What tests use of a private server, whichever database it is."""

    @property
    def port(self) -> int: ...

    @property
    def url(self) -> str: ...

    def stop(self) -> None: ...

    def start(self) -> None: ...


def _is_root() -> bool:
    return os.geteuid() == 0


def _current_user() -> str:
    return pwd.getpwuid(os.geteuid()).pw_name


def _as(os_user: str) -> list[str]:
    """The command prefix that runs a command as os_user (nothing if already them)."""
    return ["runuser", "-u", os_user, "--"] if _is_root() else []


def _tail(log: Path | None, lines: int = 30) -> str:
    """The end of a server's log, to explain a failure."""
    if log is None:
        return ""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"\n(no log at {log})"
    return f"\nend of {log.name}:\n" + "\n".join(text.splitlines()[-lines:])


def _server_env() -> dict[str, str]:
    """The environment of a server's commands: the caller's, without its TMPDIR, which
    may be private to the caller and then unwritable for the server's OS user (MariaDB
    refuses to start); the servers use the system's temporary directory."""
    return {name: value for name, value in os.environ.items() if name != "TMPDIR"}


def _run(cmd: Sequence[str], what: str, log: Path | None = None) -> str:
    """Run a setup or control command; its stdout, or an error saying what failed."""
    try:
        # From /: the servers' OS users may not be allowed into the current directory.
        done = subprocess.run(
            cmd,
            cwd="/",
            env=_server_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT + 10,
        )
    except subprocess.TimeoutExpired as e:
        raise ServerError(f"{what}: no answer within {TIMEOUT + 10:.0f}s{_tail(log)}") from e
    if done.returncode != 0:
        raise ServerError(
            f"{what} failed (exit {done.returncode}):\n{done.stdout}{done.stderr}{_tail(log)}"
        )
    return done.stdout


def _workdir(kind: str, os_user: str) -> Path:
    """A fresh directory for one server, owned by the OS user it runs as.

    Not under the test's tmp_path: pytest makes its temp directories private to
    the user running the tests, so the server's OS user could not reach one; and
    a unix socket's path must stay short (about 100 bytes). Under the system's
    temporary directory when the servers run as other users: the caller's TMPDIR may
    be one they cannot enter.
    """
    path = Path(tempfile.mkdtemp(prefix=f"gofactory-{kind}-", dir="/tmp" if _is_root() else None))
    if _is_root():
        shutil.chown(path, user=os_user)
    return path


def _keep_log(log: Path, tmp_path: Path) -> None:
    """Copy the server's log into the test's tmp_path, for a look after a failure."""
    if log.exists():
        tmp_path.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(log, tmp_path / log.name)


# PostgreSQL


def _postgres_bindir() -> Path:
    """The directory of initdb and pg_ctl: Debian's newest major version, or PATH."""
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if debian:
        return debian[-1].parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise ServerError("PostgreSQL's initdb not found: run scripts/services.sh to install it")
    return Path(initdb).parent


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of one test: see private_postgres."""

    bindir: Path
    workdir: Path
    os_user: str
    port: int

    @property
    def datadir(self) -> Path:
        return self.workdir / "data"

    @property
    def log(self) -> Path:
        return self.workdir / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgres://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{DATABASE}?sslmode=disable"

    def _pg_ctl(self, *args: str) -> list[str]:
        return [*_as(self.os_user), str(self.bindir / "pg_ctl"), "-D", str(self.datadir), *args]

    def start(self) -> None:
        """Start the server; returns once it accepts connections."""
        # -w: pg_ctl returns when the server answers, or fails after -t seconds.
        cmd = self._pg_ctl("-l", str(self.log), "-w", "-t", f"{TIMEOUT:.0f}", "start")
        _run(cmd, f"starting PostgreSQL on port {self.port}", self.log)

    def stop(self) -> None:
        """Stop the server (fast shutdown: clients are disconnected); returns once stopped."""
        cmd = self._pg_ctl("-m", "fast", "-w", "-t", f"{TIMEOUT:.0f}", "stop")
        _run(cmd, f"stopping PostgreSQL on port {self.port}", self.log)

    def _discard(self) -> None:
        """Stop the server, if running, without caring for its data."""
        if (self.datadir / "postmaster.pid").exists():
            subprocess.run(
                self._pg_ctl("-m", "immediate", "-w", "stop"),
                cwd="/",
                env=_server_env(),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=TIMEOUT,
                check=False,
            )


@contextmanager
def private_postgres(tmp_path: Path) -> Iterator[PrivatePostgres]:
    """A running PostgreSQL cluster of its own, on 127.0.0.1 and a free port.

    Its URL logs in with a password (scram-sha-256) as a superuser that owns the
    database it names. The cluster is removed on exit; its log is kept in tmp_path.
    """
    os_user = "postgres" if _is_root() else _current_user()
    server = PrivatePostgres(
        _postgres_bindir(), _workdir("postgres", os_user), os_user, free_port()
    )
    try:
        # The bootstrap superuser is the tests' user. TCP logins need its password;
        # the unix socket, private to the OS user, is trusted for the setup below.
        # --no-sync and fsync=off: throwaway data need not survive a machine crash,
        # and syncing is slow on CI disks (a clean stop still keeps all data).
        initdb = [
            *_as(os_user),
            str(server.bindir / "initdb"),
            "-D",
            str(server.datadir),
            "-U",
            USER,
            "--auth-host=scram-sha-256",
            "--auth-local=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]
        _run(initdb, "initialising a PostgreSQL cluster")
        # In the configuration file, so that start() needs no options.
        with (server.datadir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(
                "\n# Set by tests/dbservers.py\n"
                "listen_addresses = '127.0.0.1'\n"
                f"port = {server.port}\n"
                f"unix_socket_directories = '{server.workdir}'\n"
                "fsync = off\n"
            )
        server.start()
        psql = [
            *_as(os_user),
            str(server.bindir / "psql"),
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            str(server.workdir),
            "-p",
            str(server.port),
            "-U",
            USER,
            "-d",
            "postgres",
            "-c",
            f"ALTER ROLE {USER} PASSWORD '{PASSWORD}'",
            "-c",
            f"CREATE DATABASE {DATABASE} OWNER {USER}",
        ]
        _run(psql, "creating the PostgreSQL login and database", server.log)
        yield server
    finally:
        server._discard()
        _keep_log(server.log, tmp_path)
        shutil.rmtree(server.workdir, ignore_errors=True)


# MariaDB


def _mariadbd() -> str:
    # /usr/sbin is not on every user's PATH.
    found = shutil.which("mariadbd") or shutil.which("mariadbd", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise ServerError("mariadbd not found: run scripts/services.sh to install MariaDB")
    return found


@dataclass
class PrivateMariaDB:
    """A MariaDB server of one test: see private_mariadb."""

    workdir: Path
    os_user: str
    admin: str  # the MariaDB account the OS user running the tests logs in as
    port: int
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def datadir(self) -> Path:
        return self.workdir / "data"

    @property
    def socket(self) -> Path:
        return self.workdir / "mariadb.sock"

    @property
    def log(self) -> Path:
        return self.workdir / "mariadb.log"

    @property
    def url(self) -> str:
        return f"mysql://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{DATABASE}"

    def options(self) -> list[str]:
        """The server's options (after --no-defaults: no option file of the machine applies)."""
        return [
            f"--datadir={self.datadir}",
            f"--socket={self.socket}",
            f"--pid-file={self.workdir / 'mariadb.pid'}",
            f"--port={self.port}",
            "--bind-address=127.0.0.1",
            # Clients are matched by address: no DNS look-up on each connection.
            "--skip-name-resolve",
            # The character set Debian's configuration gives the shared server.
            "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_general_ci",
            # The default 96 MB redo log, times the tests running at once, is a
            # lot of disk for a few rows.
            "--innodb-log-file-size=16M",
            *([f"--user={self.os_user}"] if _is_root() else []),
        ]

    def client(self, tool: str, *args: str) -> list[str]:
        """A client command logged in as the admin account over the unix socket."""
        return [tool, "--no-defaults", f"--socket={self.socket}", f"--user={self.admin}", *args]

    def _answers(self) -> bool:
        ping = self.client("mariadb-admin", "--connect-timeout=1", "ping")
        return subprocess.run(ping, cwd="/", capture_output=True, check=False).returncode == 0

    def start(self) -> None:
        """Start the server; returns once it accepts connections."""
        # The server logs to stderr without an option file: into its log. The file
        # is opened here, as the user running the tests, not by the server.
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                [_mariadbd(), "--no-defaults", *self.options()],
                cwd="/",
                env=_server_env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + TIMEOUT
        while not self._answers():
            if self._process.poll() is not None:
                raise ServerError(
                    f"MariaDB on port {self.port} exited ({self._process.returncode})"
                    + _tail(self.log)
                )
            if time.monotonic() > deadline:
                self._discard()
                raise ServerError(
                    f"MariaDB on port {self.port} did not answer within {TIMEOUT:.0f}s"
                    + _tail(self.log)
                )
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop the server (SIGTERM: a clean shutdown); returns once stopped."""
        if self._process is None:
            raise ServerError(f"MariaDB on port {self.port} is not running")
        self._process.terminate()
        try:
            self._process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired as e:
            self._discard()
            raise ServerError(
                f"MariaDB on port {self.port} did not stop within {TIMEOUT:.0f}s" + _tail(self.log)
            ) from e
        self._process = None

    def _discard(self) -> None:
        """Kill the server, if running, without caring for its data."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None


@contextmanager
def private_mariadb(tmp_path: Path) -> Iterator[PrivateMariaDB]:
    """A running MariaDB server of its own, on 127.0.0.1 and a free port.

    Its URL logs in with a password as a user with all privileges, and names a
    database that exists. The server is removed on exit; its log is kept in tmp_path.
    """
    os_user = "mysql" if _is_root() else _current_user()
    admin = "root" if _is_root() else _current_user()
    server = PrivateMariaDB(_workdir("mariadb", os_user), os_user, admin, free_port())
    try:
        # The admin account logs in over the unix socket as the OS user of the
        # same name (unix_socket authentication): no password to manage, and
        # grant tables in force, as in production.
        install = [
            "mariadb-install-db",
            "--no-defaults",
            f"--auth-root-socket-user={admin}",
            "--auth-root-authentication-method=socket",
            "--skip-test-db",
            *server.options(),
        ]
        _run(install, "initialising a MariaDB data directory")
        server.start()
        # The server resolves no names: TCP clients are known by their address.
        account = f"'{USER}'@'127.0.0.1'"
        sql = (
            f"CREATE USER {account} IDENTIFIED BY '{PASSWORD}';"
            f" GRANT ALL PRIVILEGES ON *.* TO {account};"
            f" CREATE DATABASE {DATABASE};"
        )
        _run(server.client("mariadb", "-e", sql), "creating the MariaDB login", server.log)
        yield server
    finally:
        server._discard()
        _keep_log(server.log, tmp_path)
        shutil.rmtree(server.workdir, ignore_errors=True)


# The databases' own command-line clients, logging in as a service would: over TCP,
# with the password of the URL.


def psql(url: str, sql: str) -> subprocess.CompletedProcess[str]:
    # -w: fail rather than prompt when the password is refused.
    return subprocess.run(
        ["psql", "-X", "-w", "-q", "-At", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )


def mariadb(url: str, sql: str) -> subprocess.CompletedProcess[str]:
    # The client takes no URL: its parts, the password in the environment.
    parts = urlsplit(url)
    assert parts.hostname and parts.port and parts.username and parts.password is not None
    cmd = [
        "mariadb",
        "--no-defaults",
        "--protocol=TCP",
        f"--host={parts.hostname}",
        f"--port={parts.port}",
        f"--user={parts.username}",
        "--batch",
        "--skip-column-names",
        parts.path.lstrip("/"),
        "-e",
        sql,
    ]
    return subprocess.run(
        cmd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "MYSQL_PWD": parts.password},
    )
