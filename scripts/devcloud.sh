#!/usr/bin/env bash
# The loopback dev cloud: a minimal real OpenStack control plane on 127.0.0.1, from Debian 12's
# packages. Keystone, Placement, Neutron (ML2 with the `test` mechanism driver: ports bind without a
# dataplane), Nova (API, conductor, scheduler, compute with the fake virt driver), Glance (file
# store), Cinder API, on MariaDB (unix socket, no networking) and RabbitMQ; and Trove at its current
# release from PyPI (api, taskmanager, conductor; scripts/devcloud/trove-venv.sh). Servers go ACTIVE
# without booting; scripts/devcloud/guest/guest.py plays a server's guest on this host.
#
#   scripts/devcloud.sh up        install what is missing, configure, start, health-check (idempotent)
#   scripts/devcloud.sh down      stop what `up` started (by the process groups it recorded); safe twice
#   scripts/devcloud.sh status    every API: process, version document, and one authenticated read
#   scripts/devcloud.sh env [--trove]   `export OS_*=...` lines: admin/admin, or trove/service
#   scripts/devcloud.sh reset     down, then delete the state (databases, configs, images, logs)
#   scripts/devcloud.sh trove-config TROVE_CONF GUEST_CONF
#                                 the region's settings (a stack's troveConf and guestAgentConf
#                                 outputs, verbatim) after the controllers' own base; restarts Trove.
#                                 Empty files (or `trove-config --clear`) go back to the base alone.
#
# State lives in $DEVCLOUD_DIR (default: <repo>/.devcloud): etc/ (rendered configs, Keystone keys),
# mysql/ (the database), glance/ (images), log/ (one log per process), run/ (pid files, the
# database socket, the Docker socket), lib/docker (the Docker engine's images, containers, volumes),
# pkg/ (the extracted *-common packages, kept by reset), clouds.yaml.
#
# Local-only credentials (everything listens on 127.0.0.1 only):
#   admin / devcloud-admin in project admin (domain Default), region RegionOne
#   trove / devcloud-trove in project service, admin and service roles there (also nova, neutron,
#     glance, cinder, placement / devcloud-<name>: the services' own users)
#   demo / devcloud-demo in project demo, member role: a tenant that creates database instances
#   RabbitMQ: openstack / devcloud-rabbit, vhost openstack, 127.0.0.1:5672
#   database: openstack / devcloud-db on $DEVCLOUD_DIR/run/mysqld.sock; root has no password
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HERE=$REPO/scripts/devcloud
D=${DEVCLOUD_DIR:-$REPO/.devcloud}
mkdir -p "$D"
D=$(cd "$D" && pwd)
PY=/usr/bin/python3 # Debian's: the OpenStack libraries are installed for it, not for pyenv's
TROVE_VENV=$("$HERE/trove-venv.sh" --path)
ADMIN_PASSWORD=devcloud-admin
DB_URL_BASE="mysql+pymysql://openstack:devcloud-db@localhost"
SOCK=$D/run/mysqld.sock
APIS=(keystone placement neutron nova glance cinder trove)
# Workers without an API of their own: what turns an API call into a server, and Trove's controllers.
WORKERS=(nova-conductor nova-scheduler nova-compute trove-taskmanager trove-conductor)
DATABASES=(keystone placement neutron nova_api nova_cell0 nova glance cinder trove)
PACKAGES=(python3-keystone python3-neutron python3-nova python3-placement python3-glance
    python3-cinder python3-openstackclient python3-troveclient python3-pymysql
    uwsgi-core uwsgi-plugin-python3 mariadb-server-core mariadb-client-core qemu-utils
    docker.io docker-registry busybox-static rabbitmq-server)
COMMON_DEBS=(nova-common neutron-common glance-common cinder-common)
RABBIT_PORT=5672
RABBIT_URL="rabbit://openstack:devcloud-rabbit@127.0.0.1:$RABBIT_PORT/openstack"
# A state dir made by an older layout of this script is reset by `up` (its schemas and messaging
# differ); bump when the layout changes.
LAYOUT=2
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
export PYTHONDONTWRITEBYTECODE=1

say() { echo "devcloud: $*"; }
die() { echo "devcloud: error: $*" >&2; exit 1; }
now() { echo "${EPOCHREALTIME/./}"; } # microseconds
since() { local us=$(($(now) - $1)); printf '%d.%d' $((us / 1000000)) $((us % 1000000 / 100000)); }
T_PHASE=0
phase() { T_PHASE=$(now); say "$1 ..."; }
phase_done() { say "$(printf '%-28s %6s s' "$1" "$(since "$T_PHASE")")"; }

# --- processes: scripts/devcloud/procs.sh (own sessions, pid files under $D/run, logs under $D/log)
PROCS_DIR=$D
# shellcheck source=scripts/devcloud/procs.sh
source "$HERE/procs.sh"

# --- install ---------------------------------------------------------------------------------
# apt-get install with no service start: only libraries and tools are installed, but their
# dependencies could bring a daemon along. A subshell, so its EXIT trap removes the guard on every
# way out (a failed install under set -e, an interrupt) without touching the caller's traps; a guard
# that was already there is left alone.
apt_install_blocked() (
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    fi
    apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    "${apt[@]}" "$@" >"$D/log/apt.log" 2>&1 ||
        { apt-get update >>"$D/log/apt.log" 2>&1 && "${apt[@]}" "$@" >>"$D/log/apt.log" 2>&1; }
)

install_packages() {
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        [ "$(id -u)" = 0 ] || die "not root: install these first: ${missing[*]}"
        say "installing ${#missing[@]} packages and their dependencies: ${missing[*]}"
        apt_install_blocked "${missing[@]}" || {
            tail -20 "$D/log/apt.log" >&2
            die "apt-get install failed: see $D/log/apt.log"
        }
        grep -E "newly installed" "$D/log/apt.log" | sed 's/^/devcloud:   /' || true
    fi
    # The service packages' api-paste.ini files and console scripts, without their maintainer
    # scripts: downloaded and unpacked into pkg/ (kept across reset, redone when versions change).
    local want
    want=$(dpkg-query -W -f='${Version} ' python3-nova python3-neutron python3-glance python3-cinder)
    if [ "$(cat "$D/pkg/.versions" 2>/dev/null)" != "$want" ]; then
        rm -rf "$D/pkg"
        mkdir -p "$D/pkg/debs"
        (cd "$D/pkg/debs" && apt-get download -q -o APT::Sandbox::User=root "${COMMON_DEBS[@]}" >>"$D/log/apt.log" 2>&1) ||
            { apt-get update >>"$D/log/apt.log" 2>&1 &&
                (cd "$D/pkg/debs" && apt-get download -q -o APT::Sandbox::User=root "${COMMON_DEBS[@]}" >>"$D/log/apt.log" 2>&1); } ||
            die "apt-get download ${COMMON_DEBS[*]} failed: see $D/log/apt.log"
        local deb
        for deb in "$D"/pkg/debs/*.deb; do dpkg-deb -x "$deb" "$D/pkg"; done
        echo "$want" >"$D/pkg/.versions"
    fi
}

# --- configuration ---------------------------------------------------------------------------
render() { # template → file: @STATE@ and @DB(name)@
    local db="$DB_URL_BASE/\\1?unix_socket=$SOCK\\&charset=utf8"
    mkdir -p "$(dirname "$2")"
    sed -e "s|@DB(\([a-z0-9_]*\))@|$db|g" -e "s|@STATE@|$D|g" -e "s|@RABBIT@|$RABBIT_URL|g" \
        -e "s|@VENV@|$TROVE_VENV|g" "$1" >"$2.tmp"
    mv "$2.tmp" "$2"
}
configure() {
    mkdir -p "$D"/{etc,log,run,tmp,lib/neutron/lock,lib/nova/lock,lib/cinder/lock,lib/trove/lock,glance/images,glance/staging,glance/tasks,glance/cache,glance/lock}
    local t=$HERE/etc
    render "$t/keystone.conf" "$D/etc/keystone/keystone.conf"
    render "$t/placement.conf" "$D/etc/placement/placement.conf"
    render "$t/neutron.conf" "$D/etc/neutron/neutron.conf"
    render "$t/ml2_conf.ini" "$D/etc/neutron/ml2_conf.ini"
    render "$t/nova.conf" "$D/etc/nova/nova.conf"
    render "$t/glance-api.conf" "$D/etc/glance/glance-api.conf"
    render "$t/cinder.conf" "$D/etc/cinder/cinder.conf"
    render "$t/trove.conf" "$D/etc/trove/trove.conf"
    render "$t/trove-guestagent.conf" "$D/etc/trove/guest-base.conf"
    # The region's settings from a stack (trove-config); empty until one is given.
    touch "$D/etc/trove/region.conf" "$D/etc/trove/guest-region.conf"
    assemble_guest_config
    write_clouds_yaml
}
write_clouds_yaml() {
    cat >"$D/clouds.yaml.tmp" <<EOF
# Written by scripts/devcloud.sh: the loopback dev cloud. OS_CLIENT_CONFIG_FILE=$D/clouds.yaml
clouds:
  devcloud:
    auth: {auth_url: "http://127.0.0.1:5000/v3", username: admin, password: $ADMIN_PASSWORD, project_name: admin, user_domain_name: Default, project_domain_name: Default}
    region_name: RegionOne
    interface: public
    identity_api_version: 3
  devcloud-trove:
    auth: {auth_url: "http://127.0.0.1:5000/v3", username: trove, password: devcloud-trove, project_name: service, user_domain_name: Default, project_domain_name: Default}
    region_name: RegionOne
    interface: public
    identity_api_version: 3
EOF
    mv "$D/clouds.yaml.tmp" "$D/clouds.yaml"
}

# --- database --------------------------------------------------------------------------------
sql() { mariadb --no-defaults -S "$SOCK" -u root "$@"; }
adopt_db() { # the server that owns the data dir is the one mariadbd's own pid file names (written
    # only once it started): make it the recorded one, so no second server is started on the same
    # data (it would fail on InnoDB's lock, and the pid file would lose the running one)
    local pid
    ours mariadb && return 0
    pid=$(cat "$D/run/mariadbd.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "--datadir=$D/mysql"; then
        echo "$pid" >"$(pidfile mariadb)"
    fi
}
start_db() {
    if [ ! -d "$D/mysql/mysql" ]; then
        rm -rf "$D/mysql"
        mariadb-install-db --no-defaults --datadir="$D/mysql" --user="$(id -un)" \
            --auth-root-authentication-method=normal --skip-test-db >"$D/log/mariadb-install.log" 2>&1 ||
            die "mariadb-install-db failed: see $D/log/mariadb-install.log"
    fi
    adopt_db
    # Disposable dev data: no doublewrite, the log flushed once a second.
    start_proc mariadb /usr/sbin/mariadbd --no-defaults --datadir="$D/mysql" --socket="$SOCK" \
        --pid-file="$D/run/mariadbd.pid" --skip-networking --user="$(id -un)" --tmpdir="$D/tmp" \
        --log-error="$D/log/mariadb.log" --skip-log-bin --performance-schema=OFF \
        --innodb-buffer-pool-size=128M --innodb-doublewrite=0 --innodb-flush-log-at-trx-commit=2 \
        --max-connections=1000 --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci
    local i
    for i in $(seq 1 300); do
        sql -e 'SELECT 1' >/dev/null 2>&1 && break
        ours mariadb || die "mariadbd exited: see $D/log/mariadb.log"
        sleep 0.1
    done
    sql -e 'SELECT 1' >/dev/null 2>&1 || die "mariadbd does not answer on $SOCK: see $D/log/mariadb.log"
    local stmt="CREATE USER IF NOT EXISTS 'openstack'@'localhost' IDENTIFIED BY 'devcloud-db'; GRANT ALL ON *.* TO 'openstack'@'localhost';" db
    for db in "${DATABASES[@]}"; do stmt+=" CREATE DATABASE IF NOT EXISTS $db;"; done
    sql -e "$stmt"
}

# --- schema and bootstrap (once per state dir) -------------------------------------------------
run_py() { "$PY" "$HERE/run.py" "$@"; }
sync_keystone() {
    local c=(--config-file "$D/etc/keystone/keystone.conf")
    run_py keystone.cmd.manage:main keystone-manage "${c[@]}" db_sync
    mkdir -p "$D/etc/keystone/fernet-keys" "$D/etc/keystone/credential-keys"
    run_py keystone.cmd.manage:main keystone-manage "${c[@]}" fernet_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)"
    run_py keystone.cmd.manage:main keystone-manage "${c[@]}" credential_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)"
    run_py keystone.cmd.manage:main keystone-manage "${c[@]}" bootstrap --bootstrap-password "$ADMIN_PASSWORD" \
        --bootstrap-username admin --bootstrap-project-name admin --bootstrap-role-name admin \
        --bootstrap-service-name keystone --bootstrap-region-id RegionOne \
        --bootstrap-admin-url http://127.0.0.1:5000/v3 --bootstrap-internal-url http://127.0.0.1:5000/v3 \
        --bootstrap-public-url http://127.0.0.1:5000/v3
}
sync_placement() { run_py placement.cmd.manage:main placement-manage --config-file "$D/etc/placement/placement.conf" db sync; }
sync_neutron() {
    run_py neutron.db.migration.cli:main neutron-db-manage --config-file "$D/etc/neutron/neutron.conf" \
        --config-file "$D/etc/neutron/ml2_conf.ini" upgrade heads
}
sync_nova() {
    local c=(--config-file "$D/etc/nova/nova.conf")
    run_py nova.cmd.manage:main nova-manage "${c[@]}" api_db sync
    run_py nova.cmd.manage:main nova-manage "${c[@]}" cell_v2 map_cell0 \
        --database_connection "$DB_URL_BASE/nova_cell0?unix_socket=$SOCK&charset=utf8"
    if ! run_py nova.cmd.manage:main nova-manage "${c[@]}" cell_v2 list_cells | grep -q ' cell1 '; then
        run_py nova.cmd.manage:main nova-manage "${c[@]}" cell_v2 create_cell --name cell1 --transport-url "$RABBIT_URL"
    fi
    run_py nova.cmd.manage:main nova-manage "${c[@]}" db sync
}
sync_glance() { run_py glance.cmd.manage:main glance-manage --config-file "$D/etc/glance/glance-api.conf" db_sync; }
sync_cinder() { run_py cinder.cmd.manage:main cinder-manage --config-file "$D/etc/cinder/cinder.conf" db sync; }
sync_trove() { "$TROVE_VENV/bin/trove-manage" --config-file "$D/etc/trove/trove.conf" db_sync; }

sync_all() { # every service's schema, in parallel; a marker per service once it succeeded
    local s pids=() names=() rc=0 i
    for s in "${APIS[@]}"; do
        [ -f "$D/lib/$s.synced" ] && continue
        ("sync_$s" >"$D/log/$s-sync.log" 2>&1 && touch "$D/lib/$s.synced") &
        pids+=($!)
        names+=("$s")
    done
    for i in "${!pids[@]}"; do
        if ! wait "${pids[$i]}"; then
            echo "devcloud: ${names[$i]}: schema set-up failed; the end of $D/log/${names[$i]}-sync.log:" >&2
            tail -15 "$D/log/${names[$i]}-sync.log" >&2
            rc=1
        fi
    done
    [ "$rc" = 0 ] || die "schema set-up failed"
    [ ${#names[@]} -eq 0 ] && say "schemas: already set up" || say "schemas set up: ${names[*]}"
}

# --- the APIs --------------------------------------------------------------------------------
uwsgi_app() { # name port config-env-var wsgi-file
    # --add-header "Connection: close": uwsgi's --http-socket closes every connection after one
    # response; without the header, clients that keep connections alive (keystonemiddleware in the
    # other services) hit RemoteDisconnected at random and answer 503.
    start_proc "$1" env "$3=$D/etc/$1" uwsgi --plugin python3 --master --die-on-term --need-app \
        --processes 1 --threads 8 --enable-threads --http-socket "127.0.0.1:$2" \
        --add-header "Connection: close" --buffer-size 65535 --chdir "$D" --wsgi-file "$4"
}
declare -A PORT=([keystone]=5000 [placement]=8778 [neutron]=9696 [nova]=8774 [glance]=9292 [cinder]=8776 [trove]=8779)
check_ports() { # an API port taken by a process this state dir did not start: say so, stop
    local s
    for s in "${APIS[@]}"; do
        ours "$s" && continue
        if (exec 3<>"/dev/tcp/127.0.0.1/${PORT[$s]}") 2>/dev/null; then
            die "port ${PORT[$s]} ($s) is taken by a process not started from $D (another dev cloud, DEVCLOUD_DIR?): ss -ltnp 'sport = :${PORT[$s]}'"
        fi
    done
}
start_apis() {
    uwsgi_app keystone 5000 OS_KEYSTONE_CONFIG_DIR /usr/bin/keystone-wsgi-public
    uwsgi_app placement 8778 OS_PLACEMENT_CONFIG_DIR /usr/bin/placement-api
    # PYTHONOPTIMIZE: ML2's `test` driver asserts on things a real binding never has; without -O it
    # fails bind_port with a bare AssertionError.
    start_proc neutron env PYTHONOPTIMIZE=1 "$PY" "$HERE/run.py" neutron.cmd.eventlet.server:main neutron-server \
        --config-file "$D/etc/neutron/neutron.conf" --config-file "$D/etc/neutron/ml2_conf.ini"
    start_proc nova "$PY" "$HERE/run.py" nova.cmd.api:main nova-api --config-file "$D/etc/nova/nova.conf"
    start_proc glance "$PY" "$HERE/run.py" glance.cmd.api:main glance-api --config-file "$D/etc/glance/glance-api.conf"
    start_proc cinder "$PY" "$HERE/run.py" cinder.cmd.api:main cinder-api --config-file "$D/etc/cinder/cinder.conf"
    start_proc trove "$TROVE_VENV/bin/trove-api" "${TROVE_CONFIG[@]}"
}
# Trove's controllers read the dev cloud's base, then the region's settings a stack rendered.
TROVE_CONFIG=(--config-file "$D/etc/trove/trove.conf" --config-file "$D/etc/trove/region.conf")

# --- messaging -------------------------------------------------------------------------------
# Debian's rabbitmq-server, run by hand with everything under $D/lib/rabbitmq and only on loopback
# (node, distribution and epmd). epmd detaches from the server's process group: its pid is kept
# apart (run/epmd.pid) so `down` stops it too.
RABBIT_ENV=()
rabbit_env() {
    local r=$D/lib/rabbitmq erl="-kernel inet_dist_use_interface {127,0,0,1}"
    mkdir -p "$r/home" "$r/mnesia" "$D/log/rabbitmq"
    printf 'listeners.tcp.1 = 127.0.0.1:%s\nloopback_users = none\n' "$RABBIT_PORT" >"$r/rabbitmq.conf"
    echo '[].' >"$r/enabled_plugins"
    RABBIT_ENV=(env HOME="$r/home" RABBITMQ_NODENAME=devcloud@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
        RABBITMQ_NODE_PORT=$RABBIT_PORT RABBITMQ_DIST_PORT=25672 ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT=4369
        RABBITMQ_MNESIA_BASE="$r/mnesia" RABBITMQ_LOG_BASE="$D/log/rabbitmq" RABBITMQ_CONFIG_FILE="$r/rabbitmq.conf"
        RABBITMQ_ENABLED_PLUGINS_FILE="$r/enabled_plugins" RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="$erl"
        RABBITMQ_CTL_ERL_ARGS="$erl")
}
rabbitmqctl() { "${RABBIT_ENV[@]}" /usr/lib/rabbitmq/bin/rabbitmqctl "$@"; }
start_rabbit() {
    rabbit_env
    start_proc rabbitmq "${RABBIT_ENV[@]}" /usr/lib/rabbitmq/bin/rabbitmq-server "$D/lib/rabbitmq"
    local i
    for i in $(seq 1 120); do
        rabbitmqctl -q await_startup >/dev/null 2>&1 && break
        ours rabbitmq || { tail -20 "$D/log/rabbitmq.log" >&2; die "rabbitmq-server exited (log: $D/log/rabbitmq.log)"; }
        sleep 0.5
    done
    rabbitmqctl -q await_startup >/dev/null 2>&1 || die "rabbitmq does not answer (log: $D/log/rabbitmq.log)"
    pgrep -f "epmd.*-address 127.0.0.1" -n >"$D/run/epmd.pid" 2>/dev/null || pgrep -x epmd -n >"$D/run/epmd.pid" || true
    if ! grep -qx openstack <<<"$(rabbitmqctl -q list_vhosts 2>/dev/null)"; then
        rabbitmqctl -q add_vhost openstack >/dev/null
    fi
    rabbitmqctl -q add_user openstack devcloud-rabbit >/dev/null 2>&1 || rabbitmqctl -q change_password openstack devcloud-rabbit >/dev/null
    rabbitmqctl -q set_permissions -p openstack openstack '.*' '.*' '.*' >/dev/null
}
stop_epmd() { # epmd is no group of ours: stop it by the pid recorded, only if it is still epmd
    local pid
    pid=$(cat "$D/run/epmd.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = epmd ]; then kill -TERM "$pid" 2>/dev/null || true; fi
    rm -f "$D/run/epmd.pid"
}

# --- compute and Trove's controllers ------------------------------------------------------------
start_workers() {
    local n=(--config-file "$D/etc/nova/nova.conf")
    start_proc nova-conductor "$PY" "$HERE/run.py" nova.cmd.conductor:main nova-conductor "${n[@]}"
    start_proc nova-scheduler "$PY" "$HERE/run.py" nova.cmd.scheduler:main nova-scheduler "${n[@]}"
    start_proc nova-compute "$PY" "$HERE/run.py" nova.cmd.compute:main nova-compute "${n[@]}"
    start_proc trove-taskmanager "$TROVE_VENV/bin/trove-taskmanager" "${TROVE_CONFIG[@]}"
    start_proc trove-conductor "$TROVE_VENV/bin/trove-conductor" "${TROVE_CONFIG[@]}"
}
# The compute host registers itself; the cell learns of it only through discover_hosts. Then the
# flavor Trove's instances use (an ephemeral disk: the dev cloud's Trove creates no volume).
setup_compute() {
    local i hosts="" c=(--config-file "$D/etc/nova/nova.conf")
    # Once mapped, the host stays in the cell's database across restarts: each nova-manage run
    # costs seconds, so a warm up skips them.
    if [ -f "$D/lib/compute-host.done" ] && [ -f "$D/lib/flavor.done" ]; then return 0; fi
    for i in $(seq 1 60); do
        run_py nova.cmd.manage:main nova-manage "${c[@]}" cell_v2 discover_hosts --verbose >>"$D/log/nova-discover.log" 2>&1
        # Read whole, then matched: `| grep -q` would close the pipe early, and pipefail fail it.
        hosts=$(run_py nova.cmd.manage:main nova-manage "${c[@]}" cell_v2 list_hosts 2>/dev/null || true)
        [[ $hosts == *"$COMPUTE_HOST"* ]] && break
        ours nova-compute || { tail -20 "$D/log/nova-compute.log" >&2; die "nova-compute exited (log: $D/log/nova-compute.log)"; }
        sleep 1
    done
    [[ $hosts == *"$COMPUTE_HOST"* ]] || die "nova-compute did not register (log: $D/log/nova-compute.log)"
    touch "$D/lib/compute-host.done"
    if [ ! -f "$D/lib/flavor.done" ]; then
        OS_CLIENT_CONFIG_FILE=$D/clouds.yaml OS_CLOUD=devcloud /usr/bin/openstack flavor create \
            --id "$FLAVOR_ID" --vcpus 1 --ram 1024 --disk 4 --ephemeral 4 --public "$FLAVOR_NAME" >/dev/null
        touch "$D/lib/flavor.done"
    fi
}
# ML2's `test` mechanism driver binds ports only on this host name.
COMPUTE_HOST=host-ovs-no_filter
FLAVOR_NAME=ds1.small
FLAVOR_ID=trove-ds1-small

# The guest agent's config file Trove injects into every instance: the dev cloud's base (transport,
# logging) followed by the region's settings a stack rendered, verbatim.
assemble_guest_config() {
    cat "$D/etc/trove/guest-base.conf" "$D/etc/trove/guest-region.conf" >"$D/etc/trove/trove-guestagent.conf.tmp"
    mv "$D/etc/trove/trove-guestagent.conf.tmp" "$D/etc/trove/trove-guestagent.conf"
}
cmd_trove_config() {
    local trove_conf=${1:-} guest_conf=${2:-}
    if [ "$trove_conf" = --clear ]; then
        trove_conf=/dev/null guest_conf=/dev/null
    fi
    [ -n "$trove_conf" ] && [ -n "$guest_conf" ] || die "usage: $0 trove-config TROVE_CONF GUEST_CONF | --clear"
    [ -r "$trove_conf" ] && [ -r "$guest_conf" ] || die "trove-config: cannot read $trove_conf or $guest_conf"
    # The same settings as the running controllers read at their start: nothing to restart (a warm
    # `npm start` renders the same region again).
    if cmp -s "$trove_conf" "$D/etc/trove/region.conf" && cmp -s "$guest_conf" "$D/etc/trove/guest-region.conf" \
        && ours trove && ours trove-taskmanager && ours trove-conductor; then
        say "Trove already runs with the region's settings ($(grep -c . "$D/etc/trove/region.conf") lines of trove.conf, $(grep -c . "$D/etc/trove/guest-region.conf") of the guest agent's)"
        return 0
    fi
    ( umask 077; cat "$trove_conf" >"$D/etc/trove/region.conf.tmp"; cat "$guest_conf" >"$D/etc/trove/guest-region.conf.tmp" )
    mv "$D/etc/trove/region.conf.tmp" "$D/etc/trove/region.conf"
    mv "$D/etc/trove/guest-region.conf.tmp" "$D/etc/trove/guest-region.conf"
    assemble_guest_config
    if ! ours keystone; then
        say "Trove's settings written; the dev cloud is down, so they apply at the next up"
        return 0
    fi
    # Trove reads its configuration at start: restart the controllers.
    stop_procs trove trove-taskmanager trove-conductor
    start_apis
    start_workers
    wait_healthy 120 trove || die "trove-api is not healthy after the new configuration (log: $D/log/trove.log)"
    check_started trove-taskmanager trove-conductor || die "a Trove controller did not start"
    say "Trove restarted with the region's settings ($(grep -c . "$D/etc/trove/region.conf") lines of trove.conf, $(grep -c . "$D/etc/trove/guest-region.conf") of the guest agent's)"
}
# The Docker engine that runs the stack's registry and pushes its images: Debian's dockerd on a unix
# socket in the state dir, with what this machine allows (vfs, no iptables, no bridge: containers
# use host networking), and the stand-in images a region would pull from Docker Hub.
DOCKER_SOCK=$D/run/docker.sock
start_docker() {
    start_proc docker /usr/sbin/dockerd --storage-driver=vfs --iptables=false --ip6tables=false --bridge=none \
        "--host=unix://$DOCKER_SOCK" "--data-root=$D/lib/docker" "--exec-root=$D/run/docker" "--pidfile=$D/run/dockerd.pid"
    local i
    for i in $(seq 1 120); do
        DOCKER_HOST=unix://$DOCKER_SOCK docker version >/dev/null 2>&1 && break
        ours docker || { tail -20 "$D/log/docker.log" >&2; die "dockerd exited (log: $D/log/docker.log)"; }
        sleep 0.5
    done
    DOCKER_HOST=unix://$DOCKER_SOCK docker version >/dev/null 2>&1 || die "dockerd does not answer on $DOCKER_SOCK (log: $D/log/docker.log)"
    # The dev stack's current versions, and the older ones tests use to show they stay possible.
    DOCKER_HOST=unix://$DOCKER_SOCK "$HERE/stand-in-images.sh" mysql:8.4 postgres:17 mysql:8.0.36 mysql:5.7.29 postgres:12 | sed 's/^/devcloud:   /'
    # The real MariaDB the dev stack publishes and the live test's guests run (cached after the first build).
    DOCKER_HOST=unix://$DOCKER_SOCK "$HERE/images/mariadb.sh" | sed 's/^/devcloud:   /'
}

unmount_docker() { # what a stopped dockerd may leave mounted (its netns), so reset can delete it
    local target
    awk -v d="$D/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r | while read -r target; do
        umount -l "$target" 2>/dev/null || true
    done
}

check_started() { # a process that died at start-up: say which and show its log
    local s bad=0
    for s in "$@"; do
        if ! ours "$s"; then
            echo "devcloud: $s is not running; the end of $D/log/$s.log:" >&2
            tail -20 "$D/log/$s.log" >&2
            bad=1
        fi
    done
    return $bad
}
wait_healthy() { # timeout services...
    local timeout=$1
    shift
    if ! "$PY" "$HERE/health.py" --quiet --wait "$timeout" "$@"; then
        check_started "$@" || true
        "$PY" "$HERE/health.py" "$@" || true
        return 1
    fi
}

# --- commands --------------------------------------------------------------------------------
cmd_up() {
    local t0 all_up=1 s
    t0=$(now)
    for s in mariadb rabbitmq "${APIS[@]}" "${WORKERS[@]}" docker; do ours "$s" || all_up=""; done
    if [ -n "$all_up" ]; then
        phase "already up: health check"
        if "$PY" "$HERE/health.py" --auth "$ADMIN_PASSWORD"; then
            phase_done "health"
            return 0
        fi
        say "unhealthy: restarting what is not running"
    fi
    mkdir -p "$D/log" "$D/run" "$D/lib"
    if [ -d "$D/mysql" ] && [ "$(cat "$D/lib/layout" 2>/dev/null)" != "$LAYOUT" ]; then
        say "the state in $D was made by an older dev cloud (layout $(cat "$D/lib/layout" 2>/dev/null || echo 1), now $LAYOUT): resetting it"
        cmd_reset
        mkdir -p "$D/log" "$D/run" "$D/lib"
    fi
    echo "$LAYOUT" >"$D/lib/layout"
    phase "install"
    install_packages
    "$HERE/trove-venv.sh" >/dev/null
    phase_done "install"
    check_ports
    phase "configure"
    configure
    phase_done "configure"
    phase "database"
    start_db
    phase_done "database"
    # RabbitMQ up before the APIs start. Booting it alongside them saved nothing on 2 cores and
    # once left Keystone's uwsgi worker hung ("greenlet.error: cannot switch to a different thread").
    phase "rabbitmq"
    start_rabbit
    phase_done "rabbitmq"
    phase "schemas"
    sync_all
    phase_done "schemas"
    phase "start APIs"
    start_apis
    wait_healthy 120 keystone || die "keystone is not healthy"
    if [ ! -f "$D/lib/keystone-setup.done" ]; then
        "$PY" "$HERE/keystone-setup.py" "$ADMIN_PASSWORD" >"$D/log/keystone-setup.log" 2>&1 ||
            { cat "$D/log/keystone-setup.log" >&2; die "keystone set-up failed"; }
        sed 's/^/devcloud:   /' "$D/log/keystone-setup.log"
        touch "$D/lib/keystone-setup.done"
    fi
    wait_healthy 180 "${APIS[@]}" || die "not every API is healthy (logs in $D/log)"
    phase_done "start APIs"
    phase "compute and Trove's controllers"
    start_workers
    setup_compute
    check_started "${WORKERS[@]}" || die "a worker did not start (logs in $D/log)"
    phase_done "compute and Trove's controllers"
    phase "docker engine"
    start_docker
    phase_done "docker engine"
    phase "health (authenticated)"
    "$PY" "$HERE/health.py" --wait 60 --auth "$ADMIN_PASSWORD" || die "authenticated health check failed (logs in $D/log)"
    phase_done "health"
    say "up in $(since "$t0") s; state in $D; credentials: eval \"\$($0 env)\""
}

cmd_down() {
    local t0
    t0=$(now)
    [ -d "$D/run" ] || { say "not running (no $D/run)"; return 0; }
    # Guests first: their agents talk to RabbitMQ, their engines hold mounts under $D.
    # (guest.py finds them in $D/guests or, for a $D the guests could not see, in its cache.)
    DEVCLOUD_DIR=$D "$PY" "$HERE/guest/guest.py" stop --all | sed 's/^/devcloud:   /'
    stop_procs docker "${WORKERS[@]}" trove cinder glance nova neutron placement keystone
    stop_procs rabbitmq
    stop_epmd
    unmount_docker
    adopt_db
    stop_procs mariadb
    say "down in $(since "$t0") s"
}

pss_by_group() { # "pgid KiB" for each of the given process groups: proportional set sizes, from /proc
    /usr/bin/python3 - "$@" <<'PY'
import glob, sys
want = {g: 0 for g in sys.argv[1:]}
for stat in glob.glob("/proc/[0-9]*/stat"):
    try:
        group = open(stat).read().rsplit(")", 1)[1].split()[2]
        if group in want:
            for line in open(stat[:-4] + "smaps_rollup"):
                if line.startswith("Pss:"):
                    want[group] += int(line.split()[1])
    except (OSError, IndexError):
        pass
for g, kib in want.items():
    print(g, kib)
PY
}

cmd_status() {
    local s rc=0 pid kib total=0 groups=() g k
    declare -A pss=()
    adopt_db
    for s in mariadb rabbitmq "${APIS[@]}" "${WORKERS[@]}" docker; do ours "$s" && groups+=("$(cat "$(pidfile "$s")")"); done
    if [ ${#groups[@]} -gt 0 ]; then
        while read -r g k; do pss[$g]=$k; done < <(pss_by_group "${groups[@]}")
    fi
    for s in mariadb rabbitmq "${APIS[@]}" "${WORKERS[@]}" docker; do
        if ours "$s"; then
            pid=$(cat "$(pidfile "$s")")
            kib=${pss[$pid]:-0}
            total=$((total + kib))
            printf '  %-17s running   pid %-8s %5d MiB PSS  %s\n' "$s" "$pid" $((kib / 1024)) "$D/log/$s.log"
        else
            printf '  %-17s STOPPED\n' "$s"
            rc=1
        fi
    done
    printf '  %-17s           %-12s %5d MiB PSS\n' total "" $((total / 1024))
    "$PY" "$HERE/health.py" --auth "$ADMIN_PASSWORD" || rc=1
    DOCKER_HOST=unix://$DOCKER_SOCK docker version --format '  docker     engine {{.Server.Version}} on '"$DOCKER_SOCK" || rc=1
    return $rc
}

cmd_env() {
    local user=admin password=$ADMIN_PASSWORD project=admin
    case "${1:-}" in
    "") ;;
    --trove) user=trove password=devcloud-trove project=service ;;
    --demo) user=demo password=devcloud-demo project=demo ;;
    *) die "env: unknown option $1 (--trove: trove in project service; --demo: the tenant demo)" ;;
    esac
    cat <<EOF
unset OS_CLOUD OS_TOKEN OS_PROJECT_ID OS_TENANT_ID OS_TENANT_NAME OS_DOMAIN_ID OS_DOMAIN_NAME OS_SYSTEM_SCOPE
export OS_AUTH_TYPE=password
export OS_AUTH_URL=http://127.0.0.1:5000/v3
export OS_IDENTITY_API_VERSION=3
export OS_USERNAME=$user
export OS_PASSWORD=$password
export OS_PROJECT_NAME=$project
export OS_USER_DOMAIN_NAME=Default
export OS_PROJECT_DOMAIN_NAME=Default
export OS_REGION_NAME=RegionOne
export OS_INTERFACE=public
export DEVCLOUD_DIR=$D
export DEVCLOUD_TROVE_CONF=$D/etc/trove/trove.conf
export DEVCLOUD_TROVE_MANAGE=$HERE/trove-manage
export DEVCLOUD_TROVE_VENV=$TROVE_VENV
export DEVCLOUD_RABBIT_PORT=$RABBIT_PORT
export DEVCLOUD_FLAVOR=$FLAVOR_NAME
export DOCKER_HOST=unix://$DOCKER_SOCK
EOF
}

cmd_reset() {
    cmd_down
    local t0
    t0=$(now)
    find "$D" -mindepth 1 -maxdepth 1 ! -name pkg ! -name devcloud.lock -exec rm -rf {} +
    say "state deleted in $(since "$t0") s (kept $D/pkg)"
}

lock() { # one up/down/reset at a time per state dir (the tests and a developer may race)
    exec 9>"$D/devcloud.lock"
    flock -w 900 9 || die "another up/down/reset has held $D/devcloud.lock for 15 minutes"
}

case "${1:-}" in
up) lock; cmd_up ;;
down) lock; cmd_down ;;
status) cmd_status ;;
env) shift; cmd_env "$@" ;;
reset) lock; cmd_reset ;;
trove-config) shift; lock; cmd_trove_config "$@" ;;
*)
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    [ -n "${1:-}" ] && exit 2 || exit 0
    ;;
esac
