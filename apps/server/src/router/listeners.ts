import type { Logger } from "../logger";
import type { PrimaryGap, RouterStatusEvent, TransitionRecord, TransitionRecorder } from "./snapshot";

/**
 * Who hears about the router's changes: status listeners (the bus, the hub), gap listeners (the
 * backfill) and the transition recorder (source_events). A listener that throws or a recorder that
 * fails is logged; it never stops the router.
 */
export class RouterListeners {
  private readonly statusListeners = new Set<(e: RouterStatusEvent) => void>();
  private readonly gapListeners = new Set<(gap: PrimaryGap) => void>();

  constructor(
    private readonly logger: Logger,
    private readonly recorder: TransitionRecorder | undefined,
  ) {}

  onStatus(listener: (e: RouterStatusEvent) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  onGap(listener: (gap: PrimaryGap) => void): () => void {
    this.gapListeners.add(listener);
    return () => this.gapListeners.delete(listener);
  }

  gap(gap: PrimaryGap): void {
    for (const listener of this.gapListeners) listener(gap);
  }

  status(event: RouterStatusEvent): void {
    for (const listener of this.statusListeners) {
      try {
        listener(event);
      } catch (err) {
        this.logger.error({ err }, "DataSourceRouter status listener failed");
      }
    }
  }

  record(record: TransitionRecord): void {
    if (!this.recorder) return;
    const failed = (err: unknown) =>
      this.logger.error({ err }, "DataSourceRouter could not record the transition");
    try {
      void Promise.resolve(this.recorder.record(record)).catch(failed);
    } catch (err) {
      failed(err);
    }
  }
}
