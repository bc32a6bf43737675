# Run by ../mariadb.sh --backup in the image's root (chroot, TAG = the series): what Trove's
# backup/main.py runs with the mariabackup driver. mariadb-backup (with mbstream) of the server's
# own series; python3 and the Debian packages of backup/requirements.txt (psycopg2 too: main.py's
# drivers import it only for PostgreSQL, but the requirements list it); dumb-init, the entrypoint
# of Trove's image.
apt-get -q -y install --no-install-recommends mariadb-backup mariadb-client-core dumb-init python3 \
    python3-oslo.config python3-oslo.log python3-oslo.utils python3-oslo.concurrency python3-oslo.service \
    python3-keystoneauth1 python3-swiftclient python3-cryptography python3-semantic-version python3-psycopg2
for cmd in mariadb-backup mbstream dumb-init python3; do
    command -v "$cmd" >/dev/null || { echo "mariadb.sh: the backup image has no $cmd" >&2; exit 1; }
done
python3 -c 'import oslo_config, oslo_log, oslo_utils, oslo_concurrency, oslo_service, keystoneauth1, swiftclient, cryptography, semantic_version, psycopg2' ||
    { echo "mariadb.sh: the backup image lacks a module of Trove's backup/requirements.txt" >&2; exit 1; }
# From the package: `mariadb-backup --version` died of a segmentation fault in the build chroot.
series=$(dpkg-query -W -f '${Version}' mariadb-backup | sed 's/^[0-9]*://' | cut -d. -f1,2)
[ "$series" = "$TAG" ] || { echo "mariadb.sh: the suite's mariadb-backup is $series, not $TAG" >&2; exit 1; }
