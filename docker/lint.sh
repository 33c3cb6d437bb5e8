#!/bin/bash
# Checks docker/ without a Docker engine: the shell scripts (shellcheck), the Dockerfile
# (dockerfile-utils, the Dockerfile validator of VS Code's Docker support) and the
# compose file (dclint validates it against the Compose Specification schema; yamllint).
# Not part of `mvn verify`. The tools, from Debian's and npm's packages:
#   apt-get install shellcheck yamllint
#   npm install -g dockerfile-utils@0.16.3 dclint@3.1.0
set -euo pipefail
cd "$(dirname "$0")/.."

shellcheck docker/entrypoint.sh docker/healthcheck.sh docker/tetra-admin.sh docker/lint.sh
dockerfile-utils lint docker/Dockerfile
dclint docker/compose.yml
yamllint -d '{extends: default, rules: {line-length: {max: 100}, document-start: disable}}' docker/compose.yml
echo "docker/: the Dockerfile, compose.yml and the scripts pass the linters."
