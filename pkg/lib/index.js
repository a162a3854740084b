export { Sso } from './sso.js';
export { SsoError } from './errors.js';
export { User } from './user.js';
export { MemoryStore } from './memory-store.js';
export { DurableObjectStore, DenoKvStore, IndexedDbStore } from './adapters.js';
