import { joinPath, proxyToTorghut } from "@/server/upstream-proxy";

interface Context {
  params: Promise<{ path: string[] }>;
}

export const dynamic = "force-dynamic";

/** Health reads. Ops actions go through /api/ops/{action}, which runs them as the signed-in operator. */
export async function GET(request: Request, context: Context): Promise<Response> {
  const { path } = await context.params;
  return proxyToTorghut(request, joinPath("/api/health", path));
}
