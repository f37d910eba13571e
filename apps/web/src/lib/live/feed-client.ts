"use client";
import type { LiveEnvelope as Publication } from "@torghut/contracts";
import type { FeedCommand, FeedEvent, ListenMode } from "./feed-messages";
import { FeedHost } from "./feed-host";
import type { LatestBatch } from "./latest-records";
import type { FeedState } from "./market-feed";

type Listener = { each: (publication: Publication) => void } | { latest: (batch: LatestBatch) => void };

/**
 * The page's end of the live feed. The feed itself (one SignalR connection to `/hubs/market-data`,
 * see market-feed.ts) runs in a worker; this side keeps the listeners and hears batches, about one
 * a frame. Where a worker would not help (fewer than WORKER_MIN_CORES cores) or cannot start (an
 * old browser, a policy), the same host runs on the page.
 */
export class FeedClient {
  private state: { state: FeedState; reason: string | null } = { state: "connecting", reason: null };
  private readonly stateListeners = new Set<() => void>();
  private readonly listeners = new Map<number, Listener>();
  /** The listens in force: replayed to the page's own host if the worker fails to load. */
  private readonly listens = new Map<number, FeedCommand>();
  private nextId = 1;
  private send: (command: FeedCommand) => void;

  constructor() {
    this.send =
      startWorker(
        (event) => this.receive(event),
        () => this.runHere(),
      ) ?? this.runHere();
  }

  /** The feed on this thread: for a browser without workers, or a worker that failed to load. */
  private runHere(): (command: FeedCommand) => void {
    const host = new FeedHost((event) => this.receive(event));
    this.send = (command) => host.command(command);
    this.listens.forEach((command) => host.command(command));
    return this.send;
  }

  snapshot(): { state: FeedState; reason: string | null } {
    return this.state;
  }

  onState(listener: () => void): () => void {
    this.stateListeners.add(listener);
    return () => void this.stateListeners.delete(listener);
  }

  /** Every publication on `channel` (`kind:*` for every symbol of that kind), validated. */
  listen(channel: string, listener: (publication: Publication) => void): () => void {
    return this.add(channel, "each", { each: listener });
  }

  /**
   * `channel`'s trades and quotes coalesced per symbol and validated in the worker, in batches about
   * a frame apart; each symbol at most once per `everyMs` (its range still sees every trade).
   */
  listenLatest(channel: string, everyMs: number, listener: (batch: LatestBatch) => void): () => void {
    return this.add(channel, "latest", { latest: listener }, everyMs);
  }

  private add(channel: string, mode: ListenMode, listener: Listener, everyMs?: number): () => void {
    const id = this.nextId++;
    const command: FeedCommand = { kind: "listen", id, channel, mode, everyMs };
    this.listeners.set(id, listener);
    this.listens.set(id, command);
    this.send(command);
    return () => {
      this.listeners.delete(id);
      this.listens.delete(id);
      this.send({ kind: "unlisten", id });
    };
  }

  private receive(event: FeedEvent): void {
    if (event.kind === "state") {
      this.state = { state: event.state, reason: event.reason };
      this.stateListeners.forEach((l) => l());
      return;
    }
    for (const [id, publication] of event.each) {
      const listener = this.listeners.get(id);
      if (listener !== undefined && "each" in listener) listener.each(publication);
    }
    for (const [id, batch] of event.latest) {
      const listener = this.listeners.get(id);
      if (listener !== undefined && "latest" in listener) listener.latest(batch);
    }
  }
}

/**
 * The fewest logical cores on which the feed gets a worker. The worker takes the feed's parse and
 * validation off the main thread (at 500 × 20 trades/s: main thread 47 → 18 ms per 1,000 messages,
 * frames dropped 60 % → 20 %), but it needs a core of its own: on 2 cores it competed with the main
 * thread, whose tasks were preempted past 50 ms a hundred times a minute, against 1–7 with the feed
 * on the page (BENCHMARKS.md, "ui": issue #18, the feed's worker).
 */
export const WORKER_MIN_CORES = 4;

/**
 * The feed's worker, or null when it would not help (too few cores) or this browser cannot make
 * one. A worker whose script does not load (blocked, or a network error) reports an error event:
 * `failed` then runs the feed on the page.
 */
function startWorker(
  receive: (event: FeedEvent) => void,
  failed: () => void,
): ((command: FeedCommand) => void) | null {
  if (typeof Worker !== "function" || (navigator.hardwareConcurrency ?? 0) < WORKER_MIN_CORES) return null;
  let worker: Worker;
  try {
    worker = new Worker(new URL("./market-feed.worker.ts", import.meta.url), {
      type: "module",
      name: "torghut-market-feed",
    });
  } catch (error) {
    console.warn("live feed: no worker, the feed runs on the page", error);
    return null;
  }
  let heard = false;
  worker.onmessage = (event: MessageEvent<FeedEvent>) => {
    heard = true;
    receive(event.data);
  };
  worker.onerror = (event) => {
    if (heard) return;
    console.warn("live feed: the worker did not start, the feed runs on the page", event.message);
    worker.terminate();
    failed();
  };
  return (command) => worker.postMessage(command);
}

let shared: FeedClient | null = null;

/** The page's one feed (created on first use, in the browser only). */
export function marketFeed(): FeedClient {
  shared ??= new FeedClient();
  return shared;
}
