# The sparkplane runtime: `docker build -t ghcr.io/<org>/sparkplane:<version> .`
# The stack config's sparkplane:platform.runtimeImage names the pushed image.

# build: production dependencies only; better-sqlite3 compiles here (the full image has python3, make, g++)
FROM node:20-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force

# run: slim image of the same Debian release, so the native module's libc matches
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY runtime ./runtime
# on PATH for the control plane's kubeconfig, whose exec plugin is `sparkplane cluster-token`
RUN ln -s /app/bin/sparkplane.js /usr/local/bin/sparkplane
# uid 1000, as the Deployment's securityContext expects (runAsNonRoot)
USER node
EXPOSE 8080
ENTRYPOINT ["node", "bin/sparkplane.js"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
