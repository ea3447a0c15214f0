/**
 * The seed draft's claims as data: file name → the JSON document of scenarios/claims/NAME.json.
 * Static JSON imports so the browser (vite) and Node (tsx) load the same data without `node:fs`.
 * test/scenarios/data-index.test.ts checks that this list matches the directory: add a line here with each new file.
 */
import s3DhcpMachineInClient from './s3-dhcp-machine-in-client.json' with { type: 'json' };
import s3GatewayRelaysUdp from './s3-gateway-relays-udp.json' with { type: 'json' };
import s3InteractsWithEnterpriseDhcp from './s3-interacts-with-enterprise-dhcp.json' with { type: 'json' };
import s3LeveragesDhcpInfrastructure from './s3-leverages-dhcp-infrastructure.json' with { type: 'json' };
import s3RelayOptions from './s3-relay-options.json' with { type: 'json' };
import s3SimilarToModeCfg from './s3-similar-to-mode-cfg.json' with { type: 'json' };
import s4ClientComplexity from './s4-client-complexity.json' with { type: 'json' };
import s4LittleCodeSavings from './s4-little-code-savings.json' with { type: 'json' };
import s4StatesRepresentedTwice from './s4-states-represented-twice.json' with { type: 'json' };
import s4TeardownBeforeMisdirect from './s4-teardown-before-misdirect.json' with { type: 'json' };
import s4TwoEnterprises from './s4-two-enterprises.json' with { type: 'json' };
import s4WildcardSaCatchesLanDhcp from './s4-wildcard-sa-catches-lan-dhcp.json' with { type: 'json' };

export const CLAIM_DOCUMENTS: Readonly<Record<string, unknown>> = {
  's3-dhcp-machine-in-client': s3DhcpMachineInClient,
  's3-gateway-relays-udp': s3GatewayRelaysUdp,
  's3-interacts-with-enterprise-dhcp': s3InteractsWithEnterpriseDhcp,
  's3-leverages-dhcp-infrastructure': s3LeveragesDhcpInfrastructure,
  's3-relay-options': s3RelayOptions,
  's3-similar-to-mode-cfg': s3SimilarToModeCfg,
  's4-client-complexity': s4ClientComplexity,
  's4-little-code-savings': s4LittleCodeSavings,
  's4-states-represented-twice': s4StatesRepresentedTwice,
  's4-teardown-before-misdirect': s4TeardownBeforeMisdirect,
  's4-two-enterprises': s4TwoEnterprises,
  's4-wildcard-sa-catches-lan-dhcp': s4WildcardSaCatchesLanDhcp,
};
