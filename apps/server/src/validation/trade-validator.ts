import type { RejectedTick, Trade } from "@torghut/contracts";
import pino from "pino";
import type { Logger } from "../logger";
import { type Clock, systemClock } from "../clock";
import { CircuitBreaker } from "./circuit-breaker";
import { SlidingFailureRate } from "./failure-rate";
import * as metrics from "./metrics";
import { type RejectReason, checkTrade } from "./rules";

export interface TradeValidatorOptions {
  clock?: Clock;
  logger?: Logger;
  /** VALIDATION_FUTURE_TOLERANCE_SECONDS (default 300). */
  futureToleranceSeconds?: number;
  /** CIRCUIT_BREAKER_PERCENT (default 20). */
  circuitBreakerPercent?: number;
  /** Consecutive ticks at a new level that re-anchor the breaker (default 3). */
  confirmTicks?: number;
  confirmTolerancePercent?: number;
  /** Window of the failure rate (default 300 s). */
  failureRateWindowSeconds?: number;
}

export type ValidationOutcome =
  | { status: "accepted"; trade: Trade }
  /** Kept and stored with `suspicious: true`, but excluded from bars and the live price. */
  | { status: "suspicious"; trade: Trade; movePercent: number }
  | { status: "rejected"; rejection: RejectedTick };

/**
 * Applies the tick rules, then the per-symbol circuit breaker, and keeps the counts the alert
 * reads. Accepted trades are returned as the same object (no allocation on the hot path).
 */
export class TradeValidator {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly futureToleranceMs: number;
  private readonly breaker: CircuitBreaker;
  private readonly window: SlidingFailureRate;
  private readonly rejectedByReason = new Map<RejectReason, number>();
  private checked = 0;
  private suspicious = 0;

  constructor(options: TradeValidatorOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.log = (options.logger ?? pino({ enabled: false })).child({ component: "validation" });
    this.futureToleranceMs = (options.futureToleranceSeconds ?? 300) * 1000;
    this.breaker = new CircuitBreaker({
      thresholdPercent: options.circuitBreakerPercent ?? 20,
      ...(options.confirmTicks !== undefined ? { confirmTicks: options.confirmTicks } : {}),
      ...(options.confirmTolerancePercent !== undefined
        ? { confirmTolerancePercent: options.confirmTolerancePercent }
        : {}),
    });
    this.window = new SlidingFailureRate(
      options.failureRateWindowSeconds ?? 300,
      this.clock.now(),
      (checked) => {
        metrics.validationChecked.inc(checked);
        metrics.validationFailureRate.set(this.window.rate(this.clock.now()));
      },
    );
  }

  validate(trade: Trade): ValidationOutcome {
    const now = this.clock.now();
    this.checked += 1;
    const violation = checkTrade(trade, now, { futureToleranceMs: this.futureToleranceMs });
    this.window.record(now, violation !== null);
    if (violation !== null) {
      this.rejectedByReason.set(violation.reason, (this.rejectedByReason.get(violation.reason) ?? 0) + 1);
      metrics.validationFailures.inc({ reason: violation.reason });
      this.log.warn(
        { symbol: trade.symbol, reason: violation.reason },
        `Validation failed: ${violation.detail}`,
      );
      return { status: "rejected", rejection: { trade, ...violation, rejectedAt: now } };
    }
    const verdict = this.breaker.assess(trade.symbol, trade.price);
    if (!verdict.tripped) return { status: "accepted", trade };
    this.suspicious += 1;
    metrics.circuitBreakerTrips.inc({ symbol: trade.symbol });
    this.log.warn(
      { symbol: trade.symbol, price: trade.price, movePercent: verdict.movePercent },
      verdict.message,
    );
    return { status: "suspicious", trade: { ...trade, suspicious: true }, movePercent: verdict.movePercent };
  }

  /** Reference price for a symbol before live ticks (e.g. the REST latest trade). */
  seedPrice(symbol: string, price: number): void {
    this.breaker.seed(symbol, price);
  }

  /** Rejected / checked over the sliding window: what the validation-failure alert watches. */
  failureRate(): number {
    return this.window.rate(this.clock.now());
  }

  stats(): {
    checked: number;
    suspicious: number;
    rejected: number;
    rejectedByReason: Record<string, number>;
  } {
    const rejectedByReason = Object.fromEntries(this.rejectedByReason);
    const rejected = [...this.rejectedByReason.values()].reduce((a, b) => a + b, 0);
    return { checked: this.checked, suspicious: this.suspicious, rejected, rejectedByReason };
  }
}
