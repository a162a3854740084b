export { Sso, manifest } from './sso.js';
export { SsoError } from './errors.js';
export { User } from './user.js';
export { MemoryStore } from './memory-store.js';
export { DurableObjectStore, DenoKvStore, IndexedDbStore } from './adapters.js';
export { D1Store } from './d1.js';
export { PartitionedDurableObjectStore, StoreShard, routingKey } from './partitioned.js';
export { toNodeHandler } from './node-handler.js';
