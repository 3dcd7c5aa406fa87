# Included by the install step (JournaldbSingleLibrary.cmake): writes
# journaldb.pc for the prefix being installed into. Relative library and
# include directories become ${prefix}/DIR; absolute ones stay as given.
set(JOURNALDB_PREFIX "${CMAKE_INSTALL_PREFIX}")
foreach(dir LIBDIR INCLUDEDIR)
  if(NOT IS_ABSOLUTE "${JOURNALDB_${dir}}")
    set(JOURNALDB_${dir} "\${prefix}/${JOURNALDB_${dir}}")
  endif()
endforeach()
configure_file("${JOURNALDB_PC_IN}" "${JOURNALDB_PC_OUT}" @ONLY)
