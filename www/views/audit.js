// #/audit: the audit records as a table (time, acting user, operation, target, outcome,
// address) with filters; reads hidden unless asked for. In-page mode: this page's callback;
// REST mode: the demo server's extension (GET /console/audit, super-users only).
import { state } from '../state.js';
import { T, AUDIT_OPS, COLUMNS as C, isReadOp } from '../strings.js';
import { plain, bdi, timeEl } from '../text.js';
import { $, el, showError } from '../ui.js';

/** A user id or username as a name (ids the console has seen are shown as their usernames). */
const who = (v) => (v ? bdi(state.names.get(v) ?? v) : '—');

/** Records with no `result` were written before the operation ran (spec §1.6): outcome unknown. */
const outcome = (e) => (e.result ? (e.result === 'ok' ? T.succeeded : T.failed(plain(e.result))) : '—');

export function auditTable(table, records) {
  table.tHead.replaceChildren(el('tr', {}, ...[C.time, C.actor, C.operation, C.target, C.outcome, C.address].map((h) => el('th', { scope: 'col' }, h))));
  table.tBodies[0].replaceChildren(...records.map((e) => el('tr', {},
    el('td', { dataset: { label: C.time } }, timeEl(e.time)),
    el('td', { dataset: { label: C.actor } }, who(e.current_user)),
    el('td', { dataset: { label: C.operation }, title: e.op }, AUDIT_OPS[e.op] ?? plain(e.op)),
    el('td', { dataset: { label: C.target } }, who(e.target_user)),
    el('td', { dataset: { label: C.outcome } }, outcome(e)),
    el('td', { dataset: { label: C.address } }, bdi(e.extra?.remote_addr || '—')))));
  table.hidden = records.length === 0;
}

/** The page's in-page records arrive here (newest first, at most 1000 kept). */
export function recordAudit(event) {
  state.audit.unshift(event);
  if (state.audit.length > 1000) state.audit.length = 1000;
  if (!$('#view-audit').hidden) drawAudit();
}

export async function loadServerAudit() {
  if (state.caps.audit !== 'server') return;
  try {
    state.audit = (await state.backend.auditTrail(state.ust)).slice().reverse();
    showError('audit', null);
  } catch (e) {
    showError('audit', e);
  }
}

function drawAudit() {
  const f = {
    user: $('#audit-user').value.trim().toLowerCase(),
    op: $('#audit-op').value,
    outcome: $('#audit-outcome').value,
    from: $('#audit-from').value ? new Date($('#audit-from').value).getTime() : null,
    to: $('#audit-to').value ? new Date($('#audit-to').value).getTime() : null,
    reads: $('#audit-reads').checked,
  };
  const ops = [...new Set(state.audit.map((e) => e.op))].sort();
  const select = $('#audit-op');
  if (select.options.length - 1 !== ops.length) {
    select.replaceChildren(el('option', { value: '' }, 'any'), ...ops.map((op) => el('option', { value: op }, AUDIT_OPS[op] ?? op)));
    select.value = f.op;
  }
  const matchesUser = (e) => !f.user || [e.current_user, e.target_user].some((v) => v && `${v} ${state.names.get(v) ?? ''}`.toLowerCase().includes(f.user));
  const rows = state.audit.filter((e) => (f.reads || f.op || !isReadOp(e.op)) && (!f.op || e.op === f.op) && matchesUser(e)
    && (!f.outcome || (f.outcome === 'ok' ? e.result === 'ok' : e.result && e.result !== 'ok'))
    && (f.from === null || Date.parse(e.time) >= f.from) && (f.to === null || Date.parse(e.time) <= f.to)).slice(0, 500);
  auditTable($('#audit-table'), rows);
  $('#audit-empty').hidden = rows.length > 0;
  $('#audit-empty').textContent = state.caps.audit === 'none' ? T.auditUnavailable : T.auditEmpty;
  $('#audit-note').textContent = state.caps.audit === 'server' ? T.auditRestNote : state.caps.audit === 'page' ? T.auditLocalNote : T.auditUnavailable;
}

export async function showAudit() {
  await loadServerAudit();
  drawAudit();
}

export function wireAudit() {
  $('#audit-filters').addEventListener('input', drawAudit);
  $('#audit-filters').addEventListener('submit', (ev) => ev.preventDefault());
  $('#audit-refresh').addEventListener('click', showAudit);
}

export function forgetAudit() {
  $('#audit-table').tBodies[0].replaceChildren();
  $('#detail-audit').tBodies[0].replaceChildren();
}
