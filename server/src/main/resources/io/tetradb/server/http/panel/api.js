// The panel's calls to /api/: JSON in and out; every change carries the login's CSRF token.

let csrf = '';

export class ApiError extends Error {
  constructor(status, error) {
    super(error && error.message ? error.message : 'HTTP ' + status);
    this.status = status;
    this.code = error ? error.code : 0;
    this.key = error ? error.key : undefined;
  }
}

export function setCsrf(token) {
  csrf = token || '';
}

let onLoggedOut = () => {};
export function whenLoggedOut(f) {
  onLoggedOut = f;
}

async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (method === 'POST') {
    headers['Content-Type'] = 'application/json';
    headers['X-CSRF-Token'] = csrf;
    init.body = JSON.stringify(body || {});
  }
  const r = await fetch(path, init);
  let json = null;
  try {
    json = await r.json();
  } catch (e) {
    json = null;
  }
  if (!r.ok) {
    const err = new ApiError(r.status, json && json.error);
    if (r.status === 401 && path !== '/api/login') onLoggedOut(err.message);
    throw err;
  }
  return json;
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body);
