/**
 * The behaviour of one link direction. Inputs are integers with units in their names; probabilities are parts per
 * million. `compileProfile` validates and precomputes what the per-packet pipeline needs.
 */

const PPM = 1_000_000;

export interface LinkProfile {
  /** Propagation delay. Default 0. */
  readonly latencyUs?: number;
  /** Uniform extra delay in [0, jitterUs] per packet (may reorder packets). Default 0. */
  readonly jitterUs?: number;
  /** Loss ratio in ppm. Independent per packet, or the stationary loss ratio of the burst model when `lossBurstLengthMean` is set. */
  readonly lossPpm?: number;
  /**
   * Mean burst length in packets (≥ 1): selects the Gilbert-Elliott model (two states; every packet in Bad is lost,
   * none in Good). Bad→Good = 1/mean, Good→Bad = loss·pBG/(1−loss), both as ppm integers.
   */
  readonly lossBurstLengthMean?: number;
  readonly duplicatePpm?: number;
  /** Fraction of packets (ppm) that get `reorderExtraDelayUs` on top of their delay. */
  readonly reorderPpm?: number;
  readonly reorderExtraDelayUs?: number;
  /** Serialisation rate; 0 or absent = infinite (no queue). */
  readonly bandwidthBps?: number;
  /** Queue bound when `bandwidthBps` is set (packets waiting or in transmission); tail drop. Default: unbounded bytes. */
  readonly queueBytesMax?: number;
  /** Default `QUEUE_PACKETS_MAX_DEFAULT`. */
  readonly queuePacketsMax?: number;
  /** Larger datagrams are dropped (`mtu`). Default 65,535. */
  readonly mtuBytes?: number;
}

export const QUEUE_PACKETS_MAX_DEFAULT = 10_000;
export const MTU_BYTES_DEFAULT = 65_535;

export interface CompiledProfile {
  readonly latencyUs: number;
  readonly jitterUs: number;
  readonly lossPpm: number;
  /** Gilbert-Elliott on? */
  readonly burst: boolean;
  readonly goodToBadPpm: number;
  readonly badToGoodPpm: number;
  readonly duplicatePpm: number;
  readonly reorderPpm: number;
  readonly reorderExtraDelayUs: number;
  readonly bandwidthBps: number;
  readonly queueBytesMax: number;
  readonly queuePacketsMax: number;
  readonly mtuBytes: number;
}

function nonNegativeInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`link profile ${name} must be an integer ≥ 0: ${value}`);
  return value;
}

function ppm(name: string, value: number | undefined): number {
  const v = nonNegativeInt(name, value, 0);
  if (v > PPM) throw new RangeError(`link profile ${name} must be ≤ 1,000,000 ppm: ${v}`);
  return v;
}

/** Gilbert-Elliott transition probabilities (ppm) for a stationary loss ratio and a mean burst length. */
export function gilbertElliottPpm(
  lossPpm: number,
  burstLengthMean: number,
): { readonly goodToBadPpm: number; readonly badToGoodPpm: number } {
  if (!(burstLengthMean >= 1)) throw new RangeError(`lossBurstLengthMean must be ≥ 1: ${burstLengthMean}`);
  if (lossPpm >= PPM) return { goodToBadPpm: PPM, badToGoodPpm: 0 };
  // A burst ends with probability 1/mean per packet (geometric length). π_bad = g/(g+b) = loss ⇒ g = loss·b/(1−loss).
  const badToGoodPpm = Math.round(PPM / burstLengthMean);
  const goodToBadPpm = Math.min(PPM, Math.round((lossPpm * badToGoodPpm) / (PPM - lossPpm)));
  return { goodToBadPpm, badToGoodPpm };
}

export function compileProfile(profile: LinkProfile): CompiledProfile {
  const lossPpm = ppm('lossPpm', profile.lossPpm);
  const burst = profile.lossBurstLengthMean !== undefined && lossPpm > 0;
  const ge = burst ? gilbertElliottPpm(lossPpm, profile.lossBurstLengthMean as number) : undefined;
  return {
    latencyUs: nonNegativeInt('latencyUs', profile.latencyUs, 0),
    jitterUs: nonNegativeInt('jitterUs', profile.jitterUs, 0),
    lossPpm,
    burst,
    goodToBadPpm: ge?.goodToBadPpm ?? 0,
    badToGoodPpm: ge?.badToGoodPpm ?? 0,
    duplicatePpm: ppm('duplicatePpm', profile.duplicatePpm),
    reorderPpm: ppm('reorderPpm', profile.reorderPpm),
    reorderExtraDelayUs: nonNegativeInt('reorderExtraDelayUs', profile.reorderExtraDelayUs, 0),
    bandwidthBps: nonNegativeInt('bandwidthBps', profile.bandwidthBps, 0),
    queueBytesMax: nonNegativeInt('queueBytesMax', profile.queueBytesMax, Number.MAX_SAFE_INTEGER),
    queuePacketsMax: nonNegativeInt('queuePacketsMax', profile.queuePacketsMax, QUEUE_PACKETS_MAX_DEFAULT),
    mtuBytes: nonNegativeInt('mtuBytes', profile.mtuBytes, MTU_BYTES_DEFAULT),
  };
}

/** Serialisation delay of `lengthBytes` at `bandwidthBps`, rounded up to whole microseconds. */
export function serialisationUs(lengthBytes: number, bandwidthBps: number): number {
  return Math.ceil((lengthBytes * 8 * 1_000_000) / bandwidthBps);
}
