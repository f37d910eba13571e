import type { Metadata } from "next";
import type { ReactNode } from "react";
import { Nav } from "@/components/shell/nav";
import "./globals.css";

export const metadata: Metadata = {
  title: "Torghut",
  description: "Live US equities: watchlist, technical-analysis visuals and data-source health",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Nav />
        <main>{children}</main>
      </body>
    </html>
  );
}
