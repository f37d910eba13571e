import { expect, type Page } from "@playwright/test";
import { HUB_PROXY_CONTROL_URL, SIM_URL } from "./env";

/** Simulator fault control (apps/market-sim control API). */
export async function setFault(spec: {
  target: "alpaca" | "rest" | "yahoo" | "trading";
  fault: string;
  symbol?: string;
  seconds?: number;
}): Promise<void> {
  const res = await fetch(`${SIM_URL}/control/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(spec),
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

/** The simulated session: closed means no trades and a trading-API clock that says closed. */
export async function setMarketOpen(open: boolean): Promise<void> {
  const res = await fetch(`${SIM_URL}/control/market`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ open }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

export async function clearFaults(): Promise<void> {
  const res = await fetch(`${SIM_URL}/control/faults`, { method: "DELETE" });
  expect(res.status).toBe(200);
}

/** Fails the test on any uncaught page error (e.g. lightweight-charts refusing an out-of-order bar). */
export function failOnPageErrors(page: Page): Error[] {
  const errors: Error[] = [];
  page.on("pageerror", (error) => errors.push(error));
  return errors;
}

export interface ColourCount {
  up: number;
  down: number;
  total: number;
}

/**
 * Decodes a PNG screenshot in the page (no PNG library needed in Node) and counts the pixels close
 * to the candle colours. A blank or background-only canvas counts zero for both.
 */
export async function countCandlePixels(
  page: Page,
  png: Buffer,
  up: string,
  down: string,
): Promise<ColourCount> {
  return page.evaluate(
    async ({ dataUrl, up, down }) => {
      const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      const [u, d] = [rgb(up), rgb(down)];
      const image = new Image();
      image.src = dataUrl;
      await image.decode();
      const canvas = new OffscreenCanvas(image.width, image.height);
      const ctx = canvas.getContext("2d")!;
      ctx.drawImage(image, 0, 0);
      const { data } = ctx.getImageData(0, 0, image.width, image.height);
      const near = (i: number, c: number[]) =>
        Math.abs(data[i]! - c[0]!) <= 8 &&
        Math.abs(data[i + 1]! - c[1]!) <= 8 &&
        Math.abs(data[i + 2]! - c[2]!) <= 8;
      let upCount = 0;
      let downCount = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (near(i, u)) upCount++;
        else if (near(i, d)) downCount++;
      }
      return { up: upCount, down: downCount, total: data.length / 4 };
    },
    { dataUrl: `data:image/png;base64,${png.toString("base64")}`, up, down },
  );
}

/** The hub's proxy (support/hub-proxy.ts): drop its connections, refuse new ones, or pass them again. */
export async function hubProxy(action: "drop" | "refuse" | "restore"): Promise<void> {
  const res = await fetch(`${HUB_PROXY_CONTROL_URL}/${action}`, { method: "POST" });
  expect(res.status).toBe(204);
}

/** Connections the hub's proxy has passed through since the suite started. */
export async function hubConnections(): Promise<number> {
  const res = await fetch(`${HUB_PROXY_CONTROL_URL}/connections`);
  return ((await res.json()) as { accepted: number }).accepted;
}
