# syntax=docker/dockerfile:1
# One image definition for every app of the platform. Build one app's image with
#
#   docker build --build-arg APP=gateway -t up-club/gateway .
#
# (APP is one of gateway, users, auth-codes, events, bot). The deps, build and prod-deps stages do
# not depend on APP, so the five images share them and only the small runtime stage differs.
# Node 24 LTS, the production runtime (Node 20 reached end of life in April 2026).
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- all dependencies, for building ----------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

# ---- build: SWC compiles each app with the libs it uses into dist/apps/<app> -----------------
FROM deps AS build
ENV NX_DAEMON=false NX_NO_CLOUD=true
COPY nx.json tsconfig.base.json tsconfig.json .swcrc ./
COPY libs ./libs
COPY apps ./apps
RUN npx nx run-many -t build --projects=gateway,users,auth-codes,events,bot --skip-nx-cache

# ---- production dependencies only -------------------------------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

# ---- runtime: one app ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG APP
RUN test -n "$APP" || { echo 'build with --build-arg APP=<gateway|users|auth-codes|events|bot>' >&2; exit 1; }
ENV NODE_ENV=production \
    APP=${APP}
WORKDIR /app
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist/apps/${APP} ./dist/apps/${APP}
# The healthcheck: GET /health/ready on the app's ops port (OPS_PORT, 9464), every app alike.
COPY scripts/healthcheck.mjs ./scripts/healthcheck.mjs
COPY scripts/lib ./scripts/lib
# The image's own unprivileged user; nothing under /app is writable by it.
USER node
# The gateway's API listens on 3000 (PORT); every app serves its ops port on 9464 (OPS_PORT).
EXPOSE 3000 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "scripts/healthcheck.mjs"]
# exec: node replaces the shell, so it receives SIGTERM and shuts down gracefully. The flags are
# scripts/lib/app-node-flags.json (npm start and the benchmarks use them too): a young generation
# of 8 MB semi-spaces instead of Node 24's default (up to 32 MB each) keeps every app about 25-30 MB
# smaller in resident memory at the same throughput (bench:api, README's Benchmarks).
# The migrate command of a service: node dist/apps/$APP/apps/$APP/src/migrate.js
CMD ["sh", "-c", "exec node --enable-source-maps --max-semi-space-size=8 dist/apps/$APP/apps/$APP/src/main.js"]
