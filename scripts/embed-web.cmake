# Turns the command center's files (src/serve/web/*) into one C++ source,
# so the page is built into the tandem binary and nothing is read from disk
# or the internet when it is served. Run by CMake at build time:
#   cmake -DWEB_DIR=src/serve/web -DOUTPUT=web_files.cc -P embed-web.cmake
# Each file becomes a raw string literal; a file that contains the literal's
# closing delimiter fails the build with its name.
set(delimiter "tandem_web")
file(GLOB files "${WEB_DIR}/*.html" "${WEB_DIR}/*.js" "${WEB_DIR}/*.css" "${WEB_DIR}/*.svg")
list(SORT files)
set(text "// Generated from src/serve/web by scripts/embed-web.cmake; edit those files.\n")
string(APPEND text "#include \"serve/web_assets.h\"\n\nnamespace tandem::serve {\n\n")
string(APPEND text "const std::vector<WebFile>& WebFiles() {\n  static const std::vector<WebFile> files = {\n")
foreach(file IN LISTS files)
  get_filename_component(name "${file}" NAME)
  file(READ "${file}" content)
  string(FIND "${content}" ")${delimiter}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${file}: contains \")${delimiter}\\\"\", which would end its C++ literal early")
  endif()
  string(APPEND text "      {\"${name}\", R\"${delimiter}(${content})${delimiter}\"},\n")
endforeach()
string(APPEND text "  };\n  return files;\n}\n\n}  // namespace tandem::serve\n")
# Only a changed text is written, so an unchanged page rebuilds nothing.
set(old "")
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUTPUT}" "${text}")
endif()
