import { joinPath, proxyToTorghut } from "@/server/upstream-proxy";

interface Context {
  params: Promise<{ path: string[] }>;
}

export const dynamic = "force-dynamic";

export async function GET(request: Request, context: Context): Promise<Response> {
  const { path } = await context.params;
  return proxyToTorghut(request, joinPath("/api/torghut", path));
}
