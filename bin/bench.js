#!/usr/bin/env node
// `npm run bench -- NAME` runs bench/NAME.ts and prints its JSON figures.
import { register } from 'tsx/esm/api';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

register();
const dir = fileURLToPath(new URL('../bench/', import.meta.url));
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length));
const wanted = process.argv.slice(2);
const unknown = wanted.filter((n) => !names.includes(n));
if (unknown.length > 0) {
  console.error(`unknown benchmark: ${unknown.join(', ')}; available: ${names.join(', ')}`);
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : names) {
  const mod = await import(new URL(`../bench/${name}.bench.ts`, import.meta.url).href);
  const figures = await mod.run();
  console.log(JSON.stringify({ bench: name, ...figures }));
}
