#!/usr/bin/env bash
# Benchmark of the guest image upload (bench/guest-image-upload.ts): sizes in GiB from
# BENCH_IMAGE_GIB (default "0.25,4"). Uses the dev cloud that runs already (the main job's or the
# tests'), else starts the tests' one (.devcloud-test) and stops it afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
# Node.js >= 22 first on PATH for all below (`npm test` / `npm start` itself may run on an older
# system Node); scripts/node-env.sh installs the pinned one when the system's is too old.
source scripts/node-env.sh
source scripts/lib.sh

prepare_pulumi
started=""
if DEVCLOUD_DIR="$PWD/.devcloud" scripts/devcloud.sh status >/dev/null 2>&1; then
    export DEVCLOUD_DIR="$PWD/.devcloud"
else
    export DEVCLOUD_DIR="$PWD/.devcloud-test"
    if ! scripts/devcloud.sh status >/dev/null 2>&1; then
        if [ -d .devcloud/run ]; then DEVCLOUD_DIR="$PWD/.devcloud" scripts/devcloud.sh down >/dev/null; fi
        scripts/devcloud.sh up >/dev/null
        started=1
    fi
fi
trap '[ -z "$started" ] || scripts/devcloud.sh down >/dev/null 2>&1 || true' EXIT
eval "$(scripts/devcloud.sh env --trove)"
mkdir -p .test-work
npx ts-node --transpile-only bench/guest-image-upload.ts
