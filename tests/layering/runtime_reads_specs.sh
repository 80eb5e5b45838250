#!/usr/bin/env bash
# The runtime reads the plan and its specs, never the syntax tree or the
# checker: no file under runtime/ (nor the back ends it links) may include
# compiler/ast, compiler/parse or compiler/sema. Fails naming each include.
set -euo pipefail
root="$1"
cd "$root"
found=$(grep -rnE '#include "compiler/(ast|parse|sema)/' runtime compiler/lower compiler/resolve/Spec.h \
          compiler/resolve/AugmentSpec.h compiler/resolve/Formula.h compiler/resolve/Scalar.h compiler/plan/Plan.h || true)
if [[ -n "$found" ]]; then
  echo "these files read the syntax tree or the checker; read the specs (compiler/resolve/Spec.h) instead:"
  echo "$found"
  exit 1
fi
# The same rule in the build: no runtime or back-end library links the front end.
links=$(grep -nE 'target_link_libraries\((edl_runtime|edl_lower)[a-z_]* .*(edl_ast|edl_parse|edl_sema|edl_frontend)' \
          runtime/CMakeLists.txt compiler/CMakeLists.txt || true)
if [[ -n "$links" ]]; then
  echo "these runtime or back-end libraries link the front end:"
  echo "$links"
  exit 1
fi
echo "runtime and back ends read specs only"
