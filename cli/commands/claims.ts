/** `dhcpike claims`: every claim of the seed draft's §3 and §4 with its experiment, figures and verdict. */
import { EXIT_OK, type CliCommand, type CliIo } from '../command.ts';
import { evaluateClaims, type ClaimResult } from '../../scenarios/claims.ts';
import { parse, reportError } from './args.ts';
import { renderMarkdown, renderText, type TableData } from './table.ts';

const USAGE = `usage: dhcpike claims [--json|--markdown]

Runs the experiment of each claim of draft-richardson-ipsec-dhcp-over-ike-00 §3 and §4 (scenarios/claims/*.json)
and prints its verdict: supported, refuted, depends (with the condition), or not-run (with the reason, e.g. a method
not registered yet).`;

function figuresText(r: ClaimResult): string {
  return r.figures
    .map(
      (f) =>
        `${f.condition === 'default' ? '' : `[${f.condition}] `}${f.method}: ${Object.entries(f.values)
          .map(([k, v]) => `${k}=${v ?? '—'}`)
          .join(', ')}`,
    )
    .join('; ');
}

export async function runClaims(args: readonly string[], io: CliIo): Promise<number> {
  try {
    const { values: v, positionals } = parse(args, { json: { type: 'boolean' }, markdown: { type: 'boolean' } });
    if (positionals.length > 0) {
      io.err(USAGE);
      return 2;
    }
    const results = evaluateClaims();
    if (v['json']) {
      io.out(JSON.stringify({ claims: results }));
      return EXIT_OK;
    }
    const data: TableData = {
      header: ['id', 'section', 'verdict', 'figures / reason', 'claim'],
      rows: results.map((r) => [
        r.id,
        r.section,
        r.verdict,
        [figuresText(r), r.reason ?? ''].filter(Boolean).join(' — '),
        r.claim,
      ]),
    };
    for (const line of v['markdown'] ? renderMarkdown(data) : renderText(data, io.isTty)) io.out(line);
    return EXIT_OK;
  } catch (e) {
    return reportError(e, io, 'claims');
  }
}

export const claimsCommand: CliCommand = {
  name: 'claims',
  summary: "the seed draft's §3/§4 claims, measured, with verdicts",
  usage: USAGE,
  run: runClaims,
};
