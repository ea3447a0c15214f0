/** `dhcpike claims`: every claim of the seed draft's §3 and §4 with its experiment, figures and verdict. */
import { EXIT_OK, type CliCommand, type CliIo } from '../command.ts';
import { evaluateClaims, type ClaimResult, type ClientCount } from '../../scenarios/claims.ts';
import { useFileCounts } from '../../scenarios/metrics/code-lines-node.ts';
import { parse, reportError } from './args.ts';
import { renderMarkdown, renderText, type TableData } from './table.ts';

const USAGE = `usage: dhcpike claims [--json|--markdown]

Runs the experiment of each claim of draft-richardson-ipsec-dhcp-over-ike-00 §3 and §4 (scenarios/claims/*.json)
and prints its verdict: supported, refuted, depends (with the condition), not-run or not-measurable (with the
reason). Text output: a summary table, then each claim with its words, what is measured and the figures per condition
and method; a claim on the clients lists per method every machine counted (states/transitions), the IKE-side states
mirroring DHCP states and the code lines (counted from the module files).`;

const n = (x: number | null): string => (x === null ? '—' : String(x));

/** One method's client as counted: machines with sizes, totals, mirrored states, code. */
function clientLines(c: ClientCount): string[] {
  const machines = c.machines
    .map((m) =>
      m.pending ? `${m.name} (not counted: ${m.pending})` : `${m.name}=${m.id} ${m.states}/${m.transitions}`,
    )
    .join(', ');
  const mirrored =
    c.mirroredStates.length === 0
      ? 'none'
      : c.mirroredStates.map((s) => `${s.state} ↔ ${s.dhcpStates.join('|')}`).join(', ');
  return [
    `    ${c.method}: machines ${machines}; total ${n(c.states)} states / ${n(c.transitions)} transitions`,
    `      IKE-side states mirroring DHCP states: ${mirrored}`,
    `      code lines: client ${c.code.client} (without the RFC 2131 client ${c.code.withoutDhcp}), gateway ${c.code.gateway}; ${c.files.length} client files`,
  ];
}

function clientsSummary(r: ClaimResult): string {
  return (r.clients ?? [])
    .map(
      (c) =>
        `${c.method}: ${c.machines.map((m) => `${m.name} ${m.pending ? 'pending' : `${m.states}/${m.transitions}`}`).join(' + ')}, code ${c.code.client}`,
    )
    .join('; ');
}

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
    if (r.clients) {
      out.push('  clients counted (states/transitions per machine):');
      for (const c of r.clients) out.push(...clientLines(c));
    }
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
    // The code lines counted from the module files here (the browser reads the generated JSON).
    useFileCounts();
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
        [figuresText(r), clientsSummary(r), r.reason ?? ''].filter(Boolean).join(' — '),
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
