#!/usr/bin/env bash
# Run a command as on a machine with only Python, make and Chromium: no Java, no PostgreSQL (nor
# its `postgres` user), no apt. The machine's copies are hidden in a private mount namespace
# (root only), so nothing is uninstalled and nothing else on the machine notices.
#
#   sudo tools/bare_machine.sh bash -c 'git clone -q /path/to/repo /tmp/x && cd /tmp/x && make build && make test'
set -euo pipefail
if [ "$(id -u)" != 0 ]; then echo "bare_machine.sh needs root (a mount namespace)" >&2; exit 2; fi
if [ "${BARE_MACHINE_INSIDE:-}" != 1 ]; then
  BARE_MACHINE_INSIDE=1 exec unshare --mount --propagation private "$0" "$@"
fi
empty_dir=$(mktemp -d) empty_file=$(mktemp)
hide() {  # hide a file or folder behind an empty one of the same kind
  for path in "$@"; do
    if [ -d "$path" ] && [ ! -L "$path" ]; then mount --bind "$empty_dir" "$path"
    elif [ -e "$path" ] && [ ! -L "$path" ]; then mount --bind "$empty_file" "$path"; fi
  done
}
hide /usr/lib/jvm /usr/lib/postgresql /usr/share/postgresql
hide /usr/local/bin/initdb /usr/local/bin/pg_ctl /usr/local/bin/postgres /usr/local/bin/pg_* /usr/bin/pg_*
hide /usr/bin/psql /usr/bin/apt-get /usr/bin/apt /usr/bin/dpkg
# Without PostgreSQL there is no `postgres` user: the server then runs as `nobody`.
grep -v '^postgres:' /etc/passwd > "$empty_dir.passwd" && mount --bind "$empty_dir.passwd" /etc/passwd
# (bash's `command -v` also names files it cannot run; which() is what make and the tests go by)
python3 -c 'import shutil, sys; seen = [t for t in sys.argv[1:] if shutil.which(t)]; sys.exit(f"bare_machine.sh: still visible: {seen}" if seen else 0)' \
  java initdb pg_ctl postgres apt-get
exec "$@"
