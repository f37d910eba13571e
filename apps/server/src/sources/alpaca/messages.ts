import { z } from "zod";

/**
 * Control messages are rare (a handful per session), so they get permissive zod schemas: extra
 * fields pass, and every subscription list defaults to [] because streams differ in which keys they
 * send (the 3.x SDK crashed on exactly that, reference §1.4). Data messages never go through zod:
 * see frame-parser.ts.
 */
const symbolList = z.array(z.string()).catch([]).default([]);

export const successMessageSchema = z.looseObject({ T: z.literal("success"), msg: z.string() });

export const errorMessageSchema = z.looseObject({
  T: z.literal("error"),
  code: z.coerce.number().int(),
  msg: z.string().catch("").default(""),
});

export const subscriptionMessageSchema = z.looseObject({
  T: z.literal("subscription"),
  trades: symbolList,
  quotes: symbolList,
  bars: symbolList,
  updatedBars: symbolList,
  dailyBars: symbolList,
  statuses: symbolList,
  lulds: symbolList,
  corrections: symbolList,
  cancelErrors: symbolList,
});

export type SuccessMessage = z.infer<typeof successMessageSchema>;
export type ErrorMessage = z.infer<typeof errorMessageSchema>;
export type SubscriptionMessage = z.infer<typeof subscriptionMessageSchema>;
export type ControlMessage = SuccessMessage | ErrorMessage | SubscriptionMessage;

/** Parses one control element; null when it does not fit (counted as malformed by the caller). */
export function parseControlMessage(raw: Record<string, unknown>): ControlMessage | null {
  const schema =
    raw.T === "success"
      ? successMessageSchema
      : raw.T === "error"
        ? errorMessageSchema
        : subscriptionMessageSchema;
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** The channels we subscribe; corrections and cancelErrors come automatically with trades. */
export interface ChannelSet {
  trades: readonly string[];
  quotes: readonly string[];
  bars: readonly string[];
}

export function subscribeRequest(action: "subscribe" | "unsubscribe", channels: ChannelSet): string {
  return JSON.stringify({ action, trades: channels.trades, quotes: channels.quotes, bars: channels.bars });
}

export function authRequest(keyId: string, secretKey: string): string {
  return JSON.stringify({ action: "auth", key: keyId, secret: secretKey });
}

/** Every symbol the server says we hold on any channel, sorted. */
export function subscribedSymbols(message: SubscriptionMessage): string[] {
  const all = new Set<string>([...message.trades, ...message.quotes, ...message.bars]);
  return [...all].sort();
}
