# circmatch::xapian: Xapian's library and headers as one imported target, made of the variables that the CMake
# package of Debian's libxapian-dev (xapian-config.cmake) sets, as it defines no target. Included after
# find_package(xapian), by engine/CMakeLists.txt and by the installed circmatchConfig.cmake.
if(NOT TARGET circmatch::xapian)
  if(NOT XAPIAN_FOUND OR NOT XAPIAN_LIBRARIES)
    message(FATAL_ERROR "circmatch::xapian: find_package(xapian) found no Xapian (Debian: libxapian-dev)")
  endif()
  add_library(circmatch::xapian INTERFACE IMPORTED)
  set_target_properties(circmatch::xapian PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${XAPIAN_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${XAPIAN_LIBRARIES}")
endif()
