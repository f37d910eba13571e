import { assertFinite, IndicatorInputError } from "./errors";
import { newYorkSessionDay, type SessionKey } from "./session";
import { StreamingIndicator } from "./streaming";
import type { Aligned, OhlcvBar } from "./types";

/**
 * Session-anchored VWAP: Σ(typical price × volume) / Σ volume since the session's first bar, typical
 * price = (high + low + close) / 3. The sums reset when the session id changes (by default the
 * America/New_York calendar day). `null` while the session has traded no volume yet.
 */
interface VwapState {
  readonly session: string | null;
  readonly priceVolume: number;
  readonly volume: number;
}

export interface VwapOptions {
  /** Session id of a bar time; defaults to the New York calendar day. */
  readonly sessionKey?: SessionKey;
}

export class SessionVwap extends StreamingIndicator<VwapState, OhlcvBar, number> {
  readonly #sessionKey: SessionKey;

  constructor(options: VwapOptions = {}) {
    super({ session: null, priceVolume: 0, volume: 0 });
    this.#sessionKey = options.sessionKey ?? newYorkSessionDay;
  }

  protected step(state: VwapState, bar: OhlcvBar): VwapState {
    assertFinite(bar.time, "bar time");
    assertFinite(bar.high, "bar high");
    assertFinite(bar.low, "bar low");
    assertFinite(bar.close, "bar close");
    assertFinite(bar.volume, "bar volume");
    if (bar.volume < 0) throw new IndicatorInputError(`bar volume must be ≥ 0, got ${bar.volume}`);
    const session = this.#sessionKey(bar.time);
    const typical = (bar.high + bar.low + bar.close) / 3;
    const carried = session === state.session;
    return {
      session,
      priceVolume: (carried ? state.priceVolume : 0) + typical * bar.volume,
      volume: (carried ? state.volume : 0) + bar.volume,
    };
  }

  protected read(state: VwapState): number | null {
    return state.volume > 0 ? state.priceVolume / state.volume : null;
  }
}

/** Session-anchored VWAP of `bars` (in time order), aligned with them. */
export function vwap(bars: readonly OhlcvBar[], options: VwapOptions = {}): Aligned<number> {
  const stream = new SessionVwap(options);
  return bars.map((bar) => stream.update(bar));
}
