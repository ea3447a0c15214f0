/**
 * A `ClientMethodContext` for testing a method's glue machine alone: on a test clock, nothing traced, no IKE
 * requests taken, datagrams in the clear; a test overrides what it watches (configure, reconnect, sendUdp, children).
 * The RFC 2131 client a glue machine spawns can be replaced by `silentDhcpClient` (the test plays its reports).
 */
import { fromCallback } from 'xstate';
import type { dhcpClientMachine } from '../../models/dhcp/client-machine.ts';
import type { ClientMethodContext } from '../../models/methods/method.ts';
import type { TestClock } from '../models/dhcp/test-clock.ts';
import { testRng } from '../models/dhcp/test-rng.ts';

export function stubMethodContext(
  clock: TestClock,
  ikeUp: () => boolean,
  overrides: Partial<ClientMethodContext> = {},
): ClientMethodContext {
  return {
    clock,
    rng: (label) => testRng(label.length),
    nowUs: () => clock.nowUs(),
    setTimerUs: () => () => undefined,
    traceState: () => undefined,
    traceNote: () => undefined,
    traceMachine: () => ({ current: () => 'none' }),
    outerAddress: '198.51.100.11',
    gatewayAddress: '198.51.100.1',
    ikeUp,
    requestChild: () => undefined,
    continueAuth: () => undefined,
    scheduleChildRekey: () => undefined,
    deleteChild: () => undefined,
    reconnect: () => undefined,
    configure: () => undefined,
    sendUdp: () => ({ kind: 'clear' }),
    children: () => [],
    ...overrides,
  };
}

/** Stands in for the spawned RFC 2131 client: says nothing, so the test's events are its only reports. */
export const silentDhcpClient = fromCallback(() => undefined) as unknown as typeof dhcpClientMachine;
