/** A validation problem: where (field path), what was expected, what was found. Every check reports all of them. */
export interface Problem {
  /** `topology.links[0].profile.lossRatio`; empty for the whole document. */
  readonly path: string;
  readonly expected: string;
  readonly found: string;
}

export type PathPart = string | number;

export function formatPath(parts: readonly PropertyKey[]): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

/** A short rendering of a found value. */
export function foundText(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // Too deep to render (stringify and Array#join both recurse) or a cycle: name the kind of value instead.
    text = Array.isArray(value)
      ? `an array of ${value.length}`
      : typeof value === 'object'
        ? 'an object'
        : typeof value;
  }
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

export function formatProblem(p: Problem): string {
  return `${p.path === '' ? '(document)' : p.path}: expected ${p.expected}, found ${p.found}`;
}

/** Thrown by library calls given a bad scenario; `problems` lists every one. */
export class ScenarioError extends Error {
  constructor(
    readonly problems: readonly Problem[],
    readonly source = 'scenario',
  ) {
    super(`${source}: ${problems.length} problem(s)\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    this.name = 'ScenarioError';
  }
}
