/**
 * Counter totals from a server's Prometheus text (`/metrics`), summed over labels: where a bench's
 * load went at each hop (received from Alpaca, published by the hub, delivered to clients).
 */
export async function readCounters(
  apiUrl: string,
  names: readonly string[],
): Promise<Record<string, number>> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const totals: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    if (name === undefined || !(name in totals)) continue;
    const value = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (Number.isFinite(value)) totals[name]! += value;
  }
  return totals;
}

/** Per-second rates between two readings. */
export function ratesBetween(
  first: Record<string, number>,
  last: Record<string, number>,
  seconds: number,
): Record<string, number> {
  return Object.fromEntries(Object.keys(first).map((k) => [k, ((last[k] ?? 0) - (first[k] ?? 0)) / seconds]));
}
