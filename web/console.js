// cloudward web console: plain JavaScript, no build step, no external assets. Talks to the
// daemon's REST API (/api/v1, docs/openapi.yaml) with the API token kept in sessionStorage.
// Views (hash routes): #/ incident queue, #/incidents/<id> incident page (with the playbooks that
// fit it and their dry-run plans), #/playbooks playbook browser, #/playbooks/<id> playbook page,
// #/rules rule browser.
'use strict';

const TOKEN_KEY = 'cloudward.token';
const main = document.getElementById('main');
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'informational'];
const STATUSES = ['open', 'triaged', 'contained', 'eradicated', 'recovered', 'closed'];

// h('td', {class: 'x', onclick: f}, 'text', child...) -> element; strings become text nodes.
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function token() { return sessionStorage.getItem(TOKEN_KEY) || ''; }

function toast(message, bad) {
  const t = document.getElementById('toast');
  t.textContent = message;
  t.className = 'toast' + (bad ? ' bad' : '');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.add('hidden'), 4000);
}

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || ('HTTP ' + status));
    this.status = status;
    this.body = body;
  }
}

// A 401 signs out and shows the sign-in form, except for the sign-in probe itself (`probe`).
async function api(method, path, body, probe) {
  const init = {method, headers: {Authorization: 'Bearer ' + token()}};
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  const type = r.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await r.json().catch(() => null) : await r.text();
  if (r.status === 401 && !probe) {
    sessionStorage.removeItem(TOKEN_KEY);
    route();
    throw new ApiError(401, data);
  }
  if (!r.ok) throw new ApiError(r.status, data);
  return data;
}

function sev(level) { return h('span', {class: 'sev sev-' + level}, level); }
function statusBadge(s) { return h('span', {class: 'status status-' + s, 'data-status': s}, s.replace('_', ' ')); }

function age(iso) {
  if (!iso) return '-';
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 90) return Math.round(s) + ' s';
  if (s < 5400) return Math.round(s / 60) + ' min';
  if (s < 129600) return Math.round(s / 3600) + ' h';
  return Math.round(s / 86400) + ' d';
}

function when(iso) { return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-'; }

function setNav(active) {
  for (const id of ['nav-incidents', 'nav-playbooks', 'nav-rules']) {
    document.getElementById(id).classList.toggle('active', id === active);
  }
}

// ---- Sign in.
function viewLogin(message) {
  setNav('');
  document.getElementById('who').textContent = '';
  document.getElementById('sign-out').classList.add('hidden');
  const input = h('input', {type: 'password', id: 'token', autocomplete: 'off', placeholder: 'API token'});
  const error = h('p', {class: 'error', id: 'login-error'}, message || '');
  const form = h('form', {onsubmit: async (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, input.value.trim());
    try {
      await api('GET', '/api/v1/incidents?limit=1', undefined, true);
      route();
    } catch (err) {
      sessionStorage.removeItem(TOKEN_KEY);
      error.textContent = err.status === 401 ? 'That token is not known to this daemon.' : err.message;
    }
  }}, h('label', {}, 'API token (kept in this tab only)', input), h('button', {type: 'submit', id: 'sign-in'}, 'Sign in'), error);
  main.replaceChildren(h('div', {class: 'panel login'}, h('h1', {}, 'Sign in'),
    h('p', {class: 'muted'}, 'Enter an API token from the serve.tokens section of cloudward.yaml.'), form));
  input.focus();
}

// ---- Incident queue.
async function viewQueue(params) {
  setNav('nav-incidents');
  const status = params.get('status') || 'active';
  const severity = params.get('severity') || '';
  const statusSelect = h('select', {id: 'filter-status'},
    ['active', ...STATUSES, 'all'].map((s) => h('option', {value: s, selected: s === status}, s)));
  // The default leaves out informational incidents: routine activity kept as context.
  const sevSelect = h('select', {id: 'filter-severity'},
    h('option', {value: ''}, 'low and above'), h('option', {value: 'any', selected: severity === 'any'}, 'any'),
    SEVERITIES.map((s) => h('option', {value: s, selected: s === severity}, s)));
  const apply = () => {
    const q = new URLSearchParams();
    if (statusSelect.value !== 'active') q.set('status', statusSelect.value);
    if (sevSelect.value) q.set('severity', sevSelect.value);
    location.hash = '#/' + (q.toString() ? '?' + q : '');
  };
  statusSelect.addEventListener('change', apply);
  sevSelect.addEventListener('change', apply);
  const body = h('tbody');
  main.replaceChildren(h('div', {class: 'panel'},
    h('div', {class: 'head'}, h('h1', {}, 'Incident queue'), h('button', {class: 'secondary', onclick: () => route()}, 'Refresh')),
    h('div', {class: 'filters'}, h('label', {}, 'Status', statusSelect), h('label', {}, 'Severity', sevSelect)),
    h('table', {id: 'incidents'}, h('thead', {}, h('tr', {},
      ['Severity', 'Incident', 'Title', 'Status', 'Findings', 'Age', 'Last seen', 'Assignee'].map((t) => h('th', {}, t)))), body)));
  const q = new URLSearchParams();
  if (status !== 'all') q.set('status', status);
  if (!severity) q.set('min_severity', 'low');
  else if (severity !== 'any') q.set('severity', severity);
  const incidents = await api('GET', '/api/v1/incidents?' + q);
  if (!incidents.length) body.append(h('tr', {}, h('td', {colspan: 8, class: 'empty'}, 'No incidents match.')));
  for (const inc of incidents) {
    body.append(h('tr', {class: 'row', 'data-id': inc.id, onclick: () => { location.hash = '#/incidents/' + inc.id; }},
      h('td', {}, sev(inc.severity)), h('td', {class: 'mono'}, h('a', {href: '#/incidents/' + inc.id}, inc.id)),
      h('td', {}, inc.title), h('td', {}, statusBadge(inc.status)), h('td', {}, inc.finding_count),
      h('td', {title: inc.created}, age(inc.created)), h('td', {}, when(inc.last_seen)), h('td', {}, inc.assignee || '-')));
  }
}

// ---- Incident page.
async function download(id, format) {
  try {
    const r = await fetch(`/api/v1/incidents/${encodeURIComponent(id)}/report?format=${format}`,
      {headers: {Authorization: 'Bearer ' + token()}});
    if (!r.ok) throw new Error('HTTP ' + r.status);
    const blob = await r.blob();
    const a = h('a', {href: URL.createObjectURL(blob), download: `${id}.${format === 'md' ? 'md' : format === 'html' ? 'html' : format + '.json'}`});
    document.body.append(a);
    a.click();
    a.remove();
  } catch (err) {
    toast('Report download failed: ' + err.message, true);
  }
}

async function act(path, label) {
  try {
    const result = await api('POST', path);
    toast(label + ': ' + ((result.action && result.action.status) || result.status || 'done'));
  } catch (err) {
    toast(label + ' failed: ' + err.message, true);
  }
  route();
}

function actionRow(a) {
  const base = '/api/v1/actions/' + encodeURIComponent(a.id);
  const buttons = [];
  if (a.status === 'planned') {
    buttons.push(h('button', {class: 'secondary', 'data-action': 'approve', onclick: () => act(base + '/approve', 'Approve ' + a.id)}, 'Approve'));
  }
  if (a.status === 'planned' || a.status === 'approved') {
    const blocked = a.status === 'planned' && a.needs_approval;
    buttons.push(h('button', {'data-action': 'apply', disabled: blocked, title: blocked ? 'needs approval first' : null,
      onclick: () => act(base + '/apply', 'Apply ' + a.id)}, 'Apply'));
  }
  if (a.status === 'applied' || a.status === 'failed') {
    buttons.push(h('button', {class: 'danger', 'data-action': 'rollback', onclick: () => {
      if (confirm(`Roll back ${a.kind} on ${a.target}?`)) act(base + '/rollback', 'Roll back ' + a.id);
    }}, 'Roll back'));
  }
  const calls = (a.plan && a.plan.calls) || [];
  return h('tr', {'data-action-id': a.id},
    h('td', {class: 'mono'}, a.id), h('td', {}, a.kind), h('td', {class: 'mono'}, a.target),
    h('td', {}, statusBadge(a.status), a.needs_approval && a.status === 'planned' ? h('div', {class: 'muted'}, 'needs approval') : null),
    h('td', {}, calls.length ? calls.map((c) => h('div', {class: 'mono'}, c.operation, ' ', h('span', {class: 'muted'}, c.change))) : h('span', {class: 'muted'}, (a.plan && a.plan.summary) || 'no AWS call')),
    h('td', {}, when(a.applied)), h('td', {}, h('div', {class: 'actions-cell'}, buttons)));
}

async function viewIncident(id) {
  setNav('nav-incidents');
  const [inc, findings, journal, actions, kinds, playbooks] = await Promise.all([
    api('GET', '/api/v1/incidents/' + encodeURIComponent(id)),
    api('GET', `/api/v1/incidents/${encodeURIComponent(id)}/findings`),
    api('GET', `/api/v1/incidents/${encodeURIComponent(id)}/timeline`),
    api('GET', `/api/v1/incidents/${encodeURIComponent(id)}/actions`),
    api('GET', '/api/v1/action-kinds'),
    api('GET', `/api/v1/incidents/${encodeURIComponent(id)}/playbooks?all=true`)]);

  const statusSelect = h('select', {id: 'new-status'}, STATUSES.map((s) => h('option', {value: s, selected: s === inc.status}, s)));
  const assignee = h('input', {id: 'assignee', value: inc.assignee || '', placeholder: 'unassigned'});
  const note = h('input', {id: 'note', placeholder: 'note for the journal'});
  const update = h('form', {class: 'row-form', onsubmit: async (e) => {
    e.preventDefault();
    const change = {version: inc.version};
    if (statusSelect.value !== inc.status) change.status = statusSelect.value;
    if (assignee.value !== (inc.assignee || '')) change.assignee = assignee.value;
    if (note.value) change.note = note.value;
    try {
      await api('PATCH', '/api/v1/incidents/' + encodeURIComponent(id), change);
      toast('Incident updated');
    } catch (err) {
      toast('Update failed: ' + err.message, true);
    }
    route();
  }}, h('label', {}, 'Status', statusSelect), h('label', {}, 'Assignee', assignee), h('label', {}, 'Note', note),
  h('button', {type: 'submit'}, 'Save'));

  const kindSelect = h('select', {id: 'plan-kind'}, kinds.map((k) => h('option', {value: k.kind, 'data-target': k.target}, k.kind)));
  const suggestions = [...(inc.access_keys || []), ...(inc.resources || [])];
  const target = h('input', {id: 'plan-target', list: 'targets', placeholder: 'access key id, instance id or bucket',
    value: (inc.access_keys || [])[0] || ''});
  const plan = h('form', {class: 'row-form', onsubmit: async (e) => {
    e.preventDefault();
    try {
      const a = await api('POST', `/api/v1/incidents/${encodeURIComponent(id)}/actions`, {kind: kindSelect.value, target: target.value.trim()});
      toast(`Planned ${a.kind} (${a.id})`);
    } catch (err) {
      toast('Plan failed: ' + err.message, true);
    }
    route();
  }}, h('label', {}, 'Action', kindSelect), h('label', {}, 'Target', target),
  h('datalist', {id: 'targets'}, suggestions.map((s) => h('option', {value: s}))), h('button', {type: 'submit', id: 'plan-submit'}, 'Plan'));

  const facts = [['Severity', sev(inc.severity)], ['Status', statusBadge(inc.status)], ['Assignee', inc.assignee || '-'],
    ['First seen', when(inc.first_seen)], ['Last seen', when(inc.last_seen)], ['Findings', inc.finding_count],
    ['Actors', (inc.actors || []).join(', ') || '-'], ['Access keys', (inc.access_keys || []).join(', ') || '-'],
    ['Source IPs', (inc.source_ips || []).join(', ') || '-'], ['Resources', (inc.resources || []).join(', ') || '-'],
    ['Accounts', (inc.accounts || []).join(', ') || '-'], ['Tactics', (inc.tactics || []).join(' → ') || '-'],
    ['Techniques', (inc.techniques || []).join(', ') || '-']];

  main.replaceChildren(
    h('div', {class: 'panel'},
      h('div', {class: 'head'},
        h('div', {}, h('div', {class: 'muted mono'}, h('a', {href: '#/'}, '← queue'), ' · ', inc.id), h('h1', {id: 'incident-title'}, inc.title)),
        h('div', {class: 'downloads'}, ['html', 'md', 'ocsf', 'asff'].map((f) =>
          h('button', {class: 'secondary', 'data-report': f, onclick: () => download(id, f)}, f.toUpperCase())))),
      h('div', {class: 'grid'}, h('dl', {class: 'facts', id: 'facts'}, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
        h('div', {}, h('h2', {}, 'Triage'), update))),
    h('div', {class: 'panel'}, h('h2', {}, 'Containment actions'),
      h('table', {id: 'actions'}, h('thead', {}, h('tr', {}, ['Action', 'Kind', 'Target', 'Status', 'Plan', 'Applied', ''].map((t) => h('th', {}, t)))),
        h('tbody', {}, actions.length ? actions.map(actionRow) : h('tr', {}, h('td', {colspan: 7, class: 'empty'}, 'No actions yet.')))),
      h('h2', {class: 'spaced'}, 'Plan a containment action'), plan),
    playbookPanel(inc, playbooks),
    h('div', {class: 'grid'},
      h('div', {class: 'panel'}, h('h2', {}, `Findings (${findings.length})`),
        h('table', {id: 'findings'}, h('thead', {}, h('tr', {}, ['Time', 'Level', 'Rule', 'Event', 'Who'].map((t) => h('th', {}, t)))),
          h('tbody', {}, findings.map((f) => h('tr', {},
            h('td', {class: 'mono'}, when(f.time)), h('td', {}, sev(f.rule.level)), h('td', {}, f.rule.title),
            h('td', {class: 'mono'}, f.event_name || f.log_type), h('td', {class: 'mono'}, (f.actor && (f.actor.arn || f.actor.access_key_id)) || f.source_ip || '-')))))),
      h('div', {class: 'panel'}, h('h2', {}, 'Timeline'),
        h('ul', {class: 'journal', id: 'journal'}, journal.slice().reverse().map((e) => h('li', {},
          h('div', {class: 'meta'}, when(e.time), ' · ', e.author, ' · ', e.kind), h('div', {}, e.text)))))));
}

// ---- Rules.
async function viewRules() {
  setNav('nav-rules');
  const rules = await api('GET', '/api/v1/rules');
  const filter = h('input', {placeholder: 'filter by title, id or tag', id: 'rule-filter'});
  const body = h('tbody');
  const render = () => {
    const q = filter.value.toLowerCase();
    body.replaceChildren(...rules.filter((r) => !q || (r.title + ' ' + r.id + ' ' + r.tags.join(' ')).toLowerCase().includes(q))
      .map((r) => h('tr', {}, h('td', {}, sev(r.level)), h('td', {}, r.title, h('div', {class: 'muted mono'}, r.id)),
        h('td', {}, r.log_type || r.logsource.service || '-'), h('td', {class: 'mono'}, r.tags.join(' ')),
        h('td', {}, r.correlation || (r.standalone ? 'rule' : 'building block')))));
  };
  filter.addEventListener('input', render);
  main.replaceChildren(h('div', {class: 'panel'}, h('h1', {}, `Rules (${rules.length})`), h('div', {class: 'filters'}, filter),
    h('table', {}, h('thead', {}, h('tr', {}, ['Level', 'Rule', 'Logs', 'Tags', 'Kind'].map((t) => h('th', {}, t)))), body)));
  render();
}

// ---- Playbooks.
function phaseBadge(phase) { return h('span', {class: 'phase phase-' + phase, 'data-phase': phase}, phase); }

function gateBadge(by) { return h('span', {class: 'gate', 'data-gate': by || 'approval'}, by ? 'approval (' + by + ')' : 'approval'); }

// The trigger's conditions as short lines: every one must hold; a list needs any of its items.
function triggerLines(t) {
  const lines = ['severity ≥ ' + t.min_severity];
  if (t.involves.length) lines.push('involves ' + t.involves.map((s) => s.replace(/^incident\./, '')).join(', '));
  if (t.rules.length) lines.push('rules ' + t.rules.join(', '));
  if (t.techniques.length) lines.push('techniques ' + t.techniques.join(', '));
  if (t.tactics.length) lines.push('tactics ' + t.tactics.join(', '));
  return lines;
}

function playbookLink(p) { return h('a', {href: '#/playbooks/' + encodeURIComponent(p.id)}, p.title); }

async function viewPlaybooks() {
  setNav('nav-playbooks');
  const playbooks = await api('GET', '/api/v1/playbooks');
  const filter = h('input', {placeholder: 'filter by title, id, action or trigger', id: 'playbook-filter'});
  const body = h('tbody');
  const render = () => {
    const q = filter.value.toLowerCase();
    const text = (p) => [p.id, p.title, ...triggerLines(p.trigger), ...p.steps.map((s) => s.action || '')].join(' ').toLowerCase();
    body.replaceChildren(...playbooks.filter((p) => !q || text(p).includes(q)).map((p) =>
      h('tr', {class: 'row', 'data-playbook': p.id, onclick: () => { location.hash = '#/playbooks/' + encodeURIComponent(p.id); }},
        h('td', {}, playbookLink(p), h('div', {class: 'muted mono'}, p.id)),
        h('td', {class: 'trigger'}, triggerLines(p.trigger).map((l) => h('div', {}, l))),
        h('td', {class: 'step-count'}, p.step_count),
        h('td', {class: 'phases'}, p.phases.map(phaseBadge)))));
  };
  filter.addEventListener('input', render);
  main.replaceChildren(h('div', {class: 'panel'}, h('h1', {}, `Playbooks (${playbooks.length})`),
    h('p', {class: 'muted'}, 'Ordered response steps for one kind of incident. An incident page lists the playbooks whose trigger fits it and plans them.'),
    h('div', {class: 'filters'}, filter),
    h('table', {id: 'playbooks'}, h('thead', {}, h('tr', {}, ['Playbook', 'Trigger', 'Steps', 'Phases'].map((t) => h('th', {}, t)))), body)));
  render();
}

// One row per step, in order: phase, action (or the to-do text), target selector, approval gate
// and the steps it requires. `picks` (incident pages) adds the targets the selector picks.
function stepsTable(steps, id) {
  return h('table', {id}, h('thead', {}, h('tr', {}, ['#', 'Step', 'Phase', 'Action', 'Targets', 'Approval', 'Requires'].map((t) => h('th', {}, t)))),
    h('tbody', {}, steps.map((s, i) => h('tr', {'data-step': s.id},
      h('td', {class: 'muted'}, i + 1), h('td', {class: 'mono nowrap'}, s.id), h('td', {}, phaseBadge(s.phase)),
      h('td', {}, s.action ? [h('span', {class: 'mono step-action'}, s.action), h('div', {class: 'muted'}, s.action_description || '')]
        : h('div', {class: 'todo'}, h('span', {class: 'muted'}, 'to do: '), s.text)),
      h('td', {class: 'mono'}, s.targets || '-', Object.entries(s.options || {}).map(([k, v]) => h('div', {class: 'muted'}, k + '=' + v))),
      h('td', {}, s.approval ? gateBadge() : h('span', {class: 'muted'}, '-')),
      h('td', {class: 'mono requires'}, s.requires.length ? s.requires.join(', ') : '-')))));
}

async function viewPlaybook(id) {
  setNav('nav-playbooks');
  const p = await api('GET', '/api/v1/playbooks/' + encodeURIComponent(id));
  const t = p.trigger;
  const list = (v) => (v.length ? v.join(', ') : '-');
  const facts = [['Min severity', sev(t.min_severity)], ['Involves', list(t.involves)], ['Rules', list(t.rules)],
    ['Techniques', list(t.techniques)], ['Tactics', list(t.tactics)], ['Phases', p.phases.map(phaseBadge)], ['Source', p.file]];
  main.replaceChildren(
    h('div', {class: 'panel'},
      h('div', {class: 'muted mono'}, h('a', {href: '#/playbooks'}, '← playbooks'), ' · ', p.id),
      h('h1', {id: 'playbook-title'}, p.title),
      p.description ? h('p', {class: 'description'}, p.description) : null,
      h('h2', {class: 'spaced'}, 'Trigger'),
      h('p', {class: 'muted'}, 'Fits an incident when every condition given holds; a list needs any one of its items.'),
      h('dl', {class: 'facts', id: 'playbook-trigger'}, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))),
    h('div', {class: 'panel'}, h('h2', {}, `Steps (${p.step_count})`),
      h('p', {class: 'muted'}, 'Run in order. A step marked approval waits for a person; a step is skipped when a step it requires did not complete.'),
      stepsTable(p.steps, 'playbook-steps')));
}

// What one planned step would do: its AWS calls, "nothing to do", why it cannot be planned, or
// the to-do text.
function plannedStep(s) {
  if (s.error) return h('div', {class: 'error'}, 'cannot plan: ', s.error);
  if (!s.action) return h('div', {class: 'todo'}, s.text);
  const plan = s.plan || {calls: [], notes: []};
  return [plan.calls.length ? plan.calls.map((c) => h('div', {class: 'mono call'}, c.operation, ' ', h('span', {class: 'muted'}, c.change)))
    : h('div', {class: 'muted'}, plan.summary || 'nothing to do'),
  plan.notes.map((n) => h('div', {class: 'muted note'}, n))];
}

function planView(plan) {
  const steps = h('tbody', {}, plan.steps.map((s) => h('tr', {'data-step': s.step, 'data-target': s.target || ''},
    h('td', {}, phaseBadge(s.phase)), h('td', {class: 'mono nowrap'}, s.step), h('td', {class: 'mono nowrap'}, s.action || 'to do'),
    h('td', {class: 'mono'}, s.target || '-'), h('td', {}, s.needs_approval ? gateBadge(s.approval_by) : h('span', {class: 'muted'}, '-')),
    h('td', {}, plannedStep(s)))));
  return h('div', {class: 'plan', 'data-plan': plan.playbook},
    h('div', {class: 'head'}, h('h2', {}, 'Plan: ' + plan.title), h('span', {class: 'dry-run', id: 'dry-run'}, 'dry run · nothing changed')),
    h('p', {class: 'muted'}, `${plan.calls} AWS call${plan.calls === 1 ? '' : 's'} would be made`,
      plan.errors ? `; ${plan.errors} step${plan.errors === 1 ? '' : 's'} cannot be planned` : '', '.'),
    h('table', {id: 'playbook-plan-steps'}, h('thead', {}, h('tr', {}, ['Phase', 'Step', 'Action', 'Target', 'Approval', 'Would do'].map((t) => h('th', {}, t)))), steps),
    plan.notes.length ? h('ul', {class: 'notes'}, plan.notes.map((n) => h('li', {class: 'muted'}, n))) : null,
    h('p', {class: 'muted'}, 'To act on it, plan its steps as containment actions above and approve and apply them, or run ',
      h('code', {}, `cloudward playbook run ${plan.playbook} --incident ${plan.incident_id} --apply`), '.'));
}

// The incident page's playbooks: those whose trigger fits, each with the targets its steps pick
// here and a Plan button (a dry run: reads AWS, changes nothing); the others can be planned too.
function playbookPanel(inc, playbooks) {
  const out = h('div', {id: 'playbook-plan'});
  const plan = async (p, button) => {
    button.disabled = true;
    out.replaceChildren(h('p', {class: 'muted'}, `Planning ${p.title} (reading AWS)…`));
    try {
      out.replaceChildren(planView(await api('GET',
        `/api/v1/incidents/${encodeURIComponent(inc.id)}/playbooks/${encodeURIComponent(p.id)}/plan`)));
    } catch (err) {
      out.replaceChildren(h('p', {class: 'error'}, 'Plan failed: ' + err.message));
    }
    button.disabled = false;
  };
  const fitting = playbooks.filter((p) => p.matches);
  const others = playbooks.filter((p) => !p.matches);
  const picks = (p) => [...new Set(p.steps.flatMap((s) => s.picks || []))];
  const rows = fitting.map((p) => {
    const button = h('button', {class: 'secondary', 'data-plan-playbook': p.id}, 'Plan');
    button.addEventListener('click', () => plan(p, button));
    return h('tr', {'data-playbook': p.id},
      h('td', {}, playbookLink(p), h('div', {class: 'muted mono'}, p.id)),
      h('td', {class: 'trigger'}, triggerLines(p.trigger).map((l) => h('div', {}, l))),
      h('td', {}, p.step_count, ' steps', h('div', {}, p.phases.map(phaseBadge))),
      h('td', {class: 'mono'}, picks(p).join(', ') || '-'),
      h('td', {}, button));
  });
  const otherSelect = h('select', {id: 'plan-other-playbook'}, others.map((p) => h('option', {value: p.id}, p.title)));
  const otherButton = h('button', {type: 'submit', class: 'secondary'}, 'Plan');
  const other = h('form', {class: 'row-form spaced', onsubmit: (e) => {
    e.preventDefault();
    const p = others.find((x) => x.id === otherSelect.value);
    if (p) plan(p, otherButton);
  }}, h('label', {}, 'Plan a playbook whose trigger does not fit', otherSelect), otherButton);
  return h('div', {class: 'panel', id: 'incident-playbooks'}, h('h2', {}, `Playbooks (${fitting.length})`),
    h('table', {id: 'matching-playbooks'}, h('thead', {}, h('tr', {}, ['Playbook', 'Trigger', 'Steps', 'Targets here', ''].map((t) => h('th', {}, t)))),
      h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', {colspan: 5, class: 'empty'}, 'No playbook\'s trigger fits this incident.')))),
    others.length ? other : null, out);
}

async function route() {
  if (!token()) return viewLogin();
  document.getElementById('who').textContent = 'signed in';
  document.getElementById('sign-out').classList.remove('hidden');
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, query] = hash.split('?');
  try {
    const m = path.match(/^\/incidents\/([^/]+)$/);
    if (m) await viewIncident(decodeURIComponent(m[1]));
    else if (path === '/rules') await viewRules();
    else if (path === '/playbooks') await viewPlaybooks();
    else if (path.match(/^\/playbooks\/[^/]+$/)) await viewPlaybook(decodeURIComponent(path.slice('/playbooks/'.length)));
    else await viewQueue(new URLSearchParams(query || ''));
  } catch (err) {
    if (err.status === 401) return;
    main.replaceChildren(h('div', {class: 'panel'}, h('h1', {}, 'Something went wrong'), h('p', {class: 'error'}, err.message)));
  }
}

document.getElementById('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  route();
});
window.addEventListener('hashchange', route);
route();
