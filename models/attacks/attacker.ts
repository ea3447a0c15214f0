/**
 * Adversarial clients (a client group's `behaviour` in a scenario): a ClientNode that connects with its own IKE
 * identity and PSK like any client, then attacks at `atMs`. Each attack notes `attack.tried {kind, attacker,
 * victim?}`; what it sends carries a canary (canary.ts) so the defender that refuses it notes `attack.refused` and a
 * code path that lets it through notes `attack.succeeded`. Outcome-based successes (a victim locked out, an address
 * shared, a victim's IKE SA disturbed) are the metrics' to derive (scenarios/metrics/collect.ts).
 *
 * What the attacker knows is public: the victim's outer address (hence its draft-ietf §4 / RFC 3456 §4.1 chaddr,
 * x'4000' ‖ address ‖ 0), SPIs and IKE messages it captures on the path (`tap`), the gateway's inside address and the
 * DHCP server's address. It never has the victim's PSK, hence never the victim's ESP keys (models/nodes/esp-inbound.ts).
 */
import { buildDecline, buildDiscover, buildRelease } from '../dhcp/client-messages.ts';
import { ipsecTunnelIdentity, type DhcpClientIdentity } from '../dhcp/client-identity.ts';
import type { ClientMethodFactory } from '../methods/method.ts';
import type { ClientBehaviour, ClientBehaviourHost } from '../nodes/client-node.ts';
import { datagramPacket, ECHO_PORT, espOf, ikeOf, ikePacket, type Packet } from '../nodes/lab-packet.ts';
import { randomIkeSpi } from '../ike/sa.ts';
import type { DhcpMessage } from '../wire/dhcp/types.ts';
import { dhcpPayload, IkeExchangeType } from '../wire/ike/index.ts';
import { canaryBytes, withDhcpCanary, type AttackKind } from './canary.ts';

export interface AttackConfig {
  readonly attack: AttackKind;
  readonly victim?: string;
  readonly atMs: number;
}

/** What the builder knows about the victim and the enterprise (all public). */
export interface AttackContext {
  readonly victimOuter?: string;
  /** The victim's inner address once it has one (an on-path observer sees it as the inner source of its traffic). */
  readonly victimInner?: () => string | undefined;
  readonly dhcpServer?: string;
  readonly gatewayInside: string;
  readonly gatewayOutside: string;
  /** Methods whose client speaks DHCP with a chaddr built from the outer address (lease-theft through the method). */
  readonly methodSpeaksDhcp: boolean;
  /** Registers an observer of the victim's outgoing packets. */
  readonly tapVictim?: (observer: (p: Packet) => void) => void;
}

const REPLAY_MAX = 8;

export function attackerBehaviour(cfg: AttackConfig, actx: AttackContext): () => ClientBehaviour {
  return () => {
    let h: ClientBehaviourHost | undefined;
    const capturedIke: Packet[] = [];
    const capturedEsp: Packet[] = [];
    const victimData: Record<string, string> = cfg.victim === undefined ? {} : { victim: cfg.victim };
    const tried = (extra: Record<string, string | number> = {}): void =>
      h?.host.traceNote('attack.tried', { kind: cfg.attack, attacker: h.name, ...victimData, ...extra });

    const victimIdentity = (): DhcpClientIdentity =>
      ipsecTunnelIdentity({ outerAddress: actx.victimOuter ?? '0.0.0.0', octet: 0 });

    /** A DHCP message through the attacker's own tunnel to the server's port 67 (from its inner address). */
    const viaTunnel = (m: DhcpMessage, dst: string = actx.dhcpServer ?? actx.gatewayInside): void => {
      const ctx = h?.methodContext();
      const src = h?.innerAddress();
      if (ctx === undefined || src === undefined) {
        h?.host.traceNote('attack.noTunnel', { kind: cfg.attack });
        return;
      }
      tried({ xid: m.xid });
      ctx.sendUdp({
        src,
        dst,
        srcPort: 68,
        dstPort: 67,
        app: { kind: 'dhcp', message: withDhcpCanary(m, cfg.attack, h?.name ?? '') },
      });
    };

    const base = (identity: DhcpClientIdentity, xid: number) => ({
      identity,
      xid,
      secs: 0,
      broadcastFlag: false,
      parameterRequestList: [1, 3, 6],
    });

    const victimAddress = (): string => actx.victimInner?.() ?? '0.0.0.0';

    function espAttacks(host: ClientBehaviourHost): void {
      const child = host.children()[0];
      const inner = host.innerAddress();
      if (child === undefined || inner === undefined) {
        host.host.traceNote('attack.noTunnel', { kind: cfg.attack });
        return;
      }
      const target = actx.dhcpServer ?? actx.gatewayInside;
      const datagram = (src: string, bait = false): Packet =>
        datagramPacket({
          src,
          dst: target,
          srcPort: 40001,
          dstPort: ECHO_PORT,
          app: { kind: 'raw', data: canaryBytes('esp-spoof', host.name, bait) },
        });
      // 1. A spoofed inner source through its own SA (RFC 4301 §5.2 selectors).
      tried({ variant: 'spoofed-source' });
      host.sendRaw(host.sealInto(child, datagram(victimAddress() === '0.0.0.0' ? '10.255.255.254' : victimAddress())));
      // 2. ESP on the victim's SPI (captured on the path), sealed with the attacker's own key (RFC 4303 §3.4.4).
      const victimEsp = capturedEsp.map((p) => espOf(p)).find((e) => e !== undefined);
      if (victimEsp !== undefined) {
        tried({ variant: 'victim-spi' });
        const forged = host.sealInto({ ...child, spiOut: victimEsp.spi }, datagram(victimAddress()));
        host.sendRaw(forged);
      }
      // 3. Its own packet sent once (bait), then replayed verbatim; and a captured victim packet replayed (§3.4.3).
      const bait = host.sealInto(child, datagram(inner, true));
      host.sendRaw(bait);
      host.host.setTimerUs(100_000, 'attack.replay', () => {
        tried({ variant: 'replay' });
        host.sendRaw(bait);
        const victimPacket = capturedEsp[capturedEsp.length - 1];
        if (victimPacket !== undefined) {
          tried({ variant: 'replay-victim' });
          host.sendRaw(victimPacket);
        }
      });
    }

    function ikeAttacks(host: ClientBehaviourHost): void {
      const replays = capturedIke.slice(-REPLAY_MAX);
      for (const p of replays) {
        const m = ikeOf(p);
        if (m === undefined) continue;
        tried({ exchange: m.exchangeType, messageId: m.messageId });
        // Replayed from the attacker's own address (an off-path replay of captured bytes).
        host.sendRaw(ikePacket(host.outerAddress(), actx.gatewayOutside, m));
      }
    }

    function dhcpBeforeAuth(host: ClientBehaviourHost): void {
      const init = capturedIke.map((p) => ikeOf(p)).find((m) => m?.exchangeType === IkeExchangeType.IKE_SA_INIT);
      if (init === undefined) {
        host.host.traceNote('attack.noTunnel', { kind: cfg.attack });
        return;
      }
      // IKE_SA_INIT (unauthenticated, RFC 7296 §1.2) with a DHCP payload: the gateway must not relay it.
      const rng = host.host.rng('attack');
      const m = withDhcpCanary(buildDiscover(base(victimIdentity(), rng.nextU32()), null), cfg.attack, host.name);
      tried({ xid: m.xid });
      const crafted = { ...init, spiI: randomIkeSpi(rng), payloads: [...init.payloads, dhcpPayload(m)] };
      host.sendRaw(ikePacket(host.outerAddress(), actx.gatewayOutside, crafted));
    }

    function perform(host: ClientBehaviourHost): void {
      const rng = host.host.rng('attack');
      switch (cfg.attack) {
        case 'lease-theft':
          // Through the method (its chaddr is the victim's, see wrapMethod); else a DISCOVER through the tunnel.
          if (actx.methodSpeaksDhcp) tried({ via: 'method' });
          else viaTunnel(buildDiscover(base(victimIdentity(), rng.nextU32()), null));
          return;
        case 'option82': {
          const m = buildDiscover(
            base(ipsecTunnelIdentity({ outerAddress: host.outerAddress(), octet: 9 }), rng.nextU32()),
            null,
          );
          const circuit = new TextEncoder().encode('forged-circuit');
          viaTunnel(
            {
              ...m,
              options: [...m.options, { kind: 'relayAgentInfo', subOptions: [{ kind: 'circuitId', data: circuit }] }],
            },
            actx.methodSpeaksDhcp ? actx.gatewayInside : undefined,
          );
          return;
        }
        case 'release-other':
          viaTunnel(
            buildRelease(base(victimIdentity(), rng.nextU32()), victimAddress(), actx.dhcpServer ?? actx.gatewayInside),
          );
          return;
        case 'decline-other': {
          const m = buildDecline(
            base(victimIdentity(), rng.nextU32()),
            victimAddress(),
            actx.dhcpServer ?? actx.gatewayInside,
          );
          viaTunnel(m);
          return;
        }
        case 'forged-relay':
          // Relay-formatted (giaddr = the gateway, invented option 82), a fresh chaddr each: scope exhaustion.
          for (let i = 0; i < 4; i++) {
            const m = buildDiscover(
              base(ipsecTunnelIdentity({ outerAddress: `198.18.0.${i + 1}`, octet: i }), rng.nextU32()),
              null,
            );
            const circuit = new TextEncoder().encode(`forged-${i}`);
            viaTunnel({
              ...m,
              giaddr: actx.gatewayInside,
              hops: 1,
              options: [...m.options, { kind: 'relayAgentInfo', subOptions: [{ kind: 'circuitId', data: circuit }] }],
            });
          }
          return;
        case 'dhcp-before-auth':
          dhcpBeforeAuth(host);
          return;
        case 'ike-replay':
          ikeAttacks(host);
          return;
        case 'esp-spoof':
          espAttacks(host);
          return;
      }
    }

    return {
      wrapMethod(m: ClientMethodFactory): ClientMethodFactory {
        if (cfg.attack !== 'lease-theft' || !actx.methodSpeaksDhcp || actx.victimOuter === undefined) return m;
        // The method builds its chaddr from the outer address (draft-ietf §4, RFC 3456 §4.1): give it the victim's.
        const victimOuter = actx.victimOuter;
        return (ctx) => m({ ...ctx, outerAddress: victimOuter });
      },
      start(host) {
        h = host;
        actx.tapVictim?.((p) => {
          if (ikeOf(p) !== undefined) capturedIke.push(p);
          else if (espOf(p) !== undefined) capturedEsp.push(p);
        });
        host.host.setTimerUs(cfg.atMs * 1000, 'attack.start', () => perform(host));
      },
      onSend(p) {
        // Its own IKE messages are captured too (replays of its own exchanges).
        if (ikeOf(p) !== undefined && capturedIke.length < 64) capturedIke.push(p);
      },
    };
  };
}
