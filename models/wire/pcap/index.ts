export { readCapture, readPcap, readPcapng } from './read.ts';
export { writePcap, pcapLength, type PcapRecord } from './write.ts';
export { ipv4FromFrame } from './link.ts';
export { LinkType, type Capture, type CapturedPacket, type SkippedRecord } from './types.ts';
