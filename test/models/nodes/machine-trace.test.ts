/** State names for the `state` trace: dotted paths of xstate state values, the same however often asked. */
import { describe, expect, it } from 'vitest';
import { stateName } from '../../../models/nodes/machine-trace.ts';

describe('stateName', () => {
  it('names strings, nested values (first region of a parallel state) and odd values', () => {
    expect(stateName('idle')).toBe('idle');
    expect(stateName({ established: 'ready' })).toBe('established.ready');
    expect(stateName({ a: { b: { c: 'd' } } })).toBe('a.b.c.d');
    expect(stateName({ established: { peer: 'idle', rekey: 'waiting' } })).toBe('established.peer.idle');
    expect(stateName({ a: {} })).toBe('a.?');
    expect(stateName({})).toBe('?');
    expect(stateName(null)).toBe('');
    expect(stateName(undefined)).toBe('');
  });

  it('gives a value object met again (the fast runtime shares one per configuration) its name again', () => {
    const shared = { connected: { tunnel: 'up' } };
    const first = stateName(shared);
    expect(stateName(shared)).toBe(first);
    expect(stateName({ connected: { tunnel: 'down' } })).toBe('connected.tunnel.down');
    expect(first).toBe('connected.tunnel.up');
  });
});
