/** Human units → the engine's integers. JSON numbers are IEEE doubles; one multiply and a round is exact enough. */
import type { LinkProfile } from '../sim/link-profile.ts';
import type { ProfileInput } from './schema.ts';

export function msToUs(ms: number): number {
  return Math.round(ms * 1000);
}

export function ratioToPpm(ratio: number): number {
  return Math.round(ratio * 1_000_000);
}

/** A scenario profile → sim LinkProfile (µs, ppm integers); absent fields stay absent. */
export function toLinkProfile(p: ProfileInput): LinkProfile {
  const out: Record<string, number> = {};
  const put = (k: keyof LinkProfile, v: number | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  put('latencyUs', p.latencyUs ?? (p.latencyMs === undefined ? undefined : msToUs(p.latencyMs)));
  put('jitterUs', p.jitterUs ?? (p.jitterMs === undefined ? undefined : msToUs(p.jitterMs)));
  put('lossPpm', p.lossPpm ?? (p.lossRatio === undefined ? undefined : ratioToPpm(p.lossRatio)));
  put('lossBurstLengthMean', p.lossBurstLengthMean);
  put('duplicatePpm', p.duplicatePpm ?? (p.duplicateRatio === undefined ? undefined : ratioToPpm(p.duplicateRatio)));
  put('reorderPpm', p.reorderPpm ?? (p.reorderRatio === undefined ? undefined : ratioToPpm(p.reorderRatio)));
  put(
    'reorderExtraDelayUs',
    p.reorderExtraDelayUs ?? (p.reorderExtraDelayMs === undefined ? undefined : msToUs(p.reorderExtraDelayMs)),
  );
  put('bandwidthBps', p.bandwidthBps);
  put('queueBytesMax', p.queueBytesMax);
  put('queuePacketsMax', p.queuePacketsMax);
  put('mtuBytes', p.mtuBytes);
  return out as LinkProfile;
}
