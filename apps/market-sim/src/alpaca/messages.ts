/**
 * Alpaca stream wire format (market-protocols.md §1.3–1.6), written by hand from the reference:
 * JSON arrays of objects typed by `T`, RFC-3339 timestamps with nanosecond digits, bars stamped
 * on the whole minute. Data messages are serialised once per slot and shared by every socket.
 */
import type { Bar, MarketEvent } from "../market/events";
import { formatNanos, formatSeconds } from "../market/time";

export type Channel =
  "trades" | "quotes" | "bars" | "updatedBars" | "dailyBars" | "statuses" | "lulds" | "imbalances";
export const CHANNELS: readonly Channel[] = [
  "trades",
  "quotes",
  "bars",
  "updatedBars",
  "dailyBars",
  "statuses",
  "lulds",
  "imbalances",
];

export const ERROR_TEXT: Record<number, string> = {
  400: "invalid syntax",
  401: "not authenticated",
  402: "auth failed",
  403: "already authenticated",
  404: "auth timeout",
  405: "symbol limit exceeded",
  406: "connection limit exceeded",
  407: "slow client",
  409: "insufficient subscription",
  500: "internal error",
};

/** Which subscription channel delivers an event; corrections and cancel errors ride with trades. */
export function channelOf(event: MarketEvent): Channel {
  switch (event.T) {
    case "t":
    case "c":
    case "x":
      return "trades";
    case "q":
      return "quotes";
    case "b":
      return "bars";
    case "u":
      return "updatedBars";
    case "d":
      return "dailyBars";
    case "s":
      return "statuses";
  }
}

function strings(list: readonly string[]): string {
  return list.length === 1 && /^[\x20-\x7e]$/.test(list[0]!) && list[0] !== '"' && list[0] !== "\\"
    ? `["${list[0]}"]`
    : JSON.stringify(list);
}

export function barJson(bar: Bar): string {
  return `"o":${bar.o},"h":${bar.h},"l":${bar.l},"c":${bar.c},"v":${bar.v},"t":"${formatSeconds(bar.t)}","n":${bar.n},"vw":${bar.vw}`;
}

/** One data message as JSON text; `shiftMs` moves event times (the future-timestamps fault). */
export function eventJson(event: MarketEvent, shiftMs: number): string {
  switch (event.T) {
    case "t":
      return `{"T":"t","S":"${event.S}","i":${event.i},"x":"${event.x}","p":${event.p},"s":${event.s},"c":${strings(event.c)},"z":"${event.z}","t":"${formatNanos(event.ms + shiftMs, event.ns)}"}`;
    case "q":
      return `{"T":"q","S":"${event.S}","bx":"${event.bx}","bp":${event.bp},"bs":${event.bs},"ax":"${event.ax}","ap":${event.ap},"as":${event.as},"c":${strings(event.c)},"z":"${event.z}","t":"${formatNanos(event.ms + shiftMs, event.ns)}"}`;
    case "c":
      return `{"T":"c","S":"${event.S}","x":"${event.x}","oi":${event.oi},"op":${event.op},"os":${event.os},"oc":${strings(event.oc)},"ci":${event.ci},"cp":${event.cp},"cs":${event.cs},"cc":${strings(event.cc)},"z":"${event.z}","t":"${formatNanos(event.ms + shiftMs, event.ns)}"}`;
    case "x":
      return `{"T":"x","S":"${event.S}","i":${event.i},"x":"${event.x}","p":${event.p},"s":${event.s},"a":"${event.a}","z":"${event.z}","t":"${formatNanos(event.ms + shiftMs, event.ns)}"}`;
    case "s":
      return JSON.stringify({
        T: "s",
        S: event.S,
        sc: event.sc,
        sm: event.sm,
        rc: event.rc,
        rm: event.rm,
        t: formatNanos(event.ms + shiftMs, event.ns),
        z: event.z,
      });
    case "b":
    case "u":
    case "d":
      return `{"T":"${event.T}","S":"${event.S}",${barJson({ ...event.bar, t: event.bar.t + shiftMs })}}`;
  }
}

export function successFrame(msg: "connected" | "authenticated"): string {
  return `[{"T":"success","msg":"${msg}"}]`;
}

export function errorFrame(code: number): string {
  return JSON.stringify([{ T: "error", code, msg: ERROR_TEXT[code] ?? "internal error" }]);
}

/**
 * The full subscription set. The SIP/IEX streams name nine lists; the test stream's documented
 * reply names only trades, quotes and bars (plus any other list that is not empty), so clients
 * must treat every list as optional.
 */
export function subscriptionFrame(
  subs: ReadonlyMap<Channel, ReadonlySet<string>>,
  testStream: boolean,
): string {
  const list = (c: Channel): string[] => [...(subs.get(c) ?? [])];
  const reply: Record<string, unknown> = { T: "subscription" };
  const full: Channel[] = ["trades", "quotes", "bars", "updatedBars", "dailyBars", "statuses", "lulds"];
  for (const channel of full) {
    if (!testStream || ["trades", "quotes", "bars"].includes(channel) || list(channel).length > 0)
      reply[channel] = list(channel);
  }
  if (list("imbalances").length > 0) reply.imbalances = list("imbalances");
  if (!testStream || list("trades").length > 0) {
    reply.corrections = list("trades");
    reply.cancelErrors = list("trades");
  }
  return JSON.stringify([reply]);
}
