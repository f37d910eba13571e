"use client";
import { useEffect, useMemo, useRef } from "react";
import type { Candle } from "@/lib/bar-builder";
import { useChannels } from "@/lib/live/use-market-feed";
import { tradeSchema } from "@/lib/live/messages";
import type { LiveCandleSource } from "./candle-chart";
import { z } from "zod";

type TradeListener = (epochMs: number, price: number) => void;
type BarListener = (bar: Candle) => void;

const liveBar = z.object({
  minute: z.union([z.string(), z.number()]),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
});

/**
 * Live prices for the charted symbol from the hub (`lines:` ticks, `analytics:` bars) and, while the
 * hub is not live, from the polled latest price, so the last candle keeps moving either way.
 */
export function useLiveCandles(
  symbol: string,
  polled: { price: number | null; eventTime: string | null } | undefined,
  hubLive: boolean,
  /** False until the page is ready for the live feed (no hub connection is opened before). */
  listen = true,
): LiveCandleSource {
  const trades = useRef(new Set<TradeListener>());
  const bars = useRef(new Set<BarListener>());

  useChannels(!listen || symbol === "" ? [] : [`lines:${symbol}`, `analytics:${symbol}`], (publication) => {
    if (publication.type === "tick") {
      const trade = tradeSchema.safeParse(publication.data);
      if (!trade.success || trade.data.suspicious === true || trade.data.symbol !== symbol) return;
      const at = Date.parse(trade.data.eventTime);
      trades.current.forEach((l) => l(at, trade.data.price));
    } else if (publication.type === "bar") {
      const bar = liveBar.safeParse(publication.data);
      if (!bar.success) return;
      const minute = typeof bar.data.minute === "number" ? bar.data.minute : Date.parse(bar.data.minute);
      const candle: Candle = { ...bar.data, time: Math.floor(minute / 1000) };
      bars.current.forEach((l) => l(candle));
    }
  });

  useEffect(() => {
    if (hubLive || polled?.price == null || polled.eventTime === null) return;
    const at = Date.parse(polled.eventTime);
    const price = polled.price;
    trades.current.forEach((l) => l(at, price));
  }, [polled?.price, polled?.eventTime, hubLive]);

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
