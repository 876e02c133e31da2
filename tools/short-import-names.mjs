// Renames a wasm-bindgen bundle's imports to short names, in the wasm and its JS glue alike.
//
// wasm-bindgen names each import after the JS it calls plus a 16-digit hash
// (`__wbg_addEventListener_f2d27251d333a631`), and writes each name twice: in the wasm's
// import section and as a key of the JS glue's import object. The hashes do not compress:
// on the page bundle the names cost 3.8 KB gzip. Each import also repeats its module's
// name (`./paykka_web_bg.js`). Only the glue reads these names, so they can be anything
// unique: the imports become `a`, `b`…, their module `w`.
//
//   node tools/short-import-names.mjs <dir> <name>
// rewrites <dir>/<name>_bg.wasm and <dir>/<name>.js in place (run it right after
// wasm-bindgen, before wasm-opt and terser).
import { readFileSync, writeFileSync } from "node:fs";

const [dir, name] = process.argv.slice(2);
if (!dir || !name) throw new Error("usage: short-import-names.mjs <dir> <name>");
const wasmPath = `${dir}/${name}_bg.wasm`;
const jsPath = `${dir}/${name}.js`;
const glueModule = `./${name}_bg.js`;
const IMPORT_SECTION = 2;
const SHORT_MODULE = "w";

/** Reads an unsigned LEB128 number at `at`: [value, the offset after it]. */
function readLeb(bytes, at) {
  let value = 0n;
  let shift = 0n;
  for (;;) {
    const byte = bytes[at++];
    if (byte === undefined) throw new Error(`${wasmPath}: truncated number`);
    value |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
    if (byte < 0x80) return [Number(value), at];
  }
}

function leb(value) {
  const out = [];
  do {
    const low = value & 0x7f;
    value >>>= 7;
    out.push(value ? low | 0x80 : low);
  } while (value);
  return out;
}

function readName(bytes, at) {
  const [length, start] = readLeb(bytes, at);
  return [Buffer.from(bytes.subarray(start, start + length)).toString("utf8"), start + length];
}

function nameBytes(text) {
  const utf8 = Buffer.from(text, "utf8");
  return [...leb(utf8.length), ...utf8];
}

/** The offset after an import's descriptor (function, table, memory, global or tag). */
function skipDescriptor(bytes, at) {
  const kind = bytes[at++];
  const skipLimits = (from) => {
    const flags = bytes[from];
    let next = readLeb(bytes, from + 1)[1];
    if (flags & 1) next = readLeb(bytes, next)[1];
    return next;
  };
  switch (kind) {
    case 0: return readLeb(bytes, at)[1];
    case 1: return skipLimits(at + 1);
    case 2: return skipLimits(at);
    case 3: return at + 2;
    case 4: return readLeb(bytes, at + 1)[1];
    default: throw new Error(`${wasmPath}: unknown import kind ${kind}`);
  }
}

/** `a`…`z`, `A`…`Z`, then `aa`, `ab`…: valid as unquoted JS property names. */
function shortName(index) {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  let text = "";
  for (let n = index; ; n = Math.floor(n / letters.length) - 1) {
    text = letters[n % letters.length] + text;
    if (n < letters.length) return text;
  }
}

/** The import section with the glue's imports renamed, and the renames made. */
function renameImports(section) {
  const renames = new Map();
  let [count, at] = readLeb(section, 0);
  const out = [...leb(count)];
  while (count-- > 0) {
    const [module, afterModule] = readName(section, at);
    const [field, afterField] = readName(section, afterModule);
    const end = skipDescriptor(section, afterField);
    const ours = module === glueModule;
    const renamed = ours ? shortName(renames.size) : field;
    if (ours) renames.set(field, renamed);
    out.push(...nameBytes(ours ? SHORT_MODULE : module), ...nameBytes(renamed));
    out.push(...section.subarray(afterField, end));
    at = end;
  }
  return [Uint8Array.from(out), renames];
}

const wasm = readFileSync(wasmPath);
const sections = [wasm.subarray(0, 8)];
let renames = new Map();
for (let at = 8; at < wasm.length; ) {
  const id = wasm[at];
  const [size, start] = readLeb(wasm, at + 1);
  let body = wasm.subarray(start, start + size);
  if (id === IMPORT_SECTION) [body, renames] = renameImports(body);
  sections.push(Uint8Array.from([id, ...leb(body.length)]), body);
  at = start + size;
}

// Each old name must be exactly one key of the glue's import object: anything else means
// wasm-bindgen's output changed shape, and renaming could break the link.
let js = readFileSync(jsPath, "utf8");
renames.set(JSON.stringify(glueModule), SHORT_MODULE);
for (const [old, renamed] of renames) {
  const literal = old.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const key = new RegExp(`(?<![\\w$"])${literal}(?![\\w$"])`, "g");
  const uses = js.match(key)?.length ?? 0;
  if (uses !== 1) throw new Error(`${jsPath}: import ${old} appears ${uses} times, not once`);
  js = js.replace(key, renamed);
}
writeFileSync(wasmPath, Buffer.concat(sections));
writeFileSync(jsPath, js);
