// Backups: the history with each archive's verification, the restorable window, verify,
// restore (to a folder, in place, to a point in time), the journal with filters, and the
// settings editor (validated by the server exactly as `backup settings set`).
import { el, bytes, time, table, statusBadge } from './format.js';
import { get, post } from './api.js';
import { toast } from './panel.js';

export class BackupsPage {
  constructor(root, state) {
    this.root = root;
    this.state = state;
    this.lastNumber = -1;
  }

  async show() {
    this.root.replaceChildren(el('h1', { text: 'Backups' }),
      el('div', { id: 'history-box', class: 'card wide' }, el('h2', { text: 'History' }), el('p', { class: 'muted', text: 'Loading…' })),
      el('div', { class: 'cards' },
        el('div', { id: 'restore-box', class: 'card' }, el('h2', { text: 'Restore' })),
        el('div', { id: 'window-box', class: 'card' }, el('h2', { text: 'Restorable window' }))),
      el('div', { id: 'settings-box', class: 'card wide' }, el('h2', { text: 'Settings' })),
      el('div', { id: 'journal-box', class: 'card wide' }, el('h2', { text: 'Journal' })));
    await Promise.all([this.loadHistory(), this.loadSettings(), this.loadJournal()]);
  }

  overview(o) {
    const n = o.status.backup && o.status.backup.last ? o.status.backup.last.number : 0;
    const running = o.status.backup && o.status.backup.state === 'RUNNING';
    const key = n + (running ? 'r' : '');
    if (!this.root.hidden && this.lastNumber !== -1 && key !== this.lastNumber) {
      this.loadHistory();
      this.loadJournal();
    }
    this.lastNumber = key;
  }

  async loadHistory() {
    let data;
    try {
      data = await get('/api/backups');
    } catch (e) {
      document.getElementById('history-box').replaceChildren(el('h2', { text: 'History' }), el('p', { class: 'error', text: e.message }));
      return;
    }
    this.history = data.history.entries || [];
    // Several destinations: which of them hold each archive (and why one does not).
    const several = this.history.some((h) => (h.copies || []).length > 0);
    const copies = (h) => el('td', { class: 'copies' }, ...(h.copies || []).map((c) => el('div', {
      class: c.holds ? 'copy holds' : 'copy missing',
      title: c.holds ? '' : (c.error || ''),
      text: (c.holds ? '✓ ' : '✗ ') + c.destination + (c.holds ? '' : ' (missing' + (c.error ? ': ' + c.error : '') + ')'),
    })));
    // Encrypted archives: the fingerprint of the key each needs (docs/backup-encryption.md).
    const encrypted = this.history.some((h) => h.keyFingerprint);
    const key = (h) => el('td', { class: 'key', title: h.keyFingerprint ? 'encrypted with the key of this fingerprint' : 'not encrypted',
      text: h.keyFingerprint || '—' });
    const rows = [...this.history].reverse().map((h) => el('tr', { dataset: { number: h.number } },
      el('td', { text: String(h.number) }),
      el('td', {}, statusBadge(h.status)),
      el('td', { text: time(h.startMillis) }),
      el('td', { text: time(h.endMillis) }),
      el('td', { text: bytes(h.size) }),
      el('td', { class: 'verification', text: verification(h.verification) }),
      el('td', { class: 'file', text: h.file }),
      ...(encrypted ? [key(h)] : []),
      ...(several ? [copies(h)] : []),
      el('td', {}, h.file ? el('button', { class: 'verify', onclick: (e) => this.verify(h.number, e.target) }, 'Verify') : null)));
    document.getElementById('history-box').replaceChildren(el('h2', { text: 'History' }),
      rows.length ? table('history-table', ['#', 'Status', 'Started', 'Ended', 'Size', 'Verification', 'Archive',
        ...(encrypted ? ['Key fingerprint'] : []), ...(several ? ['Destinations'] : []), ''], rows)
        : el('p', { class: 'muted', text: 'No backup yet.' }),
      el('p', { id: 'verify-result', class: 'muted' }));
    this.renderWindow(data.window);
    this.renderRestore();
  }

  renderWindow(w) {
    const box = document.getElementById('window-box');
    const items = (w.archives || []).map((a) => el('li', {},
      'Archive ' + a.number + ': ' + time(a.backupStartMillis),
      a.logPosition ? ' → operation ' + a.fromOperation + ' … ' + (a.toCurrent ? 'now (' + a.toOperation + ')' : a.toOperation)
        : ' (alone: made before the log)',
      a.cancelledTimeline ? ' · on a cancelled timeline' : ''));
    const gaps = (w.gaps || []).map((g) => el('li', { class: 'error',
      text: 'Gap in the log: operations ' + g.firstOperation + ' … ' + g.lastOperation + ' (' + (g.reason || 'missing') + (g.segment ? ', ' + g.segment : '') + '): no point inside can be reached.' }));
    box.replaceChildren(el('h2', { text: 'Restorable window' }),
      el('p', { class: 'muted', text: 'The log reaches operation ' + w.logLastOperation + '.' }),
      items.length ? el('ul', { id: 'window-list' }, items) : el('p', { class: 'muted', text: 'Nothing to restore yet.' }),
      el('ul', { hidden: gaps.length === 0 }, gaps));
  }

  renderRestore() {
    const numbers = this.history.filter((h) => h.file).map((h) => h.number).reverse();
    const box = document.getElementById('restore-box');
    const select = el('select', { id: 'restore-number' }, numbers.map((n) => el('option', { value: n, text: 'Backup ' + n })));
    const mode = el('select', { id: 'restore-mode' },
      el('option', { value: 'folder', text: 'to a folder on the server' }),
      el('option', { value: 'inplace', text: 'in place (replaces the database)' }),
      el('option', { value: 'point', text: 'in place, to a point in time' }));
    const dir = el('input', { id: 'restore-dir', placeholder: '/absolute/folder/on/the/server' });
    const at = el('input', { id: 'restore-at', type: 'datetime-local', step: '1' });
    const noLog = el('input', { id: 'restore-nolog', type: 'checkbox' });
    const result = el('p', { id: 'restore-result', class: 'muted' });
    const dirRow = el('label', {}, 'Folder ', dir);
    const atRow = el('label', {}, 'Point in time ', at);
    const logRow = el('label', { class: 'check' }, noLog, ' the archive alone (without the log after it)');
    const sync = () => {
      dirRow.hidden = mode.value !== 'folder';
      atRow.hidden = mode.value !== 'point';
      select.disabled = mode.value === 'point';
      logRow.hidden = mode.value === 'point';
    };
    mode.addEventListener('change', sync);
    const form = el('form', { id: 'restore-form', onsubmit: (e) => { e.preventDefault(); this.restore(mode.value, select.value, dir.value, at.value, noLog.checked, result); } },
      el('label', {}, 'Archive ', select), el('label', {}, 'Where ', mode), dirRow, atRow, logRow,
      el('button', { id: 'restore-submit', type: 'submit', disabled: numbers.length === 0 }, 'Restore'), result);
    box.replaceChildren(el('h2', { text: 'Restore' }), form);
    sync();
  }

  async restore(mode, number, dir, at, noLog, result) {
    const body = { noLog };
    if (mode === 'folder') {
      body.number = Number(number);
      body.toDir = dir.trim();
    } else if (mode === 'inplace') {
      body.number = Number(number);
      body.inPlace = true;
    } else {
      body.inPlace = true;
      body.atTimeMillis = at ? new Date(at).getTime() : 0;
      delete body.noLog;
    }
    if (body.inPlace && !confirm('Restore in place? Every session is ended and the database replaced; the current files go to Replaced Files.')) return;
    result.className = 'muted';
    result.textContent = 'Restoring…';
    try {
      const r = await post('/api/restore', body);
      result.className = 'ok';
      result.textContent = 'Restored backup ' + r.number + (r.inPlace ? ' in place' : ' to ' + r.databaseDir)
        + (r.logIntegrated ? '; the log brought it to operation ' + r.lastOperation + ' (' + r.operationsIntegrated
          + ' operations)' : '; without the log') + (r.replacedFilesDir ? '; the previous files are in ' + r.replacedFilesDir : '') + '.';
    } catch (e) {
      result.className = 'error';
      result.textContent = e.code + ' ' + e.message;
    }
  }

  async verify(number, button) {
    button.disabled = true;
    const out = document.getElementById('verify-result');
    out.className = 'muted';
    out.textContent = 'Verifying backup ' + number + '…';
    try {
      const r = await post('/api/backup/verify', { number });
      out.className = 'ok';
      out.textContent = 'Backup ' + number + ' verified: ' + r.entries + ' entries, ' + r.tables + ' tables, ' + r.rows + ' rows'
        + (r.logChecked ? '; the log after it checked to operation ' + r.logLastOperation : '') + '.';
    } catch (e) {
      out.className = 'error';
      out.textContent = 'Backup ' + number + ': ' + e.code + ' ' + e.message;
    } finally {
      button.disabled = false;
    }
  }

  async loadSettings() {
    const box = document.getElementById('settings-box');
    let s;
    try {
      s = await get('/api/settings');
    } catch (e) {
      box.replaceChildren(el('h2', { text: 'Settings' }), el('p', { class: 'error', text: e.message }));
      return;
    }
    const effective = JSON.parse(s.effectiveJson);
    const inputs = {};
    const rows = [];
    let group = null;
    s.keys.forEach((key) => {
      const g = key.includes('.') ? key.slice(0, key.indexOf('.')) : 'general';
      if (g !== group) {
        group = g;
        rows.push(el('tr', { class: 'group' }, el('th', { colspan: '3', text: g })));
      }
      const value = lookup(effective, key);
      const text = value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
      const input = el('input', { name: key, value: text, dataset: { key, original: text } });
      inputs[key] = input;
      rows.push(el('tr', { dataset: { key } }, el('th', { text: key }), el('td', {}, input), el('td', { class: 'field-error' })));
    });
    const message = el('p', { id: 'settings-message', class: 'muted' });
    const form = el('form', { id: 'settings-form', onsubmit: (e) => { e.preventDefault(); this.saveSettings(inputs, message); } },
      el('table', { class: 'grid settings' }, el('tbody', {}, rows)),
      el('button', { id: 'settings-save', type: 'submit' }, 'Save changes'), message);
    box.replaceChildren(el('h2', { text: 'Settings' }),
      el('p', { class: 'muted', text: 'Settings/backup.yml. Changed fields are checked together, exactly as `tetra-admin backup settings set` checks them: on any error nothing is changed.' }),
      form);
  }

  async saveSettings(inputs, message) {
    const assignments = {};
    for (const [key, input] of Object.entries(inputs)) {
      input.closest('tr').querySelector('.field-error').textContent = '';
      if (input.value !== input.dataset.original) assignments[key] = input.value;
    }
    if (Object.keys(assignments).length === 0) {
      message.className = 'muted';
      message.textContent = 'Nothing changed.';
      return;
    }
    try {
      await post('/api/settings', { assignments });
      toast('Backup settings saved.');
      await this.loadSettings();
      const saved = document.getElementById('settings-message');
      saved.className = 'ok';
      saved.textContent = 'Saved: ' + Object.keys(assignments).join(', ') + '.';
    } catch (e) {
      message.className = 'error';
      message.textContent = e.code + ' ' + e.message + ' Nothing was changed.';
      const key = e.key && inputs[e.key] ? e.key : Object.keys(assignments).find((k) => e.message.includes(k));
      if (key) inputs[key].closest('tr').querySelector('.field-error').textContent = e.message;
    }
  }

  async loadJournal() {
    const box = document.getElementById('journal-box');
    let j;
    try {
      j = await get('/api/journal?tail=500');
    } catch (e) {
      box.replaceChildren(el('h2', { text: 'Journal' }), el('p', { class: 'error', text: e.message }));
      return;
    }
    const entries = (j.lines || []).map(parse).reverse();
    const kinds = [...new Set(entries.map((e) => e.event))].sort();
    const text = el('input', { id: 'journal-filter', placeholder: 'filter: text in the line' });
    const kind = el('select', { id: 'journal-kind' }, el('option', { value: '', text: 'every event' }), kinds.map((k) => el('option', { value: k, text: k })));
    const number = el('input', { id: 'journal-number', type: 'number', min: '0', placeholder: 'backup #' });
    const failures = el('input', { id: 'journal-failures', type: 'checkbox' });
    const tbody = el('tbody');
    const draw = () => {
      const t = text.value.toLowerCase();
      tbody.replaceChildren(...entries.filter((e) => (!kind.value || e.event === kind.value)
          && (!number.value || String(e.backup) === number.value)
          && (!failures.checked || e.ok === false)
          && (!t || e.line.toLowerCase().includes(t)))
        .slice(0, 300)
        .map((e) => el('tr', { class: e.ok === false ? 'failed' : '' },
          el('td', { text: e.time }), el('td', { text: e.backup || '' }), el('td', { text: e.event }),
          el('td', { class: 'line', text: e.rest }))));
    };
    for (const c of [text, kind, number, failures]) for (const ev of ['input', 'change']) c.addEventListener(ev, draw);
    box.replaceChildren(el('h2', { text: 'Journal' }),
      el('div', { class: 'filters' }, text, kind, number, el('label', { class: 'check' }, failures, ' failures only')),
      el('table', { id: 'journal-table', class: 'grid' },
        el('thead', {}, el('tr', {}, ['Time', 'Backup', 'Event', 'Details'].map((h) => el('th', { text: h })))), tbody));
    draw();
  }
}

function verification(v) {
  return { ARCHIVE_VERIFIED: 'verified', ARCHIVE_NOT_VERIFIED: 'not verified',
    ARCHIVE_VERIFICATION_INTERRUPTED: 'interrupted' }[v] || '—';
}

function lookup(obj, key) {
  let o = obj;
  for (const part of key.split('.')) {
    if (o === null || typeof o !== 'object') return undefined;
    o = o[part];
  }
  return o;
}

/** A journal line: timestamp, backup number, event and key=value details, tab-separated. */
function parse(line) {
  const [t, n, event, ...rest] = line.split('\t');
  const details = rest.join(' ');
  const failed = /fail|error|stopped|vetoed/i.test(event || '') || /\b(code|error)=/.test(details);
  return { line, time: t || '', backup: n && n !== '0' ? n : '', event: event || '', ok: failed ? false : undefined,
    rest: details };
}
