#include "upload_all.h"

#include "journaldb/engine/sync/connection.h"
#include "journaldb/server/admin.h"
#include "journaldb/server/server.h"

namespace journaldb::bench {

Status UploadEverything(Database& db, const std::string& server_dir) {
  if (Result<std::string> init = server::Init({server_dir, ""}); !init.ok()) return init.status();
  server::ServerOptions so;
  so.data_dir = server_dir;
  Result<std::unique_ptr<server::Server>> server = server::Server::Start(so);
  if (!server.ok()) return server.status();
  SyncOptions options;
  options.server = "127.0.0.1:" + std::to_string((*server)->port());
  Result<std::unique_ptr<sync::Connection>> conn = sync::Connection::Open(db, options);
  if (!conn.ok()) return conn.status();
  return (*conn)->UploadAll().status();
}

}  // namespace journaldb::bench
