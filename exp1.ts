import { annuityPayment } from './src/ledger/index.js';
import { parseRate } from './src/core/index.js';
function gcd(a: bigint, b: bigint): bigint { while (b) { [a, b] = [b, a % b]; } return a; }
function exact(P: number, rs: string, n: number): number {
  const r = parseRate(rs, 'r');
  if (r.num === 0) return Math.floor((2*P + n) / (2*n));
  let p = BigInt(r.num), q = BigInt(r.den) * 12n; const g = gcd(p, q); p /= g; q /= g;
  const A = (q + p) ** BigInt(n), B = q ** BigInt(n);
  const num = BigInt(P) * p * A, den = q * (A - B);
  const Q = num / den, R = num - Q * den;
  return Number(2n * R >= den ? Q + 1n : Q);
}
let bad = 0, tot = 0;
const t0 = Date.now();
for (let i = 0; i < 300000; i++) {
  const P = Math.floor(Math.random() * 1e9) + 1;
  const rs = (Math.floor(Math.random() * 4000) / 10000).toString();
  const n = 1 + Math.floor(Math.random() * 360);
  const f = annuityPayment(P, Number(rs), n), e = exact(P, rs, n);
  tot++;
  if (f !== e) { bad++; if (bad < 10) console.log(P, rs, n, f, e); }
}
console.log(bad, tot, Date.now() - t0);
// timing of exact for worst-case
const t1 = Date.now();
for (let i = 0; i < 1000; i++) exact(123456789, '0.123456789012', 600);
console.log('600m 12dp x1000', Date.now() - t1, 'ms');
