# wafleet image: `docker build -t wafleet .` — see docs/operations.md.
# Stage 1 compiles src/ and the dashboard and keeps production dependencies only; the final image holds dist/,
# those node_modules and package.json, runs as the unprivileged `node` user, and node is PID 1
# (exec-form ENTRYPOINT, no shell in between), so `docker stop`'s SIGTERM reaches wafleet,
# which drains and exits 0.
# test/integration/image-contents.test.ts rebuilds these contents without Docker.

FROM node:22-bookworm-slim AS build
WORKDIR /app
# A C/C++ toolchain for better-sqlite3 when no prebuilt binary fits the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The web dashboard's sources: `npm run build` compiles them into dist/dashboard.
COPY dashboard ./dashboard
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
# WAFLEET_HOST defaults to 127.0.0.1, which nothing outside the container can reach.
ENV NODE_ENV=production \
    WAFLEET_HOST=0.0.0.0 \
    WAFLEET_PORT=3000 \
    WAFLEET_DATA_DIR=/var/lib/wafleet
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /var/lib/wafleet && chown node:node /var/lib/wafleet
USER node
VOLUME ["/var/lib/wafleet"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.WAFLEET_PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/main.js"]
CMD ["serve"]
