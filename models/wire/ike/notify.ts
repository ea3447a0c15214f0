/**
 * Notify payload body (RFC 7296 §3.10): Protocol ID (1), SPI Size (1), Notify Message Type (2), SPI, Notification
 * Data. Named types get typed data when the data has the expected shape; anything else stays `other` with raw data.
 */
import { readU16, readU32, writeHexDigits, writeU16, writeU32 } from '../bytes.ts';
import { decodeError, parsed, type ParseResult } from '../result.ts';
import { checkU16, checkU32, checkU8, spiFromBytes, spiByteLength, writeBytes } from './codec-util.ts';
import { IkeNotifyType } from './constants.ts';
import {
  IKE_NOTIFY_NAMES_WITHOUT_DATA,
  type IkeNotification,
  type IkeNotifyNameWithoutData,
  type IkeNotifyPayload,
} from './types.ts';

const WITHOUT_DATA: ReadonlySet<string> = new Set<string>(IKE_NOTIFY_NAMES_WITHOUT_DATA);

const TYPE_BY_NAME: ReadonlyMap<string, number> = new Map(Object.entries(IkeNotifyType));
const NAME_BY_TYPE: ReadonlyMap<number, string> = new Map(Object.entries(IkeNotifyType).map(([n, v]) => [v, n]));

/** The Notify Message Type number of a notification. */
export function notifyTypeOf(n: IkeNotification): number {
  return n.notify === 'other' ? n.notifyType : (TYPE_BY_NAME.get(n.notify) ?? 0);
}

function notificationDataLength(n: IkeNotification): number {
  switch (n.notify) {
    case 'INVALID_KE_PAYLOAD':
      return 2;
    case 'INVALID_MESSAGE_ID':
      return 4;
    case 'NAT_DETECTION_SOURCE_IP':
    case 'NAT_DETECTION_DESTINATION_IP':
      return n.hash.length;
    case 'SIGNATURE_HASH_ALGORITHMS':
      return 2 * n.algorithms.length;
    case 'other':
      return n.data.length;
    default:
      return 0;
  }
}

export function notifyBodyLength(p: IkeNotifyPayload): number {
  return 4 + p.spi.length / 2 + notificationDataLength(p);
}

export function emitNotifyBodyInto(p: IkeNotifyPayload, buffer: Uint8Array, offset: number, field: string): number {
  const spiBytes = spiByteLength(p.spi, field, '.spi');
  buffer[offset] = checkU8(p.protocolId, field, '.protocolId');
  buffer[offset + 1] = checkU8(spiBytes, field, '.spiSize');
  writeU16(buffer, offset + 2, checkU16(notifyTypeOf(p), field, '.notifyType'));
  let at = offset + 4 + writeHexDigits(buffer, offset + 4, p.spi);
  switch (p.notify) {
    case 'INVALID_KE_PAYLOAD':
      writeU16(buffer, at, checkU16(p.dhGroup, field, '.dhGroup'));
      at += 2;
      break;
    case 'INVALID_MESSAGE_ID':
      writeU32(buffer, at, checkU32(p.messageId, field, '.messageId'));
      at += 4;
      break;
    case 'NAT_DETECTION_SOURCE_IP':
    case 'NAT_DETECTION_DESTINATION_IP':
      at += writeBytes(buffer, at, p.hash);
      break;
    case 'SIGNATURE_HASH_ALGORITHMS':
      p.algorithms.forEach((a, i) => {
        writeU16(buffer, at, checkU16(a, `${field}.algorithms[${i}]`));
        at += 2;
      });
      break;
    case 'other':
      at += writeBytes(buffer, at, p.data);
      break;
    default:
      break;
  }
  return at - offset;
}

function notification(notifyType: number, data: Uint8Array): IkeNotification {
  const name = NAME_BY_TYPE.get(notifyType);
  if (name !== undefined) {
    if (WITHOUT_DATA.has(name) && data.length === 0) return { notify: name as IkeNotifyNameWithoutData };
    if (name === 'INVALID_KE_PAYLOAD' && data.length === 2) return { notify: name, dhGroup: readU16(data, 0) };
    if (name === 'INVALID_MESSAGE_ID' && data.length === 4) return { notify: name, messageId: readU32(data, 0) };
    if (name === 'NAT_DETECTION_SOURCE_IP' || name === 'NAT_DETECTION_DESTINATION_IP')
      return { notify: name, hash: data };
    if (name === 'SIGNATURE_HASH_ALGORITHMS' && data.length % 2 === 0) {
      const algorithms: number[] = [];
      for (let i = 0; i < data.length; i += 2) algorithms.push(readU16(data, i));
      return { notify: name, algorithms };
    }
  }
  return { notify: 'other', notifyType, data };
}

export function parseNotifyBody(
  bytes: Uint8Array,
  start: number,
  end: number,
  field: string,
  critical: boolean,
): ParseResult<IkeNotifyPayload> {
  if (end - start < 4) return decodeError(field, start, `needs 4 bytes, ${end - start} left`);
  const spiSize = bytes[start + 1] ?? 0;
  if (start + 4 + spiSize > end)
    return decodeError(`${field}.spiSize`, start + 1, `SPI of ${spiSize} bytes exceeds the payload`);
  const spiEnd = start + 4 + spiSize;
  const payload: IkeNotifyPayload = {
    kind: 'N',
    critical,
    protocolId: bytes[start] ?? 0,
    spi: spiFromBytes(bytes, start + 4, spiEnd),
    ...notification(readU16(bytes, start + 2), bytes.slice(spiEnd, end)),
  };
  return parsed(payload, end - start);
}
