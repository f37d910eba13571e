import { z } from "zod";

// The /ws JSON control protocol (docs/ws-protocol.md). Strict: unknown fields from clients are errors.
const id = z.union([z.string().max(64), z.number().int()]).optional();
const channelList = z.array(z.string().min(1).max(64)).min(1).max(100);

export const wsClientMessageSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("subscribe"),
    channels: channelList,
    recover: z
      .record(
        z.string(),
        z.strictObject({ offset: z.number().int().nonnegative(), epoch: z.string().max(64) }),
      )
      .optional(),
    id,
  }),
  z.strictObject({ type: z.literal("unsubscribe"), channels: channelList, id }),
  z.strictObject({ type: z.literal("ping"), id }),
  z.strictObject({ type: z.literal("refresh"), token: z.string().min(1).max(8192), id }),
]);
export type WsClientMessage = z.infer<typeof wsClientMessageSchema>;

/** Everything the server sends on /ws that is not a publication envelope. */
export type WsServerControlMessage =
  | { type: "welcome"; sub: string; epoch: string; exp: number | null }
  | {
      type: "subscribed";
      channel: string;
      epoch: string;
      offset: number;
      recovered?: boolean;
      id?: string | number;
    }
  | { type: "unsubscribed"; channel: string; id?: string | number }
  | { type: "pong"; serverTime: number; id?: string | number }
  | { type: "refreshed"; exp: number | null; id?: string | number }
  | { type: "error"; code: string; message: string; channel?: string; id?: string | number };
