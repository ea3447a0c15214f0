/**
 * The five method ids the schema accepts, which of them the models register today, and every named policy
 * (the shared IKE ones plus each registered method module's `policies` export).
 */
import { methodById, methodIds } from '../models/methods/index.ts';
import { COMMON_POLICIES, type PolicyDescriptor } from '../models/methods/policy.ts';

export const METHOD_IDS = [
  'dhcp-over-ike',
  'dhcp-over-ike-wg',
  'mode-cfg',
  'mode-cfg-dhcp',
  'dhcp-over-ipsec',
] as const;
export type MethodId = (typeof METHOD_IDS)[number];

export function isMethodId(s: string): s is MethodId {
  return (METHOD_IDS as readonly string[]).includes(s);
}

/** Method ids with a module in models/methods/index.ts, in METHOD_IDS order. */
export function registeredMethods(): MethodId[] {
  const have = new Set(methodIds());
  return METHOD_IDS.filter((id) => have.has(id));
}

export function isRegistered(id: string): boolean {
  return methodIds().includes(id);
}

export class MethodNotRegisteredError extends Error {
  constructor(readonly method: string) {
    super(
      `method '${method}' is not registered yet (models/methods/index.ts has: ${methodIds().join(', ') || 'none'})`,
    );
    this.name = 'MethodNotRegisteredError';
  }
}

function methodPolicies(id: string): readonly PolicyDescriptor[] {
  const m: unknown = methodById(id);
  const p = (m as { policies?: unknown }).policies;
  return Array.isArray(p) ? (p as PolicyDescriptor[]) : [];
}

/** Shared policies first, then each registered method's, deduplicated by name (first wins). */
export function allPolicies(): readonly PolicyDescriptor[] {
  const out: PolicyDescriptor[] = [...COMMON_POLICIES];
  const seen = new Set(out.map((d) => d.name));
  for (const id of registeredMethods()) {
    for (const d of methodPolicies(id)) {
      if (seen.has(d.name)) continue;
      seen.add(d.name);
      out.push(d);
    }
  }
  return out;
}

export function policyByName(name: string): PolicyDescriptor | undefined {
  return allPolicies().find((d) => d.name === name);
}
