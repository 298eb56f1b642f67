/** The server's web pages: the leaderboard, the upload form and a submission's live page (plain HTML, no outside assets). */
import { escapeHtml } from '../../reports/index.js';
import { leaderboardTable, type Leaderboard } from '../../reports/leaderboard.js';

const STYLE = `body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}th,td:nth-child(2){text-align:left}
nav a{margin-right:1em}.problems{color:#a00}label{display:block;margin:.6em 0}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><nav><a href="/">Leaderboard</a><a href="/submit">Submit</a></nav>
<h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}

export function leaderboardPage(board: Leaderboard | undefined): string {
  if (!board) return page('facebench leaderboard', '<p id="empty">No submission has been scored yet.</p>');
  const [header, ...rows] = leaderboardTable(board);
  const table = `<table id="leaderboard"><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n')}</tbody></table>`;
  return page('facebench leaderboard', `<p>Protocol <code>${escapeHtml(board.protocol)}</code>, ranked by ${escapeHtml(board.ranked_by)}; distances in mm.</p>\n${table}`);
}

export function uploadPage(maxUploadBytes: number): string {
  return page('Submit predictions', `<form id="upload">
<label>Token <input name="token" type="password" required autocomplete="off"></label>
<label>Method name <input name="method" required maxlength="64"></label>
<label>Submission zip (<code>facebench pack</code>; at most ${Math.round(maxUploadBytes / 1024 ** 2)} MB) <input name="file" type="file" accept=".zip" required></label>
<button type="submit">Submit</button>
</form>
<ul id="problems" class="problems"></ul>
<script>
document.getElementById('upload').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  const body = new FormData();
  body.append('method', form.method.value);
  body.append('file', form.file.files[0]);
  const problems = document.getElementById('problems');
  problems.textContent = '';
  const response = await fetch('/api/submissions', { method: 'POST', body, headers: { Authorization: 'Bearer ' + form.token.value } });
  const answer = await response.json();
  if (response.status === 201) { location.href = '/submissions/' + answer.id; return; }
  for (const line of answer.problems || [answer.error]) {
    const li = document.createElement('li');
    li.textContent = line;
    problems.appendChild(li);
  }
});
</script>`);
}

export function submissionPage(id: string): string {
  return page(`Submission ${id}`, `<p>Method: <b id="method"></b>. Status: <b id="status">…</b> <span id="progress"></span></p>
<p id="error" class="problems"></p>
<p id="report" hidden><a href="/submissions/${id}/report">Full report</a> (Table 2, breakdowns, error curves)</p>
<table id="figures" hidden><thead><tr><th>task</th><th>items</th><th>scored</th><th>L1</th><th>L2</th><th>NC</th><th>R@2.5</th></tr></thead><tbody></tbody></table>
<script>
const id = ${JSON.stringify(id)};
const fmt = (v) => (typeof v === 'number' ? v.toFixed(3) : 'n/a');
async function poll() {
  const s = await (await fetch('/api/submissions/' + id)).json();
  document.getElementById('method').textContent = s.method;
  document.getElementById('status').textContent = s.status;
  document.getElementById('progress').textContent = '(' + s.progress.done + ' / ' + s.progress.total + ' tasks)';
  if (s.error) document.getElementById('error').textContent = s.error;
  if (s.status === 'done') {
    const body = document.querySelector('#figures tbody');
    body.textContent = '';
    for (const [task, f] of Object.entries(s.figures)) {
      const tr = document.createElement('tr');
      for (const v of [task, f.items, f.scored, fmt(f.metrics.l1), fmt(f.metrics.l2), fmt(f.metrics.nc), fmt(f.metrics.r2_5)]) {
        const td = document.createElement('td');
        td.textContent = String(v);
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
    document.getElementById('figures').hidden = false;
    document.getElementById('report').hidden = false;
    return;
  }
  if (s.status !== 'failed') setTimeout(poll, 500);
}
poll();
</script>`);
}
