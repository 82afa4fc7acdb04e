// The dashboard's views, built as DOM nodes. Every value shown comes from
// upstream systems, so it only ever becomes text (text nodes, attribute
// values): nothing here parses markup.

const SVG = 'http://www.w3.org/2000/svg';

// h('p', {class: 'x'}, 'text', node, ...): an element; strings become text.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  setAttrs(el, attrs);
  for (const child of children.flat()) if (child) el.append(child);
  return el;
}

function setAttrs(el, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value !== null && value !== undefined && value !== false) el.setAttribute(name, String(value));
  }
}

// --- words for the enum names of the contracts ---

export const SEVERITIES = ['SEVERITY_CRITICAL', 'SEVERITY_HIGH', 'SEVERITY_MEDIUM', 'SEVERITY_NONE'];
const SEVERITY = {
  SEVERITY_CRITICAL: ['Critical', 'red'],
  SEVERITY_HIGH: ['High', 'orange'],
  SEVERITY_MEDIUM: ['Medium', 'yellow'],
  SEVERITY_NONE: ['Not at risk', 'green'],
};
const REASON = {
  REASON_NO_READY_NOW_SUCCESSOR: 'No successor ready now',
  REASON_PIPELINE_BELOW_MINIMUM: 'Pipeline below the minimum',
  REASON_POST_VACANT: 'Post vacant',
  REASON_INTERIM_ONLY: 'Held only by an interim, acting or seconded person',
  REASON_INCUMBENT_LEAVING: 'Incumbent leaving',
  REASON_INCUMBENT_HIGH_RISK_OF_LOSS: 'Incumbent at high risk of loss',
  REASON_STALE_ASSESSMENTS: 'Assessments out of date',
};
const STATE = {
  ALERT_STATE_RAISED: 'Raised',
  ALERT_STATE_ESCALATED: 'Escalated',
  ALERT_STATE_DOWNGRADED: 'Downgraded',
  ALERT_STATE_RESOLVED: 'Resolved',
};
const READINESS = {
  READINESS_READY_NOW: 'Ready now',
  READINESS_READY_1_2_YEARS: 'Ready in 1 to 2 years',
  READINESS_READY_3_PLUS_YEARS: 'Ready in 3 or more years',
};
const INELIGIBLE = {
  stale: 'Assessment out of date',
  left_nhs: 'Has left the NHS',
  fit_and_proper_failed: 'Failed the fit and proper person test',
  incumbent: 'Holds the post',
};
export const SORTS = {
  severity: 'Severity',
  post: 'Post id',
  organisation: 'Organisation',
  region: 'Region',
  role: 'Role',
  readyNow: 'Fewest ready now',
  pipeline: 'Smallest pipeline',
  leaving: 'Soonest leaving',
};

export const severityName = (v) => (SEVERITY[v] || [v])[0];
const reasonName = (v) => REASON[v] || v;
const words = (v) => String(v).toLowerCase().split('_');
// LONDON -> London, NORTH_EAST_AND_YORKSHIRE -> North East and Yorkshire
export const regionName = (v) =>
  words(v).map((w) => (w === 'and' || w === 'of' ? w : w.charAt(0).toUpperCase() + w.slice(1))).join(' ');
// CHIEF_EXECUTIVE -> Chief executive
export const roleName = (v) => {
  const text = words(v).join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
};
const yesNo = (v) => (v ? 'Yes' : 'No');
const orNone = (v, none = 'None') => (v ? v : none);

// A date (YYYY-MM-DD) or an instant as people read it, in UTC.
export function when(text) {
  if (!text) return '';
  const date = new Date(text.length === 10 ? text + 'T00:00:00Z' : text);
  if (Number.isNaN(date.getTime())) return text;
  const options = {day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC'};
  if (text.length > 10) Object.assign(options, {hour: '2-digit', minute: '2-digit', second: '2-digit'});
  return date.toLocaleString('en-GB', options);
}

export function severityTag(severity) {
  const [name, colour] = SEVERITY[severity] || [severity, 'grey'];
  return h('strong', {class: `nhsuk-tag nhsuk-tag--${colour}`, 'data-severity': severity}, name);
}

const postHref = (id) => '#/post/' + encodeURIComponent(id);
const postLink = (id) => h('a', {href: postHref(id), 'data-post-link': id}, id);
const reasonList = (reasons) =>
  reasons && reasons.length ? h('ul', {class: 'app-reasons'}, reasons.map((r) => h('li', {}, reasonName(r)))) : 'None';

// --- tables ---

// A responsive NHS table: columns [{title, numeric}], rows of cells (text
// or nodes); on a phone each cell shows its column's title.
function table(caption, columns, rows, attrs = {}) {
  const head = h('thead', {class: 'nhsuk-table__head'},
    h('tr', {class: 'nhsuk-table__row'}, columns.map((c) =>
      h('th', {class: 'nhsuk-table__header' + (c.numeric ? ' nhsuk-table__header--numeric' : ''), scope: 'col'}, c.title))));
  const body = h('tbody', {class: 'nhsuk-table__body'}, rows.map((row) =>
    h('tr', {class: 'nhsuk-table__row', ...(row.attrs || {})}, row.cells.map((cell, i) =>
      h(i === 0 ? 'th' : 'td', {
        class: (i === 0 ? 'nhsuk-table__header' : 'nhsuk-table__cell') +
          (columns[i].numeric ? ' nhsuk-table__cell--numeric' : ''),
        ...(i === 0 ? {scope: 'row'} : {}),
      }, h('span', {class: 'nhsuk-table-responsive__heading', 'aria-hidden': 'true'}, columns[i].title + ' '), cell)))));
  return h('div', {class: 'nhsuk-table-container'},
    h('table', {class: 'nhsuk-table-responsive', ...attrs},
      h('caption', {class: 'nhsuk-table__caption nhsuk-table__caption--m'}, caption), head, body));
}

function summaryList(rows) {
  return h('dl', {class: 'nhsuk-summary-list'}, rows.map(([key, value, field, raw]) =>
    h('div', {class: 'nhsuk-summary-list__row'},
      h('dt', {class: 'nhsuk-summary-list__key'}, key),
      h('dd', {class: 'nhsuk-summary-list__value', 'data-field': field, 'data-value': raw}, value))));
}

// --- national ---

// At-risk designated posts counted by region and severity.
function countByRegion(posts) {
  const regions = new Map();
  for (const p of posts) {
    if (!p.designated) continue;
    if (!regions.has(p.region)) regions.set(p.region, Object.fromEntries(SEVERITIES.map((v) => [v, 0])));
    regions.get(p.region)[p.severity] += 1;
  }
  return [...regions.entries()].sort((a, b) => a[0].localeCompare(b[0]));
}

function countCell(region, severity, count) {
  const text = String(count);
  const filter = new URLSearchParams({severity, designated: 'true', ...(region ? {region} : {})});
  return h('span', {class: `app-count app-count--${count ? severity.slice(9).toLowerCase() : 'zero'}`,
    'data-region': region || 'ALL', 'data-severity': severity},
  count ? h('a', {href: '#/posts?' + filter}, text,
    h('span', {class: 'nhsuk-u-visually-hidden'}, ` ${severityName(severity).toLowerCase()} posts`)) : text);
}

function riskTable(posts) {
  const counted = countByRegion(posts);
  const total = Object.fromEntries(SEVERITIES.map((v) => [v, 0]));
  for (const [, c] of counted) for (const v of SEVERITIES) total[v] += c[v];
  const row = (region, c) => ({cells: [region ? regionName(region) : 'All regions',
    ...SEVERITIES.map((v) => countCell(region, v, c[v]))]});
  const columns = [{title: 'Region'}, ...SEVERITIES.map((v) => ({title: severityName(v), numeric: true}))];
  const rows = [...counted.map(([region, c]) => row(region, c)), row(null, total)];
  rows[rows.length - 1].attrs = {class: 'nhsuk-table__row app-total'};
  return table('Designated posts by region and severity', columns, rows, {'data-table': 'risk'});
}

function figure(label, value, field, note) {
  return h('div', {class: 'app-figure'},
    h('p', {class: 'app-figure__value', 'data-summary': field}, String(value)),
    h('p', {class: 'app-figure__label'}, label),
    note ? h('p', {class: 'app-figure__note nhsuk-body-s'}, note) : null);
}

// Covered beside simultaneous cover, as two bars out of the designated posts.
function coverBars(n) {
  const max = Math.max(n.designated, 1), width = 640;
  const bar = (y, label, value, cls) => [
    s('text', {x: 0, y: y - 6, class: 'app-chart__label'}, document.createTextNode(`${label}: ${value} of ${n.designated}`)),
    s('rect', {x: 0, y, width, height: 18, class: 'app-chart__track'}),
    s('rect', {x: 0, y, width: (width * value) / max, height: 18, class: cls}),
  ];
  return s('svg', {viewBox: '0 0 640 96', class: 'app-cover', role: 'img',
    'aria-label': `Covered ${n.covered}, simultaneous cover ${n.simultaneousCover}, of ${n.designated} designated posts`},
  bar(20, 'Covered (someone ready now)', n.covered, 'app-chart__bar'),
  bar(68, 'Simultaneous cover (each by a different person)', n.simultaneousCover, 'app-chart__bar app-chart__bar--cover'));
}

function programme(national) {
  if (!national) return h('p', {class: 'nhsuk-body'}, 'The programme summary has not been published yet.');
  const twice = national.covered - national.simultaneousCover;
  return h('section', {'aria-labelledby': 'programme-heading'},
    h('h2', {id: 'programme-heading', class: 'nhsuk-heading-m'}, 'The programme'),
    h('div', {class: 'app-figures'},
      figure('Designated posts', national.designated, 'designated'),
      figure('At risk', national.atRisk, 'atRisk',
        `${national.critical} critical, ${national.high} high, ${national.medium} medium`),
      figure('Covered', national.covered, 'covered', `${national.percentCovered}% have someone ready now`),
      figure('Simultaneous cover', national.simultaneousCover, 'simultaneousCover',
        `could be filled at once; ${twice} covered by someone counted twice`),
      figure('Shared successors', national.sharedSuccessors, 'sharedSuccessors', 'ready now for two or more posts'),
      figure('Contended posts', national.contendedPosts, 'contendedPosts', 'covered only by shared successors')),
    coverBars(national),
    h('p', {class: 'nhsuk-body-s'},
      `On average ${national.meanReadyNow} ready now and ${national.meanPipeline} in the pipeline per post.`));
}

function regionTable(summaries) {
  const regions = summaries.filter((x) => x.key.startsWith('region:'));
  if (!regions.length) return null;
  const columns = ['Region', 'Designated', 'At risk', 'Covered', 'Simultaneous cover', 'Shared successors',
    'Contended posts'].map((title, i) => ({title, numeric: i > 0}));
  return table('The programme by region', columns, regions.map((r) => ({
    attrs: {'data-key': r.key},
    cells: [regionName(r.key.slice(7)), r.designated, r.atRisk, r.covered, r.simultaneousCover, r.sharedSuccessors,
      r.contendedPosts].map(String),
  })));
}

// The 90-day trend of the national numbers: lines told apart by their dash
// as well as their colour, and the numbers in a table beneath.
function trendChart(trend) {
  const series = [['atRisk', 'At risk', 'app-line--risk'], ['covered', 'Covered', 'app-line--covered'],
    ['simultaneousCover', 'Simultaneous cover', 'app-line--cover']];
  const w = 640, hgt = 220, left = 40, bottom = 30, top = 10;
  const max = Math.max(1, ...trend.map((p) => p.designated));
  const x = (i) => left + (trend.length > 1 ? (i * (w - left - 10)) / (trend.length - 1) : (w - left) / 2);
  const y = (v) => top + (hgt - top - bottom) * (1 - v / max);
  const nodes = [s('line', {x1: left, y1: y(0), x2: w - 10, y2: y(0), class: 'app-chart__axis'}),
    s('text', {x: left - 6, y: y(max) + 4, class: 'app-chart__tick'}, document.createTextNode(String(max))),
    s('text', {x: left - 6, y: y(0) + 4, class: 'app-chart__tick'}, document.createTextNode('0')),
    s('text', {x: left, y: hgt - 8, class: 'app-chart__label'}, document.createTextNode(when(trend[0].date))),
    s('text', {x: w - 10, y: hgt - 8, class: 'app-chart__label app-chart__label--end'},
      document.createTextNode(when(trend[trend.length - 1].date)))];
  for (const [field, , cls] of series) {
    const points = trend.map((p, i) => `${x(i)},${y(p[field])}`).join(' ');
    nodes.push(s('polyline', {points, class: `app-line ${cls}`}));
    trend.forEach((p, i) => nodes.push(s('circle', {cx: x(i), cy: y(p[field]), r: 3, class: `app-dot ${cls}`})));
  }
  const legend = h('ul', {class: 'app-legend'}, series.map(([, label, cls]) =>
    h('li', {}, s('svg', {viewBox: '0 0 30 10', width: 30, height: 10, 'aria-hidden': 'true'},
      s('line', {x1: 0, y1: 5, x2: 30, y2: 5, class: `app-line ${cls}`})), ' ' + label)));
  const numbers = h('details', {class: 'nhsuk-details'},
    h('summary', {class: 'nhsuk-details__summary'}, h('span', {class: 'nhsuk-details__summary-text'}, 'The numbers')),
    h('div', {class: 'nhsuk-details__text'}, table('The last 90 days', [{title: 'Date'},
      ...series.map(([, title]) => ({title, numeric: true}))],
    [...trend].reverse().map((p) => ({cells: [when(p.date), ...series.map(([f]) => String(p[f]))]})))));
  return h('section', {'aria-labelledby': 'trend-heading'},
    h('h2', {id: 'trend-heading', class: 'nhsuk-heading-m'}, 'The last 90 days'),
    s('svg', {viewBox: `0 0 ${w} ${hgt}`, class: 'app-trend', role: 'img',
      'aria-label': 'At risk, covered and simultaneous cover, day by day'}, nodes),
    legend, numbers);
}

export function nationalView(posts, summaries) {
  const national = summaries.find((x) => x.key === 'national');
  return [
    h('h1', {class: 'nhsuk-heading-l', tabindex: '-1'}, 'National view'),
    h('p', {class: 'nhsuk-lede-text'}, 'Which of the designated posts lack ready successors, region by region.'),
    riskTable(posts),
    programme(national),
    regionTable(summaries),
    national && national.trend && national.trend.length ? trendChart(national.trend) : null,
  ];
}

// --- post list ---

function select(name, label, options, value) {
  return h('div', {class: 'nhsuk-form-group'},
    h('label', {class: 'nhsuk-label', for: `filter-${name}`}, label),
    h('select', {class: 'nhsuk-select', id: `filter-${name}`, name},
      options.map(([v, text]) => h('option', {value: v, selected: v === value}, text))));
}

export function postListView(query, result, choices, onFilter) {
  const form = h('form', {class: 'app-filters', 'aria-label': 'Filter posts'},
    select('region', 'Region', [['', 'All regions'], ...choices.regions.map((r) => [r, regionName(r)])], query.region),
    select('role', 'Role', [['', 'All roles'], ...choices.roles.map((r) => [r, roleName(r)])], query.role),
    select('severity', 'Severity', [['', 'Any severity'], ...SEVERITIES.map((v) => [v, severityName(v)])],
      query.severity),
    h('div', {class: 'nhsuk-form-group'},
      h('label', {class: 'nhsuk-label', for: 'filter-q'}, 'Post id or organisation'),
      h('input', {class: 'nhsuk-input', id: 'filter-q', name: 'q', type: 'search', value: query.q || '',
        autocomplete: 'off'})),
    select('sort', 'Sort by', Object.entries(SORTS), query.sort || 'severity'),
    h('button', {class: 'nhsuk-button nhsuk-button--secondary', type: 'submit'}, 'Apply'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    onFilter(Object.fromEntries([...new FormData(form)].filter(([, v]) => v !== '')));
  });
  const columns = ['Post', 'Organisation', 'Region', 'Role', 'Severity', 'Ready now', 'Pipeline', 'Leaving',
    'Reasons'].map((title, i) => ({title, numeric: i === 5 || i === 6}));
  const rows = result.posts.map((p) => ({attrs: {'data-post': p.postId}, cells: [postLink(p.postId),
    p.organisationName || p.odsCode, regionName(p.region), roleName(p.role), severityTag(p.severity),
    String(p.readyNow), String(p.pipeline), when(p.leavingDate), reasonList(p.reasons)]}));
  const shown = result.posts.length < result.total ? `${result.posts.length} of ${result.total}` : `${result.total}`;
  return [h('h1', {class: 'nhsuk-heading-l', tabindex: '-1'}, 'Posts'), form,
    h('p', {class: 'nhsuk-body', 'data-total': result.total}, `${shown} post${result.total === 1 ? '' : 's'}`),
    table('Posts and their succession', columns, rows, {'data-table': 'posts'})];
}

// --- post detail ---

// Rows of the summary list: [key, what is shown, field, the value as sent].

function successorsTable(status) {
  const columns = ['Person', 'Readiness', 'Eligible', 'Why not eligible', 'Emergency cover', 'Assessed on']
    .map((title) => ({title}));
  const rows = (status.successors || []).map((x) => ({attrs: {'data-person': x.personId}, cells: [x.personId,
    READINESS[x.readiness] || x.readiness, yesNo(x.eligible),
    x.eligible ? '' : INELIGIBLE[x.ineligibleBecause] || x.ineligibleBecause, yesNo(x.emergencyCover),
    when(x.assessedOn)]}));
  const omitted = status.successorsOmitted ? h('p', {class: 'nhsuk-body-s'},
    `${status.successorsOmitted} more nominations are counted but not listed.`) : null;
  return rows.length ? [table('Successors', columns, rows, {'data-table': 'successors'}), omitted]
    : h('p', {class: 'nhsuk-body'}, 'Nobody is nominated as a successor.');
}

function alertsTable(caption, alerts, withPost) {
  const columns = [...(withPost ? ['Post'] : []), 'Alert', 'State', 'Severity', 'Reasons', 'Evaluated']
    .map((title) => ({title}));
  const rows = alerts.map((a) => ({attrs: {'data-alert': a.alertId, class: a.fresh ? 'nhsuk-table__row app-fresh' : null},
    cells: [...(withPost ? [postLink(a.postId)] : []), `#${a.sequence}`,
      a.fresh ? [STATE[a.state] || a.state, ' ', h('strong', {class: 'nhsuk-tag nhsuk-tag--blue'}, 'New')]
        : STATE[a.state] || a.state,
      a.previousSeverity && a.previousSeverity !== a.severity
        ? [severityTag(a.severity), ` from ${severityName(a.previousSeverity).toLowerCase()}`] : severityTag(a.severity),
      reasonList(a.reasons), when(a.evaluatedAt)]}));
  return rows.length ? table(caption, columns, rows, {'data-table': 'alerts'})
    : h('p', {class: 'nhsuk-body'}, 'No alerts yet.');
}

function statusRows(p) {
  const t = p.thresholds || {};
  return [
    ['Organisation', `${p.organisationName} (${p.odsCode})`, 'organisation'],
    ['Region', regionName(p.region), 'region'],
    ['Role', roleName(p.role), 'role'],
    ['Designated (top 200)', yesNo(p.designated), 'designated'],
    ['Severity', severityTag(p.severity), 'severity', p.severity],
    ['Reasons', reasonList(p.reasons), 'reasons', (p.reasons || []).join(' ')],
    ['Incumbent', orNone(p.incumbentPersonId), 'incumbentPersonId', p.incumbentPersonId],
    ['Leaving date', p.leavingDate ? when(p.leavingDate) : 'None given', 'leavingDate', p.leavingDate],
    ['Vacant', yesNo(p.vacant), 'vacant'],
    ['Held only by an interim', yesNo(p.interimOnly), 'interimOnly'],
    ['Ready now', String(p.readyNow), 'readyNow', p.readyNow],
    ['Ready in 1 to 2 years', String(p.readySoon), 'readySoon', p.readySoon],
    ['Pipeline', String(p.pipeline), 'pipeline', p.pipeline],
    ['Stale, ineligible nominations', `${p.staleNominations}, ${p.ineligibleNominations}`, 'nominations'],
    ['Emergency covers', String(p.emergencyCovers), 'emergencyCovers'],
    ['Thresholds', `at least ${t.minReadyNow} ready now and ${t.minPipeline} in the pipeline; ` +
      `assessments at most ${t.assessmentMaxAge} days old`, 'thresholds'],
    ['Evaluated', when(p.evaluatedAt), 'evaluatedAt'],
    ['Caused by event', orNone(p.causedByEventId, 'A timed re-evaluation or reference data'), 'causedByEventId'],
  ];
}

export function postView(postId, detail) {
  const back = h('a', {class: 'nhsuk-back-link', href: '#/posts'}, 'All posts');
  const title = h('h1', {class: 'nhsuk-heading-l', tabindex: '-1'},
    h('span', {class: 'nhsuk-caption-l'}, 'Post'), h('span', {'data-field': 'postId'}, postId));
  if (!detail) return [back, title, h('p', {class: 'nhsuk-body'}, 'Nothing is known of this post.')];
  const p = detail.status;
  return [back, title,
    p ? summaryList(statusRows(p)) : h('p', {class: 'nhsuk-body'}, 'This post has no current picture.'),
    p ? successorsTable(p) : null,
    alertsTable('Alert history, latest first', detail.alerts, false)];
}

// --- live alerts ---

export function alertsView(alerts) {
  return [h('h1', {class: 'nhsuk-heading-l', tabindex: '-1'}, 'Live alerts'),
    h('p', {class: 'nhsuk-body'}, 'Alerts appear here as they are raised, escalated, downgraded or resolved.'),
    alertsTable('Alerts, latest first', alerts, true)];
}
