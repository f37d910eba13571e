/**
 * The web app's security headers. Scripts run only with this response's nonce (Next puts it on its
 * own scripts, read from the CSP request header) or when loaded by such a script ('strict-dynamic'):
 * no 'unsafe-inline' for scripts. Styles keep 'unsafe-inline' (React renders style attributes).
 * Nobody may frame the app; the Referer never leaves it (same-origin); HSTS only when served over https.
 */
export function securityHeaders(options: {
  nonce: string;
  connectOrigins: readonly string[];
  https: boolean;
  dev: boolean;
}): Record<string, string> {
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${options.nonce}' 'strict-dynamic'${options.dev ? " 'unsafe-eval'" : ""}`,
    // The live feed runs in a worker from this origin (lib/live/market-feed.worker.ts).
    "worker-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ${options.connectOrigins.join(" ")}`.trim(),
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  return {
    "content-security-policy": csp,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on the app's own
    // form POSTs, and the CSRF check needs that origin. Other sites still get no Referer at all.
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    ...(options.https ? { "strict-transport-security": "max-age=31536000; includeSubDomains" } : {}),
  };
}

/** The hub's origin in both schemes the browser uses for it (SignalR over WebSocket, negotiate over HTTP). */
export function hubConnectOrigins(hubOrigin: string): string[] {
  const url = new URL(hubOrigin);
  const ws = url.protocol === "https:" ? "wss:" : "ws:";
  return [`${url.protocol}//${url.host}`, `${ws}//${url.host}`];
}
