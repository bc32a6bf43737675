# Run by ../mariadb.sh in the image's root (chroot, TAG = the series): the server image's packages.
apt-get -q -y install --no-install-recommends mariadb-server-core mariadb-client-core
# What the guest agent (mariadbd by its options, mariadb by docker exec), the entrypoint
# and healthcheck.sh run, and the old names an operator or a MySQL-minded tool may use.
for cmd in mariadbd mysqld mariadb mysql mariadb-install-db mariadb-upgrade my_print_defaults resolveip setpriv; do
    command -v "$cmd" >/dev/null || { echo "mariadb.sh: the image has no $cmd" >&2; exit 1; }
done
series=$(mariadbd --version | grep -o "Ver [0-9]*\.[0-9]*" | cut -d" " -f2)
[ "$series" = "$TAG" ] || { echo "mariadb.sh: the suite has MariaDB $series, not $TAG" >&2; exit 1; }
# mariadb-server would make these: the mysql account (for --su-mysql) and its directories,
# here writable by any uid, since Trove runs the server as 1001 with no passwd entry.
groupadd --system mysql
useradd --system --gid mysql --home-dir /nonexistent --shell /usr/sbin/nologin mysql
install -d -o mysql -g mysql -m 1777 /var/lib/mysql /run/mysqld
