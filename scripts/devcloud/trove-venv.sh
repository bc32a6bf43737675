#!/usr/bin/env bash
# Trove at its current release, from PyPI, in a venv of its own: trove-api, trove-taskmanager,
# trove-conductor, trove-manage and trove-guestagent for the dev cloud and the guest harness.
# Debian 12 ships Trove 18 (2022); operators deploy 2025.2 and later.
#
#   scripts/devcloud/trove-venv.sh        create or update the venv, print its path
#   scripts/devcloud/trove-venv.sh --path only print where it is (or would be)
# It also links <repo>/.trove-templates to the release's trove/templates.
#
# The venv is shared by every dev cloud state dir and survives `devcloud.sh reset`:
# ${TROVE_VENV:-~/.cache/trove-region/trove-<version>}. A stamp records what was installed, so a
# warm run costs one comparison.
set -euo pipefail

TROVE_VERSION=26.0.0
TROVECLIENT_VERSION=8.11.0
# Debian's interpreter: the same Python 3.11 the rest of the dev cloud runs on.
PY=/usr/bin/python3
VENV=${TROVE_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/trove-region/trove-$TROVE_VERSION}
# pymysql for the database, the docker SDK for the guest agent (its own requirement too).
WANT="trove==$TROVE_VERSION python-troveclient==$TROVECLIENT_VERSION PyMySQL"

if [ "${1:-}" = --path ]; then echo "$VENV"; exit 0; fi
if [ "$(cat "$VENV/.installed" 2>/dev/null)" != "$WANT" ]; then
    echo "trove-venv: installing $WANT into $VENV" >&2
    # Scripts in a venv name its absolute path, so it is built in place; the stamp is written last,
    # so an interrupted install is redone from scratch.
    rm -rf "$VENV"
    mkdir -p "$(dirname "$VENV")"
    "$PY" -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check --no-input $WANT >&2
    echo "$WANT" >"$VENV/.installed"
fi
# The release's trove/templates (validation-rules.json per datastore) at a fixed path in the
# repository, for the dev stack's trove.parametersDir and the tests.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ln -sfn "$(echo "$VENV"/lib/python3*/site-packages/trove/templates)" "$repo/.trove-templates"
echo "$VENV"
