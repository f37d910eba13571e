"use client";
import { bar1mSchema, type LatestPriceResponse } from "@torghut/contracts";
import { useEffect, useMemo, useRef } from "react";
import type { Candle } from "@/lib/bar-builder";
import { useChannels } from "@/lib/live/use-market-feed";
import type { LiveCandleSource, LiveProvenance } from "./candle-chart";
import { tickUpdate } from "./live-tick";

type TradeListener = (epochMs: number, price: number, from: LiveProvenance) => void;
type BarListener = (bar: Candle, from: LiveProvenance) => void;

/**
 * Live prices for the charted symbol from the hub (`lines:` ticks, `analytics:` bars) and, while the
 * hub is not live, from the polled latest price, so the last candle keeps moving either way.
 */
export function useLiveCandles(
  symbol: string,
  polled: Pick<LatestPriceResponse, "price" | "eventTime" | "source" | "delayed"> | undefined,
  hubLive: boolean,
  /** False until the page is ready for the live feed (no hub connection is opened before). */
  listen = true,
): LiveCandleSource {
  const trades = useRef(new Set<TradeListener>());
  const bars = useRef(new Set<BarListener>());

  useChannels(!listen || symbol === "" ? [] : [`lines:${symbol}`, `analytics:${symbol}`], (publication) => {
    if (publication.type === "tick") {
      const update = tickUpdate(publication.data, symbol);
      if (update?.kind === "minute") bars.current.forEach((l) => l(update.candle, update.from));
      else if (update?.kind === "trade")
        trades.current.forEach((l) => l(update.epochMs, update.price, update.from));
    } else if (publication.type === "bar") {
      const bar = bar1mSchema.safeParse(publication.data);
      if (!bar.success || bar.data.symbol !== symbol) return;
      const { open, high, low, close, source, delayed } = bar.data;
      const candle: Candle = { time: Math.floor(Date.parse(bar.data.minute) / 1000), open, high, low, close };
      bars.current.forEach((l) => l(candle, { source, delayed }));
    }
  });

  useEffect(() => {
    if (hubLive || polled?.price == null || polled.eventTime === null) return;
    const at = Date.parse(polled.eventTime);
    const price = polled.price;
    const from = { source: polled.source ?? "alpaca", delayed: polled.delayed ?? false };
    trades.current.forEach((l) => l(at, price, from));
  }, [polled?.price, polled?.eventTime, polled?.source, polled?.delayed, hubLive]);

  return useMemo<LiveCandleSource>(
    () => ({
      subscribe(onTrade, onBar) {
        trades.current.add(onTrade);
        bars.current.add(onBar);
        return () => {
          trades.current.delete(onTrade);
          bars.current.delete(onBar);
        };
      },
    }),
    [],
  );
}
