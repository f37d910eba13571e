import { OpsConsole } from "@/components/ops/ops-console";

export const dynamic = "force-dynamic";

export default function OpsPage() {
  return <OpsConsole />;
}
