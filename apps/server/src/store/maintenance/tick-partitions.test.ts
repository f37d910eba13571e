import { onBothEngines } from "../../../test/support/both-engines";
import { tickPartitionContract } from "../../../test/support/tick-partition-contract";

onBothEngines(tickPartitionContract);
