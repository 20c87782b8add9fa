# HALO: `make demo` runs the MNIST demo, `make test` runs every test, `make bench` measures
# halo's runtimes against ONNX Runtime and PyTorch and writes docs/perf.md (see bench/run.py);
# `make bench-nbits` times 4-bit LLM weights against ONNX Runtime (docs/perf-nbits.md).
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: all deps build demo test bench bench-nbits bench-gpu format clean

all: build

deps:
	./scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	./examples/mnist/run_demo.sh $(BUILD)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	./scripts/install-deps.sh --bench
	./bench/setup.sh $(BUILD)/bench
	/usr/bin/python3 bench/run.py $(BUILD)

# 4-bit weights (MatMulNBits) against ONNX Runtime on the CPU: docs/perf-nbits.md.
bench-nbits: build
	./scripts/install-deps.sh --bench
	./bench/setup.sh $(BUILD)/bench
	/usr/bin/python3 bench/nbits.py $(BUILD)

# halo + libodla_cuda against PyTorch eager on a CUDA GPU: docs/perf-gpu.md (bench/gpu.py).
# GPU_PYTHON: a Python with torch (CUDA), torchvision and onnx.
GPU_PYTHON ?= python3
bench-gpu:
	$(GPU_PYTHON) bench/gpu.py $(BUILD)

format:
	clang-format -i $$(git ls-files '*.cc' '*.h' '*.c' '*.cu')

clean:
	rm -rf $(BUILD)
