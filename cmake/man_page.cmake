# Writes one man page with help2man from `deploysim [COMMAND] --help`: NAME is the help's first
# line, the rest is the help itself. help2man runs a program with --help and --version, so a
# subcommand is reached through a small wrapper script named deploysim-COMMAND.
get_filename_component(_dir ${OUTPUT} DIRECTORY)
file(MAKE_DIRECTORY ${_dir})
if(COMMAND)
  set(_program ${_dir}/deploysim-${COMMAND})
  file(WRITE ${_program}
       "#!/bin/sh\n"
       "if [ \"$1\" = --version ]; then\n"
       "  '${DEPLOYSIM}' --version | sed 's/^deploysim /deploysim-${COMMAND} /'\n"
       "  exit\n"
       "fi\n"
       "exec '${DEPLOYSIM}' ${COMMAND} \"$@\"\n")
  file(CHMOD ${_program} PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
       GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
else()
  set(_program ${DEPLOYSIM})
endif()
execute_process(COMMAND ${_program} --help OUTPUT_VARIABLE _help RESULT_VARIABLE _status)
if(NOT _status EQUAL 0)
  message(FATAL_ERROR "${_program} --help failed")
endif()
# The first line, without "deploysim: " and the final period, starting in lower case.
string(REGEX MATCH "^[^\n]*" _name "${_help}")
string(REGEX REPLACE "^deploysim: " "" _name "${_name}")
string(REGEX REPLACE "\\.$" "" _name "${_name}")
string(SUBSTRING "${_name}" 0 1 _first)
string(SUBSTRING "${_name}" 1 -1 _rest)
string(TOLOWER "${_first}" _first)
execute_process(
  COMMAND ${HELP2MAN} --no-info --no-discard-stderr "--name=${_first}${_rest}"
          --output=${OUTPUT} ${_program}
  RESULT_VARIABLE _status)
if(NOT _status EQUAL 0)
  message(FATAL_ERROR "help2man failed for ${_program}")
endif()
