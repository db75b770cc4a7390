// The host wing (one-owner mode, DESIGN §7): the socket server that owns a project's plans,
// the client other processes use, their protocol, the waiters, and the deferred runtime.
export { canDefer, deferredRuntime } from './deferred-runtime.js';
export { HostRetryError, RemoteRuntime } from './host-client.js';
export { HOST_METHODS, hostSocketPath, type HostInfo } from './host-protocol.js';
export { HostServer } from './host-server.js';
export { markWaiting } from './host-waiters.js';
