#!/usr/bin/env bash
# `go vet` and `go test` of every Go module under scripts/toolchain/ (the provider plugins the Pulumi
# toolchain builds). Each module is made as scripts/pulumi-toolchain.sh makes it for its build (its
# Go files, the go.mod it writes, `go get` of the versions it pins, all from the module proxy), here
# with the tests, in $CACHE/go-check/<folder>-<key>; vet and test then run there with the build's flags,
# so a warm Go build cache serves both. Prints what it runs; exits non-zero when anything fails.
set -euo pipefail
# shellcheck source=scripts/pulumi-toolchain.sh
source "$(dirname "${BASH_SOURCE[0]}")/../pulumi-toolchain.sh"

require_go
failed=()
checked=0
start=$SECONDS

# Which plugin_<name> of the toolchain script describes the module in this folder.
describe() { # <folder>
    local name
    for name in "${OWN_PLUGINS[@]}"; do
        "plugin_$name"
        if [ "$src" = "$1" ]; then return 0; fi
    done
    return 1
}

run() { # <command...>: prints it, then runs it with its output indented
    printf '    $ %s\n' "$*"
    "$@" 2>&1 | sed 's/^/      /'
}

for folder in "$repo"/scripts/toolchain/*/; do
    folder=${folder%/}
    compgen -G "$folder/*.go" >/dev/null || continue
    rel=${folder#"$repo"/}
    upstream='' src='' key='' what='' gomod='' requires=()
    if ! describe "$folder"; then
        echo "==> $rel: no plugin_<name> in scripts/pulumi-toolchain.sh builds this folder" >&2
        failed+=("$rel (not built by the toolchain)")
        continue
    fi
    # Named by the build key too: checkouts pinning other versions check in folders of their own.
    dir=$CACHE/go-check/$(basename "$folder")-$key
    t=$SECONDS
    echo "==> $rel: module $(head -1 <<<"$gomod" | cut -d' ' -f2), made in $dir"
    if ! plugin_module "$dir" tests; then
        failed+=("$rel (go get)")
        continue
    fi
    checked=$((checked + 1))
    cd "$dir"
    run go vet -p "$BUILD_JOBS" -trimpath . || failed+=("$rel (go vet)")
    run go test -p "$BUILD_JOBS" -trimpath . || failed+=("$rel (go test)")
    cd "$repo"
    echo "    ($((SECONDS - t)) s)"
done

if [ "${#failed[@]}" -gt 0 ]; then
    printf 'go-check: FAILED (%d s):\n' "$((SECONDS - start))" >&2
    printf '    %s\n' "${failed[@]}" >&2
    exit 1
fi
[ "$checked" -gt 0 ] || die "go-check: no Go module found under scripts/toolchain/"
echo "go-check: go vet and go test passed for $checked modules ($((SECONDS - start)) s)"
