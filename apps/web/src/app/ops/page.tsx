import { OpsConsole } from "@/components/ops/ops-console";
import { currentUser } from "@/server/auth/current-user";

export const dynamic = "force-dynamic";

export default async function OpsPage() {
  const signedIn = await currentUser();
  return <OpsConsole canAct={signedIn?.user.role === "operator"} />;
}
