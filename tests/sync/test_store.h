// The server's store as the end-to-end tests see it: a data directory, or,
// with JOURNALDB_TEST_STORE=postgres in the environment, a database of the
// throwaway PostgreSQL cluster (support/postgres_cluster.h) standing for that
// directory in this process. Tests name only the directory; starting the
// server (ServerProcess::Start), reading its state (DumpServer,
// ServerHistory) and the operator steps below go through here, so the same
// test bodies run on both stores (docs/testing.md, "PostgreSQL").
#ifndef JOURNALDB_TESTS_SYNC_TEST_STORE_H_
#define JOURNALDB_TESTS_SYNC_TEST_STORE_H_

#include <string>
#include <vector>

#include "journaldb/server/server_storage.h"

namespace journaldb::testing {

// JOURNALDB_TEST_STORE=postgres is set.
bool TestStoreIsPostgres();

// Where the server of `data_dir` keeps its state: the directory, or its
// database (created with the schema on first use). A failure fails the test
// and returns the directory.
server::StorageLocation TestStorage(const std::string& data_dir);

// The operator steps, on a stopped server; each returns the exit code of the
// step that failed (0: done) with the output in *out.
// `journal-server ARGS`, where `--data DIR` becomes `--postgres CONNINFO`.
int RunOperator(std::vector<std::string> args, std::string* out);
// A backup to `to`: `journal-server backup`, or pg_dump.
int BackupStore(const std::string& data_dir, const std::string& to, std::string* out);
// A restore of `from`: `journal-server restore`, or pg_restore into a new
// database and `new-epoch --replaced-postgres`, after which `data_dir`
// stands for the restored database.
int RestoreStore(const std::string& data_dir, const std::string& from, std::string* out);
// Where a test can search the bytes the server stored: the data directory,
// or a plain-text pg_dump of the database written to the file `scratch`, in
// which bytea values are spelled in hex. Fails the test if it cannot dump.
std::string SearchableStore(const std::string& data_dir, const std::string& scratch);
// A history rolled back in place, as by an operator who bypasses `restore`:
// CopyStore saves the stopped server's state at `to` (the data directory
// copied file by file, or a pg_dump of its database); PutStoreBackInPlace
// puts such a copy back under the same epoch (the directory replaced by the
// copy, or the dump restored into the same database with pg_restore
// --clean, and no new-epoch). Both return the exit code of the step that
// failed (0: done) with the output in *out.
int CopyStore(const std::string& data_dir, const std::string& to, std::string* out);
int PutStoreBackInPlace(const std::string& data_dir, const std::string& from, std::string* out);
// Copies the directory tree `from` to `to` (created), file by file.
void CopyDirectory(const std::string& from, const std::string& to);
// Replaces the state with an empty one, a lineage that never heard of any
// client: the directory removed (the next start creates it), or a new
// database.
void ReplaceWithFreshStore(const std::string& data_dir);

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_SYNC_TEST_STORE_H_
