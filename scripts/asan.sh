#!/usr/bin/env bash
# AddressSanitizer run of the native addon: builds it with -fsanitize=address into build-asan/
# (the normal build is untouched) and runs the suites that exercise the native code under it.
# Usage: scripts/asan.sh [vitest files...]   (npm run test:asan)
#
# Node and LibTorch are not instrumented; ASan is preloaded into node so the addon's
# instrumented code can run. Leak checking is off: V8 and LibTorch keep allocations until exit
# by design, and a leak report at exit would be about them, not the addon. Container-overflow
# checks are off because LibTorch's STL containers are not instrumented (false positives).
set -euo pipefail
cd "$(dirname "$0")/.."
export NODETORCH_BUILD_DIR=build-asan
NODETORCH_SANITIZE=address node scripts/build-native.js
# cmake-js reuses a configured build directory as it is: make sure this one is instrumented.
if ! nm -D build-asan/Release/nodetorch.node | grep __asan_report > /dev/null; then
  echo "asan: build-asan/ was configured without ASan; remove it and rerun" >&2
  exit 1
fi

LIBASAN="$(${CXX:-g++} -print-file-name=libasan.so)"
FILES=("$@")
if [ ${#FILES[@]} -eq 0 ]; then
  # Not test/memory.test.ts nor test/reliability-pth.test.ts: ASan's shadow memory and
  # quarantine hold memory by design, so their RSS bounds do not apply.
  FILES=(test/tensor.test.ts test/indexing.test.ts test/errors.test.ts test/pth.test.ts test/data.test.ts
         test/datasets.test.ts test/jit.test.ts test/reliability-native.test.ts test/optim.test.ts test/nn.test.ts
         test/rnn.test.ts test/conv.test.ts test/vision-io.test.ts test/reliability-api.test.ts
         test/reliability-data.test.ts test/distributed.test.ts)
fi
# allocator_may_return_null: tests ask for impossible tensors on purpose and expect LibTorch's
# out-of-memory error, which ASan would otherwise turn into an abort.
# log_path: each process that finds something writes its report there, children included
# (a fuzz case's child may report while its test still passes).
REPORTS="$(mktemp -d)"
chmod 1777 "$REPORTS"  # children that run as another user report too
export ASAN_OPTIONS="log_path=$REPORTS/asan:detect_leaks=0:detect_container_overflow=0:allocator_may_return_null=1:handle_segv=0:allow_user_segv_handler=1:abort_on_error=1:print_summary=1"
# Children (vitest workers, helper processes) inherit LD_PRELOAD and ASAN_OPTIONS. Everything
# runs several times slower under ASan, hence the long timeouts.
export LD_PRELOAD="$LIBASAN"
status=0
npx vitest run --testTimeout=900000 --hookTimeout=900000 "${FILES[@]}" || status=$?
# Warnings (an impossible allocation refused, as asked above) are not errors.
if compgen -G "$REPORTS/asan.*" > /dev/null && grep -l "ERROR: AddressSanitizer" "$REPORTS"/asan.* > /dev/null; then
  cat "$REPORTS"/asan.* >&2
  echo "asan: AddressSanitizer reports above (in $REPORTS)" >&2
  exit 1
fi
unset LD_PRELOAD
[ "$status" -eq 0 ] || exit "$status"
echo "asan: no AddressSanitizer report in ${#FILES[@]} suites"
