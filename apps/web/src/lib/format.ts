export function formatPrice(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : value.toFixed(2);
}

const ET = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  hourCycle: "h23",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** Exchange time for a trader: "16:00:00 ET". */
export function formatEasternTime(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? "—" : `${ET.format(date)} ET`;
}

export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  return ms < 10_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function formatTime(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const date = new Date(value);
  return Number.isNaN(date.getTime())
    ? "—"
    : date
        .toISOString()
        .replace("T", " ")
        .replace(/\.\d+Z$/, "Z");
}

/** How old the last price is, always shown: "0.4 s" under 10 s, "12 s" under 2 min, then "5m", "3h". */
export function formatFreshness(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 120) return `${Math.round(s)} s`;
  return formatAge(ms);
}

/** Day volume as traders read it: 1,234 · 12.3K · 4.56M · 1.2B. */
export function formatVolume(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  if (value < 10_000) return Math.round(value).toLocaleString("en-US");
  if (value < 1e6) return `${(value / 1e3).toFixed(1)}K`;
  if (value < 1e9) return `${(value / 1e6).toFixed(2)}M`;
  return `${(value / 1e9).toFixed(2)}B`;
}

const wholeShares = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** A volume in full ("12,345,678 shares"), where `formatVolume` rounds it to fit a cell. */
export function formatShares(value: number | null | undefined): string | undefined {
  return value === null || value === undefined ? undefined : `${wholeShares.format(value)} shares`;
}

export function formatSigned(value: number, digits = 2): string {
  return `${value > 0 ? "+" : value < 0 ? "−" : ""}${Math.abs(value).toFixed(digits)}`;
}
