// Times a benchmark model in ONNX Runtime (onnxruntime-node, CPU execution provider, all graph
// optimisations, THREADS intra-op threads, sequential execution; idle threads spin unless
// ORT_ALLOW_SPINNING=0).
// Usage: node ort_bench.js MODEL_DIR BATCH THREADS WARMUP RUNS OUTPUT.bin
// Writes the output of the last run to OUTPUT.bin (raw float32) and prints one JSON line,
// {"times_ms": [...], "peak_rss_kb": N}: the wall time of each timed run and the process's
// peak resident memory (VmHWM).
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

async function main(argv) {
  if (argv.length !== 6) {
    console.error('usage: node ort_bench.js MODEL_DIR BATCH THREADS WARMUP RUNS OUTPUT.bin');
    process.exit(2);
  }
  const [dir, batchS, threadsS, warmupS, runsS, outPath] = argv;
  const [batch, threads, warmup, runs] = [batchS, threadsS, warmupS, runsS].map(Number);
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json')));
  const session = await ort.InferenceSession.create(path.join(dir, 'model.onnx'), {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    extra: {session: {intra_op: {allow_spinning: process.env.ORT_ALLOW_SPINNING || '1'}}},
  });
  const buf = fs.readFileSync(path.join(dir, `input_b${batch}.bin`));
  const data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const feeds = {[meta.input]: new ort.Tensor('float32', data, [batch, ...meta.input_shape])};
  const times = [];
  let result;
  for (let i = 0; i < warmup + runs; ++i) {
    const start = process.hrtime.bigint();
    result = await session.run(feeds);
    if (i >= warmup) times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const out = result[meta.output].data;
  fs.writeFileSync(outPath, Buffer.from(out.buffer, out.byteOffset, out.byteLength));
  const hwm = /VmHWM:\s*(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  console.log(JSON.stringify({times_ms: times, peak_rss_kb: hwm ? Number(hwm[1]) : -1}));
}

main(process.argv.slice(2)).catch((e) => {
  console.error(e);
  process.exit(1);
});
