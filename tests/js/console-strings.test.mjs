// The console's pure helpers (www/strings.js), against the core's audit operation names: the
// reads a trail hides by default, and the changes it must show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isReadOp } from '../../www/strings.js';

test('isReadOp: every read the core audits is a read, every change is not', () => {
  const reads = ['user.get_current_user', 'user.get_user_by_id', 'user.search', 'user.find_user', 'user.get_linked_auth_list',
    'user.get_user_by_linked_auth', 'session.get', 'session.get_current', 'session.get_list', 'session.verify',
    'attr.get', 'attr.exists', 'attr.names', 'attr.to_dict'];
  const changes = ['user.login', 'user.logout', 'user.create_user', 'user.update_user_by_id', 'user.delete_user_by_id',
    'user.change_password', 'user.reset_totp_key', 'user.signup', 'user.confirm_signup', 'session.renew', 'session.end',
    'attr.create', 'attr.update', 'attr.set', 'attr.delete', 'attr.set_expiry', 'password_reset.create_token',
    'user.create_linked_auth', 'user.delete_linked_auth', 'user.set_password', 'user.import_user'];
  for (const op of reads) assert.equal(isReadOp(op), true, op);
  for (const op of changes) assert.equal(isReadOp(op), false, op);
});
