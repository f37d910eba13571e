export { YahooClient, type YahooClientOptions, type YahooPrice } from "./client";
export { YahooSource, type YahooSourceOptions, type PriceReader } from "./poller";
export * from "./errors";
