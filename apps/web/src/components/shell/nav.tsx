import Link from "next/link";

export function Nav() {
  return (
    <header className="nav">
      <span className="brand">Torghut</span>
      <nav>
        <Link href="/">Watchlist</Link>
        <Link href="/torghut/visuals">Visuals</Link>
        <Link href="/ops">Ops</Link>
      </nav>
    </header>
  );
}
