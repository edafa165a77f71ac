#!/usr/bin/env bash
# Checks that the explorer builds with Debian 12's own nodejs 18 and npm 9 when this machine has a
# newer node: downloads those Debian packages (and npm's node-* dependencies) with apt-get download,
# extracts them into a scratch folder (nothing is installed), and in a private mount namespace
# (Debian's node reads its built-ins from /usr/share/nodejs) runs npm ci from the committed
# lockfile, the esbuild bundle, and compares the bundle with BUILD's. Run as root.
#   tools/explorer/check_node18.sh BUILD [SCRATCH]
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
scratch=${2:-/tmp/tc0flow-node18}
mkdir -p "$scratch/debs" "$scratch/root/bin" "$scratch/npm"
cd "$scratch/debs"
pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances npm |
       grep -E '^(node-|npm$|libjs-)' | sort -u)
apt-get download -qq nodejs=18.20.4+dfsg-1~deb12u3 libnode108=18.20.4+dfsg-1~deb12u3 $pkgs 2>/dev/null
for f in *.deb; do dpkg-deb -x "$f" "$scratch/root"; done
root=$scratch/root
ln -sf "$root/usr/bin/node" "$root/bin/node"
printf '#!/bin/sh\nexec %s/usr/bin/node /usr/share/nodejs/npm/bin/npm-cli.js "$@"\n' "$root" > "$root/bin/npm"
chmod +x "$root/bin/npm"
cp "$src/web/package.json" "$src/web/package-lock.json" "$scratch/npm/"
mkdir -p /usr/share/nodejs  # the mount point (Debian node reads its built-ins there)
unshare -m bash -euc '
  mount --bind "$1/usr/share/nodejs" /usr/share/nodejs
  export LD_LIBRARY_PATH=$1/usr/lib/x86_64-linux-gnu PATH=$1/bin:$PATH
  echo "node $(node --version), npm $(npm --version)"
  cd "$2/npm" && npm ci --no-audit --no-fund --loglevel=error
  node "$3/web/build.mjs" "$2/npm/node_modules" "$2/app"' _ "$root" "$scratch" "$src"
cmp "$scratch/app/app.js" "$build/tools/tc0flow-explorer/app.js"
echo "node 18 / npm 9: npm ci and the bundle work; app.js is identical to $build's"
