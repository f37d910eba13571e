import { ColorType, type Time } from "lightweight-charts";

/** The chart's colours from the page's CSS variables: one palette for the light and dark themes. */
export function chartTheme() {
  const css = typeof window === "undefined" ? null : getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css?.getPropertyValue(name).trim() || fallback;
  return {
    layout: {
      background: { type: ColorType.Solid, color: v("--bg", "#0f1419") },
      textColor: v("--muted", "#8b98a5"),
      attributionLogo: false,
    },
    grid: { vertLines: { color: v("--line", "#1c252e") }, horzLines: { color: v("--line", "#1c252e") } },
  } as const;
}

const ET_TIME = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});
const ET_TICK_TIME = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});
const ET_TICK_DAY = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  month: "short",
  day: "numeric",
});

const seconds = (time: Time): number => (typeof time === "number" ? time : 0);

/** Crosshair label: the exchange's time with the zone, "Dec 2, 14:31 ET". */
export const exchangeTime = (time: Time): string => `${ET_TIME.format(seconds(time) * 1000)} ET`;

/** Axis labels in exchange time: hours within a day, dates across days (tick mark type ≥ 3 is time). */
export const exchangeTick = (time: Time, tickMarkType: number): string =>
  (tickMarkType >= 3 ? ET_TICK_TIME : ET_TICK_DAY).format(seconds(time) * 1000);
