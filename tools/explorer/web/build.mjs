// Bundles the explorer (src/main.js -> app.js + app.css) with esbuild and copies index.html.
//   node build.mjs NODE_MODULES_DIR OUT_DIR
// The packages come from the build tree (npm ci there, see ../CMakeLists.txt), so they are
// resolved from NODE_MODULES_DIR rather than next to this file.
import { createRequire } from 'node:module';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [modules, out] = process.argv.slice(2);
if (!modules || !out) {
  console.error('usage: node build.mjs NODE_MODULES_DIR OUT_DIR');
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const esbuild = createRequire(join(modules, 'noop.js'))('esbuild');
mkdirSync(out, { recursive: true });
await esbuild.build({
  entryPoints: { app: join(here, 'src', 'main.js') },
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome100', 'firefox100', 'safari15'],
  nodePaths: [modules],
  outdir: out,
  logLevel: 'warning',
  legalComments: 'none',
});
copyFileSync(join(here, 'index.html'), join(out, 'index.html'));
