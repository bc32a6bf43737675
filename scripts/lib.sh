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
