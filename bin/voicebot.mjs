#!/usr/bin/env node
// Entry point: TypeScript sources run through tsx's loader (no build step needed).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../engine/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
