import { expect, test } from "@playwright/test";
import { mintToken } from "../support/helpers";

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

  test("actions are refused without an admin token and work with one", async ({ page }, testInfo) => {
    await page.goto("/ops");
    await expect(page.getByTestId("router-state")).toHaveAttribute("data-state", "PRIMARY_ACTIVE", {
      timeout: 30_000,
    });

    await page.getByTestId("ops-failover").click();
    await expect(page.getByTestId("ops-result")).toHaveAttribute("data-status", "401");
    await expect(page.getByTestId("ops-result")).toContainText("refused");

    await page.getByTestId("admin-token").fill(await mintToken("viewer-bob", false));
    await page.getByTestId("ops-failover").click();
    await expect(page.getByTestId("ops-result")).toHaveAttribute("data-status", "403");
    await expect(page.getByTestId("router-state")).toHaveAttribute("data-state", "PRIMARY_ACTIVE");

    await page.getByTestId("admin-token").fill(await mintToken("oncall-alice", true));
    await page.getByTestId("ops-failover").click();
    await expect(page.getByTestId("ops-result")).toHaveAttribute("data-ok", "true");
    await expect(page.getByTestId("ops-result")).toContainText("oncall-alice");
    await expect(page.getByTestId("router-state")).toHaveAttribute("data-state", "FALLBACK_ACTIVE");
    await expect(page.getByTestId("forced-mode")).toContainText("oncall-alice");
    await expect(page.getByTestId("transition-timeline")).toContainText("oncall-alice");
    await page.screenshot({ path: testInfo.outputPath("ops-forced.png"), fullPage: true });

    await page.getByTestId("ops-automatic").click();
    await expect(page.getByTestId("ops-result")).toContainText("Back to automatic: done");
    await expect(page.getByTestId("forced-mode")).toHaveCount(0);
    await expect(page.getByTestId("router-state")).toHaveAttribute("data-state", "PRIMARY_ACTIVE", {
      timeout: 30_000,
    });

    await page.getByTestId("ops-reconnect").click();
    await expect(page.getByTestId("ops-result")).toContainText("Reconnect Alpaca: done");
  });
});
