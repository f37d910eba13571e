import type { Clock } from "../clock";

/**
 * Fixed-window connect rate per client IP: protects the auth path (HMAC per attempt) and the hub
 * from a reconnect storm. Stale windows are swept when the map grows, so it stays bounded.
 */
export class ConnectRateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly maxPerWindow: number,
    private readonly windowMs: number,
  ) {}

  allow(ip: string): boolean {
    if (this.maxPerWindow <= 0) return true;
    const now = this.clock.now();
    const window = this.windows.get(ip);
    if (window === undefined || now - window.start >= this.windowMs) {
      if (this.windows.size > 10_000) this.sweep(now);
      this.windows.set(ip, { start: now, count: 1 });
      return true;
    }
    window.count += 1;
    return window.count <= this.maxPerWindow;
  }

  private sweep(now: number): void {
    for (const [ip, window] of this.windows) if (now - window.start >= this.windowMs) this.windows.delete(ip);
  }
}
