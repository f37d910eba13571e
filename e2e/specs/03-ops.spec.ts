import { expect, test } from "@playwright/test";

// The `web` server runs as `npm start` does: no identity provider, so the visitor is the development
// operator, every page says so, and the ops buttons work from that session (no pasted token).
test.describe("ops console", () => {
  test("shows router state, writer lag and connected clients", async ({ page }) => {
    await page.goto("/ops");
    await expect(page.getByTestId("router-state")).toHaveAttribute(
      "data-state",
      /PRIMARY_ACTIVE|FALLBACK_ACTIVE|BOTH_UNAVAILABLE/,
    );
    await expect(page.getByTestId("writer-lag")).toHaveText(/\d+ ms|\d+\.\d s/);
    await expect(page.getByTestId("connected-clients")).toHaveText(/^\d+$/);
    await expect(page.getByTestId("error-banner")).toHaveCount(0);
  });

  test("every page says the development operator is signed in", async ({ page }) => {
    for (const path of ["/", "/torghut/visuals", "/ops"]) {
      await page.goto(path);
      await expect(page.getByTestId("dev-operator-banner"), path).toBeVisible();
      await expect(page.getByTestId("user-role"), path).toHaveText("operator");
    }
  });

  test("the actions run from the session: failover, back to automatic, reconnect", async ({
    page,
  }, testInfo) => {
    await page.goto("/ops");
    await expect(page.getByTestId("router-state")).toHaveAttribute("data-state", "PRIMARY_ACTIVE", {
      timeout: 30_000,
    });
    await expect(page.getByTestId("admin-token")).toHaveCount(0);

    await page.getByTestId("ops-failover").click();
    await page.getByTestId("ops-confirm").click();
    await expect(page.getByTestId("ops-result")).toHaveAttribute("data-ok", "true");
    await expect(page.getByTestId("ops-result")).toContainText("dev-operator");
    await expect(page.getByTestId("router-state")).toHaveAttribute("data-state", "FALLBACK_ACTIVE");
    await expect(page.getByTestId("forced-mode")).toContainText("dev-operator");
    await expect(page.getByTestId("transition-timeline")).toContainText("dev-operator");
    await page.screenshot({ path: testInfo.outputPath("ops-forced.png"), fullPage: true });

    await page.getByTestId("ops-automatic").click();
    await page.getByTestId("ops-confirm").click();
    await expect(page.getByTestId("ops-result")).toContainText("Back to automatic: done");
    await expect(page.getByTestId("forced-mode")).toHaveCount(0);
    await expect(page.getByTestId("router-state")).toHaveAttribute("data-state", "PRIMARY_ACTIVE", {
      timeout: 30_000,
    });

    await page.getByTestId("ops-reconnect").click();
    await page.getByTestId("ops-confirm").click();
    await expect(page.getByTestId("ops-result")).toContainText("Reconnect Alpaca: done");
  });
});
