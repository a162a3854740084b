// A Durable Object whose storage is wrapped by the shipped DurableObjectStore adapter and
// driven over fetch by the conformance suite in Node. `/clock` moves the adapter's clock.
import { DurableObjectStore } from '../../pkg/lib/adapters.js';

export class StoreObject {
  constructor(state) {
    this.offset = 0;
    this.store = new DurableObjectStore(state.storage, { now: () => 1_700_000_000_000 + this.offset });
  }

  async fetch(request) {
    const { op, args } = await request.json();
    if (op === 'advance') {
      this.offset += args[0];
      return Response.json({ ok: true });
    }
    try {
      return Response.json({ ok: true, value: (await this.store[op](...args)) ?? null });
    } catch (e) {
      return Response.json({ ok: false, error: String(e) });
    }
  }
}

export default {
  fetch(request, env) {
    const name = new URL(request.url).searchParams.get('object') ?? 'default';
    return env.STORE.get(env.STORE.idFromName(name)).fetch(request);
  },
};
