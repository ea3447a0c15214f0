/**
 * A random stream forked on its first draw. The carrier's DHCP retransmission jitter stream is drawn only under WG's
 * `rfc2131` re-carry (the carried policy has no jitter), yet every client forked it up front (~90 B each, kept for
 * the client's life). Forking on first use draws the same numbers: a fork derives from its parent's state at
 * creation and its label, never from when it is made (sim/rng.ts).
 */
import type { RandomStream } from '../../contract.ts';

export interface StreamSource {
  rng(label: string): RandomStream;
}

export class LazyStream implements RandomStream {
  private stream: RandomStream | undefined = undefined;

  constructor(
    private readonly source: StreamSource,
    private readonly label: string,
  ) {}

  private get forked(): RandomStream {
    return (this.stream ??= this.source.rng(this.label));
  }

  nextU32(): number {
    return this.forked.nextU32();
  }

  intBelow(n: number): number {
    return this.forked.intBelow(n);
  }

  intBetween(lo: number, hi: number): number {
    return this.forked.intBetween(lo, hi);
  }

  chancePpm(ppm: number): boolean {
    return this.forked.chancePpm(ppm);
  }

  fork(label: string): RandomStream {
    return this.forked.fork(label);
  }
}
