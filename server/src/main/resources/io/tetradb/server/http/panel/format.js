// Formatting and DOM helpers. Every value from the server goes through textContent: never as HTML.

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

export function bytes(n) {
  if (n === undefined || n === null) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = Number(n);
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? v.toFixed(0) : v.toFixed(1)) + ' ' + units[i];
}

export function duration(ms) {
  if (ms === undefined || ms === null || ms < 0) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return (ms < 10000 ? (ms / 1000).toFixed(1) : s) + ' s';
  const m = Math.floor(s / 60);
  if (m < 60) return m + ' min ' + (s % 60) + ' s';
  const h = Math.floor(m / 60);
  if (h < 48) return h + ' h ' + (m % 60) + ' min';
  return Math.floor(h / 24) + ' d ' + (h % 24) + ' h';
}

export function time(ms) {
  if (!ms) return '';
  const d = new Date(Number(ms));
  const p = (x) => String(x).padStart(2, '0');
  return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + ' ' + p(d.getHours()) + ':'
    + p(d.getMinutes()) + ':' + p(d.getSeconds());
}

export function table(id, headers, rows) {
  return el('table', { id, class: 'grid' },
    el('thead', {}, el('tr', {}, headers.map((h) => el('th', { text: h })))),
    el('tbody', {}, rows));
}

export function dl(pairs, id) {
  const d = el('dl', { id, class: 'facts' });
  for (const [k, v, key] of pairs) {
    d.append(el('dt', { text: k }), el('dd', { dataset: key ? { key } : undefined }, v));
  }
  return d;
}

export function statusBadge(status) {
  const s = (status || '').toLowerCase();
  return el('span', { class: 'badge ' + s, text: status || '—' });
}
