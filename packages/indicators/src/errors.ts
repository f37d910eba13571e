/**
 * Bad indicator input (a period out of range, a non-finite price, an unknown indicator name).
 * Never retryable: the same input fails the same way.
 */
export class IndicatorInputError extends Error {
  readonly retryable = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "IndicatorInputError";
  }
}

/** Largest look-back we accept; bounds the work an API caller can ask for. */
export const MAX_PERIOD = 1000;

export function assertPeriod(period: number, what: string): void {
  if (!Number.isInteger(period) || period < 1 || period > MAX_PERIOD) {
    throw new IndicatorInputError(`${what} must be an integer in 1..${MAX_PERIOD}, got ${period}`);
  }
}

/**
 * A NaN would silently poison every later value of a recursive average (EMA, Wilder), so refuse it
 * at the door instead.
 */
export function assertFinite(value: number, what: string): void {
  if (!Number.isFinite(value)) throw new IndicatorInputError(`${what} must be a finite number, got ${value}`);
}
