export type { OhlcvBar, Aligned, BollingerPoint, MacdPoint } from "./types";
export { IndicatorInputError, MAX_PERIOD } from "./errors";
export { StreamingIndicator } from "./streaming";
export { ema, Ema } from "./ema";
export { bollinger, BollingerBands } from "./bollinger";
export { vwap, SessionVwap, type VwapOptions } from "./vwap";
export { macd, Macd } from "./macd";
export { rsi, Rsi } from "./rsi";
export { newYorkSessionDay, toEpochMs, type SessionKey } from "./session";
export {
  parseIndicatorSpec,
  indicatorId,
  INDICATOR_KINDS,
  DEFAULT_SPECS,
  type IndicatorSpec,
  type IndicatorKind,
  type EmaSpec,
  type BollingerSpec,
  type VwapSpec,
  type MacdSpec,
  type RsiSpec,
} from "./spec";
export {
  computeIndicators,
  IndicatorStream,
  type IndicatorSeries,
  type IndicatorValue,
  type IndicatorReading,
} from "./compute";
