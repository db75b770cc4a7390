// The events wing (SPEC §13): the bus that fans journaled events out to subscribers, and
// the recorder that turns what a plan machine emits into stored records.
export { EventBus } from './event-bus.js';
export { EmittedRecorder } from './plan-emitted.js';
