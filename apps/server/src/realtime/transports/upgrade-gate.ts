import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "../../logger";
import { AuthError } from "../auth";
import type { Principal } from "../transport";
import { refuseUpgrade, type Admission } from "./admission";

export interface UpgradeGateOptions {
  /** The transport label of refusals (realtime_rejected_connections_total). */
  transport: string;
  admission: Admission;
  verify(token: string): Promise<Principal>;
  logger: Logger;
  /** Log line of a refused token. */
  refusedTokenMessage: string;
}

/**
 * The WebSocket transports' last admission step: a token is verified before any WebSocket exists,
 * and the upgrade happens only if the socket is still there and the server still accepts. Counts
 * the upgrades being authenticated, which the connection limits include.
 */
export class UpgradeGate {
  private authenticating = 0;

  constructor(private readonly options: UpgradeGateOptions) {}

  /** Upgrades being authenticated now. */
  get pending(): number {
    return this.authenticating;
  }

  refuse(socket: Duplex, status: number, reason: string, message: string): void {
    refuseUpgrade(socket, this.options.transport, status, reason, message);
  }

  /**
   * Verifies `token`; `accept` then upgrades, unless `vet` refuses the principal. The attempt counts
   * against its address from here until the TCP connection closes, whichever way it ends.
   */
  admit(
    req: IncomingMessage,
    socket: Duplex,
    token: string,
    accept: (principal: Principal) => void,
    vet: (principal: Principal) => { status: number; reason: string } | null = () => null,
  ): void {
    const { admission, logger } = this.options;
    socket.once("close", admission.hold(req));
    this.authenticating += 1;
    this.options
      .verify(token)
      .then((principal) => {
        this.authenticating -= 1;
        if (socket.destroyed) return;
        if (!admission.open) return this.refuse(socket, 503, "shutting_down", "server is shutting down");
        const refusal = vet(principal);
        if (refusal !== null) return this.refuse(socket, refusal.status, refusal.reason, refusal.reason);
        accept(principal);
      })
      .catch((error: unknown) => {
        this.authenticating -= 1;
        const code = error instanceof AuthError ? error.code : "invalid_token";
        logger.info({ ip: admission.address(req), code }, this.options.refusedTokenMessage);
        this.refuse(socket, 401, code, code);
      });
  }
}
