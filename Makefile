# The two quick-start commands of the README; both install missing Debian
# packages first (scripts/install-deps.sh), then build.
.PHONY: demo test build deps fuzz bench clean

demo:
	scripts/demo.sh

test:
	scripts/test.sh

deps:
	scripts/install-deps.sh

build:
	scripts/build.sh

# libFuzzer on parse + check + format, built with clang in build-fuzz/.
fuzz:
	scripts/fuzz.sh

bench:
	scripts/build.sh
	/usr/bin/python3 scripts/fetch_data.py data digits fashion scenes spam
	bench/check_time.sh
	build/bench/edl_augment_bench data/fashion
	bench/train_bench.sh
	build/bench/edl_search_bench
	bench/search_digits.sh
	bench/serve_bench.sh
	build/bench/edl_int8_bench
	build/bench/edl_log_mel_bench
	build/bench/edl_label_bench data/digits 1000 350 3 8 25 0.4 200 16
	build/bench/edl_label_bench data/fashion 10000 2000 3 8 200 0.4 300 28
	bench/detection_bench.sh 6 retinanet
	bench/detection_bench.sh 6 faster_rcnn
	bench/segmentation_bench.sh 6
	bench/text_bench.sh
	bench/text_bench.sh fortunes
	bench/distributed_bench.sh
	bench/transfer_bench.sh

clean:
	rm -rf build build-fuzz
