/**
 * The Options panel, built from the policy descriptors (models/methods/policy.ts: the shared IKE policies and each
 * registered method's) and the scenario's declared parameters: one control per policy (select for `enum`, checkbox for
 * `bool`, number with the descriptor's bounds for `int` / `durationMs`). Values are kept as text, exactly what
 * `dhcpike run --option name=value` / `--param name=value` take; the scenario loader checks them.
 */
import type { PolicyDescriptor } from '../runner.ts';
import type { ParameterInfo } from '../runner.ts';
import { el } from './dom.ts';

export interface OptionsInput {
  readonly policies: readonly PolicyDescriptor[];
  readonly parameters: readonly ParameterInfo[];
  readonly options: Readonly<Record<string, string>>;
  readonly params: Readonly<Record<string, string>>;
  onChange(options: Record<string, string>, params: Record<string, string>): void;
}

function control(d: PolicyDescriptor, value: string | undefined): HTMLInputElement | HTMLSelectElement {
  const current = value ?? String(d.default);
  const attrs = { 'data-option': d.name, 'aria-label': d.name, title: d.doc };
  if (d.kind === 'enum') {
    const s = el('select', attrs);
    for (const v of d.values ?? []) s.append(el('option', { value: v }, v));
    s.value = current;
    return s;
  }
  if (d.kind === 'bool') {
    const c = el('input', { ...attrs, type: 'checkbox' });
    c.checked = current === 'true';
    return c;
  }
  return el('input', {
    ...attrs,
    type: 'number',
    step: '1',
    min: String(d.min ?? 0),
    ...(d.max !== undefined ? { max: String(d.max) } : {}),
    value: current,
  });
}

const valueOf = (c: HTMLInputElement | HTMLSelectElement): string =>
  c instanceof HTMLInputElement && c.type === 'checkbox' ? String(c.checked) : c.value;

export function renderOptions(root: HTMLElement, input: OptionsInput): void {
  root.replaceChildren();
  const controls: { name: string; c: HTMLInputElement | HTMLSelectElement; def: string }[] = [];
  const params: { name: string; c: HTMLInputElement; def: string }[] = [];
  if (input.parameters.length > 0) {
    const t = el('table', { class: 'opts params' });
    for (const p of input.parameters) {
      const c = el('input', {
        type: 'text',
        size: '8',
        'data-param': p.name,
        'aria-label': p.name,
        title: p.doc,
        value: input.params[p.name] ?? String(p.default),
      });
      params.push({ name: p.name, c, def: String(p.default) });
      t.append(el('tr', {}, el('td', { title: p.doc }, p.name), el('td', {}, c), el('td', { class: 'doc' }, p.doc)));
    }
    root.append(el('div', { class: 'sub' }, 'Scenario parameters (--param)'), t);
  }
  const bySection = new Map<string, PolicyDescriptor[]>();
  for (const d of input.policies) bySection.set(d.section, [...(bySection.get(d.section) ?? []), d]);
  root.append(el('div', { class: 'sub' }, 'Policies (--option); changed values are bold'));
  for (const [section, list] of bySection) {
    const t = el('table', { class: 'opts' });
    for (const d of list) {
      const c = control(d, input.options[d.name]);
      controls.push({ name: d.name, c, def: String(d.default) });
      const changed = input.options[d.name] !== undefined && input.options[d.name] !== String(d.default);
      t.append(
        el(
          'tr',
          changed ? { class: 'changed' } : {},
          el('td', { title: d.doc }, d.name),
          el('td', {}, c),
          el('td', { class: 'doc' }, d.doc),
        ),
      );
    }
    root.append(el('div', { class: 'section' }, section), t);
  }
  const apply = el('button', { type: 'button', id: 'apply-options' }, 'Apply & re-run (same seed)');
  const reset = el('button', { type: 'button' }, 'Defaults');
  apply.addEventListener('click', () => {
    const options: Record<string, string> = {};
    for (const { name, c, def } of controls) if (valueOf(c) !== def) options[name] = valueOf(c);
    const ps: Record<string, string> = {};
    for (const { name, c, def } of params) if (c.value.trim() !== def) ps[name] = c.value.trim();
    input.onChange(options, ps);
  });
  reset.addEventListener('click', () => input.onChange({}, {}));
  root.append(el('div', { class: 'row' }, apply, reset));
}
