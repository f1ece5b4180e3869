# syntax=docker/dockerfile:1
# Bulwark's controller image: built in one stage with the full toolchain, run
# from a second with production dependencies only, as uid 65532 (non-root).
#
# Base image: node 24 on Debian 12 (bookworm) slim, pinned to the exact Node
# release the project tests with (package.json devDependency node@24.9.0).
# Pin it by digest as well when building for release, e.g.
#   docker build --build-arg NODE_IMAGE=node:24.9.0-bookworm-slim@sha256:<digest> .
# (the digest could not be looked up where this file was written: no access to
# a container registry).
ARG NODE_IMAGE=node:24.9.0-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# Dependencies first, so source edits reuse this layer. Scripts are skipped:
# `prepare` would build before the sources are copied, and the `node`
# devDependency would download a second Node runtime the image never uses.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY tools/build ./tools/build
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
LABEL org.opencontainers.image.title="bulwark" \
      org.opencontainers.image.description="Continuous security-posture controller for Kubernetes" \
      org.opencontainers.image.source="https://github.com/bulwark-dev/bulwark" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
# glibc memory settings for the controller (bench/controller-scale.ts runs it with this
# file's ENV). Each thread that allocates (V8's GC and compiler helpers, libuv's pool) gets
# a malloc arena of its own, up to 64 MiB: two arenas were 20 MiB less resident memory at
# 100,000 watched objects. And glibc raises its mmap threshold to the largest block freed,
# so after the first multi-megabyte list page every later one came from the heap and its
# memory stayed there once freed: the fixed 128 KiB threshold was 25 MiB less again.
ENV MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072
WORKDIR /app
# Owned by root and not writable by the runtime user: the container runs with
# a read-only root filesystem anyway, and the code should not be able to
# change itself.
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
USER 65532:65532
EXPOSE 8080
# The image runs the controller: a 16 MB young-generation semi-space is what Node picks in
# deploy/'s 768 MiB pod anyway, and what bench/controller-scale.ts measures it with (a
# scan from the command line starts with 8, see bin/bulwark.js).
ENTRYPOINT ["node", "--max-semi-space-size=16", "dist/src/cli/main.js"]
CMD ["run"]
