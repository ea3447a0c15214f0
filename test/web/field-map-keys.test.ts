/**
 * The inspector's field map of a real-crypto run, opened with the run's keys (web/inspector/field-map.ts with
 * keyLookupOf(keyEntriesOfTrace(trace))): the same tree, field for field and byte range for byte range, as the
 * modelled run of the same scenario, method and seed shows.
 */
import { describe, expect, it } from 'vitest';
import { keyLookupOf } from '../../models/wire/crypto/key-table.ts';
import { keyEntriesOfTrace } from '../../scenarios/keys-export.ts';
import type { SendEvent } from '../../sim/trace.ts';
import { fieldMap, flattenFields, type FieldNode } from '../../web/inspector/field-map.ts';
import { hexToBytes, traceKeysText } from '../../web/model/exports.ts';
import { labRunner } from '../../web/runner.ts';

const METHODS = ['dhcp-over-ike', 'dhcp-over-ike-wg', 'mode-cfg', 'mode-cfg-dhcp', 'dhcp-over-ipsec'] as const;
const DECRYPTED = 'decrypted with the run’s keys';

function runOf(method: string, crypto: 'modelled' | 'real') {
  const run = labRunner.run({ scenario: 'basic', method, seed: 1, options: { crypto } });
  return { trace: run.trace, sends: run.trace.filter((e): e is SendEvent => e.type === 'send') };
}

/** Label paths with byte ranges (the shape of the tree), crypto's own words made alike. */
function shape(nodes: readonly FieldNode[]): string[] {
  return flattenFields(nodes).map(
    ({ node, depth }) =>
      `${depth} ${node.label.replace('modelled: readable', DECRYPTED)} [${node.start},${node.end})${node.error ? ' !' : ''}`,
  );
}

const find = (nodes: readonly FieldNode[], label: string): FieldNode[] =>
  flattenFields(nodes)
    .map((f) => f.node)
    .filter((n) => n.label === label);

describe('field map with the run’s keys (real crypto)', () => {
  for (const method of METHODS) {
    it(`${method}: every packet has the modelled run's tree`, () => {
      const real = runOf(method, 'real');
      const modelled = runOf(method, 'modelled');
      const keys = keyLookupOf(keyEntriesOfTrace(real.trace));
      expect(real.sends.map((e) => e.summary)).toEqual(modelled.sends.map((e) => e.summary));
      real.sends.forEach((e, i) => {
        const bytes = hexToBytes(e.bytes);
        const tree = fieldMap(bytes, keys);
        expect(shape(tree), `${e.summary}`).toEqual(shape(fieldMap(hexToBytes(modelled.sends[i]?.bytes ?? ''))));
        // The packet's bytes are left alone (the plaintext goes into a copy).
        expect(Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')).toBe(e.bytes);
      });
    });
  }

  it('mode-cfg: the CP reply’s address is read from the decrypted SK; without keys SK stays encrypted', () => {
    const real = runOf('mode-cfg', 'real');
    const keys = keyLookupOf(keyEntriesOfTrace(real.trace));
    const reply = hexToBytes(real.sends.find((e) => e.summary.startsWith('IKE_AUTH response'))?.bytes ?? '');
    const tree = fieldMap(reply, keys);
    expect(find(tree, `Encrypted payloads (aes128gcm16, ${DECRYPTED})`)).toHaveLength(1);
    expect(find(tree, 'Attribute ip4Address').map((n) => n.value)).toEqual(['10.99.0.1']);
    const locked = fieldMap(reply);
    expect(find(locked, 'Encrypted')[0]?.error).toBe('no modelled suite opens it');
    expect(find(locked, 'Attribute ip4Address')).toEqual([]);
  });

  it('dhcp-over-ipsec: the DHCP messages inside ESP (RFC 3456) open with the keys; a foreign SPI does not', () => {
    const real = runOf('dhcp-over-ipsec', 'real');
    const keys = keyLookupOf(keyEntriesOfTrace(real.trace));
    const discover = real.sends.find((e) => e.summary.startsWith('ESP') && e.summary.includes('DHCPDISCOVER'));
    const tree = fieldMap(hexToBytes(discover?.bytes ?? ''), keys);
    expect(find(tree, 'ESP')[0]?.value).toBe(`aes128gcm16 (${DECRYPTED})`);
    expect(find(tree, 'DHCP message')[0]?.value).toBe('DHCPDISCOVER');
    const other = keyLookupOf({ ike: [], esp: [] });
    expect(find(fieldMap(hexToBytes(discover?.bytes ?? ''), other), 'Encrypted')[0]?.error).toBe(
      'no key of this run for its SPI',
    );
  });

  it('the keys export is offered only for a run that announced keys', () => {
    expect(traceKeysText(runOf('mode-cfg', 'modelled').trace)).toBeUndefined();
    expect(
      traceKeysText(runOf('mode-cfg', 'real').trace)
        ?.split('\n')
        .filter((l) => l.startsWith('"IPv4"')),
    ).toHaveLength(2);
  });
});
