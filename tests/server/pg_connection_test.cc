// PgConnection against a throwaway PostgreSQL cluster: a COMMIT that the
// database answers by rolling back is an error, never a success, and the
// database's notices are not printed, and a warning is one escaped line on stderr.
#include "postgres/pg_connection.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "journaldb/status.h"
#include "support/postgres_cluster.h"

namespace journaldb::server::pg {
namespace {

class PgConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    testing::PostgresCluster* cluster = testing::PostgresCluster::Shared(&error);
    ASSERT_NE(cluster, nullptr) << error;
    conninfo_ = cluster->NewDatabase(&error);
    ASSERT_FALSE(conninfo_.empty()) << error;
    ASSERT_TRUE(testing::RunSql(conninfo_, "CREATE TABLE t (n int8)", &error)) << error;
    Result<PgConnection> c = PgConnection::Connect(conninfo_, PgTimeouts{});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    c_.emplace(std::move(c).value());
  }

  std::string Rows() {
    std::string error;
    std::optional<std::string> n = testing::RunSql(conninfo_, "SELECT count(*) FROM t", &error);
    EXPECT_TRUE(n) << error;
    return n.value_or("?");
  }

  Status Insert(uint64_t n) {
    return c_->Query("INSERT INTO t VALUES ($1)", {PgParam::U64(n)}, "insert").status();
  }

  std::string conninfo_;
  std::optional<PgConnection> c_;
};

TEST_F(PgConnectionTest, CommitWritesTheTransaction) {
  ASSERT_TRUE(c_->Exec("BEGIN").ok());
  ASSERT_TRUE(Insert(1).ok());
  Status s = c_->Commit();
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Rows(), "1");
}

// PostgreSQL answers COMMIT of a transaction in which a statement failed
// with the command tag ROLLBACK and no error: a caller that let one failure
// pass must not take the transaction's earlier writes as committed.
TEST_F(PgConnectionTest, CommitAnsweredWithRollbackIsAnIOErrorAndWritesNothing) {
  ASSERT_TRUE(c_->Exec("BEGIN").ok());
  ASSERT_TRUE(Insert(1).ok());
  Status failed = c_->Exec("SELECT 1 / 0", "divide");
  ASSERT_TRUE(failed.IsIOError()) << failed.ToString();

  Status s = c_->Commit("commit the inserts");
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.ToString().find("commit the inserts"), std::string::npos) << s.ToString();
  EXPECT_NE(s.ToString().find("rolled the transaction back"), std::string::npos) << s.ToString();
  EXPECT_EQ(Rows(), "0");

  // The transaction is over: the connection commits the next one.
  ASSERT_TRUE(c_->Exec("BEGIN").ok());
  ASSERT_TRUE(Insert(2).ok());
  EXPECT_TRUE(c_->Commit().ok());
  EXPECT_EQ(Rows(), "1");
}

// ADD COLUMN IF NOT EXISTS finding the column (a node starting beside
// another that just added it) raises a NOTICE, which the connection does not
// ask for; a WARNING is written to stderr as one escaped log line, where
// libpq's default would print both raw, outside the server's log.
TEST_F(PgConnectionTest, NoticesAreNotPrintedAndAWarningIsOneEscapedLine) {
  ::testing::internal::CaptureStderr();
  Status s = c_->Exec("ALTER TABLE t ADD COLUMN IF NOT EXISTS n int8", "add n again");
  Status raised = c_->Exec("DO $$ BEGIN RAISE WARNING E'from the\\ntest'; END $$", "raise");
  std::string printed = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(raised.ok()) << raised.ToString();
  EXPECT_EQ(printed, "postgres: WARNING:  from the\\x0atest\n");
}

}  // namespace
}  // namespace journaldb::server::pg
