# Sourced by scripts/test.sh and scripts/main.sh after scripts/pulumi-toolchain.sh: puts the
# toolchain on PATH and keeps the engine entirely local (file backend in the repo, no update check,
# no plugin downloads). Settings already in the environment win.
_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_toolchain_bin=$(cat "${TROVE_REGION_CACHE:-$HOME/.cache/trove-region}/toolchain-bin" 2>/dev/null || true)
if [ -n "$_toolchain_bin" ]; then
    case ":$PATH:" in *":$_toolchain_bin:"*) ;; *) export PATH="$_toolchain_bin:$PATH" ;; esac
fi
export PULUMI_HOME="${PULUMI_HOME:-${TROVE_REGION_CACHE:-$HOME/.cache/trove-region}/pulumi-home}"
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$_repo/.pulumi-state}"
# The dev and test stacks' passphrase: local state only. A real region sets its own (or a
# passphrase file), which is kept.
if [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-trove-region-dev}"
fi
# The scripts type-check the program once with tsc (test.sh, main.sh, bench); every Pulumi run then
# lets ts-node only transpile it, which saves seconds per preview, up and dynamic-provider host.
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
unset _repo _toolchain_bin
