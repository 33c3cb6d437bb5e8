#!/bin/sh
# tetra-admin inside the image, for `docker exec`:
#   docker exec -it tetra tetra-admin --password-file /run/secrets/tetra_admin_password backup status
# It reaches the server at localhost:19813 unless given --host/--port.
# TETRA_ADMIN_JAVA_OPTS is split into words on purpose: it holds several JVM options.
# shellcheck disable=SC2086
exec java ${TETRA_ADMIN_JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC} \
    -jar "${TETRA_HOME:-/opt/tetra}/admin/tetra-admin.jar" "$@"
