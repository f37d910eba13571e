/**
 * Public health bodies say why something is wrong, never where: an error such as
 * `connect ECONNREFUSED 10.0.3.7:5432` names an internal address an outsider should not learn. The
 * reason stays (`connect ECONNREFUSED [address]`); the full text is in the logs and in the same
 * endpoints asked with an operator's ops token.
 */
export const REDACTED = "[address]";

const PATTERNS: RegExp[] = [
  // URLs, credentials and all: postgres://user:pw@db.internal:5432/torghut
  /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi,
  // IPv6 in brackets, with an optional port
  /\[[0-9a-f:.%]+\](?::\d{1,5})?/gi,
  // bare IPv6 (two or more groups around `::`, or eight groups)
  /(?<![\w:])(?=[0-9a-f:]*::)(?:[0-9a-f]{0,4}:){2,8}[0-9a-f]{0,4}(?![\w:])/gi,
  /(?<![\w:])(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}(?![\w:])/gi,
  // IPv4, with an optional port
  /\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b/g,
  // host names with a dot (db.internal, query1.finance.yahoo.com), with an optional port
  /\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9](?::\d{1,5})?\b/gi,
  // single-label host and port (postgres:5432, localhost:5002)
  /\b[a-z][a-z0-9-]*:\d{2,5}\b/gi,
];

export function redactAddresses(text: string): string {
  let out = text;
  for (const pattern of PATTERNS) out = out.replace(pattern, REDACTED);
  return out;
}

/** Keys whose text may quote an upstream error: `lastError`, `reasons`, `reason`, `message`, … */
const FREE_TEXT_KEY = /error|reason|message|detail|cause/i;

/**
 * A copy of `body` with every string under a free-text key (at any depth, in arrays too) redacted.
 * Structured fields (symbols, states, times, counts) are left alone, so nothing a client reads for
 * data changes; fields added to the health bodies later are covered by their names.
 */
export function redactBody<T>(body: T): T {
  return walk(body, false) as T;
}

function walk(value: unknown, freeText: boolean): unknown {
  if (typeof value === "string") return freeText ? redactAddresses(value) : value;
  if (Array.isArray(value)) return value.map((item) => walk(item, freeText));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = walk(item, freeText || FREE_TEXT_KEY.test(key));
  return out;
}
