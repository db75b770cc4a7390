// The inspector wing: the XState inspector's server (troupe ui --inspect, SPEC §11) and the
// sanitizer that keeps secrets and huge payloads out of what it shows.
export { DEFAULT_INSPECTOR_PORT, startInspector, type Inspector, type InspectorOptions } from './inspector.js';
