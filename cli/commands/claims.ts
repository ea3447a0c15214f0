/** `dhcpike claims`: every claim of the seed draft's §3 and §4 with its experiment, figures and verdict. */
import { EXIT_OK, type CliCommand, type CliIo } from '../command.ts';
import { evaluateClaims, type ClaimResult } from '../../scenarios/claims.ts';
import { parse, reportError } from './args.ts';
import { renderMarkdown, renderText, type TableData } from './table.ts';

const USAGE = `usage: dhcpike claims [--json|--markdown]

Runs the experiment of each claim of draft-richardson-ipsec-dhcp-over-ike-00 §3 and §4 (scenarios/claims/*.json)
and prints its verdict: supported, refuted, depends (with the condition), or not-run (with the reason). Text output: a
summary table, then each claim with its words, what is measured and the figures per condition and method.`;

function figureLine(f: ClaimResult['figures'][number]): string {
  const values = Object.entries(f.values)
    .map(([k, v]) => `${k}=${v ?? '—'}`)
    .join(', ');
  return `${f.condition === 'default' ? '' : `[${f.condition}] `}${f.method}: ${values}`;
}

function figuresText(r: ClaimResult): string {
  return r.figures.map(figureLine).join('; ');
}

/** Text: a summary table (id, section, verdict), then one block per claim with its words, measure and figures. */
function textLines(results: readonly ClaimResult[], tty: boolean): string[] {
  const out = renderText(
    { header: ['id', 'section', 'verdict'], rows: results.map((r) => [r.id, r.section, r.verdict]) },
    tty,
  );
  for (const r of results) {
    out.push('', `${r.id} (${r.section}, scenario ${r.scenario}): ${r.verdict}${r.reason ? ` — ${r.reason}` : ''}`);
    out.push(`  claim:   ${r.claim}`, `  measure: ${r.measure}`);
    for (const f of r.figures) out.push(`  ${figureLine(f)}`);
  }
  return out;
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
    for (const line of v['markdown'] ? renderMarkdown(data) : textLines(results, io.isTty)) io.out(line);
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
