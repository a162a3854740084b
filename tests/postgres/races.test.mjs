// The race suite (tests/races/cases.mjs) on PostgresStore, through the installed package.
// RACES_LIVENESS=1 adds the opt-in liveness cases.
//
// The throttle cases rely on the store answering in the order it was called (the suite says
// so: the 40th attempt is counted last). A pool of many connections does not: a 40th attempt
// counted among the first ten may rightly log in. Those cases get a store on a pool of one
// connection (calls answered in order); every other case runs on the shared pool of 20, where
// transactions really overlap (and retry on serialization failures).
import { test, after } from 'node:test';
import pg from 'pg';
import { Sso, SsoError } from 'edge-sso';
import { races } from '../races/cases.mjs';
import { freshStore } from './helpers.mjs';

const inOrder = new pg.Pool({ max: 1 });
after(() => inOrder.end());

let current = '';
// node:test runs a file's tests one after the other: the name tells which case makes a store.
const named = (name, fn) => test(name, (t) => { current = name; return fn(t); });

races(named, 'PostgresStore', () => freshStore(/: throttle: /.test(current) ? { pool: inOrder } : {}), {
  Sso, SsoError, liveness: process.env.RACES_LIVENESS === '1',
});
