#!/usr/bin/env node
// Entry point of the `schema-drift` command. The sources are TypeScript that Node >= 22.15 runs directly
// (type stripping), so there is no build step. This file is plain JavaScript so that an older Node reaches the
// version check below instead of failing on the `.ts` import with ERR_UNKNOWN_FILE_EXTENSION.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 15)) {
  process.stderr.write(`schema-drift: needs Node.js >= 22.15 (this is ${process.version}); scripts/with-node24 in the repository runs it on Node 24\n`);
  process.exit(2);
}
const { main } = await import('../src/cli/cli.ts');
process.exitCode = await main(process.argv.slice(2));
