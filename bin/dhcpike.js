#!/usr/bin/env node
// The `dhcpike` command. TypeScript sources run through tsx, so `npx dhcpike` works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
