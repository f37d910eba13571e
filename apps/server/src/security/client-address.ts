import type { IncomingMessage } from "node:http";
import proxyaddr from "proxy-addr";

/** The address a request comes from: the TCP peer, or the client a trusted proxy names. */
export type ClientAddress = (req: IncomingMessage) => string;

/**
 * TRUSTED_PROXIES: addresses or CIDRs (or proxy-addr's `loopback`, `linklocal`, `uniquelocal`) whose
 * `X-Forwarded-For` names the client. Behind an L7 proxy every request's TCP peer is the proxy, so
 * without this every client would share one rate bucket; from anyone else the header is ignored, or a
 * client could pick its own bucket (and its own audit address) by sending one.
 */
export function clientAddressOf(trustedProxies: readonly string[]): ClientAddress {
  if (trustedProxies.length === 0) return (req) => req.socket.remoteAddress ?? "unknown";
  const trust = proxyaddr.compile([...trustedProxies]);
  return (req) => proxyaddr(req, trust);
}

/** Throws on an entry proxy-addr cannot read (config validation). */
export function checkTrustedProxies(trustedProxies: readonly string[]): void {
  proxyaddr.compile([...trustedProxies]);
}
