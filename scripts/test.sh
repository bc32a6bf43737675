#!/usr/bin/env bash
# All the tests, on a fresh machine too: installs what they need, type-checks, runs the unit suite
# (mocks, seconds), then the real suite (the real Pulumi engine and plugins, the loopback dev cloud).
# Prints one closing line: "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
# Node.js >= 22 first on PATH for all below (`npm test` / `npm start` itself may run on an older
# system Node); scripts/node-env.sh installs the pinned one when the system's is too old.
source scripts/node-env.sh
source scripts/lib.sh

results=$(mktemp -d)
started_cloud=""
cleanup() {
    if [ -n "$started_cloud" ]; then scripts/devcloud/swift.sh down || true; scripts/devcloud.sh down || true; fi
    rm -rf "$results"
}
trap cleanup EXIT

ensure_node_modules

ensure_node_modules policy

echo "==> type check"
typecheck
# The consumer example and the policy pack are projects of their own, with their own tsconfig.
npx tsc --noEmit -p examples/consumer
npm run --silent build --prefix policy

echo "==> unit tests"
unit_rc=0
npx jest --selectProjects unit --json --outputFile="$results/unit.json" || unit_rc=$?

real_rc=0
go_rc=0
if [ "${TROVE_REGION_UNIT_ONLY:-}" = "1" ]; then
    echo "==> real tests skipped: TROVE_REGION_UNIT_ONLY=1"
else
    echo "==> Pulumi toolchain"
    scripts/pulumi-toolchain.sh
    echo "==> Go: vet and tests of the toolchain's own providers"
    scripts/toolchain/go-check.sh || go_rc=$?
    # shellcheck source=scripts/pulumi-env.sh
    source scripts/pulumi-env.sh
    echo "==> dev cloud (for the tests: state in .devcloud-test)"
    # The tests create and destroy the same names and quotas as the dev stack, so they get a dev
    # cloud of their own. It uses the same loopback ports: the main job's cloud is stopped first
    # (`npm start` brings it back, its state intact).
    if [ -d .devcloud/run ]; then
        echo "stopping the main job's dev cloud (.devcloud), if it runs, for the tests"
        DEVCLOUD_DIR="$PWD/.devcloud" scripts/devcloud.sh down
    fi
    export DEVCLOUD_DIR="$PWD/.devcloud-test"
    if ! scripts/devcloud.sh status >/dev/null 2>&1; then started_cloud=1; fi
    scripts/devcloud.sh up
    # Swift and its S3 API on the cloud's Keystone: the teams' state backend (state-backend.test.ts).
    scripts/devcloud/swift.sh up
    ensure_dev_guest_image
    ensure_sshd
    ensure_docker_tools
    ensure_graphviz
    # The stack runs as Trove's service user in the service project, as in production.
    eval "$(scripts/devcloud.sh env --trove)"
    echo "==> real tests"
    npx jest --selectProjects real --runInBand --json --outputFile="$results/real.json" || real_rc=$?
    # Stop the tests' dev cloud now, so the summary below is the run's last line.
    if [ -n "$started_cloud" ]; then scripts/devcloud/swift.sh down; scripts/devcloud.sh down; started_cloud=""; fi
fi

node -e '
const fs = require("fs");
let passed = 0, failed = 0, skipped = 0;
for (const f of process.argv.slice(1)) {
    if (!fs.existsSync(f)) { failed++; console.error("no results in " + f); continue; }
    const r = JSON.parse(fs.readFileSync(f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
    skipped += r.numPendingTests + r.numTodoTests;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$results/unit.json" $([ "${TROVE_REGION_UNIT_ONLY:-}" = "1" ] || echo "$results/real.json")

[ "$unit_rc" -eq 0 ] && [ "$real_rc" -eq 0 ] && [ "$go_rc" -eq 0 ]
