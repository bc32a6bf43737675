#!/bin/bash
# Prints the path of a backup image build context for the stack's datastoreImages.backupContext:
# Trove's own backup/ directory (from the release's sdist on PyPI, the version the dev cloud's
# controllers run) with trove-backup/Dockerfile in place of Trove's. Cached under
# ${XDG_CACHE_HOME:-~/.cache}/trove-region/backup-context-<version>-<key>, KEY a hash of the
# Dockerfile, so a warm run only prints the path. The base image it names is
# `images/mariadb.sh --backup <number>`'s.
#
#   scripts/devcloud/images/trove-backup-context.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# One version for the controllers and the backup code: trove-venv.sh's.
version=$(sed -n 's/^TROVE_VERSION=//p' "$here/../trove-venv.sh")
[[ -n "$version" ]] || { echo "trove-backup-context.sh: no TROVE_VERSION in trove-venv.sh" >&2; exit 1; }
cache=${XDG_CACHE_HOME:-$HOME/.cache}/trove-region
key=$(sha256sum "$here/trove-backup/Dockerfile" | cut -c1-12)
context=$cache/backup-context-$version-$key
if [[ -f "$context/main.py" && -f "$context/Dockerfile" ]]; then echo "$context"; exit 0; fi

sdist=$cache/sdist/trove-$version.tar.gz
if [[ ! -f "$sdist" ]]; then
    mkdir -p "$cache/sdist"
    python3 -m pip download -q --disable-pip-version-check --no-deps --no-binary :all: -d "$cache/sdist" "trove==$version" >&2 ||
        { echo "trove-backup-context.sh: pip download of trove==$version failed" >&2; exit 1; }
fi
work=$(mktemp -d "$cache/backup-context.XXXXXX")
trap 'rm -rf "$work"' EXIT
# backup/ without its unit tests; Trove's Dockerfile and install.sh are replaced by ours.
tar -xzf "$sdist" -C "$work" --strip-components=1 --exclude="*/backup/tests" "trove-$version/backup"
rm -f "$work/backup/Dockerfile" "$work/backup/install.sh"
cp "$here/trove-backup/Dockerfile" "$work/backup/Dockerfile"
[[ -f "$work/backup/main.py" ]] || { echo "trove-backup-context.sh: trove-$version has no backup/main.py" >&2; exit 1; }
rm -rf "$context"
mv "$work/backup" "$context"
echo "$context"
