import { describe, expect, it } from 'vitest';
import { WireEmitError, decodeError } from '../../models/wire/result.ts';
import type { PacketCodec } from '../../models/contract.ts';
import { Simulation, type SimulationOptions } from '../../sim/simulation.ts';
import type { SentSummarySource, TraceEvent } from '../../sim/trace.ts';
import { toHex } from '../../sim/trace-hash.ts';
import { runScenario } from '../../sim/run.ts';
import { udpCodec, type UdpPacket } from './support/udp.ts';
import { TestNode, testNode } from './support/test-node.ts';

const rejecting: PacketCodec<UdpPacket> = {
  ...udpCodec,
  decode: () => decodeError('udp.length', 24, 'length 9 < 8 + payload'),
};
const throwingEncoder: PacketCodec<UdpPacket> = {
  ...udpCodec,
  encode: (p) => {
    if (p.text === 'bad') throw new WireEmitError('udp.payload', 'too long');
    return udpCodec.encode(p);
  },
};

function pair(
  aCodec?: PacketCodec<UdpPacket>,
  bCodec?: PacketCodec<UdpPacket>,
  options: Partial<SimulationOptions> = {},
) {
  const a = testNode('a', '10.0.0.1', 30, aCodec);
  const b = testNode('b', '10.0.0.2', 30, bCodec);
  const sim = new Simulation(
    {
      nodes: [a, b],
      links: [
        {
          kind: 'p2p',
          name: 'p0',
          a: { node: 'a', iface: 'eth0' },
          b: { node: 'b', iface: 'eth0' },
          profile: { latencyUs: 10 },
        },
      ],
    },
    { seed: 1, traceLevel: 'full', ...options },
  );
  sim.start();
  return { a, b, sim };
}

describe('host binding', () => {
  it('hands a send event its datagram; the hex is left out only when the one consumer takes the datagram', () => {
    const seen = (options: Partial<SimulationOptions>) => {
      const got: { event: TraceEvent; packet: Uint8Array | undefined }[] = [];
      const { a, sim } = pair(undefined, undefined, {
        ...options,
        onTraceEvent: (event, packet) => void got.push({ event, packet }),
      });
      sim.scheduler.at(0, () => a.sendText('eth0', '10.0.0.2', 'x'));
      sim.runUntilIdle();
      const send = got.find((g) => g.event.type === 'send');
      expect(got.filter((g) => g.packet !== undefined)).toEqual([send]);
      return { hex: send?.event.type === 'send' ? send.event.bytes : undefined, packet: send?.packet };
    };
    // The digest does not read the text either: it hashes the digits written from the datagram (trace-line-bytes.ts).
    for (const options of [
      { keepEvents: false, digest: false, onTraceEventTakesPacket: true },
      { keepEvents: false, onTraceEventTakesPacket: true },
    ]) {
      const streamed = seen(options);
      expect(streamed.hex).toBe('');
      expect(streamed.packet && toHex(streamed.packet)).toBe(
        '4500001d00000000401100000a0000010a00000203e807d00009000078',
      );
    }
    // Anyone else reading the text (kept events, a consumer that did not say it takes the datagram): hex.
    for (const options of [
      { digest: false, onTraceEventTakesPacket: true },
      { keepEvents: false, digest: false },
    ]) {
      const r = seen(options);
      expect(r.hex).toBe(r.packet && toHex(r.packet));
    }
  });

  it('without anyone reading summaries, a send hands its consumer the summary on request and events carry none', () => {
    let summarised = 0;
    const counting: PacketCodec<UdpPacket> = {
      ...udpCodec,
      summarize: (p) => {
        summarised++;
        return udpCodec.summarize(p);
      },
    };
    const run = (options: Partial<SimulationOptions>, summarize: boolean, ask: boolean) => {
      summarised = 0;
      const got: { event: TraceEvent; asked: string | undefined }[] = [];
      const { a, sim } = pair(counting, undefined, {
        ...options,
        onTraceEvent: (event, _packet, source?: SentSummarySource) =>
          void got.push({ event, asked: ask ? source?.sentSummary() : undefined }),
      });
      if (summarize) sim.trace.letOnEventSummarize();
      sim.scheduler.at(0, () => a.sendText('eth0', '10.0.0.2', 'x'));
      sim.runUntilIdle();
      const packetEvents = got.filter((g) => g.event.type === 'send' || g.event.type === 'deliver');
      return { summaries: packetEvents.map((g) => (g.event as { summary: string }).summary), got, summarised };
    };
    const streaming = { keepEvents: false, digest: false, onTraceEventTakesPacket: true };
    const plain = run(streaming, false, false);
    const text = plain.summaries[0];
    expect(plain.summaries).toEqual([text, text]);
    expect(text).not.toBe('');
    expect(plain.summarised).toBe(1);
    // The consumer summarises for itself: none made unless asked; asked, the send's own.
    expect(run(streaming, true, false)).toMatchObject({ summaries: ['', ''], summarised: 0 });
    const asked = run(streaming, true, true);
    expect(asked.summaries).toEqual(['', '']);
    expect(asked.got.find((g) => g.event.type === 'send')?.asked).toBe(text);
    expect(asked.summarised).toBe(1);
    // Anyone else reading the events (kept, hashed, lines) keeps the summaries in them.
    for (const other of [{ keepEvents: true }, { digest: true }, { onTraceLine: () => undefined }])
      expect(run({ ...streaming, ...other }, true, false).summaries).toEqual([text, text]);
  });

  it('bytes the decoder rejects are traced malformed (field, offset, reason, bytes) and never reach the node', () => {
    const { a, b, sim } = pair(undefined, rejecting);
    sim.scheduler.at(0, () => a.sendText('eth0', '10.0.0.2', 'x'));
    sim.runUntilIdle();
    expect(b.received).toEqual([]);
    expect(sim.trace.events.at(-1)).toEqual({
      type: 'malformed',
      atUs: 10,
      node: 'b',
      iface: 'eth0',
      direction: 'receive',
      reason: 'length 9 < 8 + payload',
      field: 'udp.length',
      offset: 24,
      packetId: 1,
      bytes: '4500001d00000000401100000a0000010a00000203e807d00009000078',
    });
    expect(sim.metrics().malformedReceive).toBe(1);
  });

  it('a throwing encoder is traced as a malformed send and dropped; the run goes on', () => {
    const { a, b, sim } = pair(throwingEncoder);
    sim.scheduler.at(0, () => a.sendText('eth0', '10.0.0.2', 'bad'));
    sim.scheduler.at(5, () => a.sendText('eth0', '10.0.0.2', 'good'));
    sim.runUntilIdle();
    expect(b.received.map((r) => r.packet.text)).toEqual(['good']);
    expect(sim.trace.events[0]).toEqual({
      type: 'malformed',
      atUs: 0,
      node: 'a',
      iface: 'eth0',
      direction: 'send',
      reason: 'WireEmitError: udp.payload: too long',
    });
    expect(sim.metrics()).toMatchObject({ malformedSend: 1, packetsSent: 1, packetsDelivered: 1 });
  });

  it('timers, states, notes and commands are traced at level full', () => {
    const { a, sim } = pair();
    const cancel = a.host.setTimerUs(300, 'never', () => undefined);
    a.host.setTimerUs(200, 'timer.retransmit', () => a.host.traceState('dhcp', 'SELECTING', 'REQUESTING'));
    sim.scheduler.at(100, () => cancel());
    sim.scheduler.at(50, () => a.host.traceNote('policy', { accepted: true, lease: 3600 }));
    sim.runUntilIdle();
    expect(sim.trace.events).toEqual([
      { type: 'note', atUs: 50, node: 'a', text: 'policy', data: { accepted: true, lease: 3600 } },
      { type: 'timer', atUs: 200, node: 'a', name: 'timer.retransmit' },
      { type: 'state', atUs: 200, node: 'a', machine: 'dhcp', from: 'SELECTING', to: 'REQUESTING' },
    ]);
    expect(a.host.nowUs()).toBe(200);
  });

  it('node streams are forks of the root labelled node:<name>:<label>', () => {
    const { a, sim } = pair();
    expect(a.host.rng('xid').nextU32()).toBe(sim.rng.fork('node:a:xid').nextU32());
  });

  it('runScenario: commands reach the node (traced), unknown interfaces drop no-route, the bound is reported', () => {
    const a = testNode('a', '10.0.0.1', 30);
    const lone = new TestNode('lone', [{ name: 'eth0', address: '10.9.9.9', prefixLength: 24 }]);
    const result = runScenario(
      {
        nodes: [a, lone],
        links: [],
        commands: [
          { atUs: 10, node: 'a', command: { type: 'cmd.connect', args: { method: 'mode-cfg' } } },
          { atUs: 20, node: 'lone', command: { type: 'cmd.ping' } },
        ],
        durationUs: 1_000,
      },
      { seed: 9, traceLevel: 'full' },
    );
    expect(a.commands).toEqual([{ type: 'cmd.connect', args: { method: 'mode-cfg' } }]);
    expect(result.trace).toEqual([
      { type: 'command', atUs: 10, node: 'a', command: 'cmd.connect', args: { method: 'mode-cfg' } },
      { type: 'command', atUs: 20, node: 'lone', command: 'cmd.ping', args: undefined },
    ]);
    expect(result.stop).toEqual({ reason: 'time', eventsRun: 2, atUs: 1_000 });
    expect(result.metrics.finalAtUs).toBe(1_000);

    const bounded = runScenario(
      {
        nodes: [testNode('b', '10.0.0.2')],
        links: [],
        commands: [1, 2, 3].map((t) => ({ atUs: t, node: 'b', command: { type: 'cmd.x' } })),
        durationUs: 100,
        eventsMax: 2,
      },
      { seed: 1, traceLevel: 'none' },
    );
    expect(bounded.stop).toEqual({ reason: 'eventsMax', eventsRun: 2, atUs: 2 });
  });

  it('a send on an interface without a link is dropped no-route', () => {
    const lone = testNode('lone', '10.9.9.9');
    const sim = new Simulation({ nodes: [lone], links: [] }, { seed: 1, traceLevel: 'packets' });
    sim.start();
    lone.sendText('eth0', '10.9.9.1', 'hello?');
    expect(sim.trace.events.map((e) => (e.type === 'drop' ? `${e.reason}: ${e.detail}` : e.type))).toEqual([
      'send',
      'no-route: interface not attached to a link',
    ]);
  });

  it('configuration errors are reported at construction', () => {
    const mk = (links: ConstructorParameters<typeof Simulation>[0]['links']) =>
      new Simulation({ nodes: [testNode('a', '10.0.0.1'), testNode('b', '10.0.0.2')], links }, { seed: 1 });
    expect(() =>
      mk([{ kind: 'p2p', name: 'p', a: { node: 'a', iface: 'eth0' }, b: { node: 'c', iface: 'eth0' } }]),
    ).toThrow('link p: no interface c:eth0');
    expect(() =>
      mk([
        {
          kind: 'p2p',
          name: 'p',
          a: { node: 'a', iface: 'eth0' },
          b: { node: 'b', iface: 'eth0' },
          profile: { lossPpm: 2_000_000 },
        },
      ]),
    ).toThrow(RangeError);
  });
});
