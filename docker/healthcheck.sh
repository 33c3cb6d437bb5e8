#!/bin/bash
# Health check of the Tetra image: healthy when the server answers the wire protocol and,
# when its HTTP port is on, GET /health there.
#
# It opens a connection, sends the protocol's first frame (Hello) and expects the
# server's HelloReply: a listening socket alone is not enough, the server must decode
# a frame and answer it. No login is made, so no password is needed, a changed admin
# password does not make the container unhealthy, and the server logs nothing.
#
# Address: TETRA_HEALTHCHECK_HOST, else TETRA_HOST (127.0.0.1 when it is a wildcard);
# port: TETRA_PORT (default 19813); through TLS when TETRA_TLS_CERTIFICATE is set, as the
# server does. Exit code 0 healthy, 1 not.
#
# Then GET /health on the HTTP port (docs/http.md): TETRA_HTTP_PORT, else TETRA_PORT + 1 as
# the server chooses it; skipped with TETRA_HTTP_ENABLED=false, or when the port is chosen at
# random (0). Without TLS the server listens there on 127.0.0.1 only, so that is where it is
# asked; with TLS on the protocol's address, through openssl. bash's /dev/tcp and openssl
# only: the image need not have curl or wget.
set -u
# A server that answers and closes before the whole request is written must give "unhealthy"
# (exit 1), not kill this script with SIGPIPE (exit 141).
trap '' PIPE

host="${TETRA_HEALTHCHECK_HOST:-}"
if [ -z "$host" ]; then
    case "${TETRA_HOST:-0.0.0.0}" in
        0.0.0.0 | :: | "[::]" | "") host=127.0.0.1 ;;
        *) host="$TETRA_HOST" ;;
    esac
fi
port="${TETRA_PORT:-19813}"

# One frame: varint32 length 21, then ClientMessage{request_id: 1,
# hello: Hello{min_version: 1, max_version: 1, client_name: "healthcheck"}}.
hello='\x15\x08\x01\x52\x11\x08\x01\x10\x01\x1a\x0bhealthcheck'

if ! exec 3<>"/dev/tcp/$host/$port"; then
    echo "unhealthy: nothing listens on $host:$port"
    exit 1
fi 2>/dev/null

if [ -n "${TETRA_TLS_CERTIFICATE:-}" ]; then
    # The server speaks TLS only: the same frame through openssl (the image has it, for its
    # CA certificates). Health only, so the certificate is not verified; openssl closes the
    # connection when its input ends, two seconds after the frame (a loaded machine's first
    # TLS handshake took more than one).
    exec 3<&-
    if ! command -v openssl > /dev/null; then
        echo "unhealthy: TLS is on and openssl is not installed to check it"
        exit 1
    fi
    # shellcheck disable=SC2059
    read -r -a bytes <<< "$({ printf "$hello"; sleep 2; } \
        | timeout 5 openssl s_client -connect "$host:$port" -quiet -no_ign_eof 2>/dev/null \
        | od -An -tx1 -N8 | tr '\n' ' ')"
else
    # shellcheck disable=SC2059
    printf "$hello" >&3
    # The reply's first bytes: its varint32 length, then ServerMessage{request_id: 1
    # (08 01), hello: HelloReply (field 10, length-delimited: 52) ...}. An Error reply
    # (field 16) or silence is unhealthy.
    read -r -a bytes <<< "$(timeout 5 od -An -tx1 -N8 <&3 | tr '\n' ' ')"
    exec 3<&-
fi

i=0
while [ "$i" -lt "${#bytes[@]}" ] && [ $((16#${bytes[$i]})) -ge 128 ]; do
    i=$((i + 1))
done
i=$((i + 1))
if [ "${bytes[*]:$i:3}" != "08 01 52" ]; then
    echo "unhealthy: $host:$port did not answer the Tetra protocol (got: ${bytes[*]:-nothing})"
    exit 1
fi

case "${TETRA_HTTP_ENABLED:-true}" in
    [Ff][Aa][Ll][Ss][Ee]) http_port=0 ;;
    *)
        http_port="${TETRA_HTTP_PORT:-}"
        if [ -z "$http_port" ]; then
            case "${TETRA_PORT:-19813}" in
                0 | 65535) http_port=0 ;;
                *) http_port=$(( ${TETRA_PORT:-19813} + 1 )) ;;
            esac
        fi
        ;;
esac
if [ "$http_port" = "0" ]; then
    echo "healthy: Tetra answers on $host:$port (HTTP port not checked)"
    exit 0
fi

request='GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'
if [ -n "${TETRA_TLS_CERTIFICATE:-}" ]; then
    http_host="$host"
    # shellcheck disable=SC2059
    status="$({ printf "$request"; sleep 2; } \
        | timeout 5 openssl s_client -connect "$http_host:$http_port" -quiet -no_ign_eof 2>/dev/null \
        | head -c 12)"
else
    http_host=127.0.0.1
    if ! exec 4<>"/dev/tcp/$http_host/$http_port"; then
        echo "unhealthy: Tetra answers on $host:$port, but nothing listens on its HTTP port $http_host:$http_port"
        exit 1
    fi 2>/dev/null
    # shellcheck disable=SC2059
    printf "$request" >&4 2>/dev/null
    status="$(timeout 5 head -c 12 <&4)"
    exec 4<&-
fi
if [ "$status" = "HTTP/1.1 200" ]; then
    echo "healthy: Tetra answers on $host:$port, /health on $http_host:$http_port"
    exit 0
fi
echo "unhealthy: Tetra answers on $host:$port, but GET /health on $http_host:$http_port did not answer 200 (got: ${status:-nothing})"
exit 1
