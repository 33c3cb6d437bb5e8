// Log (status and recent operations), Sessions (list, kill) and Users (list, add, remove,
// change password).
import { el, bytes, time, table, dl, duration } from './format.js';
import { get, post } from './api.js';
import { toast } from './panel.js';

export class LogPage {
  constructor(root) {
    this.root = root;
  }

  async show() {
    this.root.replaceChildren(el('h1', { text: 'Log' }));
    let st;
    try {
      st = await get('/api/log');
    } catch (e) {
      this.root.append(el('p', { id: 'log-missing', class: 'error', text: e.code + ' ' + e.message }));
      return;
    }
    this.root.append(el('div', { class: 'card wide' }, el('h2', { text: 'Status' }), dl([
      ['File', st.file], ['Segment', String(st.segment) + ' (since ' + time(st.segmentCreatedMillis) + ')'],
      ['Operations', st.firstOperation + ' … ' + st.lastOperation],
      ['Size', bytes(st.sizeBytes)], ['Sync', st.syncMode + ', last ' + time(st.lastSyncMillis)],
      ['Writable', st.writable ? 'yes' : 'no: ' + st.failure],
      ['Since opened', st.transactions + ' transactions, ' + st.operations + ' operations, ' + st.syncs + ' syncs ('
        + Number(st.operationsPerSync).toFixed(1) + ' per sync), ' + bytes(st.bytesWritten)],
    ], 'log-status')));
    const table_ = el('div', { id: 'log-ops-box' });
    const tableName = el('input', { id: 'log-table', placeholder: 'table' });
    const user = el('input', { id: 'log-user', placeholder: 'user' });
    const load = async () => {
      const q = new URLSearchParams({ limit: '100', table: tableName.value, user: user.value });
      const from = Math.max(1, st.lastOperation - 99);
      if (!tableName.value && !user.value) q.set('from', String(from));
      try {
        const r = await get('/api/log/operations?' + q);
        const ops = (r.operations || []).slice().reverse();
        table_.replaceChildren(ops.length ? table('log-ops', ['#', 'Committed', 'User', 'Kind', 'Table', 'Detail'], ops.map((o) =>
          el('tr', {}, el('td', { text: o.operation }), el('td', { text: time(o.commitMillis || o.timeMillis) }),
            el('td', { text: o.user }), el('td', { text: o.kind }), el('td', { text: o.table }),
            el('td', { class: 'line', text: o.summary || o.sql || '' }))))
          : el('p', { class: 'muted', text: 'No operation.' }));
      } catch (e) {
        table_.replaceChildren(el('p', { class: 'error', text: e.message }));
      }
    };
    this.root.append(el('div', { class: 'card wide' }, el('h2', { text: 'Recent operations' }),
      el('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); load(); } }, tableName, user,
        el('button', { type: 'submit' }, 'Show')), table_));
    load();
  }
}

export class SessionsPage {
  constructor(root) {
    this.root = root;
  }

  async show() {
    this.root.replaceChildren(el('h1', { text: 'Sessions' }));
    let r;
    try {
      r = await get('/api/sessions');
    } catch (e) {
      this.root.append(el('p', { class: 'error', text: e.message }));
      return;
    }
    const rows = (r.sessions || []).map((s) => el('tr', { dataset: { id: s.id } },
      el('td', { text: String(s.id) }), el('td', { text: s.user }), el('td', { text: s.role }),
      el('td', { text: s.remoteAddress }), el('td', { text: s.clientName }),
      el('td', { text: duration(Date.now() - s.connectedAtMillis) }),
      el('td', { text: (s.inTransaction ? 'in a transaction · ' : '') + s.requestsInFlight + ' in flight · ' + s.requestsDone + ' done' }),
      el('td', {}, el('button', { class: 'kill danger', onclick: (e) => this.kill(s, e.target) }, 'Kill'))));
    this.root.append(el('div', { class: 'card wide' }, rows.length
      ? table('sessions-table', ['Id', 'User', 'Role', 'From', 'Client', 'Connected', 'Requests', ''], rows)
      : el('p', { class: 'muted', text: 'No client session.' }),
    el('button', { id: 'sessions-refresh', onclick: () => this.show() }, 'Refresh')));
  }

  async kill(s, button) {
    if (!confirm('End session ' + s.id + ' of ' + s.user + '? Its open transaction is rolled back.')) return;
    button.disabled = true;
    try {
      await post('/api/sessions/kill', { id: s.id });
      toast('Session ' + s.id + ' ended.');
      await this.show();
    } catch (e) {
      button.disabled = false;
      toast(e.message, true);
    }
  }
}

export class UsersPage {
  constructor(root, state) {
    this.root = root;
    this.state = state;
  }

  async show() {
    this.root.replaceChildren(el('h1', { text: 'Users' }));
    let r;
    try {
      r = await get('/api/users');
    } catch (e) {
      this.root.append(el('p', { class: 'error', text: e.message }));
      return;
    }
    const rows = (r.users || []).map((u) => el('tr', { dataset: { name: u.name } },
      el('td', { text: u.name }), el('td', { text: u.role.toLowerCase() }), el('td', { text: time(u.createdAtMillis) }),
      el('td', {}, el('button', { class: 'password', onclick: () => this.password(u.name) }, 'Change password'), ' ',
        u.name === this.state.user ? null : el('button', { class: 'remove danger', onclick: () => this.remove(u.name) }, 'Remove'))));
    const name = el('input', { id: 'user-name', placeholder: 'name', required: true, autocomplete: 'off' });
    const role = el('select', { id: 'user-role' }, ['user', 'reader', 'admin'].map((x) => el('option', { value: x, text: x })));
    const password = el('input', { id: 'user-password', type: 'password', placeholder: 'password (8 characters or more)', required: true, autocomplete: 'new-password' });
    const message = el('p', { id: 'user-message', class: 'muted' });
    const add = el('form', { id: 'user-add-form', class: 'filters', onsubmit: async (e) => {
      e.preventDefault();
      try {
        await post('/api/users/add', { name: name.value, role: role.value, password: password.value });
        toast('User ' + name.value + ' added.');
        await this.show();
      } catch (err) {
        message.className = 'error';
        message.textContent = err.code + ' ' + err.message;
      }
    } }, name, role, password, el('button', { id: 'user-add', type: 'submit' }, 'Add user'));
    this.root.append(el('div', { class: 'card wide' }, table('users-table', ['Name', 'Role', 'Created', ''], rows)),
      el('div', { class: 'card wide' }, el('h2', { text: 'Add a user' }), add, message));
  }

  async remove(name) {
    if (!confirm('Remove user ' + name + '? Their sessions stay until they end; they cannot log in again.')) return;
    try {
      await post('/api/users/remove', { name });
      toast('User ' + name + ' removed.');
      await this.show();
    } catch (e) {
      toast(e.message, true);
    }
  }

  async password(name) {
    const p = prompt('New password for ' + name + ' (8 characters or more):');
    if (p === null) return;
    try {
      await post('/api/users/password', { name, password: p });
      toast('Password of ' + name + ' changed.');
    } catch (e) {
      toast(e.message, true);
    }
  }
}
