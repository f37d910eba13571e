import { z } from "zod";

/** US equity tickers as Alpaca and Yahoo spell them (class shares use a dot: BRK.B). */
export const SYMBOL_PATTERN = /^[A-Z][A-Z0-9.-]{0,9}$/;

export const symbolSchema = z
  .string()
  .regex(SYMBOL_PATTERN, "symbol must be 1-10 upper-case letters, digits, '.' or '-'");
export type Symbol = z.infer<typeof symbolSchema>;

export const assetClassSchema = z.enum(["STOCK"]);
export type AssetClass = z.infer<typeof assetClassSchema>;

/** The 30 default symbols: large, liquid US stocks that trade every session. */
export const DEFAULT_SYMBOLS: readonly { symbol: string; name: string }[] = [
  { symbol: "AAPL", name: "Apple Inc." },
  { symbol: "MSFT", name: "Microsoft Corporation" },
  { symbol: "NVDA", name: "NVIDIA Corporation" },
  { symbol: "AMZN", name: "Amazon.com, Inc." },
  { symbol: "GOOGL", name: "Alphabet Inc. Class A" },
  { symbol: "META", name: "Meta Platforms, Inc." },
  { symbol: "TSLA", name: "Tesla, Inc." },
  { symbol: "AVGO", name: "Broadcom Inc." },
  { symbol: "JPM", name: "JPMorgan Chase & Co." },
  { symbol: "V", name: "Visa Inc." },
  { symbol: "UNH", name: "UnitedHealth Group Incorporated" },
  { symbol: "XOM", name: "Exxon Mobil Corporation" },
  { symbol: "MA", name: "Mastercard Incorporated" },
  { symbol: "JNJ", name: "Johnson & Johnson" },
  { symbol: "PG", name: "The Procter & Gamble Company" },
  { symbol: "HD", name: "The Home Depot, Inc." },
  { symbol: "COST", name: "Costco Wholesale Corporation" },
  { symbol: "ABBV", name: "AbbVie Inc." },
  { symbol: "MRK", name: "Merck & Co., Inc." },
  { symbol: "CVX", name: "Chevron Corporation" },
  { symbol: "KO", name: "The Coca-Cola Company" },
  { symbol: "PEP", name: "PepsiCo, Inc." },
  { symbol: "ADBE", name: "Adobe Inc." },
  { symbol: "CRM", name: "Salesforce, Inc." },
  { symbol: "NFLX", name: "Netflix, Inc." },
  { symbol: "AMD", name: "Advanced Micro Devices, Inc." },
  { symbol: "INTC", name: "Intel Corporation" },
  { symbol: "DIS", name: "The Walt Disney Company" },
  { symbol: "BAC", name: "Bank of America Corporation" },
  { symbol: "WMT", name: "Walmart Inc." },
];
