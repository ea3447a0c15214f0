/**
 * A random stream that always draws the same values (7, the lowest of any range, no chance ever taken), for unit
 * tests of a provider whose draws do not matter to what the test checks; its forks are itself.
 */
import type { RandomStream } from '../../models/contract.ts';

export function fixedRandomStream(): RandomStream {
  const rng: RandomStream = {
    nextU32: () => 7,
    intBelow: () => 0,
    intBetween: (lo) => lo,
    chancePpm: () => false,
    fork: () => rng,
  };
  return rng;
}
