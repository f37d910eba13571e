/** One OHLCV bar of any interval; `time` is the bar start, epoch milliseconds or seconds. */
export interface OhlcvBar {
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** A series aligned index-for-index with its input bars; `null` while the indicator warms up. */
export type Aligned<T> = (T | null)[];

export interface BollingerPoint {
  readonly middle: number;
  readonly upper: number;
  readonly lower: number;
}

export interface MacdPoint {
  readonly macd: number;
  /** `null` until the signal EMA has seen `signalPeriod` MACD values. */
  readonly signal: number | null;
  readonly histogram: number | null;
}
