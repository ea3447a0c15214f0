/**
 * The whole lab on the fast runtime: every `createActor(machine)` the models make (ike initiator/responder, gateway,
 * client, DHCP client/server, carrier, relay session, rfc3456 client, dhcp-proxy session, provider asks via invoke,
 * spawned initiators) is switched to the fast interpreter by mocking xstate's `createActor` in this file only (the
 * models are not wired), and each scenario's full trace and digest must equal the xstate run's, per method.
 */
import { describe, expect, it, vi } from 'vitest';
import type * as XState from 'xstate';
import type { MethodId } from '../../../scenarios/method-registry.ts';

const flag = vi.hoisted(() => ({
  fast: false,
  fastActors: 0,
  wrap: undefined as ((machine: object) => unknown) | undefined,
}));

vi.mock('xstate', async (importOriginal) => {
  const orig = await importOriginal<typeof XState>();
  return {
    ...orig,
    createActor: (logic: unknown, options: unknown) => {
      if (flag.fast && flag.wrap !== undefined && logic instanceof orig.StateMachine) {
        flag.fastActors += 1;
        return orig.createActor(flag.wrap(logic) as never, options as never);
      }
      return orig.createActor(logic as never, options as never);
    },
  };
});

flag.wrap = (await import('../../../sim/statechart/logic.ts')).fastMachineLogic;
const { runScenario } = await import('../../../scenarios/run.ts');
const { METHOD_IDS } = await import('../../../scenarios/method-registry.ts');

function both(scenario: string, method: MethodId, seed?: number) {
  flag.fast = false;
  const slow = runScenario(scenario, { method, ...(seed === undefined ? {} : { seed }) });
  flag.fast = true;
  flag.fastActors = 0;
  try {
    const fast = runScenario(scenario, { method, ...(seed === undefined ? {} : { seed }) });
    return { slow, fast, fastActors: flag.fastActors };
  } finally {
    flag.fast = false;
  }
}

describe('scenarios run identically on the fast statechart runtime', () => {
  for (const scenario of ['basic', 'drop-offer', 'lossy', 'rekey-renewal', 'gateway-restart', 'pool-exhaustion']) {
    for (const method of METHOD_IDS) {
      it(`${scenario} / ${method}`, () => {
        const { slow, fast, fastActors } = both(scenario, method);
        expect(fastActors).toBeGreaterThan(0);
        expect(fast.trace.length).toBe(slow.trace.length);
        for (let i = 0; i < slow.trace.length; i++) expect(fast.trace[i], `trace entry ${i}`).toEqual(slow.trace[i]);
        expect(fast.traceSha256).toBe(slow.traceSha256);
      });
    }
  }
});
