#!/usr/bin/env node
// depot-agent: the bundle when it is fresh, else the sources (see run-bundle.mjs).
import { runBundle } from './run-bundle.mjs';

await runBundle('depot-agent', ['agent/agent', 'agent/shared', 'lib/contract', 'lib/schedule'], 'agent/agent/cli.ts');
