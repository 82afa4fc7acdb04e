// The dashboard's page: routes (#/, #/posts, #/post/ID, #/alerts), the
// JSON API, and the live changes from /api/events applied as they come.
import {initAll} from '/assets/nhsuk-frontend.min.js';
import {alertsView, nationalView, postListView, postView, severityName} from './views.js';

const FEED_SHOWN = 200; // alerts on the live feed page

const state = {
  posts: new Map(), // designated posts, by id: the national view
  summaries: new Map(), // by key
  alerts: [], // the feed, latest first
  detail: null, // {postId, status, alerts} of the post shown
  list: null, // {query, result} of the post list shown
};

async function getJson(path) {
  const response = await fetch(path, {headers: {Accept: 'application/json'}, cache: 'no-store'});
  if (!response.ok) {
    if (response.status === 404) return null;
    throw new Error(`${path}: ${response.status}`);
  }
  return response.json();
}

// --- routes ---

function route() {
  const hash = location.hash || '#/';
  const [path, search] = hash.slice(1).split('?');
  const query = Object.fromEntries(new URLSearchParams(search || ''));
  if (path.startsWith('/post/')) return {name: 'post', postId: decodeURIComponent(path.slice(6))};
  if (path === '/posts') return {name: 'posts', query};
  if (path === '/alerts') return {name: 'alerts'};
  return {name: 'national'};
}

async function load(r) {
  if (r.name === 'national') {
    const [posts, summaries] = await Promise.all([getJson('/api/posts?designated=true&limit=5000'),
      getJson('/api/summary')]);
    state.posts = new Map(posts.posts.map((p) => [p.postId, p]));
    state.summaries = new Map(summaries.summaries.map((x) => [x.key, x]));
  } else if (r.name === 'posts') {
    const [result, summaries] = await Promise.all([
      getJson('/api/posts?' + new URLSearchParams({...r.query, limit: '1000'})), getJson('/api/summary')]);
    state.list = {query: r.query, result};
    state.summaries = new Map(summaries.summaries.map((x) => [x.key, x]));
  } else if (r.name === 'post') {
    const detail = await getJson('/api/posts/' + encodeURIComponent(r.postId));
    state.detail = {postId: r.postId, ...(detail || {missing: true})};
  } else {
    state.alerts = (await getJson(`/api/alerts?limit=${FEED_SHOWN}`)).alerts;
  }
}

// The regions and roles to filter by: those of the programme's groups.
function choices() {
  const keys = [...state.summaries.keys()];
  const of = (prefix) => keys.filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)).sort();
  return {regions: of('region:'), roles: of('role:')};
}

function viewOf(r) {
  const summaries = [...state.summaries.values()];
  if (r.name === 'national') return nationalView([...state.posts.values()], summaries);
  if (r.name === 'posts') {
    return postListView(r.query, state.list.result, choices(), (query) => {
      location.hash = '#/posts?' + new URLSearchParams(query);
    });
  }
  if (r.name === 'post') return postView(r.postId, state.detail.missing ? null : state.detail);
  return alertsView(state.alerts);
}

function render(focus) {
  const r = route();
  const view = document.getElementById('view');
  const active = document.activeElement && view.contains(document.activeElement) ? document.activeElement.id : '';
  view.replaceChildren(...viewOf(r).flat().filter(Boolean));
  for (const item of document.querySelectorAll('[data-nav]')) {
    const current = item.dataset.nav === (r.name === 'post' ? 'posts' : r.name);
    item.classList.toggle('nhsuk-header__navigation-item--current', current);
    const link = item.querySelector('a');
    if (current) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
  document.title = `${view.querySelector('h1').textContent} – Succession watch`;
  // A new view takes the focus (for keyboards and screen readers); a live
  // update leaves it where it was.
  const keep = active && document.getElementById(active);
  if (focus) view.querySelector('h1').focus();
  else if (keep) keep.focus();
}

// Loads and shows the view of the address; focus: move the focus to it.
async function show(focus) {
  try {
    await load(route());
    render(focus);
  } catch (error) {
    document.getElementById('view').replaceChildren(Object.assign(document.createElement('p'),
      {className: 'nhsuk-body', textContent: `The dashboard could not be loaded (${error.message}).`}));
  }
}

// --- live changes ---

let renderTimer = 0;
function renderSoon(reload) {
  clearTimeout(renderTimer);
  renderTimer = setTimeout(async () => {
    if (reload) await load(route()).catch(() => {});
    render(false);
  }, reload ? 300 : 50);
}

function announce(text) {
  document.getElementById('announcer').textContent = text;
}

function onStatus(status) {
  const r = route();
  if (status.designated) state.posts.set(status.postId, status);
  else state.posts.delete(status.postId);
  if (r.name === 'post' && r.postId === status.postId) {
    state.detail = {...state.detail, missing: false, status, alerts: state.detail.alerts || []};
  }
  if (r.name !== 'alerts') renderSoon(r.name === 'posts');
}

function onAlert(alert) {
  const r = route();
  const fresh = {...alert, fresh: true};
  state.alerts = [fresh, ...state.alerts.filter((a) => a.alertId !== alert.alertId)].slice(0, FEED_SHOWN);
  if (r.name === 'post' && r.postId === alert.postId && !state.detail.missing) {
    state.detail.alerts = [fresh, ...state.detail.alerts.filter((a) => a.alertId !== alert.alertId)];
  }
  announce(`Alert: ${alert.postId} ${severityName(alert.severity)}, ${alert.state.slice(12).toLowerCase()}`);
  if (r.name === 'alerts' || r.name === 'post') renderSoon(false);
}

function onSummary(summary) {
  state.summaries.set(summary.key, summary);
  if (route().name === 'national') renderSoon(false);
}

function setLive(text) {
  document.getElementById('live-status').textContent = text;
}

function listen() {
  const events = new EventSource('/api/events');
  const handle = (fn) => (event) => {
    fn(JSON.parse(event.data));
    setLive(`Live: last change ${new Date().toLocaleTimeString('en-GB')}`);
  };
  events.addEventListener('open', () => setLive('Live: connected, changes appear as they happen'));
  events.addEventListener('error', () => setLive('Live updates interrupted: reconnecting…'));
  events.addEventListener('status', handle(onStatus));
  events.addEventListener('alert', handle(onAlert));
  events.addEventListener('summary', handle(onSummary));
  events.addEventListener('resync', () => renderSoon(true)); // changes were missed: load afresh
}

document.body.classList.add('js-enabled', 'nhsuk-frontend-supported');
initAll();
window.addEventListener('hashchange', () => show(true));
listen();
show(false);
