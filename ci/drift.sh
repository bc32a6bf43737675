#!/usr/bin/env bash
# Drift check of one stack, for a scheduled CI job or an operator: `pulumi preview --refresh
# --expect-no-changes --json` reads every resource back from the cloud (writing nothing, not even the
# state) and shows what `pulumi up --refresh` would do (a plain `pulumi up` trusts the state and sees
# no drift). Prints one line per resource that drifted (changed out of band with old -> new values,
# deleted out of band), and writes the engine's JSON (secrets as "[secret]") to a file.
#
#   ci/drift.sh --stack region-one [--json-file drift.json]
#
# Options (or the environment variable in brackets):
#   --stack NAME         the stack to check [PULUMI_STACK]; required
#   --cwd DIR            the Pulumi project [PULUMI_CWD]; default: this repository
#   --json-file FILE     where the engine's preview JSON goes [DRIFT_JSON_FILE]; default: pulumi-drift.json
#   --summary-file FILE  also write the summary there, e.g. $GITHUB_STEP_SUMMARY [DRIFT_SUMMARY_FILE]; default: none
#
# Exit status: 0 no drift; 3 drift found (or a program/config change not applied yet: the lines say
# which); 1 any failure (the preview's errors are printed); 64 bad usage.
# The backend, credentials and secrets passphrase come from the environment, as for any Pulumi
# command (PULUMI_BACKEND_URL / PULUMI_ACCESS_TOKEN, PULUMI_CONFIG_PASSPHRASE, OS_* ...).
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
stack=${PULUMI_STACK:-}
cwd=${PULUMI_CWD:-$repo}
json_file=${DRIFT_JSON_FILE:-pulumi-drift.json}
summary_file=${DRIFT_SUMMARY_FILE:-}

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 64; }
while [ $# -gt 0 ]; do
    case "$1" in
        --stack) stack=${2:-}; shift 2 ;;
        --cwd) cwd=${2:-}; shift 2 ;;
        --json-file) json_file=${2:-}; shift 2 ;;
        --summary-file) summary_file=${2:-}; shift 2 ;;
        -h|--help) usage ;;
        *) echo "ci/drift.sh: unknown argument $1" >&2; usage ;;
    esac
done
[ -n "$stack" ] || { echo "ci/drift.sh: --stack (or PULUMI_STACK) is required" >&2; usage; }
[ -n "$json_file" ] || { echo "ci/drift.sh: --json-file needs a file name" >&2; usage; }
[ -d "$cwd" ] || { echo "ci/drift.sh: no Pulumi project at $cwd" >&2; exit 64; }
json_dir=$(dirname "$json_file")
[ -d "$json_dir" ] || { echo "ci/drift.sh: no directory $json_dir for --json-file" >&2; exit 64; }
command -v pulumi >/dev/null || { echo "ci/drift.sh: no pulumi on PATH" >&2; exit 1; }

# What the stack and the report need, when a fresh checkout lacks it.
for dir in "$cwd" "$repo"; do
    if [ ! -d "$dir/node_modules" ] && [ -f "$dir/package-lock.json" ]; then
        echo "==> npm ci in $dir"
        npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error || exit 1
    fi
done

errors=$(mktemp)
trap 'rm -f "$errors"' EXIT

args=(preview --refresh --expect-no-changes --json --stack "$stack" --cwd "$cwd" --non-interactive --color never)
echo "==> pulumi ${args[*]} > $json_file"
pulumi "${args[@]}" > "$json_file" 2> "$errors"
rc=$?

report() {
    (cd "$repo" && npx --no-install ts-node --transpile-only ci/drift-report.ts "$1" --stack "$stack")
}
# A preview that could not start (no stack, a wrong passphrase, no backend) prints no JSON at all.
if [ -s "$json_file" ]; then
    summary=$(report "$json_file"); report_rc=$?
else
    summary="The drift check of stack $stack failed: the preview printed no JSON."; report_rc=1
fi
printf '%s\n' "$summary"
if [ -n "$summary_file" ]; then printf '%s\n' "$summary" > "$summary_file"; fi

# The CLI exits 7 when a preview with --expect-no-changes proposes changes (older ones exit 1 and say so).
changes_proposed=""
if [ "$rc" -eq 7 ] || grep -q "no changes were expected" "$errors"; then changes_proposed=1; fi

if [ "$rc" -eq 0 ] && [ "$report_rc" -eq 0 ]; then
    echo "==> no drift in stack $stack; the preview's JSON is in $json_file"
    exit 0
fi
if [ "$report_rc" -eq 3 ] && { [ "$rc" -eq 0 ] || [ -n "$changes_proposed" ]; }; then
    echo "==> drift in stack $stack: \`pulumi up --refresh --stack $stack\` repairs it (review the lines above first: a plain up trusts the state and sees no drift); the preview's JSON is in $json_file"
    exit 3
fi
# Anything else is a failure of the check itself: say what the CLI said.
echo "==> the drift check of stack $stack failed (pulumi exited $rc):" >&2
grep -v "no changes were expected" "$errors" >&2
exit 1
