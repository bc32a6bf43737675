#!/usr/bin/env bash
# Smoke test of a running dev cloud (scripts/devcloud.sh up), with the `openstack` CLI of Debian's
# python3-openstackclient: everything the trove-region stack does, by hand, then cleaned up.
#
#   test/devcloud/smoke.sh        exits non-zero on the first failure (after cleaning up)
#
# As trove in project service: network + subnet + router + interface, a security group with 8
# rules created in parallel (no database locking), a keypair, a private volume type, a private
# tagged qcow2 image. As admin: the service project's quotas (set, read back, restored), a Trove
# datastore version through the management API (found by image tags), its configuration
# parameters loaded with scripts/devcloud/trove-manage and read back over REST.
#
# The datastore is the test's own, smoke-<pid>-mysql (manager mysql), made and deleted by it: the dev
# cloud is shared, and the dev stack or the real tests may create and delete mysql 5.7.29 at the
# same time. SMOKE_DATASTORE=mysql uses the mysql datastore instead (fails if 5.7.29 exists).
set -euo pipefail
cd "$(dirname "$0")/../.."
OS=/usr/bin/openstack
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
eval "$(scripts/devcloud.sh env)"
TROVE_MANAGE=$DEVCLOUD_TROVE_MANAGE
RULES="$(cd "$(dirname "$0")/../.." && pwd)/.trove-templates/mysql/validation-rules.json"
P=smoke-$$
WORK=$(mktemp -d)

now() { echo "${EPOCHREALTIME/./}"; } # microseconds
since() { local us=$(($(now) - $1)); printf '%d.%d' $((us / 1000000)) $((us % 1000000 / 100000)); }
T0=$(now)

admin() { "$OS" "$@"; }
as_trove() { OS_USERNAME=trove OS_PASSWORD=devcloud-trove OS_PROJECT_NAME=service "$OS" "$@"; }
ok() { printf 'ok    %-58s %6s s\n' "$1" "$(since "$T_STEP")"; T_STEP=$(now); }
fail() { echo "FAIL  $*" >&2; exit 1; }
T_STEP=$T0

cleanup() {
    local rc=$?
    set +e
    trap - ERR
    echo "-- cleanup"
    [ -n "${DSV_ID:-}" ] && {
        "$TROVE_MANAGE" db_remove_datastore_config_parameters "$DATASTORE" 5.7.29 >/dev/null 2>&1
        admin datastore version delete "$DSV_ID"
    }
    [ -n "${MADE_DATASTORE:-}" ] && admin datastore delete "$DATASTORE"
    [ -n "${IMAGE_ID:-}" ] && as_trove image delete "$IMAGE_ID"
    [ -n "${VT:-}" ] && admin volume type delete "$VT"
    [ -n "${QUOTA_BEFORE:-}" ] && admin quota set $QUOTA_BEFORE service
    as_trove keypair delete "$P-kp" 2>/dev/null
    as_trove security group delete "$P-sg" 2>/dev/null
    as_trove router remove subnet "$P-router" "$P-subnet" 2>/dev/null
    as_trove router delete "$P-router" 2>/dev/null
    as_trove subnet delete "$P-subnet" 2>/dev/null
    as_trove network delete "$P-net" 2>/dev/null
    # Nothing of this run may be left behind.
    local left
    left=$( { as_trove network list -f value -c Name; as_trove router list -f value -c Name
        as_trove security group list -f value -c Name; as_trove keypair list -f value -c Name
        as_trove image list -f value -c Name; } 2>/dev/null | grep -c "^$P" || true)
    rm -rf "$WORK"
    if [ "$rc" = 0 ] && [ "$left" != 0 ]; then echo "FAIL  cleanup left $left objects named $P-*" >&2; rc=1; fi
    echo "smoke: $([ "$rc" = 0 ] && echo PASSED || echo FAILED) in $(since "$T0") s"
    exit "$rc"
}
trap cleanup EXIT
trap 'fail "line $LINENO: $BASH_COMMAND"' ERR

echo "-- the dev cloud"
scripts/devcloud.sh status >/dev/null || fail "the dev cloud is not healthy: scripts/devcloud.sh status"
ok "status: every API healthy"

echo "-- network (as trove in service)"
as_trove network create "$P-net" -f value -c id >/dev/null
as_trove subnet create "$P-subnet" --network "$P-net" --subnet-range 10.254.0.0/22 -f value -c id >/dev/null
as_trove router create "$P-router" -f value -c id >/dev/null
as_trove router add subnet "$P-router" "$P-subnet"
ports=$(as_trove port list --router "$P-router" -f value -c ID | wc -l)
[ "$ports" = 1 ] || fail "router has $ports interfaces, want 1"
ok "network, subnet, router, router interface"

echo "-- security group, 8 rules at once"
as_trove security group create "$P-sg" -f value -c id >/dev/null
pids=()
for i in 1 2 3 4 5 6 7 8; do
    as_trove security group rule create "$P-sg" --ingress --protocol tcp --dst-port "$((2200 + i))" \
        --remote-ip "192.0.2.$i/32" -f value -c id >"$WORK/rule$i.out" 2>&1 &
    pids+=($!)
done
bad=0
for i in "${!pids[@]}"; do wait "${pids[$i]}" || { bad=$((bad + 1)); cat "$WORK/rule$((i + 1)).out" >&2; }; done
[ "$bad" = 0 ] || fail "$bad of 8 concurrent rule creates failed"
n=$(as_trove security group rule list "$P-sg" --ingress -f value -c ID | wc -l)
[ "$n" = 8 ] || fail "security group has $n ingress rules, want 8"
ok "security group + 8 concurrent rules"

echo "-- keypair"
as_trove keypair create "$P-kp" >"$WORK/kp.pem"
grep -q "PRIVATE KEY" "$WORK/kp.pem" || fail "keypair create returned no private key"
as_trove keypair show "$P-kp" -f value -c fingerprint >/dev/null
ok "keypair create + show"

echo "-- quotas of project service (as admin)"
QUOTA_BEFORE=$(admin quota show service -f json | /usr/bin/python3 -c '
import json, sys
q = json.load(sys.stdin)
print(" ".join(f"--{k} {q[k]}" for k in ("instances", "server-groups", "volumes", "secgroups", "ports")))')
admin quota set --instances 200 --server-groups 200 --volumes 200 --secgroups 200 --ports 400 service
admin quota show service -f json | /usr/bin/python3 -c '
import json, sys
q = json.load(sys.stdin)
want = {"instances": 200, "server-groups": 200, "volumes": 200, "secgroups": 200, "ports": 400}
got = {k: q.get(k) for k in want}
sys.exit(0 if got == want else f"quotas read back {got}, want {want}")'
ok "quota set + read back (compute, network, volume)"

echo "-- volume type"
VT=$P-vt
admin volume type create --private --project service "$VT" -f value -c id >/dev/null
admin volume type show "$VT" -f value -c is_public | grep -q False || fail "volume type is not private"
ok "private volume type"

echo "-- Glance image (as trove)"
qemu-img create -f qcow2 "$WORK/guest.qcow2" 16M >/dev/null
IMAGE_ID=$(as_trove image create "$P-image" --private --disk-format qcow2 --container-format bare \
    --file "$WORK/guest.qcow2" --tag trove --tag mysql -f value -c id)
status=$(as_trove image show "$IMAGE_ID" -f value -c status)
[ "$status" = active ] || fail "image status $status, want active"
ok "private qcow2 image, tags trove,mysql, active"

echo "-- Trove datastore version (as admin, management API)"
DATASTORE=${SMOKE_DATASTORE:-$P-mysql}
admin datastore show "$DATASTORE" >/dev/null 2>&1 || MADE_DATASTORE=1
admin datastore version create 5.7.29 "$DATASTORE" mysql "" --image-tags trove,mysql --active --default \
    --version-number 5.7.29
DSV_ID=$(admin datastore version list "$DATASTORE" -f value -c ID -c Name | awk '$2 == "5.7.29" {print $1}')
[ -n "$DSV_ID" ] || fail "datastore version $DATASTORE 5.7.29 not listed"
admin datastore version list "$DATASTORE"
ok "datastore version create (image tags) + list"

echo "-- configuration parameters (trove-manage) and their read-back (REST)"
"$TROVE_MANAGE" db_load_datastore_config_parameters "$DATASTORE" 5.7.29 "$RULES" --version 5.7.29 >"$WORK/manage.out" 2>&1 ||
    { cat "$WORK/manage.out" >&2; fail "trove-manage db_load_datastore_config_parameters"; }
TOKEN=$(admin token issue -f value -c id)
PROJECT=$(admin token issue -f value -c project_id)
/usr/bin/python3 -c '
import sys, urllib.request
req = urllib.request.Request(sys.argv[1], headers={"X-Auth-Token": sys.argv[2], "Accept": "application/json"})
sys.stdout.write(urllib.request.urlopen(req, timeout=30).read().decode())' \
    "http://127.0.0.1:8779/v1.0/$PROJECT/datastores/versions/$DSV_ID/parameters" "$TOKEN" >"$WORK/params.json" ||
    fail "GET /v1.0/$PROJECT/datastores/versions/$DSV_ID/parameters"
/usr/bin/python3 - "$WORK/params.json" "$RULES" <<'EOF'
import json, sys
got = {p["name"]: p for p in json.load(open(sys.argv[1]))["configuration-parameters"]}
want = {r["name"]: r for r in json.load(open(sys.argv[2]))["configuration-parameters"]}
missing = sorted(set(want) - set(got))
types = sorted({r["type"] for r in want.values()})
if missing:
    sys.exit(f"{len(missing)} of {len(want)} parameters missing, e.g. {missing[:5]}")
print(f"   {len(got)} parameters read back (types {', '.join(types)})")
EOF
ok "parameters loaded with trove-manage, read over REST"

echo "-- delete what was made"
"$TROVE_MANAGE" db_remove_datastore_config_parameters "$DATASTORE" 5.7.29 --version 5.7.29 >/dev/null 2>&1
admin datastore version delete "$DSV_ID" && DSV_ID=""
if [ -n "${MADE_DATASTORE:-}" ]; then admin datastore delete "$DATASTORE" && MADE_DATASTORE=""; fi
as_trove image delete "$IMAGE_ID" && IMAGE_ID=""
admin volume type delete "$VT" && VT=""
# shellcheck disable=SC2086
admin quota set $QUOTA_BEFORE service && QUOTA_BEFORE=""
as_trove keypair delete "$P-kp"
as_trove security group delete "$P-sg"
as_trove router remove subnet "$P-router" "$P-subnet"
as_trove router delete "$P-router"
as_trove subnet delete "$P-subnet"
as_trove network delete "$P-net"
ok "deleted: datastore version, image, volume type, keypair, security group, router, subnet, network; quotas restored"
