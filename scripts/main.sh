#!/usr/bin/env bash
# The main job on a fresh machine: the Pulumi toolchain, the loopback dev cloud, then `pulumi up`
# of the dev stack, and its outputs. Run it again: the second `pulumi up` changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
# Node.js >= 22 first on PATH for all below (`npm test` / `npm start` itself may run on an older
# system Node); scripts/node-env.sh installs the pinned one when the system's is too old.
source scripts/node-env.sh
source scripts/lib.sh

ensure_node_modules
# Type-checked once here: the Pulumi runs below only transpile (scripts/pulumi-env.sh).
typecheck
scripts/pulumi-toolchain.sh
# shellcheck source=scripts/pulumi-env.sh
source scripts/pulumi-env.sh
scripts/devcloud.sh up
ensure_dev_guest_image
eval "$(scripts/devcloud.sh env --trove)"

pulumi stack select dev 2>/dev/null || pulumi stack init dev
pulumi up --stack dev --yes --skip-preview "$@"
pulumi stack output --stack dev
# The dev cloud's Trove controllers take the region's settings as the stack rendered them, verbatim
# (after their own base: database, broker, Keystone).
conf=$(mktemp -d)
trap 'rm -rf "$conf"' EXIT
pulumi stack output --stack dev troveConf --show-secrets >"$conf/trove.conf"
pulumi stack output --stack dev guestAgentConf --show-secrets >"$conf/guest.conf"
scripts/devcloud.sh trove-config "$conf/trove.conf" "$conf/guest.conf"
rm -rf "$conf"
# What CI would say of the region now: no change, and the policy pack passing.
ci/preview.sh --stack dev --diff-file .pulumi-state/dev-preview.md
