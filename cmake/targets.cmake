# Small helpers so each component's CMakeLists.txt stays a list of facts.

# ranvier_add_test(NAME SOURCES a_test.cpp ... LIBS lib ...)
# A GoogleTest program registered with CTest; label says which suite it belongs to.
function(ranvier_add_test name)
  cmake_parse_arguments(T "" "LABEL" "SOURCES;LIBS" ${ARGN})
  if(NOT RANVIER_TESTS OR RANVIER_FUZZ)
    return()
  endif()
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    RANVIER_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    RANVIER_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
  if(NOT T_LABEL)
    set(T_LABEL unit)
  endif()
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS ${T_LABEL})
endfunction()

# ranvier_add_benchmark(NAME SOURCES ... LIBS ...): a Google Benchmark program (not a test).
function(ranvier_add_benchmark name)
  cmake_parse_arguments(B "" "" "SOURCES;LIBS" ${ARGN})
  if(NOT RANVIER_BENCH OR RANVIER_FUZZ)
    return()
  endif()
  add_executable(${name} ${B_SOURCES})
  target_link_libraries(${name} PRIVATE ${B_LIBS} benchmark::benchmark benchmark::benchmark_main)
  target_compile_definitions(${name} PRIVATE
    RANVIER_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    RANVIER_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
endfunction()

# ranvier_add_fuzzer(NAME SOURCES ... LIBS ...): a libFuzzer target (clang, RANVIER_FUZZ=ON).
# Its seed corpus is fuzz/corpus/<name>/, its crash repros fuzz/repros/<name>/.
function(ranvier_add_fuzzer name)
  cmake_parse_arguments(F "" "" "SOURCES;LIBS" ${ARGN})
  if(NOT RANVIER_FUZZ)
    return()
  endif()
  add_executable(fuzz_${name} ${F_SOURCES})
  target_link_libraries(fuzz_${name} PRIVATE ${F_LIBS})
  target_compile_options(fuzz_${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer,address,undefined)
endfunction()

# ranvier_use_pch(target): precompile the heavy standard and JSON headers almost every file of
# `target` includes (nlohmann/json alone costs several seconds per translation unit).
function(ranvier_use_pch target)
  target_precompile_headers(${target} PRIVATE
    <nlohmann/json.hpp> <string> <string_view> <vector> <optional> <map> <memory> <functional>)
endfunction()
