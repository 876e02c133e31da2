// Writes the API reference (docs/api.md) from the package's TypeScript declarations, so
// the reference is the types: `./dev api-docs` writes it, `./dev test` fails when the
// committed file differs from what the declarations say.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [pkg, out, tools] = process.argv.slice(2);
const ts = createRequire(join(resolve(tools), 'node_modules', 'x.js'))('typescript');

const ENTRIES = [
  ['paykka-web', 'paykka_web.d.ts'],
  ['paykka-web/wallets', 'paykka_web_wallets.d.ts'],
  ['paykka-web/apple-pay', 'paykka_web_apple_pay.d.ts'],
  ['paykka-web/google-pay', 'paykka_web_google_pay.d.ts'],
  ['paykka-web/checkout', 'paykka_web_checkout.d.ts'],
  ['paykka-web/inline', 'paykka_web_inline.d.ts'],
  ['paykka-web/full', 'paykka_web_full.d.ts'],
  ['paykka-web/frame', 'paykka_web_frame.d.ts'],
  ['paykka-web/wallet-probe', 'paykka-wallet-probe.d.ts'],
  ['paykka-web/elements', 'paykka-elements.d.ts'],
  ['paykka-web/paykka-compat.js', 'paykka-compat.d.ts'],
];
/** wasm-bindgen's loader plumbing, the same in every bundle. */
const PLUMBING = new Set(['InitInput', 'InitOutput', 'SyncInitInput', 'initSync', '__wbg_init']);

function docOf(node, text) {
  const ranges = ts.getLeadingCommentRanges(text, node.getFullStart()) ?? [];
  return ranges
    .map((r) => text.slice(r.pos, r.end))
    .filter((c) => c.startsWith('/**'))
    .map((c) => c.replace(/^\/\*\*|\*\/$/g, '').split('\n').map((l) => l.replace(/^\s*\* ?/, '').trim()).filter(Boolean).join(' '))
    .join(' ');
}

function nameOf(node) {
  return node.name ? node.name.getText() : (ts.isFunctionDeclaration(node) ? '__wbg_init' : null);
}

const seen = new Map();
let md = '# API reference\n\nGenerated from the package\'s TypeScript declarations by `./dev api-docs`; `./dev test`\nfails when this file and the declarations disagree. Each name is described under the first\nentry that exports it.\n';
for (const [entry, file] of ENTRIES) {
  const text = readFileSync(join(pkg, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const own = [];
  const shared = [];
  for (const node of source.statements) {
    if (ts.isImportDeclaration(node) || ts.isModuleDeclaration(node)) continue;
    const name = nameOf(node);
    if (!name || PLUMBING.has(name)) continue;
    if (seen.has(name)) {
      shared.push(name);
      continue;
    }
    seen.set(name, entry);
    own.push(node);
  }
  md += `\n## \`${entry}\` (\`${file}\`)\n`;
  if (shared.length) md += `\nAlso exports, as described above: ${shared.map((n) => `\`${n}\``).join(', ')}.\n`;
  for (const node of own) {
    const kind = ts.isClassDeclaration(node) ? 'class' : ts.isInterfaceDeclaration(node) ? 'interface' : ts.isTypeAliasDeclaration(node) ? 'type' : 'function';
    const doc = docOf(node, text);
    md += `\n### ${kind} \`${nameOf(node)}\`\n\n`;
    if (doc) md += `${doc}\n\n`;
    if (ts.isClassDeclaration(node)) {
      md += '| member | |\n|---|---|\n';
      for (const member of node.members) {
        if (ts.isConstructorDeclaration(member) && member.modifiers?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword)) continue;
        if (!member.name || member.name.getText().startsWith('__')) continue;
        const signature = member.getText().replace(/\s+/g, ' ').replace(/;$/, '').replace(/\|/g, '\\|');
        md += `| \`${signature}\` | ${docOf(member, text).replace(/\|/g, '\\|')} |\n`;
      }
    } else {
      md += '```ts\n' + node.getText().trim() + '\n```\n';
    }
  }
}
writeFileSync(out, md);
