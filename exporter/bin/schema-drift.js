#!/usr/bin/env node
// Entry point of the `schema-drift` command. In the repository it runs the TypeScript sources directly (Node >= 22.15
// strips the types, no build step); the npm package ships them compiled to dist/ instead (`npm pack` builds it) and no
// src/. This file is plain JavaScript so that an older Node reaches the version check below instead of failing on the
// `.ts` import with ERR_UNKNOWN_FILE_EXTENSION.
import { existsSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 15)) {
  process.stderr.write(`schema-drift: needs Node.js >= 22.15 (this is ${process.version}); scripts/with-node24 in the repository runs it on Node 24\n`);
  process.exit(2);
}
const sources = new URL('../src/cli/cli.ts', import.meta.url);
const { main } = await import(existsSync(sources) ? sources.href : new URL('../dist/cli/cli.js', import.meta.url).href);
process.exitCode = await main(process.argv.slice(2));
