// The REST suite (tests/rest/suite.mjs) against sso.fetch on PostgresStore.
import { test } from 'node:test';
import { Sso } from 'edge-sso';
import { restSuite } from '../rest/suite.mjs';
import { ssoFetchClient } from '../rest/sso-fetch-client.mjs';
import { freshStore } from './helpers.mjs';

restSuite(test, await ssoFetchClient(Sso, await freshStore()));
