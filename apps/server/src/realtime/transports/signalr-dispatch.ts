import type { WebSocket } from "ws";
import type { HubSession } from "../client-session";
import type { SessionCommands } from "./session-commands";
import { channelsArgument, recoverArgument, tokenArgument } from "./session-commands";
import type { Invocation } from "./signalr-protocol";
import { encodeCompletion, hubMessageSchema, invocationSchema, MessageType } from "./signalr-protocol";

export interface DispatchContext {
  session: HubSession;
  commands: SessionCommands;
  ws: WebSocket;
  onMalformed(why: string): void;
}

/**
 * One SignalR record after the handshake. Hub method names match case-insensitively, as in ASP.NET
 * Core. An invocation with an `invocationId` is answered with a Completion queued behind the
 * `control` notices and the snapshot it produced, so `invoke()` resolves once they have arrived.
 */
export function handleSignalrRecord(record: string, context: DispatchContext): void {
  let message: unknown;
  try {
    message = JSON.parse(record);
  } catch {
    return context.onMalformed("expected a JSON hub message");
  }
  const header = hubMessageSchema.safeParse(message);
  if (!header.success) return context.onMalformed("expected a hub message with a numeric type");
  switch (header.data.type) {
    case MessageType.Invocation: {
      const invocation = invocationSchema.safeParse(message);
      if (!invocation.success) return context.onMalformed("invalid invocation");
      return invoke(invocation.data, context);
    }
    case MessageType.StreamInvocation: {
      const id = (message as { invocationId?: unknown }).invocationId;
      if (typeof id === "string") complete(context, id, { error: "streaming is not supported by this hub" });
      return;
    }
    case MessageType.Ping:
    case MessageType.CancelInvocation:
    case MessageType.StreamItem:
      return;
    case MessageType.Close:
      context.ws.close(1000, "client closed");
      return;
    default:
      return context.onMalformed(`unsupported message type ${header.data.type}`);
  }
}

function invoke(invocation: Invocation, context: DispatchContext): void {
  const { commands } = context;
  const args = invocation.arguments;
  const id = invocation.invocationId;
  const fail = (why: string): void => {
    if (id !== undefined) complete(context, id, { error: `bad_request: ${why}` });
    context.onMalformed(why);
  };
  switch (invocation.target.toLowerCase()) {
    case "subscribe": {
      const channels = channelsArgument.safeParse(args[0]);
      const recover = recoverArgument.safeParse(args[1]);
      if (!channels.success || !recover.success || args.length > 2)
        return fail("Subscribe(channels: string[], recover?: {channel: {offset, epoch}})");
      const replies = commands.subscribe(channels.data, recover.data);
      if (id !== undefined) complete(context, id, { result: replies });
      return;
    }
    case "unsubscribe": {
      const channels = channelsArgument.safeParse(args[0]);
      if (!channels.success || args.length > 1) return fail("Unsubscribe(channels: string[])");
      const replies = commands.unsubscribe(channels.data);
      if (id !== undefined) complete(context, id, { result: replies });
      return;
    }
    case "ping": {
      const pong = commands.ping();
      if (id !== undefined) complete(context, id, { result: pong });
      return;
    }
    case "refresh": {
      const token = tokenArgument.safeParse(args[0]);
      if (!token.success || args.length > 1) return fail("Refresh(token: string)");
      void commands.refresh(token.data).then((reply) => {
        if (id !== undefined) complete(context, id, { result: reply });
      });
      return;
    }
    default:
      if (id !== undefined) complete(context, id, { error: `Unknown hub method '${invocation.target}'` });
      context.onMalformed(`unknown hub method ${invocation.target}`);
  }
}

function complete(
  context: DispatchContext,
  invocationId: string,
  outcome: { result: unknown } | { error: string },
): void {
  context.session.sendControl(encodeCompletion(invocationId, outcome));
}
