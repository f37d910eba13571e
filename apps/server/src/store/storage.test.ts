import { onBothEngines } from "../../test/support/both-engines";
import { storageContract } from "../../test/support/storage-contract";

onBothEngines(storageContract);
