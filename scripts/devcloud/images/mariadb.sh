#!/bin/bash
# Builds a real MariaDB datastore image for Trove's guest agent from Debian 12's own packages (no
# public Docker registry is reachable here) and imports it into the engine at DOCKER_HOST.
#
#   DOCKER_HOST=unix:///path/docker.sock scripts/devcloud/images/mariadb.sh [TAG]   (root)
#
# The image is mariadb:TAG (default 10.11, Debian 12's MariaDB): mariadbd and the mariadb client
# from mariadb-server-core and mariadb-client-core (the -server/-client packages add perl, galera,
# rsync and tools the guest agent never runs in this container), the entrypoint and healthcheck.sh
# of mariadb/ that keep the official image's contract (see their headers), ENTRYPOINT
# docker-entrypoint.sh, CMD mariadbd.
#
# The root file system is cached as a tarball under ${XDG_CACHE_HOME:-~/.cache}/trove-region/images,
# named by a sha256 of this script and mariadb/*; the image carries it as the label
# org.trove-region.build-key. So a warm run only imports, or does nothing when the engine already
# has the image of that key. Package updates do not change the key: delete the tarball to rebuild.
set -euo pipefail

: "${DOCKER_HOST:?set DOCKER_HOST to the Docker engine (unix:///...) to import into}"
tag=${1:-10.11}
image=mariadb:$tag
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/trove-region/images
started=$(date +%s%N)
done_in() { # what: the one line this script prints
    local ds=$((($(date +%s%N) - started) / 100000000))
    echo "mariadb.sh: $image $1 in $((ds / 10)).$((ds % 10)) s"
}

key=$(cd "$here" && sha256sum mariadb.sh mariadb/* | sha256sum | cut -d' ' -f1)
tarball=$cache/mariadb-$key.tar
label=org.trove-region.build-key

if [[ "$(docker image inspect --format "{{ index .Config.Labels \"$label\" }}" "$image" 2>/dev/null)" == "$key" ]]; then
    done_in "already imported (build key ${key:0:12})"
    exit 0
fi

work=""
cleanup() { # on any exit: unmount what debootstrap left mounted in the build tree (it mounts
    # /proc and /sys there), then delete the tree without crossing into another file system
    [[ -n "$work" ]] || return 0
    { grep -o " $work/[^ ]*" /proc/mounts || true; } | sort -r | xargs -r -n1 umount -l
    rm -rf --one-file-system "$work"
}

build() {
    [[ $(id -u) == 0 ]] || { echo "mariadb.sh: building the root file system needs root" >&2; exit 1; }
    if ! command -v debootstrap >/dev/null; then
        # Wait for a concurrent apt (the dev cloud set-up) rather than fail on its lock.
        apt-get -q -o DPkg::Lock::Timeout=600 install -y --no-install-recommends debootstrap >/dev/null 2>&1 ||
            { echo "mariadb.sh: apt-get install debootstrap failed" >&2; exit 1; }
    fi
    mkdir -p "$cache"
    work=$(mktemp -d "$cache/build.XXXXXX")
    trap cleanup EXIT
    local root=$work/rootfs

    debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
        { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
    # The security archive too: it carries the current MariaDB 10.11 point release.
    cat >"$root/etc/apt/sources.list" <<'EOF'
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
    # No maintainer script may start a service in the chroot; dpkg need not fsync a throwaway tree.
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 755 "$root/usr/sbin/policy-rc.d"
    echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/unsafe-io"
    chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive sh -ec '
        apt-get -q update
        apt-get -q -y upgrade
        apt-get -q -y install --no-install-recommends mariadb-server-core mariadb-client-core
        # mariadb-server would make these: the mysql account (for --su-mysql) and its directories,
        # here writable by any uid, since Trove runs the server as 1001 with no passwd entry.
        groupadd --system mysql
        useradd --system --gid mysql --home-dir /nonexistent --shell /usr/sbin/nologin mysql
        install -d -o mysql -g mysql -m 1777 /var/lib/mysql /run/mysqld
        apt-get clean' >"$work/apt.log" 2>&1 || { tail -n 30 "$work/apt.log" >&2; exit 1; }
    rm -f "$root/usr/sbin/policy-rc.d" "$root/etc/dpkg/dpkg.cfg.d/unsafe-io"
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/apt/* \
        "$root"/var/log/dpkg.log "$root"/var/log/bootstrap.log "$root"/usr/share/doc/* \
        "$root"/usr/share/man/* "$root"/usr/share/info/*
    # debootstrap copied these from the build host; Docker provides a container's own.
    : >"$root/etc/resolv.conf"
    : >"$root/etc/hostname"
    install -m 755 "$here/mariadb/docker-entrypoint.sh" "$here/mariadb/healthcheck.sh" "$root/usr/local/bin/"

    tar -C "$root" --numeric-owner -cf "$work/rootfs.tar" .
    mv "$work/rootfs.tar" "$tarball"
    # Tarballs of older keys are dead weight.
    find "$cache" -maxdepth 1 -name 'mariadb-*.tar' ! -name "${tarball##*/}" -delete
}

what="imported from the cached root file system"
if [[ ! -f "$tarball" ]]; then
    build
    what="built and imported"
fi
# The image this replaces under the tag, removed below once it is dangling (on vfs each is a full copy).
old=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'VOLUME /var/lib/mysql' \
    --change 'EXPOSE 3306' \
    --change "LABEL $label=$key" \
    --change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' \
    --change 'CMD ["mariadbd"]' \
    --message "Debian 12 MariaDB for Trove, build key $key" \
    - "$image" <"$tarball" >/dev/null
if [[ -n "$old" && -z "$(docker image inspect --format '{{join .RepoTags ""}}' "$old" 2>/dev/null)" ]]; then
    docker rmi "$old" >/dev/null 2>&1 || true # still used by a container: leave it
fi
done_in "$what (build key ${key:0:12})"
