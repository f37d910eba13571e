/**
 * Active faults, each optionally delayed and timed on the simulator clock. Listeners hear when a
 * fault starts and ends, so one-shot effects (drop every socket, apply a price spike) happen on time.
 */
import { z } from "zod";
import type { FaultSpec } from "./api";
import type { Timeline, TimerHandle } from "./clock";

const ALPACA = [
  "down",
  "429",
  "drop",
  "silent",
  "stall",
  "connection-limit",
  "auth-fail",
  "malformed",
  "spike",
  "future-timestamps",
  "slow-client",
  "upgrade-status",
  "halt",
  "drip",
] as const;
const REST = ["down", "429"] as const;
const TRADING = ["down", "hang"] as const;
const YAHOO = ["down", "429", "slow", "malformed", "html", "hang"] as const;

export const faultSpecSchema = z
  .strictObject({
    target: z.enum(["alpaca", "rest", "yahoo", "trading"]),
    fault: z.string(),
    durationMs: z.number().int().positive().optional(),
    delayMs: z.number().int().nonnegative().optional(),
    symbol: z.string().min(1).optional(),
    percent: z.number().optional(),
    seconds: z.number().optional(),
    latencyMs: z.number().int().nonnegative().optional(),
    status: z.number().int().min(300).max(599).optional(),
  })
  .superRefine((spec, ctx) => {
    const allowed: readonly string[] =
      spec.target === "alpaca"
        ? ALPACA
        : spec.target === "rest"
          ? REST
          : spec.target === "trading"
            ? TRADING
            : YAHOO;
    if (!allowed.includes(spec.fault)) {
      ctx.addIssue({
        code: "custom",
        message: `fault for ${spec.target} must be one of ${allowed.join(", ")}`,
      });
    }
    if (
      spec.target === "alpaca" &&
      spec.fault === "spike" &&
      (spec.symbol === undefined || spec.percent === undefined)
    ) {
      ctx.addIssue({ code: "custom", message: "spike needs symbol and percent" });
    }
    if (spec.target === "alpaca" && spec.fault === "upgrade-status" && spec.status === undefined) {
      ctx.addIssue({ code: "custom", message: "upgrade-status needs status (e.g. 404, 401, 402, 406)" });
    }
    if (spec.target === "alpaca" && spec.fault === "halt" && spec.symbol === undefined) {
      ctx.addIssue({ code: "custom", message: "halt needs symbol" });
    }
    if (spec.target === "alpaca" && spec.fault === "drip" && spec.seconds === undefined) {
      ctx.addIssue({ code: "custom", message: "drip needs seconds (one message every N s)" });
    }
  });

export interface ActiveFault {
  spec: FaultSpec;
  startedAt: number;
  endsAt: number | null;
}

export type FaultListener = (spec: FaultSpec, phase: "start" | "end") => void;

interface Entry extends ActiveFault {
  active: boolean;
  timers: TimerHandle[];
}

export class FaultBook {
  private entries: Entry[] = [];
  private readonly listeners: FaultListener[] = [];

  constructor(
    private readonly timeline: Timeline,
    private readonly now: () => number,
  ) {}

  onChange(listener: FaultListener): void {
    this.listeners.push(listener);
  }

  /** Validates and schedules a fault; one of each target+fault at a time (a new one replaces it). */
  set(input: unknown): FaultSpec {
    const spec = faultSpecSchema.parse(input) as FaultSpec;
    for (const old of this.entries.filter(
      (e) => e.spec.target === spec.target && e.spec.fault === spec.fault,
    ))
      this.end(old);
    const startsAt = this.now() + (spec.delayMs ?? 0);
    const entry: Entry = {
      spec,
      startedAt: startsAt,
      endsAt: spec.durationMs ? startsAt + spec.durationMs : null,
      active: false,
      timers: [],
    };
    this.entries.push(entry);
    if (spec.delayMs) entry.timers.push(this.timeline.schedule(startsAt, () => this.start(entry)));
    else this.start(entry);
    if (entry.endsAt !== null) entry.timers.push(this.timeline.schedule(entry.endsAt, () => this.end(entry)));
    return spec;
  }

  clear(target?: FaultSpec["target"]): void {
    for (const entry of this.entries.filter((e) => target === undefined || e.spec.target === target))
      this.end(entry);
  }

  /** The active fault of that kind, if any. */
  active(target: FaultSpec["target"], fault: FaultSpec["fault"]): FaultSpec | undefined {
    return this.entries.find((e) => e.active && e.spec.target === target && e.spec.fault === fault)?.spec;
  }

  activeFaults(): ActiveFault[] {
    return this.entries
      .filter((e) => e.active)
      .map(({ spec, startedAt, endsAt }) => ({ spec, startedAt, endsAt }));
  }

  /** Scheduled but not yet started (delayMs). */
  pendingFaults(): ActiveFault[] {
    return this.entries
      .filter((e) => !e.active)
      .map(({ spec, startedAt, endsAt }) => ({ spec, startedAt, endsAt }));
  }

  private start(entry: Entry): void {
    entry.active = true;
    entry.startedAt = this.now();
    for (const listener of this.listeners) listener(entry.spec, "start");
  }

  private end(entry: Entry): void {
    for (const timer of entry.timers) this.timeline.cancel(timer);
    this.entries = this.entries.filter((e) => e !== entry);
    if (!entry.active) return;
    entry.active = false;
    for (const listener of this.listeners) listener(entry.spec, "end");
  }
}
