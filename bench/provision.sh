#!/usr/bin/env bash
# Benchmark: the dev stack provisioned by `pulumi up` (from empty, then with nothing changed) against
# the same provisioning done the seeds' way, as a sequence of `openstack` CLI commands and
# trove-manage, on the same loopback dev cloud in one run; then the same stack with 30 datastore
# versions (bench/many-versions.ts), counting Keystone token requests. Prints each time and the ratios, then
# (bench/provision-report.ts) the critical path of the up from empty from its event log and the
# stack's state, and issue 17's goal lines (PASS, FAIL, or NOT MEASURED for what this run does not
# measure).
set -euo pipefail
cd "$(dirname "$0")/.."
# Node.js >= 22 first on PATH for all below (`npm test` / `npm start` itself may run on an older
# system Node); scripts/node-env.sh installs the pinned one when the system's is too old.
source scripts/node-env.sh
source scripts/lib.sh

prepare_pulumi
clock() { date +%s.%N; }
elapsed() { echo "$(clock) $1" | awk '{ printf "%.1f", $1 - $2 }'; }
work=$(mktemp -d "${TMPDIR:-/tmp}/trove-region-bench.XXXXXX")

# --- goal 5: the unit suite, and `npm start` on a warm machine ----------------------------------
# Measured first, while no dev cloud runs. A failing unit suite gives no figure (NOT MEASURED).
main_cloud() { DEVCLOUD_DIR="$PWD/.devcloud" scripts/devcloud.sh "$@" >/dev/null; }
main_cloud down
DEVCLOUD_DIR="$PWD/.devcloud-test" scripts/devcloud.sh down >/dev/null
unit_suite=""
t=$(clock); if npx jest --selectProjects unit >"$work/unit.log" 2>&1; then unit_suite=$(elapsed "$t"); fi
# Warm: the toolchain built (prepare_pulumi), the dev cloud installed and set up once, stopped. A
# machine whose main dev cloud was never set up gets one untimed `npm start` first.
start_warm=""
if [ ! -f .devcloud/lib/keystone-setup.done ]; then npm start >"$work/start-first.log" 2>&1 || true; main_cloud down; fi
t=$(clock); if npm start >"$work/start.log" 2>&1; then start_warm=$(elapsed "$t"); fi
main_cloud down

# Like the tests, a dev cloud of its own (the main job's is stopped: same ports).
export DEVCLOUD_DIR="$PWD/.devcloud-test"
scripts/devcloud.sh up >/dev/null
ensure_dev_guest_image
eval "$(scripts/devcloud.sh env --trove)"
OS=/usr/bin/openstack
TM="$PWD/scripts/devcloud/trove-manage"
RULES="$PWD/.trove-templates" # Trove 26's own, linked by scripts/devcloud/trove-venv.sh

# --- Pulumi ------------------------------------------------------------------------------------
cp Pulumi.dev.yaml Pulumi.bench.yaml
# Goal 2's stack: the dev stack's settings with 30 datastore versions instead of 3.
npx ts-node --transpile-only bench/many-versions.ts --from Pulumi.dev.yaml --versions 30 --to Pulumi.bench30.yaml
for s in bench bench30; do pulumi stack init "$s" >/dev/null 2>&1 || true; done
remove_stacks() {
    local s
    for s in bench bench30; do
        pulumi destroy --stack "$s" --yes >/dev/null 2>&1 || true
        pulumi stack rm "$s" --yes --force >/dev/null 2>&1 || true
    done
    rm -f Pulumi.bench.yaml Pulumi.bench30.yaml
}
trap 'remove_stacks; scripts/devcloud.sh down >/dev/null 2>&1 || true' EXIT
for s in bench bench30; do pulumi destroy --stack "$s" --yes >/dev/null 2>&1 || true; done
# Keystone token requests (goal 2): the POSTs to /v3/auth/tokens in Keystone's request log (uwsgi
# logs one line per request) while a run lasts; the other services' own logins, if any fall in the
# window, count for both stacks alike.
KEYSTONE_LOG="$DEVCLOUD_DIR/log/keystone.log"
token_requests() { grep -c 'POST /v3/auth/tokens' "$KEYSTONE_LOG" || true; }

# The event log of the up from empty, the stack's state after it, and the one-change preview's
# output stay in $work for a look afterwards.
: >"$work/up.events.jsonl"
# The engine stamps its events in whole seconds; a line's arrival time (tail follows the file as
# it is written, perl stamps each line to the millisecond) gives the critical path finer durations.
# tail ends with the up (--pid); the report falls back to the engine's stamps if this one fails.
tokens_before=$(token_requests)
t=$(clock)
# The CLI offers --event-log only with PULUMI_DEBUG_COMMANDS set (the Automation API sets it too).
PULUMI_DEBUG_COMMANDS=true pulumi up --stack bench --yes --skip-preview --event-log "$work/up.events.jsonl" >/tmp/trove-region-bench-up.log 2>&1 &
up_pid=$!
tail -n +1 -F -s 0.05 --pid="$up_pid" "$work/up.events.jsonl" 2>/dev/null \
    | perl -MTime::HiRes=time -ne 'printf "%.3f\t%s", time, $_' >"$work/up.events.stamped" &
stamp_pid=$!
wait "$up_pid" || { echo "the dev stack's up from empty failed; the end of its log:" >&2; tail -25 /tmp/trove-region-bench-up.log >&2; exit 1; }
up_empty=$(elapsed "$t")
tokens3=$(( $(token_requests) - tokens_before ))
for _ in $(seq 50); do kill -0 "$stamp_pid" 2>/dev/null || break; sleep 0.1; done
kill "$stamp_pid" 2>/dev/null || true
resources=$(grep -Eo '\+ [0-9]+ created' /tmp/trove-region-bench-up.log | grep -Eo '[0-9]+')
# What waited for what is not in the events: the state holds dependencies, parents and providers.
pulumi stack export --stack bench >"$work/state.json"
t=$(clock); pulumi up --stack bench --yes --skip-preview >/dev/null 2>&1; up_same=$(elapsed "$t")
t=$(clock); pulumi preview --stack bench >/dev/null 2>&1; preview_same=$(elapsed "$t")
# One change: one more SSH source (Pulumi.dev.yaml has one, 192.0.2.10/32), then back to the dev config.
ssh_cidr_path='trove-region:securityGroups.sshFromCidrs[1]'
pulumi config set --path "$ssh_cidr_path" 198.51.100.7/32 --stack bench >/dev/null
t=$(clock); pulumi preview --stack bench >"$work/preview-one-change.log" 2>&1; preview_one=$(elapsed "$t")
pulumi config rm --path "$ssh_cidr_path" --stack bench >/dev/null
one_change=$(grep -Eo '[0-9]+ to (create|update|replace|delete)' "$work/preview-one-change.log" | paste -sd, - | sed 's/,/, /g' || true)
t=$(clock); pulumi destroy --stack bench --yes >/dev/null 2>&1; destroy=$(elapsed "$t")

# --- goal 2: the same with 30 datastore versions -----------------------------------------------
# A failed run gives no figure (its goals print NOT MEASURED) and its log's end, not an abort.
up_empty30="" up_same30="" preview_same30="" destroy30="" tokens30=""
tokens_before=$(token_requests)
t=$(clock)
if pulumi up --stack bench30 --yes --skip-preview >"$work/up30.log" 2>&1; then
    up_empty30=$(elapsed "$t")
    tokens30=$(( $(token_requests) - tokens_before ))
    t=$(clock); pulumi up --stack bench30 --yes --skip-preview >"$work/up30-same.log" 2>&1 && up_same30=$(elapsed "$t")
    t=$(clock); pulumi preview --stack bench30 >"$work/preview30.log" 2>&1 && preview_same30=$(elapsed "$t")
else
    echo "the 30-version up from empty failed; the end of its log ($work/up30.log):" >&2
    tail -25 "$work/up30.log" >&2
fi
resources30=$(grep -Eo '\+ [0-9]+ created' "$work/up30.log" | grep -Eo '[0-9]+' || true)
t=$(clock); pulumi destroy --stack bench30 --yes >/dev/null 2>&1 && destroy30=$(elapsed "$t")

# --- the seeds' way: the same resources, one CLI command at a time -----------------------------
service=$($OS project show service -f value -c id)
t=$(clock)
$OS network create trove-mgmt --project "$service" --no-share -f value -c id >/dev/null
$OS subnet create trove-mgmt-subnet --network trove-mgmt --project "$service" --subnet-range 10.254.0.0/22 \
    --gateway 10.254.0.1 --allocation-pool start=10.254.0.2,end=10.254.3.251 \
    --host-route destination=192.0.2.0/24,gateway=10.254.3.254 >/dev/null
sg=$($OS security group create trove-mgmt --project "$service" -f value -c id)
for rule in $($OS security group rule list "$sg" -f value -c ID); do $OS security group rule delete "$rule"; done
$OS security group rule create "$sg" --ingress --protocol tcp --dst-port 22 --remote-ip 192.0.2.10/32 >/dev/null
$OS security group rule create "$sg" --egress --ethertype IPv4 --remote-ip 0.0.0.0/0 >/dev/null
$OS security group rule create "$sg" --egress --ethertype IPv6 --remote-ip ::/0 >/dev/null
$OS keypair create trove-mgmt >/dev/null
$OS quota set --instances 200 --server-groups 200 --volumes 200 --secgroups 200 --ports 400 --secgroup-rules 1000 --gigabytes -1 "$service"
$OS volume type create trove --private --project "$service" >/dev/null
$OS image create trove-guest-ubuntu-noble --private --disk-format qcow2 --container-format bare \
    --tag trove --tag mysql --tag mariadb --tag postgresql --property hw_rng_model=virtio \
    --file .devcloud/guest-image/trove-guest-dev.qcow2 >/dev/null
# The registry and its images, as the seeds run them (docker run, tag, push, build, push).
export DOCKER_BUILDKIT=0 # the classic builder: the engine here has no buildx
R=127.0.0.1:4000/trove-datastores
docker volume create trove-registry-data >/dev/null
docker run -d --name trove-registry --network host --restart always -e REGISTRY_HTTP_ADDR=127.0.0.1:4000 \
    -v trove-registry-data:/var/lib/registry registry:2 >/dev/null
for src in mysql:8.4 mariadb:11.8 postgresql:17; do
    name=${src%%:*} version=${src#*:}
    image=$src; [ "$name" = postgresql ] && image=postgres:$version
    docker tag "$image" "$R/$name:$version" && docker push -q "$R/$name:$version" >/dev/null
    docker build -q --network host --build-arg "DATASTORE=$name" --build-arg "DATASTORE_VERSION=$version" \
        -t "$R/db-backup-$name:$version" scripts/devcloud/backup >/dev/null
    docker push -q "$R/db-backup-$name:$version" >/dev/null
done
for ds in mysql:8.4 mariadb:11.8 postgresql:17; do
    name=${ds%%:*} version=${ds#*:}
    $OS datastore version create "$version" "$name" "$name" "" --image-tags "trove,$name" --active --default --version-number "$version" >/dev/null
    "$TM" db_load_datastore_config_parameters "$name" "$version" "$RULES/$name/validation-rules.json" >/dev/null 2>&1
done
cli=$(elapsed "$t")

# Clean up what the CLI made (not timed).
for ds in mysql:8.4 mariadb:11.8 postgresql:17; do
    id=$($OS datastore version list "${ds%%:*}" -f value -c ID 2>/dev/null | head -n1)
    [ -n "$id" ] && $OS datastore version delete "$id" >/dev/null 2>&1 || true
done
$OS image delete trove-guest-ubuntu-noble; $OS volume type delete trove; $OS keypair delete trove-mgmt
$OS security group delete "$sg"; $OS subnet delete trove-mgmt-subnet; $OS network delete trove-mgmt
$OS quota set --secgroup-rules 100 --gigabytes 1000 "$service"
docker rm -f trove-registry >/dev/null; docker volume rm trove-registry-data >/dev/null

ratio() { echo "$1 $2" | awk '{ printf "%.2f", $1 / $2 }'; }
echo
echo "trove-region benchmark (dev stack: ${resources:-?} resources; 3 datastore versions) on the loopback dev cloud"
printf '  %-44s %7s s\n' "pulumi up from empty" "$up_empty" \
    "pulumi up, nothing changed" "$up_same" \
    "pulumi preview, nothing changed" "$preview_same" \
    "pulumi preview, +1 SSH CIDR (${one_change:-no change seen})" "$preview_one" \
    "pulumi destroy" "$destroy" \
    "30 versions (${resources30:-?} resources): pulumi up from empty" "${up_empty30:-failed}" \
    "30 versions: pulumi up, nothing changed" "${up_same30:-failed}" \
    "30 versions: pulumi preview, nothing changed" "${preview_same30:-failed}" \
    "30 versions: pulumi destroy" "${destroy30:-failed}" \
    "the seeds' way: openstack CLI, trove-manage, docker" "$cli" \
    "unit suite (jest, unit project)" "${unit_suite:-failed}" \
    "npm start, warm machine, dev cloud stopped" "${start_warm:-failed}"
echo "  ratios: up from empty / CLI = $(ratio "$up_empty" "$cli"); no-change up / CLI = $(ratio "$up_same" "$cli")"
echo "  Keystone token requests in the up from empty: $tokens3 (3 versions), ${tokens30:-not counted} (30 versions)"
echo
npx ts-node --transpile-only bench/provision-report.ts --events "$work/up.events.jsonl" --stamped "$work/up.events.stamped" \
    --state "$work/state.json" --up-empty "$up_empty" --up-same "$up_same" --preview-same "$preview_same" \
    --preview-one-change "$preview_one" --cli "$cli" \
    --up-empty-30 "$up_empty30" --up-same-30 "$up_same30" --preview-same-30 "$preview_same30" \
    --tokens-3 "$tokens3" --tokens-30 "$tokens30" --unit-suite "$unit_suite" --start-warm "$start_warm"
echo "  (event log, state and the one-change preview's output: $work)"
