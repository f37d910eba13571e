"use client";
import { useState, type ReactNode } from "react";
import { INTERVAL_SECONDS, type ChartInterval } from "@/lib/bar-builder";
import { RANGES, type ChartView, type RangeKey } from "./chart-view";
import { INDICATORS, type IndicatorKey } from "./indicators";

interface Props {
  view: ChartView;
  known: readonly string[];
  onSymbol: (symbol: string) => void;
  onInterval: (interval: ChartInterval) => void;
  onRange: (range: RangeKey) => void;
  onCompare: (symbol: string | null) => void;
  onToggle: (key: IndicatorKey, on: boolean) => void;
  indicatorPoints: Partial<Record<IndicatorKey, number>>;
  children: ReactNode;
}

/** Symbol, interval buttons, range presets, compare and indicator toggles: all reachable by keyboard. */
export function ChartToolbar(props: Props) {
  const { view, known } = props;
  const [draft, setDraft] = useState(view.symbol);
  const [compareDraft, setCompareDraft] = useState(view.compare ?? "");
  const options = known.includes(view.symbol) ? known : [view.symbol, ...known];
  return (
    <>
      <div className="toolbar">
        <h1>TA visuals</h1>
        <select
          data-testid="symbol-picker"
          value={view.symbol}
          onChange={(e) => {
            setDraft(e.target.value);
            props.onSymbol(e.target.value);
          }}
          aria-label="Symbol"
        >
          {options.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            props.onSymbol(draft);
          }}
        >
          <input
            data-testid="symbol-input"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            aria-label="Any symbol"
            size={8}
          />{" "}
          <button type="submit">Show</button>
        </form>
        <div className="segmented" role="group" aria-label="Interval" data-testid="interval-picker">
          {(Object.keys(INTERVAL_SECONDS) as ChartInterval[]).map((i) => (
            <button
              key={i}
              type="button"
              data-testid={`interval-${i}`}
              aria-pressed={view.interval === i}
              onClick={() => props.onInterval(i)}
            >
              {i}
            </button>
          ))}
        </div>
        <div className="segmented" role="group" aria-label="Range" data-testid="range-picker">
          {(Object.keys(RANGES) as RangeKey[]).map((r) => (
            <button
              key={r}
              type="button"
              data-testid={`range-${r}`}
              aria-pressed={view.range === r}
              onClick={() => props.onRange(r)}
            >
              {r}
            </button>
          ))}
        </div>
        {props.children}
      </div>
      <div className="toolbar toggles" data-testid="indicator-toggles">
        {INDICATORS.map(({ key, label }) => (
          <label key={key}>
            <input
              type="checkbox"
              data-testid={`toggle-${key}`}
              checked={view.indicators.includes(key)}
              onChange={(e) => props.onToggle(key, e.target.checked)}
            />{" "}
            {label}{" "}
            {view.indicators.includes(key) ? (
              <span
                className="muted"
                data-testid={`indicator-status-${key}`}
                data-points={props.indicatorPoints[key] ?? ""}
              >
                {props.indicatorPoints[key] === undefined
                  ? "loading…"
                  : `${props.indicatorPoints[key]} points`}
              </span>
            ) : null}
          </label>
        ))}
        <form
          className="compare"
          onSubmit={(e) => {
            e.preventDefault();
            const clean = compareDraft.trim().toUpperCase();
            props.onCompare(clean === "" ? null : clean);
          }}
        >
          <label htmlFor="compare-input">Compare (%)</label>{" "}
          <input
            id="compare-input"
            data-testid="compare-input"
            value={compareDraft}
            onChange={(e) => setCompareDraft(e.target.value)}
            size={7}
            placeholder="MSFT"
          />{" "}
          <button type="submit">Compare</button>
          {view.compare !== null ? (
            <button
              type="button"
              className="link-button"
              data-testid="compare-clear"
              onClick={() => {
                setCompareDraft("");
                props.onCompare(null);
              }}
            >
              clear
            </button>
          ) : null}
        </form>
      </div>
    </>
  );
}
