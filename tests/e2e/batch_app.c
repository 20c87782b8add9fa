/* The application of dynamic_batch.sh: runs a model compiled with --dynamic-batch (one f32
 * input of IN_SIZE and one f32 output of OUT_SIZE per sample) on BATCH samples read from
 * IN.f32 and writes OUT.f32. Meanwhile the main thread runs each sample alone at batch size
 * 1; the results must agree within 1e-5 (not bit for bit: libodla_ref's GEMM takes a scalar
 * path below 4 rows and an FMA micro-kernel from 4 rows on). Batch size 0 must fail.
 * Build: cc -DMODEL_H='"m.h"' -DMODEL=m -DIN_SIZE=784 -DOUT_SIZE=10 batch_app.c m.o m.bin ...
 * Usage: app BATCH IN.f32 OUT.f32 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include MODEL_H

#define CAT(a, b) a##b
#define FN(a, b) CAT(a, b)

struct Job {
  int64_t batch;
  const float* in;
  float* out;
  int status;
};

static void* Run(void* p) {
  struct Job* j = (struct Job*)p;
  j->status = MODEL(j->batch, j->in, j->out);
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  long batch = atol(argv[1]);
  float* in = malloc(sizeof(float) * batch * IN_SIZE);
  float* out = malloc(sizeof(float) * batch * OUT_SIZE);
  float* alone = malloc(sizeof(float) * batch * OUT_SIZE);
  FILE* f = fopen(argv[2], "rb");
  if (!f || fread(in, sizeof(float) * IN_SIZE, batch, f) != (size_t)batch) return 2;
  fclose(f);
  struct Job all = {batch, in, out, -1};
  pthread_t t;
  pthread_create(&t, NULL, Run, &all);
  for (long i = 0; i < batch; ++i)
    if (MODEL(1, in + i * IN_SIZE, alone + i * OUT_SIZE) != 0) return 1;
  pthread_join(t, NULL);
  if (all.status != 0) return 1;
  for (long i = 0; i < batch * OUT_SIZE; ++i)
    if (!(fabsf(out[i] - alone[i]) <= 1e-5f * (1 + fabsf(alone[i])))) {
      printf("sample %ld: %g at batch size %ld, %g alone\n", i / OUT_SIZE, out[i], batch, alone[i]);
      return 1;
    }
  if (MODEL(0, in, out) == 0) {
    printf("batch size 0 was accepted\n");
    return 1;
  }
  f = fopen(argv[3], "wb");
  if (!f || fwrite(out, sizeof(float) * OUT_SIZE, batch, f) != (size_t)batch) return 2;
  fclose(f);
  FN(MODEL, _fini)();
  free(in), free(out), free(alone);
  printf("ok\n");
  return 0;
}
