// The events wing (SPEC §13): the bus that fans journaled events out to subscribers, the feed
// that publishes this process's events and relays other processes' ones, the recorder that turns what a plan machine emits into stored records, and the events part
// of the Runtime interface.
export { EventBus } from './event-bus.js';
export { EventFeed, type EventFeedHost } from './event-feed.js';
export { EmittedRecorder } from './plan-emitted.js';
export type { EventMethods } from './event-api.js';
