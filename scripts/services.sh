#!/usr/bin/env bash
# The servers that the generated services' integration tests use, on loopback.
# scripts/test.sh runs it when the tests it runs need them; run it yourself to
# start, stop or look at them:
#
#   bash scripts/services.sh [start]   install what is missing, start what is
#                                      stopped, print the addresses as `export` lines
#   bash scripts/services.sh stop      stop the servers it starts
#   bash scripts/services.sh status    one line per server: name, variable, state
#
#   eval "$(bash scripts/services.sh)" # the addresses in this shell
#
# stdout carries only the export lines (start) or the status lines; progress
# and errors go to stderr. Safe to run again: it installs only what is missing,
# starts only what is stopped and creates users and databases only when
# absent. A server whose variable is already set (GOFACTORY_POSTGRES_URL ...)
# is used as it is, e.g. one running elsewhere: left alone, its address passed
# through, and nothing needs root for it.
#
# Debian or Ubuntu, as root (apt-get, and the servers' own OS users). Works
# without systemd: each server is started directly.
#
# A server is one line of SERVERS and one function server_<id> that takes
# start (then sets the variable to its address), stop or running. A server that
# is slow to start also has a function launch_<id>, which starts it without
# waiting for it: every launch_<id> runs before the first start, so that server
# comes up while the others do, and its own start, last, waits for it.
set -euo pipefail

# id, name, the variable holding its address, its Debian packages.
SERVERS=(
  "postgres PostgreSQL GOFACTORY_POSTGRES_URL postgresql"
  "mariadb MariaDB GOFACTORY_MYSQL_URL mariadb-server"
  "redis Redis GOFACTORY_REDIS_URL redis-server"
  "keycloak Keycloak GOFACTORY_KEYCLOAK_URL maven unzip curl"
)
# Installed beside the servers, when root: wrk drives the benchmarks; podman
# (with runc) builds and runs the generated services' images, on base images
# made from busybox-static (tests/images.py).
EXTRA_PACKAGES=(wrk podman runc busybox-static)

# The credentials the tests log in with; integration tests create their own
# databases, hence CREATEDB / ALL PRIVILEGES.
DB_USER=gofactory
DB_PASSWORD=gofactory
DB_NAME=gofactory
# How long a server may take to answer after being started.
WAIT_SECONDS=60

action=${1:-start}
case $action in
  start | stop | status) ;;
  *) echo "usage: bash scripts/services.sh [start|stop|status]" >&2; exit 2 ;;
esac

# The output lines go to the caller's stdout (fd 3); every other output,
# including that of the commands below, goes to stderr.
exec 3>&1 1>&2

log() { echo "services: $*"; }
die() { echo "services: $*" >&2; exit 1; }

# wait_for NAME LOG COMMAND...: runs COMMAND until it succeeds, or fails naming
# the server and showing the end of its log.
wait_for() {
  local name=$1 logfile=$2
  shift 2
  local deadline=$((SECONDS + WAIT_SECONDS))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "services: $name did not answer within ${WAIT_SECONDS}s; end of $logfile:" >&2
      tail -n 30 "$logfile" >&2 2>/dev/null || echo "(no log)" >&2
      exit 1
    fi
    sleep 1
  done
}

# detached COMMAND...: runs COMMAND, which starts a server, with stdin from
# /dev/null and no descriptor above stderr. A server that inherited one would
# hold it open as long as it runs: fd 3 is the caller's "$(...)", which then
# never returns, and a CI runner's pipes would never reach end of file.
# Nor does it get the caller's TMPDIR: the servers run as their own users, for
# whom a temporary directory private to the caller is unwritable (MariaDB then
# refuses to start); they use the system's.
detached() {
  (
    for fd in "/proc/$BASHPID/fd/"*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
    done
    exec env -u TMPDIR "$@" </dev/null
  )
}

# Single-quotes a value for the export lines (the URLs contain '?' and '&').
quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# --- PostgreSQL: the distribution's "main" cluster of its newest major version.

pg_cluster() {
  # Sets major, port, status, logfile of the main cluster (status empty if none).
  major=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/postgres' 2>/dev/null \
    | awk -F/ '{print $5}' | sort -n | tail -n 1) || true
  port='' status='' logfile=''
  [ -n "$major" ] || return 0
  read -r port status logfile < <(pg_lsclusters -h 2>/dev/null \
    | awk -v v="$major" '$1 == v && $2 == "main" {print $3, $4, $7}') || true
}

server_postgres() {
  local major port status logfile
  pg_cluster
  case $1 in
    running) [[ $status == online* ]]; return ;;
    stop)
      if [[ $status == online* ]]; then
        log "stopping PostgreSQL $major"
        pg_ctlcluster --skip-systemctl-redirect "$major" main stop
      fi
      return ;;
  esac

  [ -n "$major" ] || die "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres)"
  # The package creates the "main" cluster unless told not to; create it if not.
  if [ -z "$status" ]; then
    log "creating PostgreSQL $major cluster main"
    pg_createcluster "$major" main
    pg_cluster
  fi
  if [[ $status != online* ]]; then
    log "starting PostgreSQL $major on port $port"
    # Without systemd, pg_ctlcluster must not hand over to systemctl.
    detached pg_ctlcluster --skip-systemctl-redirect "$major" main start \
      || { tail -n 30 "$logfile" >&2 2>/dev/null; die "PostgreSQL $major did not start"; }
  fi
  wait_for "PostgreSQL $major" "$logfile" pg_isready -q -h 127.0.0.1 -p "$port"

  # Administration as the postgres OS user over the unix socket (peer auth),
  # from / because that user may not read the current directory.
  pg_admin() { (cd / && runuser -u postgres -- psql -X -q -At -v ON_ERROR_STOP=1 -p "$port" "$@"); }
  if [ -z "$(pg_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" ]; then
    log "creating PostgreSQL role $DB_USER"
    pg_admin -c "CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD'"
  fi
  if [ -z "$(pg_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" ]; then
    log "creating PostgreSQL database $DB_NAME"
    pg_admin -c "CREATE DATABASE $DB_NAME OWNER $DB_USER"
  fi

  GOFACTORY_POSTGRES_URL="postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$port/$DB_NAME?sslmode=disable"
  # The tests log in over TCP with the password: check exactly that (-w: never prompt).
  psql -X -w -q -At "$GOFACTORY_POSTGRES_URL" -c "SELECT 1" >/dev/null \
    || die "cannot log in to PostgreSQL as $DB_USER over TCP (an existing role with another password?)"
  log "PostgreSQL $major ready on 127.0.0.1:$port"
}

# --- MariaDB: the distribution's server, data in /var/lib/mysql.

server_mariadb() {
  local logfile=/var/log/mysql/error.log
  local ping=(mariadb-admin -uroot --connect-timeout=2 ping)
  case $1 in
    running) command -v mariadb-admin >/dev/null && "${ping[@]}" >/dev/null 2>&1; return ;;
    stop)
      if command -v mariadb-admin >/dev/null && "${ping[@]}" >/dev/null 2>&1; then
        log "stopping MariaDB"
        # Returns once the server has shut down.
        mariadb-admin -uroot shutdown
      fi
      return ;;
  esac

  my_admin() { mariadb -uroot --batch --skip-column-names "$@"; }
  if ! "${ping[@]}" >/dev/null 2>&1; then
    # /run is emptied at boot, and the data directory may not be initialised
    # when the package's scripts could not run the server.
    install -d -o mysql -g mysql /run/mysqld /var/log/mysql
    if [ ! -d /var/lib/mysql/mysql ]; then
      log "initialising the MariaDB data directory"
      mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
    fi
    log "starting MariaDB"
    # Without --output the server's own messages (it logs to stderr by default
    # on Debian) would be lost.
    detached start-stop-daemon --start --oknodo --background --output "$logfile" \
      --exec /usr/sbin/mariadbd -- --user=mysql
  fi
  # ping succeeds once the server answers, even before root is authenticated.
  wait_for MariaDB "$logfile" "${ping[@]}"

  local port
  port=$(my_admin -e "SELECT @@port")
  # Root logs in over the unix socket as the root OS user. The statements are
  # idempotent; 'localhost' covers clients whose 127.0.0.1 resolves to it.
  my_admin <<SQL
CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'127.0.0.1';
GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'localhost';
CREATE DATABASE IF NOT EXISTS $DB_NAME;
SQL

  # shellcheck disable=SC2034 # printed through ${!variable} below
  GOFACTORY_MYSQL_URL="mysql://$DB_USER:$DB_PASSWORD@127.0.0.1:$port/$DB_NAME"
  # The tests log in over TCP with the password: check exactly that.
  MYSQL_PWD=$DB_PASSWORD mariadb --protocol=TCP -h 127.0.0.1 -P "$port" -u "$DB_USER" "$DB_NAME" \
    -e "SELECT 1" >/dev/null \
    || die "cannot log in to MariaDB as $DB_USER over TCP (an existing user with another password?)"
  log "MariaDB ready on 127.0.0.1:$port"
}

# --- Redis: an instance of its own on loopback, as the redis user, with no
# persistence (the tests' keys need not survive it).

REDIS_PORT=6379

server_redis() {
  local logfile=/var/log/redis/gofactory.log
  local ping=(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping)
  case $1 in
    running) command -v redis-cli >/dev/null && [ "$("${ping[@]}" 2>/dev/null)" = PONG ]; return ;;
    stop)
      if server_redis running; then
        log "stopping Redis"
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null
      fi
      return ;;
  esac

  if ! server_redis running; then
    log "starting Redis on 127.0.0.1:$REDIS_PORT"
    install -d -o redis -g redis /var/log/redis /run/redis
    detached runuser -u redis -- redis-server --daemonize yes --bind 127.0.0.1 \
      --port "$REDIS_PORT" --save "" --appendonly no --dir /run/redis --logfile "$logfile"
  fi
  wait_for Redis "$logfile" server_redis running

  # shellcheck disable=SC2034 # printed through ${!variable} below
  GOFACTORY_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
  log "Redis ready on 127.0.0.1:$REDIS_PORT"
}

# --- Keycloak: the OpenID provider of the auth slice's integration tests. It
# has no Debian package: Maven Central serves its distribution, kept unpacked
# in a cache across runs. It runs as the caller, in development mode (its data
# in an H2 database of that installation), on loopback; the tests use its admin
# REST API as the bootstrap admin, whose credentials the exported URL carries.

KEYCLOAK_VERSION=26.7.3
KEYCLOAK_PORT=8180
KEYCLOAK_ADMIN="admin"
KEYCLOAK_PASSWORD=gofactory
# Its first start builds the server (Quarkus augmentation) and creates its
# database: over a minute on two busy cores. Later starts take seconds.
KEYCLOAK_WAIT_SECONDS=300
# GOFACTORY_KEYCLOAK_CACHE moves the cache (one directory per version).
KEYCLOAK_CACHE=${GOFACTORY_KEYCLOAK_CACHE:-${XDG_CACHE_HOME:-~/.cache}/gofactory/keycloak}/$KEYCLOAK_VERSION
KEYCLOAK_HOME=$KEYCLOAK_CACHE/keycloak-$KEYCLOAK_VERSION
KEYCLOAK_LOG=$KEYCLOAK_CACHE/keycloak.log
KEYCLOAK_PID=$KEYCLOAK_CACHE/keycloak.pid
# Present once a start completed, i.e. once the installation is built.
KEYCLOAK_BUILT=$KEYCLOAK_CACHE/built
KEYCLOAK_DISCOVERY=http://127.0.0.1:$KEYCLOAK_PORT/realms/master/.well-known/openid-configuration

keycloak_answers() {
  command -v curl >/dev/null && curl -fsS -o /dev/null --max-time 5 "$KEYCLOAK_DISCOVERY" 2>/dev/null
}

# The pid of the Keycloak this script launched, if it still runs (kc.sh, or
# the JVM it became after building the server; both name the installation).
keycloak_pid() {
  local pid
  pid=$(cat "$KEYCLOAK_PID" 2>/dev/null) || return 1
  [ -n "$pid" ] && grep -qF "$KEYCLOAK_HOME" "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}

# The JDK to run it with: Keycloak 26 needs Java 21 or newer, which Debian 12
# does not package (its default java is 17). JAVA_HOME if it is recent enough,
# else the newest under /usr/lib/jvm.
keycloak_java_home() {
  local dir major best='' best_major=0
  for dir in ${JAVA_HOME:+"$JAVA_HOME"} /usr/lib/jvm/*/; do
    dir=${dir%/}
    [ -x "$dir/bin/java" ] || continue
    major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$dir/release" 2>/dev/null)
    [ "${major:-0}" -ge 21 ] || continue
    if [ "$dir" = "${JAVA_HOME:-}" ]; then echo "$dir"; return 0; fi
    if [ "$major" -gt "$best_major" ]; then best=$dir best_major=$major; fi
  done
  [ -n "$best" ] && echo "$best"
}

install_keycloak() {
  local download=$KEYCLOAK_CACHE/download
  rm -rf "$download"
  mkdir -p "$download"
  log "downloading Keycloak $KEYCLOAK_VERSION from Maven Central (about 180 MB, once)"
  # Maven (and so the user's mirrors and proxies) in a repository of its own,
  # deleted afterwards: the archive is kept unpacked, not also in ~/.m2.
  (cd "$download" && mvn -B -q -Dmaven.repo.local="$download/repository" dependency:copy \
    -Dartifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip" \
    -DoutputDirectory="$download") </dev/null >"$download/maven.log" 2>&1 \
    || { cat "$download/maven.log"; die "could not download Keycloak $KEYCLOAK_VERSION from Maven Central"; }
  unzip -q "$download/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip" -d "$download"
  mv "$download/keycloak-$KEYCLOAK_VERSION" "$KEYCLOAK_HOME"
  rm -rf "$download"
}

launch_keycloak() {
  if keycloak_answers || keycloak_pid >/dev/null; then return 0; fi
  local java_home
  java_home=$(keycloak_java_home) || die "Keycloak $KEYCLOAK_VERSION needs Java 21 or newer," \
    "found neither in JAVA_HOME nor under /usr/lib/jvm: install a JDK 21+ there" \
    "(e.g. Eclipse Temurin 21 or 25, temurin-25-jdk from packages.adoptium.net), or set JAVA_HOME to one"
  mkdir -p "$KEYCLOAK_CACHE"
  # Another run of this script may be installing or starting it.
  local lock
  exec {lock}>"$KEYCLOAK_CACHE/lock"
  flock "$lock"
  if ! keycloak_answers && ! keycloak_pid >/dev/null; then
    [ -x "$KEYCLOAK_HOME/bin/kc.sh" ] || install_keycloak
    # Once built, the JVM keeps the classes it loads in an archive (written
    # when it stops, again whenever the JDK changes) and maps it at the next
    # start, a few seconds sooner. (It then logs "[error][cds] ... Mismatched
    # values for property jdk.module...": only the JDK's module graph is not
    # reused.) Not before: the run that builds the server loads other classes.
    local jvm=''
    if [ -e "$KEYCLOAK_BUILT" ]; then
      jvm="-XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=$KEYCLOAK_CACHE/classes.jsa"
    fi
    log "starting Keycloak $KEYCLOAK_VERSION on 127.0.0.1:$KEYCLOAK_PORT (Java in $java_home)"
    # start-stop-daemon detaches it and writes its pid file before returning.
    : >"$KEYCLOAK_LOG"
    rm -f "$KEYCLOAK_PID"
    detached JAVA_HOME="$java_home" JAVA_OPTS_APPEND="$jvm" \
      KC_BOOTSTRAP_ADMIN_USERNAME="$KEYCLOAK_ADMIN" KC_BOOTSTRAP_ADMIN_PASSWORD="$KEYCLOAK_PASSWORD" \
      start-stop-daemon --start --background --make-pidfile --pidfile "$KEYCLOAK_PID" \
      --output "$KEYCLOAK_LOG" --startas "$KEYCLOAK_HOME/bin/kc.sh" -- \
      start-dev --http-host=127.0.0.1 --http-port="$KEYCLOAK_PORT"
  fi
  exec {lock}>&-
}

keycloak_gone() { ! kill -0 "$1" 2>/dev/null; }
# Until it answers, or ends (a start that failed).
keycloak_up() { keycloak_answers || ! keycloak_pid >/dev/null; }

server_keycloak() {
  case $1 in
    running) keycloak_answers; return ;;
    stop)
      local pid
      if pid=$(keycloak_pid); then
        log "stopping Keycloak"
        # kc.sh passes the signal on to its JVM and ends with it. The JVM may
        # write its class archive on the way out: some seconds.
        kill -TERM "$pid"
        WAIT_SECONDS=$KEYCLOAK_WAIT_SECONDS wait_for "Keycloak (stopping)" "$KEYCLOAK_LOG" \
          keycloak_gone "$pid"
        rm -f "$KEYCLOAK_PID"
      elif keycloak_answers; then
        log "a Keycloak this script did not start answers on port $KEYCLOAK_PORT: left alone"
      fi
      return ;;
  esac

  launch_keycloak
  WAIT_SECONDS=$KEYCLOAK_WAIT_SECONDS wait_for Keycloak "$KEYCLOAK_LOG" keycloak_up
  if ! keycloak_answers; then
    tail -n 30 "$KEYCLOAK_LOG" >&2 2>/dev/null
    die "Keycloak did not start (end of $KEYCLOAK_LOG above)"
  fi
  touch "$KEYCLOAK_BUILT"

  # The tests log in to the admin REST API with these credentials: check exactly that.
  curl -fsS -o /dev/null --max-time 30 -d grant_type=password -d client_id=admin-cli \
    --data-urlencode "username=$KEYCLOAK_ADMIN" --data-urlencode "password=$KEYCLOAK_PASSWORD" \
    "http://127.0.0.1:$KEYCLOAK_PORT/realms/master/protocol/openid-connect/token" \
    || die "cannot log in to Keycloak as $KEYCLOAK_ADMIN (its database has another admin password?)"

  # shellcheck disable=SC2034 # printed through ${!variable} below
  GOFACTORY_KEYCLOAK_URL="http://$KEYCLOAK_ADMIN:$KEYCLOAK_PASSWORD@127.0.0.1:$KEYCLOAK_PORT"
  log "Keycloak ready on 127.0.0.1:$KEYCLOAK_PORT"
}

# --- The actions, over the SERVERS table.

if [ "$action" = status ]; then
  for entry in "${SERVERS[@]}"; do
    read -r id name variable _ <<<"$entry"
    if [ -n "${!variable:-}" ]; then state=external
    elif "server_$id" running; then state=running
    else state=stopped; fi
    echo "$name $variable $state" >&3
  done
  exit 0
fi

if [ "$action" = stop ]; then
  [ "$(id -u)" -eq 0 ] || die "must run as root to stop the servers"
  for entry in "${SERVERS[@]}"; do
    read -r id _ <<<"$entry"
    "server_$id" stop
  done
  exit 0
fi

# start: the servers whose variable is unset are this script's to run.
wanted=() packages=() missing_names=()
for entry in "${SERVERS[@]}"; do
  read -r id name variable server_packages <<<"$entry"
  if [ -z "${!variable:-}" ]; then
    wanted+=("$id")
    read -r -a server_packages <<<"$server_packages"
    packages+=("${server_packages[@]}")
    missing_names+=("$name ($variable)")
  fi
done
if [ "${#wanted[@]}" -gt 0 ] && [ "$(id -u)" -ne 0 ]; then
  printf -v list '\n  %s' "${missing_names[@]}"
  die "these servers are needed, and only root can install and start them here; run as root, or set each variable to the URL of a server you run:$list"
fi
if [ "$(id -u)" -eq 0 ]; then
  missing=()
  for pkg in "${packages[@]}" "${EXTRA_PACKAGES[@]}"; do
    installed "$pkg" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq
    # The packages' scripts may try to start the servers and fail without an
    # init system: harmless, they are started below.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" </dev/null
  fi
fi
for id in "${wanted[@]}"; do
  if declare -F "launch_$id" >/dev/null; then "launch_$id"; fi
done
for id in "${wanted[@]}"; do
  "server_$id" start
done

for entry in "${SERVERS[@]}"; do
  read -r _ _ variable _ <<<"$entry"
  echo "export $variable=$(quote "${!variable}")" >&3
done
