/**
 * The leaderboard server's own records, in SQLite (`<data>/facebench.sqlite`): access tokens
 * (stored as SHA-256 hashes), submissions, and one task record per (submission, task), written
 * once: a task scored twice (a job retried after a worker died) is not counted twice.
 */
import { createHash, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { TaskRecord } from '../../evaluators/formats/index.js';

export type SubmissionStatus = 'queued' | 'scoring' | 'done' | 'failed';

export interface SubmissionRow {
  id: string;
  method: string;
  token: string;
  status: SubmissionStatus;
  total: number;
  done: number;
  sha256: string;
  created: string;
  error: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tokens (name TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS submissions (
  id TEXT PRIMARY KEY, method TEXT NOT NULL, token TEXT NOT NULL, status TEXT NOT NULL,
  total INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0, sha256 TEXT NOT NULL, created TEXT NOT NULL, error TEXT
);
CREATE INDEX IF NOT EXISTS submissions_sha ON submissions (sha256, status);
CREATE TABLE IF NOT EXISTS records (
  submission TEXT NOT NULL REFERENCES submissions (id), task TEXT NOT NULL, record TEXT NOT NULL,
  PRIMARY KEY (submission, task)
);
`;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class ServerDb {
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
  }

  close(): void {
    this.db.close();
  }

  /** A new token for `name` (replacing an earlier one of that name); only its hash is kept. */
  addToken(name: string): string {
    const token = randomBytes(24).toString('base64url');
    this.db.prepare('INSERT OR REPLACE INTO tokens (name, hash, created) VALUES (?, ?, ?)').run(name, hashToken(token), new Date().toISOString());
    return token;
  }

  /** The name a token was issued to, or undefined. */
  tokenName(token: string): string | undefined {
    const row = this.db.prepare('SELECT name FROM tokens WHERE hash = ?').get(hashToken(token)) as { name: string } | undefined;
    return row?.name;
  }

  addSubmission(row: Omit<SubmissionRow, 'done' | 'error' | 'status'>): void {
    this.db.prepare('INSERT INTO submissions (id, method, token, status, total, done, sha256, created) VALUES (?, ?, ?, \'queued\', ?, 0, ?, ?)')
      .run(row.id, row.method, row.token, row.total, row.sha256, row.created);
  }

  submission(id: string): SubmissionRow | undefined {
    return this.db.prepare('SELECT * FROM submissions WHERE id = ?').get(id) as SubmissionRow | undefined;
  }

  /** Submissions not yet done or failed. */
  unfinished(): SubmissionRow[] {
    return this.db.prepare("SELECT * FROM submissions WHERE status IN ('queued', 'scoring') ORDER BY created").all() as SubmissionRow[];
  }

  /** Done submissions, oldest first. */
  finished(): SubmissionRow[] {
    return this.db.prepare("SELECT * FROM submissions WHERE status = 'done' ORDER BY created, id").all() as SubmissionRow[];
  }

  /** A submission of the same file still being scored. */
  activeWithHash(sha256: string): SubmissionRow | undefined {
    return this.db.prepare("SELECT * FROM submissions WHERE sha256 = ? AND status IN ('queued', 'scoring')").get(sha256) as SubmissionRow | undefined;
  }

  /**
   * Store a task's record once; the submission's count goes up only when it is new. Returns the
   * submission as it stands afterwards.
   */
  addRecord(submission: string, task: string, record: TaskRecord): SubmissionRow | undefined {
    return this.db.transaction(() => {
      const inserted = this.db.prepare('INSERT OR IGNORE INTO records (submission, task, record) VALUES (?, ?, ?)').run(submission, task, JSON.stringify(record));
      if (inserted.changes > 0) {
        this.db.prepare("UPDATE submissions SET done = done + 1, status = CASE WHEN status = 'queued' THEN 'scoring' ELSE status END WHERE id = ?").run(submission);
      }
      return this.submission(submission);
    })();
  }

  records(submission: string): Map<string, TaskRecord> {
    const rows = this.db.prepare('SELECT task, record FROM records WHERE submission = ?').all(submission) as { task: string; record: string }[];
    return new Map(rows.map((r) => [r.task, JSON.parse(r.record) as TaskRecord]));
  }

  setStatus(id: string, status: SubmissionStatus, error?: string): void {
    this.db.prepare('UPDATE submissions SET status = ?, error = ? WHERE id = ?').run(status, error ?? null, id);
  }
}
