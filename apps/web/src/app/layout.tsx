import type { Metadata } from "next";
import type { ReactNode } from "react";
import { connection } from "next/server";
import { Nav } from "@/components/shell/nav";
import { publicSettings } from "@/config";
import "./globals.css";

export const metadata: Metadata = {
  title: "Torghut",
  description: "Live US equities: watchlist, technical-analysis visuals and data-source health",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The settings of the server that answers, not of the build (the prerendered 404 page included).
  await connection();
  const { visualsEnabled } = publicSettings();
  return (
    <html lang="en">
      <body>
        <Nav visualsEnabled={visualsEnabled} />
        <main>{children}</main>
      </body>
    </html>
  );
}
