# syntax=docker/dockerfile:1
# Argus image: the CLI (and, later, the server) with its models baked in.
#   docker build -t argus .
#   docker run --rm -v "$PWD:/work" argus detect --json /work/photo.jpg

# ---- build: compile the native addons and TypeScript, fetch the model weights
FROM node:20-bookworm-slim AS build
# hnswlib-node and better-sqlite3 compile native addons during `npm ci`, and Argus its own two
# small ones (native/: per-thread flush-to-zero for inference threads, and the image resize loops)
# during `npm run prepare`.
RUN apt-get update \
  && apt-get install -y --no-install-recommends g++ make python3 \
  && rm -rf /var/lib/apt/lists/*
# CI uses npm 11, which honours `allowScripts` in package.json (npm 10 ignores it).
RUN npm install -g npm@11
WORKDIR /app

# Dependencies first, so this layer is reused while only the sources change. .npmrc makes
# onnxruntime-node skip its CUDA download. The root `prepare` script (build + models) needs the
# sources, so it is dropped for this step only; `COPY . .` below restores package.json.
COPY package.json package-lock.json .npmrc ./
# Same as .npmrc, for npm versions that stop passing unknown .npmrc keys to install scripts.
ENV ONNXRUNTIME_NODE_INSTALL=skip
RUN npm pkg delete scripts.prepare && npm ci --no-audit --no-fund

COPY . .
# prepare rebuilds hnswlib-node with AVX2/FMA when the build host has them (faster gallery search):
# pass --build-arg ARGUS_HNSW_PORTABLE=1 for an image that may run on a CPU without AVX2.
ARG ARGUS_HNSW_PORTABLE=0
# Builds dist/ and downloads and verifies the weights into models/.
RUN ARGUS_HNSW_PORTABLE=$ARGUS_HNSW_PORTABLE npm run prepare && npm prune --omit=dev --no-audit --no-fund

# ---- runtime
FROM node:20-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/native/build/Release/argus_fpu.node /app/native/build/Release/argus_image.node ./native/build/Release/
# The model loader rewrites models/.verified.json when file times change (as they do on copy),
# so the runtime user must own models/. data/ is the default ARGUS_DATA_DIR (./data).
COPY --from=build --chown=node:node /app/models ./models
RUN mkdir -p data && chown node:node data models
USER node

EXPOSE 8080
ENTRYPOINT ["node", "bin/argus.js"]
# TODO: becomes ["serve"] once the server command exists; until then the image prints its usage.
CMD ["--help"]
