/**
 * Per-symbol market profile: where the random walk starts, how wide the spread is and which
 * tape/listing exchange the symbol belongs to (Nasdaq names print on tape C, NYSE on tape A).
 */
import { DEFAULT_SYMBOLS } from "@torghut/contracts";
import { deriveSeed, Prng } from "./prng";

export interface SymbolProfile {
  symbol: string;
  name: string;
  startPrice: number;
  /** Typical quoted spread in cents. */
  spreadCents: number;
  tape: "A" | "C";
  /** Yahoo's exchange code and display name. */
  exchangeName: "NMS" | "NYQ";
  fullExchangeName: "NasdaqGS" | "NYSE";
}

/** Rough late-2025 price levels; only realism matters, not accuracy. */
const START_PRICES: Record<string, number> = {
  AAPL: 229.5,
  MSFT: 421.3,
  NVDA: 131.2,
  AMZN: 201.4,
  GOOGL: 171.8,
  META: 583.1,
  TSLA: 251.6,
  AVGO: 172.4,
  JPM: 241.2,
  V: 301.7,
  UNH: 498.6,
  XOM: 116.3,
  MA: 512.9,
  JNJ: 155.4,
  PG: 166.2,
  HD: 401.5,
  COST: 902.3,
  ABBV: 189.7,
  MRK: 101.2,
  CVX: 154.8,
  KO: 63.4,
  PEP: 151.9,
  ADBE: 452.7,
  CRM: 301.1,
  NFLX: 851.6,
  AMD: 121.3,
  INTC: 22.4,
  DIS: 111.2,
  BAC: 44.1,
  WMT: 90.3,
  FAKEPACA: 134.65,
};

const NASDAQ = new Set([
  "AAPL",
  "MSFT",
  "NVDA",
  "AMZN",
  "GOOGL",
  "META",
  "TSLA",
  "AVGO",
  "COST",
  "PEP",
  "ADBE",
  "NFLX",
  "AMD",
  "INTC",
  "FAKEPACA",
]);

/** The symbol Alpaca's always-on test stream serves. */
export const TEST_SYMBOL = "FAKEPACA";

export function buildProfiles(seed: number, symbols: readonly string[]): SymbolProfile[] {
  const names = new Map(DEFAULT_SYMBOLS.map((s) => [s.symbol, s.name]));
  names.set(TEST_SYMBOL, "Fake Paca Inc.");
  const all = symbols.includes(TEST_SYMBOL) ? [...symbols] : [...symbols, TEST_SYMBOL];
  return all.map((symbol) => {
    const prng = new Prng(deriveSeed(seed, `profile:${symbol}`));
    const startPrice = START_PRICES[symbol] ?? Math.round((20 + prng.next() * 280) * 100) / 100;
    const nasdaq = NASDAQ.has(symbol);
    return {
      symbol,
      name: names.get(symbol) ?? `${symbol} Corporation`,
      startPrice,
      // Liquid large caps quote a cent or two wide; pricier names a little wider.
      spreadCents: Math.max(1, Math.round(startPrice / 250) + prng.int(2)),
      tape: nasdaq ? "C" : "A",
      exchangeName: nasdaq ? "NMS" : "NYQ",
      fullExchangeName: nasdaq ? "NasdaqGS" : "NYSE",
    };
  });
}
