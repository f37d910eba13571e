import { expect, test, type Page } from "@playwright/test";
import { EncryptJWT } from "jose";
import { createHash } from "node:crypto";
import { SESSION_SECRET, WEB_OIDC_URL } from "../support/env";

// Sign-in against a real OpenID provider (oidc-provider, e2e/support/oidc-provider.ts) in real
// Chromium: the provider's own login page, roles from the `roles` claim, sign-out, an expired
// session, and CSRF on the ops actions.
test.use({ baseURL: WEB_OIDC_URL });

async function signIn(page: Page, login: "alice" | "bob", path = "/ops"): Promise<void> {
  await page.goto(path);
  await expect(page).toHaveURL(/\/sign-in\?returnTo=/);
  await page.getByTestId("sign-in-link").click();
  // The provider's development login form: the login name picks the account.
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any-password");
  await page.locator('button[type="submit"]').click();
  await expect(page).toHaveURL(`${WEB_OIDC_URL}${path}`);
}

test.describe("sign-in with OpenID Connect", () => {
  test("nothing is served before sign-in: pages redirect, API routes answer 401", async ({
    page,
    request,
  }) => {
    await page.goto("/");
    await expect(page).toHaveURL(/\/sign-in\?returnTo=%2F$/);
    await expect(page.getByTestId("dev-operator-banner")).toHaveCount(0);
    for (const path of [
      "/api/realtime-token",
      "/api/symbols",
      "/api/health/stocks",
      "/api/torghut/ta/latest?symbol=AAPL",
    ]) {
      const res = await request.get(path);
      expect(res.status(), path).toBe(401);
    }
  });

  test("an operator signs in, sees who they are, and forces a failover from the session", async ({
    page,
  }) => {
    await signIn(page, "alice");
    await expect(page.getByTestId("user-name")).toHaveText("Alice Operator");
    await expect(page.getByTestId("user-role")).toHaveText("operator");
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === "torghut_session");
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe("Lax");
    expect(await page.evaluate(() => document.cookie)).not.toContain("torghut_session");

    await expect(page.getByTestId("router-state")).toHaveAttribute(
      "data-state",
      /PRIMARY_ACTIVE|FALLBACK_ACTIVE/,
      {
        timeout: 30_000,
      },
    );
    await page.getByTestId("ops-failover").click();
    await page.getByTestId("ops-confirm").click();
    await expect(page.getByTestId("ops-result")).toHaveAttribute("data-ok", "true");
    await expect(page.getByTestId("ops-result")).toContainText("alice@desk.example");
    await expect(page.getByTestId("forced-mode")).toContainText("alice@desk.example");
    await page.getByTestId("ops-automatic").click();
    await page.getByTestId("ops-confirm").click();
    await expect(page.getByTestId("ops-result")).toContainText("Back to automatic: done");

    // A hub token for this user, not a shared viewer.
    const token = await page.request.get("/api/realtime-token");
    expect(token.status()).toBe(200);
    const body = (await token.json()) as { token: string };
    const claims = JSON.parse(Buffer.from(body.token.split(".")[1]!, "base64url").toString()) as Record<
      string,
      unknown
    >;
    expect(claims.sub).toBe("alice");
    expect(claims.aud).toBe("torghut-hub");
    expect(Number(claims.exp) - Number(claims.iat)).toBe(300);
  });

  test("a viewer signs in: the ops buttons are disabled and the server refuses the call too", async ({
    page,
  }) => {
    await signIn(page, "bob");
    await expect(page.getByTestId("user-role")).toHaveText("viewer");
    await expect(page.getByTestId("ops-viewer-note")).toBeVisible();
    await expect(page.getByTestId("ops-failover")).toBeDisabled();
    const csrf = await page.locator('meta[name="torghut-csrf"]').getAttribute("content");
    const status = await page.evaluate(async (token) => {
      const res = await fetch("/api/ops/failover", {
        method: "POST",
        headers: { "x-csrf-token": token ?? "" },
      });
      return res.status;
    }, csrf);
    expect(status).toBe(403);
  });

  test("sign-out ends the session", async ({ page, request }) => {
    await signIn(page, "alice", "/");
    await page.getByTestId("sign-out").click();
    await expect(page).toHaveURL(/\/sign-in\?reason=signed_out/);
    await page.goto("/ops");
    await expect(page).toHaveURL(/\/sign-in\?returnTo=%2Fops/);
    expect((await page.context().cookies()).find((c) => c.name === "torghut_session")).toBeUndefined();
    expect((await request.get("/api/realtime-token")).status()).toBe(401);
  });

  test("an expired session sends the user back to sign in, saying why", async ({ page }) => {
    const key = createHash("sha256").update(`torghut-session:${SESSION_SECRET}`).digest();
    const past = Math.floor(Date.now() / 1000) - 7200;
    const expired = await new EncryptJWT({
      name: "Alice Operator",
      email: "alice@desk.example",
      role: "operator",
      sid: "old",
    })
      .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
      .setSubject("alice")
      .setIssuedAt(past)
      .setExpirationTime(past + 3600)
      .encrypt(key);
    await page.context().addCookies([{ name: "torghut_session", value: expired, url: WEB_OIDC_URL }]);
    await page.goto("/ops");
    await expect(page).toHaveURL(/\/sign-in\?returnTo=%2Fops&reason=expired/);
    await expect(page.getByTestId("sign-in-reason")).toHaveAttribute("data-reason", "expired");
    expect((await page.request.get("/api/realtime-token")).status()).toBe(401);
  });

  test("CSRF: an ops call without the page's token, with a wrong one, or from another origin is refused", async ({
    page,
  }) => {
    await signIn(page, "alice");
    const csrf = (await page.locator('meta[name="torghut-csrf"]').getAttribute("content")) ?? "";
    const before = await page.getByTestId("router-state").getAttribute("data-state");
    const post = (headers: Record<string, string>) =>
      page.request.post("/api/ops/failover", { headers, failOnStatusCode: false });
    const cases: [string, Record<string, string>][] = [
      ["no token", { origin: WEB_OIDC_URL }],
      ["a wrong token", { origin: WEB_OIDC_URL, "x-csrf-token": "forged" }],
      ["another site's Origin", { origin: "https://evil.example", "x-csrf-token": csrf }],
      ["no Origin and no Sec-Fetch-Site", { "x-csrf-token": csrf }],
    ];
    for (const [name, headers] of cases) {
      const res = await post(headers);
      expect(res.status(), name).toBe(403);
      expect(((await res.json()) as { error: string }).error, name).toBe("csrf");
    }
    await page.reload();
    await expect(page.getByTestId("router-state")).toHaveAttribute("data-state", before ?? "PRIMARY_ACTIVE");
    // A form posted from another site, as a browser would send it (cookies attached, SameSite=Lax
    // keeps them off a cross-site POST; the token is missing anyway).
    const attacker = await page.context().newPage();
    await attacker.setContent(
      `<form id="f" method="post" action="${WEB_OIDC_URL}/api/ops/failover"></form><script>document.getElementById("f").submit()</script>`,
    );
    await attacker.waitForLoadState();
    await expect(attacker.locator("body")).toContainText(/unauthorized|csrf/);
  });
});
