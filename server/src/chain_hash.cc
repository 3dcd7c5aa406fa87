#include "journaldb/server/chain_hash.h"

#include "journaldb/journal/layout.h"

namespace journaldb::server {

Result<ChainHash> NextChainHash(const ChainHash& previous, const wire::Changeset& c) {
  std::string header = layout::EncodeU64(c.server_version) + layout::EncodeU64(c.origin_client) +
                       layout::EncodeU64(c.origin_lsn) + layout::EncodeU64(c.bytes.size());
  return Sha256Of({DigestBytes(previous), header, c.bytes}, "chain hash");
}

}  // namespace journaldb::server
