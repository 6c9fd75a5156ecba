# porta's container image: `docker build -t porta .` then `docker run -p 8080:8080 porta`
# serves the bundled welcome site; mount a folder and run `serve /srv` to serve yours, or
# mount a porta.yaml and run `run -c /etc/porta/porta.yaml`.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY site ./site
# An unprivileged user; ports above 1024 need no capability.
USER node
EXPOSE 8080
# docker stop sends SIGTERM: porta stops accepting, finishes in-flight requests, exits 0.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=3s \
  CMD node -e "fetch('http://127.0.0.1:8080/').then(r=>process.exit(r.status<500?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/main.js"]
CMD ["serve", "site", "--port", "8080"]
