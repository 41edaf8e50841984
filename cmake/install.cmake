# `cmake --install` and CPack: the CLI and GUI, the core library with its headers and a CMake
# package (find_package(deploysim CONFIG) gives deploysim::core), the Python package, the
# bundled scenarios, a man page per command and bash completion (docs/install.md).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(DEPLOYSIM_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/deploysim
    CACHE STRING "Where deploysimConfig.cmake is installed, relative to the prefix")
# Debian's interpreter reads /usr/lib/python3/dist-packages (and /usr/local/lib/python3.X/...).
set(DEPLOYSIM_INSTALL_PYTHONDIR lib/python3/dist-packages
    CACHE STRING "Where the Python package is installed, relative to the prefix")

# The core library, its headers, and the exported target with its dependencies. Consumers see
# the name they use in this tree: deploysim::core.
set_target_properties(deploysim_core PROPERTIES EXPORT_NAME core)
install(TARGETS deploysim_core deploysim_warnings EXPORT deploysimTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/deploysim)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/core/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/deploysim
        FILES_MATCHING PATTERN "*.hpp")
install(EXPORT deploysimTargets NAMESPACE deploysim:: DESTINATION ${DEPLOYSIM_INSTALL_CMAKEDIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/deploysimConfig.cmake.in
  ${PROJECT_BINARY_DIR}/deploysimConfig.cmake INSTALL_DESTINATION ${DEPLOYSIM_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/deploysimConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/deploysimConfig.cmake
              ${PROJECT_BINARY_DIR}/deploysimConfigVersion.cmake
        DESTINATION ${DEPLOYSIM_INSTALL_CMAKEDIR})

# The programs.
install(TARGETS deploysim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET deploysim-gui)
  install(TARGETS deploysim-gui RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# The Python package as the build tree holds it: the extension and the pure-Python files.
if(TARGET deploysim_python AND NOT SKBUILD)
  install(DIRECTORY $<TARGET_FILE_DIR:deploysim_python>/
          DESTINATION ${DEPLOYSIM_INSTALL_PYTHONDIR}/deploysim PATTERN "__pycache__" EXCLUDE)
endif()

# The bundled scenarios with their classroom notes.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/scenarios/ DESTINATION ${CMAKE_INSTALL_DATADIR}/deploysim/scenarios)

# Man pages from the commands' own --help (help2man), so that they never drift from it.
find_program(DEPLOYSIM_HELP2MAN help2man)
if(DEPLOYSIM_HELP2MAN)
  set(_man_dir ${PROJECT_BINARY_DIR}/man)
  set(_pages)
  foreach(command IN ITEMS "" run validate sweep compare demo check roi drift pipeline grafana)
    set(_name deploysim)
    if(command)
      set(_name deploysim-${command})
    endif()
    add_custom_command(
      OUTPUT ${_man_dir}/${_name}.1
      COMMAND ${CMAKE_COMMAND} -DHELP2MAN=${DEPLOYSIM_HELP2MAN} -DDEPLOYSIM=$<TARGET_FILE:deploysim>
              -DCOMMAND=${command} -DOUTPUT=${_man_dir}/${_name}.1
              -P ${CMAKE_CURRENT_LIST_DIR}/man_page.cmake
      DEPENDS deploysim ${CMAKE_CURRENT_LIST_DIR}/man_page.cmake
      COMMENT "Writing the man page ${_name}.1")
    list(APPEND _pages ${_man_dir}/${_name}.1)
  endforeach()
  add_custom_target(deploysim_man ALL DEPENDS ${_pages})
  install(FILES ${_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "deploysim: help2man not found; man pages are not built (scripts/setup installs it)")
endif()

# Bash completion: reads the commands and options from --help when completing.
install(FILES ${PROJECT_SOURCE_DIR}/cli/completion/deploysim.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME deploysim)

# A .deb: cpack -G DEB in the build directory.
set(CPACK_PACKAGE_NAME deploysim)
set(CPACK_PACKAGE_VENDOR "deploysim")
set(CPACK_PACKAGE_CONTACT "deploysim maintainers <deploysim@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# What the headers include, what the static library links (libyaml), what the Python
# package imports, and libcurl4, which the CLI opens for --export influx=URL (cli/libcurl.cpp)
# so that dpkg-shlibdeps cannot see it.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libboost-graph-dev, libeigen3-dev, nlohmann-json3-dev, libyaml-dev, pkg-config, python3-numpy, python3-pandas, libcurl4")
include(CPack)
