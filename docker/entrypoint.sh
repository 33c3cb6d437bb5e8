#!/bin/sh
# Entrypoint of the Tetra image.
#
# The server reads its settings from TETRA_<KEY> variables itself (TETRA_DATA_DIR,
# TETRA_PORT, TETRA_HOST, TETRA_ADMIN_PASSWORD or TETRA_ADMIN_PASSWORD_FILE, ...).
# This script only adds what belongs to the database rather than to the server: at the
# database's first start, when it has no Settings/backup.yml yet, it writes one from
#   TETRA_BACKUP_SETTINGS_FILE  a backup.yml to start from (a schedule, retention, ...)
#   TETRA_BACKUP_DESTINATION    where archives go (the image sets /backups, its volume)
# Later starts leave backup.yml alone: from then on it is changed remotely by admins and
# travels with the database. Arguments are passed on to the server (--set KEY=VALUE).
#
# The script ends by replacing itself with the JVM (exec), so that the SIGTERM of
# `docker stop` reaches the server, which then stops gracefully.
set -eu

home="${TETRA_HOME:-/opt/tetra}"
data_dir="${TETRA_DATA_DIR:-/var/lib/tetra/tetra}"
export TETRA_DATA_DIR="$data_dir"

settings="$data_dir/Settings/backup.yml"
if [ ! -e "$settings" ] && [ ! -e "$data_dir/Structure/users.json" ]; then
    seed="${TETRA_BACKUP_SETTINGS_FILE:-}"
    destination="${TETRA_BACKUP_DESTINATION:-}"
    if [ -n "$seed" ] && [ ! -r "$seed" ]; then
        echo "tetra entrypoint: TETRA_BACKUP_SETTINGS_FILE $seed is not a readable file" >&2
        exit 2
    fi
    if [ -n "$seed" ] || [ -n "$destination" ]; then
        mkdir -p "$data_dir/Settings"
        : > "$settings.tmp"
        if [ -n "$seed" ]; then
            cat "$seed" > "$settings.tmp"
            # A seed without a final newline must not swallow the line appended below.
            [ -z "$(tail -c 1 "$settings.tmp")" ] || echo >> "$settings.tmp"
        fi
        if [ -n "$destination" ] && ! grep -q '^destination:' "$settings.tmp"; then
            # A single-quoted YAML scalar: any character is literal, a quote is doubled.
            quoted=$(printf '%s' "$destination" | sed "s/'/''/g")
            printf "destination: '%s'\n" "$quoted" >> "$settings.tmp"
            mkdir -p "$destination" 2>/dev/null \
                || echo "tetra entrypoint: could not create the backup destination $destination" >&2
        fi
        mv "$settings.tmp" "$settings"
    fi
fi

# JAVA_OPTS is split into words on purpose: it holds several JVM options.
# shellcheck disable=SC2086
# ThreadPriorityPolicy=1: a backup copies at a lower priority than the sessions (nice 4; no privilege needed).
exec java -XX:ThreadPriorityPolicy=1 ${JAVA_OPTS:-} -jar "$home/server/tetra-server.jar" "$@"
