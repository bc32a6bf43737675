#!/usr/bin/env bash
# Renders the live resource graph of a stack: `pulumi stack graph` (the stack's last deployment, as
# DOT) relabelled to "name / type", then SVG (and PNG with --png) with Graphviz's `dot`.
#
#   scripts/graph.sh [--cwd <project dir>] [--png] <stack> [<output base>]
#
#   scripts/graph.sh dev                        -> dev-graph.dot, dev-graph.svg
#   scripts/graph.sh --png dev docs/region-graph -> docs/region-graph.{dot,svg,png}
#   scripts/graph.sh --cwd examples/consumer test-a /tmp/consumer
#
# The stack is one of the project in --cwd (default: this repository's trove-region project), on the
# backend of scripts/pulumi-env.sh unless PULUMI_BACKEND_URL says otherwise. Prints the files written.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

usage() { sed -n '5,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

project_dir="$repo"
png=""
while [ $# -gt 0 ]; do
    case "$1" in
        --cwd) [ $# -ge 2 ] || usage; project_dir=$2; shift 2 ;;
        --png) png=1; shift ;;
        -h|--help) usage ;;
        -*) echo "graph.sh: unknown option $1" >&2; usage ;;
        *) break ;;
    esac
done
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
stack=$1
base=${2:-$stack-graph}

if ! command -v dot >/dev/null 2>&1; then
    echo "graph.sh: Graphviz's \`dot\` is not installed. On Debian/Ubuntu: sudo apt-get install -y graphviz" >&2
    exit 3
fi
# The local toolchain and file backend, unless the caller has its own.
if ! command -v pulumi >/dev/null 2>&1 || [ -z "${PULUMI_BACKEND_URL:-}" ]; then
    # shellcheck source=pulumi-env.sh disable=SC1091
    source "$repo/scripts/pulumi-env.sh"
fi
if ! command -v pulumi >/dev/null 2>&1; then
    echo "graph.sh: no \`pulumi\` on PATH: run scripts/pulumi-toolchain.sh (npm start does), or install the Pulumi CLI" >&2
    exit 3
fi

mkdir -p "$(dirname "$base")"
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT

# Left to right reads like the README's diagram; boxes fit two-line labels.
# Its "Wrote ..." line is noise here; its errors (no such stack, never deployed) are shown.
if ! out=$(pulumi stack graph --cwd "$project_dir" --stack "$stack" \
    --dot-fragment 'rankdir="LR"; node [shape=box, style="rounded", fontname="Helvetica", fontsize=10]; edge [fontname="Helvetica", fontsize=8];' \
    "$raw" 2>&1); then
    echo "graph.sh: pulumi stack graph failed for stack $stack in $project_dir:" >&2
    echo "$out" >&2
    exit 1
fi

# Labels are URNs (urn:pulumi:<stack>::<project>::<type>[$<type>...]::<name>); keep the name and the
# resource's own type (the last of its parent type chain), on two lines.
sed -E 's/label="urn:pulumi:[^:"]*::[^:"]*::([^"]*\$)?([^"$]*)::([^"]*)"/label="\3\\n\2"/' "$raw" >"$base.dot"
if grep -q 'label="urn:pulumi:' "$base.dot"; then
    echo "graph.sh: some labels are not URNs of the expected shape; left as they are" >&2
fi

dot -Tsvg "$base.dot" -o "$base.svg"
echo "$base.dot"
echo "$base.svg"
if [ -n "$png" ]; then
    dot -Tpng -Gdpi=110 "$base.dot" -o "$base.png"
    echo "$base.png"
fi
