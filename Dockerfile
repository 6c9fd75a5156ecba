# porta's container image: `docker build -t porta .` then `docker run -p 8080:8080 porta`
# serves the bundled welcome site; mount a folder and run `serve /srv` to serve yours, or
# mount a porta.yaml and run `run -c /etc/porta/porta.yaml`. See docs/deployment.md.

# Stage 1: build with the dev dependencies (they stay in this stage): tsc's dist/ (the library)
# and the command-line bundle dist/bundle/ (Rollup, scripts/bundle.mjs) the ENTRYPOINT runs.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle.mjs ./scripts/
COPY src ./src
RUN npm run build

# Stage 2: the production dependencies alone, installed from the lock file.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# Stage 3: what runs: node, the build, production dependencies (tsx, for TypeScript apps, and
# the library's imports), the welcome site.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
# The admin listener (/healthz, /readyz, /metrics) for every command, on loopback inside the
# container, unless the config or --admin sets one: the HEALTHCHECK below asks it.
ENV PORTA_ADMIN=127.0.0.1:2019
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY site ./site
# The admin status page, read from the package's folder (src/build-layout.ts).
COPY assets ./assets
# The unprivileged user of the node image (uid 1000); ports above 1024 need no capability.
USER node
# The site's port. The admin port (2019) is loopback-only here, so it is not exposed.
EXPOSE 8080
# `docker stop` sends SIGTERM to node, PID 1, straight from the exec-form ENTRYPOINT (no shell
# in between): porta handles it itself (PID 1 gets no default signal actions), stops
# accepting, turns /readyz to 503, finishes in-flight requests within timeouts.shutdown (10s)
# and exits 0. Give `docker stop -t` more than that.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "const a=process.env.PORTA_ADMIN||'2019';fetch('http://'+(a.includes(':')?a:'127.0.0.1:'+a)+'/healthz',{signal:AbortSignal.timeout(2500)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/bundle/main.js"]
CMD ["serve", "site", "--port", "8080"]
