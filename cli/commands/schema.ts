/** `dhcpike schema`: the JSON Schema of scenario files (options built from the policy descriptors). */
import { EXIT_OK, type CliCommand, type CliIo } from '../command.ts';
import { scenarioJsonSchema } from '../../scenarios/load.ts';
import { allPolicies } from '../../scenarios/method-registry.ts';
import { policyExpected } from '../../models/methods/policy.ts';
import { parse, reportError } from './args.ts';

const USAGE = `usage: dhcpike schema [--options]

Prints the JSON Schema (draft 2020-12) of scenario files. --options lists the named policies instead
(name, accepted values, default, section, doc) — the names --option and a scenario's "options" accept.`;

export async function runSchema(args: readonly string[], io: CliIo): Promise<number> {
  try {
    const { values: v } = parse(args, { options: { type: 'boolean' } });
    if (v['options']) {
      for (const d of allPolicies())
        io.out(`${d.name}  (${d.section}) ${policyExpected(d)}; default ${JSON.stringify(d.default)} — ${d.doc}`);
      return EXIT_OK;
    }
    io.out(JSON.stringify(scenarioJsonSchema(), null, 2));
    return EXIT_OK;
  } catch (e) {
    return reportError(e, io, 'schema');
  }
}

export const schemaCommand: CliCommand = {
  name: 'schema',
  summary: 'print the JSON Schema of scenario files',
  usage: USAGE,
  run: runSchema,
};
