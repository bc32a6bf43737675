#!/bin/bash
# Container health check with the command line of the official `mariadb` image's healthcheck.sh,
# which Trove 26 puts in the container it creates:
#
#   healthcheck.sh --defaults-file /var/lib/mysql/data/.my-healthcheck.cnf --connect --innodb_initialized
#
#   healthcheck.sh [--defaults-file F | --defaults-extra-file F | --defaults-group-suffix S |
#                   --no-defaults] [--datadir D] [--su U | --su-mysql] [--verbose] TEST...
#
# Options take "--opt value" or "--opt=value". Without a defaults option the client reads
# <datadir>/.my-healthcheck.cnf (datadir default /var/lib/mysql) when it exists. Tests, all must pass:
#   --connect                    the server accepts a connection (a refused login counts: it is up)
#   --innodb_initialized         InnoDB is initialised and enabled
#   --innodb_buffer_pool_loaded  the buffer pool load at start-up has completed
# Exit 0 when healthy, 1 otherwise (the reason on stderr, which docker inspect shows).
set -euo pipefail

args=("$@") defaults=() tests=() datadir=/var/lib/mysql su="" verbose=""
while (($#)); do
    case "$1" in
        --defaults-file=* | --defaults-extra-file=* | --defaults-group-suffix=*) defaults+=("$1") ;;
        --defaults-file | --defaults-extra-file | --defaults-group-suffix) defaults+=("$1=${2:?$1 needs a value}") && shift ;;
        --no-defaults) defaults+=("$1") ;;
        --datadir=*) datadir=${1#*=} ;;
        --datadir) datadir=${2:?--datadir needs a value} && shift ;;
        --su=*) su=${1#*=} ;;
        --su) su=${2:?--su needs a value} && shift ;;
        --su-mysql) su=mysql ;;
        --verbose) verbose=1 ;;
        --*) tests+=("${1#--}") ;;
        *) echo "healthcheck: unexpected argument $1" >&2 && exit 1 ;;
    esac
    shift
done
((${#tests[@]})) || { echo "healthcheck: no test given (--connect, --innodb_initialized, ...)" >&2; exit 1; }

# As root, --su runs the checks as that user (so a root-owned exec can read its files); the
# healthcheck file is then still the one the entrypoint wrote, readable by the server's user.
if [[ -n "$su" && "$(id -u)" == 0 ]]; then
    filtered=()
    for a in "${args[@]}"; do case "$a" in --su=* | --su-mysql) ;; *) filtered+=("$a") ;; esac; done
    exec setpriv --reuid="$su" --regid="$su" --init-groups "$0" "${filtered[@]}"
fi
# The entrypoint writes the file once the server is set up: until then say so, rather than let
# the client abort on it.
for d in "${defaults[@]}"; do
    case "$d" in --defaults-file=* | --defaults-extra-file=*)
        [[ -f "${d#*=}" ]] || { echo "healthcheck: ${d#*=} does not exist (yet)" >&2; exit 1; } ;;
    esac
done
if ((${#defaults[@]} == 0)) && [[ -f "$datadir/.my-healthcheck.cnf" ]]; then
    defaults=(--defaults-extra-file="$datadir/.my-healthcheck.cnf")
fi

query() { # SQL: its result, tab-separated without column names
    mariadb "${defaults[@]}" --batch --skip-column-names --connect-timeout=5 -e "$1"
}
fail() { echo "healthcheck: $*" >&2; exit 1; }

for t in "${tests[@]}"; do
    case "$t" in
        connect)
            out=$(query 'SELECT 1' 2>&1) || [[ "$out" == *"Access denied"* ]] || fail "connect: $out"
            ;;
        innodb_initialized)
            out=$(query "SELECT support FROM information_schema.ENGINES WHERE engine = 'InnoDB'" 2>&1) ||
                fail "innodb_initialized: $out"
            [[ "$out" == YES || "$out" == DEFAULT ]] || fail "innodb_initialized: InnoDB support is '$out'"
            ;;
        innodb_buffer_pool_loaded)
            out=$(query "SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_load_status'" 2>&1) ||
                fail "innodb_buffer_pool_loaded: $out"
            [[ "$out" == *"load completed"* ]] || fail "innodb_buffer_pool_loaded: $out"
            ;;
        *) fail "unknown test --$t" ;;
    esac
    if [[ -n "$verbose" ]]; then echo "healthcheck: $t passed"; fi
done
