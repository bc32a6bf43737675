#!/usr/bin/env bash
# Makes the Pulumi CLI, its Node.js language host, the dynamic-provider and policy launchers, and the
# provider plugins available without downloading any binary: a `pulumi` already on PATH is used when
# new enough; otherwise everything is built from the Go module proxy into a cache outside the repo,
# keyed by version, so a warm run takes a second. Writes the bin directory to .toolchain-bin in this
# checkout (not in the shared cache: two checkouts on different CLI versions each keep their own),
# which scripts/pulumi-env.sh puts on PATH.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Provider plugins: openstack and docker bridged from the Terraform providers, command written for
# this project on pulumi-go-provider (see below); none of pulumi's own provider modules is served.
#
# The newest github.com/pulumi/pulumi/pkg/v3 whose source the module proxy serves here, and the
# @pulumi/pulumi version of package.json, policy/ and examples/packed-consumer/ (a unit test keeps
# them equal). Measured 2026-12-02: @v/list names v3.260.0, v3.274.0, v3.274.1, v3.275.0 and
# v3.276.0 after 3.259, all of whose .zip download; v3.259.0 (unlisted) still downloads; v3.270.0
# has .info but its .zip answers 403 ("This module version is not available"), as do v3.276.1 and
# v3.277.0 and later.
CLI_VERSION=3.276.0
# pulumi-language-nodejs has its own module since 3.7x
# (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3), and the proxy refuses it:
# @v/list and v3.276.0.zip answer 403 "This module version is not available". The last
# github.com/pulumi/pulumi/sdk/v3 that carries the host in-tree, and that the proxy serves, is this.
NODEJS_HOST_VERSION=3.68.0
MIN_GO=1.25

CACHE=${TROVE_REGION_CACHE:-$HOME/.cache/trove-region}
BIN=$CACHE/pulumi-v$CLI_VERSION/bin
export GOFLAGS=-mod=mod GOTOOLCHAIN=local
# A 2-core machine: two compile jobs, and Go itself no wider than the machine.
export GOMAXPROCS=${GOMAXPROCS:-2}
BUILD_JOBS=${BUILD_JOBS:-2}
# sum.golang.org is out of reach here; module content is checked against the proxy's go.sum lines only.
export GOSUMDB=off
export GOPROXY=${GOPROXY:-https://proxy.golang.org}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'pulumi-toolchain: %s\n' "$*" >&2; exit 1; }

version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

require_go() {
    command -v go >/dev/null || die "Go is not installed; install Go >= $MIN_GO (Debian: golang-1.2x, or the official tarball) and run again"
    local have
    have=$(go env GOVERSION | sed 's/^go//')
    version_ge "$have" "$MIN_GO" || die "Go $have is too old; the Pulumi CLI $CLI_VERSION needs Go >= $MIN_GO"
}

# Builds one main package from a throwaway module that requires the wanted module versions.
# The upstream modules carry relative `replace` directives, so `go install pkg@version` refuses them.
build_main() { # <dir> <output> <package> <ldflags> <require...>
    local dir=$1 output=$2 package=$3 ldflags=$4
    shift 4
    mkdir -p "$dir"
    (
        cd "$dir"
        printf 'module trove-region.local/build\n\ngo %s\n' "$MIN_GO" > go.mod
        # The one non-relative replace of github.com/pulumi/pulumi/pkg/v3's go.mod.
        printf '\nreplace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e\n' >> go.mod
        go get "$@" >build.log 2>&1 || { tail -20 build.log >&2; exit 1; }
        with_progress "$output" build.log go build -p "$BUILD_JOBS" -trimpath -ldflags "$ldflags" -o "$output" "$package" \
            || { tail -20 build.log >&2; exit 1; }
    )
}

# Runs a long command with its output appended to a log, printing a line every 30 s so a cold build
# is visibly alive.
with_progress() { # <what> <log> <command...>
    local what=$1 log=$2 t=$SECONDS
    shift 2
    "$@" >>"$log" 2>&1 &
    local pid=$!
    while ! wait_for "$pid" 30; do printf '    ... still building %s (%d s)\n' "$(basename "$what" .tmp)" "$((SECONDS - t))" >&2; done
    wait "$pid"
}
wait_for() { # <pid> <seconds>: true once the process has ended
    local i
    for ((i = 0; i < $2; i++)); do kill -0 "$1" 2>/dev/null || return 0; sleep 1; done
    ! kill -0 "$1" 2>/dev/null
}

install_cli() {
    if command -v pulumi >/dev/null 2>&1 && [ "$(command -v pulumi)" != "$BIN/pulumi" ]; then
        local have
        have=$(pulumi version 2>/dev/null | sed 's/^v//')
        if version_ge "$have" "$CLI_VERSION" && command -v pulumi-language-nodejs >/dev/null; then
            log "using pulumi $have from $(command -v pulumi)"
            TOOLCHAIN_BIN=$(dirname "$(command -v pulumi)")
            return
        fi
    fi
    TOOLCHAIN_BIN=$BIN
    mkdir -p "$BIN"
    if [ ! -x "$BIN/pulumi" ]; then
        require_go
        log "building the Pulumi CLI v$CLI_VERSION from the Go module proxy (cold: several minutes on 2 cores)"
        local t=$SECONDS
        build_main "$CACHE/build/cli-$CLI_VERSION" "$BIN/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
            "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$CLI_VERSION" \
            "github.com/pulumi/pulumi/pkg/v3@v$CLI_VERSION" "github.com/pulumi/pulumi/sdk/v3@v$CLI_VERSION"
        mv "$BIN/pulumi.tmp" "$BIN/pulumi"
        log "pulumi built in $((SECONDS - t)) s"
    fi
    if [ ! -x "$BIN/pulumi-language-nodejs" ]; then
        require_go
        log "building pulumi-language-nodejs (github.com/pulumi/pulumi/sdk/v3@v$NODEJS_HOST_VERSION)"
        local t=$SECONDS
        build_main "$CACHE/build/nodejs-host-$NODEJS_HOST_VERSION" "$BIN/pulumi-language-nodejs.tmp" \
            github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
            "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$NODEJS_HOST_VERSION" \
            "github.com/pulumi/pulumi/sdk/v3@v$NODEJS_HOST_VERSION"
        mv "$BIN/pulumi-language-nodejs.tmp" "$BIN/pulumi-language-nodejs"
        log "pulumi-language-nodejs built in $((SECONDS - t)) s"
    fi
    install -m 0755 "$repo/scripts/toolchain/pulumi-resource-pulumi-nodejs" "$repo/scripts/toolchain/pulumi-analyzer-policy" "$BIN/"
}

# The plugin version an npm SDK asks the engine for: its package.json "pulumi.version", else its own version.
sdk_plugin_version() {
    node -e 'const p = require(process.argv[1] + "/package.json"); process.stdout.write(String((p.pulumi && p.pulumi.version) || p.version).replace(/^v/, ""))' \
        "$repo/node_modules/@pulumi/$1"
}

proxy_has() { # <module> <version>: does the module proxy serve this module's source?
    [ "$(curl -s -o /dev/null -w '%{http_code}' -I "$GOPROXY/$1/@v/$2.zip" || true)" = "200" ]
}

register_plugin() { # <name> <version> <binary>
    pulumi plugin install resource "$1" "$2" --file "$3" --reinstall >/dev/null
    log "plugin $1 v$2 registered"
}

plugin_installed() { # <name> <version>
    pulumi plugin ls 2>/dev/null | awk -v n="$1" -v v="$2" '$1 == n && $3 == v { found = 1 } END { exit !found }'
}

missing() { echo "$1" >> "$CACHE/plugins-missing"; log "$1"; }

# Tries to build and register one provider plugin from its own module. A plugin whose module the
# proxy does not serve is reported (the tests that need it say so), not fatal.
install_plugin() { # <name> <module>
    local name=$1 module=$2 version
    version=$(sdk_plugin_version "$name")
    if plugin_installed "$name" "$version"; then log "plugin $name v$version already installed"; return; fi
    if ! proxy_has "$module" "v$version"; then
        missing "plugin $name v$version: cannot be built here: the module proxy does not serve $module@v$version"
        return
    fi
    require_go
    log "building plugin $name v$version from $module"
    local out="$CACHE/plugins/pulumi-resource-$name-v$version"
    mkdir -p "$CACHE/plugins"
    build_main "$CACHE/build/plugin-$name-$version" "$out" "$module/cmd/pulumi-resource-$name" \
        "-X $module/pkg/version.Version=v$version" "$module@v$version"
    register_plugin "$name" "$version" "$out"
}

# Provider plugins this project builds itself when the SDK's own provider module is not served. Each
# one's Go source is a folder of scripts/toolchain/; the function plugin_<name> below describes how it
# is built, by setting these variables in its caller:
#   upstream  the SDK's own provider module, built instead (install_plugin) should the proxy serve it
#   src       the folder of its Go source
#   key       the build key: names the build folder in the cache, and is part of the stamp
#   what      what it is built from, for the log
#   gomod     the go.mod its module starts from: module path, go version, replaces
#   requires  the module versions `go get` adds to that go.mod (an array)
# The binary is registered under the version the npm SDK asks for. scripts/toolchain/go-check.sh
# vets and tests the same modules, made the same way (plugin_module).
OWN_PLUGINS=(openstack command docker)

# pulumi-openstack's own provider module is not served here, but the Terraform OpenStack provider and
# Pulumi's Terraform bridge are: scripts/toolchain/openstack-provider bridges the first with the
# second, under the tokens and the version the @pulumi/openstack SDK asks for.
TF_OPENSTACK_VERSION=v1.54.1
TF_BRIDGE_VERSION=v3.74.0
TF_SDK_FORK=github.com/pulumi/terraform-plugin-sdk/v2@v2.0.0-20240202163305-e2a20ae13ef9
plugin_openstack() {
    upstream=github.com/pulumi/pulumi-openstack/provider/v3
    src=$repo/scripts/toolchain/openstack-provider
    key=bridge-$TF_OPENSTACK_VERSION
    what="terraform-provider-openstack $TF_OPENSTACK_VERSION through pulumi-terraform-bridge $TF_BRIDGE_VERSION"
    gomod=$(printf 'module trove-region.local/pulumi-resource-openstack\n\ngo %s\n\nreplace github.com/hashicorp/terraform-plugin-sdk/v2 => %s' \
        "$MIN_GO" "${TF_SDK_FORK/@/ }")
    requires=(
        "github.com/terraform-provider-openstack/terraform-provider-openstack@$TF_OPENSTACK_VERSION"
        "github.com/pulumi/pulumi-terraform-bridge/v3@$TF_BRIDGE_VERSION"
    )
}

# pulumi-command's own provider module is not served here either (no version of
# github.com/pulumi/pulumi-command/provider), but pulumi-go-provider is. The @pulumi/command SDK's
# local Command resource and local run function are small: scripts/toolchain/command-provider is this
# project's own implementation of them (not pulumi-command's code) on pulumi-go-provider. Its remote
# (SSH) resources and the assetPaths/archivePaths inputs are not implemented: using them fails with
# that message.
GO_PROVIDER_VERSION=v1.5.0
# pulumi-go-provider v1.5.0 needs pkg/v3 >= 3.256; the plugin is built against the CLI's own
# pkg/v3 and sdk/v3 (one module download for both).
GO_PROVIDER_PULUMI_VERSION=v$CLI_VERSION
plugin_command() {
    upstream=github.com/pulumi/pulumi-command/provider
    src=$repo/scripts/toolchain/command-provider
    # The Pulumi version is part of the key: checkouts on different CLI versions build apart.
    key=local-$GO_PROVIDER_VERSION-pulumi-$GO_PROVIDER_PULUMI_VERSION
    what="local Command and run on pulumi-go-provider $GO_PROVIDER_VERSION"
    # The one non-relative replace of github.com/pulumi/pulumi/pkg/v3's go.mod.
    gomod=$(printf 'module trove-region.local/pulumi-resource-command\n\ngo %s\n\nreplace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e' \
        "$MIN_GO")
    requires=(
        "github.com/pulumi/pulumi-go-provider@$GO_PROVIDER_VERSION"
        "github.com/pulumi/pulumi/pkg/v3@$GO_PROVIDER_PULUMI_VERSION"
        "github.com/pulumi/pulumi/sdk/v3@$GO_PROVIDER_PULUMI_VERSION"
    )
}

# pulumi-docker's provider module is not served here (and it builds from a patched copy of the
# Terraform provider kept beside it, out of reach of the module proxy anyway). The Terraform Docker
# provider itself is served, as a snapshot under github.com/kreuzwerker/terraform-provider-docker
# whose go.mod names it github.com/terraform-providers/terraform-provider-docker; it is bridged here
# like OpenStack, by scripts/toolchain/docker-provider. Its module path lies under the Terraform
# provider's own, so Go lets it import the provider's internal package. Not provided: the SDK's
# native docker:index/image:Image (pulumi-docker's own code).
TF_DOCKER_MODULE=github.com/kreuzwerker/terraform-provider-docker
TF_DOCKER_VERSION=v0.0.0-20260916201441-96d331c98ff4
TF_DOCKER_BRIDGE_VERSION=v3.128.0
TF_DOCKER_SDK_FORK="github.com/pulumi/terraform-plugin-sdk/v2 v2.0.0-20260318212141-5525259d096b"
plugin_docker() {
    upstream=github.com/pulumi/pulumi-docker/provider/v4
    src=$repo/scripts/toolchain/docker-provider
    key=bridge-${TF_DOCKER_VERSION##*-}
    what="terraform-provider-docker $TF_DOCKER_VERSION through pulumi-terraform-bridge $TF_DOCKER_BRIDGE_VERSION"
    gomod=$(
        printf 'module github.com/terraform-providers/terraform-provider-docker/trove-region-bridge\n\ngo %s\n' "$MIN_GO"
        printf '\nreplace github.com/terraform-providers/terraform-provider-docker => %s %s\n' "$TF_DOCKER_MODULE" "$TF_DOCKER_VERSION"
        printf '\nreplace github.com/hashicorp/terraform-plugin-sdk/v2 => %s' "$TF_DOCKER_SDK_FORK"
    )
    requires=(
        "github.com/terraform-providers/terraform-provider-docker@$TF_DOCKER_VERSION"
        "github.com/pulumi/pulumi-terraform-bridge/v3@$TF_DOCKER_BRIDGE_VERSION"
    )
}

# The described plugin's Go files, in a fixed order: without the tests, or with them ("tests").
plugin_go_files() { # [tests]
    if [ "${1:-}" = tests ]; then
        find "$src" -maxdepth 1 -type f -name '*.go' | LC_ALL=C sort
    else
        find "$src" -maxdepth 1 -type f -name '*.go' ! -name '*_test.go' | LC_ALL=C sort
    fi
}

# The stamp of what the described plugin is built from: its Go files (the tests left out), its
# go.mod as written, the build key and the required versions. A change to any of them rebuilds it.
# For a plugin of a single main.go this is the same hash as when the script generated main.go.
plugin_stamp() {
    local files
    mapfile -t files < <(plugin_go_files)
    [ "${#files[@]}" -gt 0 ] || die "no Go files in $src"
    { cat "${files[@]}"; printf '%s\n' "$gomod"; echo "$key ${requires[*]}"; } | sha256sum | cut -d' ' -f1
}

# Makes <dir> the Go module of the described plugin: its Go files copied from $src (its tests too when
# asked), go.mod from $gomod, then `go get` of the required versions, which completes go.mod and
# writes go.sum. The `go get` is skipped when go.mod was made from the same inputs before.
plugin_module() { # <dir> [tests]
    local dir=$1 inputs files
    mapfile -t files < <(plugin_go_files "${2:-}")
    [ "${#files[@]}" -gt 0 ] || die "no Go files in $src"
    mkdir -p "$dir"
    rm -f "$dir"/*.go
    cp "${files[@]}" "$dir/"
    inputs=$(printf '%s\n%s\n' "$gomod" "${requires[*]}" | sha256sum | cut -d' ' -f1)
    if [ -f "$dir/go.sum" ] && [ "$(cat "$dir/go.mod.inputs" 2>/dev/null)" = "$inputs" ]; then return; fi
    rm -f "$dir/go.mod.inputs" "$dir/go.sum"
    printf '%s\n' "$gomod" > "$dir/go.mod"
    (cd "$dir" && go get "${requires[@]}" >build.log 2>&1) || { tail -20 "$dir/build.log" >&2; return 1; }
    echo "$inputs" > "$dir/go.mod.inputs"
}

# Builds and registers the plugin plugin_<name> describes, unless the installed one was built from
# this very source (the stamp beside the binary). The binary lives in a folder named like its build
# folder (name, version, key), so checkouts that build a plugin differently do not overwrite each
# other's; one built before that naming, at plugins/pulumi-resource-<name>-v<version>, is taken
# over when its stamp is the same (no rebuild).
build_own_plugin() { # <name>
    local name=$1 upstream src key what gomod requires=() version stamp
    "plugin_$name"
    version=$(sdk_plugin_version "$name")
    local dir="$CACHE/build/$name-$version-$key" out="$CACHE/plugins/$name-$version-$key/pulumi-resource-$name" t=$SECONDS
    local legacy="$CACHE/plugins/pulumi-resource-$name-v$version"
    stamp=$(plugin_stamp)
    if [ ! -x "$out" ] && [ -x "$legacy" ] && [ "$(cat "$legacy.source" 2>/dev/null)" = "$stamp" ]; then
        mkdir -p "$(dirname "$out")"
        cp "$legacy" "$out.tmp" && mv "$out.tmp" "$out" && cp "$legacy.source" "$out.source"
    fi
    if plugin_installed "$name" "$version" && { [ "$(cat "$out.source" 2>/dev/null)" = "$stamp" ] || proxy_has "$upstream" "v$version"; }; then
        log "plugin $name v$version already installed"; return
    fi
    if proxy_has "$upstream" "v$version"; then install_plugin "$name" "$upstream"; return; fi
    if [ -x "$out" ] && [ "$(cat "$out.source" 2>/dev/null)" = "$stamp" ]; then
        # Built from this source already (another PULUMI_HOME, or a lost registration): register only.
        register_plugin "$name" "$version" "$out"
        return
    fi
    require_go
    log "building plugin $name v$version: $what"
    mkdir -p "$(dirname "$out")"
    plugin_module "$dir"
    (
        cd "$dir"
        with_progress "$out" build.log go build -p "$BUILD_JOBS" -trimpath -ldflags "-X main.version=$version" -o "$out.tmp" . \
            || { tail -20 build.log >&2; exit 1; }
        mv "$out.tmp" "$out"
    )
    log "plugin $name built in $((SECONDS - t)) s"
    register_plugin "$name" "$version" "$out"
    echo "$stamp" > "$out.source"
}

main() {
    mkdir -p "$CACHE"
    local start=$SECONDS name
    install_cli
    # This checkout's pointer, replaced whole (a reader sees the old line or the new one). The cache's
    # own toolchain-bin is left alone: checkouts whose script predates the pointer still read it.
    echo "$TOOLCHAIN_BIN" > "$repo/.toolchain-bin.tmp"
    mv "$repo/.toolchain-bin.tmp" "$repo/.toolchain-bin"
    # shellcheck source=scripts/pulumi-env.sh
    source "$repo/scripts/pulumi-env.sh"
    [ -d "$repo/node_modules/@pulumi/pulumi" ] || die "node_modules is missing: run npm ci first"
    rm -f "$CACHE/plugins-missing"
    for name in "${OWN_PLUGINS[@]}"; do build_own_plugin "$name"; done
    log "toolchain ready in $((SECONDS - start)) s: $(pulumi version) ($(command -v pulumi))"
    if [ -f "$CACHE/plugins-missing" ]; then
        log "provider plugins missing (see $CACHE/plugins-missing):"
        sed 's/^/    /' "$CACHE/plugins-missing" >&2
    fi
}

# Sourced (by scripts/toolchain/go-check.sh), it only defines the above.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi
