import type { FeedCommand, FeedEvent } from "./feed-messages";
import { FeedHost } from "./feed-host";

/**
 * The feed's worker: the hub's WebSocket, its JSON and the validation of every record run here, off
 * the page's main thread (a 500-symbol watchlist takes 16,000 records a second; on the main thread
 * their parse alone was half the page's work, and the frames it delayed were the long tasks).
 */
const scope = globalThis as unknown as {
  postMessage(event: FeedEvent): void;
  onmessage: ((event: MessageEvent<FeedCommand>) => void) | null;
};
const host = new FeedHost((event) => scope.postMessage(event));
scope.onmessage = (event) => host.command(event.data);
