# libjournaldb: the four installed component libraries (journal, protocol,
# engine, recovery) as one library, shared (libjournaldb.so with a versioned
# SONAME) and static (libjournaldb.a), for embedders who link with
# pkg-config or a plain -l line rather than find_package(journaldb).
# One library rather than four shared ones: one SONAME to track, and the
# protocol library, which the engine links privately, needs no name of its
# own. Both are made from the objects the component libraries already
# compiled (CMAKE_POSITION_INDEPENDENT_CODE is on for all code), so nothing
# compiles twice.
set(journaldb_objects)
foreach(component journal protocol engine recovery)
  list(APPEND journaldb_objects $<TARGET_OBJECTS:journaldb_${component}>)
endforeach()
# What the objects call: the component libraries' link dependencies, minus
# FlatBuffers (its generated code is header only).
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
set(journaldb_link_dependencies RocksDB::rocksdb-shared Boost::filesystem fmt::fmt
    OpenSSL::SSL OpenSSL::Crypto Threads::Threads)

# While the major version is 0 every minor release may change the ABI (the
# CMake package promises SameMinorVersion), so the SONAME carries
# major.minor: libjournaldb.so.0.1. From 1.0 on it is the major alone.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(JOURNALDB_SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
else()
  set(JOURNALDB_SOVERSION ${PROJECT_VERSION_MAJOR})
endif()

add_library(journaldb_shared SHARED ${journaldb_objects})
add_library(journaldb::shared ALIAS journaldb_shared)
set_target_properties(journaldb_shared PROPERTIES
  OUTPUT_NAME journaldb EXPORT_NAME shared LINKER_LANGUAGE CXX
  VERSION ${PROJECT_VERSION} SOVERSION ${JOURNALDB_SOVERSION})
target_include_directories(journaldb_shared INTERFACE
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/journal/include>
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/engine/include>
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/recovery/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_link_libraries(journaldb_shared PRIVATE ${journaldb_link_dependencies})
target_link_options(journaldb_shared PRIVATE
  LINKER:--version-script=${CMAKE_CURRENT_LIST_DIR}/journaldb.map)
set_property(TARGET journaldb_shared APPEND PROPERTY LINK_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/journaldb.map)
if(NOT JOURNALDB_SANITIZE)
  # A dependency missing from the list above fails here, not in an
  # embedder's link. (Sanitized builds leave the runtime to the executable.)
  target_link_options(journaldb_shared PRIVATE LINKER:--no-undefined)
endif()

add_library(journaldb_static STATIC ${journaldb_objects})
set_target_properties(journaldb_static PROPERTIES OUTPUT_NAME journaldb LINKER_LANGUAGE CXX)

install(TARGETS journaldb_shared EXPORT journaldbTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS journaldb_static ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})

# journaldb.pc is written at install time, so that its prefix is the one
# installed into (cmake --install --prefix overrides the configured prefix).
install(CODE "
  set(JOURNALDB_VERSION \"${PROJECT_VERSION}\")
  set(JOURNALDB_LIBDIR \"${CMAKE_INSTALL_LIBDIR}\")
  set(JOURNALDB_INCLUDEDIR \"${CMAKE_INSTALL_INCLUDEDIR}\")
  set(JOURNALDB_PC_IN \"${CMAKE_CURRENT_LIST_DIR}/journaldb.pc.in\")
  set(JOURNALDB_PC_OUT \"${PROJECT_BINARY_DIR}/journaldb.pc\")
  include(\"${CMAKE_CURRENT_LIST_DIR}/JournaldbWritePc.cmake\")")
install(FILES ${PROJECT_BINARY_DIR}/journaldb.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
