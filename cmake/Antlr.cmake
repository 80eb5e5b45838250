# Generates the EDL parser from grammar/EDL.g4 at build time (never committed)
# with Debian's ANTLR 4.7.2 tool; links the 4.9 runtime (same ATN format).
find_package(antlr4-runtime 4.9 CONFIG REQUIRED)
find_program(ANTLR4_TOOL antlr4 REQUIRED)

set(EDL_GRAMMAR ${PROJECT_SOURCE_DIR}/grammar/EDL.g4)
set(EDL_PARSER_DIR ${CMAKE_BINARY_DIR}/generated/parser)
set(EDL_PARSER_SOURCES
  ${EDL_PARSER_DIR}/EDLLexer.cpp ${EDL_PARSER_DIR}/EDLParser.cpp
  ${EDL_PARSER_DIR}/EDLVisitor.cpp ${EDL_PARSER_DIR}/EDLBaseVisitor.cpp)

add_custom_command(
  OUTPUT ${EDL_PARSER_SOURCES}
  COMMAND ${ANTLR4_TOOL} -Dlanguage=Cpp -visitor -no-listener -Xexact-output-dir
          -o ${EDL_PARSER_DIR} ${EDL_GRAMMAR}
  DEPENDS ${EDL_GRAMMAR}
  COMMENT "Generating the EDL parser with ANTLR"
  VERBATIM)

# clang rejects one header of Debian's ANTLR 4.9 runtime (InterpreterDataReader.h
# default-constructs a Vocabulary whose members are const); nothing here uses
# it, so clang builds see the umbrella header without that include.
set(EDL_ANTLR_INCLUDES ${ANTLR4_INCLUDE_DIR})
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  set(shim ${CMAKE_BINARY_DIR}/generated/antlr4-clang-shim)
  file(READ ${ANTLR4_INCLUDE_DIR}/antlr4-runtime.h umbrella)
  string(REPLACE "#include \"misc/InterpreterDataReader.h\"" "" umbrella "${umbrella}")
  file(WRITE ${shim}/antlr4-runtime.h "${umbrella}")
  set(EDL_ANTLR_INCLUDES ${shim} ${ANTLR4_INCLUDE_DIR})
endif()

# The generated code, compiled once; only compiler/parse links it.
add_library(edl_grammar STATIC ${EDL_PARSER_SOURCES})
target_include_directories(edl_grammar SYSTEM PUBLIC ${EDL_PARSER_DIR} ${EDL_ANTLR_INCLUDES})
target_link_libraries(edl_grammar PUBLIC antlr4_shared)
target_compile_options(edl_grammar PRIVATE -w)
# ANTLR 4.7.2 writes u8"" literals, which are char8_t in C++20.
set_target_properties(edl_grammar PROPERTIES CXX_STANDARD 17 POSITION_INDEPENDENT_CODE ON)
