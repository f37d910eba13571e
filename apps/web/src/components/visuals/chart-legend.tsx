"use client";
import { forwardRef, useImperativeHandle, useRef } from "react";
import type { Candle } from "@/lib/bar-builder";
import type { ProvenanceRun } from "@/lib/candle-columns";
import { formatVolume } from "@/lib/format";
import { exchangeTime } from "./chart-theme";
import type { BarKind } from "./provenance-style";

export interface LegendPoint {
  candle: Candle;
  volume: number | null;
  kind: BarKind;
  run: ProvenanceRun | undefined;
  values: { name: string; value: number }[];
}

export interface LegendHandle {
  /** The bar under the crosshair, or null for the newest bar. */
  show(point: LegendPoint | null): void;
}

const KIND_LABEL: Record<BarKind, string> = {
  live: "live",
  delayed: "DELAYED",
  backfill: "backfilled",
};

/**
 * OHLC, volume, source and indicator values of the bar under the crosshair. Written to the DOM
 * directly: the crosshair moves at mouse rate, and a React render per move would be wasted work.
 */
export const ChartLegend = forwardRef<LegendHandle>(function ChartLegend(_props, ref) {
  const box = useRef<HTMLDivElement>(null);
  useImperativeHandle(ref, () => ({
    show(point) {
      const element = box.current;
      const shown = point;
      if (element === null) return;
      if (shown === null) {
        element.textContent = "";
        return;
      }
      const { candle: c, volume, kind, run, values } = shown;
      const change = c.open === 0 ? 0 : ((c.close - c.open) / c.open) * 100;
      const field = (name: string, value: string) => `<span class="muted">${name}</span> ${value}`;
      element.dataset.kind = kind;
      element.dataset.time = String(c.time);
      element.innerHTML = [
        `<span>${exchangeTime(c.time as never)}</span>`,
        field("O", c.open.toFixed(2)),
        field("H", c.high.toFixed(2)),
        field("L", c.low.toFixed(2)),
        field("C", c.close.toFixed(2)),
        `<span class="${change >= 0 ? "up" : "down"}">${change >= 0 ? "+" : "−"}${Math.abs(change).toFixed(2)}%</span>`,
        field("V", formatVolume(volume)),
        `<span class="legend-kind legend-${kind}">${run?.source ?? ""} ${KIND_LABEL[kind]}</span>`,
        ...values.map((v) => field(escapeHtml(v.name), v.value.toFixed(2))),
      ].join(" ");
    },
  }));
  return <div ref={box} className="chart-legend" data-testid="chart-legend" aria-live="off" />;
});

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]!);
}
