# syntax=docker/dockerfile:1
# SecureBase: one image, one command, a role.
#   docker run IMAGE serve                          API, portal and workers (SQLite or PostgreSQL)
#   docker run IMAGE serve --no-worker              API and portal only (PostgreSQL)
#   docker run IMAGE worker                         background jobs only (PostgreSQL)
#   docker run IMAGE migrate                        apply migrations and exit
# Run it with a read-only root filesystem and a tmpfs on /tmp: the process writes nowhere else
# than /tmp and the data directory /data (the SQLite database; attachments and import spools also
# with PostgreSQL). compose.yaml shows both layouts.

# Node.js 26 (Active LTS) on Debian 13 slim, pinned by the digest of its multi-platform index.
# The digest is the one public Dockerfiles pinned for this tag when this file was written; it was
# not checked against the registry (the machine this was written on reaches none): refresh it with
# `docker buildx imagetools inspect node:26-trixie-slim` when bumping Node. deploy/build-image.sh
# overrides it with a locally made base of the same shape.
ARG BASE_IMAGE=node:26-trixie-slim@sha256:ec7758ee051e457b468b32bde57b0879010b325bb9862718e9615225ce4aaae1

# Compilers for better-sqlite3, which has no prebuilt binary for every Node; node-gyp takes the
# headers of the Node in the image (npm_config_nodedir) instead of downloading them.
FROM ${BASE_IMAGE} AS toolchain
RUN apt-get update \
  && apt-get install -y --no-install-recommends g++ make python3 \
  && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local \
  npm_config_audit=false \
  npm_config_fund=false \
  npm_config_update_notifier=false
WORKDIR /app

# dist/ (the server compiled by tsc) and portal/dist/ (the portal built by Vite).
FROM toolchain AS build
COPY package.json package-lock.json ./
COPY portal/package.json portal/
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs scripts/
COPY src src
COPY portal portal
RUN npm run build

# The production dependencies alone. --workspaces=false: the portal's are bundled into
# portal/dist by Vite and are not needed at run time.
FROM toolchain AS production-dependencies
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --workspaces=false \
  && node -e "require('better-sqlite3')(':memory:').prepare('select 1').get()"

FROM ${BASE_IMAGE} AS runtime
# tini is PID 1: it forwards SIGTERM to Node (which drains and exits) and reaps orphans.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/* \
  && mkdir /data \
  && chown 1000:1000 /data \
  && chmod 0700 /data
ENV NODE_ENV=production \
  PORT=8080 \
  SECUREBASE_DATA_DIR=/data
WORKDIR /app
COPY --from=production-dependencies /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/portal/dist portal/dist
COPY package.json ./
COPY bin bin
# The base image's unprivileged `node` user, by number so that runtimes can check it is not root.
USER 1000:1000
VOLUME ["/data"]
EXPOSE 8080
# /livez answers while the process runs; a worker answers on HEALTH_PORT, which it alone sets.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HEALTH_PORT || process.env.PORT) + '/livez').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/securebase.js"]
CMD ["serve"]
