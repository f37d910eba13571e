import type { Bar1m, IndicatorUpdate } from "@torghut/contracts";
import { DEFAULT_SPECS, IndicatorStream, type IndicatorReading } from "@torghut/indicators";

/**
 * Live indicator values per symbol on 1-minute bars, for the `analytics:{SYMBOL}` channel. A bar
 * re-announced by a late trade revises the last reading; one older than that is history the charts
 * refetch over REST, so it is skipped here.
 */
export class IndicatorFeed {
  private readonly streams = new Map<string, { stream: IndicatorStream; lastMinute: number }>();

  update(bar: Bar1m): IndicatorUpdate | null {
    const time = Date.parse(bar.minute);
    let entry = this.streams.get(bar.symbol);
    if (entry === undefined) {
      entry = { stream: new IndicatorStream(Object.values(DEFAULT_SPECS)), lastMinute: -Infinity };
      this.streams.set(bar.symbol, entry);
    }
    if (time < entry.lastMinute) return null;
    entry.lastMinute = time;
    const readings = entry.stream.push({
      time,
      open: bar.open,
      high: bar.high,
      low: bar.low,
      close: bar.close,
      volume: bar.volume,
    });
    return { symbol: bar.symbol, minute: bar.minute, values: flatten(readings) };
  }
}

function flatten(readings: readonly IndicatorReading[]): Record<string, number | null> {
  const values: Record<string, number | null> = {};
  for (const { id, value } of readings) {
    if (value === null || typeof value === "number") values[id] = value;
    else for (const [field, v] of Object.entries(value)) values[`${id}.${field}`] = v as number | null;
  }
  return values;
}
