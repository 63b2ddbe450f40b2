# ping-service image: a build stage that compiles the TypeScript, and a small final stage that
# holds only the compiled output and the production dependencies, run as a non-root user.
#
# The base is pinned to a full release of Node 24, the LTS line (maintained until 2028-04-30);
# the same version as `.nvmrc`, the pipeline's test job and `.ci/run` (tests/delivery checks that
# they agree). For builds that must be reproducible byte for byte, pin the digest as well, e.g.
#   FROM node:24.21.0-bookworm-slim@sha256:<digest>
# with the digest from `docker buildx imagetools inspect node:24.21.0-bookworm-slim`, and let a
# bot (Renovate, Dependabot) propose updates to both.
# Nothing here knows about a registry mirror or a certificate authority: a build host that needs
# them configures npm in its base image (as `npm run test:image` does with its stand-in).
# Only plain Dockerfile syntax is used (no RUN --mount), so docker, buildah and kaniko all build it.

FROM node:24.21.0-bookworm-slim AS build
WORKDIR /app
# Dependencies first: this layer is reused until package.json or the lockfile changes.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY domain ./domain
COPY application ./application
COPY infrastructure ./infrastructure
COPY interfaces ./interfaces
RUN npm run build

FROM node:24.21.0-bookworm-slim AS production
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only, from the lockfile (the embedded PGlite is a development
# dependency: production always has POSTGRES_URI); the npm cache is dropped from the layer.
# --omit=optional as well: npm keeps a package that is both a devDependency and an optional peer
# of a production one (TypeScript, through valibot's optional peer) unless both are omitted, and
# the other optional packages (pg-cloudflare, @sentry/node's build-time parser bindings) are never
# loaded here.
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist

# The image knows its own version: CI passes the commit's short SHA, which becomes Sentry's release.
ARG SENTRY_RELEASE=""
ENV SENTRY_RELEASE=${SENTRY_RELEASE}
LABEL org.opencontainers.image.title="ping-service" \
      org.opencontainers.image.revision="${SENTRY_RELEASE}"

# The base image's `node` user, by number so that Kubernetes' runAsNonRoot can verify it without
# reading /etc/passwd. The files above stay owned by root: the process cannot modify its own code.
USER 1000:1000
# 5000: the API; 9464: the metrics listener (METRICS_PORT), for Prometheus only.
EXPOSE 5000 9464

# Kubernetes uses its own probes (/healthz, /readyz); docker-compose.yml declares its own check.
# Node runs as PID 1, started directly (not through npm or a shell) so that SIGTERM reaches it;
# the service handles SIGTERM/SIGINT itself and spawns no children, so no init process is needed.
# Sentry's instrumentation is preloaded with --import, as its documentation asks for ESM apps.
# Memory (why each flag, and how `npm run bench` checks the peak RSS they give: docs/performance.md):
# the old generation is capped well inside the pod's memory limit, so V8 collects before the
# kernel's OOM killer would act; small young-generation semi-spaces keep the cache-hit peak down
# at no CPU cost the bench could see. --no-concurrent-recompilation (not allowed in NODE_OPTIONS,
# hence in CMD) compiles optimised code on the main thread, not on V8's worker threads, whose
# malloc arenas kept what the compiler had used; a request may wait for a compile while the code
# warms up. The measurements are in each flag's commit message (`git log -S<flag>`).
ENV NODE_OPTIONS="--max-old-space-size=96 --max-semi-space-size=2"
CMD ["node", "--no-concurrent-recompilation", "--import", "./dist/infrastructure/sentry/instrument.js", "dist/interfaces/startup/main.js"]
