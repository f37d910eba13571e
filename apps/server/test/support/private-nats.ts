import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually } from "@torghut/testing";
import { freePort } from "./prometheus-stack";

const BINARY =
  spawnSync("sh", ["-c", "command -v nats-server"]).status === 0 ? "nats-server" : "/usr/sbin/nats-server";

export interface NatsUser {
  user: string;
  password: string;
}

/**
 * A nats-server of a test's own (the shared one on 4222 must not be broken), with user/password
 * authorization and its monitoring port, that the test can reconfigure (SIGHUP reloads the file,
 * as `nats-server --signal reload` does), kill and start again on the same ports.
 */
export class PrivateNats {
  private child: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), "torghut-nats-"));
  private readonly config = join(this.dir, "nats.conf");

  private constructor(
    readonly port: number,
    readonly monitorPort: number,
  ) {}

  static async start(users: NatsUser[]): Promise<PrivateNats> {
    if (!existsSync(BINARY) && BINARY !== "nats-server")
      throw new Error("nats-server is missing: apt-get install -y nats-server");
    const nats = new PrivateNats(await freePort(), await freePort());
    nats.writeConfig(users);
    await nats.run();
    return nats;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get monitorUrl(): string {
    return `http://127.0.0.1:${this.monitorPort}`;
  }

  /** Rewrites the users and reloads the running server; resolves once the reload is done. */
  async setUsers(users: NatsUser[]): Promise<void> {
    const loadedAt = async () =>
      ((await (await fetch(`${this.monitorUrl}/varz`)).json()) as { config_load_time: string })
        .config_load_time;
    const before = await loadedAt();
    this.writeConfig(users);
    this.child?.kill("SIGHUP");
    await eventually(
      async () => (await loadedAt()) !== before,
      "nats-server reloaded its configuration",
      10_000,
    );
  }

  /** The process dies (SIGKILL): clients see the connection drop. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child === null || child.exitCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    await exited;
    this.child = null;
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.run();
  }

  async close(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private writeConfig(users: NatsUser[]): void {
    const lines = users.map(
      (u) => `    { user: ${JSON.stringify(u.user)}, password: ${JSON.stringify(u.password)} }`,
    );
    writeFileSync(
      this.config,
      [
        `listen: 127.0.0.1:${this.port}`,
        `http: 127.0.0.1:${this.monitorPort}`,
        "authorization {",
        "  users: [",
        ...lines,
        "  ]",
        "}",
        "",
      ].join("\n"),
    );
  }

  private async run(): Promise<void> {
    const child = spawn(BINARY, ["-c", this.config], { stdio: "ignore" });
    this.child = child;
    await eventually(
      async () => (await fetch(`${this.monitorUrl}/healthz`).catch(() => null))?.ok === true,
      "nats-server up",
      15_000,
    );
  }
}
