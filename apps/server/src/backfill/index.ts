export { GapBackfiller, type GapBackfillerOptions } from "./gap-backfiller";
export { alpacaBarsFetcher, type AlpacaBarsReader } from "./alpaca-bars";
export { YahooBarsFetcher, type MinuteBarReader } from "./yahoo-bars";
export type { BackfillReport, BarsFetcher, BarsSink } from "./ports";
