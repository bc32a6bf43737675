#!/usr/bin/env bash
# The images a real region pulls from Docker Hub, made from this machine's own files, since no
# public registry is reachable here. Each is imported only when the engine lacks it.
#
#   DOCKER_HOST=unix://... scripts/devcloud/stand-in-images.sh [--prefix P] [image...]
#
#   registry:2        Debian's docker-registry (the same distribution/registry v2 server) with its
#                     libc, the upstream image's entrypoint, config path and volume
#   <P>base:1         Debian's static busybox and a few applets: FROM for the backup stand-in
#   image...          datastore "sources", busybox printing which image they stand in for.
#                     Default: mysql:8.4 postgres:17, current versions Trove 2025.2+ supports
#                     (MySQL 8.0/8.4, PostgreSQL 16/17); pass others to get those instead, e.g.
#                     the older mysql:5.7.29 mysql:8.0.36 postgres:12. They are stand-ins because
#                     Debian has no MySQL server to build a real one from, and no real PostgreSQL
#                     image is built here yet (MariaDB is real: images/mariadb.sh)
#
# --prefix puts every name under a prefix (the tests use "trove-test/"), registry:2 included.
set -euo pipefail

prefix=""
if [ "${1:-}" = "--prefix" ]; then prefix=$2; shift 2; fi
sources=("$@")
[ ${#sources[@]} -gt 0 ] || sources=(mysql:8.4 postgres:17)
for bin in docker /usr/bin/docker-registry /bin/busybox; do
    command -v "$bin" >/dev/null || { echo "stand-in-images: $bin is missing (apt-get install docker.io docker-registry busybox-static)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

have() { docker image inspect "$1" >/dev/null 2>&1; }
import() { # name dir change...: the directory as the image's root file system
    local name=$1 dir=$2 changes=()
    shift 2
    for c in "$@"; do changes+=(--change "$c"); done
    tar -C "$dir" -c . | docker import "${changes[@]}" - "$name" >/dev/null
    echo "stand-in-images: imported $name"
}
busybox_root() { # dir
    mkdir -p "$1/bin" "$1/tmp" "$1/etc"
    cp /bin/busybox "$1/bin/busybox"
    for applet in sh cat echo ls mkdir cp rm sleep env true; do ln -s busybox "$1/bin/$applet"; done
}

if ! have "${prefix}registry:2"; then
    r=$work/registry
    mkdir -p "$r/bin" "$r/lib/x86_64-linux-gnu" "$r/lib64" "$r/etc/docker/registry" "$r/tmp" "$r/var/lib/registry"
    cp /usr/bin/docker-registry "$r/bin/registry"
    cp /lib/x86_64-linux-gnu/libc.so.6 "$r/lib/x86_64-linux-gnu/"
    cp /lib64/ld-linux-x86-64.so.2 "$r/lib64/"
    cat >"$r/etc/docker/registry/config.yml" <<'YAML'
version: 0.1
log: { level: info }
storage:
  filesystem: { rootdirectory: /var/lib/registry }
  delete: { enabled: true }
http:
  addr: :5000
YAML
    import "${prefix}registry:2" "$r" 'ENTRYPOINT ["/bin/registry"]' 'CMD ["serve", "/etc/docker/registry/config.yml"]' 'VOLUME /var/lib/registry'
fi

if ! have "${prefix}base:1"; then
    busybox_root "$work/base"
    import "${prefix}base:1" "$work/base" 'CMD ["/bin/sh"]'
fi

for image in "${sources[@]}"; do
    have "$prefix$image" && continue
    d=$work/source-${image//[:\/]/_}
    busybox_root "$d"
    echo "stand-in for $image" >"$d/etc/datastore"
    import "$prefix$image" "$d" 'CMD ["/bin/cat", "/etc/datastore"]'
done
