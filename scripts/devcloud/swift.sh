#!/usr/bin/env bash
# Object storage for the loopback dev cloud: Debian 12's Swift (2.30) with its S3 API, so a team's
# Pulumi state can live in the cloud's own Swift (docs/team-state.md). One proxy and one account,
# container and object server on 127.0.0.1, one-replica rings on one device (a directory). The
# proxy's pipeline authenticates S3 requests through Keystone's EC2 credentials (s3api, s3token) and
# Swift requests by token (authtoken, keystoneauth).
#
#   scripts/devcloud/swift.sh up       install what is missing, register Swift in Keystone, build the
#                                      rings, start, S3 round trip (idempotent; only the check when up)
#   scripts/devcloud/swift.sh down     stop what `up` started (by the process groups it recorded)
#   scripts/devcloud/swift.sh status   each process, then the S3 round trip; exit 1 unless all pass
#   scripts/devcloud/swift.sh env      `export AWS_*=...` lines: the S3 endpoint and the EC2
#                                      credentials of user `state` in project `state`
#   scripts/devcloud/swift.sh reset    down, then delete $DEVCLOUD_DIR/swift (rings, objects, logs)
#
# Needs the dev cloud's Keystone (scripts/devcloud.sh up) on 127.0.0.1:5000. State in
# $DEVCLOUD_DIR/swift (DEVCLOUD_DIR default: <repo>/.devcloud): etc/ (swift.conf, the servers'
# configs, the rings), srv/d1 (the device), log/, run/ (pid files), ec2.env (the credentials, 0600).
#
# Ports, 127.0.0.1 only: proxy 8080 (S3 at http://127.0.0.1:8080, Swift at /v1/AUTH_<project>),
# object 6200, container 6201, account 6202.
# Keystone: service user swift / devcloud-swift (project service, admin and service roles),
# service `swift` of type object-store with its endpoints in RegionOne; user state / devcloud-state
# (project state, member role): the owner of the state buckets, with one EC2 credential.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
D=${DEVCLOUD_DIR:-$REPO/.devcloud}
mkdir -p "$D"
D=$(cd "$D" && pwd)
S=$D/swift
# shellcheck source=scripts/lib.sh
source "$REPO/scripts/lib.sh" # apt_install_quiet: the project's guard against services starting
PY=/usr/bin/python3 # Debian's: python3-swift and boto3 are installed for it
ADMIN_PASSWORD=devcloud-admin
KEYSTONE=http://127.0.0.1:5000
REGION=RegionOne
PROXY_PORT=8080
declare -A PORT=([object]=6200 [container]=6201 [account]=6202)
SERVERS=(account container object proxy)
PACKAGES=(swift swift-proxy swift-account swift-container swift-object python3-swift
    python3-keystonemiddleware python3-lxml python3-boto3)
HEALTH_BUCKET=devcloud-swift-health
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
export PYTHONDONTWRITEBYTECODE=1

say() { echo "swift: $*"; }
die() { echo "swift: error: $*" >&2; exit 1; }
now() { echo "${EPOCHREALTIME/./}"; }
since() { local us=$(($(now) - $1)); printf '%d.%d' $((us / 1000000)) $((us % 1000000 / 100000)); }

# --- processes: scripts/devcloud/procs.sh, as scripts/devcloud.sh's (pid files under $S/run, logs
# under $S/log) ------------------------------------------------------------------------------------
PROCS_DIR=$S
# shellcheck source=scripts/devcloud/procs.sh
source "$REPO/scripts/devcloud/procs.sh"

# --- install: only with no service start (scripts/lib.sh's policy-rc.d guard); the packages' init
# scripts and units stay unused, the servers run from $S ---------------------------------------------
install_packages() {
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" = 0 ] || die "not root: install these first: ${missing[*]}"
    say "installing ${missing[*]}"
    apt_install_quiet "${missing[@]}" 2>"$S/log/apt.log" || { tail -20 "$S/log/apt.log" >&2; die "apt-get install failed: see $S/log/apt.log"; }
}

# --- configuration -----------------------------------------------------------------------------
# Swift reads its cluster settings (hash path prefix and suffix, storage policies) from a path fixed
# in swift.common.utils, /etc/swift/swift.conf. The servers run through launch.py, which points that
# at $S/etc/swift.conf before Swift loads it, and logs to stderr (the server's log file) instead of
# syslog (no /dev/log here: Swift would send its logs over UDP).
write_launcher() {
    cat >"$S/etc/launch.py.tmp" <<'EOF'
"""launch.py SWIFT_CONF SCRIPT ARGS...: runs a Swift server script with SWIFT_CONF as swift.conf."""
import logging
import runpy
import sys

import swift.common.utils as utils

utils.SWIFT_CONF_FILE = sys.argv[1]
utils.ThreadSafeSysLogHandler = lambda *args, **kwargs: logging.NullHandler()
sys.argv = sys.argv[2:]
runpy.run_path(sys.argv[0], run_name="__main__")
EOF
    mv "$S/etc/launch.py.tmp" "$S/etc/launch.py"
}
write_file() { # path: stdin to the file, replaced whole
    cat >"$1.tmp"
    mv "$1.tmp" "$1"
}
configure() {
    mkdir -p "$S"/{etc,log,run,srv/d1,cache}
    write_launcher
    # The hash path secrets name where every object lives: made once per state dir, never changed.
    [ -s "$S/etc/hash" ] || { umask 077; od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$S/etc/hash"; }
    local hash
    hash=$(cat "$S/etc/hash")
    write_file "$S/etc/swift.conf" <<EOF
[swift-hash]
swift_hash_path_prefix = devcloud
swift_hash_path_suffix = $hash

[storage-policy:0]
name = Policy-0
default = yes
EOF
    local common="[DEFAULT]
bind_ip = 127.0.0.1
user = $(id -un)
swift_dir = $S/etc
devices = $S/srv
mount_check = false
workers = 0
log_level = INFO"
    local kind
    for kind in account container object; do
        write_file "$S/etc/$kind-server.conf" <<EOF
$common
bind_port = ${PORT[$kind]}

[pipeline:main]
pipeline = $kind-server

[app:$kind-server]
use = egg:swift#$kind
EOF
    done
    # authtoken takes Swift's own token requests (before s3api, as s3api's docs say: after it,
    # keystonemiddleware strips the identity s3token sets, and Swift answers SignatureDoesNotMatch);
    # s3api turns S3 requests into Swift ones; s3token checks their signature with Keystone
    # (/v3/s3tokens, the EC2 credential; Debian 12's Keystone lets only a service or admin ask, so
    # s3token authenticates as the swift service user) and passes the project on; keystoneauth maps
    # the project to the account AUTH_<project id> and lets the project's member or admin role in.
    write_file "$S/etc/proxy-server.conf" <<EOF
$common
bind_port = $PROXY_PORT

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging listing_formats authtoken s3api s3token keystoneauth copy slo dlo versioned_writes symlink proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:s3api]
use = egg:swift#s3api
location = $REGION
s3_acl = false

[filter:s3token]
use = egg:swift#s3token
reseller_prefix = AUTH_
delay_auth_decision = false
auth_uri = $KEYSTONE/v3
http_timeout = 10.0
auth_type = password
auth_url = $KEYSTONE/v3
project_domain_id = default
user_domain_id = default
project_name = service
username = swift
password = devcloud-swift

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
www_authenticate_uri = $KEYSTONE
auth_url = $KEYSTONE
auth_type = password
project_domain_id = default
user_domain_id = default
project_name = service
username = swift
password = devcloud-swift
delay_auth_decision = true
service_token_roles_required = true

[filter:keystoneauth]
use = egg:swift#keystoneauth
operator_roles = admin, member
reseller_admin_role = ResellerAdmin

[filter:copy]
use = egg:swift#copy

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo

[filter:versioned_writes]
use = egg:swift#versioned_writes

[filter:symlink]
use = egg:swift#symlink
EOF
}

# One replica, one zone, one device: 2^6 partitions, all on d1. Built once (a rebuilt ring would
# move every object); the builders are kept beside the rings.
build_rings() {
    local kind
    for kind in account container object; do
        [ -f "$S/etc/$kind.ring.gz" ] && continue
        rm -f "$S/etc/$kind.builder"
        /usr/bin/swift-ring-builder "$S/etc/$kind.builder" create 6 1 1 >/dev/null
        /usr/bin/swift-ring-builder "$S/etc/$kind.builder" add \
            --region 1 --zone 1 --ip 127.0.0.1 --port "${PORT[$kind]}" --device d1 --weight 100 >/dev/null
        /usr/bin/swift-ring-builder "$S/etc/$kind.builder" rebalance >/dev/null || [ -f "$S/etc/$kind.ring.gz" ] ||
            die "swift-ring-builder $kind rebalance failed"
    done
}

check_ports() {
    local name port
    for name in "${SERVERS[@]}"; do
        ours "$name" && continue
        port=${PORT[$name]:-$PROXY_PORT}
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            die "port $port ($name) is taken by a process not started from $S: ss -ltnp 'sport = :$port'"
        fi
    done
}

start_servers() {
    local name script
    for name in "${SERVERS[@]}"; do
        script=/usr/bin/swift-$name-server
        start_proc "$name" "$PY" "$S/etc/launch.py" "$S/etc/swift.conf" "$script" "$S/etc/$name-server.conf" --verbose
    done
}

# --- Keystone ------------------------------------------------------------------------------------
# Idempotent, plain REST as admin (swift-keystone.py on keystone_rest.py, as keystone-setup.py):
# the swift service user and the object-store endpoints, the state user and project, and one EC2
# credential of state's in project state, written to $S/ec2.env. A credential that Keystone no
# longer has (the dev cloud was reset) is replaced.
keystone_setup() {
    "$PY" "$REPO/scripts/devcloud/swift-keystone.py" "$ADMIN_PASSWORD" "$S/ec2.env" "$REGION" "http://127.0.0.1:$PROXY_PORT"
}

# --- health: an S3 round trip with boto3 ---------------------------------------------------------
# ListBuckets, PUT bucket, PUT, GET and DELETE object, DELETE bucket (it leaves nothing behind):
# signature v4 through s3token and Keystone, the proxy, and all three storage servers.
s3_check() { # [--wait SECONDS] [--quiet]
    [ -f "$S/ec2.env" ] || { echo "swift: no EC2 credential yet ($S/ec2.env): run up" >&2; return 1; }
    (
        # shellcheck disable=SC1091
        source "$S/ec2.env"
        "$PY" - "http://127.0.0.1:$PROXY_PORT" "$REGION" "$HEALTH_BUCKET" "$@" <<'EOF'
import sys
import time

import boto3
import botocore.config
import botocore.exceptions

endpoint, region, bucket = sys.argv[1:4]
args = sys.argv[4:]
wait = float(args[args.index("--wait") + 1]) if "--wait" in args else 0
quiet = "--quiet" in args
s3 = boto3.client("s3", endpoint_url=endpoint, region_name=region,
                  config=botocore.config.Config(signature_version="s3v4", s3={"addressing_style": "path"},
                                                retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30))
deadline = time.monotonic() + wait
while True:
    t = time.monotonic()
    try:
        buckets = [b["Name"] for b in s3.list_buckets()["Buckets"]]
        if bucket not in buckets:
            s3.create_bucket(Bucket=bucket)
        body = f"health {time.time()}".encode()
        s3.put_object(Bucket=bucket, Key="health", Body=body)
        got = s3.get_object(Bucket=bucket, Key="health")["Body"].read()
        if got != body:
            raise RuntimeError(f"GET returned {got!r}, PUT {body!r}")
        s3.delete_object(Bucket=bucket, Key="health")
        s3.delete_bucket(Bucket=bucket)
        if not quiet:
            print(f"  s3         ok   ListBuckets ({len(buckets)}), PUT/GET/DELETE object, PUT/DELETE bucket "
                  f"in {(time.monotonic() - t) * 1000:.0f} ms at {endpoint}")
        sys.exit(0)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError, RuntimeError) as e:
        if time.monotonic() >= deadline:
            print(f"  s3         FAIL {e}", file=sys.stderr)
            sys.exit(1)
        time.sleep(0.5)
EOF
    )
}

keystone_up() { curl -sf -o /dev/null --max-time 10 "$KEYSTONE/v3"; }

# --- commands ------------------------------------------------------------------------------------
cmd_up() {
    local t0 all_up=1 s
    t0=$(now)
    mkdir -p "$S/log" "$S/run"
    keystone_up || die "the dev cloud's Keystone does not answer on $KEYSTONE: scripts/devcloud.sh up first"
    for s in "${SERVERS[@]}"; do ours "$s" || all_up=""; done
    if [ -n "$all_up" ] && s3_check --quiet; then
        say "already up: S3 round trip ok in $(since "$t0") s"
        return 0
    fi
    [ -n "$all_up" ] && say "unhealthy: configuring again, starting what is not running"
    install_packages
    check_ports
    configure
    build_rings
    keystone_setup >"$S/log/keystone-setup.log" 2>&1 || { cat "$S/log/keystone-setup.log" >&2; die "keystone set-up failed"; }
    sed 's/^/swift:   /' "$S/log/keystone-setup.log"
    start_servers
    if ! s3_check --wait 60; then
        for s in "${SERVERS[@]}"; do
            ours "$s" || { echo "swift: $s is not running; the end of $S/log/$s.log:" >&2; tail -20 "$S/log/$s.log" >&2; }
        done
        die "the S3 round trip failed (logs in $S/log)"
    fi
    say "up in $(since "$t0") s; S3 at http://127.0.0.1:$PROXY_PORT; credentials: eval \"\$($0 env)\""
}

cmd_down() {
    local t0
    t0=$(now)
    [ -d "$S/run" ] || { say "not running (no $S/run)"; return 0; }
    stop_procs proxy object container account
    say "down in $(since "$t0") s"
}

cmd_status() {
    local s rc=0 port
    for s in "${SERVERS[@]}"; do
        port=${PORT[$s]:-$PROXY_PORT}
        if ours "$s"; then
            printf '  %-10s running   pid %-8s 127.0.0.1:%s  %s\n' "$s" "$(cat "$(pidfile "$s")")" "$port" "$S/log/$s.log"
        else
            printf '  %-10s STOPPED\n' "$s"
            rc=1
        fi
    done
    s3_check || rc=1
    return $rc
}

cmd_env() {
    [ -f "$S/ec2.env" ] || die "no EC2 credential in $S/ec2.env: run $0 up"
    cat "$S/ec2.env"
    cat <<EOF
export AWS_REGION=$REGION
export AWS_DEFAULT_REGION=$REGION
export DEVCLOUD_S3_ENDPOINT=http://127.0.0.1:$PROXY_PORT
export DEVCLOUD_SWIFT_URL=http://127.0.0.1:$PROXY_PORT/v1
EOF
}

cmd_reset() {
    cmd_down
    rm -rf "$S"
    say "state deleted ($S)"
}

lock() { # one up/down/reset at a time per state dir
    mkdir -p "$S"
    exec 9>"$S/swift.lock"
    flock -w 600 9 || die "another up/down/reset has held $S/swift.lock for 10 minutes"
}

case "${1:-}" in
up) lock; cmd_up ;;
down) lock; cmd_down ;;
status) cmd_status ;;
env) cmd_env ;;
reset) lock; cmd_reset ;;
*)
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    [ -n "${1:-}" ] && exit 2 || exit 0
    ;;
esac
