import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  formatDiagnostic,
  sortDiagnostics
} from "./chunk-QIKD5X2T.js";

// src/core/progress.ts
var PROGRESS_EVERY_MS = 1e4;
function formatSpan(ms) {
  const s = Math.max(0, Math.round(ms / 1e3));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor(s / 60) % 60).padStart(2, "0")}m`;
}
function progressLine(what, unit, done, total, elapsedMs) {
  const pct = total > 0 ? Math.floor(done / total * 100) : 100;
  const left = done === 0 ? "no estimate yet" : `about ${formatSpan(elapsedMs / done * (total - done))} left`;
  return `${what}: ${done}/${total} ${unit} (${pct}%), ${formatSpan(elapsedMs)} elapsed, ${left}`;
}
function createProgress(opts) {
  const everyMs = opts.everyMs ?? PROGRESS_EVERY_MS;
  return {
    start(what, total, unit) {
      const startedAt = opts.now();
      let last = startedAt;
      let done = 0;
      let printed = false;
      let ended = false;
      const print = (text) => {
        if (!printed) opts.group?.start(`${what}: ${total} ${unit}`);
        printed = true;
        opts.line(text);
      };
      const due = () => {
        if (ended) return;
        const now = opts.now();
        if (now - last < everyMs) return;
        last = now;
        print(progressLine(what, unit, done, total, now - startedAt));
      };
      const at = (n) => {
        done = Math.max(0, Math.min(total, n));
        due();
      };
      const stop = opts.every?.(due, everyMs);
      return {
        tick: (n = 1) => at(done + n),
        at,
        end() {
          if (ended) return;
          ended = true;
          stop?.();
          if (!printed) return;
          opts.line(`${what}: ${done}/${total} ${unit} in ${formatSpan(opts.now() - startedAt)}`);
          opts.group?.end();
        }
      };
    }
  };
}

// src/cli/output.ts
function printJson(report) {
  return JSON.stringify(report, null, 2) + "\n";
}
function jsonReport(command, body) {
  return JSON.stringify({ rekey: 1, command, ...body }, null, 2) + "\n";
}
function diagnosticsText(ds) {
  if (ds.length === 0) return "";
  const lines = sortDiagnostics(ds).map(formatDiagnostic);
  return `${lines.join("\n")}

${ds.length} problem${ds.length === 1 ? "" : "s"}
`;
}
function timerHeartbeat(fn, ms) {
  const t = setInterval(fn, ms);
  t.unref();
  return () => clearInterval(t);
}
function cliProgress(io, every = timerHeartbeat) {
  return createProgress({
    now: () => io.now().getTime(),
    line: (text) => io.stderr(`${text}
`),
    ...every ? { every } : {}
  });
}

export {
  printJson,
  jsonReport,
  diagnosticsText,
  cliProgress
};
