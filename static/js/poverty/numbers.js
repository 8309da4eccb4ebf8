// Rounding exactly as Python's round(x, 3) does: the exact binary value of x rounded to 3 decimals, an exact tie
// going to the even digit (Number.prototype.toFixed rounds ties up, so it alone would differ on e.g. 0.0625).

/** round(x, 3) of Python, for a finite x below 1e21. */
export function roundTo3(x) {
  if (x < 0) return -roundTo3(-x);
  const y = x * 1000;
  // Far from a tie (y's own rounding error is below y × 2^-52), toFixed's correctly rounded decimals are Python's.
  if (Math.abs(y - Math.floor(y) - 0.5) > y * 2 ** -50 + 1e-9) return Number(x.toFixed(3));
  const exact = x.toFixed(100); // toFixed works on the exact value of x: all its decimals (x ≥ 2^-40)
  const point = exact.indexOf(".");
  const kept = BigInt(exact.slice(0, point) + exact.slice(point + 1, point + 4));
  const rest = exact.slice(point + 4);
  let up = rest[0] > "5" || (rest[0] === "5" && /[1-9]/.test(rest.slice(1)));
  if (rest[0] === "5" && !up) up = kept % 2n === 1n; // an exact tie: to even
  return Number(up ? kept + 1n : kept) / 1000;
}
