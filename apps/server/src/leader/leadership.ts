export type LeadershipKind = "always" | "never" | "lease";

/**
 * Whether this process may connect upstream right now. Listeners run synchronously on every
 * change, so a replica that loses leadership can close its upstream socket at once.
 */
export interface Leadership {
  readonly kind: LeadershipKind;
  readonly isLeader: boolean;
  /** Epoch ms of the current term's start, or null when not leading. */
  readonly leaderSince: number | null;
  onChange(listener: (isLeader: boolean) => void): () => void;
  start(): Promise<void>;
  /** Gives leadership up (listeners hear `false` first) and gives the lease back. */
  stop(): Promise<void>;
}
