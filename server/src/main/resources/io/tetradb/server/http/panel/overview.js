// Overview: the server, its files, the last and next backup, Start and Stop, the live progress
// and the writes queued behind the gate, each with Cancel (its client gets -9976).
import { el, bytes, duration, time, dl, statusBadge, table } from './format.js';
import { post } from './api.js';
import { toast, serverNow } from './panel.js';

export class OverviewPage {
  constructor(root, state) {
    this.root = root;
    this.state = state;
    this.last = null;
    this.timer = null;
  }

  show() {
    this.root.replaceChildren();
    this.render();
    this.timer = setInterval(() => this.ages(), 1000);
  }

  hide() {
    clearInterval(this.timer);
  }

  overview(o) {
    this.last = o;
    if (!this.root.hidden) this.render();
  }

  /**
   * Builds the page once, then changes only the parts whose data changed: a card is rebuilt
   * when its facts change, the progress bar is updated in place, so buttons are never replaced
   * under the pointer while a backup reports ten times a second.
   */
  render() {
    const o = this.last || this.state.overview;
    if (!o) {
      this.root.replaceChildren(el('p', { class: 'muted', text: 'Waiting for the server…' }));
      this.keys = {};
      return;
    }
    if (!this.root.querySelector('#ov-cards')) {
      this.keys = {};
      this.root.replaceChildren(el('h1', { text: 'Overview' }),
        el('div', { id: 'ov-cards', class: 'cards' }, el('div', { id: 'ov-server-card', class: 'card' }),
          el('div', { id: 'ov-backup-card', class: 'card' })),
        el('div', { id: 'ov-queue-card', class: 'card wide' }));
    }
    const st = o.status;
    const b = st.backup || {};
    const running = b.state === 'RUNNING';
    this.part('server', { ...st, uptimeMillis: 0, backup: null, log: o.log, archives: o.archives }, () => this.serverCard(o));
    this.part('backup', { state: b.state, last: b.last, copies: b.lastCopies, next: b.nextScheduledMillis, paused: b.automaticPaused }, () => this.backupCard(b));
    if (running) this.updateProgress(b.progress || {});
    this.part('queue', { q: o.queue, running }, () => this.queueCard(o.queue, running));
  }

  part(name, data, build) {
    const key = JSON.stringify(data);
    if (this.keys[name] !== key) {
      this.keys[name] = key;
      build();
    }
  }

  serverCard(o) {
    const st = o.status;
    const server = dl([
      ['Database', st.databaseName, 'database'],
      ['Server', 'Tetra ' + st.serverVersion + ' (H2 ' + st.h2Version + ')', 'version'],
      ['Listening on', st.host + ':' + st.port + (st.tls ? ' (TLS)' : ''), 'address'],
      ['State', st.state, 'state'],
      ['Up for', el('span', { id: 'ov-uptime', dataset: { since: st.startedAtMillis } }), 'uptime'],
      ['Sessions', String(st.sessionCount), 'sessions'],
      ['Data file', bytes(st.dataFileSize), 'data-file'],
      ['Log', o.log.missing ? 'none' : bytes(o.log.folderBytes) + ' (segment ' + o.log.segment + ', operation '
        + o.log.lastOperation + ')', 'log'],
      ['Archives go to', o.archives.destination || '', 'destination'],
      [o.archives.remote ? 'Free space for staging' : 'Free space there', o.archives.usableBytes !== undefined
        ? bytes(o.archives.usableBytes) + ' of ' + bytes(o.archives.totalBytes) : (o.archives.problem || ''), 'free'],
    ], 'ov-server');
    if (st.catalogProblem) server.append(el('dt', { text: 'Problem' }), el('dd', { class: 'error', text: st.catalogProblem }));
    document.getElementById('ov-server-card').replaceChildren(el('h2', { text: 'Server' }), server);
    this.ages();
  }

  backupCard(b) {
    const last = b.last || {};
    const running = b.state === 'RUNNING';
    const lastBackup = last.number ? dl([
      ['Number', String(last.number), 'number'],
      ['Status', statusBadge(last.status), 'status'],
      ['Ended', time(last.endMillis), 'ended'],
      ['Took', duration(last.durationMillis), 'duration'],
      ['Size', bytes(last.archiveSize), 'size'],
      // An encrypted archive: the key it needs (docs/backup-encryption.md).
      ...(last.keyFingerprint ? [['Encrypted', ['with the key of fingerprint ',
        el('span', { class: 'fingerprint', text: last.keyFingerprint })], 'key']] : []),
      ['Writes queued / cancelled', last.writesQueued + ' / ' + last.writesCancelled, 'writes'],
      ['Error', last.errorCode ? last.errorCode + ' ' + last.errorMessage : '', 'error'],
      // Several destinations: which of them hold the last archive.
      ...((b.lastCopies || []).length ? [['Destinations', (b.lastCopies || []).map((c) => el('div', {
        class: c.holds ? 'copy holds' : 'copy missing',
        text: (c.holds ? '✓ ' : '✗ ') + c.destination + (c.holds ? '' : ' (missing' + (c.error ? ': ' + c.error : '') + ')'),
      })), 'copies']] : []),
    ], 'ov-last-backup') : el('p', { id: 'ov-last-backup', class: 'muted', text: 'No backup yet.' });
    const next = b.nextScheduledMillis ? time(b.nextScheduledMillis) : 'none scheduled';
    const buttons = el('div', { class: 'buttons' },
      el('button', { id: 'backup-start', disabled: running, onclick: () => this.start() }, 'Start backup'),
      el('button', { id: 'backup-stop', class: 'danger', disabled: !running, onclick: () => this.stop() }, 'Stop backup'));
    document.getElementById('ov-backup-card').replaceChildren(el('h2', { text: 'Backup' }),
      el('p', {}, 'State: ', el('strong', { id: 'backup-state', text: b.state || '' }),
        ' · next: ', el('span', { id: 'ov-next-backup', text: next }),
        b.automaticPaused ? el('span', { class: 'error', text: ' · automatic backups paused (1401)' }) : null),
      buttons, running ? this.progress(b.progress || {}) : el('span', { hidden: true }),
      el('h3', { text: 'Last backup' }), lastBackup);
  }

  updateProgress(p) {
    const pct = Math.max(0, Math.min(100, p.percent || 0));
    const set = (id, text) => { const e = document.getElementById(id); if (e) e.textContent = text; };
    const fill = document.getElementById('backup-bar');
    if (fill) fill.style.width = pct.toFixed(1) + '%';
    set('backup-phase', p.phase || '');
    set('backup-percent', pct.toFixed(1) + ' %');
    set('backup-rate', bytes(p.bytesPerSecond) + '/s');
    set('backup-eta', p.etaMillis > 0 ? duration(p.etaMillis) : '—');
    set('backup-file', p.currentFile || '');
  }

  progress(p) {
    const pct = Math.max(0, Math.min(100, p.percent || 0));
    const fill = el('div', { id: 'backup-bar', class: 'fill' });
    fill.style.width = pct.toFixed(1) + '%';   // through the CSSOM: the page allows no inline style
    return el('div', { id: 'backup-progress', class: 'progress-box' },
      el('div', { class: 'bar' }, fill),
      el('p', {},
        el('span', { id: 'backup-phase', text: p.phase || '' }), ' · ',
        el('span', { id: 'backup-percent', text: pct.toFixed(1) + ' %' }), ' · ',
        el('span', { id: 'backup-rate', text: bytes(p.bytesPerSecond) + '/s' }), ' · ETA ',
        el('span', { id: 'backup-eta', text: p.etaMillis > 0 ? duration(p.etaMillis) : '—' }),
        ' · ', el('span', { id: 'backup-file', class: 'muted', text: p.currentFile || '' })));
  }

  queueCard(rows, running) {
    const box = document.getElementById('ov-queue-card');
    box.replaceChildren(el('h2', { text: 'Writes waiting for the backup' }));
    if (!rows || rows.length === 0) {
      box.append(el('p', { id: 'queue-empty', class: 'muted', text: running ? 'No write is waiting.' : 'No backup holds writes.' }));
      return;
    }
    const now = serverNow();
    box.append(table('queue-table', ['Session', 'User', 'From', 'Kind', 'Waiting', ''], rows.map((q) =>
      el('tr', { dataset: { session: q.sessionId, request: q.requestId } },
        el('td', { text: q.sessionId + ' (request ' + q.requestId + ')' }),
        el('td', { text: q.user }),
        el('td', { text: q.address + (q.client ? ' · ' + q.client : '') }),
        el('td', { text: q.kind + (q.inTransaction ? ' (in a transaction)' : '') }),
        el('td', { class: 'age', dataset: { since: q.queuedAtMillis }, text: duration(now - q.queuedAtMillis) }),
        el('td', {}, el('button', { class: 'cancel danger', onclick: (e) => this.cancel(q, e.target) }, 'Cancel'))))));
  }

  ages() {
    const now = serverNow();
    for (const td of this.root.querySelectorAll('td.age')) td.textContent = duration(now - Number(td.dataset.since));
    const up = document.getElementById('ov-uptime');
    if (up) up.textContent = duration(now - Number(up.dataset.since));
  }

  async start() {
    try {
      const r = await post('/api/backup/start', {});
      toast('Backup ' + r.backupNumber + ' started.');
    } catch (e) {
      toast(e.code + ' ' + e.message, true);
    }
  }

  async stop() {
    if (!confirm('Stop the running backup? Its partial archive is removed (1406).')) return;
    try {
      await post('/api/backup/stop', {});
      toast('Stop requested.');
    } catch (e) {
      toast(e.code + ' ' + e.message, true);
    }
  }

  async cancel(q, button) {
    button.disabled = true;
    try {
      await post('/api/queue/cancel', { sessionId: q.sessionId, requestId: q.requestId });
      toast('Cancelled: the client of session ' + q.sessionId + ' got -9976.');
      const row = button.closest('tr');
      if (row) row.remove();
    } catch (e) {
      button.disabled = false;
      toast(e.message, true);
    }
  }
}
