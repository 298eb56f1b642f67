import { TABLE2_METRICS, TABLE2_TASKS, TABLE4_METRICS, type BreakdownRow, type NormalsTable, type ReportTables } from './report-data.js';
import { breakdownCharts, methodColour, type ChartSpec } from './charts.js';
import type { PanelRow } from './panels.js';
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
*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;margin:1.5rem auto;padding:0 1.5rem;color:#222;max-width:1400px}
h1{font-size:1.5rem}h2{margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5rem 0;font-size:.85rem}
th,td{border:1px solid #ccc;padding:.2rem .5rem}th{background:#f3f3f3}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.best{background:#dff0d8}#table2 tr.incomplete,#table4 tr.incomplete{color:#a00;background:#fff4f4}
td.failed{color:#a00;font-weight:bold}td.err{max-width:30rem;overflow-wrap:anywhere;font-size:.75rem}
.scroll{max-width:100%;overflow-x:auto}
#items-table th{cursor:pointer;user-select:none}#items-table th.asc::after{content:" ▲"}#items-table th.desc::after{content:" ▼"}
.plots{display:grid;grid-template-columns:repeat(auto-fit,minmax(400px,1fr));gap:1rem}
figure.chart{margin:0;min-width:0}figure.chart figcaption{font-weight:600;font-size:.9rem;margin-bottom:.25rem}.plot{width:100%;height:360px}
details{margin:.5rem 0}summary{cursor:pointer;color:#245}
#panels figure{margin:0 0 1.25rem 0}#panels img{max-width:100%;height:auto;display:block;border:1px solid #ddd}figcaption{font-size:.8rem}
.viewer{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}.viewer canvas{border:1px solid #ccc;cursor:grab;width:640px;height:520px;max-width:100%;touch-action:none}
.viewer-side{flex:1 1 260px;min-width:240px;font-size:.85rem}.viewer-side label{display:block;margin:.3rem 0}.viewer-side select{max-width:100%}
.ramp{display:inline-block;width:160px;height:12px;vertical-align:middle;margin:0 .4rem;background:linear-gradient(to right,#440154,#482878,#3e4989,#31688e,#26828e,#1f9e89,#35b779,#6ece58,#b5de2b,#fde725)}
figure.facescape-heat{margin:0 0 1rem 0}figure.facescape-heat img{max-width:100%;height:auto;display:block;border:1px solid #ddd;image-rendering:pixelated}
pre{background:#f7f7f7;padding:.5rem;font-size:.75rem;max-width:100%;overflow-x:auto}.note{color:#666;font-size:.85rem}
`;

/** Client script: plots from the embedded data, the 3D view, and header-click sorting of the per-item table. */
const SCRIPT = `
(function(){
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var config = {displaylogo: false, responsive: true, modeBarButtonsToRemove: ['select2d', 'lasso2d', 'autoScale2d']};
  var margin = {t: 28, r: 10, l: 60, b: 56};
  /* plotly reads a subset of HTML in names and labels: show them as text. */
  function esc(text){ return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'); }
  /* Plots are drawn one per task after the page has loaded, so the tables show at once. */
  var queue = [];
  function later(job){ queue.push(job); }
  function drain(){
    var job = queue.shift();
    if (!job) { document.body.setAttribute('data-plots-done', 'true'); return; }
    job(); setTimeout(drain, 0);
  }
  function figure(box, title){
    var fig = document.createElement('figure'); fig.className = 'chart';
    var cap = document.createElement('figcaption'); cap.textContent = title; fig.appendChild(cap);
    var div = document.createElement('div'); div.className = 'plot'; fig.appendChild(div);
    box.appendChild(fig); return div;
  }
  var tasks = {};
  data.curves.forEach(function(c){ (tasks[c.task] = tasks[c.task] || []).push(c); });
  var box = document.getElementById('curves');
  Object.keys(tasks).sort().forEach(function(task){
    var div = figure(box, task + ': fraction of GT points within d');
    later(function(){ Plotly.newPlot(div, tasks[task].map(function(c){ return {x: c.thresholds, y: c.fraction, mode: 'lines', name: esc(c.method), line: {color: data.colours[c.method]}}; }),
      {xaxis: {title: {text: 'd (mm)'}, range: [0, 10]}, yaxis: {title: {text: 'fraction'}, range: [0, 1]}, margin: margin, legend: {orientation: 'h', y: -0.22}}, config); });
  });
  data.charts.forEach(function(c){
    var div = document.getElementById('chart-' + c.id);
    if (!div) return;
    var x = c.categories.map(esc);
    var traces = c.series.map(function(s){
      return c.kind === 'line'
        ? {type: 'scatter', mode: 'lines+markers', x: x, y: s.y, name: esc(s.name), line: {color: s.colour}, marker: {size: 5}}
        : {type: 'bar', x: x, y: s.y, name: esc(s.name), marker: {color: s.colour}};
    });
    later(function(){ Plotly.newPlot(div, traces, {barmode: 'group', xaxis: {title: {text: esc(c.xLabel)}, type: 'category'}, yaxis: {title: {text: esc(c.yLabel)}, rangemode: 'tozero'}, margin: margin, legend: {orientation: 'h', y: -0.22}}, config); });
  });
  later(function(){ viewer(data.pictures); });
  if (document.readyState === 'complete') setTimeout(drain, 0);
  else window.addEventListener('load', function(){ setTimeout(drain, 0); });
  var table = document.getElementById('items-table');
  var heads = table ? table.tHead.rows[0].cells : [];
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

  /* The 3D view: GT points coloured by distance (viridis, 0 to 5 mm) and the aligned prediction
     mesh (translucent, shaded), orthographic, drawn back to front on a canvas; drag to rotate,
     wheel to zoom. Positions arrive as int16 multiples of data.quantum mm around a centre. */
  function viewer(pictures){
    var canvas = document.getElementById('view3d');
    if (!canvas || !pictures.length) return;
    var pick = document.getElementById('view3d-pick'), caption = document.getElementById('view3d-caption');
    var showPoints = document.getElementById('view3d-points'), showMesh = document.getElementById('view3d-mesh');
    var ctx = canvas.getContext('2d');
    var VIRIDIS = [[68,1,84],[72,40,120],[62,73,137],[49,104,142],[38,130,142],[31,158,137],[53,183,121],[110,206,88],[181,222,43],[253,231,37]];
    function colour(d){
      var t = Math.max(0, Math.min(1, d / 5)) * (VIRIDIS.length - 1), i = Math.min(VIRIDIS.length - 2, Math.floor(t)), f = t - i, a = VIRIDIS[i], b = VIRIDIS[i + 1];
      return 'rgb(' + Math.round(a[0] + f * (b[0] - a[0])) + ',' + Math.round(a[1] + f * (b[1] - a[1])) + ',' + Math.round(a[2] + f * (b[2] - a[2])) + ')';
    }
    function buffer(b64){ var s = atob(b64), u = new Uint8Array(s.length); for (var i = 0; i < s.length; i++) u[i] = s.charCodeAt(i); return u.buffer; }
    var decoded = {};
    function decode(k){
      if (decoded[k]) return decoded[k];
      var p = pictures[k], q = data.quantum;
      var gt = new Int16Array(buffer(p.gt)), dist = new Uint16Array(buffer(p.d));
      var pts = new Float32Array(gt.length); for (var i = 0; i < gt.length; i++) pts[i] = gt[i] * q;
      var ds = new Float32Array(dist.length); for (i = 0; i < dist.length; i++) ds[i] = dist[i] / 1000;
      var verts = null, faces = null;
      if (p.mv) {
        var mv = new Int16Array(buffer(p.mv)); verts = new Float32Array(mv.length); for (i = 0; i < mv.length; i++) verts[i] = mv[i] * q;
        faces = p.wide ? new Uint32Array(buffer(p.mf)) : new Uint16Array(buffer(p.mf));
      }
      var r = 1; for (i = 0; i < pts.length; i += 3) r = Math.max(r, Math.sqrt(pts[i] * pts[i] + pts[i + 1] * pts[i + 1] + pts[i + 2] * pts[i + 2]));
      return (decoded[k] = {pts: pts, ds: ds, verts: verts, faces: faces, radius: r});
    }
    var state = {k: 0, yaw: 0, pitch: 0, zoom: 1}, queued = false;
    function draw(){
      queued = false;
      var m = decode(state.k), dpr = window.devicePixelRatio || 1, W = canvas.clientWidth || 640, H = canvas.clientHeight || 520;
      if (canvas.width !== Math.round(W * dpr)) { canvas.width = Math.round(W * dpr); canvas.height = Math.round(H * dpr); }
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0); ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, W, H);
      var cy = Math.cos(state.yaw), sy = Math.sin(state.yaw), cp = Math.cos(state.pitch), sp = Math.sin(state.pitch);
      var s = state.zoom * 0.47 * Math.min(W, H) / m.radius;
      function rot(src){
        var out = new Float32Array(src.length);
        for (var i = 0; i < src.length; i += 3) {
          var x = src[i], y = src[i + 1], z = src[i + 2];
          var x1 = cy * x + sy * z, z1 = -sy * x + cy * z;
          var y2 = cp * y - sp * z1, z2 = sp * y + cp * z1;
          out[i] = W / 2 + s * x1; out[i + 1] = H / 2 - s * y2; out[i + 2] = z2;
        }
        return out;
      }
      var items = [], depth = [];
      var P = showPoints.checked ? rot(m.pts) : null, V = showMesh.checked && m.verts ? rot(m.verts) : null;
      if (P) for (var i = 0; i < P.length / 3; i++) { items.push(i); depth.push(P[3 * i + 2]); }
      var nPts = items.length;
      if (V) for (var f = 0; f < m.faces.length / 3; f++) {
        var a = 3 * m.faces[3 * f], b = 3 * m.faces[3 * f + 1], c = 3 * m.faces[3 * f + 2];
        items.push(-1 - f); depth.push((V[a + 2] + V[b + 2] + V[c + 2]) / 3);
      }
      var order = items.map(function(_, j){ return j; }).sort(function(x, y){ return depth[x] - depth[y]; });
      var size = Math.max(1.5, Math.min(4, 2.2 * state.zoom));
      for (var o = 0; o < order.length; o++) {
        var it = items[order[o]];
        if (it >= 0) { ctx.fillStyle = colour(m.ds[it]); ctx.fillRect(P[3 * it] - size / 2, P[3 * it + 1] - size / 2, size, size); continue; }
        f = -1 - it; a = 3 * m.faces[3 * f]; b = 3 * m.faces[3 * f + 1]; c = 3 * m.faces[3 * f + 2];
        var ux = V[b] - V[a], uy = V[b + 1] - V[a + 1], uz = V[b + 2] - V[a + 2], vx = V[c] - V[a], vy = V[c + 1] - V[a + 1], vz = V[c + 2] - V[a + 2];
        var nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx, len = Math.sqrt(nx * nx + ny * ny + nz * nz) || 1;
        var g = Math.round(110 + 130 * Math.abs(nz / len));
        ctx.fillStyle = 'rgba(' + g + ',' + g + ',' + (g + 10) + ',0.55)';
        ctx.beginPath(); ctx.moveTo(V[a], V[a + 1]); ctx.lineTo(V[b], V[b + 1]); ctx.lineTo(V[c], V[c + 1]); ctx.closePath(); ctx.fill();
      }
      void nPts;
    }
    function redraw(){ if (!queued) { queued = true; requestAnimationFrame(draw); } }
    pictures.forEach(function(p, k){ var o = document.createElement('option'); o.value = String(k); o.textContent = p.method + ' — ' + p.person + '/' + p.item + ' (' + p.task + ')'; pick.appendChild(o); });
    function describe(){
      var p = pictures[state.k];
      caption.textContent = p.method + ' — ' + p.person + '/' + p.item + ' (' + p.task + '): L2 ' + p.l2.toFixed(3) + ' mm; ' + p.n + ' of ' + p.points + ' scored GT points' + (p.mv ? '; prediction mesh ' + p.mn + ' of ' + p.vertices + ' vertices (clustered)' : '; no prediction mesh');
    }
    pick.addEventListener('change', function(){ state.k = Number(pick.value); describe(); redraw(); });
    showPoints.addEventListener('change', redraw); showMesh.addEventListener('change', redraw);
    document.getElementById('view3d-reset').addEventListener('click', function(){ state.yaw = 0; state.pitch = 0; state.zoom = 1; redraw(); });
    var drag = null;
    canvas.addEventListener('pointerdown', function(e){ drag = {x: e.clientX, y: e.clientY}; canvas.setPointerCapture(e.pointerId); });
    canvas.addEventListener('pointermove', function(e){
      if (!drag) return;
      state.yaw += (e.clientX - drag.x) * 0.01; state.pitch = Math.max(-1.5, Math.min(1.5, state.pitch + (e.clientY - drag.y) * 0.01));
      drag = {x: e.clientX, y: e.clientY}; redraw();
    });
    canvas.addEventListener('pointerup', function(){ drag = null; });
    canvas.addEventListener('wheel', function(e){ e.preventDefault(); state.zoom = Math.max(0.3, Math.min(8, state.zoom * Math.exp(-e.deltaY * 0.001))); redraw(); }, {passive: false});
    describe(); draw();
    canvas.setAttribute('data-ready', 'true');
  }
})();
`;

/** Positions in the page's 3D data are int16 multiples of this many mm around each picture's centre. */
export const VIEW_QUANTUM_MM = 0.02;

const base64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

/**
 * One worst-item picture for the page's 3D view, compactly: GT positions and the prediction
 * mesh's vertices as little-endian int16 multiples of VIEW_QUANTUM_MM around the GT points'
 * bounding-box centre, distances as uint16 µm (capped at 65.535 mm), faces as uint16 (uint32
 * when `wide`), each base64.
 */
export function encodePicture(p: ErrorPicture): Record<string, unknown> {
  const n = p.positions.length / 3;
  const centre = [0, 1, 2].map((a) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = a; i < p.positions.length; i += 3) {
      lo = Math.min(lo, p.positions[i]);
      hi = Math.max(hi, p.positions[i]);
    }
    return n ? (lo + hi) / 2 : 0;
  });
  const quantise = (v: ArrayLike<number>) => Int16Array.from(v as ArrayLike<number>, (x, i) => Math.max(-32767, Math.min(32767, Math.round((x - centre[i % 3]) / VIEW_QUANTUM_MM))));
  const out: Record<string, unknown> = {
    method: p.method,
    person: p.person,
    item: p.item,
    task: p.task,
    l2: p.l2,
    points: p.points,
    n,
    gt: base64(quantise(p.positions)),
    d: base64(Uint16Array.from(p.distances, (d) => Math.max(0, Math.min(65535, Math.round(d * 1000))))),
  };
  if (p.prediction && p.prediction.faces.length > 0) {
    const mn = p.prediction.positions.length / 3;
    const wide = mn > 65535;
    Object.assign(out, {
      mv: base64(quantise(p.prediction.positions)),
      mf: base64(wide ? Uint32Array.from(p.prediction.faces) : Uint16Array.from(p.prediction.faces)),
      wide,
      mn,
      vertices: p.prediction.vertices,
    });
  }
  return out;
}

function panelsHtml(rows: PanelRow[]): string {
  if (rows.length === 0) return '<p class="note" id="panels-none">No qualitative panels (see the notes below).</p>';
  const intro =
    '<p class="note">Per row: the input crop, each method\'s prediction placed by its stored alignment over the crop, and each method\'s error map (GT points coloured by distance to the placed prediction, one colour scale per row); the items are the worst, median and best of one method unless chosen with <code>--panel-items</code>.</p>';
  return rows
    .map((r, k) => {
      return (
        `<figure class="panel-row" id="panel-${k + 1}" data-task="${escapeHtml(r.task)}" data-pick="${escapeHtml(r.pick)}"><img src="data:image/png;base64,${r.png.toString('base64')}" width="${r.width}" height="${r.height}" alt="${escapeHtml(r.caption)}">` +
        `<figcaption>${escapeHtml(r.caption)}</figcaption></figure>`
      );
    })
    .join('\n')
    .replace(/^/, `${intro}\n`);
}

function chartsHtml(specs: ChartSpec[], prefix: string): string {
  const mine = specs.filter((c) => c.id.startsWith(`${prefix}-`));
  return `<div class="plots">${mine.map((c) => `<figure class="chart"><figcaption>${escapeHtml(c.title)}</figcaption><div class="plot" id="chart-${escapeHtml(c.id)}"></div></figure>`).join('')}</div>`;
}

export interface RenderOptions {
  tables: ReportTables;
  pictures: ErrorPicture[];
  /** Qualitative panel rows (reports/panels.ts), embedded as PNG. */
  panels?: PanelRow[];
  notes: string[];
  /** plotly.js source (the basic bundle), inlined so the file opens offline. */
  plotly: string;
  title?: string;
  generated: string;
  tool: string;
  /**
   * The "FaceScape (CD, MNE, CR)" section (reports/facescape-report.ts facescapeSectionHtml) and
   * its methods, when FaceScape results were given: they are left out of every other section.
   */
  facescape?: { html: string; methods: string[] };
}

/** The self-contained report page. */
export function renderReportHtml(o: RenderOptions): string {
  const t = o.tables;
  const title = o.title ?? 'facebench report';
  const charts = breakdownCharts(t);
  const details = (summary: string, body: string) => `<details><summary>${escapeHtml(summary)}</summary><div class="scroll">${body}</div></details>`;
  const rankSection = t.byRank.length
    ? `${chartsHtml(charts, 'rank')}\n${details(`Table: by expression rank (${t.byRank.length} rows)`, breakdownHtml('by-rank', 'Expression rank', t.byRank))}`
    : '<p class="note">No benchmark manifest with expression ranks could be read; only the per-person breakdown is shown.</p>';
  const viewSection = t.byView.length
    ? `${chartsHtml(charts, 'view')}\n${details(`Table: by view angle (${t.byView.length} rows)`, breakdownHtml('by-view', 'View angle', t.byView))}`
    : '<p class="note">The benchmark manifest records no view angles (a benchmark built before <code>view_angle_deg</code> was recorded, or no readable manifest); rebuild it for the per-view-angle breakdown.</p>';
  const normalsSection = t.normals
    ? `<h2>Normal estimation (Table 4)</h2>
<p class="note">Predicted normal maps of each item's crop against its GT normal map (<code>facebench eval-normals</code>): cosine similarity over the GT-valid face pixels (higher is better; a pixel without a prediction counts as 0) and the angular error's mean and median in degrees (lower is better), each per item and averaged over the items with a normal map. Best per column in bold, among complete methods only.</p>
<div class="scroll">${table4Html(t.normals)}</div>`
    : '';
  const notes = o.notes.length ? `<ul class="note">${o.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : '';
  const colours = Object.fromEntries(t.table2.rows.map((r, i) => [r.method, methodColour(i)]));
  const data = { curves: t.curves, charts, colours, quantum: VIEW_QUANTUM_MM, pictures: o.pictures.map(encodePicture) };
  const viewer = o.pictures.length
    ? `<div class="viewer"><canvas id="view3d" width="640" height="520" aria-label="3D view: GT points coloured by error and the aligned prediction mesh"></canvas>
<div class="viewer-side"><label>Item <select id="view3d-pick"></select></label>
<label><input type="checkbox" id="view3d-points" checked> GT points, coloured by distance</label>
<label><input type="checkbox" id="view3d-mesh" checked> aligned prediction mesh</label>
<button type="button" id="view3d-reset">Reset view</button>
<p>0<span class="ramp"></span>≥ 5 mm</p>
<p id="view3d-caption"></p>
<p class="note">Drag to rotate, scroll to zoom.</p></div></div>`
    : '<p class="note" id="view3d-none">No worst-item picture (see the notes below).</p>';
  const fsMethods = o.facescape ? [...new Set(o.facescape.methods)].map(escapeHtml).join(', ') : '';
  const fsNote = o.facescape ? `<p class="note" id="facescape-left-out">FaceScape results (${fsMethods}) are in the FaceScape section below, not in Table 2, the curves, breakdowns, panels or 3D views.</p>` : '';
  const head = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${STYLE}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>`;
  const tail = `<h2>Provenance</h2>
<div class="scroll">${provenanceHtml(t.provenance, t.items)}</div>
<div class="scroll">${normalsProvenanceHtml(t.normals)}</div>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${o.plotly}</script>
<script>${SCRIPT}</script>
</body></html>
`;
  if (o.facescape && t.table2.rows.length === 0) {
    return `${head}
<p class="note">Generated ${escapeHtml(o.generated)} by ${escapeHtml(o.tool)} from ${t.provenance.length} results document(s), all of FaceScape protocols: the nersemble/NoW sections (Table 2, curves, breakdowns, panels, 3D views) do not apply.</p>
${normalsSection}
${o.facescape.html}
${notes}
${tail}`;
  }
  return `${head}
<p class="note">Generated ${escapeHtml(o.generated)} by ${escapeHtml(o.tool)} from ${t.provenance.length} results document(s). L1, L2 in mm (lower is better), NC normal consistency and R@2.5 the fraction of GT points within 2.5 mm (higher is better); best per column in bold, among complete methods only: a method with missing or failed items is marked incomplete and never best, since its means cover fewer items.</p>
<h2>Table 2</h2>
${fsNote}
<div class="scroll">${table2Html(t.table2)}</div>
${normalsSection}
<h2>Cumulative error curves</h2>
<div id="curves" class="plots"></div>
<h2>Error by expression rank</h2>
${rankSection}
<h2>Error by person</h2>
${chartsHtml(charts, 'person')}
${details(`Table: by person (${t.byPerson.length} rows)`, breakdownHtml('by-person', 'Person', t.byPerson))}
<h2>Error by view angle</h2>
<p class="note">Items grouped by the angle between the item camera's direction from the head and the head's forward direction (<code>view_angle_deg</code> of the benchmark manifest): 0–15°, 15–30°, 30–45°, 45–60° and 60°+, each bin from its lower edge (inclusive) to the next (exclusive).</p>
${viewSection}
<h2>Qualitative results</h2>
<section id="panels">
${panelsHtml(o.panels ?? [])}
</section>
<h2>3D view of the worst items</h2>
<p class="note">GT points coloured by distance (mm) to the prediction placed by the alignment <code>eval</code> stored for the task, and that prediction's mesh in the GT frame; the largest-L2 items of each method.</p>
<section id="worst">${viewer}</section>
${notes}
<h2>Per item</h2>
${details(`Per-item scores (${t.items.length} rows; click a column header to sort)`, itemsHtml(t.items))}
${o.facescape?.html ?? ''}
${tail}`;
}

