# Writes IN's text as a C++ string constant edl::embedded::SYMBOL in OUT
# (cmake -P script): a source file the SDK ships verbatim.
file(READ ${IN} text)
file(WRITE ${OUT}.tmp "// Generated from ${IN}; do not edit.\nnamespace edl::embedded {\nextern const char *const ${SYMBOL};\nconst char *const ${SYMBOL} = R\"edl_src(${text})edl_src\";\n}  // namespace edl::embedded\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
