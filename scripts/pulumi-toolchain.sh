#!/usr/bin/env bash
# Makes the Pulumi CLI, its Node.js language host, the dynamic-provider and policy launchers, and the
# provider plugins available without downloading any binary: a `pulumi` already on PATH is used when
# new enough; otherwise everything is built from the Go module proxy into a cache outside the repo,
# keyed by version, so a warm run takes a second. Writes the bin directory to $CACHE/toolchain-bin,
# which scripts/pulumi-env.sh puts on PATH.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

# Provider plugins: openstack and docker bridged from the Terraform providers, command written for
# this project on pulumi-go-provider (see below); none of pulumi's own provider modules is served.
#
# The newest github.com/pulumi/pulumi/pkg/v3 whose source the module proxy serves here (newer
# versions answer 403 "This module version is not available"). The Node.js SDK in package.json may
# be newer: the engine protocol is stable across 3.x.
CLI_VERSION=3.259.0
# pulumi-language-nodejs has its own module since 3.7x, and the proxy serves none of its versions;
# the last github.com/pulumi/pulumi/sdk/v3 that carries it in-tree, and that the proxy serves, is this.
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
            dirname "$(command -v pulumi)" > "$CACHE/toolchain-bin.path-cli"
            return
        fi
    fi
    rm -f "$CACHE/toolchain-bin.path-cli"
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

# A provider plugin this project builds itself when the SDK's own provider module is not served:
# main.go and go.mod come from the two writer functions, the modules from `go get`; the binary is
# registered under the version the npm SDK asks for. Used by openstack, command and docker below.
build_own_plugin() { # <name> <upstream-module> <build-key> <what> <write-main> <write-gomod> <go-get-args...>
    local name=$1 module=$2 key=$3 what=$4 write_main=$5 write_gomod=$6 version
    shift 6
    version=$(sdk_plugin_version "$name")
    local dir="$CACHE/build/$name-$version-$key" out="$CACHE/plugins/pulumi-resource-$name-v$version" t=$SECONDS stamp
    # The installed plugin is reused only when it was built from this very source: a change to the
    # generated main.go or go.mod (say a fixed name mapping) rebuilds it.
    stamp=$( { "$write_main"; "$write_gomod"; echo "$key $*"; } | sha256sum | cut -d' ' -f1)
    if plugin_installed "$name" "$version" && { [ "$(cat "$out.source" 2>/dev/null)" = "$stamp" ] || proxy_has "$module" "v$version"; }; then
        log "plugin $name v$version already installed"; return
    fi
    if proxy_has "$module" "v$version"; then install_plugin "$name" "$module"; return; fi
    require_go
    log "building plugin $name v$version: $what"
    mkdir -p "$dir" "$CACHE/plugins"
    "$write_main" > "$dir/main.go"
    "$write_gomod" > "$dir/go.mod"
    (
        cd "$dir"
        go get "$@" >build.log 2>&1 || { tail -20 build.log >&2; exit 1; }
        with_progress "$out" build.log go build -p "$BUILD_JOBS" -trimpath -ldflags "-X main.version=$version" -o "$out.tmp" . \
            || { tail -20 build.log >&2; exit 1; }
        mv "$out.tmp" "$out"
    )
    log "plugin $name built in $((SECONDS - t)) s"
    register_plugin "$name" "$version" "$out"
    echo "$stamp" > "$out.source"
}

# pulumi-openstack's own provider module is not served here, but the Terraform OpenStack provider and
# Pulumi's Terraform bridge are: scripts/toolchain/openstack-provider bridges the first with the
# second, under the tokens and the version the @pulumi/openstack SDK asks for.
TF_OPENSTACK_VERSION=v1.54.1
TF_BRIDGE_VERSION=v3.74.0
TF_SDK_FORK=github.com/pulumi/terraform-plugin-sdk/v2@v2.0.0-20240202163305-e2a20ae13ef9
openstack_main() { cat "$repo/scripts/toolchain/openstack-provider/main.go"; }
openstack_gomod() {
    printf 'module trove-region.local/pulumi-resource-openstack\n\ngo %s\n\nreplace github.com/hashicorp/terraform-plugin-sdk/v2 => %s\n' \
        "$MIN_GO" "${TF_SDK_FORK/@/ }"
}
install_openstack() {
    build_own_plugin openstack github.com/pulumi/pulumi-openstack/provider/v3 "bridge-$TF_OPENSTACK_VERSION" \
        "terraform-provider-openstack $TF_OPENSTACK_VERSION through pulumi-terraform-bridge $TF_BRIDGE_VERSION" \
        openstack_main openstack_gomod \
        "github.com/terraform-provider-openstack/terraform-provider-openstack@$TF_OPENSTACK_VERSION" \
        "github.com/pulumi/pulumi-terraform-bridge/v3@$TF_BRIDGE_VERSION"
}

# pulumi-command's own provider module is not served here either (no version of
# github.com/pulumi/pulumi-command/provider), but pulumi-go-provider is. The @pulumi/command SDK's
# local Command resource and local run function are small: this project's own implementation of them
# (not pulumi-command's code) is generated below and built on pulumi-go-provider, and registered under
# the version the SDK asks for. Its remote (SSH) resources and the assetPaths/archivePaths inputs are
# not implemented: using them fails with that message.
GO_PROVIDER_VERSION=v1.5.0
# pulumi-go-provider v1.5.0 needs pkg/v3 >= 3.256; 3.259.0 is the newest whose source is served, and
# the same the CLI is built from (one module download for both).
GO_PROVIDER_PULUMI_VERSION=v$CLI_VERSION
command_gomod() {
    printf 'module trove-region.local/pulumi-resource-command\n\ngo %s\n' "$MIN_GO"
    printf '\nreplace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e\n'
}
install_command() {
    build_own_plugin command github.com/pulumi/pulumi-command/provider "local-$GO_PROVIDER_VERSION" \
        "local Command and run on pulumi-go-provider $GO_PROVIDER_VERSION" \
        write_command_provider command_gomod \
        "github.com/pulumi/pulumi-go-provider@$GO_PROVIDER_VERSION" "github.com/pulumi/pulumi/pkg/v3@$GO_PROVIDER_PULUMI_VERSION" \
        "github.com/pulumi/pulumi/sdk/v3@$GO_PROVIDER_PULUMI_VERSION"
}

write_command_provider() {
    cat <<'GO'
// pulumi-resource-command for the trove-region toolchain: the command:local:Command resource and the
// command:local:run function of the @pulumi/command SDK, written for this project on
// pulumi-go-provider's infer API (pulumi-command's own provider module is not served here).
// Generated by scripts/pulumi-toolchain.sh into its build cache.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
)

// Set with -ldflags "-X main.version=..." to the version the npm SDK asks the engine for.
var version = "0.0.0-dev"

type CommonArgs struct {
	Dir          *string           `pulumi:"dir,optional"`
	Environment  map[string]string `pulumi:"environment,optional"`
	Interpreter  []string          `pulumi:"interpreter,optional"`
	Stdin        *string           `pulumi:"stdin,optional"`
	AssetPaths   []string          `pulumi:"assetPaths,optional"`
	ArchivePaths []string          `pulumi:"archivePaths,optional"`
}

type Command struct{}

type CommandArgs struct {
	CommonArgs
	Create   *string `pulumi:"create,optional"`
	Update   *string `pulumi:"update,optional"`
	Delete   *string `pulumi:"delete,optional"`
	Triggers []any   `pulumi:"triggers,optional" provider:"replaceOnChanges"`
}

type CommandState struct {
	CommandArgs
	Stdout string `pulumi:"stdout"`
	Stderr string `pulumi:"stderr"`
}

func (c *Command) Annotate(a infer.Annotator) { a.SetToken("local", "Command") }

// run runs one command as the SDK documents: through the interpreter (default /bin/sh -c), in dir,
// with the provider's environment plus the given one; stdout and stderr lose one trailing newline.
func run(ctx context.Context, args CommonArgs, command string, extraEnv map[string]string) (string, string, error) {
	if len(args.AssetPaths) > 0 || len(args.ArchivePaths) > 0 {
		return "", "", fmt.Errorf("assetPaths and archivePaths are not supported by this build of pulumi-resource-command")
	}
	interpreter := args.Interpreter
	if len(interpreter) == 0 {
		interpreter = []string{"/bin/sh", "-c"}
	}
	cmd := exec.CommandContext(ctx, interpreter[0], append(append([]string{}, interpreter[1:]...), command)...)
	if args.Dir != nil {
		cmd.Dir = *args.Dir
	}
	cmd.Env = os.Environ()
	for _, env := range []map[string]string{args.Environment, extraEnv} {
		keys := make([]string, 0, len(env))
		for k := range env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			cmd.Env = append(cmd.Env, k+"="+env[k])
		}
	}
	if args.Stdin != nil {
		cmd.Stdin = strings.NewReader(*args.Stdin)
	}
	var stdout, stderr bytes.Buffer
	// Each line also goes to the engine's log as it comes, so a long build shows its progress.
	logged := &lineLogger{log: p.GetLogger(ctx)}
	cmd.Stdout, cmd.Stderr = io.MultiWriter(&stdout, logged), io.MultiWriter(&stderr, logged)
	err := cmd.Run()
	logged.flush()
	out, errOut := strings.TrimSuffix(stdout.String(), "\n"), strings.TrimSuffix(stderr.String(), "\n")
	if err != nil {
		return out, errOut, fmt.Errorf("%s: %w: running %q:\nStdout:\n%s\nStderr:\n%s", interpreter[0], err, command, out, errOut)
	}
	return out, errOut, nil
}

// lineLogger sends whole lines to the engine as info messages; stdout and stderr share one, so the
// log keeps their order.
type lineLogger struct {
	log     p.Logger
	mu      sync.Mutex
	pending []byte
}

func (l *lineLogger) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = append(l.pending, b...)
	for {
		i := bytes.IndexByte(l.pending, '\n')
		if i < 0 {
			return len(b), nil
		}
		l.log.Info(string(l.pending[:i]))
		l.pending = l.pending[i+1:]
	}
}

func (l *lineLogger) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.pending) > 0 {
		l.log.Info(string(l.pending))
		l.pending = nil
	}
}

// Diff as the SDK documents Command: a change of triggers replaces it (running delete for the old
// one and create for the new), any other input change updates it. pulumi-go-provider's own diff
// misses the replacement when an element inside the triggers list changes.
func (c *Command) Diff(ctx context.Context, req infer.DiffRequest[CommandArgs, CommandState]) (infer.DiffResponse, error) {
	olds, news := req.State.CommandArgs, req.Inputs
	diff := map[string]p.PropertyDiff{}
	if !sameValue(olds.Triggers, news.Triggers) {
		diff["triggers"] = p.PropertyDiff{Kind: p.UpdateReplace, InputDiff: true}
	}
	for name, pair := range map[string][2]any{
		"create": {olds.Create, news.Create}, "update": {olds.Update, news.Update}, "delete": {olds.Delete, news.Delete},
		"dir": {olds.Dir, news.Dir}, "environment": {olds.Environment, news.Environment},
		"interpreter": {olds.Interpreter, news.Interpreter}, "stdin": {olds.Stdin, news.Stdin},
		"assetPaths": {olds.AssetPaths, news.AssetPaths}, "archivePaths": {olds.ArchivePaths, news.ArchivePaths},
	} {
		if !sameValue(pair[0], pair[1]) {
			diff[name] = p.PropertyDiff{Kind: p.Update, InputDiff: true}
		}
	}
	return infer.DiffResponse{HasChanges: len(diff) > 0, DetailedDiff: diff}, nil
}

// sameValue compares two inputs as the engine would see them: an absent list, map or string is the
// same as an empty one.
func sameValue(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	empty := func(j []byte) bool { s := string(j); return s == "null" || s == "[]" || s == "{}" || s == `""` }
	return bytes.Equal(ja, jb) || (empty(ja) && empty(jb))
}

func (c *Command) Create(ctx context.Context, req infer.CreateRequest[CommandArgs]) (infer.CreateResponse[CommandState], error) {
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	resp := infer.CreateResponse[CommandState]{ID: req.Name + hex.EncodeToString(suffix), Output: CommandState{CommandArgs: req.Inputs}}
	if req.DryRun || req.Inputs.Create == nil {
		return resp, nil
	}
	var err error
	resp.Output.Stdout, resp.Output.Stderr, err = run(ctx, req.Inputs.CommonArgs, *req.Inputs.Create, nil)
	return resp, err
}

func (c *Command) Update(ctx context.Context, req infer.UpdateRequest[CommandArgs, CommandState]) (infer.UpdateResponse[CommandState], error) {
	resp := infer.UpdateResponse[CommandState]{Output: CommandState{CommandArgs: req.Inputs, Stdout: req.State.Stdout, Stderr: req.State.Stderr}}
	if req.DryRun {
		return resp, nil
	}
	command := req.Inputs.Update
	if command == nil {
		command = req.Inputs.Create
	}
	if command == nil {
		return resp, nil
	}
	var err error
	resp.Output.Stdout, resp.Output.Stderr, err = run(ctx, req.Inputs.CommonArgs, *command, nil)
	return resp, err
}

func (c *Command) Delete(ctx context.Context, req infer.DeleteRequest[CommandState]) (infer.DeleteResponse, error) {
	if req.State.Delete == nil {
		return infer.DeleteResponse{}, nil
	}
	_, _, err := run(ctx, req.State.CommonArgs, *req.State.Delete,
		map[string]string{"PULUMI_COMMAND_STDOUT": req.State.Stdout, "PULUMI_COMMAND_STDERR": req.State.Stderr})
	return infer.DeleteResponse{}, err
}

type Run struct{}

type RunArgs struct {
	CommonArgs
	Command string `pulumi:"command"`
}

type RunResult struct {
	RunArgs
	Stdout string `pulumi:"stdout"`
	Stderr string `pulumi:"stderr"`
}

func (r *Run) Annotate(a infer.Annotator) { a.SetToken("local", "run") }

func (r *Run) Invoke(ctx context.Context, req infer.FunctionRequest[RunArgs]) (infer.FunctionResponse[RunResult], error) {
	out, errOut, err := run(ctx, req.Input.CommonArgs, req.Input.Command, nil)
	return infer.FunctionResponse[RunResult]{Output: RunResult{RunArgs: req.Input, Stdout: out, Stderr: errOut}}, err
}

func main() {
	provider, err := infer.NewProviderBuilder().
		WithNamespace("pulumi").
		WithResources(infer.Resource(&Command{})).
		WithFunctions(infer.Function(&Run{})).
		Build()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := p.RunProvider(context.Background(), "command", version, provider); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
GO
}

# pulumi-docker's provider module is not served here (and it builds from a patched copy of the
# Terraform provider kept beside it, out of reach of the module proxy anyway). The Terraform Docker
# provider itself is served, as a snapshot under github.com/kreuzwerker/terraform-provider-docker
# whose go.mod names it github.com/terraform-providers/terraform-provider-docker; it is bridged here
# like OpenStack. Not provided: the SDK's native docker:index/image:Image (pulumi-docker's own code).
TF_DOCKER_MODULE=github.com/kreuzwerker/terraform-provider-docker
TF_DOCKER_VERSION=v0.0.0-20260916201441-96d331c98ff4
TF_DOCKER_BRIDGE_VERSION=v3.128.0
TF_DOCKER_SDK_FORK="github.com/pulumi/terraform-plugin-sdk/v2 v2.0.0-20260318212141-5525259d096b"
docker_gomod() {
    printf 'module github.com/terraform-providers/terraform-provider-docker/trove-region-bridge\n\ngo %s\n' "$MIN_GO"
    printf '\nreplace github.com/terraform-providers/terraform-provider-docker => %s %s\n' "$TF_DOCKER_MODULE" "$TF_DOCKER_VERSION"
    printf '\nreplace github.com/hashicorp/terraform-plugin-sdk/v2 => %s\n' "$TF_DOCKER_SDK_FORK"
}
install_docker() {
    build_own_plugin docker github.com/pulumi/pulumi-docker/provider/v4 "bridge-${TF_DOCKER_VERSION##*-}" \
        "terraform-provider-docker $TF_DOCKER_VERSION through pulumi-terraform-bridge $TF_DOCKER_BRIDGE_VERSION" \
        write_docker_provider docker_gomod \
        "github.com/terraform-providers/terraform-provider-docker@$TF_DOCKER_VERSION" \
        "github.com/pulumi/pulumi-terraform-bridge/v3@$TF_DOCKER_BRIDGE_VERSION"
}

write_docker_provider() {
    cat <<'GO'
// pulumi-resource-docker for the trove-region toolchain: the SDKv2 resources of the Terraform Docker
// provider, bridged with pulumi-terraform-bridge under the tokens of the @pulumi/docker SDK
// (pulumi-docker's own provider module is not served here). The SDK's native docker:index/image:Image
// is not provided. Generated by scripts/pulumi-toolchain.sh into its build cache. This module's path
// lies under the Terraform provider's own, so Go lets it import the provider's internal package.
package main

import (
	"strings"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/terraform-providers/terraform-provider-docker/internal/provider"
)

// Set with -ldflags "-X main.version=..." to the version the npm SDK asks the engine for.
var version = "0.0.0-dev"

// Where @pulumi/docker's names differ from the Terraform ones.
var renamed = map[string]string{"docker_image": "RemoteImage", "docker_config": "ServiceConfig"}

func name(tf string) string {
	if n, ok := renamed[tf]; ok {
		return n
	}
	parts := strings.Split(strings.TrimPrefix(tf, "docker_"), "_")
	for i, p := range parts {
		parts[i] = strings.ToUpper(p[:1]) + p[1:]
	}
	return strings.Join(parts, "")
}

func main() {
	p := provider.New(version)()
	info := tfbridge.ProviderInfo{
		P: shimv2.NewProvider(p), Name: "docker", Version: version,
		Resources: map[string]*tfbridge.ResourceInfo{}, DataSources: map[string]*tfbridge.DataSourceInfo{},
		// The SDK names the registry_auth list in the singular and sends it JSON-encoded; without
		// the mapping the bridge looks for "registryAuths" and refuses the provider's config.
		Config: map[string]*tfbridge.SchemaInfo{"registry_auth": {Name: "registryAuth"}},
	}
	for tf := range p.ResourcesMap {
		n := name(tf)
		info.Resources[tf] = &tfbridge.ResourceInfo{Tok: tokens.Type("docker:index/" + strings.ToLower(n[:1]) + n[1:] + ":" + n)}
	}
	for tf := range p.DataSourcesMap {
		n := "get" + name(tf)
		info.DataSources[tf] = &tfbridge.DataSourceInfo{Tok: tokens.ModuleMember("docker:index/" + n + ":" + n)}
	}
	// The engine asks a provider for its schema only for code generation, which this build is not for.
	tfbridge.Main("docker", version, info, []byte(`{"name":"docker"}`))
}
GO
}

mkdir -p "$CACHE"
start=$SECONDS
install_cli
if [ -f "$CACHE/toolchain-bin.path-cli" ]; then cat "$CACHE/toolchain-bin.path-cli" > "$CACHE/toolchain-bin"; else echo "$BIN" > "$CACHE/toolchain-bin"; fi
# shellcheck source=scripts/pulumi-env.sh
source "$repo/scripts/pulumi-env.sh"
[ -d "$repo/node_modules/@pulumi/pulumi" ] || die "node_modules is missing: run npm ci first"
rm -f "$CACHE/plugins-missing"
install_openstack
install_command
install_docker
log "toolchain ready in $((SECONDS - start)) s: $(pulumi version) ($(command -v pulumi))"
if [ -f "$CACHE/plugins-missing" ]; then
    log "provider plugins missing (see $CACHE/plugins-missing):"
    sed 's/^/    /' "$CACHE/plugins-missing" >&2
fi
