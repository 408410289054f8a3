#!/usr/bin/env node
// Runs the compiled CLI from dist/ (`npm run build`; `npm start` rebuilds it when sources are newer).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('securebase: dist/ is not built; run `npm run build` (or `npm start`) first');
  process.exit(1);
}
await import(main.href);
