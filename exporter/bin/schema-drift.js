#!/usr/bin/env node
// Entry point of the `schema-drift` command. In the repository it runs the TypeScript sources directly (Node >= 22.15
// strips the types, no build step); the npm package ships them compiled to dist/ instead (`npm pack` builds it) and no
// src/. This file is plain JavaScript so that an older Node reaches the version check below instead of failing on the
// `.ts` import with ERR_UNKNOWN_FILE_EXTENSION.
import { existsSync } from 'node:fs';
import module from 'node:module';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 15)) {
  process.stderr.write(`schema-drift: needs Node.js >= 22.15 (this is ${process.version}); scripts/with-node24 in the repository runs it on Node 24\n`);
  process.exit(2);
}
// Node's on-disk compile cache (os.tmpdir()/node-compile-cache, or NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1
// turns it off): a later start reuses the compiled code, and from the sources the type-stripped text too, instead of
// stripping every file again. It never throws; when it cannot write there, the CLI starts as it would without it.
module.enableCompileCache?.();
const sources = new URL('../src/cli/cli.ts', import.meta.url);
const { main } = await import(existsSync(sources) ? sources.href : new URL('../dist/cli/cli.js', import.meta.url).href);
process.exitCode = await main(process.argv.slice(2));
