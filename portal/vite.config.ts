import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * Writes a .br and a .gz beside every text file of the build, so the server sends them compressed
 * (`preCompressed`) without compressing per request.
 */
function precompress(): Plugin {
  return {
    name: 'securebase-precompress',
    apply: 'build',
    // After writing: only then is every chunk final (Vite rewrites preload markers late).
    writeBundle(options) {
      const dir = options.dir as string;
      for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
        if (!/\.(js|css|html|svg)$/.test(file)) continue;
        const bytes = readFileSync(join(dir, file));
        if (bytes.length < 1024) continue;
        writeFileSync(join(dir, `${file}.gz`), gzipSync(bytes, { level: 9 }));
        writeFileSync(
          join(dir, `${file}.br`),
          brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
      }
    },
  };
}

// The portal is served by `securebase serve` from dist/; `npm run dev -w portal` proxies the API.
export default defineConfig({
  plugins: [react(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Hashed file names: the server caches /assets/* for a year.
    assetsDir: 'assets',
    sourcemap: false,
    target: 'es2022',
  },
  server: { proxy: { '/v1': { target: 'http://127.0.0.1:8080', changeOrigin: false } } },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/testing/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    // Rendering tests wait on state, never on time; the default 5 s fails them on a CI machine
    // shared with other work, which is no verdict about the code.
    testTimeout: 30_000,
  },
});
