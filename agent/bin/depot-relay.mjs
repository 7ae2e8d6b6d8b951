#!/usr/bin/env node
// depot-relay: the bundle when it is fresh, else the sources (see run-bundle.mjs).
import { runBundle } from './run-bundle.mjs';

await runBundle('depot-relay', ['agent/relay', 'agent/shared', 'lib/contract', 'lib/format-bytes.ts'], 'agent/relay/cli.ts');
