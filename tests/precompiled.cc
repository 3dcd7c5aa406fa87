// The source of tests/CMakeLists.txt's journaldb_test_pch: the target exists
// to build the precompiled header that every test binary reuses.
