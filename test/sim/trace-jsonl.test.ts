import { describe, expect, it } from 'vitest';
import { canonicalJsonLine, parseJsonl, toJsonl } from '../../sim/trace-jsonl.ts';
import type { TraceEvent } from '../../sim/trace.ts';

describe('canonical JSON Lines', () => {
  it('writes a small known trace byte for byte, keys in canonical order whatever the object order', () => {
    const events: TraceEvent[] = [
      {
        summary: 'UDP 10.0.0.1:1000 → 10.0.0.2:2000 hi',
        bytes: '4500',
        length: 2,
        packetId: 1,
        iface: 'eth0',
        node: 'a',
        atUs: 0,
        type: 'send',
      },
      {
        type: 'deliver',
        atUs: 250,
        node: 'b',
        iface: 'eth0',
        link: 'p0',
        dir: 'a→b',
        packetId: 1,
        sentAtUs: 0,
        summary: 'UDP 10.0.0.1:1000 → 10.0.0.2:2000 hi',
        reordered: undefined,
      },
      {
        type: 'drop',
        atUs: 300,
        reason: 'mtu',
        packetId: 2,
        node: 'a',
        link: 'p0',
        dir: 'a→b',
        summary: 's',
        detail: '1600 > mtu 1500',
      },
      {
        type: 'note',
        atUs: 400,
        node: 'b',
        text: 'iface.address',
        data: { prefixLength: 24, address: '10.0.0.9', iface: 'eth0' },
      },
      { type: 'state', atUs: 500, node: 'b', machine: 'dhcp', from: 'INIT', to: 'SELECTING' },
    ];
    expect(toJsonl(events)).toBe(
      '{"atUs":0,"type":"send","node":"a","iface":"eth0","packetId":1,"length":2,"summary":"UDP 10.0.0.1:1000 → 10.0.0.2:2000 hi","bytes":"4500"}\n' +
        '{"atUs":250,"type":"deliver","node":"b","iface":"eth0","link":"p0","dir":"a→b","packetId":1,"sentAtUs":0,"summary":"UDP 10.0.0.1:1000 → 10.0.0.2:2000 hi"}\n' +
        '{"atUs":300,"type":"drop","node":"a","link":"p0","dir":"a→b","packetId":2,"reason":"mtu","summary":"s","detail":"1600 > mtu 1500"}\n' +
        '{"atUs":400,"type":"note","node":"b","text":"iface.address","data":{"address":"10.0.0.9","iface":"eth0","prefixLength":24}}\n' +
        '{"atUs":500,"type":"state","node":"b","machine":"dhcp","from":"INIT","to":"SELECTING"}\n',
    );
    const back = parseJsonl(toJsonl(events));
    expect(back.map(canonicalJsonLine)).toEqual(events.map(canonicalJsonLine));
  });

  it('escapes strings with JSON rules', () => {
    expect(canonicalJsonLine({ type: 'note', atUs: 1, node: 'n', text: 'quote " backslash \\ newline \n' })).toBe(
      '{"atUs":1,"type":"note","node":"n","text":"quote \\" backslash \\\\ newline \\n"}',
    );
  });
});
