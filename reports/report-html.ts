import { TABLE2_METRICS, TABLE2_TASKS, TABLE4_METRICS, type BreakdownRow, type NormalsTable, type ReportTables } from './report-data.js';
import type { ErrorPicture } from './worst-items.js';

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON that is safe inside a <script> element (no `</script`, no `<!--`). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function fmt(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${(100 * v).toFixed(1)}%`);

function table2Html(t: ReportTables['table2']): string {
  const head1 = TABLE2_TASKS.map((task) => `<th colspan="${TABLE2_METRICS.length}">${escapeHtml(task.label)}</th>`).join('');
  const head2 = TABLE2_TASKS.map(() => TABLE2_METRICS.map((m) => `<th>${escapeHtml(m.label)} ${m.better === 'lower' ? '↓' : '↑'}</th>`).join('')).join('');
  const body = t.rows
    .map((row) => {
      const cells = TABLE2_TASKS.map(({ key: task }) =>
        TABLE2_METRICS.map(({ key }) => {
          const v = row.values[task][key];
          const best = v !== null && (t.best[`${task}.${key}`] ?? []).includes(row.method);
          const text = key === 'r2_5' ? pct(v) : fmt(v);
          return `<td class="num${best ? ' best' : ''}"${best ? ' title="best"' : ''}>${best ? `<b>${escapeHtml(text)}</b>` : escapeHtml(text)}</td>`;
        }).join(''),
      ).join('');
      const scored = TABLE2_TASKS.map(({ key }) => row.scored[key]).join(' / ');
      return `<tr class="${row.complete ? 'complete' : 'incomplete'}"><th scope="row">${escapeHtml(row.method)}</th>${cells}<td>${escapeHtml(scored)}</td><td>${escapeHtml(row.status)}</td></tr>`;
    })
    .join('\n');
  return `<table id="table2"><thead><tr><th rowspan="2">Method</th>${head1}<th rowspan="2">scored (neutral / posed)</th><th rowspan="2">status</th></tr><tr>${head2}</tr></thead><tbody>${body}</tbody></table>`;
}

/** Table 4 (normal estimation), best per column marked as in Table 2, and its per-item rows behind a disclosure. */
function table4Html(t: NormalsTable): string {
  const head = TABLE4_METRICS.map((m) => `<th>${escapeHtml(m.label)} ${m.better === 'lower' ? '↓' : '↑'}</th>`).join('');
  const body = t.rows
    .map((row) => {
      const cells = TABLE4_METRICS.map(({ key, digits }) => {
        const best = t.best[key].includes(row.method);
        const text = fmt(row.values[key], digits);
        return `<td class="num${best ? ' best' : ''}"${best ? ' title="best"' : ''}>${best ? `<b>${escapeHtml(text)}</b>` : escapeHtml(text)}</td>`;
      }).join('');
      return (
        `<tr class="${row.complete ? 'complete' : 'incomplete'}"><th scope="row">${escapeHtml(row.method)}</th>${cells}` +
        `<td class="num">${row.scored}/${row.total}</td><td class="num">${row.missing}</td><td>${escapeHtml(row.status)}</td></tr>`
      );
    })
    .join('\n');
  const table = `<table id="table4"><thead><tr><th>Method</th>${head}<th>items scored</th><th>items missing</th><th>status</th></tr></thead><tbody>${body}</tbody></table>`;
  const digits = Object.fromEntries(TABLE4_METRICS.map((m) => [m.key, m.digits]));
  const itemRows = t.items
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.method)}</td><td>${escapeHtml(r.person)}</td><td>${escapeHtml(r.item)}</td><td${r.status === 'scored' ? '' : ' class="failed"'}>${escapeHtml(r.status)}</td>` +
        `<td class="num">${r.pixels ?? '–'}</td><td class="num">${r.missingPixels ?? '–'}</td>` +
        `<td class="num">${fmt(r.meanCosine, digits.meanCosine)}</td><td class="num">${fmt(r.meanAngleDeg, digits.meanAngleDeg)}</td><td class="num">${fmt(r.medianAngleDeg, digits.medianAngleDeg)}</td></tr>`,
    )
    .join('\n');
  const items =
    `<details id="normals-details"><summary>Per-item normal scores (${t.items.length} rows)</summary>` +
    `<table id="normals-items"><thead><tr><th>Method</th><th>Person</th><th>Item</th><th>Status</th><th>pixels</th><th>pixels without prediction</th>` +
    `${TABLE4_METRICS.map((m) => `<th>${escapeHtml(m.label)}</th>`).join('')}</tr></thead><tbody>${itemRows}</tbody></table></details>`;
  return `${table}\n${items}`;
}

function breakdownHtml(id: string, groupLabel: string, rows: BreakdownRow[]): string {
  const body = rows
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.method)}</td><td>${escapeHtml(r.task)}</td><td>${escapeHtml(r.group)}</td><td class="num">${r.scored}/${r.items}</td>` +
        `<td class="num">${fmt(r.l1)}</td><td class="num">${fmt(r.l2)}</td><td class="num">${fmt(r.nc)}</td><td class="num">${pct(r.r2_5)}</td></tr>`,
    )
    .join('\n');
  return `<table id="${id}"><thead><tr><th>Method</th><th>Task</th><th>${escapeHtml(groupLabel)}</th><th>scored</th><th>L1</th><th>L2</th><th>NC</th><th>R@2.5</th></tr></thead><tbody>${body}</tbody></table>`;
}

/** Cell with a sort value (numbers sort numerically, missing values last). */
function cell(text: string, sort: string | number | null, cls = ''): string {
  const value = sort === null ? '' : String(sort);
  return `<td${cls ? ` class="${cls}"` : ''} data-v="${escapeHtml(value)}">${escapeHtml(text)}</td>`;
}

function itemsHtml(items: ReportTables['items']): string {
  const cols = ['Method', 'Person', 'Item', 'Task', 'Rank', 'Status', 'L1', 'L2', 'NC', 'R@2.5', 'Scale', 'Seconds', 'Error'];
  const types = ['s', 's', 's', 's', 'n', 's', 'n', 'n', 'n', 'n', 'n', 'n', 's'];
  const head = cols.map((c, i) => `<th data-type="${types[i]}" tabindex="0">${escapeHtml(c)}</th>`).join('');
  const body = items
    .map(
      (r) =>
        `<tr>${cell(r.method, r.method)}${cell(r.person, r.person)}${cell(r.item, r.item)}${cell(r.task, r.task)}${cell(r.rank === null ? '–' : String(r.rank), r.rank, 'num')}` +
        `${cell(r.status, r.status, r.status === 'ok' ? '' : 'failed')}${cell(fmt(r.l1), r.l1, 'num')}${cell(fmt(r.l2), r.l2, 'num')}${cell(fmt(r.nc), r.nc, 'num')}` +
        `${cell(pct(r.r2_5), r.r2_5, 'num')}${cell(fmt(r.scale, 4), r.scale, 'num')}${cell(r.seconds.toFixed(2), r.seconds, 'num')}${cell(r.error, r.error, 'err')}</tr>`,
    )
    .join('\n');
  return `<table id="items-table" class="sortable"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function normalsProvenanceHtml(t: NormalsTable | null): string {
  if (!t) return '';
  const rows = t.rows
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.method)}</td><td>${escapeHtml(r.tool)}</td><td>${escapeHtml(r.created)}</td><td><code>${escapeHtml(r.benchmark_id ?? '–')}</code></td>` +
        `<td><code>${escapeHtml(r.predictions)}</code></td><td><code>${escapeHtml(r.file)}</code></td></tr>`,
    )
    .join('\n');
  return `<h3>Normal maps (Table 4)</h3><table id="normals-provenance"><thead><tr><th>Method</th><th>Tool</th><th>Evaluated</th><th>benchmark_id</th><th>Predictions</th><th>normals.json</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function provenanceHtml(p: ReportTables['provenance'], keys: ReportTables['items']): string {
  const rows = p
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.method)}</td><td>${escapeHtml(r.tool)}</td><td>${escapeHtml(r.created)}</td><td><code>${escapeHtml(r.benchmark)}</code></td>` +
        `<td><code>${escapeHtml(r.benchmark_id)}</code></td><td><code>${escapeHtml(r.predictions)}</code></td><td><code>${escapeHtml(r.file)}</code></td></tr>`,
    )
    .join('\n');
  const configs = p.map((r) => `<h4>${escapeHtml(r.method)}</h4><pre>${escapeHtml(JSON.stringify(r.protocol, null, 2))}</pre>`).join('\n');
  const keyRows = keys.map((r) => `<tr><td>${escapeHtml(r.method)}</td><td>${escapeHtml(`${r.person}/${r.item}/${r.task}`)}</td><td><code>${escapeHtml(r.key)}</code></td></tr>`).join('\n');
  return (
    `<table id="provenance"><thead><tr><th>Method</th><th>Tool</th><th>Evaluated</th><th>Benchmark</th><th>benchmark_id</th><th>Predictions</th><th>results.json</th></tr></thead><tbody>${rows}</tbody></table>` +
    `<h3>Protocol configuration</h3>${configs}` +
    `<details><summary>Per-item input keys (sha256 of the prediction, GT and config that produced each number)</summary><table id="item-keys"><thead><tr><th>Method</th><th>Task</th><th>Key</th></tr></thead><tbody>${keyRows}</tbody></table></details>`
  );
}

const STYLE = `
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222;max-width:1400px}
h1{font-size:1.5rem}h2{margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5rem 0;font-size:.85rem}
th,td{border:1px solid #ccc;padding:.2rem .5rem}th{background:#f3f3f3}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.best{background:#dff0d8}#table2 tr.incomplete,#table4 tr.incomplete{color:#a00;background:#fff4f4}
td.failed{color:#a00;font-weight:bold}td.err{max-width:30rem;overflow-wrap:anywhere;font-size:.75rem}
#items-table th{cursor:pointer;user-select:none}#items-table th.asc::after{content:" ▲"}#items-table th.desc::after{content:" ▼"}
.plots{display:flex;flex-wrap:wrap;gap:1rem}.plot{width:600px;height:420px}.plot3d{width:450px;height:420px}#worst figure{margin:0;width:460px;flex:0 0 460px}figcaption{font-size:.8rem}
pre{background:#f7f7f7;padding:.5rem;font-size:.75rem}.note{color:#666;font-size:.85rem}
`;

/** Client script: plots from the embedded data, and header-click sorting of the per-item table. */
const SCRIPT = `
(function(){
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var tasks = {};
  data.curves.forEach(function(c){ (tasks[c.task] = tasks[c.task] || []).push(c); });
  var box = document.getElementById('curves');
  Object.keys(tasks).sort().forEach(function(task){
    var div = document.createElement('div'); div.className = 'plot'; box.appendChild(div);
    Plotly.newPlot(div, tasks[task].map(function(c){ return {x: c.thresholds, y: c.fraction, mode: 'lines', name: c.method}; }),
      {title: {text: task + ': fraction of GT points within d'}, xaxis: {title: {text: 'd (mm)'}, range: [0, 10]}, yaxis: {title: {text: 'fraction'}, range: [0, 1]}, margin: {t: 40}},
      {staticPlot: false, displaylogo: false, responsive: true});
  });
  var pics = document.getElementById('worst');
  data.pictures.forEach(function(p){
    var fig = document.createElement('figure');
    var div = document.createElement('div'); div.className = 'plot3d'; fig.appendChild(div);
    var cap = document.createElement('figcaption');
    cap.textContent = p.method + ' — ' + p.person + '/' + p.item + ' (' + p.task + '), L2 ' + p.l2.toFixed(3) + ' mm, ' + p.distances.length + ' of ' + p.points + ' points';
    fig.appendChild(cap); pics.appendChild(fig);
    var x = [], y = [], z = [];
    for (var i = 0; i < p.positions.length; i += 3) { x.push(p.positions[i]); y.push(p.positions[i+1]); z.push(p.positions[i+2]); }
    Plotly.newPlot(div, [{type: 'scatter3d', mode: 'markers', x: x, y: y, z: z,
      marker: {size: 1.5, color: p.distances, colorscale: 'Viridis', cmin: 0, cmax: 5, colorbar: {title: {text: 'mm'}}}}],
      {margin: {l: 0, r: 0, t: 0, b: 0}, scene: {aspectmode: 'data', xaxis: {visible: false}, yaxis: {visible: false}, zaxis: {visible: false}, camera: {eye: {x: 0, y: 0, z: 2}, up: {x: 0, y: 1, z: 0}}}},
      {displaylogo: false});
  });
  var table = document.getElementById('items-table');
  var heads = table.tHead.rows[0].cells;
  function sortBy(col, th){
    var desc = th.classList.contains('asc');
    Array.prototype.forEach.call(heads, function(h){ h.classList.remove('asc', 'desc'); });
    th.classList.add(desc ? 'desc' : 'asc');
    var numeric = th.getAttribute('data-type') === 'n';
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function(a, b){
      var va = a.cells[col].getAttribute('data-v'), vb = b.cells[col].getAttribute('data-v');
      if (va === '' && vb === '') return 0; if (va === '') return 1; if (vb === '') return -1;
      var c = numeric ? Number(va) - Number(vb) : va.localeCompare(vb);
      return desc ? -c : c;
    });
    rows.forEach(function(r){ body.appendChild(r); });
  }
  Array.prototype.forEach.call(heads, function(th, col){
    th.addEventListener('click', function(){ sortBy(col, th); });
    th.addEventListener('keydown', function(e){ if (e.key === 'Enter') sortBy(col, th); });
  });
})();
`;

export interface RenderOptions {
  tables: ReportTables;
  pictures: ErrorPicture[];
  notes: string[];
  /** plotly.js source, inlined so the file opens offline. */
  plotly: string;
  title?: string;
  generated: string;
  tool: string;
}

/** The self-contained report page. */
export function renderReportHtml(o: RenderOptions): string {
  const t = o.tables;
  const title = o.title ?? 'facebench report';
  const rankSection = t.byRank.length
    ? breakdownHtml('by-rank', 'Expression rank', t.byRank)
    : '<p class="note">No benchmark manifest with expression ranks could be read; only the per-person breakdown is shown.</p>';
  const viewSection = t.byView.length
    ? breakdownHtml('by-view', 'View angle', t.byView)
    : '<p class="note">The benchmark manifest records no view angles (a benchmark built before <code>view_angle_deg</code> was recorded, or no readable manifest); rebuild it for the per-view-angle breakdown.</p>';
  const normalsSection = t.normals
    ? `<h2>Normal estimation (Table 4)</h2>
<p class="note">Predicted normal maps of each item's crop against its GT normal map (<code>facebench eval-normals</code>): cosine similarity over the GT-valid face pixels (higher is better; a pixel without a prediction counts as 0) and the angular error's mean and median in degrees (lower is better), each per item and averaged over the items with a normal map. Best per column in bold, among complete methods only.</p>
${table4Html(t.normals)}`
    : '';
  const notes = o.notes.length ? `<ul class="note">${o.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : '';
  const data = { curves: t.curves, pictures: o.pictures };
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${STYLE}</style>
<script>${o.plotly}</script>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p class="note">Generated ${escapeHtml(o.generated)} by ${escapeHtml(o.tool)} from ${t.provenance.length} results document(s). L1, L2 in mm (lower is better), NC normal consistency and R@2.5 the fraction of GT points within 2.5 mm (higher is better); best per column in bold, among complete methods only: a method with missing or failed items is marked incomplete and never best, since its means cover fewer items.</p>
<h2>Table 2</h2>
${table2Html(t.table2)}
${normalsSection}
<h2>Cumulative error curves</h2>
<div id="curves" class="plots"></div>
<h2>Per person</h2>
${breakdownHtml('by-person', 'Person', t.byPerson)}
<h2>Per expression rank</h2>
${rankSection}
<h2>Per view angle</h2>
<p class="note">Items grouped by the angle between the item camera's direction from the head and the head's forward direction (<code>view_angle_deg</code> of the benchmark manifest): 0–15°, 15–30°, 30–45°, 45–60° and 60°+, each bin from its lower edge (inclusive) to the next (exclusive).</p>
${viewSection}
<h2>Worst items</h2>
<p class="note">GT points coloured by distance (mm) to the prediction placed by the alignment <code>eval</code> stored for the task; the largest-L2 items of each method.</p>
<div id="worst" class="plots"></div>
${notes}
<h2>Per item</h2>
<p class="note">Click a column header to sort.</p>
${itemsHtml(t.items)}
<h2>Provenance</h2>
${provenanceHtml(t.provenance, t.items)}
${normalsProvenanceHtml(t.normals)}
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
