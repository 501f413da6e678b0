# Helpers that give every library, test and fuzzer the same shape:
#   cw_library(detect SOURCES rule_reader.cc ... DEPS cw::core re2)  -> target cw_detect, alias cw::detect
#   cw_test(rule_compiler_test SOURCES rule_compiler_test.cc DEPS cw::detect LABELS unit)
#   cw_fuzzer(cloudtrail_reader_fuzz SOURCES cloudtrail_reader_fuzz.cc DEPS cw::ingest)

# -Wno-dangling-pointer: GCC 12 reports a false positive inside yaml-cpp 0.7's node/impl.h
# (Debian 12) at every YAML::Node lookup; it is not about our code.
set(CW_WARNINGS -Wall -Wextra -Wpedantic -Wno-missing-field-initializers -Wno-dangling-pointer)

function(cw_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(cw_${name} STATIC ${ARG_SOURCES})
  add_library(cw::${name} ALIAS cw_${name})
  target_include_directories(cw_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(cw_${name} PRIVATE ${CW_WARNINGS})
  target_link_libraries(cw_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

function(cw_test name)
  if(NOT CW_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT ARG_SOURCES)
    set(ARG_SOURCES ${name}.cc)
  endif()
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${CW_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(${name} PRIVATE
    CW_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    CW_SHARED_DATA_DIR="${PROJECT_SOURCE_DIR}/../shared/data")
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT 600)
endfunction()

# A fuzz target is one LLVMFuzzerTestOneInput. With clang and CW_BUILD_FUZZERS it links libFuzzer;
# otherwise it links fuzz/replay_main.cc and ctest replays fuzz/corpus/<name>/ through it.
function(cw_fuzzer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  if(CW_BUILD_FUZZERS)
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  else()
    target_sources(${name} PRIVATE ${PROJECT_SOURCE_DIR}/fuzz/replay_main.cc)
    if(CW_BUILD_TESTS)
      add_test(NAME ${name}_replay COMMAND ${name} ${PROJECT_SOURCE_DIR}/fuzz/corpus/${name})
      set_tests_properties(${name}_replay PROPERTIES LABELS "fuzz" TIMEOUT 600)
    endif()
  endif()
endfunction()
