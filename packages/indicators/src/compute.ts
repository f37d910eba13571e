import { BollingerBands } from "./bollinger";
import { Ema } from "./ema";
import { IndicatorInputError } from "./errors";
import { Macd } from "./macd";
import { Rsi } from "./rsi";
import { toEpochMs } from "./session";
import {
  indicatorId,
  parseIndicatorSpec,
  type BollingerSpec,
  type EmaSpec,
  type IndicatorSpec,
  type MacdSpec,
  type RsiSpec,
  type VwapSpec,
} from "./spec";
import { SessionVwap, type VwapOptions } from "./vwap";
import type { Aligned, BollingerPoint, MacdPoint, OhlcvBar } from "./types";

interface SeriesOf<S extends IndicatorSpec, V> {
  readonly kind: S["kind"];
  readonly id: string;
  readonly spec: S;
  readonly values: Aligned<V>;
}

/** One computed indicator; narrow on `kind` to get the value type. */
export type IndicatorSeries =
  | SeriesOf<EmaSpec, number>
  | SeriesOf<BollingerSpec, BollingerPoint>
  | SeriesOf<VwapSpec, number>
  | SeriesOf<MacdSpec, MacdPoint>
  | SeriesOf<RsiSpec, number>;

export type IndicatorValue = IndicatorSeries["values"][number];

interface Runner {
  update(bar: OhlcvBar): IndicatorValue;
  replace(bar: OhlcvBar): IndicatorValue;
}

function runnerFor(spec: IndicatorSpec, options: VwapOptions): Runner {
  const onClose = (s: { update(x: number): IndicatorValue; replace(x: number): IndicatorValue }): Runner => ({
    update: (bar) => s.update(bar.close),
    replace: (bar) => s.replace(bar.close),
  });
  switch (spec.kind) {
    case "ema":
      return onClose(new Ema(spec.period));
    case "bollinger":
      return onClose(new BollingerBands(spec.period, spec.k));
    case "macd":
      return onClose(new Macd(spec.fast, spec.slow, spec.signal));
    case "rsi":
      return onClose(new Rsi(spec.period));
    case "vwap": {
      const vwap = new SessionVwap(options);
      return { update: (bar) => vwap.update(bar), replace: (bar) => vwap.replace(bar) };
    }
  }
}

function normalize(specs: readonly (string | IndicatorSpec)[]): IndicatorSpec[] {
  const byId = new Map<string, IndicatorSpec>();
  for (const item of specs) {
    const spec = typeof item === "string" ? parseIndicatorSpec(item) : item;
    byId.set(indicatorId(spec), spec);
  }
  return [...byId.values()];
}

/**
 * Computes the requested indicators over `bars` (oldest first). `specs` are spec objects or their
 * text form (`"ema:50"`, `"macd"`, …); duplicates are computed once. Every series is aligned with
 * `bars`. Throws IndicatorInputError for unknown names, bad parameters or non-finite prices.
 */
export function computeIndicators(
  bars: readonly OhlcvBar[],
  specs: readonly (string | IndicatorSpec)[],
  options: VwapOptions = {},
): IndicatorSeries[] {
  return normalize(specs).map((spec) => {
    const runner = runnerFor(spec, options);
    const values = bars.map((bar) => runner.update(bar));
    return { kind: spec.kind, id: indicatorId(spec), spec, values } as IndicatorSeries;
  });
}

export interface IndicatorReading {
  readonly id: string;
  readonly kind: IndicatorSpec["kind"];
  readonly value: IndicatorValue;
}

/**
 * Live counterpart of computeIndicators for a stream of candles of one symbol and interval:
 * a bar with the same `time` as the last one revises it (the in-progress candle), a later bar
 * appends, and an earlier bar is refused — the same contract as lightweight-charts' `update()`.
 * Seed it with history through `push` (or `pushAll`) and the readings match computeIndicators on the
 * same final bars exactly.
 */
export class IndicatorStream {
  readonly #entries: { readonly id: string; readonly spec: IndicatorSpec; readonly runner: Runner }[];
  #lastTime: number | null = null;

  constructor(specs: readonly (string | IndicatorSpec)[], options: VwapOptions = {}) {
    this.#entries = normalize(specs).map((spec) => ({
      id: indicatorId(spec),
      spec,
      runner: runnerFor(spec, options),
    }));
  }

  push(bar: OhlcvBar): IndicatorReading[] {
    const time = toEpochMs(bar.time);
    if (this.#lastTime !== null && time < this.#lastTime) {
      throw new IndicatorInputError(`bar at ${time} is older than the last bar at ${this.#lastTime}`);
    }
    const revise = time === this.#lastTime;
    const readings = this.#entries.map(({ id, spec, runner }) => ({
      id,
      kind: spec.kind,
      value: revise ? runner.replace(bar) : runner.update(bar),
    }));
    this.#lastTime = time;
    return readings;
  }

  pushAll(bars: readonly OhlcvBar[]): IndicatorReading[] {
    let readings: IndicatorReading[] = this.#entries.map(({ id, spec }) => ({
      id,
      kind: spec.kind,
      value: null,
    }));
    for (const bar of bars) readings = this.push(bar);
    return readings;
  }
}
