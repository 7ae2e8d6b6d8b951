#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (a dependency), so the tools need no separate build.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../agent/cli.ts');
process.exitCode = await main();
