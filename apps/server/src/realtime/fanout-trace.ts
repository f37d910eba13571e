import type { Publication, WireFormat } from "./publication";
import { frameFor } from "./publication";

/**
 * Where one publication's fan-out spent its time, stage by stage (benchmarks, tracing). Every field
 * but `recipients` is a `performance.now()` reading, so differences are durations in ms.
 */
export interface FanoutTrace {
  recipients: number;
  /** `publish` was called. */
  offeredAt: number;
  /** The latest-value throttle let it through (later than `offeredAt` only when it was deferred). */
  emittedAt: number;
  /** Numbered and kept in the channel's history. */
  appendedAt: number;
  /** Encoded for the first subscriber's wire format. */
  encodedAt: number;
  /**
   * On every subscriber's queue; for a lone publication written directly, when its burst ended and
   * the direct pass began (the "enqueue" stage is then the wait for the end of the burst).
   */
  enqueuedAt: number;
  /** The first write of this publication began: the end-of-turn flush, or the direct pass. */
  flushStartedAt: number;
  /** Written to (or queued behind a full transport for) its last subscriber. */
  completedAt: number;
}

export type FanoutStage = "throttle" | "history append" | "encode" | "enqueue" | "flush scheduling" | "write";

/** Stage durations in ms, in order, as a bench prints them. */
export function fanoutStages(trace: FanoutTrace): Record<FanoutStage, number> {
  return {
    throttle: trace.emittedAt - trace.offeredAt,
    "history append": trace.appendedAt - trace.emittedAt,
    encode: trace.encodedAt - trace.appendedAt,
    enqueue: trace.enqueuedAt - trace.encodedAt,
    "flush scheduling": trace.flushStartedAt - trace.enqueuedAt,
    write: trace.completedAt - trace.flushStartedAt,
  };
}

/**
 * A publication's trace as the hub starts its fan-out: times the history append and, by encoding
 * for the first subscriber's format now instead of at the first offer, one encoding.
 */
export function startFanoutTrace(
  offeredAt: number,
  emittedAt: number,
  publication: Publication,
  firstFormat: WireFormat | undefined,
): FanoutTrace {
  const appendedAt = performance.now();
  if (firstFormat !== undefined) frameFor(publication, firstFormat);
  const encodedAt = performance.now();
  return {
    recipients: 0,
    offeredAt,
    emittedAt,
    appendedAt,
    encodedAt,
    enqueuedAt: encodedAt,
    flushStartedAt: 0,
    completedAt: encodedAt,
  };
}
