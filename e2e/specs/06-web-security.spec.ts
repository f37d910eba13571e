import { expect, test } from "@playwright/test";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { EncryptJWT } from "jose";
import { WEB_OIDC_URL, WEB_PROXY_PORT, WEB_PROXY_PORT_URL, WEB_URL } from "../support/env";

// The web app's routes, table by table: forged sessions, path tricks, host-header tricks, bodies
// where none belong, proxy headers from the wrong address, headers on every answer, and the refusal
// to start in production without sign-in.
test.describe("security: web routes", () => {
  test("forged or tampered session cookies sign nobody in", async ({ playwright }) => {
    const otherKey = new Uint8Array(32).fill(7);
    const forged = await new EncryptJWT({ name: "Mallory", email: null, role: "operator", sid: "x" })
      .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
      .setSubject("mallory")
      .setIssuedAt()
      .setExpirationTime("1h")
      .encrypt(otherKey);
    for (const [name, value] of [
      ["encrypted with another key", forged],
      ["garbage", "not-a-session"],
      ["a hub token", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"],
    ] as const) {
      const request = await playwright.request.newContext({
        baseURL: WEB_OIDC_URL,
        extraHTTPHeaders: { cookie: `torghut_session=${value}` },
      });
      expect((await request.get("/api/realtime-token")).status(), name).toBe(401);
      expect(
        (await request.post("/api/ops/failover", { headers: { origin: WEB_OIDC_URL } })).status(),
        name,
      ).toBe(401);
      const page = await request.get("/ops", { maxRedirects: 0 });
      expect(page.status(), name).toBe(303);
      await request.dispose();
    }
  });

  test("the API proxy refuses dot segments and reaches no other API route", async ({ request }) => {
    for (const path of [
      "/api/health/..%2f..%2fmetrics",
      "/api/torghut/..%2f..%2fmetrics",
      "/api/health/.%2e/metrics",
    ]) {
      const res = await request.get(`${WEB_URL}${path}`);
      expect([400, 404], path).toContain(res.status());
      expect(await res.text(), path).not.toContain("# TYPE");
    }
  });

  test("bodies where none belong: a 5 MB POST to a read route is refused without being read", async ({
    request,
  }) => {
    const res = await request.post(`${WEB_URL}/api/health/failover`, {
      data: "x".repeat(5 * 1024 * 1024),
      headers: { "content-type": "text/plain" },
      failOnStatusCode: false,
    });
    expect(res.status()).toBe(405);
  });

  test("X-Forwarded-Host does not choose the hub URL", async ({ request }) => {
    const res = await request.get(`${WEB_URL}/api/realtime-token`, {
      headers: { "x-forwarded-host": "evil.example" },
    });
    expect(res.status()).toBe(200);
    const { hubUrl } = (await res.json()) as { hubUrl: string };
    expect(new URL(hubUrl).hostname).toBe("127.0.0.1");
  });

  test("security headers: a CSP with this response's script nonce and no unsafe-inline scripts", async ({
    request,
  }) => {
    for (const url of [
      `${WEB_URL}/`,
      `${WEB_URL}/ops`,
      `${WEB_OIDC_URL}/sign-in`,
      `${WEB_URL}/api/symbols`,
    ]) {
      const res = await request.get(url);
      const headers = res.headers();
      const csp = headers["content-security-policy"] ?? "";
      const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? "";
      expect(scriptSrc, url).toMatch(/'nonce-[A-Za-z0-9+/=]+'/);
      expect(scriptSrc, url).not.toContain("unsafe-inline");
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(headers["x-frame-options"], url).toBe("DENY");
      expect(headers["referrer-policy"], url).toBe("same-origin");
      expect(headers["x-content-type-options"], url).toBe("nosniff");
      expect(headers["strict-transport-security"], `${url}: plain http`).toBeUndefined();
      if (headers["content-type"]?.includes("text/html")) {
        const nonce = /'nonce-([^']+)'/.exec(scriptSrc)![1]!;
        const html = await res.text();
        const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
        expect(scripts.length, url).toBeGreaterThan(0);
        for (const tag of scripts) expect(tag, url).toContain(`nonce="${nonce}"`);
      }
    }
  });

  test("authenticating proxy: its headers count from 127.0.0.1 only", async ({ playwright }) => {
    const trusted = await playwright.request.newContext({
      baseURL: WEB_PROXY_PORT_URL,
      extraHTTPHeaders: {
        "x-forwarded-user": "carol",
        "x-forwarded-email": "carol@desk.example",
        "x-forwarded-groups": "traders,operator",
      },
    });
    const res = await trusted.get("/api/realtime-token");
    expect(res.status()).toBe(200);
    const claims = JSON.parse(
      Buffer.from(((await res.json()) as { token: string }).token.split(".")[1]!, "base64url").toString(),
    ) as { sub: string };
    expect(claims.sub).toBe("carol");
    const page = await trusted.get("/ops");
    expect(await page.text()).toContain('data-role="operator"');
    await trusted.dispose();

    // The same headers from ::1, which is not the configured proxy: nobody is signed in.
    const untrusted = await playwright.request.newContext({
      baseURL: `http://[::1]:${WEB_PROXY_PORT}`,
      extraHTTPHeaders: { "x-forwarded-user": "carol", "x-forwarded-groups": "operator" },
    });
    expect((await untrusted.get("/api/realtime-token")).status()).toBe(401);
    // Nor can a client pose as the launcher by sending its peer header.
    const posing = await playwright.request.newContext({
      baseURL: `http://[::1]:${WEB_PROXY_PORT}`,
      extraHTTPHeaders: { "x-forwarded-user": "carol", "x-torghut-peer": "guess 127.0.0.1" },
    });
    expect((await posing.get("/api/realtime-token")).status()).toBe(401);
    await untrusted.dispose();
    await posing.dispose();
  });

  test("with NODE_ENV=production and no sign-in configured, the web app refuses to start", () => {
    const web = resolve(import.meta.dirname, "../../apps/web");
    for (const extra of [{}, { AUTH_DEV_OPERATOR: "true" }]) {
      const run = spawnSync(process.execPath, ["server.mjs", "--port", "0", "--hostname", "127.0.0.1"], {
        cwd: web,
        env: { PATH: process.env.PATH, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", ...extra },
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(run.status, JSON.stringify(extra)).toBe(78);
      expect(run.stderr, JSON.stringify(extra)).toContain("no sign-in configured");
    }
  });
});
