/**
 * `facebench report --figures DIR`: the report's figures as files a paper includes — the
 * qualitative panel rows as PNG, the breakdown charts as SVG, Table 2 as a booktabs LaTeX
 * table — and figures.json, an index of what was written.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../evaluators/errors.js';
import { writeFileAtomic } from '../evaluators/io/atomic.js';
import { breakdownCharts, chartSvg } from './charts.js';
import { TABLE2_METRICS, TABLE2_TASKS, type ReportTables, type Table2 } from './report-data.js';
import type { PanelRow } from './panels.js';
import { fileSlug, type FacescapeHeatPicture } from './facescape-report.js';

/** Escape text for LaTeX (text mode). */
export function latexEscape(text: string): string {
  return text.replace(/[\\{}$&#^_%~<>|]/g, (c) =>
    ({
      '\\': '\\textbackslash{}',
      '{': '\\{',
      '}': '\\}',
      $: '\\$',
      '&': '\\&',
      '#': '\\#',
      '^': '\\textasciicircum{}',
      _: '\\_',
      '%': '\\%',
      '~': '\\textasciitilde{}',
      '<': '\\textless{}',
      '>': '\\textgreater{}',
      '|': '\\textbar{}',
    })[c]!,
  );
}

/**
 * Table 2 as a booktabs LaTeX table (needs `\usepackage{booktabs}`): methods as rows, Neutral
 * and Posed × L1, L2, NC, R@2.5 as columns (lengths in mm, NC and R@2.5 as fractions), numbers
 * to 3 decimals, `--` where a method has no figure, the best value per column (Table 2's
 * `best`: complete methods only) in \textbf{}, an incomplete method marked with a dagger.
 */
export function table2Latex(t: Table2): string {
  const cols = TABLE2_TASKS.length * TABLE2_METRICS.length;
  const arrow = (better: string) => (better === 'lower' ? '$\\downarrow$' : '$\\uparrow$');
  const lines = [
    '% facebench report: Table 2 (needs \\usepackage{booktabs})',
    `\\begin{tabular}{l${'r'.repeat(cols)}}`,
    '\\toprule',
    ` & ${TABLE2_TASKS.map((task) => `\\multicolumn{${TABLE2_METRICS.length}}{c}{${task.label}}`).join(' & ')} \\\\`,
    TABLE2_TASKS.map((_, i) => `\\cmidrule(lr){${2 + i * TABLE2_METRICS.length}-${1 + (i + 1) * TABLE2_METRICS.length}}`).join(' '),
    `Method & ${TABLE2_TASKS.map(() => TABLE2_METRICS.map((m) => `${latexEscape(m.label)} ${arrow(m.better)}`).join(' & ')).join(' & ')} \\\\`,
    '\\midrule',
  ];
  let incomplete = false;
  for (const row of t.rows) {
    const cells = TABLE2_TASKS.flatMap(({ key: task }) =>
      TABLE2_METRICS.map(({ key }) => {
        const v = row.values[task][key];
        if (v === null) return '--';
        const text = v.toFixed(3);
        return (t.best[`${task}.${key}`] ?? []).includes(row.method) ? `\\textbf{${text}}` : text;
      }),
    );
    if (!row.complete) incomplete = true;
    lines.push(`${latexEscape(row.method)}${row.complete ? '' : '$^\\dagger$'} & ${cells.join(' & ')} \\\\`);
  }
  lines.push('\\bottomrule', '\\end{tabular}');
  if (incomplete) lines.push('% $^\\dagger$ incomplete: missing or failed items, never marked best');
  return `${lines.join('\n')}\n`;
}

export interface FigureIndex {
  panels: { file: string; person: string; item: string; task: string; pick: string; width: number; height: number; caption: string; l2: Record<string, number> }[];
  charts: { file: string; title: string; kind: string }[];
  tables: { file: string; table: string }[];
  /** FaceScape heat pictures of the worst samples (present only when there are some). */
  facescape?: { file: string; method: string; person: string; item: string; angleBin: string; cd: number; width: number; height: number; caption: string }[];
}

/**
 * Refuse a `--figures` path that exists and is not a folder, before anything is written.
 * Returns the absolute folder.
 */
export function checkFiguresDir(dir: string): string {
  const path = resolve(dir);
  if (existsSync(path) && !statSync(path).isDirectory()) throw new InputError(path, '--figures needs a folder, and this is a file');
  return path;
}

/**
 * Write the figures into `dir` (created when missing), each file atomically; figures.json last.
 * table2.tex only when Table 2 has rows (a report of FaceScape results alone has none); FaceScape
 * heat pictures as `facescape-<k>-<method>-<sample>.png`.
 */
export function writeFigures(dir: string, tables: ReportTables, panels: PanelRow[], heat: FacescapeHeatPicture[] = []): { dir: string; index: FigureIndex; files: string[] } {
  const path = checkFiguresDir(dir);
  mkdirSync(path, { recursive: true });
  const files: string[] = [];
  const index: FigureIndex = { panels: [], charts: [], tables: [] };
  panels.forEach((row, k) => {
    const file = `panel-${k + 1}-${row.task}.png`;
    writeFileAtomic(join(path, file), row.png);
    files.push(join(path, file));
    index.panels.push({ file, person: row.person, item: row.item, task: row.task, pick: row.pick, width: row.width, height: row.height, caption: row.caption, l2: row.l2 });
  });
  for (const spec of breakdownCharts(tables)) {
    const file = `${spec.id}.svg`;
    writeFileAtomic(join(path, file), chartSvg(spec));
    files.push(join(path, file));
    index.charts.push({ file, title: spec.title, kind: spec.kind });
  }
  if (tables.table2.rows.length > 0) {
    writeFileAtomic(join(path, 'table2.tex'), table2Latex(tables.table2));
    files.push(join(path, 'table2.tex'));
    index.tables.push({ file: 'table2.tex', table: 'Table 2 (booktabs)' });
  }
  if (heat.length > 0) index.facescape = [];
  heat.forEach((p, k) => {
    const file = `facescape-${k + 1}-${fileSlug(p.method)}-${fileSlug(p.item)}.png`;
    writeFileAtomic(join(path, file), p.png);
    files.push(join(path, file));
    index.facescape!.push({ file, method: p.method, person: p.person, item: p.item, angleBin: p.angleBin, cd: p.cd, width: p.width, height: p.height, caption: p.caption });
  });
  writeFileAtomic(join(path, 'figures.json'), `${JSON.stringify(index, null, 1)}\n`);
  files.push(join(path, 'figures.json'));
  return { dir: path, index, files };
}
