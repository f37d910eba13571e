import type { Logger } from "../logger";
import type { SourceEvent, SourceListener } from "./source";

/** The listeners of one source: a listener that throws is logged and never stops the others. */
export class SourceListeners {
  private readonly listeners = new Set<SourceListener>();

  constructor(
    private readonly log: Logger,
    private readonly source: string,
  ) {}

  add(listener: SourceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: SourceEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log.error({ err, source: this.source }, "source listener threw");
      }
    }
  }
}
