import { describe, expect, it } from 'vitest';
import { replayCommand } from '../../web/model/replay-command.ts';

describe('the replay command a browser run offers', () => {
  it('names scenario, method, seed, options and parameters, quoting what a shell would split', () => {
    expect(
      replayCommand({
        scenario: 'lossy',
        method: 'mode-cfg',
        seed: 7,
        options: { retransmit: 'doubling', cpRequired: true },
        params: { loss: 0.1 },
        edited: false,
      }),
    ).toBe(
      'npx dhcpike run lossy --method mode-cfg --seed 7 --option cpRequired=true --option retransmit=doubling --param loss=0.1',
    );
    expect(
      replayCommand({
        scenario: "my file's.json",
        method: 'dhcp-over-ike',
        seed: 1,
        options: {},
        params: {},
        edited: true,
      }),
    ).toBe(
      `npx dhcpike run 'my file'\\''s.json' --method dhcp-over-ike --seed 1   # plus this page's link edits and drops (not expressible as flags)`,
    );
  });
});
