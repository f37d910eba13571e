import type { Socket } from "socket.io";
import type { HubSession } from "../client-session";
import { CloseCode } from "../transport";
import type { SessionCommands } from "./session-commands";
import { channelsArgument, recoverArgument, tokenArgument } from "./session-commands";
import type { WsServerControlMessage as ServerControlMessage } from "@torghut/contracts";

type Ack = (reply: unknown) => void;
const KNOWN = new Set(["subscribe", "unsubscribe", "ping", "refresh"]);

/**
 * Client events: `subscribe(channels, recover?, ack?)`, `unsubscribe(channels, ack?)`,
 * `ping(ack?)`, `refresh(token, ack?)`. Replies go out as `control` events (as on /ws) and, when
 * the client passed an ack callback, to the ack as well. Channels are mirrored as rooms so
 * `io.in(channel)` shows who listens, but delivery goes through the hub's per-client queue.
 */
export function handleSocketIoEvents(
  socket: Socket,
  session: HubSession,
  commands: SessionCommands,
  maxMalformed: number,
): void {
  let malformed = 0;
  const onMalformed = (why: string, ack: Ack | undefined): void => {
    malformed += 1;
    const reply = commands.error("bad_request", why);
    ack?.([reply]);
    if (malformed > maxMalformed) session.close(CloseCode.POLICY_VIOLATION, "too many malformed messages");
  };
  const split = (args: unknown[]): [unknown[], Ack | undefined] => {
    const last = args.at(-1);
    return typeof last === "function" ? [args.slice(0, -1), last as Ack] : [args, undefined];
  };
  const joined = (replies: ServerControlMessage[], type: "subscribed" | "unsubscribed"): string[] =>
    replies.flatMap((reply) => (reply.type === type ? [reply.channel] : []));

  socket.on("subscribe", (...raw: unknown[]) => {
    const [args, ack] = split(raw);
    const channels = channelsArgument.safeParse(args[0]);
    const recover = recoverArgument.safeParse(args[1]);
    if (!channels.success || !recover.success || args.length > 2) {
      return onMalformed("subscribe(channels: string[], recover?: {channel: {offset, epoch}})", ack);
    }
    const replies = commands.subscribe(channels.data, recover.data);
    void socket.join(joined(replies, "subscribed"));
    ack?.(replies);
  });

  socket.on("unsubscribe", (...raw: unknown[]) => {
    const [args, ack] = split(raw);
    const channels = channelsArgument.safeParse(args[0]);
    if (!channels.success || args.length > 1) return onMalformed("unsubscribe(channels: string[])", ack);
    const replies = commands.unsubscribe(channels.data);
    for (const channel of joined(replies, "unsubscribed")) void socket.leave(channel);
    ack?.(replies);
  });

  socket.on("ping", (...raw: unknown[]) => {
    const [, ack] = split(raw);
    ack?.(commands.ping());
  });

  socket.on("refresh", (...raw: unknown[]) => {
    const [args, ack] = split(raw);
    const token = tokenArgument.safeParse(args[0]);
    if (!token.success || args.length > 1) return onMalformed("refresh(token: string)", ack);
    void commands.refresh(token.data).then((reply) => ack?.(reply));
  });

  socket.onAny((event: unknown, ...raw: unknown[]) => {
    if (typeof event === "string" && KNOWN.has(event)) return;
    onMalformed(`unknown event ${String(event)}`, split(raw)[1]);
  });
}
