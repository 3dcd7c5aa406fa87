# Fuzz builds (JOURNALDB_BUILD_FUZZERS, scripts/fuzz.sh): every source gets
# libFuzzer's edge coverage; comparison tracing (trace-cmp), which lets the
# mutator copy compared values into inputs, only the sources that decode a
# fuzz target's input, which each component names with
# journaldb_fuzzed_decoders(). Elsewhere it told op_sequence_fuzzer nothing
# (it builds its ops from its input itself) and took a fifth of its CPU
# (docs/benchmarks.md, "Fuzzing speed"); that target links untraced copies
# of the journal's decoders too (fuzz/CMakeLists.txt).
if(JOURNALDB_BUILD_FUZZERS)
  add_compile_options(-fsanitize=fuzzer-no-link -fno-sanitize-coverage=trace-cmp)
endif()

# journaldb_fuzzed_decoders(SOURCE...): sources of the calling directory that
# decode a fuzz target's input; they trace comparisons in a fuzz build.
function(journaldb_fuzzed_decoders)
  if(JOURNALDB_BUILD_FUZZERS)
    set_source_files_properties(${ARGN} PROPERTIES COMPILE_OPTIONS -fsanitize-coverage=trace-cmp)
  endif()
endfunction()
