# Shared by scripts/test.sh and scripts/main.sh: installs the project's own Node dependencies.
# Sourced, not run.

# npm ci when node_modules does not match package-lock.json (a fresh clone, or a changed lock file)
# or was installed under another Node.js major version (native addons and engine checks are per
# major), in the repository or in the given directory (the policy pack has its own). The stamp holds
# the lock file's hash and the major: "<sha256> node<major>".
ensure_node_modules() {
    local dir=${1:-.}
    local stamp=$dir/node_modules/.package-lock.sha256
    local want major
    major=$(node --version)  # the Node on PATH: the callers source scripts/node-env.sh first
    major=${major#v}
    major=${major%%.*}
    want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1) node$major"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        echo "==> npm ci${1:+ in $1}"
        npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
        echo "$want" > "$stamp"
    fi
}

# The dev stack's stand-in guest image: a tiny qcow2 (the dev cloud boots no guests).
ensure_dev_guest_image() {
    local image=.devcloud/guest-image/trove-guest-dev.qcow2
    if [ ! -s "$image" ]; then
        mkdir -p "$(dirname "$image")"
        qemu-img create -q -f qcow2 "$image" 16M
    fi
}

# apt-get install without starting the packages' services (policy-rc.d): what the tests need runs
# only on 127.0.0.1, started and stopped by the test itself. The guard goes again on every way out:
# the body is a subshell with an EXIT trap of its own, which bash runs when the install succeeds,
# fails (under the caller's `set -e` too: the failure still reaches the caller) or is killed by
# INT, TERM or HUP, and which leaves the caller's own traps alone. A guard that was there already
# (the operator's, or another install's) is left in place. APT_POLICY_RC_D moves the guard, for
# the test only.
apt_install_quiet() (
    policy=${APT_POLICY_RC_D:-/usr/sbin/policy-rc.d}
    if [ ! -e "$policy" ]; then
        trap 'rm -f "$policy"' EXIT
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod +x "$policy"
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
)

# sshd for the real test of trove-manage over SSH (the test runs its own on 127.0.0.1).
ensure_sshd() {
    [ -x /usr/sbin/sshd ] && return
    echo "==> apt-get install openssh-server (for the trove-manage over SSH test)"
    apt_install_quiet openssh-server openssh-client
}

# The Docker engine (dockerd), the registry (docker-registry) and busybox for the registry tests: the
# tests start their own dockerd and registry on 127.0.0.1 and stop them by PID.
ensure_docker_tools() {
    [ -x /usr/sbin/dockerd ] && [ -x /usr/bin/docker-registry ] && [ -x /bin/busybox ] && return
    echo "==> apt-get install docker.io docker-registry busybox-static (for the registry tests)"
    apt_install_quiet docker.io docker-registry busybox-static
}

# Graphviz's dot, which scripts/graph.sh renders a stack's resource graph with.
ensure_graphviz() {
    [ -x /usr/bin/dot ] && return
    echo "==> apt-get install graphviz (for scripts/graph.sh and its test)"
    apt_install_quiet graphviz
}

# The project's one type check (Pulumi runs only transpile: program.js, and
# PULUMI_NODEJS_TRANSPILE_ONLY in pulumi-env.sh). Incremental: tsc keeps what it learnt in
# node_modules/.cache (wiped with the dependencies by npm ci) and re-checks only what changed since, 9 s cold, 3 s warm on 2 cores.
typecheck() {
    npx tsc --noEmit -p . --incremental --tsBuildInfoFile node_modules/.cache/trove-region/typecheck.tsbuildinfo
}

# Node dependencies, the Pulumi toolchain (quiet when warm, its log when it builds) and its
# environment, for the scripts that drive `pulumi` (the benchmarks).
prepare_pulumi() {
    ensure_node_modules
    typecheck
    scripts/pulumi-toolchain.sh >/dev/null 2>&1 || scripts/pulumi-toolchain.sh
    # shellcheck source=scripts/pulumi-env.sh
    source scripts/pulumi-env.sh
}
