import { proxyToTorghut } from "@/server/upstream-proxy";

export const dynamic = "force-dynamic";

export function GET(request: Request): Promise<Response> {
  return proxyToTorghut(request, "/api/symbols");
}
