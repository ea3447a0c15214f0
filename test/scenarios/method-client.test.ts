import { setup } from 'xstate';
import { describe, expect, it } from 'vitest';
import { evaluateClaim } from '../../scenarios/claims.ts';
import { DHCP_REPORTS, mirroredStates } from '../../scenarios/metrics/dhcp-mirror.ts';
import { MACHINES } from '../../scenarios/metrics/machine-registry.ts';
import { walkMachine } from '../../scenarios/metrics/machine-walk.ts';
import { machineSize } from '../../scenarios/metrics/machine-size.ts';
import {
  clientComplexity,
  COMMON_CLIENT_MACHINES,
  METHOD_CLIENT_MACHINES,
} from '../../scenarios/metrics/method-client.ts';
import { METHOD_IDS } from '../../scenarios/method-registry.ts';
import { runScenario } from '../../scenarios/run.ts';

/** A glue machine as the redesign writes them: it waits for the DHCP client's reports (seed draft §4). */
const glue = setup({
  types: { events: {} as { type: 'dhcp.bound' } | { type: 'dhcp.nak' } | { type: 'dhcp.send' } | { type: 'ike.up' } },
  guards: { lastTry: () => false },
}).createMachine({
  id: 'glue',
  initial: 'dhcpSa',
  on: { 'dhcp.nak': '.leasing' },
  states: {
    dhcpSa: { on: { 'ike.up': 'leasing' } },
    leasing: { on: { 'dhcp.send': {}, 'dhcp.bound': [{ guard: 'lastTry', target: 'tunnel' }, { target: 'tunnel' }] } },
    tunnel: { type: 'parallel', states: { sa: {}, lease: {} }, after: { 1000: 'dhcpSa' } },
  },
});

describe('machine definitions walked', () => {
  it('lists every state node and every transition with its event, guard and targets', () => {
    const w = walkMachine(glue);
    expect(w.initial).toBe('dhcpSa');
    expect(w.states.map((s) => [s.path, s.kind])).toEqual([
      ['dhcpSa', 'atomic'],
      ['leasing', 'atomic'],
      ['tunnel', 'parallel'],
      ['tunnel.sa', 'atomic'],
      ['tunnel.lease', 'atomic'],
    ]);
    expect(w.transitions).toContainEqual({ from: 'leasing', to: ['tunnel'], event: 'dhcp.bound', guard: 'lastTry' });
    expect(w.transitions).toContainEqual({ from: 'leasing', to: [], event: 'dhcp.send' });
    expect(w.transitions).toContainEqual({ from: 'tunnel', to: ['dhcpSa'], event: 'after 1000' });
    expect(w.transitions).toContainEqual({ from: '', to: ['leasing'], event: 'dhcp.nak' });
    expect(machineSize(glue)).toEqual({ states: 5, transitions: 6 });
  });
});

describe("states represented twice: IKE-side states that react to the DHCP client's reports", () => {
  it('a state mirrors the DHCP states its report events announce; a root transition counts in every top state', () => {
    expect(mirroredStates('glue', walkMachine(glue))).toEqual([
      { state: 'glue.dhcpSa', dhcpStates: ['INIT'], reports: ['dhcp.nak'] },
      {
        state: 'glue.leasing',
        dhcpStates: ['BOUND', 'INIT', 'REBINDING', 'REBOOTING', 'RENEWING', 'REQUESTING', 'SELECTING'],
        reports: ['dhcp.bound', 'dhcp.nak', 'dhcp.send'],
      },
      { state: 'glue.tunnel', dhcpStates: ['INIT'], reports: ['dhcp.nak'] },
    ]);
    // RFC 2131 figure 5: the reports announce BOUND on an ACK, INIT on a NAK.
    expect(DHCP_REPORTS['dhcp.bound']).toEqual(['BOUND']);
  });

  it('a machine that takes the reports under its own event names declares them as aliases', () => {
    const renamed = mirroredStates('glue', walkMachine(glue), { 'ike.up': 'dhcp.bound' });
    expect(renamed.find((s) => s.state === 'glue.dhcpSa')).toEqual({
      state: 'glue.dhcpSa',
      dhcpStates: ['BOUND', 'INIT'],
      reports: ['dhcp.nak', 'ike.up'],
    });
  });

  it('a claim on a figure with no honest value is not-measurable with the reason (mode-cfg mirrors nothing)', () => {
    const r = evaluateClaim({
      id: 'x',
      section: '§4',
      claim: 'mode-cfg mirrors DHCP',
      scenario: 'basic',
      methods: ['mode-cfg'],
      measure: 'm',
      rule: { kind: 'threshold', path: 'clientMachineSize.mirrored', method: 'mode-cfg', op: '>=', value: 0 },
    });
    expect(r.verdict).toBe('not-measurable');
    expect(r.reason).toBe("mode-cfg's client runs no DHCP client to mirror (no mode-cfg clientMachineSize.mirrored)");
    expect(r.figures).toEqual([
      { condition: 'default', method: 'mode-cfg', values: { 'clientMachineSize.mirrored': null } },
    ]);
    expect(r.clients?.map((c) => [c.method, c.machines.map((m) => m.name)])).toEqual([['mode-cfg', ['ike']]]);
  });

  it("the DHCP client's own states never count (it is the machine being mirrored)", () => {
    const dhcp = MACHINES.find((m) => m.name === 'dhcp' && m.side === 'client')?.machine;
    expect(dhcp).toBeDefined();
    const ipsec = clientComplexity('dhcp-over-ipsec');
    expect(ipsec.mirroredStates.every((s) => !s.state.startsWith('dhcp.'))).toBe(true);
  });
});

describe("each method's client as counted for §4", () => {
  it('every method has a line; totals are the sums of its machines, or null while one is pending', () => {
    expect(Object.keys(METHOD_CLIENT_MACHINES).sort()).toEqual([...METHOD_IDS].sort());
    for (const method of METHOD_IDS) {
      const c = clientComplexity(method);
      expect(c.machines.map((m) => m.name)).toEqual(METHOD_CLIENT_MACHINES[method]);
      const pending = c.machines.filter((m) => m.pending !== undefined);
      if (pending.length > 0) {
        expect(c.states).toBeNull();
        expect(c.unmeasured['clientMachineSize.states']).toContain(pending[0]?.name ?? '?');
      } else {
        expect(c.states).toBe(c.machines.reduce((a, m) => a + (m.states ?? 0), 0));
        expect(c.transitions).toBe(c.machines.reduce((a, m) => a + (m.transitions ?? 0), 0));
      }
      // The RFC 2131 client's modules are counted in the client's code only when it runs the DHCP client.
      const hasDhcp = c.machines.some((m) => m.name === 'dhcp');
      expect(c.code.client.code > c.code.own.code).toBe(hasDhcp);
    }
  });

  it('every machine a client runs in a trace is one the method lists (the registry is not missing one)', () => {
    for (const method of METHOD_IDS) {
      const r = runScenario('basic', { method, keepTrace: false });
      const traced = r.metrics.clientMachines.map((m) => m.split(/[:@]/)[0]);
      expect(
        traced.filter(
          (m) => !(METHOD_CLIENT_MACHINES[method] ?? []).includes(m ?? '') && !COMMON_CLIENT_MACHINES.includes(m ?? ''),
        ),
        method,
      ).toEqual([]);
    }
  });
});
