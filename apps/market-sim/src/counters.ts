/** Counters that tests and benchmarks assert on (exposed at GET /control/counters). */
import type { SimulatorCounters } from "./api";

export class Counters {
  connectionsOpened = 0;
  framesSent = 0;
  messagesSent = 0;
  restRequests = 0;
  yahooRequests = 0;
  maxConcurrentAuthenticatedSessions = 0;
  readonly errorsSent: Record<string, number> = {};

  constructor(private readonly concurrentSessions: () => number) {}

  error(code: number): void {
    const key = String(code);
    this.errorsSent[key] = (this.errorsSent[key] ?? 0) + 1;
  }

  /** Call after every change to the session registry, so the maximum is never missed. */
  sessionsChanged(): void {
    this.maxConcurrentAuthenticatedSessions = Math.max(
      this.maxConcurrentAuthenticatedSessions,
      this.concurrentSessions(),
    );
  }

  snapshot(): SimulatorCounters {
    return {
      connectionsOpened: this.connectionsOpened,
      concurrentAuthenticatedSessions: this.concurrentSessions(),
      maxConcurrentAuthenticatedSessions: this.maxConcurrentAuthenticatedSessions,
      framesSent: this.framesSent,
      messagesSent: this.messagesSent,
      restRequests: this.restRequests,
      yahooRequests: this.yahooRequests,
      errorsSent: { ...this.errorsSent },
    };
  }
}
