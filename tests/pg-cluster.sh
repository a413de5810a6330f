#!/bin/sh
# A throw-away PostgreSQL cluster for the register's tests: made with
# initdb in a temporary directory, listening only on a Unix socket there
# (no TCP), peer authentication (no passwords anywhere), stopped and
# removed afterwards.
#
#   tests/pg-cluster.sh start DIR   make and start a cluster in DIR (created;
#                                   must not exist); prints the base URL
#   tests/pg-cluster.sh stop DIR    stop it and remove DIR
#
# The superuser is "imeval_owner"; the login roles "adviser", "adviser2",
# "council_a" and "council_b" are created for role tests.  The OS user
# running the tests may log in as any of them (pg_ident map).  As root the
# server runs as the "postgres" user (PostgreSQL refuses to run as root);
# otherwise as the current user.  Needs Debian's postgresql package
# (tests/install-deps.sh installs it).
set -eu
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

bindir=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
    [ -x "$d/initdb" ] && { bindir=$d; break; }
done
if [ -z "$bindir" ] && command -v pg_config >/dev/null 2>&1; then
    bindir=$(pg_config --bindir)
fi
[ -n "$bindir" ] && [ -x "$bindir/initdb" ] || {
    echo "pg-cluster: no PostgreSQL server binaries (initdb): apt-get install postgresql" >&2
    exit 1
}

me=$(id -un)
as_server() {
    if [ "$(id -u)" -eq 0 ]; then
        # su without a login shell: the postgres user's shell may be nologin.
        su -s /bin/sh postgres -c "$*"
    else
        sh -c "$*"
    fi
}

case "$cmd" in
start)
    [ ! -e "$dir" ] || { echo "pg-cluster: $dir exists" >&2; exit 1; }
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    fi
    mkdir -p "$dir"
    chmod 700 "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    as_server "'$bindir/initdb' -D '$dir/data' -U imeval_owner --auth-local=peer \
        --auth-host=reject -E UTF8 --locale=C.UTF-8 >'$dir/initdb.log' 2>&1" || {
        cat "$dir/initdb.log" >&2; exit 1; }
    # Peer authentication with a map: the OS user running the tests logs
    # in as the test roles, nobody else can, and no password exists.
    as_server "cat > '$dir/data/pg_hba.conf'" <<EOF
local all all peer map=imeval
EOF
    as_server "cat > '$dir/data/pg_ident.conf'" <<EOF
imeval $me imeval_owner
imeval $me adviser
imeval $me adviser2
imeval $me council_a
imeval $me council_b
imeval postgres imeval_owner
EOF
    as_server "'$bindir/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 60 \
        -o \"-k '$dir' -c listen_addresses='' -c fsync=off -c max_connections=60 \
        -c shared_buffers=16MB\" start >/dev/null" || { cat "$dir/server.log" >&2; exit 1; }
    url="postgresql:///postgres?host=$dir&user=imeval_owner"
    "$bindir/psql" -qX "$url" -v ON_ERROR_STOP=1 >/dev/null <<'EOF'
CREATE ROLE adviser LOGIN;
CREATE ROLE adviser2 LOGIN;
CREATE ROLE council_a LOGIN;
CREATE ROLE council_b LOGIN;
EOF
    echo "$url"
    ;;
stop)
    [ -d "$dir/data" ] && as_server "'$bindir/pg_ctl' -D '$dir/data' -m immediate -w stop >/dev/null 2>&1" || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
