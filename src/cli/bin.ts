import { runCliProcess } from './process-entry.js';

await runCliProcess(process);
