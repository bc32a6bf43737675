# Sourced by scripts/test.sh and scripts/main.sh after scripts/pulumi-toolchain.sh: puts the
# toolchain on PATH and keeps the engine entirely local (file backend in the repo, no update check,
# no plugin downloads). Settings already in the environment win.
_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Node.js >= 22 first on PATH: the language host and dynamic-provider host run `node` from PATH.
source "$_repo/scripts/node-env.sh" || return 1
_cache=${TROVE_REGION_CACHE:-$HOME/.cache/trove-region}
# This checkout's toolchain: the bin directory scripts/pulumi-toolchain.sh wrote to .toolchain-bin
# here. The cache's shared toolchain-bin only when this checkout has none yet (written by the
# toolchain script of an older checkout).
_toolchain_bin=$(cat "$_repo/.toolchain-bin" 2>/dev/null || cat "$_cache/toolchain-bin" 2>/dev/null || true)
if [ -n "$_toolchain_bin" ]; then
    case ":$PATH:" in *":$_toolchain_bin:"*) ;; *) export PATH="$_toolchain_bin:$PATH" ;; esac
fi
# One Pulumi home (its registered plugins) per CLI version: a checkout on another CLI registers
# its own build of a plugin under the same name and version (the command plugin follows the CLI's
# pkg/v3), which must not replace the one another checkout's runs are using.
_cli_version=$(sed -n 's/^CLI_VERSION=//p' "$_repo/scripts/pulumi-toolchain.sh")
export PULUMI_HOME="${PULUMI_HOME:-$_cache/pulumi-home-v$_cli_version}"
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$_repo/.pulumi-state}"
# The dev and test stacks' passphrase: local state only. A real region sets its own (or a
# passphrase file), which is kept.
if [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-trove-region-dev}"
fi
# The scripts type-check the program once with tsc (test.sh, main.sh, bench). The stack program
# itself runs through program.js (cached transpiles, no ts-node); programs that still
# run through ts-node (the examples, the policy pack) let it only transpile, which saves seconds.
export PULUMI_NODEJS_TRANSPILE_ONLY="${PULUMI_NODEJS_TRANSPILE_ONLY:-true}"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
# Nothing leaves the machine: no update check (above), no plugin downloads, no package-name lookups
# in the Pulumi registry; the file backend sends no usage data.
export PULUMI_DISABLE_REGISTRY_RESOLVE=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
export PULUMI_SKIP_CONFIRMATIONS=true
mkdir -p "$PULUMI_HOME"
case "$PULUMI_BACKEND_URL" in file://*) mkdir -p "${PULUMI_BACKEND_URL#file://}" ;; esac
unset _repo _cache _toolchain_bin _cli_version
