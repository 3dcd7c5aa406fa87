#include "names.h"

#include <string>

#include "journaldb/operation.h"

namespace journaldb::cli {

Status CheckNames(std::string_view collection, std::optional<std::string_view> key) {
  // An erase of the object names exactly a collection and a key; "k" stands
  // for a key when only the collection is to be checked.
  return Operation::EraseObject(std::string(collection), std::string(key.value_or("k"))).Validate();
}

}  // namespace journaldb::cli
