// The admin panel's entry: login, the pages, and the live-update stream.
import { get, post, setCsrf, whenLoggedOut } from './api.js';
import { OverviewPage } from './overview.js';
import { BackupsPage } from './backups.js';
import { LogPage, SessionsPage, UsersPage } from './others.js';

const $ = (id) => document.getElementById(id);
const state = { overview: null, serverSkew: 0, user: '' };
let pages = {};
let current = null;
let events = null;

export function toast(text, error = false) {
  const t = $('toast');
  t.textContent = text;
  t.className = error ? 'error' : '';
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, error ? 8000 : 4000);
}

/** The server's clock now, as far as the browser can tell (for waiting times). */
export function serverNow() {
  return Date.now() + state.serverSkew;
}

function showLogin(message) {
  if (events) { events.close(); events = null; }
  $('app-view').hidden = true;
  $('login-view').hidden = false;
  $('login-error').textContent = message || '';
  $('login-password').value = '';
  $('login-user').focus();
}

function showApp(session) {
  setCsrf(session.csrf);
  state.user = session.user;
  $('who').textContent = session.user;
  $('login-view').hidden = true;
  $('app-view').hidden = false;
  pages = {
    overview: new OverviewPage($('page-overview'), state),
    backups: new BackupsPage($('page-backups'), state),
    log: new LogPage($('page-log'), state),
    sessions: new SessionsPage($('page-sessions'), state),
    users: new UsersPage($('page-users'), state),
  };
  connectEvents();
  route();
}

function connectEvents() {
  if (events) events.close();
  events = new EventSource('/api/events');
  events.addEventListener('overview', (e) => {
    const d = JSON.parse(e.data);
    state.serverSkew = d.serverMillis - Date.now();
    state.overview = d.overview;
    $('live').classList.add('on');
    $('server-name').textContent = d.overview.status.databaseName + ' · ' + d.overview.status.serverVersion;
    for (const p of Object.values(pages)) if (p.overview) p.overview(d.overview);
  });
  events.addEventListener('ended', () => {
    events.close();
    events = null;
    showLogin('Your login ended. Log in again.');
  });
  events.onerror = () => {
    $('live').classList.remove('on');
    // EventSource reconnects by itself; a login that ended answers 401, seen by the next API call.
    get('/api/session').catch(() => {});
  };
}

function route() {
  const name = (location.hash || '#overview').slice(1);
  const page = pages[name] ? name : 'overview';
  for (const [n, p] of Object.entries(pages)) {
    const section = $('page-' + n);
    section.hidden = n !== page;
    document.querySelector('a[data-page="' + n + '"]').classList.toggle('active', n === page);
    if (n !== page && p.hide) p.hide();
  }
  current = pages[page];
  current.show();
}

async function start() {
  whenLoggedOut((message) => showLogin(message));
  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    $('login-submit').disabled = true;
    $('login-error').textContent = '';
    try {
      const s = await post('/api/login', { user: $('login-user').value, password: $('login-password').value });
      $('login-password').value = '';
      showApp(s);
    } catch (err) {
      $('login-error').textContent = err.message;
    } finally {
      $('login-submit').disabled = false;
    }
  });
  $('logout').addEventListener('click', async () => {
    try { await post('/api/logout', {}); } catch (e) { /* ended anyway */ }
    showLogin('You are logged out.');
  });
  window.addEventListener('hashchange', () => { if (current) route(); });
  try {
    showApp(await get('/api/session'));
  } catch (e) {
    showLogin('');
  }
}

start();
