/** The collector's scanning matchers decide exactly as the summary patterns they stand for. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DHCP_IN_ESP,
  DHCP_SUMMARY,
  dhcpInEspSummary,
  dhcpSummaryTypeIs,
  IKE_SUMMARY,
  ikeSummaryRole,
  isDhcpSummary,
} from '../../../scenarios/metrics/conventions.ts';

/** Summaries made of the pieces real ones are made of, and of the near misses around them. */
const summary = fc
  .array(
    fc.constantFrom(
      'IKE_SA_INIT',
      'IKE_AUTH',
      'CREATE_CHILD_SA',
      'INFORMATIONAL',
      'IKE_SA_INITX',
      ' ',
      'request',
      'response',
      'requests',
      ' #',
      '#',
      '0',
      '17',
      'x',
      'DHCP',
      'ACK',
      'DISCOVER',
      'NAK',
      'Ack',
      '_',
      '(',
      ')',
      '.',
      'ESP spi=0x1 seq=2 (',
      'xid=0x1a',
      ', ',
      'SK{',
      '}',
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''));

const real = [
  'IKE_AUTH request #1 SK{IDi, AUTH, DHCP(DISCOVER)}',
  'INFORMATIONAL response #12',
  'CREATE_CHILD_SA response #3 SK{SAr2, TSi, TSr, DHCP(ACK)}',
  'IKE_AUTH request #x',
  'DHCPACK 10.1.0.7 xid=0x1a2b3c4d',
  'DHCPACKS',
  'DHCPACK_',
  'DHCPDISCOVER xid=0x1',
  'DHCP',
  'ESP spi=0x0a0b0c0d seq=3 (DHCPREQUEST xid=0x2 [82:…])',
  'ESP spi=0x0a0b0c0d seq=3 (echo)',
];

function expectSameDecisions(s: string): void {
  const ike = IKE_SUMMARY.exec(s);
  expect(ikeSummaryRole(s)).toBe(ike === null ? 0 : ike[2] === 'request' ? 1 : 2);
  const dhcp = DHCP_SUMMARY.exec(s);
  expect(isDhcpSummary(s)).toBe(dhcp !== null);
  expect(dhcpSummaryTypeIs(s, 'ACK')).toBe(dhcp?.[1] === 'ACK');
  expect(dhcpInEspSummary(s)).toBe(DHCP_IN_ESP.exec(s)?.[1]);
}

describe('summary matchers', () => {
  it('decide as the patterns on real summaries and near misses', () => {
    for (const s of real) expectSameDecisions(s);
    expect(real.map(ikeSummaryRole).slice(0, 4)).toEqual([1, 2, 2, 0]);
    expect(real.map((s) => dhcpSummaryTypeIs(s, 'ACK')).slice(4, 7)).toEqual([true, false, false]);
  });

  it('decide as the patterns on any mix of the pieces', () => {
    fc.assert(
      fc.property(summary, (s) => expectSameDecisions(s)),
      { numRuns: 2000 },
    );
  });
});
