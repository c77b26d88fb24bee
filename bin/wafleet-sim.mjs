#!/usr/bin/env node
// Runs the simulator CLI through tsx so no build step is needed.
import { register } from 'tsx/esm/api';
register();
await import('../sim/cli.ts');
