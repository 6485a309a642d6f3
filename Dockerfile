# syntax=docker/dockerfile:1
# Archipel: one image for the HTTP API (`node dist/main.js`, the default) and the queue workers
# (`node dist/worker.js`). See docker-compose.yml for a single-host deployment.
ARG NODE_IMAGE=node:20-bookworm-slim

# `npm ci` refuses the current package-lock.json where the registry lacks other platforms'
# optional binaries (it has no entries for @swc/core-darwin-arm64 and the like; see .ci/run).
# Until the lock is regenerated against the full registry, fall back to `npm install` from the
# same lock, which resolves the same versions for this platform.
#
# No dependency's install script runs (--ignore-scripts): the image's npm 10 ignores package.json's
# `allowScripts` and would run them all. None is needed: sodium-native and msgpackr-extract load
# prebuilt addons (msgpackr-extract's from an optional package), @swc/core's binary is an optional
# package too, and @scarf/scarf only reports installs (README.md, "install scripts").

# ---- build: all dependencies, compile TypeScript to dist/ ------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund \
    || { echo 'WARNING: npm ci refused package-lock.json; using npm install' >&2; npm install --ignore-scripts --no-audit --no-fund; }
COPY . .
# bin/ (the `archipel` command) is copied into the runtime image; make sure the folder exists.
RUN npm run build && mkdir -p bin

# ---- prod-deps: runtime dependencies only ----------------------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    || { echo 'WARNING: npm ci refused package-lock.json; using npm install' >&2; npm install --omit=dev --ignore-scripts --no-audit --no-fund; }

# ---- runtime ---------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0
WORKDIR /app
# /data: for a deployment that keeps the instance key on a volume
# (INSTANCE_KEY_STORE=/data/instance-key.jwk; docker-compose.yml hands it in as the secret
# /run/secrets/instance-key.jwk instead); created here so that a fresh named volume is owned by the
# non-root user. `node dist/migrate.js` migrates as the owner role (compose's one-shot `migrate`
# service); `node dist/migrate.js --create-instance-key <file>` makes the key file once.
RUN mkdir -p /data /checkpoints && chown node:node /data /checkpoints && chmod 700 /data
# The code stays root-owned: the app user can read it, not change it.
COPY package.json package-lock.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
# The image's own `node` user (uid 1000).
USER node
EXPOSE 3000
# GET /health (database, Redis, queues) with Node's own fetch: no curl in the slim image.
# The worker has no HTTP server; docker-compose.yml turns this check off for it.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
