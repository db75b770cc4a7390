import { describe } from 'vitest';
import { describeHolders } from './holders.js';
import { describeMcpTasks } from './mcp-tasks.js';
import { describeBatchFigures } from './batch-figures.js';
import { describeCheckpoints } from './checkpoints.js';
import { describeCommandLogs } from './command-logs.js';
import { describeConflicts } from './conflicts.js';
import { describeCorruptEntries } from './corrupt-entries.js';
import { describeDecisions } from './decisions.js';
import { describeFindingPlans } from './finding-plans.js';
import { describeJournalEvents } from './journal-events.js';
import { describeOpeningAndClosing } from './opening-and-closing.js';
import { describePlanClaims } from './plan-claims.js';
import { describePlanCreation } from './plan-creation.js';
import { describePlanDeletion } from './plan-deletion.js';
import { describeProjects } from './projects.js';
import { describeSchemaVersion } from './schema-version.js';
import { describeStepLists } from './step-lists.js';
import { storeConformance, type MakeStore } from './store-fixture.js';
import { describeTransitions } from './transitions.js';

export type { StoreFixture } from './store-fixture.js';

/**
 * The behaviour every store backend shares (DESIGN §4). Each backend's test
 * file calls this with a factory for fresh stores.
 */
export function runStoreConformance(name: string, makeStore: MakeStore): void {
  describe(`${name} (store conformance)`, () => {
    const conformance = storeConformance(makeStore);

    describePlanCreation(conformance);
    describeTransitions(conformance);
    describeJournalEvents(conformance);
    describeCommandLogs(conformance);
    describeDecisions(conformance);
    describeConflicts(conformance);
    describeCheckpoints(conformance);
    describeStepLists(conformance);
    describeMcpTasks(conformance);
    describeHolders(conformance);
    describePlanDeletion(conformance);
    describeProjects(conformance);
    describeFindingPlans(conformance);
    describeCorruptEntries(conformance);
    describeSchemaVersion(conformance);
    describeBatchFigures(conformance);
    describePlanClaims(conformance);
    describeOpeningAndClosing(conformance);
  });
}
