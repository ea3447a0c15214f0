/**
 * The scenario library as data: name → the JSON document of scenarios/library/NAME.json.
 * Static JSON imports so the browser (vite) and Node (tsx) load the same data without `node:fs`.
 * test/scenarios/data-index.test.ts checks that this list matches the directory: add a line here with each new file.
 */
import basic from './basic.json' with { type: 'json' };
import bursty from './bursty.json' with { type: 'json' };
import dhcpStall from './dhcp-stall.json' with { type: 'json' };
import dropOffer from './drop-offer.json' with { type: 'json' };
import gatewayRestart from './gateway-restart.json' with { type: 'json' };
import leaseOutlivesNothing from './lease-outlives-nothing.json' with { type: 'json' };
import lossy from './lossy.json' with { type: 'json' };
import poolExhaustion from './pool-exhaustion.json' with { type: 'json' };
import rekeyRenewal from './rekey-renewal.json' with { type: 'json' };
import satellite from './satellite.json' with { type: 'json' };
import slowDhcp from './slow-dhcp.json' with { type: 'json' };
import storm1000 from './storm-1000.json' with { type: 'json' };
import storm10k from './storm-10k.json' with { type: 'json' };
import twoEnterprises from './two-enterprises.json' with { type: 'json' };
import wildcardHazard from './wildcard-hazard.json' with { type: 'json' };

export const LIBRARY_DOCUMENTS: Readonly<Record<string, unknown>> = {
  basic: basic,
  bursty: bursty,
  'dhcp-stall': dhcpStall,
  'drop-offer': dropOffer,
  'gateway-restart': gatewayRestart,
  'lease-outlives-nothing': leaseOutlivesNothing,
  lossy: lossy,
  'pool-exhaustion': poolExhaustion,
  'rekey-renewal': rekeyRenewal,
  satellite: satellite,
  'slow-dhcp': slowDhcp,
  'storm-1000': storm1000,
  'storm-10k': storm10k,
  'two-enterprises': twoEnterprises,
  'wildcard-hazard': wildcardHazard,
};
