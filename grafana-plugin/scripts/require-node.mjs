// Run before the build: webpack.config.ts and the packaging script are TypeScript that Node >= 22.15 runs directly.
// On an older Node, webpack fails with a message about the config's extension that does not say why; this says.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 15)) {
  process.stderr.write(
    `schema-drift-panel: building needs Node.js >= 22.15 (this is ${process.version}); run it as scripts/with-node24 npm run build:plugin from the repository root\n`,
  );
  process.exit(1);
}
