#!/bin/bash
# Entrypoint of the mariadb images built by ../mariadb.sh from Debian's packages (11.8 from Debian
# 13, 10.11 from Debian 12). It keeps the contract of the official `mariadb` image that Trove's
# guest agent (26.0.0) relies on:
#
#   * `docker run IMAGE --opt ...` runs `mariadbd --opt ...`; any other command runs as given.
#   * An empty datadir is initialised: root gets MARIADB_ROOT_PASSWORD / MYSQL_ROOT_PASSWORD
#     (root@localhost and root@MARIADB_ROOT_HOST, default '%'), the USAGE-only accounts
#     healthcheck@{127.0.0.1,::1,localhost} are made and <datadir>/.my-healthcheck.cnf (mode 600)
#     holds their credentials for healthcheck.sh; MARIADB_DATABASE / _USER / _PASSWORD as usual.
#   * An initialised datadir whose .my-healthcheck.cnf is missing (Trove restores a backup) or
#     whose system tables are older than the server is repaired only with MARIADB_AUTO_UPGRADE
#     set (Trove sets it to 1): healthcheck accounts and file re-made, mariadb-upgrade run.
#   * Docker's health (healthcheck.sh) and the real socket see only the real server: the
#     temporary servers of set-up and repair listen on a private socket, without networking.
#   * It runs as whatever uid the container has (Trove: 1001:1001, not in /etc/passwd): nothing
#     here needs a user name. Started as root, it drops to the image's mysql account.
# Every MARIADB_* variable may also be given as MYSQL_* (Trove sets MYSQL_ROOT_PASSWORD). The time
# zone tables stay empty, as with MYSQL_INITDB_SKIP_TZINFO=1 (which Trove sets): their loader,
# mariadb-tzinfo-to-sql, comes with the mariadb-client package the image leaves out.
set -euo pipefail

log() { echo "$(date '+%F %T') [entrypoint] $*" >&2; }
die() { # message: stop, taking a temporary server down cleanly rather than with the container
    log "error: $*"
    if [[ -n "${temp_server_pid:-}" ]]; then kill -TERM "$temp_server_pid" 2>/dev/null && wait "$temp_server_pid" || true; fi
    exit 1
}
env_var() { # NAME [default]: MARIADB_NAME, else MYSQL_NAME, else the default
    local m="MARIADB_$1" o="MYSQL_$1"
    printf '%s' "${!m:-${!o:-${2:-}}}"
}
sql_string() { # a value as a quoted SQL string literal
    local s=${1//\\/\\\\}
    printf "'%s'" "${s//\'/\\\'}"
}
random_password() { od -An -N18 -tx1 /dev/urandom | tr -d ' \n'; }

# Options alone mean options for the server (Trove passes "--defaults-file=... --datadir=...").
if [[ "${1:-}" == -* ]]; then set -- mariadbd "$@"; fi
# Anything but the server (a shell, a client, ...) runs untouched, and so do --help/--version.
case "${1##*/}" in mariadbd | mysqld) ;; *) exec "$@" ;; esac
for arg in "$@"; do
    case "$arg" in -'?' | --help | -V | --version | --print-defaults) exec "$@" ;; esac
done

# The server's own view of its options (the defaults file, then the command line), so the datadir
# and socket are the ones it will use. An option it rejects stops the container here, with its
# message. --log-bin-index keeps --help from touching the binlog index of a configured log-bin.
settings=$("$@" --verbose --help --log-bin-index="$(mktemp -u)" 2>&1) || die "mariadbd rejects its options: $settings"
# (The table of values is the lines that start with the name; the help text above it is indented.)
setting() { awk -v name="$1" 'index($0, name " ") == 1 { print $2; exit }' <<<"$settings"; }
DATADIR=$(setting datadir)
DATADIR=${DATADIR%/}
SOCKET=$(setting socket)
PORT=$(setting port)
[[ -n "$DATADIR" && -n "$SOCKET" ]] || die "no datadir or socket in the output of mariadbd --verbose --help"

# Started as root (a plain `docker run`; Trove passes --user): hand the server's directories to
# the mysql account and run as it, since mariadbd refuses to run as root.
if [[ "$(id -u)" == 0 ]]; then
    mkdir -p "$DATADIR" "$(dirname "$SOCKET")"
    find "$DATADIR" "$(dirname "$SOCKET")" \! -user mysql -exec chown mysql:mysql {} +
    exec setpriv --reuid=mysql --regid=mysql --init-groups "$0" "$@"
fi

# The temporary servers (set-up, upgrade, repair) listen on a socket of their own in a private
# directory, never on the real one: Trove binds the real socket's directory to the host, where the
# guest agent connects once Docker reports the container healthy, and healthcheck.sh, which uses
# the real socket, would pass against a temporary server (with --skip-grant-tables any login does).
# So neither sees a server until the real one runs.
temp_server_pid="" temp_socket=""
client() { mariadb --no-defaults --protocol=socket --socket="$temp_socket" -uroot "$@"; }
start_temp_server() { # extra server options: the real command, reachable only over a private socket
    temp_socket=$(mktemp -d)/mysqld.sock
    "$@" --skip-networking --socket="$temp_socket" --skip-slave-start --loose-wsrep-on=OFF \
        --loose-innodb-buffer-pool-load-at-startup=0 --loose-innodb-buffer-pool-dump-at-shutdown=0 &
    temp_server_pid=$!
    local _
    for _ in $(seq 300); do
        # root has no password yet (fresh datadir) or grants are skipped (repair)
        if client -e 'SELECT 1' >/dev/null 2>&1; then return 0; fi
        kill -0 "$temp_server_pid" 2>/dev/null || die "the temporary server exited"
        sleep 0.2
    done
    die "the temporary server did not answer on $temp_socket within 60 s"
}
stop_temp_server() {
    local pid=$temp_server_pid
    temp_server_pid=""
    kill -TERM "$pid"
    wait "$pid" || die "the temporary server did not stop cleanly"
    rm -rf "$(dirname "$temp_socket")"
}

healthcheck_sql() { # password: (re)create the USAGE-only accounts healthcheck.sh logs in with
    local host pw
    pw=$(sql_string "$1")
    for host in 127.0.0.1 ::1 localhost; do
        echo "DROP USER IF EXISTS 'healthcheck'@'$host';"
        echo "CREATE USER 'healthcheck'@'$host' IDENTIFIED BY $pw;"
        echo "GRANT USAGE ON *.* TO 'healthcheck'@'$host';"
    done
}
write_healthcheck_cnf() { # password: the client file healthcheck.sh --defaults-file reads
    (
        umask 077
        printf '[mariadb-client]\nport=%s\nsocket=%s\nuser=healthcheck\npassword=%s\n' \
            "$PORT" "$SOCKET" "$1" >"$DATADIR/.my-healthcheck.cnf.tmp"
    )
    mv "$DATADIR/.my-healthcheck.cnf.tmp" "$DATADIR/.my-healthcheck.cnf"
}

initialise() { # "$@": the server command
    local root_pw root_host hc_pw db user pw
    root_pw=$(env_var ROOT_PASSWORD)
    if [[ -z "$root_pw" ]]; then
        if [[ -n "$(env_var RANDOM_ROOT_PASSWORD)" ]]; then
            root_pw=$(random_password)
            log "GENERATED ROOT PASSWORD: $root_pw"
        elif [[ -z "$(env_var ALLOW_EMPTY_ROOT_PASSWORD)" ]]; then
            die "the datadir is empty: set MARIADB_ROOT_PASSWORD, MARIADB_RANDOM_ROOT_PASSWORD or MARIADB_ALLOW_EMPTY_ROOT_PASSWORD"
        fi
    fi
    log "initialising $DATADIR"
    mkdir -p "$DATADIR"
    # mariadb-install-db wants --defaults-file first, which is where the server command has it.
    mariadb-install-db "${@:2}" --datadir="$DATADIR" --rpm --auth-root-authentication-method=normal \
        --skip-test-db --skip-log-bin --expire-logs-days=0 \
        --default-time-zone=SYSTEM --enforce-storage-engine= >/dev/null ||
        die "mariadb-install-db failed"

    start_temp_server "$@"
    hc_pw=$(random_password)
    root_host=$(env_var ROOT_HOST '%')
    db=$(env_var DATABASE) user=$(env_var USER) pw=$(env_var PASSWORD)
    {
        # Account set-up is local to this server: keep it out of any binlog.
        echo "SET @@SESSION.SQL_LOG_BIN = 0;"
        echo "SET @@SESSION.SQL_MODE = REPLACE(@@SESSION.SQL_MODE, 'NO_BACKSLASH_ESCAPES', '');"
        # Only root@localhost (and root@ROOT_HOST below) may be root: mariadb-install-db also made
        # root@<container hostname>, without a password. No anonymous accounts either.
        echo "DROP USER IF EXISTS 'root'@'127.0.0.1', 'root'@'::1', ''@'localhost', ''@'127.0.0.1', ''@'::1';"
        echo "EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@', QUOTE(@@hostname), ', ''''@', QUOTE(@@hostname));"
        echo "ALTER USER 'root'@'localhost' IDENTIFIED BY $(sql_string "$root_pw");"
        if [[ "$root_host" != localhost ]]; then
            echo "CREATE USER 'root'@$(sql_string "$root_host") IDENTIFIED BY $(sql_string "$root_pw");"
            echo "GRANT ALL ON *.* TO 'root'@$(sql_string "$root_host") WITH GRANT OPTION;"
            echo "GRANT PROXY ON ''@'%' TO 'root'@$(sql_string "$root_host") WITH GRANT OPTION;"
        fi
        healthcheck_sql "$hc_pw"
        if [[ -n "$db" ]]; then echo "CREATE DATABASE IF NOT EXISTS \`${db//\`/\`\`}\`;"; fi
        if [[ -n "$user" && -n "$pw" ]]; then
            echo "CREATE USER $(sql_string "$user")@'%' IDENTIFIED BY $(sql_string "$pw");"
            if [[ -n "$db" ]]; then echo "GRANT ALL ON \`${db//\`/\`\`}\`.* TO $(sql_string "$user")@'%';"; fi
        fi
    } | client --binary-mode || die "setting up the accounts failed"
    write_healthcheck_cnf "$hc_pw"
    stop_temp_server
    log "initialised $DATADIR"
}

# The "x.y" of the server and of the system tables, as mariadb-upgrade and mariadb-install-db
# record it: in mariadb_upgrade_info since 11.x (whose mariadb-upgrade replaces the old file), in
# mysql_upgrade_info before. A missing file counts as old, as restored datadirs may lack it.
server_version() { "$1" --version | grep -o 'Ver [0-9]*\.[0-9]*' | cut -d' ' -f2; }
tables_version() {
    local f
    for f in mariadb_upgrade_info mysql_upgrade_info; do
        if [[ -f "$DATADIR/$f" ]]; then grep -so '^[0-9]*\.[0-9]*' "$DATADIR/$f" || true; return 0; fi
    done
}

repair() { # "$@": the server command
    local need_upgrade=$1 need_healthcheck=$2 hc_pw
    shift 2
    if [[ -z "$(env_var AUTO_UPGRADE)" || "$(env_var AUTO_UPGRADE)" == 0 ]]; then
        log "warning: the datadir needs mariadb-upgrade or its healthcheck accounts; set MARIADB_AUTO_UPGRADE=1 to do it here"
        return 0
    fi
    # No account's password is known here (a restored datadir has someone else's): skip grants.
    # One temporary server per step: both end with the grant tables loaded (mariadb-upgrade
    # flushes privileges), after which a new connection would need a password.
    if [[ "$need_upgrade" == yes ]]; then
        log "running mariadb-upgrade"
        start_temp_server "$@" --skip-grant-tables
        # Explicit connection options: mariadb-upgrade would otherwise read the image's my.cnf,
        # not the --defaults-file the server was given.
        mariadb-upgrade --no-defaults --protocol=socket --socket="$temp_socket" -uroot \
            --upgrade-system-tables --silent || die "mariadb-upgrade failed"
        stop_temp_server
    fi
    if [[ "$need_healthcheck" == yes ]]; then
        log "re-creating the healthcheck accounts"
        start_temp_server "$@" --skip-grant-tables
        hc_pw=$(random_password)
        # FLUSH PRIVILEGES loads the grant tables, which CREATE USER needs; this session keeps
        # the all-powerful access it was opened with.
        { echo "SET @@SESSION.SQL_LOG_BIN = 0; FLUSH PRIVILEGES;"; healthcheck_sql "$hc_pw"; } |
            client || die "creating the healthcheck accounts failed"
        write_healthcheck_cnf "$hc_pw"
        stop_temp_server
    fi
}

# The socket's directory: Trove binds one owned by the container's uid; without a bind the image
# has /run/mysqld writable by any uid.
mkdir -p "$(dirname "$SOCKET")"
if [[ ! -d "$DATADIR/mysql" ]]; then
    initialise "$@"
else
    need_upgrade=no need_healthcheck=no
    [[ "$(tables_version)" == "$(server_version "$1")" ]] || need_upgrade=yes
    [[ -f "$DATADIR/.my-healthcheck.cnf" ]] || need_healthcheck=yes
    if [[ "$need_upgrade$need_healthcheck" == *yes* ]]; then repair "$need_upgrade" "$need_healthcheck" "$@"; fi
fi
exec "$@"
