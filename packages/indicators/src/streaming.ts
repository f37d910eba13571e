/**
 * Base of every incremental indicator. Each indicator is a pure `step(state, input)`, so revising the
 * current (still-forming) bar is just re-running the step from the state before that bar:
 *
 * - `update(input)` appends a NEW bar and returns the indicator value for it.
 * - `replace(input)` revises the LAST bar (a live candle ticks many times before it closes) and
 *   returns the revised value. The result is exactly what `update` would have returned had the
 *   revised bar been passed in the first place, so a live chart and a batch recomputation never
 *   drift apart. Only the last bar can be revised; on an empty indicator `replace` acts as `update`.
 *
 * States are immutable values, which keeps `replace` O(1) for the recursive indicators (EMA, MACD,
 * RSI, VWAP) and O(period) for the windowed one (Bollinger).
 */
export abstract class StreamingIndicator<State, Input, Output> {
  #before: State;
  #current: State;
  #count = 0;

  protected constructor(initial: State) {
    this.#before = initial;
    this.#current = initial;
  }

  update(input: Input): Output | null {
    const next = this.step(this.#current, input);
    this.#before = this.#current;
    this.#current = next;
    this.#count += 1;
    return this.read(next);
  }

  replace(input: Input): Output | null {
    if (this.#count === 0) return this.update(input);
    this.#current = this.step(this.#before, input);
    return this.read(this.#current);
  }

  /** Value after the latest bar, `null` while warming up or before any bar. */
  get value(): Output | null {
    return this.read(this.#current);
  }

  /** Number of bars seen (a `replace` does not add one). */
  get count(): number {
    return this.#count;
  }

  protected abstract step(state: State, input: Input): State;
  protected abstract read(state: State): Output | null;
}
