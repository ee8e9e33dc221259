#!/usr/bin/env node
// Entry point of the `schema-drift` command. The sources are TypeScript that Node >= 22.15 runs directly
// (type stripping), so there is no build step.
import { main } from '../src/cli/cli.ts';

process.exitCode = await main(process.argv.slice(2));
