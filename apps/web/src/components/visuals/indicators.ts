import { type IndicatorSeries } from "@torghut/contracts";

export const INDICATORS = [
  { key: "ema", label: "EMA 20", spec: "ema:20", pane: "price" },
  { key: "bollinger", label: "Bollinger 20/2", spec: "bollinger:20:2", pane: "price" },
  { key: "vwap", label: "VWAP", spec: "vwap", pane: "price" },
  { key: "macd", label: "MACD 12/26/9", spec: "macd:12:26:9", pane: "own" },
  { key: "rsi", label: "RSI 14", spec: "rsi:14", pane: "own" },
] as const;
export type IndicatorKey = (typeof INDICATORS)[number]["key"];

export interface LinePoint {
  time: number;
  value: number;
}

/** One drawable line (or histogram) of an indicator, in chart time (UTC seconds). */
export interface IndicatorLine {
  name: string;
  kind: "line" | "histogram";
  color: string;
  points: LinePoint[];
}

const seconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

function pick(indicator: IndicatorSeries, field: string): LinePoint[] {
  const out: LinePoint[] = [];
  for (const p of indicator.points) {
    const value = p[field];
    if (typeof value === "number") out.push({ time: seconds(p.time), value });
  }
  return out;
}

/** The signals API's points split into the lines the chart draws for each indicator. */
export function linesFor(key: IndicatorKey, indicator: IndicatorSeries): IndicatorLine[] {
  switch (key) {
    case "ema":
      return [{ name: "EMA", kind: "line", color: "#f0c020", points: pick(indicator, "value") }];
    case "vwap":
      return [{ name: "VWAP", kind: "line", color: "#c070ff", points: pick(indicator, "value") }];
    case "bollinger":
      return [
        { name: "BB upper", kind: "line", color: "#3d8bfd", points: pick(indicator, "upper") },
        { name: "BB middle", kind: "line", color: "#6f9fd8", points: pick(indicator, "middle") },
        { name: "BB lower", kind: "line", color: "#3d8bfd", points: pick(indicator, "lower") },
      ];
    case "macd":
      return [
        { name: "MACD hist", kind: "histogram", color: "#5b6b7a", points: pick(indicator, "histogram") },
        { name: "MACD", kind: "line", color: "#3d8bfd", points: pick(indicator, "macd") },
        { name: "Signal", kind: "line", color: "#f08020", points: pick(indicator, "signal") },
      ];
    case "rsi":
      return [{ name: "RSI", kind: "line", color: "#e0e060", points: pick(indicator, "value") }];
  }
}
