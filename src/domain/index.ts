// The domain: types, schemas, names, ids and errors. No I/O.
export * from './ids.js';
export * from './names.js';
export * from './phases.js';
export * from './paths.js';
export * from './errors.js';
export * from './validation.js';
export * from './plan-file.js';
export * from './plan-file-parse.js';
export * from './plan-record.js';
export * from './decisions.js';
export * from './journal.js';
export * from './changeset.js';
export * from './invariants.js';
export * from './conflicts.js';
export * from './subplans.js';
export * from './projects.js';
export * from './checkpoints.js';
