/**
 * Joins a run of pre-encoded frames into one buffer, for one socket write. The clients flushed in
 * one turn are usually owed the same frames in the same order (one fan-out backlog), so the last
 * join is kept and reused while the next run is the same frames: one copy per distinct run instead
 * of one per client (the copy was the hub's largest cost after the system call in a CPU profile of
 * a 5,000-client fan-out). Safe because nothing modifies a frame once it is encoded.
 */
export class FrameJoiner {
  private lastRun: Buffer[] = [];
  private lastJoined: Buffer | null = null;
  /** Joins reused instead of copied (tests, benchmarks). */
  reused = 0;

  /** The frames `frames[from..to)` as one buffer. */
  join(frames: readonly Buffer[], from: number, to: number): Buffer {
    if (this.lastJoined !== null && this.sameRun(frames, from, to)) {
      this.reused += 1;
      return this.lastJoined;
    }
    const run = frames.slice(from, to);
    let bytes = 0;
    for (const frame of run) bytes += frame.length;
    this.lastRun = run;
    this.lastJoined = Buffer.concat(run, bytes);
    return this.lastJoined;
  }

  private sameRun(frames: readonly Buffer[], from: number, to: number): boolean {
    if (to - from !== this.lastRun.length) return false;
    for (let i = from; i < to; i++) if (frames[i] !== this.lastRun[i - from]) return false;
    return true;
  }
}
