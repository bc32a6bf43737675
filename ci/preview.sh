#!/usr/bin/env bash
# `pulumi preview --diff` of one stack with the region's policy pack, for any CI: prints the diff,
# writes it as a Markdown file to post as a pull-request comment, and exits non-zero when the
# preview fails or a mandatory policy is violated.
#
#   ci/preview.sh --stack region-one [--policy-pack-config policy/region-one.json]
#
# Options (or the environment variable in brackets):
#   --stack NAME               the stack to preview [PULUMI_STACK]; required
#   --cwd DIR                  the Pulumi project [PULUMI_CWD]; default: this repository
#   --policy-pack PATH         the policy pack [POLICY_PACK]; default: <repo>/policy; "none" runs without it
#   --policy-pack-config FILE  its configuration, e.g. the registries allowed to be insecure [POLICY_PACK_CONFIG];
#                              default: <pack>/<stack>-config.json if there is one, else <pack>/default-config.json
#   --diff-file FILE           where the Markdown comment goes [PREVIEW_DIFF_FILE]; default: pulumi-preview.md
#
# Exit status: 0 the preview succeeded and no mandatory policy failed; 2 a mandatory policy failed;
# 1 any other failure of the preview (bad config, provider error); 64 bad usage.
# The backend, credentials and secrets passphrase come from the environment, as for any Pulumi
# command (PULUMI_BACKEND_URL / PULUMI_ACCESS_TOKEN, PULUMI_CONFIG_PASSPHRASE, OS_* ...).
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
stack=${PULUMI_STACK:-}
cwd=${PULUMI_CWD:-$repo}
pack=${POLICY_PACK:-$repo/policy}
pack_config=${POLICY_PACK_CONFIG:-}
diff_file=${PREVIEW_DIFF_FILE:-pulumi-preview.md}

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 64; }
while [ $# -gt 0 ]; do
    case "$1" in
        --stack) stack=${2:-}; shift 2 ;;
        --cwd) cwd=${2:-}; shift 2 ;;
        --policy-pack) pack=${2:-}; shift 2 ;;
        --policy-pack-config) pack_config=${2:-}; shift 2 ;;
        --diff-file) diff_file=${2:-}; shift 2 ;;
        -h|--help) usage ;;
        *) echo "ci/preview.sh: unknown argument $1" >&2; usage ;;
    esac
done
[ -n "$stack" ] || { echo "ci/preview.sh: --stack (or PULUMI_STACK) is required" >&2; usage; }
command -v pulumi >/dev/null || { echo "ci/preview.sh: no pulumi on PATH" >&2; exit 1; }
# The pack's settings for this stack, as the GitHub workflow picks them.
if [ -z "$pack_config" ] && [ "$pack" != none ]; then
    pack_home=$pack
    [ -f "$pack" ] && pack_home=$(dirname "$pack")
    for candidate in "$pack_home/$(basename "$stack")-config.json" "$pack_home/default-config.json"; do
        if [ -f "$candidate" ]; then pack_config=$candidate; break; fi
    done
fi
# Paths as given from the caller's directory; pulumi runs with --cwd.
if [ -n "$pack_config" ]; then
    [ -f "$pack_config" ] || { echo "ci/preview.sh: no policy pack config at $pack_config" >&2; exit 64; }
    pack_config=$(cd "$(dirname "$pack_config")" && pwd)/$(basename "$pack_config")
fi
if [ "$pack" != none ]; then
    [ -e "$pack" ] || { echo "ci/preview.sh: no policy pack at $pack" >&2; exit 64; }
    pack=$(cd "$(dirname "$pack")" && pwd)/$(basename "$pack")
fi

# What the stack and the pack need, when a fresh checkout lacks it.
if [ ! -d "$cwd/node_modules" ] && [ -f "$cwd/package-lock.json" ]; then
    echo "==> npm ci in $cwd"
    npm ci --prefix "$cwd" --no-audit --no-fund --loglevel=error || exit 1
fi
pack_dir=$pack
[ -f "$pack" ] && pack_dir=$(dirname "$pack")
if [ "$pack" != none ] && [ ! -d "$pack_dir/node_modules" ]; then
    echo "==> npm ci in $pack_dir (the policy pack)"
    npm ci --prefix "$pack_dir" --no-audit --no-fund --loglevel=error || exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_preview() {
    local args=(preview --diff --stack "$stack" --cwd "$cwd" --non-interactive --color never --suppress-progress)
    if [ "$pack" != none ]; then
        args+=(--policy-pack "$1")
        [ -z "$pack_config" ] || args+=(--policy-pack-config "$pack_config")
    fi
    echo "==> pulumi ${args[*]}"
    pulumi "${args[@]}" 2>&1 | tee "$log"
    return "${PIPESTATUS[0]}"
}

run_preview "$pack"; rc=$?
# A CLI whose Node.js language host cannot start plugins (older hosts, such as the one this
# repository's toolchain builds) refuses a pack given as a directory; the pack's own launcher
# starts the same pack as a binary analyzer plugin.
if [ "$rc" -ne 0 ] && [ -d "$pack" ] && [ -x "$pack/analyzer" ] \
    && grep -q "could not read plugin .*not supported" "$log"; then
    echo "==> this Pulumi CLI cannot start a Node.js policy pack from its directory; starting it with $pack/analyzer"
    run_preview "$pack/analyzer"; rc=$?
fi

violated=""
if [ "$rc" -ne 0 ] && grep -q "\[mandatory\]" "$log"; then violated=1; fi
if [ "$rc" -eq 0 ]; then verdict="passed"
elif [ -n "$violated" ]; then verdict="failed: a mandatory policy is violated"
else verdict="failed"
fi

# A GitHub comment holds at most 65536 characters: a longer preview keeps its head and its tail.
body=$(grep -v '^==> ' "$log")
if [ "${#body}" -gt 60000 ]; then
    body="${body:0:30000}
... (preview output shortened for the comment; the CI log has all of it) ...
${body: -29000}"
fi
{
    echo "### \`pulumi preview\` of stack \`$stack\`: $verdict"
    echo
    echo '```diff'
    printf '%s\n' "$body"
    echo '```'
} > "$diff_file"
echo "==> preview $verdict; the diff is in $diff_file"

if [ "$rc" -eq 0 ]; then exit 0; fi
if [ -n "$violated" ]; then exit 2; fi
exit 1
