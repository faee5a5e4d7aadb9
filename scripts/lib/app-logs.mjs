// Prints the apps' output in one terminal: every line prefixed with its app's name, and the apps'
// JSON (pino) lines rendered readably by pino-pretty unless START_LOG_FORMAT=json asks for them raw.
import { createInterface } from 'node:readline';
import { prettyFactory, isColorSupported } from 'pino-pretty';

const COLORS = [36, 35, 33, 32, 34, 96, 95]; // cyan, magenta, yellow, green, blue, ...

export function createAppLogs({ apps, format = 'pretty', out = process.stdout }) {
  const colorize = Boolean(out.isTTY) && isColorSupported && !process.env.NO_COLOR;
  const width = Math.max(...apps.map((app) => app.length), 'start'.length);
  const pretty = prettyFactory({
    colorize,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    messageKey: 'msg',
    ignore: 'pid,hostname,app,context',
    messageFormat: '{if context}[{context}] {end}{msg}',
  });

  const prefixes = new Map(
    [...apps, 'start'].map((name, index) => {
      const label = name.padEnd(width);
      const color = name === 'start' ? 1 : COLORS[index % COLORS.length];
      return [name, colorize ? `\u001b[${color}m${label}\u001b[0m | ` : `${label} | `];
    }),
  );

  function render(line) {
    if (format === 'json' || !line.startsWith('{')) return line;
    try {
      return pretty(JSON.parse(line)).replace(/\n$/, '');
    } catch {
      return line;
    }
  }

  function write(name, text) {
    const prefix = prefixes.get(name) ?? `${name} | `;
    out.write(
      text
        .split('\n')
        .map((part) => prefix + part)
        .join('\n') + '\n',
    );
  }

  return {
    /** Forwards a child's stdout/stderr line by line; resolves when both streams have ended. */
    follow(name, child) {
      const streams = [child.stdout, child.stderr].filter(Boolean);
      return Promise.all(
        streams.map(
          (stream) =>
            new Promise((resolve) => {
              const lines = createInterface({ input: stream, crlfDelay: Infinity });
              lines.on('line', (line) => write(name, render(line)));
              lines.on('close', resolve);
            }),
        ),
      );
    },
    /** A line from the start script itself. */
    info(text) {
      write('start', text);
    },
  };
}
