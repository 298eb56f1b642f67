#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/benchmark/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error('facebench: the compiled CLI is missing (dist/). Run `npm ci` or `npm run build` in the facebench folder first.');
  process.exit(1);
}
await import(cli.href);
