// Generates es6-numbers.txt: golden values for CanonicalJsonTest, made with the JavaScript engine's own
// Number.prototype.toString (which RFC 8785 adopts for JSON numbers).
// Run: node generate-es6-numbers.js > es6-numbers.txt
// Each line: the IEEE 754 bits of a double as 16 hex digits, a space, and String(value).
'use strict';

let state = 0x2545f4914f6cdd1dn; // splitmix64, fixed seed: the file is reproducible
const MASK = (1n << 64n) - 1n;
function next() {
  state = (state + 0x9e3779b97f4a7c15n) & MASK;
  let z = state;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return z ^ (z >> 31n);
}

const view = new DataView(new ArrayBuffer(8));
function fromBits(bits) { view.setBigUint64(0, bits); return view.getFloat64(0); }
function toBits(x) { view.setFloat64(0, x); return view.getBigUint64(0); }

const out = [];
function emit(x) {
  if (!Number.isFinite(x)) return;
  out.push(toBits(x).toString(16).padStart(16, '0') + ' ' + String(x));
}

// every power of two: the rounding interval is asymmetric there
for (let e = -1074; e <= 1023; e++) emit(Math.pow(2, e));
// powers of ten and their neighbours
for (let e = -323; e <= 308; e++) {
  const x = Number('1e' + e);
  emit(x);
  emit(fromBits(toBits(x) + 1n));
  emit(fromBits(toBits(x) - 1n));
}
// uniformly random bit patterns (every exponent, both signs, subnormals)
for (let i = 0; i < 3000; i++) emit(fromBits(next()));
// random integers up to 2^64 and short decimals, the common case in audit data
for (let i = 0; i < 1000; i++) emit(Number(next() >> BigInt(Number(next() % 64n))));
for (let i = 0; i < 1000; i++) emit(Number(next() % 1000000n) / Math.pow(10, Number(next() % 12n)));
process.stdout.write(out.join('\n') + '\n');
