/**
 * storm-1000 made short through its own parameters, for the browser test and `npm run bench -- web`: 1,000 clients
 * connect over 10 s, the gateway crashes at 10 s and restarts at 11 s, the run ends at 20 s.
 */
export const STORM_SHORT_PARAMS = { durationMs: 20_000, crashMs: 10_000, restartMs: 11_000 } as const;

export const STORM_SHORT_HASH =
  '#s=storm-1000&m=dhcp-over-ike&seed=1&' +
  Object.entries(STORM_SHORT_PARAMS)
    .map(([k, v]) => `p=${k}:${v}`)
    .join('&');
