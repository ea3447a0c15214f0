/** `dhcpike scenarios`: the scenario library with descriptions. */
import { EXIT_OK, type CliCommand, type CliIo } from '../command.ts';
import { libraryNames, loadScenario } from '../../scenarios/load.ts';
import { parse, reportError } from './args.ts';

const USAGE = `usage: dhcpike scenarios [--json]

Lists scenarios/library/*.json: name, description, and topology features not modelled yet (needs).`;

export async function runScenarios(args: readonly string[], io: CliIo): Promise<number> {
  try {
    const { values: v } = parse(args, { json: { type: 'boolean' } });
    const list = libraryNames().map((name) => {
      const r = loadScenario(name);
      return r.ok
        ? { name, description: r.scenario.description, methods: r.scenario.methods, needs: r.scenario.needs }
        : { name, description: `INVALID: ${r.problems.length} problem(s)`, methods: [], needs: [] };
    });
    if (v['json']) {
      io.out(JSON.stringify(list));
      return EXIT_OK;
    }
    const width = Math.max(...list.map((s) => s.name.length));
    for (const s of list)
      io.out(`${s.name.padEnd(width)}  ${s.description}${s.needs.length > 0 ? ` [needs: ${s.needs.join(', ')}]` : ''}`);
    return EXIT_OK;
  } catch (e) {
    return reportError(e, io, 'scenarios');
  }
}

export const scenariosCommand: CliCommand = {
  name: 'scenarios',
  summary: 'list the scenario library',
  usage: USAGE,
  run: runScenarios,
};
