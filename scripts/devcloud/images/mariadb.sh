#!/bin/bash
# Builds a real MariaDB datastore image for Trove's guest agent from Debian's own packages (no
# public Docker registry is reachable here) and imports it into the engine at DOCKER_HOST.
#
#   DOCKER_HOST=unix:///path/docker.sock scripts/devcloud/images/mariadb.sh [--backup] [TAG]   (root)
#
# The image is mariadb:TAG, TAG one of (default 11.8):
#   11.8    Debian 13 "trixie"'s MariaDB 11.8
#   10.11   Debian 12 "bookworm"'s MariaDB 10.11
# (the two series Trove 2025.2+ supports; another tag is an error). Each is mariadbd and the
# mariadb client from that suite's mariadb-server-core and mariadb-client-core, which carry every
# program the guest agent, the entrypoint and healthcheck.sh run in the container: mariadbd (and
# its old name mysqld), mariadb (and mysql), mariadb-install-db, mariadb-upgrade, my_print_defaults
# and resolveip; the build fails if one is missing or the server is not of the tag's series. The
# -server/-client packages (mariadb-admin, mariadb-dump, ...) and, in 11.x, the -compat packages
# (mysqladmin, mysqldump, mysqlcheck, ... as links) would add perl, galera, rsync and tools the
# agent never runs in this container. Then the entrypoint and healthcheck.sh of mariadb/ that keep
# the official image's contract (see their headers), ENTRYPOINT docker-entrypoint.sh, CMD mariadbd.
#
# With --backup the image is trove-backup-base:mariadb-TAG, the base of the backup image Trove's
# guest agent runs to back up and restore (Trove's backup/Dockerfile installs the same on Ubuntu from
# MariaDB's and PyPI's servers, which are out of reach here): the suite's mariadb-backup and mbstream
# of the server's own series (a backup tool must match the server that wrote the files), python3
# with the Debian packages of what Trove's backup/requirements.txt lists, and dumb-init as the
# ENTRYPOINT, as in Trove's image. images/trove-backup-context.sh puts Trove's backup/ code on it.
#
# The root file system is cached as a tarball under ${XDG_CACHE_HOME:-~/.cache}/trove-region/images,
# mariadb-TAG-KEY.tar, KEY a sha256 of the tag, its suite, this script and mariadb/*; the image
# carries KEY as the label org.trove-region.build-key. So a warm run only imports, or does nothing
# when the engine already has the image of that key; each tag has its own tarball. Package updates
# do not change the key: delete the tarball to rebuild.
set -euo pipefail

# The tags this script builds: the Debian suite whose MariaDB is that series.
declare -A suites=([10.11]=bookworm [11.8]=trixie)
declare -A releases=([bookworm]=12 [trixie]=13)
kind=server
if [[ "${1:-}" == "--backup" ]]; then kind=backup; shift; fi
tag=${1:-11.8}
suite=${suites[$tag]:-}
if [[ -z "$suite" ]]; then
    known=""
    for t in $(printf '%s\n' "${!suites[@]}" | sort -V); do known+="${known:+, }$t (Debian ${releases[${suites[$t]}]} ${suites[$t]})"; done
    echo "mariadb.sh: no MariaDB for tag '$tag': it builds $known" >&2
    exit 2
fi
: "${DOCKER_HOST:?set DOCKER_HOST to the Docker engine (unix:///...) to import into}"
image=mariadb:$tag
[[ $kind == backup ]] && image=trove-backup-base:mariadb-$tag
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/trove-region/images
started=$(date +%s%N)
done_in() { # what: the one line this script prints
    local ds=$((($(date +%s%N) - started) / 100000000))
    echo "mariadb.sh: $image $1 in $((ds / 10)).$((ds % 10)) s"
}

key=$(cd "$here" && { echo "$kind $tag $suite"; sha256sum mariadb.sh mariadb/*; } | sha256sum | cut -d' ' -f1)
prefix=mariadb
[[ $kind == backup ]] && prefix=mariadb-backup
tarball=$cache/$prefix-$tag-$key.tar
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

    debootstrap --variant=minbase "$suite" "$root" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
        { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
    # The updates and security archives too: they carry the current point release.
    cat >"$root/etc/apt/sources.list" <<EOF
deb http://deb.debian.org/debian $suite main
deb http://deb.debian.org/debian $suite-updates main
deb http://deb.debian.org/debian-security $suite-security main
EOF
    # No maintainer script may start a service in the chroot; dpkg need not fsync a throwaway tree.
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 755 "$root/usr/sbin/policy-rc.d"
    echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/unsafe-io"
    # What goes on the base system: the server, or the backup tools (mariadb/install-<kind>.sh).
    install -m 755 "$here/mariadb/install-$kind.sh" "$root/tmp/install.sh"
    chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive TAG="$tag" \
        sh -ec 'apt-get -q update; apt-get -q -y upgrade; sh -e /tmp/install.sh; apt-get clean' >"$work/apt.log" 2>&1 ||
        { tail -n 30 "$work/apt.log" >&2; exit 1; }
    rm -f "$root/tmp/install.sh" "$root/usr/sbin/policy-rc.d" "$root/etc/dpkg/dpkg.cfg.d/unsafe-io"
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/apt/* \
        "$root"/var/log/dpkg.log "$root"/var/log/bootstrap.log "$root"/usr/share/doc/* \
        "$root"/usr/share/man/* "$root"/usr/share/info/*
    # debootstrap copied these from the build host; Docker provides a container's own.
    : >"$root/etc/resolv.conf"
    : >"$root/etc/hostname"
    [[ $kind == server ]] && install -m 755 "$here/mariadb/docker-entrypoint.sh" "$here/mariadb/healthcheck.sh" "$root/usr/local/bin/"

    tar -C "$root" --numeric-owner -cf "$work/rootfs.tar" .
    mv "$work/rootfs.tar" "$tarball"
    # Tarballs of this tag's older keys, and of the untagged layout before 11.8, are dead weight.
    find "$cache" -maxdepth 1 -regextype posix-extended \( -name "$prefix-$tag-*.tar" -o -regex '.*/mariadb-[0-9a-f]{64}\.tar' \) \
        ! -name "${tarball##*/}" -delete
}

what="imported from the cached root file system"
if [[ ! -f "$tarball" ]]; then
    build
    what="built and imported"
fi
# The image this replaces under the tag, removed below once it is dangling (on vfs each is a full copy).
old=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
changes=(--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
    --change 'ENV LANG=C.UTF-8' --change "LABEL $label=$key")
if [[ $kind == server ]]; then
    changes+=(--change 'VOLUME /var/lib/mysql' --change 'EXPOSE 3306'
        --change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' --change 'CMD ["mariadbd"]')
    what_image="MariaDB $tag"
else
    changes+=(--change 'ENTRYPOINT ["dumb-init", "--single-child", "--"]')
    what_image="MariaDB $tag backup tools"
fi
docker import "${changes[@]}" \
    --message "Debian ${releases[$suite]} ($suite) $what_image for Trove, build key $key" \
    - "$image" <"$tarball" >/dev/null
if [[ -n "$old" && -z "$(docker image inspect --format '{{join .RepoTags ""}}' "$old" 2>/dev/null)" ]]; then
    docker rmi "$old" >/dev/null 2>&1 || true # still used by a container: leave it
fi
done_in "$what (build key ${key:0:12})"
