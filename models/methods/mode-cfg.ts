/**
 * `mode-cfg`: IKEv2 Configuration Payload (RFC 7296 §2.19): CP(CFG_REQUEST){INTERNAL_IP4_ADDRESS, INTERNAL_IP4_DNS}
 * in IKE_AUTH with SAi2/TSi/TSr; the gateway answers CP(CFG_REPLY){address, netmask, DNS} from a local pool and
 * narrows TSi to the address.
 */
import { findPayload } from '../wire/ike/index.ts';
import * as ikeConfig from '../ike/tasks/ike-config.ts';
import { AddressPool, type PoolOptions } from './address-pool.ts';

import {
  defineMethod,
  optionalBoolean,
  optionalNumber,
  record,
  requiredNumber,
  requiredString,
  stringList,
  type AddressProvider,
  type ClientMethodTasks,
  type GatewayMethodContext,
  type Method,
} from './method.ts';

export const MODE_CFG = 'mode-cfg';

export interface ModeCfgClientOptions {
  /** Send CP(CFG_REQUEST)? false models a client without CP (the gateway may answer FAILED_CP_REQUIRED). */
  readonly requestConfig?: boolean;
}

export function modeCfgClient(options: ModeCfgClientOptions = {}): ClientMethodTasks {
  const request = options.requestConfig ?? true;
  return {
    childInAuth: true,
    // A method, not an arrow function: a named arrow carries a name property of its own under esbuild's keepNames
    // (tsx: tests, benches), ~250 bytes per client.
    authRequestPayloads() {
      return request ? [ikeConfig.buildI()] : [];
    },
    processAuthResponse(resp, errors) {
      const first = errors[0];
      if (first !== undefined) return { kind: 'failed', notify: first };
      const config = ikeConfig.processI(resp);
      if (config !== undefined) return { kind: 'configured', config };
      // No CP requested and none given: configured without an inner address (RFC 7296 §2.19 is optional).
      if (!request && findPayload(resp, 'CP') === undefined) return { kind: 'configured', config: undefined };
      return { kind: 'failed', notify: 'INTERNAL_ADDRESS_FAILURE' };
    },
  };
}

export function poolProvider(pool: AddressPool, ctx: GatewayMethodContext): AddressProvider {
  return {
    request(req, answer) {
      const { requested } = ikeConfig.processR(req.request);
      if (!requested) {
        if (ctx.cpRequired) answer({ ok: false, notify: 'FAILED_CP_REQUIRED' });
        else answer({ ok: true, config: undefined, replyPayloads: [] });
        return;
      }
      const address = pool.acquire(req.peerId, req.ikeSaId, ctx.host.nowUs());
      if (address === undefined) {
        ctx.host.traceNote('pool.exhausted', { peer: req.peerId });
        answer({ ok: false, notify: 'INTERNAL_ADDRESS_FAILURE' });
        return;
      }
      ctx.host.traceNote('pool.acquire', { peer: req.peerId, address });
      const config = { address, prefixLength: pool.options.prefixLength, dns: pool.options.dns };
      answer({ ok: true, config, replyPayloads: [ikeConfig.buildR(config)] });
    },
    release(ikeSaId, peerId) {
      const address = pool.release(peerId, ikeSaId, ctx.host.nowUs());
      if (address !== undefined) ctx.host.traceNote('pool.release', { peer: peerId, address });
    },
    reset: () => pool.suspendAll(ctx.host.nowUs()),
    snapshot: () => pool.snapshot(),
  };
}

export function parseModeCfgClientOptions(raw: unknown): ModeCfgClientOptions {
  const o = record(raw ?? {}, 'client');
  const requestConfig = optionalBoolean(o, 'requestConfig', 'client');
  return requestConfig === undefined ? {} : { requestConfig };
}

export function parsePoolOptions(raw: unknown): PoolOptions {
  const o = record(raw, 'gateway');
  const reuseDelayUs = optionalNumber(o, 'reuseDelayUs', 'gateway');
  return {
    first: requiredString(o, 'first', 'gateway'),
    last: requiredString(o, 'last', 'gateway'),
    prefixLength: requiredNumber(o, 'prefixLength', 'gateway'),
    dns: stringList(o, 'dns', 'gateway'),
    ...(reuseDelayUs === undefined ? {} : { reuseDelayUs }),
  };
}

/** The typed module (tests and scenario builders call it directly). */
export const modeCfgMethod: Method<ModeCfgClientOptions, PoolOptions> = {
  id: MODE_CFG,
  parseClientOptions: parseModeCfgClientOptions,
  parseGatewayOptions: parsePoolOptions,
  client: (options) => () => modeCfgClient(options),
  gateway: (options, ctx) => poolProvider(new AddressPool(options), ctx),
};

export const modeCfgFactory = defineMethod(modeCfgMethod);
