import { IndicatorInputError } from "./errors";

/**
 * Which indicator with which parameters. The text form is what the TA signals API takes in its
 * `indicators=` query: `ema`, `ema:50`, `bollinger`, `bollinger:20:2`, `vwap`, `macd`, `macd:12:26:9`,
 * `rsi`, `rsi:14` (omitted parameters take the defaults below).
 */
export interface EmaSpec {
  readonly kind: "ema";
  readonly period: number;
}
export interface BollingerSpec {
  readonly kind: "bollinger";
  readonly period: number;
  readonly k: number;
}
export interface VwapSpec {
  readonly kind: "vwap";
}
export interface MacdSpec {
  readonly kind: "macd";
  readonly fast: number;
  readonly slow: number;
  readonly signal: number;
}
export interface RsiSpec {
  readonly kind: "rsi";
  readonly period: number;
}
export type IndicatorSpec = EmaSpec | BollingerSpec | VwapSpec | MacdSpec | RsiSpec;
export type IndicatorKind = IndicatorSpec["kind"];

export const INDICATOR_KINDS: readonly IndicatorKind[] = ["ema", "bollinger", "vwap", "macd", "rsi"];

export const DEFAULT_SPECS = {
  ema: { kind: "ema", period: 20 },
  bollinger: { kind: "bollinger", period: 20, k: 2 },
  vwap: { kind: "vwap" },
  macd: { kind: "macd", fast: 12, slow: 26, signal: 9 },
  rsi: { kind: "rsi", period: 14 },
} as const satisfies { [K in IndicatorKind]: Extract<IndicatorSpec, { kind: K }> };

function isKind(name: string): name is IndicatorKind {
  return (INDICATOR_KINDS as readonly string[]).includes(name);
}

function numbers(text: string, args: readonly string[], max: number): number[] {
  if (args.length > max) throw new IndicatorInputError(`too many parameters in indicator "${text}"`);
  return args.map((arg) => {
    const value = /^\d+(\.\d+)?$/.test(arg) ? Number(arg) : Number.NaN;
    if (Number.isNaN(value)) throw new IndicatorInputError(`bad parameter "${arg}" in indicator "${text}"`);
    return value;
  });
}

/** Parses `name[:p1[:p2[:p3]]]`; range checks happen when the indicator is built. */
export function parseIndicatorSpec(text: string): IndicatorSpec {
  const [rawName = "", ...args] = text.trim().toLowerCase().split(":");
  if (!isKind(rawName)) {
    throw new IndicatorInputError(`unknown indicator "${text}" (known: ${INDICATOR_KINDS.join(", ")})`);
  }
  switch (rawName) {
    case "ema": {
      const [period = DEFAULT_SPECS.ema.period] = numbers(text, args, 1);
      return { kind: "ema", period };
    }
    case "bollinger": {
      const [period = DEFAULT_SPECS.bollinger.period, k = DEFAULT_SPECS.bollinger.k] = numbers(text, args, 2);
      return { kind: "bollinger", period, k };
    }
    case "vwap":
      numbers(text, args, 0);
      return DEFAULT_SPECS.vwap;
    case "macd": {
      const d = DEFAULT_SPECS.macd;
      const [fast = d.fast, slow = d.slow, signal = d.signal] = numbers(text, args, 3);
      return { kind: "macd", fast, slow, signal };
    }
    case "rsi": {
      const [period = DEFAULT_SPECS.rsi.period] = numbers(text, args, 1);
      return { kind: "rsi", period };
    }
  }
}

/** Stable display/response id, e.g. `ema(20)`, `bollinger(20,2)`, `vwap`, `macd(12,26,9)`, `rsi(14)`. */
export function indicatorId(spec: IndicatorSpec): string {
  switch (spec.kind) {
    case "ema":
      return `ema(${spec.period})`;
    case "bollinger":
      return `bollinger(${spec.period},${spec.k})`;
    case "vwap":
      return "vwap";
    case "macd":
      return `macd(${spec.fast},${spec.slow},${spec.signal})`;
    case "rsi":
      return `rsi(${spec.period})`;
  }
}
