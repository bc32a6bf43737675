# Shared by scripts/test.sh and scripts/main.sh: installs the project's own Node dependencies.
# Sourced, not run.

# npm ci when node_modules does not match package-lock.json (a fresh clone, or a changed lock file).
ensure_node_modules() {
    local stamp=node_modules/.package-lock.sha256
    local want
    want=$(sha256sum package-lock.json | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        echo "==> npm ci"
        npm ci --no-audit --no-fund --loglevel=error
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
