import { type Bar1m, type Quote, SYMBOL_PATTERN, type Trade } from "@torghut/contracts";
import type WebSocket from "ws";
import { type ControlMessage, parseControlMessage } from "./messages";
import { alpacaRejectedElements } from "./metrics";

export interface FrameSink {
  trade(trade: Trade): void;
  quote(quote: Quote): void;
  bar(bar: Bar1m): void;
  control(message: ControlMessage): void;
  /**
   * Trading status, corrections and cancels: rare, symbol-level news for the notice stream.
   * `halted` is set by trading-status messages: true for a halt or pause, false for a resumption.
   */
  notice(message: string, symbol: string, halted?: boolean): void;
}

export interface FrameCounters {
  frames: number;
  /** Data elements delivered (trades, quotes, bars, notices). */
  data: number;
  /** Elements whose `T` we do not know: skipped, never fatal (reference §1.6). */
  unknownTypes: number;
  /** Unparseable frames and elements missing required fields; their valid neighbours are kept. */
  malformed: number;
  /** Known types we do not use (daily bars, LULD, imbalances). */
  ignored: number;
  /** Elements refused for their symbol: not the contracts' shape, or not one we subscribed. */
  invalidSymbols: number;
  unknownSymbols: number;
}

export type RejectReason = "invalid_symbol" | "unknown_symbol";

type Element = Record<string, unknown>;

/**
 * One JSON.parse per frame, then a hand-written type check per element: at 100k ticks/s a zod object
 * per tick would dominate the profile. Field names stay inside this file.
 */
export class FrameParser {
  readonly counters: FrameCounters = {
    frames: 0,
    data: 0,
    unknownTypes: 0,
    malformed: 0,
    ignored: 0,
    invalidSymbols: 0,
    unknownSymbols: 0,
  };

  constructor(
    private readonly sink: FrameSink,
    private readonly options: { delayed: boolean; wants?: (symbol: string) => boolean },
  ) {}

  /** Returns the number of data elements delivered from this frame. */
  parse(text: string, receivedAt: number): number {
    this.counters.frames += 1;
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      this.counters.malformed += 1;
      return 0;
    }
    if (!Array.isArray(payload)) {
      // The protocol always sends arrays; accept a bare object rather than lose it.
      if (isElement(payload)) return this.element(payload, receivedAt);
      this.counters.malformed += 1;
      return 0;
    }
    let delivered = 0;
    for (let i = 0; i < payload.length; i++) {
      const item: unknown = payload[i];
      if (isElement(item)) delivered += this.element(item, receivedAt);
      else this.counters.malformed += 1;
    }
    return delivered;
  }

  private reject(reason: RejectReason): 0 {
    if (reason === "invalid_symbol") this.counters.invalidSymbols += 1;
    else this.counters.unknownSymbols += 1;
    alpacaRejectedElements.inc({ reason });
    return 0;
  }

  private element(item: Element, receivedAt: number): number {
    // `a'b` or a 200-character "symbol" would reach storage and metric labels: refuse it by name.
    if (item.S !== undefined && DATA_TYPES.has(item.T)) {
      if (!isSymbol(item.S)) return this.reject("invalid_symbol");
      if (this.options.wants !== undefined && !this.options.wants(item.S))
        return this.reject("unknown_symbol");
    }
    switch (item.T) {
      case "t": {
        const trade = toTrade(item, receivedAt, this.options.delayed);
        if (trade === null) return this.malformed();
        this.counters.data += 1;
        this.sink.trade(trade);
        return 1;
      }
      case "q": {
        const quote = toQuote(item, receivedAt, this.options.delayed);
        if (quote === null) return this.malformed();
        this.counters.data += 1;
        this.sink.quote(quote);
        return 1;
      }
      case "b":
      case "u": {
        const bar = toBar(item, this.options.delayed);
        if (bar === null) return this.malformed();
        this.counters.data += 1;
        this.sink.bar(bar);
        return 1;
      }
      case "s":
      case "c":
      case "x": {
        const notice = toNotice(item);
        if (notice === null) return this.malformed();
        this.counters.data += 1;
        this.sink.notice(notice.message, notice.symbol, notice.halted);
        return 1;
      }
      case "d":
      case "l":
      case "i":
        this.counters.ignored += 1;
        return 0;
      case "success":
      case "error":
      case "subscription": {
        const message = parseControlMessage(item);
        if (message === null) return this.malformed();
        this.sink.control(message);
        return 0;
      }
      default:
        this.counters.unknownTypes += 1;
        return 0;
    }
  }

  private malformed(): 0 {
    this.counters.malformed += 1;
    return 0;
  }
}

function isElement(value: unknown): value is Element {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isTimestamp(value: unknown): value is string {
  // RFC-3339 with 0–9 fraction digits; the raw string is kept so nanosecond ordering survives.
  return typeof value === "string" && value.length >= 20 && value.charCodeAt(10) === 84; /* T */
}

const DATA_TYPES = new Set<unknown>(["t", "q", "b", "u", "s", "c", "x"]);

/** The contracts' symbol shape (`BRK.B` yes, `a'b` no); one regex test per element. */
function isSymbol(value: unknown): value is string {
  return typeof value === "string" && SYMBOL_PATTERN.test(value);
}

function isNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function optionalString(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function stringList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  for (let i = 0; i < value.length; i++)
    if (typeof value[i] !== "string") return value.filter((v) => typeof v === "string");
  return value as string[];
}

export function toTrade(m: Element, receivedAt: number, delayed: boolean): Trade | null {
  const { S, p, s, t, i } = m;
  if (!isSymbol(S) || !isNumber(p) || !isNumber(s) || !isTimestamp(t)) return null;
  // Trade ids above 2^53 would lose digits in JSON.parse; stock ids stay below it (reference §1.7).
  if (typeof i !== "number" && typeof i !== "string") return null;
  return {
    kind: "trade",
    symbol: S,
    eventTime: t,
    receivedAt,
    source: "alpaca",
    delayed,
    price: p,
    size: s,
    tradeId: typeof i === "number" ? String(i) : i,
    exchange: optionalString(m.x),
    conditions: stringList(m.c),
    tape: optionalString(m.z),
    suspicious: false,
  };
}

export function toQuote(m: Element, receivedAt: number, delayed: boolean): Quote | null {
  const { S, bp, ap, t } = m;
  const bs = m.bs;
  const as = m.as;
  if (!isSymbol(S) || !isNumber(bp) || !isNumber(ap) || !isNumber(bs) || !isNumber(as) || !isTimestamp(t))
    return null;
  return {
    kind: "quote",
    symbol: S,
    eventTime: t,
    receivedAt,
    source: "alpaca",
    delayed,
    bidPrice: bp,
    // Alpaca quote sizes are round lots (reference §1.6); we carry shares.
    bidSize: bs * 100,
    askPrice: ap,
    askSize: as * 100,
    bidExchange: optionalString(m.bx),
    askExchange: optionalString(m.ax),
    conditions: stringList(m.c),
    tape: optionalString(m.z),
  };
}

export function toBar(m: Element, delayed: boolean): Bar1m | null {
  const { S, o, h, l, c, v, t } = m;
  if (
    !isSymbol(S) ||
    !isNumber(o) ||
    !isNumber(h) ||
    !isNumber(l) ||
    !isNumber(c) ||
    !isNumber(v) ||
    !isTimestamp(t)
  ) {
    return null;
  }
  return {
    symbol: S,
    minute: t,
    open: o,
    high: h,
    low: l,
    close: c,
    volume: v,
    vwap: isNumber(m.vw) ? m.vw : null,
    tradeCount: isNumber(m.n) ? m.n : 0,
    source: "alpaca",
    delayed,
  };
}

/** Trading-status codes (reference §1.6): CTA (tapes A/B) `2` halt, `3` resume; UTP (C/O) `H` halt, `P` pause, `T` resume. */
const HALT_CODES = new Set(["2", "H", "P"]);
const RESUME_CODES = new Set(["3", "T"]);

function toNotice(m: Element): { message: string; symbol: string; halted?: boolean } | null {
  if (!isSymbol(m.S)) return null;
  const symbol = m.S;
  if (m.T === "s") {
    const code = typeof m.sc === "string" ? m.sc : "?";
    const text = typeof m.sm === "string" ? m.sm : "";
    const reason = typeof m.rm === "string" && m.rm !== "" ? ` (${m.rm})` : "";
    const halted = HALT_CODES.has(code) ? true : RESUME_CODES.has(code) ? false : undefined;
    const message = `${symbol} trading status ${code} ${text}${reason}`.trim();
    return halted === undefined ? { symbol, message } : { symbol, message, halted };
  }
  if (m.T === "c") {
    return {
      symbol,
      message: `${symbol} trade ${stringify(m.oi)} corrected: ${stringify(m.op)} → ${stringify(m.cp)}`,
    };
  }
  const action = m.a === "E" ? "error" : "cancel";
  return { symbol, message: `${symbol} trade ${stringify(m.i)} ${action}` };
}

function stringify(value: unknown): string {
  return typeof value === "number" || typeof value === "string" ? String(value) : "?";
}

/** ws hands frames over as Buffer (default), Buffer[] (fragments) or ArrayBuffer. */
export function frameText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data).toString("utf8");
}
