#!/usr/bin/env node
// The `dhcpike` command. Runs the prebuilt bundle (`npm run build:cli`, dist-cli/) when it is there and built from
// the sources as they are now; otherwise the TypeScript sources through tsx, so `npx dhcpike` works right after
// `npm ci` and a stale bundle never runs. The choice is silent (stdout is often JSON); DHCPIKE_BUNDLE_DEBUG=1 writes
// it on stderr, DHCPIKE_NO_BUNDLE=1 forces tsx. Stack traces name the bundle's lines unless Node maps them back
// (NODE_OPTIONS=--enable-source-maps: ~150 ms more per start, so not by default).
// The commands that run scenarios re-execute Node once with larger young-generation semi-spaces and a lower heap
// growing factor (bin/node-flags.js: less CPU in garbage collection, a smaller peak RSS); DHCPIKE_NODE_FLAGS=0, or
// Node started with its own such flag, runs in this process with what it was given.
import { fileURLToPath } from 'node:url';
import { bundleChoice } from './cli-bundle.js';
import { reexec, reexecFlags } from './node-flags.js';

const flags = reexecFlags(process.argv.slice(2), process.execArgv, process.env);
if (flags !== null) process.exit(reexec(fileURLToPath(import.meta.url), flags));

const choice = bundleChoice();
if (process.env.DHCPIKE_BUNDLE_DEBUG === '1')
  process.stderr.write(
    (choice.use
      ? `dhcpike: bundle ${fileURLToPath(new URL('dhcpike.mjs', choice.dirUrl))}`
      : `dhcpike: tsx (${choice.reason})`) +
      (process.execArgv.length > 0 ? `; node ${process.execArgv.join(' ')}\n` : '\n'),
  );
let main;
if (choice.use) ({ main } = await import(new URL('dhcpike.mjs', choice.dirUrl).href));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
