export { AlpacaStreamSource } from "./stream-client";
export type { AlpacaFeed, AlpacaStreamOptions } from "./stream-options";
export {
  AlpacaRestClient,
  historicalFeedFor,
  type AlpacaRestOptions,
  type AlpacaSnapshot,
} from "./rest-client";
export {
  credentialsFromConfig,
  fileCredentials,
  staticCredentials,
  missingCredentials,
  parseCredentialsText,
  type AlpacaCredentials,
  type CredentialsProvider,
} from "./credentials";
export * from "./errors";
